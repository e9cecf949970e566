"""VICReg: Bardes et al. 2022, "VICReg: Variance-Invariance-Covariance Regularization for
Self-Supervised Learning", ICLR. https://arxiv.org/abs/2105.04906"""

from __future__ import annotations

import torch
from lightly.loss import VICRegLoss
from lightly.models.modules.heads import VICRegProjectionHead

from ..augment import Views
from ..models import Encoder
from .base import Method


class VICReg(Method):
    """Invariance (the two views' embeddings match), variance (each feature keeps a spread
    over the batch) and covariance (features decorrelate). views: [a, b] -> (N, 1024)."""

    name = "vicreg"
    description = "Views agree, every feature keeps its spread, features stay decorrelated."
    paper = "Bardes et al. 2022, VICReg: Variance-Invariance-Covariance Regularization"
    default_recipe = "byol"
    default_lr = 2e-3

    def __init__(self, encoder: Encoder) -> None:
        super().__init__(encoder)
        self.projection = VICRegProjectionHead(encoder.num_features, 1024, 1024, num_layers=2)
        self.loss = VICRegLoss(gather_distributed=True)

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        a, b = views.views[:2]
        z_a, z_b = self.projection(self.encoder.forward_features(torch.cat([a, b]))).chunk(2)
        return self.loss(z_a, z_b), {}
