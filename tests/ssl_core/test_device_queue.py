"""The GPU path of a training step. It keeps the queue full: every read of a tensor's
value on the host (`.item()`, `bool()`, `nonzero`, linalg's error check) and every
per-step copy from the host makes the host wait for the device. Recipes run on the meta
device (which has no values, so any such read fails) and the engine's own step reads the
loss once. And with `compile`, the compiled encoder is the one a step calls."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from ssl_core.augment import RECIPES, make_recipe
from ssl_core.engine import TrainConfig, Trainer, compile_encoder
from ssl_core.methods import build_method, get_method

HOST_READS = {"_local_scalar_dense", "nonzero", "_linalg_check_errors"}


class HostReads(TorchDispatchMode):
    """Names the ops run while active that read values on the host (`reads`) or take a
    CPU tensor while `device` is another device (`from_host`); `paused` stops counting."""

    def __init__(self, device: str = "cpu") -> None:
        super().__init__()
        self.device, self.paused = device, False
        self.reads: list[str] = []
        self.from_host: list[str] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if not self.paused:
            name = func.overloadpacket.__name__
            if name in HOST_READS:
                self.reads.append(name)
            tensors = [t for t in torch.utils._pytree.tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)]
            if self.device != "cpu" and any(t.device.type == "cpu" and t.dim() > 0 for t in tensors):
                self.from_host.append(name)
        return func(*args, **kwargs)


@pytest.mark.parametrize("name", list(RECIPES))
def test_every_recipe_runs_on_a_device_without_reading_it_back(name):
    batch = torch.zeros(8, 32, 32, 3, dtype=torch.uint8, device="meta")
    recipe, gen = make_recipe(name), torch.Generator().manual_seed(0)
    recipe(batch, gen, 32)  # first call: constants are copied to the device once
    with HostReads("meta") as seen:
        views = recipe(batch, gen, 32)
    assert all(v.device.type == "meta" for v in views.views)
    assert seen.reads == [] and seen.from_host == []


def trainer(tmp_path, images: np.ndarray, batch_size: int = 8) -> Trainer:
    config = TrainConfig(dataset="tiny", epochs=1, batch_size=batch_size, image_size=16,
                         checkpoint_every=10**9, monitor_every=10**9)
    return Trainer(config, images, None, tmp_path, None)  # type: ignore[arg-type]


def test_the_engine_reads_the_loss_once_per_step(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (24, 16, 16, 3), dtype=np.uint8)
    t = trainer(tmp_path, images)
    seen = HostReads()

    def uncounted(function):  # the method's metrics, the optimizer and the recipe are not the engine's
        def call(*args, **kwargs):
            seen.paused = True
            try:
                return function(*args, **kwargs)
            finally:
                seen.paused = False
        return call

    t.method.training_step = uncounted(t.method.training_step)
    t.optimizer.step = uncounted(t.optimizer.step)
    t.recipe = uncounted(t.recipe)
    with seen:
        loss, _ = t.train_step(0.5)
    assert isinstance(loss, float) and seen.reads == ["_local_scalar_dense"]


def test_the_epochs_permutation_is_drawn_once_and_gives_the_seeded_batches(tmp_path, monkeypatch):
    t = trainer(tmp_path, np.zeros((24, 16, 16, 3), np.uint8))
    drawn = []
    randperm = torch.randperm
    monkeypatch.setattr(torch, "randperm", lambda *a, **k: drawn.append(a) or randperm(*a, **k))
    rows = [t.batch_indices(step) for step in range(6)]  # 3 steps an epoch
    assert len(drawn) == 2
    for step, got in enumerate(rows):
        epoch, offset = divmod(step, 3)
        order = randperm(24, generator=torch.Generator().manual_seed(epoch))
        assert torch.equal(got, order[8 * offset : 8 * offset + 8])


@pytest.mark.parametrize("method", ["simclr", "byol"])
def test_the_compiled_encoder_is_what_a_training_step_calls(monkeypatch, method):
    compiled_calls = []

    def fake_compile(function):
        def compiled(*args, **kwargs):
            compiled_calls.append(function)
            return function(*args, **kwargs)
        return compiled

    monkeypatch.setattr(torch, "compile", fake_compile)
    trained = build_method(method, "small_cnn", 16)
    compile_encoder(trained.encoder)
    batch = torch.randint(0, 256, (4, 16, 16, 3), dtype=torch.uint8)
    trained.training_step(make_recipe(get_method(method).default_recipe)(batch, torch.Generator().manual_seed(0)))
    assert compiled_calls, "the step went around the compiled encoder"
