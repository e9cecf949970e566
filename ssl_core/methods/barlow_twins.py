"""Barlow Twins: Zbontar et al. 2021, "Barlow Twins: Self-Supervised Learning via
Redundancy Reduction", ICML. https://arxiv.org/abs/2103.03230"""

from __future__ import annotations

import torch
from lightly.loss import BarlowTwinsLoss
from lightly.models.modules import BarlowTwinsProjectionHead

from ..augment import Views
from ..models import Encoder
from .base import Method


class BarlowTwins(Method):
    """Make the cross-correlation matrix of the two views' embeddings (D, D) close to the
    identity: the same features agree, different features are decorrelated.
    views: [a, b] -> z_a, z_b (N, 1024)."""

    name = "barlow_twins"
    description = "Make the two views' features agree while every feature carries different information."
    paper = "Zbontar et al. 2021, Barlow Twins: Self-Supervised Learning via Redundancy Reduction"
    default_recipe = "byol"
    default_lr = 2e-3

    def __init__(self, encoder: Encoder) -> None:
        super().__init__(encoder)
        self.projection = BarlowTwinsProjectionHead(encoder.num_features, 1024, 1024)
        self.loss = BarlowTwinsLoss(gather_distributed=True)

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        a, b = views.views[:2]
        z_a, z_b = self.projection(self.encoder.forward_features(torch.cat([a, b]))).chunk(2)
        return self.loss(z_a, z_b), {}
