"""`train --init`: a run starts from an imported encoder's weights (kept in its folder and
named in its config) or an earlier run's, in the encoder and in every momentum copy of it;
the untrained twin the verdict uses stays random; what does not fit is refused by name."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import timm
import torch
from safetensors.torch import load_file, save_file

from ssl_core import checkpoint, jobs
from ssl_core.cli import main
from ssl_core.engine import TrainConfig
from ssl_core.imports import ImportRefused, start_from
from ssl_core.imports.embeddings import import_embeddings
from ssl_core.imports.encoders import import_encoder
from ssl_core.evaluate.verdict import KNN_START, RANK_START
from ssl_core.methods import build_method
from ssl_core.run_names import run_name

ARCH = "timm:resnet10t"


@pytest.fixture
def imported(trained, tmp_path):
    """`trained` (dataset "tiny", 40 images, 16 px, one small_cnn run) with resnet10t weights
    imported as "r10" and an embedding set "vecs"."""
    torch.manual_seed(3)
    model = timm.create_model("resnet10t", num_classes=0)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "r10.safetensors"))
    import_encoder(trained.ws, "r10", ARCH, tmp_path / "r10.safetensors", image_size=16)
    np.save(tmp_path / "vecs.npy", np.ones((40, 3)))
    import_embeddings(trained.ws, "tiny", "vecs", tmp_path / "vecs.npy")
    trained.weights = load_file(str(tmp_path / "r10.safetensors"))
    return trained


def test_train_init_starts_from_the_imported_weights(imported, capsys):
    # lr 1e-12 (0 means the default): the steps leave the weights where they started, so the checkpoint shows it
    assert main(["--workspace", str(imported.ws.root), "train", "--dataset", "tiny", "--init", "r10", "--epochs",
                 "0.2", "--batch-size", "8", "--lr", "1e-12"]) == 0
    out = json.loads(capsys.readouterr().out)
    run = out["run"]
    config = json.loads(jobs.get_run(imported.ws, run)["config"])
    assert (config["init"], config["encoder"]) == ("r10", ARCH)
    assert run_name(jobs.get_run(imported.ws, run)).startswith(f"SimCLR · {ARCH} · from r10 · "), "walk 16"
    # the starting weights measured before the first step, and the verdict says what the run did to them (walk 16)
    steps, [start] = jobs.metrics(imported.ws, run)[KNN_START]
    assert list(steps) == [0]
    ranks, [rank] = jobs.metrics(imported.ws, run)[RANK_START]  # what the collapse rule reads the run against
    assert list(ranks) == [0] and rank > 0
    said = (f"It started from the weights of r10, which scored {start:.1%} on the same probe before its first step: "
            r"\d+\.\d% is (within the|[\d.]+ points (above|below) them, more than the) [\d.]+ (points )?that noise")
    assert re.search(said, out["verdict_text"]), out["verdict_text"]  # BatchNorm's statistics moved in one step
    folder = jobs.run_dir(imported.ws, run)
    assert (folder / start_from.INIT).is_file()
    encoder = checkpoint.load_trained(folder)[0].encoder
    torch.testing.assert_close(encoder.net.conv1[0].weight, imported.weights["conv1.0.weight"])
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        random = build_method("simclr", ARCH, 16).encoder
    assert not torch.allclose(random.net.conv1[0].weight, imported.weights["conv1.0.weight"])


def test_init_reaches_the_momentum_teacher_and_comes_from_an_earlier_run(imported):
    config = TrainConfig(dataset="tiny", method="byol", encoder="small_cnn", image_size=16, init=imported.run)
    folder = imported.ws.root / "scratch"
    start_from.write(imported.ws, config, folder)
    method = build_method("byol", "small_cnn", 16)
    start_from.load(method, folder)
    copies = [m for m in method.modules() if type(m) is type(method.encoder)]
    assert len(copies) == 2, "BYOL keeps a momentum copy of its encoder"
    trained = checkpoint.load_trained(jobs.run_dir(imported.ws, imported.run))[0].encoder.state_dict()
    for copy in copies:
        for key, value in copy.state_dict().items():
            torch.testing.assert_close(value, trained[key])


@pytest.mark.parametrize("init, encoder, side, words", [
    ("vecs", None, 16, "imported embedding set: it has vectors, no weights"),
    ("nothing", None, 16, "no imported encoder or run of that name (imported encoders: r10)"),
    ("r10", "small_cnn", 16, f"is a {ARCH} encoder: train it with --encoder {ARCH}"),
])
def test_what_does_not_fit_is_refused(imported, init, encoder, side, words):
    config = TrainConfig(dataset="tiny", init=init, image_size=side,
                         encoder=encoder or start_from.encoder_of(imported.ws, "r10"))
    with pytest.raises(ImportRefused, match=words.replace("(", r"\(").replace(")", r"\)")):
        jobs.create_run(imported.ws, config)
    assert len(jobs.list_runs(imported.ws)) == 1, "nothing queued"


def test_a_start_whose_batchnorm_never_saw_data_is_read_with_it_estimated(imported, monkeypatch):
    """Walk 23: a random ResNet-18 saved as built normalises nothing (65.8% against 78.2% once its
    BatchNorm statistics were estimated): a run from it would be credited with one pass of the data
    through BatchNorm. The engine estimates them before measuring the start, and Evaluate reads the
    start as it reads the import itself (r10 here was saved as built)."""
    from ssl_core import engine
    from ssl_core.embed import from_name, from_run
    from ssl_core.evaluate.report import EvaluateConfig, report

    calibrated = []
    real = engine.Trainer.calibrate_untrained
    monkeypatch.setattr(engine.Trainer, "calibrate_untrained", lambda self: calibrated.append(1) or real(self))
    run = jobs.create_run(imported.ws, TrainConfig(dataset="tiny", init="r10", encoder=ARCH, epochs=0.2, batch_size=8,
                                                   lr=1e-12))
    assert jobs.execute(imported.ws, run).status == "completed"
    assert len(calibrated) == 2  # the untrained twin, then the start
    config = EvaluateConfig(fractions=(1.0,), draws=1, sample=12, neighbours=2, folds=3, k=3, baselines=False)
    of_import = report(imported.ws, "tiny", from_name(imported.ws, "r10"), config=config)
    of_run = report(imported.ws, "tiny", from_run(imported.ws, run), config=config)
    assert of_run["verdict_basis"]["start"] == of_import["verdict_basis"]["norms_estimated"]["knn_accuracy"]
