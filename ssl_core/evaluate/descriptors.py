"""Cheap image descriptors, no training: what an encoder could group images by instead
of their content (the cues of the shortcut check).

`describe` reads uint8 images (N, S, S, 3), a memory map as the workspace keeps them,
once, BATCH at a time; each batch is resized to SIDE x SIDE floats in [0, 1] (as
embed.py resizes for an encoder), its saliency taken once (ops.saliency: centre-surround
colour contrast, Itti, Koch and Niebur 1998; the mask of what stands out is the one
background swap uses, ops.salient_mask), and every descriptor computed from them. The
results, float32 (N, d), by name:

* mean_colour (3), brightness (1), contrast (1), histogram (64): pixels.statistics_of,
  at SIDE / 2, inside the edge bands (below), so that a frame up to SIDE / EDGE wide is read
  by the edges alone (planted frames 1/12 of the side wide read with the whole picture:
  colour 0.86, edges 0.67; inside, 0.19; a review: a frame a tenth wide still moves the
  mean inside from 0.502 to 0.416).
* texture (72): Gram matrices of the responses of one fixed random convolution layer
  (8 zero-mean 5 x 5 filters), the texture descriptor of style transfer (Gatys et al.
  2016, Image Style Transfer Using Convolutional Neural Networks), which random filters
  already give (Ustyuzhaninov et al. 2017, What does it take to generate natural
  textures?); on luma standardised per image, so blind to colour, brightness and
  contrast; at SIDE (every other position) and SIDE / 2; over the background only (the
  responses whose window does not touch what stands out), so an object's outline is
  not counted as texture.
* layout (48): the background's mean colour in 4 x 4 cells, less its mean over the
  image: where its light, dark and coloured regions sit, whatever its overall colour.
* position (2): the centroid (x, y in [0, 1]) of the 2% of saliency cells that stand
  out most: where the object sits. On images like clutter_shapes it lies within 0.014
  of the object's centre for half of them and within 0.09 for three quarters (400
  images).
* edges (12): the mean colour of each side's outer band, SIDE / EDGE wide (top, bottom,
  left, right), what stands out included, less the image's mean colour: a scanner's frame,
  a vignette, a plain backdrop.
  Walk 43: 297 archive scans, a third in white or black frames; 82% of a black-framed
  scan's 10 nearest neighbours in a trained run were black-framed (8% at random), which
  the other cues missed (what stands out includes a frame's inner edge, so the layout
  leaves it out) and this one scores 0.66.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..augment.ops import salient_mask, saliency, to_float_side
from .pixels import luma, split_statistics, statistics_of

SIDE = 64  # images are described at this side
BATCH = 256  # images per batch
FILTERS = 8  # random filters of the texture layer
KERNEL = 5  # their size
AWAY = 0.02  # a response counts when what stands out is below this everywhere in its window
FLAT = 0.02  # luma std below which a background counts as flat (its texture is not amplified)
LAYOUT = 4  # cells per side of the layout thumbnail
SALIENCY_GRID = 32  # cells per side of the saliency map
SALIENT = 0.02  # share of its cells whose centroid is the position
EDGE = 16  # an edge band is the side over this wide


def _filters(seed: int = 0) -> torch.Tensor:
    """(FILTERS, 1, KERNEL, KERNEL) random filters, zero mean and unit norm: blind to flat areas."""
    w = torch.randn(FILTERS, 1, KERNEL, KERNEL, generator=torch.Generator().manual_seed(seed))
    w = w - w.mean(dim=(2, 3), keepdim=True)
    return w / w.flatten(1).norm(dim=1)[:, None, None, None]


WEIGHTS = _filters()
UPPER = torch.triu_indices(FILTERS, FILTERS)


def gram(y: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Responses (n, C, H, W) -> the upper triangles (n, C (C + 1) / 2) of their Gram
    matrices, each position counted by its `weight` (n, 1, H, W)."""
    f = F.relu(y).flatten(2)
    w = weight.flatten(2)
    g = (f * w) @ f.transpose(1, 2) / w.sum(dim=2, keepdim=True).clamp_min(1e-6)
    return g[:, UPPER[0], UPPER[1]]


def standardised(y: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """Luma (n, 1, H, W) less its mean over the pixels `keep` (n, 1, H, W) weighs, over
    their standard deviation (at least FLAT, so a flat background is not amplified)."""
    total = keep.sum(dim=(2, 3), keepdim=True).clamp_min(1e-6)
    mean = (y * keep).sum(dim=(2, 3), keepdim=True) / total
    std = (((y - mean) ** 2 * keep).sum(dim=(2, 3), keepdim=True) / total).sqrt()
    return (y - mean) / std.clamp_min(FLAT)


def texture(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(n, 3, H, W) and what stands out (n, 1, H, W) in [0, 1] -> (n, 72): Gram statistics
    of the random layer on luma standardised per image (std at least FLAT), at H and H / 2,
    over the responses whose window does not touch what stands out."""
    y = standardised(luma(x)[:, None], 1 - mask)
    scales = [gram(F.conv2d(z, WEIGHTS, stride=stride), (F.max_pool2d(m, KERNEL, stride=stride) < AWAY).float())
              for z, m, stride in ((y, mask, 2), (F.avg_pool2d(y, 2), F.avg_pool2d(mask, 2), 1))]
    return torch.log1p(torch.cat(scales, dim=1))


def layout(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """(n, 3, H, W) and where to look (n, 1, H, W) -> (n, 48): in LAYOUT x LAYOUT cells, the
    mean colour of the pixels kept, less their mean over the image (0 in a cell with none)."""
    total = keep.sum(dim=(2, 3), keepdim=True).clamp_min(1e-6)
    centred = (x - (x * keep).sum(dim=(2, 3), keepdim=True) / total) * keep
    return (F.adaptive_avg_pool2d(centred, LAYOUT) / F.adaptive_avg_pool2d(keep, LAYOUT).clamp_min(1e-3)).flatten(1)


def position(salience: torch.Tensor) -> torch.Tensor:
    """saliency (n, g, g) -> (n, 2): centroid (x, y) of the SALIENT share of its cells that stand out most."""
    grid = salience.shape[-1]
    flat = salience.flatten(1)
    top = flat >= flat.quantile(1 - SALIENT, dim=1, keepdim=True)
    weight = top.float() / top.sum(dim=1, keepdim=True)
    cells = (torch.arange(grid, dtype=torch.float32) + 0.5) / grid
    ys, xs = torch.meshgrid(cells, cells, indexing="ij")
    return torch.stack([weight @ xs.flatten(), weight @ ys.flatten()], dim=1)


def edge_band(side: int) -> int:
    """How many pixels wide an edge band of a picture `side` wide is."""
    return max(1, side // EDGE)


def inside_edges(x: torch.Tensor) -> torch.Tensor:
    """(n, 3, H, W) -> the part inside its edge bands, what colour and brightness read (n, 3, H - 2b, W - 2b)."""
    band = edge_band(x.shape[-1])
    return x[:, :, band:-band, band:-band]


def edges(x: torch.Tensor) -> torch.Tensor:
    """(n, 3, H, W) -> (n, 12): the mean colour of the top, bottom, left and right bands, edge_band(H) wide, less
    the image's mean colour: how its edges differ from the rest, whatever its overall colour."""
    band, mean = edge_band(x.shape[-1]), x.mean(dim=(2, 3))
    sides = (x[:, :, :band], x[:, :, -band:], x[:, :, :, :band], x[:, :, :, -band:])
    return torch.cat([side.mean(dim=(2, 3)) - mean for side in sides], dim=1)


def describe_batch(x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every descriptor of a float batch (n, 3, SIDE, SIDE) in [0, 1]: the statistics of the
    image inside its edge bands (at SIDE / 2), the texture and layout of its background (away from what
    stands out), the position of what stands out, the colour of its edges."""
    salience = saliency(x, SALIENCY_GRID)
    mask = salient_mask(salience, x.shape[-2:])
    return {"statistics": statistics_of(F.avg_pool2d(inside_edges(x), 2)), "texture": texture(x, mask),
            "layout": layout(x, (mask < AWAY).float()), "position": position(salience), "edges": edges(x)}


def describe(images: np.ndarray) -> dict[str, np.ndarray]:
    """Every descriptor of uint8 `images` (N, S, S, 3), float32 (N, d) by name (module doc),
    in one pass over the images."""
    out: dict[str, list[torch.Tensor]] = {}
    for start in range(0, len(images), BATCH):
        x = to_float_side(torch.from_numpy(np.array(images[start : start + BATCH], dtype=np.uint8)), SIDE)
        for name, values in describe_batch(x).items():
            out.setdefault(name, []).append(values)
    described = {name: torch.cat(parts).numpy().astype(np.float32) for name, parts in out.items()}
    return {**split_statistics(described.pop("statistics")), **described}
