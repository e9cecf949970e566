"""A small convolutional encoder sized so that the CPU default trains visibly in minutes."""

from __future__ import annotations

import torch
from torch import nn

from .base import Encoder


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
    )


class SmallCNN(Encoder):
    """Four conv blocks (width w, 2w, 4w, 8w), each halving the resolution but the last,
    then global average pooling: (N, 3, H, W) -> (N, 8w). About 0.3 M parameters at w=16."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
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

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.feature_map(x).mean(dim=(2, 3))
