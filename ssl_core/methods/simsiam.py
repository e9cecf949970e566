"""SimSiam: Chen & He 2021, "Exploring Simple Siamese Representation Learning", CVPR.
https://arxiv.org/abs/2011.10566"""

from __future__ import annotations

import torch
from lightly.loss import NegativeCosineSimilarity
from lightly.models.modules import SimSiamPredictionHead, SimSiamProjectionHead

from ..augment import Views
from ..evaluate import normalised_std
from ..models import Encoder
from .base import Method


class SimSiam(Method):
    """One network predicts its own projection of the other view, with a stop-gradient on
    the target; no negatives, no momentum. views: [a, b] -> p (N, 256) vs z (N, 256)."""

    name = "simsiam"
    description = "Predict your own view of the other crop, with a stop-gradient; no negatives, no teacher."
    paper = "Chen & He 2021, Exploring Simple Siamese Representation Learning"
    default_recipe = "simclr_small"
    default_lr = 2e-3

    def __init__(self, encoder: Encoder) -> None:
        super().__init__(encoder)
        self.projection = SimSiamProjectionHead(encoder.num_features, 512, 256)
        self.predictor = SimSiamPredictionHead(256, 64, 256)
        self.loss = NegativeCosineSimilarity()

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        a, b = views.views[:2]
        z = self.projection(self.encoder.forward_features(torch.cat([a, b])))
        z_a, z_b = z.chunk(2)
        p_a, p_b = self.predictor(z_a), self.predictor(z_b)
        loss = 0.5 * (self.loss(p_a, z_b.detach()) + self.loss(p_b, z_a.detach()))
        return loss, {"output_std": normalised_std(z.detach())}
