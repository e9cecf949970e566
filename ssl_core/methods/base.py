"""What every method shares: the encoder it trains, its default recipe and learning
rate, and the hooks the engine calls. A method builds its heads and turns a batch of
views into `(loss, metrics)`; the engine owns everything else."""

from __future__ import annotations

import copy
from typing import ClassVar

import torch
from torch import nn

from ..augment import Views
from ..models import Encoder


class Method(nn.Module):
    """Base of every SSL method. `encoder` is the network whose features are reused."""

    name: ClassVar[str]
    description: ClassVar[str]  # one plain line for the Train page
    paper: ClassVar[str]
    title: ClassVar[str | None] = None  # how run names write it; None: the class name (SimCLR, MAE)
    default_recipe: ClassVar[str]
    recipes: ClassVar[tuple[str, ...]] = ("simclr_small", "simclr", "moco_v2", "byol", "dino")  # that fit
    default_lr: ClassVar[float]  # for AdamW at batch 256
    encoders: ClassVar[tuple[str, ...] | None] = None  # None: any encoder works
    kinds: ClassVar[tuple[str, ...]] = ("image",)  # the kinds of dataset it trains on (DatasetInfo.kind)
    collapse_note: ClassVar[str] = ""  # what a narrowing of its features means for it, added to the engine's warning

    def __init__(self, encoder: Encoder) -> None:
        super().__init__()
        self.encoder = encoder
        self.progress = 0.0  # fraction of training done, for momentum and temperature schedules

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        """Loss (scalar tensor) and metrics (plain floats) of one batch of views. A method
        whose loss compares projections reports their spread as `output_std`
        (`normalised_std`), which the collapse monitor watches beside the encoder's."""
        raise NotImplementedError

    def teachers(self) -> list[tuple["MomentumTeacher", nn.Module]]:
        """(momentum teacher, the student it follows) pairs to update after each step."""
        return []

    def after_step(self, progress: float) -> None:
        """Called after each optimizer step with the fraction of training done: records it
        and moves every momentum teacher toward its student."""
        self.progress = progress
        for teacher, student in self.teachers():
            teacher.update(student, progress)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Features used for monitoring and analysis: (N, 3, S, S) -> (N, D)."""
        return self.encoder.forward_features(x)


class MomentumTeacher(nn.Module):
    """An exponential-moving-average copy of a student network (BYOL, MoCo, DINO).

    The momentum follows a cosine schedule from `start` to `end` (1.0) over training, as
    BYOL (Grill et al. 2020, section 3.2); `start == end` holds it constant (BYOL's
    Table 5a: 0 copies the student every step, 1 never moves the teacher). The teacher
    never receives gradients.
    """

    def __init__(self, student: nn.Module, start: float = 0.99, end: float = 1.0,
                 blank: nn.Module | None = None) -> None:
        """`blank`: a freshly built twin of `student`, for networks deepcopy cannot copy
        (weight-normalised layers); it starts with the student's weights."""
        super().__init__()
        self.teacher = copy.deepcopy(student) if blank is None else blank
        if blank is not None:
            self.teacher.load_state_dict(student.state_dict())
        self.teacher.requires_grad_(False)
        self.start, self.end = start, end

    def momentum(self, progress: float) -> float:
        from lightly.utils.scheduler import cosine_schedule

        return float(cosine_schedule(int(progress * 10_000), 10_000, self.start, self.end))

    @torch.no_grad()
    def update(self, student: nn.Module, progress: float) -> None:
        from lightly.models.utils import update_momentum

        update_momentum(student, self.teacher, m=self.momentum(progress))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return self.teacher(x)
