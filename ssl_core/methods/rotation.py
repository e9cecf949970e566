"""Rotation prediction: Gidaris et al. 2018, "Unsupervised Representation Learning by
Predicting Image Rotations", ICLR. https://arxiv.org/abs/1803.07728"""

from __future__ import annotations

import torch
from torch import nn

from ..augment import Views
from ..models import Encoder
from .base import Method


class RotationPrediction(Method):
    """A linear classifier on the encoder's features says which of four quarter turns
    an image shows. views: one tensor (4N, 3, S, S) with labels (4N,) in 0..3."""

    name = "rotation"
    description = "Pretext task: say which way up the picture was turned (0, 90, 180 or 270 degrees)."
    paper = "Gidaris et al. 2018, Unsupervised Representation Learning by Predicting Image Rotations"
    default_recipe = "rotation"
    recipes = ("rotation",)
    default_lr = 2e-3

    def __init__(self, encoder: Encoder) -> None:
        super().__init__(encoder)
        self.classifier = nn.Linear(encoder.num_features, 4)

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        if views.labels is None:
            raise ValueError("rotation prediction needs the rotation recipe (views with labels)")
        logits = self.classifier(self.encoder.forward_features(views.views[0]))
        loss = nn.functional.cross_entropy(logits, views.labels)
        accuracy = (logits.argmax(1) == views.labels).float().mean()
        return loss, {"rotation_accuracy": float(accuracy)}
