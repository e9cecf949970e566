"""models.calibration: the untrained twin's BatchNorm statistics are its data's, estimated
without a gradient or a changed weight, the same for an embedding and a query read later;
and a run that learned nothing is not called learned for what one pass of the data through
BatchNorm gives (on crops of photographs the uncalibrated twin scored 0.66, calibrated 0.86)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import skimage.data
import torch
from PIL import Image
from torch import nn

from ssl_core import embed, jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.evaluate.verdict import LEARNED
from ssl_core.models.calibration import batches, calibrate, calibration_rows


def test_calibration_sets_the_datas_statistics_and_changes_no_weight():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
    weights = {k: v.clone() for k, v in net.state_dict().items() if "running" not in k and "tracked" not in k}
    inputs = [torch.rand(6, 3, 8, 8) * 5 + 2 for _ in range(3)]  # far from the fresh statistics (0, 1)
    calibrate(net, inputs)
    with torch.no_grad():
        conv = torch.cat([net[0](x) for x in inputs])
    np.testing.assert_allclose(net[1].running_mean, conv.mean(dim=(0, 2, 3)), rtol=1e-4)
    np.testing.assert_allclose(net[1].running_var, conv.transpose(0, 1).flatten(1).var(dim=1), rtol=0.05)
    assert not net.training and net[1].momentum == 0.1, "eval mode, its momentum kept for training"
    for name, value in weights.items():
        assert torch.equal(net.state_dict()[name], value), f"{name} changed"
    plain = nn.Sequential(nn.Conv2d(3, 4, 3), nn.LayerNorm(6))
    calibrate(plain, unread())  # nothing to estimate: its inputs are not even read
    assert not plain.training


def unread():
    raise AssertionError("an encoder without BatchNorm had its inputs read")
    yield


def test_the_same_seeded_rows_every_time_and_all_of_a_small_set():
    assert list(calibration_rows(40)) == list(range(40))
    rows = calibration_rows(5000)
    assert len(rows) == 512 and np.array_equal(rows, calibration_rows(5000)) and np.all(np.diff(rows) > 0)
    images = np.arange(10 * 2 * 2 * 3, dtype=np.uint8).reshape(10, 2, 2, 3)
    got = list(batches(images, np.array([1, 3, 5]), lambda b: b, size=2))
    assert [b.tolist() for b in got] == [images[[1, 3]].tolist(), images[[5]].tolist()]
    assert [b.tolist() for b in batches(torch.from_numpy(images), np.array([1, 3]), lambda b: b)] == \
        [images[[1, 3]].tolist()]


def test_the_twin_reads_a_query_as_its_embedding_did(trained):
    ws, twin = trained.ws, embed.untrained("small_cnn", 16)
    dataset = ws.dataset(trained.dataset)
    emb = embed.embed(ws, trained.dataset, twin)
    images = np.array(ws.images(dataset))
    query = embed.compute_features(embed.load_encoder(ws, twin, dataset), images[3:4], 16)
    np.testing.assert_allclose(query[0], emb.features[3], rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="BatchNorm statistics to estimate: name the dataset"):
        embed.load_encoder(ws, twin)


def test_a_twin_embedded_before_calibration_is_made_again(trained):
    ws, twin = trained.ws, embed.untrained("small_cnn", 16)
    dataset = ws.dataset(trained.dataset)
    emb = embed.embed(ws, trained.dataset, twin)
    meta_path = emb.folder / embed.META
    meta = json.loads(meta_path.read_text())
    assert meta["fingerprint"].pop("batchnorm") == "calibrated"
    meta_path.write_text(json.dumps(meta))
    assert embed.cached(ws, dataset, twin) is None


def photo_crops(per_class: int = 60, side: int = 64) -> list[tuple[str, bytes]]:
    """Crops of four of scikit-image's photographs at random places and scales, flipped and
    tinted at random: the label is the photograph (a set where BatchNorm statistics alone
    move an untrained network's neighbours a lot)."""
    rng = np.random.default_rng(7)
    files = []
    for label in ("chelsea", "coffee", "rocket", "astronaut"):
        photo = getattr(skimage.data, label)()
        height, width = photo.shape[:2]
        for i in range(per_class):
            s = int(rng.integers(min(height, width) // 4, min(height, width) // 1.5))
            y, x = rng.integers(0, height - s), rng.integers(0, width - s)
            crop = photo[y : y + s, x : x + s][:, :: rng.choice([1, -1])].astype(np.float32)
            crop = np.clip(crop * rng.uniform(0.7, 1.3, 3), 0, 255).astype(np.uint8)
            buffer = io.BytesIO()
            Image.fromarray(crop).resize((side, side), Image.Resampling.BILINEAR).save(buffer, "PNG")
            files.append((f"{label}/{i}.png", buffer.getvalue()))
    return files


def test_a_run_that_learned_nothing_is_not_called_learned(tmp_path):
    from ssl_core.store import Workspace

    ws = Workspace(tmp_path / "ws")
    ingest_uploads(ws, photo_crops(40), name="photos", size=64)
    run = jobs.create_run(ws, TrainConfig(dataset="photos", epochs=6, lr=1e-9, weight_decay=0.0,
                                          checkpoint_every=1000, monitor_every=5))  # its weights stay where they began
    assert jobs.execute(ws, run).status == "completed"
    measured = jobs.latest(jobs.metrics(ws, run))
    untrained, final = measured["knn_untrained"], measured["knn_accuracy"]
    assert untrained > 0.8, f"the twin without its data's statistics? {untrained:.3f} (0.744 before them)"
    assert abs(final - untrained) < 0.06, (final, untrained)
    assert jobs.run_verdict(ws, run).code != LEARNED
