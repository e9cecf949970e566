"""BYOL: Grill et al. 2020, "Bootstrap Your Own Latent: A New Approach to
Self-Supervised Learning", NeurIPS. https://arxiv.org/abs/2006.07733"""

from __future__ import annotations

import torch
from lightly.loss import NegativeCosineSimilarity
from lightly.models.modules import BYOLPredictionHead, BYOLProjectionHead
from torch import nn

from ..augment import Views
from ..evaluate import normalised_std
from ..models import Encoder
from .base import Method, MomentumTeacher


class BYOL(Method):
    """An online network (encoder, projector, predictor) predicts a momentum teacher's
    projection of the other view; no negatives. Loss symmetric over the two views.

    views: [a, b], each (N, 3, S, S) -> predictions p (N, 256) vs teacher targets (N, 256).
    """

    name = "byol"
    description = "Teacher and student: predict a slowly moving teacher's view of the image; no negatives."
    paper = "Grill et al. 2020, Bootstrap Your Own Latent"
    default_recipe = "byol"
    default_lr = 2e-3

    def __init__(self, encoder: Encoder, momentum: float = 0.99) -> None:
        super().__init__(encoder)
        self.student = nn.Sequential(encoder, BYOLProjectionHead(encoder.num_features, 1024, 256))
        self.predictor = BYOLPredictionHead(256, 1024, 256)
        self.teacher = MomentumTeacher(self.student, start=momentum)
        self.loss = NegativeCosineSimilarity()

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        a, b = views.views[:2]
        both = torch.cat([a, b])
        z = self.student(both)
        p_a, p_b = self.predictor(z).chunk(2)
        t_a, t_b = self.teacher(both).chunk(2)
        loss = 0.5 * (self.loss(p_a, t_b) + self.loss(p_b, t_a))
        return loss, {"momentum": self.teacher.momentum(self.progress), "output_std": normalised_std(z.detach())}

    def teachers(self) -> list[tuple[MomentumTeacher, nn.Module]]:
        return [(self.teacher, self.student)]
