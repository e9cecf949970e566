"""embed: features of every image from a run or the untrained encoder, cached in the
dataset's folder and recomputed when the checkpoint or the dataset changes."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

from ssl_core import checkpoint, embed, jobs
from ssl_core.cli import main
from ssl_core.data.ingest import ingest_uploads
from ssl_core.models import build_encoder
from ssl_core.models.calibration import calibrate
from ssl_core.store import WorkspaceError


def test_untrained_features_have_the_encoders_shape_and_match_a_direct_forward(trained):
    ws = trained.ws
    emb = embed.embed(ws, "tiny", embed.untrained("small_cnn", 16))
    images = ws.images(ws.dataset("tiny"))
    assert emb.features.shape == (40, build_encoder("small_cnn", 16).num_features)
    assert emb.features.dtype == np.float32
    torch.manual_seed(0)
    direct = build_encoder("small_cnn", 16)
    x = torch.from_numpy(np.array(images)).permute(0, 3, 1, 2).float() / 255
    calibrate(direct, [x])  # BatchNorm statistics of the dataset's 40 images (models/calibration.py)
    with torch.no_grad():
        expected = direct(x[:5]).numpy()
    np.testing.assert_allclose(emb.features[:5], expected, rtol=1e-4, atol=1e-5)


def test_features_are_resized_to_the_sources_side_and_progress_is_reported(trained):
    seen = []
    emb = embed.embed(trained.ws, "tiny", embed.untrained("small_cnn", 32),
                      progress=lambda done, total: seen.append((done, total)))
    assert emb.features.shape[0] == 40 and seen[-1] == (40, 40)
    assert emb.folder.name == "untrained-small_cnn-32"


def test_a_cached_embedding_is_reused_until_the_checkpoint_changes(trained):
    ws, source = trained.ws, embed.from_run(trained.ws, trained.run)
    first = embed.embed(ws, "tiny", source)
    (first.folder / "marker").write_text("derived artefact")
    again = embed.embed(ws, "tiny", source)
    assert (again.folder / "marker").exists(), "a current embedding must not be recomputed"
    weights = jobs.run_dir(ws, trained.run) / checkpoint.WEIGHTS
    weights.write_bytes(weights.read_bytes())  # a new checkpoint: same bytes, new time stamp
    assert embed.cached(ws, ws.dataset("tiny"), source) is None
    fresh = embed.embed(ws, "tiny", source)
    assert not (fresh.folder / "marker").exists(), "stale derived files go with the stale embedding"
    np.testing.assert_allclose(fresh.features, first.features, rtol=1e-5)


def test_trained_and_untrained_features_differ_and_the_run_gives_its_image_side(trained):
    source = embed.from_run(trained.ws, trained.run)
    assert (source.encoder, source.image_size, source.run_id) == ("small_cnn", 16, trained.run)
    base = embed.baseline_of(source)
    assert base.run_id is None and (base.encoder, base.image_size) == ("small_cnn", 16)
    trained_features = embed.embed(trained.ws, "tiny", source).features
    untrained_features = embed.embed(trained.ws, "tiny", base).features
    assert not np.allclose(trained_features, untrained_features)


def test_a_replaced_dataset_gets_new_features(trained, make):
    ws = trained.ws
    before = embed.embed(ws, "tiny", embed.untrained("small_cnn", 16))
    ingest_uploads(ws, [(f"{i}.png", make.noise((16, 16), seed=100 + i)) for i in range(10)],
                   name="tiny", size=16, replace=True)
    after = embed.embed(ws, "tiny", embed.untrained("small_cnn", 16))
    assert after.features.shape[0] == 10 and after.folder != before.folder
    assert not before.folder.exists(), "the old dataset's artefacts left with it"


def test_a_damaged_cache_is_recomputed(trained):
    source = embed.untrained("small_cnn", 16)
    emb = embed.embed(trained.ws, "tiny", source)
    (emb.folder / embed.META).write_text("{not json")
    assert embed.cached(trained.ws, trained.ws.dataset("tiny"), source) is None
    again = embed.embed(trained.ws, "tiny", source)
    assert json.loads((again.folder / embed.META).read_text())["shape"] == [40, emb.features.shape[1]]


def test_bad_names_fail_with_the_choices(trained):
    with pytest.raises(KeyError, match="small_cnn"):
        embed.untrained("no_such_encoder")
    with pytest.raises(WorkspaceError, match="no run"):
        embed.from_run(trained.ws, "run-missing")
    with pytest.raises(WorkspaceError, match="known datasets: tiny"):
        embed.embed(trained.ws, "nope", embed.untrained())


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


@pytest.mark.skipif(not os.access("/proc/self/clear_refs", os.W_OK), reason="needs Linux's peak-RSS reset")
def test_features_go_into_one_array_without_copies_of_it():
    """Peak memory while embedding stays near one copy of the features (it was three: the
    batches' features, their concatenation and a float32 copy of that)."""
    images = np.random.default_rng(0).integers(0, 256, (8192, 32, 32, 3), dtype=np.uint8)  # resident already
    flatten = torch.nn.Flatten()  # (N, 3, 32, 32) -> (N, 3072): 100 MB of features
    embed.compute_features(flatten, images[:256], 32)  # warm-up: allocator, kernels
    before = _status_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as reset:
        reset.write("5")  # the peak (VmHWM) starts again from now
    features = embed.compute_features(flatten, images, 32)
    grown = (_status_kb("VmHWM") - before) * 1024
    assert features.shape == (8192, 3072) and features.dtype == np.float32
    assert grown < 1.3 * features.nbytes, f"peak grew {grown / features.nbytes:.2f} x the features"


class NaNOnOddRows(torch.nn.Module):
    """Features (N, 4) that are NaN on every other row, as broken weights give them."""

    num_features = 4

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = x.flatten(1)[:, :4].clone()
        features[1::2] = float("nan")
        return features


def test_features_that_are_not_finite_are_refused_and_nothing_is_stored(workspace, make, monkeypatch, capsys):
    ingest_uploads(workspace, [(f"{i}.png", make.noise((16, 16), seed=i)) for i in range(6)], name="six", size=16)
    monkeypatch.setattr(embed, "load_encoder", lambda ws, source, dataset=None: NaNOnOddRows())
    assert main(["--workspace", str(workspace.root), "embed", "--dataset", "six", "--untrained",
                 "--encoder", "small_cnn", "--image-size", "16"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.splitlines()[-1] == (
        "error: untrained small_cnn gave features that are not finite (NaN or infinite) for 3 of the 6 images of "
        "dataset 'six'; nothing was stored: its weights are broken (a training that diverged, or imported weights "
        "with, e.g., a BatchNorm running_var below 0)")
    assert not embed.embedding_dir(workspace, workspace.dataset("six"), embed.untrained("small_cnn", 16)).exists()


@pytest.mark.parametrize("kind, stored, encoder, side", [
    ("image", 64, "small_cnn", 48), ("image", 40, "small_cnn", 40), ("image", 16, "small_cnn", 32),
    ("image", 64, "resnet18", 32), ("text", 1000, "text_transformer", 32),
])
def test_the_untrained_encoder_offered_is_the_default_run_s_twin(kind, stored, encoder, side):
    """Walk 12: Evaluate showed the untrained small CNN offered at 32 px (44.5%) beside a default run
    whose verdict read its twin at 48 px (40.5%), both "the untrained network"."""
    from types import SimpleNamespace

    from ssl_core.engine import TrainConfig, embed_side

    offered = embed.untrained_for(SimpleNamespace(kind=kind, size_px=stored), encoder)
    assert (offered.encoder, offered.image_size) == (encoder, side)
    if kind == "image" and encoder == TrainConfig.encoder:  # a default run reads whole images at that side
        default = TrainConfig(dataset="d")
        twin_side = embed_side(default.encoder, default.resolved_recipe().name, default.image_size, stored)
        assert embed.baseline_of(embed.untrained(encoder, twin_side)) == offered
