"""What the network looks at, as maps over an image.

    similarity_map(encoder, a, b)  views (3, s, s) in [0, 1] -> (s, s): which places of `b`
        make it similar to `a`, for encoders that average a feature map (the CNNs)
    attention_maps(encoder, image) view (3, s, s) -> (heads, s, s): where a ViT's class
        token looks in its last layer, one map per head (DINO's figure)
    explain(encoder, a, b)         -> the maps of both images, whichever the encoder gives
    explain_images(encoder, a, b, side)   the same for uint8 images (S, S, 3), seen at `side`

The similarity map decomposes the cosine between the two images' features over the
positions of `b`'s feature map A (C, h, w), whose mean is b's features f_b (Stylianou et
al. 2019, "Visualizing Deep Similarity Networks"):

    cos(f_a, f_b) = sum_p  A[:, p] . f_a / (h w |f_a| |f_b|)

so each position's share is exact, the shares sum to the cosine, and it is the gradient
of the cosine with respect to A times A, with b's norm held fixed. Positive shares are
where b looks like a; the map is upsampled (bilinear) to the view's side. Given a `centre`
(D,) (Retrieval's index compares features minus the dataset's mean), the same holds for the
centred cosine with A - centre at every position, so the number shown is the index's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .augment import ops


@dataclass(frozen=True)
class Explanation:
    """`kind` is "similarity" (maps (s, s) of each image: its share of the pair's cosine) or
    "attention" (maps (heads, s, s) of each image); `cosine` of the pair's features."""

    kind: str
    cosine: float
    first: np.ndarray
    second: np.ndarray
    grid: tuple[int, int] = (0, 0)  # the feature map's cells (h, w) the similarity maps are upsampled from


def _standardised(encoder: torch.nn.Module, view: torch.Tensor) -> torch.Tensor:
    return ((view.unsqueeze(0) - encoder.mean) / encoder.std).float()


def _centred(features: torch.Tensor, centre: torch.Tensor | None) -> torch.Tensor:
    return features if centre is None else features - centre


def _centred_map(encoder: torch.nn.Module, view: torch.Tensor, centre: torch.Tensor | None) -> torch.Tensor:
    """(C, h, w): the view's feature map, minus `centre` (D,) at every position when given
    (its mean over the positions is then the centred features)."""
    fmap = encoder.feature_map(_standardised(encoder, view))[0]
    return fmap if centre is None else fmap - centre[:, None, None]


def _shares(fmap: torch.Tensor, target: torch.Tensor, side: int) -> np.ndarray:
    """(side, side): each position's share of the cosine between the mean of `fmap`
    (C, h, w) and the unit vector `target` (C,), upsampled and still summing to it."""
    norm = fmap.mean(dim=(1, 2)).norm().clamp_min(1e-12)
    shares = torch.einsum("chw,c->hw", fmap, target) / (fmap.shape[1] * fmap.shape[2] * norm)
    upsampled = F.interpolate(shares[None, None], size=(side, side), mode="bilinear", align_corners=False)
    return (upsampled[0, 0] * shares.numel() / (side * side)).numpy()


def _direction(fmap: torch.Tensor) -> torch.Tensor:
    """The unit vector (C,) of a feature map's mean: the (centred) features, normalised."""
    return F.normalize(fmap.mean(dim=(1, 2)), dim=0)


@torch.no_grad()
def similarity_map(encoder: torch.nn.Module, a: torch.Tensor, b: torch.Tensor,
                   centre: torch.Tensor | None = None) -> np.ndarray:
    """(s, s) float32: each place of view `b`'s share of cos(features(a), features(b)) (both
    minus `centre` (D,) when given); the shares over the feature map's positions sum to the
    cosine (see the module docstring)."""
    return _shares(_centred_map(encoder, b, centre), _direction(_centred_map(encoder, a, centre)), b.shape[-1])


@torch.no_grad()
def attention_maps(encoder: torch.nn.Module, view: torch.Tensor) -> np.ndarray:
    """(heads, s, s) float32: the last layer's class-token attention over the patches,
    each head's map summing to one, spread evenly over each patch's pixels."""
    attention = encoder.class_attention(_standardised(encoder, view))[0]  # (heads, rows, cols)
    side = view.shape[-1]
    heads, rows, cols = attention.shape
    per_pixel = attention / ((side // rows) * (side // cols))
    return F.interpolate(per_pixel[None], size=(side, side), mode="nearest")[0].numpy()


@torch.no_grad()
def explain(encoder: torch.nn.Module, a: torch.Tensor, b: torch.Tensor,
            centre: torch.Tensor | None = None) -> Explanation:
    """Attention maps of both views for a ViT, else each view's share of the pair's cosine
    (of the features minus `centre` (D,) when given)."""
    if hasattr(encoder, "class_attention"):
        fa, fb = (F.normalize(_centred(encoder.features(_standardised(encoder, v)), centre), dim=1)[0]
                  for v in (a, b))
        return Explanation("attention", float(fa @ fb), attention_maps(encoder, a), attention_maps(encoder, b))
    maps = [_centred_map(encoder, v, centre) for v in (a, b)]  # one pass per view: features are their means
    ua, ub = (_direction(m) for m in maps)
    return Explanation("similarity", float(ua @ ub), _shares(maps[0], ub, a.shape[-1]),
                       _shares(maps[1], ua, b.shape[-1]), tuple(maps[0].shape[1:]))


def explain_images(encoder: torch.nn.Module, a: np.ndarray, b: np.ndarray, side: int,
                   centre: np.ndarray | None = None) -> Explanation:
    """`explain` of uint8 images (S, S, 3), each resized to the encoder's view `side` as
    embedding does (ops.to_float_side); the maps are (side, side). `centre` (D,): the
    dataset's mean feature that Retrieval's index subtracts, or None."""
    views = ops.to_float_side(torch.from_numpy(np.stack([a, b]).astype(np.uint8)), side)
    shift = None if centre is None else torch.from_numpy(np.asarray(centre, np.float32))
    return explain(encoder.eval(), views[0], views[1], shift)
