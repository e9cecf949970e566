"""Features computed straight from the pixels, with no encoder: the raw-pixel baseline
and the simple image statistics the shortcut check compares an embedding with."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ..augment.ops import LUMA, resize_side, to_float

BATCH = 512  # images converted to float at a time
HISTOGRAM_BINS = 4  # per channel: a joint colour histogram of 4^3 = 64 cells


def per_batch(images: np.ndarray, compute: Callable[[torch.Tensor], torch.Tensor]) -> np.ndarray:
    """`compute` applied to float batches (n, 3, S, S) in [0, 1] of uint8 `images`
    (N, S, S, 3), results (n, ...) stacked into float32 (N, ...)."""
    out = [compute(to_float(torch.from_numpy(np.array(images[start : start + BATCH], dtype=np.uint8))))
           for start in range(0, len(images), BATCH)]
    return torch.cat(out).numpy().astype(np.float32)


def resized(images: np.ndarray, side: int) -> np.ndarray:
    """uint8 images (N, S, S, 3) -> float32 (N, 3, side, side) in [0, 1], resized
    (antialiased) as the encoders see them."""
    return per_batch(images, lambda x: resize_side(x, side))


def raw_pixels(images: np.ndarray, side: int = 16) -> np.ndarray:
    """uint8 images (N, S, S, 3) -> float32 (N, 3 * side * side): each image resized to
    side x side, minus the dataset's mean image. The baseline every encoder has to beat."""
    pixels = resized(images, side).reshape(len(images), -1)
    return pixels - pixels.mean(axis=0)


def luma(x: torch.Tensor) -> torch.Tensor:
    """(n, 3, H, W) in [0, 1] -> (n, H, W): the grey level (ITU-R 601)."""
    return torch.einsum("c,nchw->nhw", torch.tensor(LUMA), x)


def statistics_of(x: torch.Tensor) -> torch.Tensor:
    """(n, 3, S, S) in [0, 1] -> (n, 3 + 1 + 1 + BINS^3): mean colour, brightness,
    contrast, joint colour histogram (fractions of the pixels)."""
    grey = luma(x).flatten(1)
    cells = (x * HISTOGRAM_BINS).long().clamp_(max=HISTOGRAM_BINS - 1).flatten(2)  # (n, 3, P)
    code = (cells[:, 0] * HISTOGRAM_BINS + cells[:, 1]) * HISTOGRAM_BINS + cells[:, 2]
    joint = HISTOGRAM_BINS**3
    histogram = torch.bincount((code + joint * torch.arange(len(x))[:, None]).flatten(), minlength=len(x) * joint)
    histogram = histogram.view(len(x), joint).float()
    return torch.cat([x.mean(dim=(2, 3)), grey.mean(1, keepdim=True), grey.std(1, keepdim=True),
                      histogram / code.shape[1]], dim=1)


def image_statistics(images: np.ndarray) -> dict[str, np.ndarray]:
    """Simple statistics of uint8 images (N, S, S, 3), float32, keyed by name:
    mean_colour (N, 3) RGB in [0, 1], brightness (N, 1) mean luma, contrast (N, 1) std
    of luma, histogram (N, 64) joint RGB histogram with 4 bins per channel."""
    return split_statistics(per_batch(images, statistics_of))


def split_statistics(stats: np.ndarray) -> dict[str, np.ndarray]:
    """statistics_of's columns (N, 69) by name (see image_statistics)."""
    return {"mean_colour": stats[:, :3], "brightness": stats[:, 3:4], "contrast": stats[:, 4:5],
            "histogram": stats[:, 5:]}
