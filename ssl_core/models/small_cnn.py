"""A small convolutional encoder sized so that the CPU default trains visibly in minutes.

Its feature map is pooled by generalised mean (GeM, p 3; Radenović et al. 2019, Fine-tuning
CNN Image Retrieval with No Human Annotation): the strongest places of each channel count
most, so a small object on a cluttered background is not averaged away. Measured with
bench/tune.py at 5 CPU minutes: `clutter_shapes` kNN 0.420 against 0.394 with mean pooling
(multi-crop recipe), the other sets held (README). Checkpoints from before pooling was an
option were mean-pooled; models.checkpoint_options rebuilds them so.
"""

from __future__ import annotations

import torch
from torch import nn

from .base import Encoder

GEM_POWER = 3.0
POOLINGS = ("gem", "mean")


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
    )


def generalised_mean(fmap: torch.Tensor, p: float = GEM_POWER) -> torch.Tensor:
    """GeM pooling: (N, C, h, w) non-negative -> (N, C), (mean of x^p over positions)^(1/p)."""
    return fmap.clamp(min=1e-6).pow(p).mean(dim=(2, 3)).pow(1 / p)


class SmallCNN(Encoder):
    """Four conv blocks (width w, 2w, 4w, 8w), each halving the resolution but the last,
    then GeM (or mean) pooling: (N, 3, H, W) -> (N, 8w). About 0.3 M parameters at w=16."""

    def __init__(self, width: int = 16, pooling: str = "gem") -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"no pooling {pooling!r}; choose one of: {', '.join(POOLINGS)}")
        widths = [width, 2 * width, 4 * width, 8 * width]
        layers: list[nn.Module] = []
        c_in = 3
        for index, c_out in enumerate(widths):
            layers.append(_block(c_in, c_out))
            if index < len(widths) - 1:
                layers.append(nn.MaxPool2d(2))
            c_in = c_out
        self.body = nn.Sequential(*layers)
        self.num_features = widths[-1]
        self.width, self.pooling = width, pooling

    def options(self) -> dict:
        return {"width": self.width, "pooling": self.pooling}

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 8w, h, w): each position's part of the pooled features, so that their mean over
        the positions is `features` (GeM's pooled value shared in proportion to x^p)."""
        fmap = self.body(x)
        if self.pooling == "mean":
            return fmap
        powered = fmap.clamp(min=1e-6).pow(GEM_POWER)
        pooled = powered.mean(dim=(2, 3), keepdim=True)
        return pooled.pow(1 / GEM_POWER) * powered / pooled

    def features(self, x: torch.Tensor) -> torch.Tensor:
        fmap = self.body(x)
        return fmap.mean(dim=(2, 3)) if self.pooling == "mean" else generalised_mean(fmap)
