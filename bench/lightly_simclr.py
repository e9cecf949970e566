"""lightly's SimCLR example pipeline, the baseline of bench/train.py and bench/gpu.py.

uint8 images -> PIL images -> lightly's `SimCLRTransform` one image at a time in
DataLoader workers -> two view batches -> encoder + lightly's `SimCLRProjectionHead` ->
`NTXentLoss` -> SGD (lr 0.06), as lightly's examples write it. On CUDA the batches are
pinned and copied without blocking, and `bf16` runs the model as the engine does
(bf16 autocast, channels_last), so a comparison measures the data path alone.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from lightly.loss import NTXentLoss
from lightly.models.modules import SimCLRProjectionHead
from lightly.transforms import SimCLRTransform

from pil_dataset import PilDataset
from ssl_core.models import build_encoder


class LightlySimCLR:
    """One SimCLR training step per `step()` call, fed by lightly's per-image pipeline."""

    def __init__(self, images: np.ndarray, encoder: str = "small_cnn", side: int = 32, batch: int = 256,
                 workers: int = 2, device: str = "cpu", bf16: bool = False) -> None:
        torch.manual_seed(0)
        self.device = torch.device(device)
        cuda = self.device.type == "cuda"
        self.format = torch.channels_last if cuda and bf16 else torch.contiguous_format
        self.bf16 = cuda and bf16
        self.encoder = build_encoder(encoder, side).to(self.device, memory_format=self.format)
        self.head = SimCLRProjectionHead(self.encoder.num_features, 512, 128).to(self.device)
        self.criterion = NTXentLoss()
        self.optimizer = torch.optim.SGD([*self.encoder.parameters(), *self.head.parameters()], lr=0.06)
        loader = torch.utils.data.DataLoader(PilDataset(images, SimCLRTransform(input_size=side)),
                                             batch_size=batch, shuffle=True, drop_last=True, num_workers=workers,
                                             persistent_workers=True, pin_memory=cuda)
        self.batches = self._forever(loader)
        self.encoder.train()

    @staticmethod
    def _forever(loader: torch.utils.data.DataLoader) -> Iterator:
        while True:
            yield from loader

    def _embed(self, views: torch.Tensor) -> torch.Tensor:
        x = views.to(self.device, non_blocking=True).contiguous(memory_format=self.format)
        return self.head(self.encoder.forward_features(x))

    def step(self) -> int:
        """Train on the next batch; returns its number of images."""
        x0, x1 = next(self.batches)
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            loss = self.criterion(self._embed(x0), self._embed(x1))
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return len(x0)
