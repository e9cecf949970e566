"""How far an embedding's neighbours moved away from those of cheap descriptors: the
label-free evidence of the verdict (verdict.from_neighbours).

The cheap descriptors are what any image has without an encoder: a raw-pixel thumbnail
(layout, background, colour in place) and colour statistics (mean colour, joint colour
histogram). `shared` is the share of an image's k cosine neighbours in the embedding that
are also among its k nearest by a descriptor, averaged over the descriptors: about k / N
for neighbours unrelated to the pixels, 1 for an embedding that only repeats them.
"""

from __future__ import annotations

import numpy as np
import torch

from .neighbours import Array, neighbours_of, overlap
from .pixels import image_statistics, raw_pixels
from .verdict import NEIGHBOURS

THUMBNAIL = 8  # side of the raw-pixel thumbnail descriptor


def cheap_descriptors(images: np.ndarray) -> list[np.ndarray]:
    """The descriptors of uint8 `images` (N, S, S, 3), each float32 (N, d) centred on the
    dataset's mean: raw-pixel thumbnail (3 * 8 * 8), mean colour and colour histogram (67)."""
    stats = image_statistics(images)
    colour = np.concatenate([stats["mean_colour"], stats["histogram"]], axis=1)
    return [raw_pixels(images, THUMBNAIL), colour - colour.mean(axis=0)]


def cheap_neighbours(images: np.ndarray, k: int = NEIGHBOURS, queries: Array | None = None) -> list[torch.Tensor]:
    """Per descriptor, the indices (M, k) of each query's (M,) (default: every image) k
    nearest other images of `images` (N, S, S, 3)."""
    return [neighbours_of(d, k, queries) for d in cheap_descriptors(images)]


def shared(features: Array, cheap: list[torch.Tensor], queries: Array | None = None) -> float:
    """Mean share of each query's (M,) (default: every row) k cosine neighbours among
    `features` (N, D) that are also its neighbours by a cheap descriptor, `cheap` being
    `cheap_neighbours` of the same images and queries."""
    k = cheap[0].shape[1]
    mine = neighbours_of(features, k, queries).cpu()
    return float(torch.stack([overlap(mine, theirs.cpu()) for theirs in cheap]).mean())
