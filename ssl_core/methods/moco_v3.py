"""MoCo v3: Chen, Xie & He 2021, "An Empirical Study of Training Self-Supervised Vision
Transformers", ICCV. https://arxiv.org/abs/2104.02057"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from lightly.models.modules import BYOLPredictionHead, BYOLProjectionHead
from torch import nn

from .. import distributed
from ..augment import Views
from ..models import Encoder
from .base import Method, MomentumTeacher


class MoCoV3(Method):
    """Queries (encoder, projector, predictor) classify their own view's momentum key among
    the global batch's keys; no queue. Loss: cross-entropy of q @ k.T / t, scaled by 2t, both
    ways. views: [a, b], each (N, 3, S, S) -> q (N, 256) vs k (N, 256); under torchrun the
    keys of every process are gathered, (world * N, 256), as the official code does
    (facebookresearch/moco-v3, contrastive_loss)."""

    name = "moco_v3"
    description = "Contrastive with a momentum encoder and a predictor; the batch's keys are the negatives."
    paper = "Chen, Xie & He 2021, An Empirical Study of Training Self-Supervised Vision Transformers"
    default_recipe = "byol"
    default_lr = 2e-3

    def __init__(self, encoder: Encoder, temperature: float = 0.2) -> None:
        super().__init__(encoder)
        self.query = nn.Sequential(encoder, BYOLProjectionHead(encoder.num_features, 1024, 256))
        self.predictor = BYOLPredictionHead(256, 1024, 256)
        self.key = MomentumTeacher(self.query, start=0.99)
        self.temperature = temperature

    def contrast(self, q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        """(N, D) queries vs (N, D) keys of this process: row i's positive is key i among the
        keys of every process (gathered without gradient, labels offset by rank)."""
        keys = distributed.gather(F.normalize(k, dim=1))
        logits = F.normalize(q, dim=1) @ keys.T / self.temperature
        labels = torch.arange(len(q), device=q.device) + distributed.world()[0] * len(q)
        return F.cross_entropy(logits, labels) * 2 * self.temperature

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        a, b = views.views[:2]
        q_a, q_b = self.predictor(self.query(torch.cat([a, b]))).chunk(2)
        k_a, k_b = self.key(torch.cat([a, b])).chunk(2)
        return self.contrast(q_a, k_b) + self.contrast(q_b, k_a), {"momentum": self.key.momentum(self.progress)}

    def teachers(self) -> list[tuple[MomentumTeacher, nn.Module]]:
        return [(self.key, self.query)]
