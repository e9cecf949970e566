"""MoCo v2: Chen et al. 2020, "Improved Baselines with Momentum Contrastive Learning"
(He et al. 2020, MoCo). https://arxiv.org/abs/2003.04297"""

from __future__ import annotations

import torch
from lightly.loss import NTXentLoss
from lightly.models.modules import MoCoProjectionHead
from torch import nn

from ..augment import Views
from ..models import Encoder
from .base import Method, MomentumTeacher


class MoCoV2(Method):
    """A query network and a momentum key network; each query must pick its key out of
    a queue of 4,096 keys from earlier batches (the negatives), shared by every process.

    views: [a, b], each (N, 3, S, S) -> queries q (N, 128) vs keys k (N, 128), symmetric
    (both directions against the same queue, as MoCo's symmetrised loss). The queue (queue,
    128) and its write position are state, saved in checkpoints, so a resumed run goes on
    with the negatives it had.
    """

    name = "moco_v2"
    description = "Contrastive with a momentum encoder and a long queue of negatives from past batches."
    paper = "Chen et al. 2020, Improved Baselines with Momentum Contrastive Learning"
    default_recipe = "moco_v2"
    default_lr = 5e-3
    # Checkpoints written before the queue was saved lack it: such a run resumes with the
    # freshly built random queue (as it always did then) instead of failing to load.
    optional_state = ("loss.memory_bank.bank", "loss.memory_bank.bank_ptr")

    def __init__(self, encoder: Encoder, queue: int = 4096, temperature: float = 0.2) -> None:
        super().__init__(encoder)
        self.query = nn.Sequential(encoder, MoCoProjectionHead(encoder.num_features, 512, 128))
        self.key = MomentumTeacher(self.query, start=0.99)
        self.loss = NTXentLoss(temperature=temperature, memory_bank_size=(queue, 128), gather_distributed=True)
        bank = self.loss.memory_bank
        for name in ("bank", "bank_ptr"):  # lightly keeps them out of the state dict; put them in
            bank.register_buffer(name, getattr(bank, name), persistent=True)

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        a, b = views.views[:2]
        q_a, q_b = self.query(torch.cat([a, b])).chunk(2)
        k_a, k_b = self.key(torch.cat([a, b])).chunk(2)
        # One call, so both directions meet the queue as it was (the second must not find
        # this batch's keys among its negatives), then all 2N keys join it. Rows interleaved
        # per image: the keys gathered from the processes, rank after rank, then queue in the
        # order one process on the whole batch would use.
        loss = self.loss(torch.stack([q_a, q_b], 1).flatten(0, 1), torch.stack([k_b, k_a], 1).flatten(0, 1))
        return loss, {"momentum": self.key.momentum(self.progress)}

    def teachers(self) -> list[tuple[MomentumTeacher, nn.Module]]:
        return [(self.key, self.query)]
