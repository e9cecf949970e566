"""The supervised baseline of the label-efficiency curve: the small CNN trained from
scratch, with light augmentation, on nothing but the labelled subset."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..augment.ops import resized_crop_flip
from ..models import build_encoder
from .label_efficiency import Learner
from .pixels import resized


@dataclass(frozen=True)
class SupervisedConfig:
    """How the from-scratch network trains: bounded to seconds per subset on a CPU.

    Measured on the built-in shapes, 100% of the labels, a busy 2-core CPU: 12,000 images
    seen at side 16 reach 0.81 accuracy in 7-10 s; at side 32 the same time gives 0.24
    (chance 0.20), so the baseline trains at 16 by default. One thread: 0.8 ms per image
    there, against 1.3 ms with two threads waiting on each other."""

    encoder: str = "small_cnn"  # name in ENCODERS
    image_size: int = 16  # side the images are resized to
    epochs: int = 15  # passes over the labelled subset ...
    max_images: int = 10_000  # ... but at most this many images seen per training (bounds the time) ...
    # ... and at least this many steps: 15 passes over 12 labelled tiles were 15 steps, and the network scored 25%,
    # chance, below its 54% on 4 (walk 40); on walk 40's 20 labelled tiles, 5 seeds, 100 steps lifted 4, 8 and 12
    # labels from 0.46, 0.75, 0.70 to 0.59, 0.88, 0.93 (200 steps: 0.58, 0.80, 1.00)
    min_steps: int = 100
    batch_size: int = 64
    lr: float = 3e-3  # Adam
    crop_min: float = 0.6  # light augmentation: crops keep at least this share of the area, flips
    seed: int = 0  # the same initial weights and batches for every subset
    threads: int | None = 1  # torch CPU threads while training; None: leave torch's setting


class ThreadSetting:
    """torch's intra-op CPU thread count for blocks that may overlap on several Python
    threads (label_efficiency's fits). torch applies a count to the thread that sets it
    (OpenMP), so every block sets it on its own thread; the last one out restores the count
    there was before the first came in."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inside = 0
        self.before = 0

    @contextmanager
    def held(self, threads: int | None) -> Iterator[None]:
        """torch's CPU threads set to `threads` (None: unchanged) inside the block."""
        if not threads:
            yield
            return
        with self.lock:
            if self.inside == 0:
                self.before = torch.get_num_threads()
            self.inside += 1
            torch.set_num_threads(threads)
        try:
            yield
        finally:
            with self.lock:
                self.inside -= 1
                if self.inside == 0:
                    torch.set_num_threads(self.before)


TORCH_THREADS = ThreadSetting()
INIT_LOCK = threading.Lock()  # seeding the global RNG to build a network is one thread at a time


def train(x: torch.Tensor, codes: torch.Tensor, classes: int, config: SupervisedConfig) -> nn.Module:
    """A classifier (encoder + linear head, in eval mode) trained on images x (n, 3, s, s)
    in [0, 1] with classes `codes` (n,) for min(epochs x n, max_images) images, in min_steps steps or more where
    max_images allows them."""
    batch = min(config.batch_size, len(x))
    bound = math.ceil(config.max_images / batch)  # steps max_images allows
    steps = max(1, min(config.min_steps, bound), math.ceil(min(config.epochs * len(x), config.max_images) / batch))
    with INIT_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        encoder = build_encoder(config.encoder, config.image_size)
        model = nn.Sequential(encoder, nn.Linear(encoder.num_features, classes))
    generator = torch.Generator().manual_seed(config.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    model.train()
    for _ in range(steps):
        pick = torch.randint(len(x), (batch,), generator=generator)
        views = resized_crop_flip(x[pick], config.image_size, (config.crop_min, 1.0), (3 / 4, 4 / 3), 0.5, generator)
        loss = F.cross_entropy(model(views), codes[pick])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return model.eval()


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 512) -> np.ndarray:
    """Predicted classes (n,) of images x (n, 3, s, s)."""
    return torch.cat([model(x[i : i + batch_size]).argmax(1) for i in range(0, len(x), batch_size)]).numpy()


def supervised_learner(images: np.ndarray, codes: np.ndarray, config: SupervisedConfig | None = None) -> Learner:
    """A learner (train positions, test positions) -> predicted classes of the test
    positions, over uint8 `images` (L, S, S, 3) with classes `codes` (L,): a network
    trained from scratch on the train positions only."""
    config = config or SupervisedConfig()
    x = torch.from_numpy(resized(images, config.image_size))
    y = torch.from_numpy(codes)
    classes = int(codes.max()) + 1

    def learn(train_at: np.ndarray, test_at: np.ndarray) -> np.ndarray:
        with TORCH_THREADS.held(config.threads):
            return predict(train(x[train_at], y[train_at], classes, config), x[test_at])

    return learn
