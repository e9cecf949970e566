"""bench/lightly_import.py's path on 32 noise images: one step of lightly's SimCLR, the
model's state dict saved as lightly's examples save it, imported by `import-encoder`; the
imported encoder computes what lightly's backbone computes (projection head dropped)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from lightly_import import NAME, SIDE, save_and_import, train_with_lightly  # noqa: E402
from ssl_core.imports.encoders import load  # noqa: E402


def test_a_lightly_trained_backbone_imports_as_itself(workspace, tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (32, SIDE, SIDE, 3), dtype=np.uint8)
    model, loss, _ = train_with_lightly(images, steps=1, batch=16, workers=0)
    assert np.isfinite(loss)
    imported = save_and_import(model, tmp_path / "lightly_simclr.pth", workspace.root)
    assert (imported["encoder"], imported["num_features"], imported["source"]) == (NAME, 512, "lightly_simclr.pth")
    encoder = load(workspace, NAME)
    views = torch.rand(4, 3, SIDE, SIDE)
    model.eval()
    with torch.no_grad():
        theirs = model.backbone((views - encoder.mean) / encoder.std).flatten(1)
        assert torch.allclose(encoder(views), theirs, atol=1e-5)
