"""A collapse-prone setting shows up in the collapse monitor: SimSiam without its
predictor (Chen & He 2021, Table 1). (BYOL with a frozen teacher, momentum 1.0, was tried
too: its fixed random target did not collapse here, so it is not asserted.)"""

from __future__ import annotations

import numpy as np
import pytest
from torch import nn

from ssl_core.engine import TrainConfig, Trainer


class Health:
    def __init__(self) -> None:
        self.values: list[dict[str, float]] = []

    def on_step(self, state): ...

    def on_metrics(self, step, values):
        if "embedding_std" in values:
            self.values.append(values)

    def on_checkpoint(self, step, path): ...

    def should_stop(self):
        return False


def no_predictor(trainer: Trainer) -> None:
    trainer.method.predictor = nn.Identity()


@pytest.mark.parametrize("method,break_it", [("simsiam", no_predictor)])
def test_collapse_prone_settings_raise_the_warning(tmp_path, method, break_it):
    images = np.random.default_rng(0).integers(0, 256, (64, 16, 16, 3), dtype=np.uint8)
    config = TrainConfig(dataset="noise", method=method, epochs=15, batch_size=32, image_size=16,
                         monitor_every=5, checkpoint_every=10**6, lr=0.05)
    health = Health()
    trainer = Trainer(config, images, None, tmp_path, health)
    break_it(trainer)
    result = trainer.run()
    assert result.status == "completed"
    assert any(w.startswith("possible collapse") for w in result.warnings), health.values
    assert any(v.get("collapse_warning") == 1.0 for v in health.values)
