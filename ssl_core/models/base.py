"""The one face every encoder shows: `forward_features(x) -> (N, D)` and `num_features`."""

from __future__ import annotations

import torch
from torch import nn

# Inputs are views in [0, 1]; encoders standardise them with these per-channel statistics.
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


class Encoder(nn.Module):
    """Base of every encoder. Subclasses set `num_features` and implement `features`."""

    num_features: int

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(STD).view(1, 3, 1, 1), persistent=False)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def options(self) -> dict:
        """The keyword arguments that rebuild this encoder's shape (saved with a checkpoint,
        so a later change of defaults does not break loading it); none for encoders sized
        by the image side alone."""
        return {}

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        """Standardised views (N, 3, H, W) -> (N, num_features, h, w) whose mean over the
        positions is `features`: encoders that average a map (the CNNs) implement it, for
        the similarity maps of explain.py."""
        raise NotImplementedError(f"{type(self).__name__} does not average a feature map")

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Views (N, 3, H, W) in [0, 1] -> features (N, num_features)."""
        return self.features((x - self.mean) / self.std)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)
