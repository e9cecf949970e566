"""DINO: Caron et al. 2021, "Emerging Properties in Self-Supervised Vision Transformers",
ICCV. https://arxiv.org/abs/2104.14294"""

from __future__ import annotations

import copy
import warnings

import torch
from lightly.loss import DINOLoss
from lightly.models.modules import DINOProjectionHead
from torch import nn

from ..augment import Views
from ..models import Encoder
from .base import Method, MomentumTeacher

WARMUP = 0.3  # fraction of training over which the teacher temperature rises
OUTPUT_DIM = 1024  # the head's outputs: a student that spreads every image evenly over them has a loss of ln 1024


class DINO(Method):
    """Self-distillation with multi-crop: a momentum teacher sees the two global crops,
    the student sees every crop (global and local) and matches the teacher's centred,
    sharpened distribution. views: 2 global (N, 3, S, S) + locals (N, 3, s, s); any
    encoder (ViT-tiny resamples its position embedding for the local side)."""

    name = "dino"
    description = "Self-distillation: small local crops must agree with a teacher that sees the whole picture."
    paper = "Caron et al. 2021, Emerging Properties in Self-Supervised Vision Transformers"
    default_recipe = "dino"
    default_lr = 2e-3
    recipes = ("dino",)

    def __init__(self, encoder: Encoder, output_dim: int = OUTPUT_DIM, teacher_temp: float = 0.07) -> None:
        super().__init__(encoder)
        def head() -> nn.Module:
            with warnings.catch_warnings():  # lightly's head calls the deprecated torch.nn.utils.weight_norm: a
                # FutureWarning per run in the server's log (walk 37), not ours to change
                warnings.filterwarnings("ignore", message=r"`torch.nn.utils.weight_norm` is deprecated",
                                        category=FutureWarning)
                return DINOProjectionHead(encoder.num_features, 512, 64, output_dim)

        self.student = nn.Sequential(encoder, head())
        self.teacher = MomentumTeacher(self.student, start=0.996,
                                       blank=nn.Sequential(copy.deepcopy(encoder), head()))
        self.loss = DINOLoss(output_dim=output_dim, warmup_teacher_temp=0.04, teacher_temp=teacher_temp)
        self.teacher_temp = teacher_temp

    def temperature(self) -> float:
        """Teacher temperature: 0.04 warming linearly to `teacher_temp` (the paper's schedule)."""
        return 0.04 + (self.teacher_temp - 0.04) * min(1.0, self.progress / WARMUP)

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        global_views = views.views[:2]
        teacher_out = [self.teacher(v) for v in global_views]
        student_out = [self.student(v) for v in views.views]
        temperature = self.temperature()
        return self.loss(teacher_out, student_out, teacher_temp=temperature), {"teacher_temp": temperature}

    def teachers(self) -> list[tuple[MomentumTeacher, nn.Module]]:
        return [(self.teacher, self.student)]
