"""Snapshots while training: the probe is balanced across labels and seeded; a run keeps
the probe's features before step 1, every `snapshot_every` steps and at the end, as the
monitor computed them; a resumed run adds to the same folder; 0 keeps none."""

from __future__ import annotations

import numpy as np

from ssl_core.engine import Trainer
from ssl_core.augment import make_recipe
from ssl_core.snapshots import PAINTED_COUNT, balanced_probe, load_paintings, load_snapshots
from tests.ssl_core.test_engine import Recorder, config, tiny_images


def test_the_probe_is_balanced_across_labels_and_seeded():
    labels = np.array([0] * 900 + [1] * 90 + [2] * 10)
    probe = balanced_probe(len(labels), labels, 60, seed=3)
    assert np.bincount(labels[probe]).tolist() == [25, 25, 10]  # the rare class all in, the rest shared
    assert np.array_equal(probe, np.sort(probe)) and len(set(probe)) == 60
    assert np.array_equal(probe, balanced_probe(len(labels), labels, 60, seed=3))
    assert not np.array_equal(probe, balanced_probe(len(labels), labels, 60, seed=4))
    assert len(balanced_probe(50, None, 60, seed=0)) == 50


def test_unlabelled_images_fill_the_probe_after_every_labelled_one():
    labels = np.array([0] * 10 + [1] * 20 + [-1] * 353)  # walk 39: 30 labelled cells of 383
    probe = balanced_probe(len(labels), labels, 100, seed=0)
    assert len(probe) == 100 and set(range(30)) <= set(probe.tolist())
    assert len(balanced_probe(len(labels), labels, 1024, seed=0)) == 383
    assert np.bincount(labels[balanced_probe(len(labels), labels, 12, seed=0)] + 1).tolist() == [0, 6, 6]


def test_a_run_keeps_the_probe_features_before_every_snapshot_step_and_at_the_end(tmp_path):
    images = tiny_images(24)
    labels = np.arange(24) % 3
    trainer = Trainer(config(epochs=3, snapshot_every=2), images, labels, tmp_path, Recorder())
    trainer.run()  # 3 steps per epoch: steps 0, 2, 4, 6, 8 and the last, 9
    snaps = load_snapshots(tmp_path)
    assert snaps is not None
    assert snaps.steps.tolist() == [0, 2, 4, 6, 8, 9]
    assert snaps.features.shape == (6, 24, trainer.method.encoder.num_features)
    assert np.array_equal(snaps.probe, np.arange(24))
    final = trainer.probe_features().numpy()  # the last frame is the trained network's features
    assert np.allclose(snaps.features[-1], final, atol=2e-2 * np.abs(final).max())
    assert not np.allclose(snaps.features[0], snaps.features[-1], atol=1e-3)


def test_a_resumed_run_adds_to_its_snapshots(tmp_path):
    images = tiny_images(24)
    first = Trainer(config(epochs=3, snapshot_every=2), images, None, tmp_path, Recorder(stop_after=4))
    first.run()
    assert load_snapshots(tmp_path).steps.tolist() == [0, 2, 4]
    second = Trainer(config(epochs=3, snapshot_every=2), images, None, tmp_path, Recorder())
    second.resume()
    second.run()
    assert load_snapshots(tmp_path).steps.tolist() == [0, 2, 4, 6, 8, 9]


def test_snapshot_every_0_keeps_none(tmp_path):
    Trainer(config(epochs=1, snapshot_every=0), tiny_images(24), None, tmp_path, Recorder()).run()
    assert load_snapshots(tmp_path) is None


def test_a_damaged_frame_is_left_out_and_a_damaged_probe_gives_none(tmp_path):
    Trainer(config(epochs=1, snapshot_every=2), tiny_images(24), None, tmp_path, Recorder()).run()
    kept = load_snapshots(tmp_path).steps.tolist()
    (tmp_path / "snapshots" / "step-000002.npy").write_bytes(b"not an array")
    assert load_snapshots(tmp_path).steps.tolist() == [s for s in kept if s != 2]
    (tmp_path / "snapshots" / "probe.npy").write_bytes(b"\x93NUMPY broken")
    assert load_snapshots(tmp_path) is None


def test_an_mae_run_keeps_its_painting_at_each_snapshot_under_one_mask(tmp_path):
    recipe = make_recipe("mae", patch_size=8).to_dict()
    trainer = Trainer(config(method="mae", encoder="vit_tiny", recipe=recipe, epochs=2, snapshot_every=2),
                      tiny_images(24), None, tmp_path, Recorder())
    trainer.run()  # kept with the features: 0, 2, 4, 6
    paintings = load_paintings(tmp_path)
    assert paintings.steps.tolist() == load_snapshots(tmp_path).steps.tolist()
    k, side = PAINTED_COUNT, paintings.views.shape[1]
    assert paintings.painted.shape == (len(paintings.steps), k, side, side, 3)
    visible = (paintings.masked != 128).any(-1)  # the same mask at every step: visible patches stay
    assert 0.1 < visible.mean() < 0.5
    for frame in paintings.painted:
        assert np.abs(frame[visible].astype(int) - paintings.views[visible].astype(int)).max() <= 2
    assert not np.array_equal(paintings.painted[0], paintings.painted[-1])  # training changed the painting
    simclr = tmp_path / "simclr"  # a method that paints nothing keeps none
    Trainer(config(epochs=1, snapshot_every=2), tiny_images(24), None, simclr, Recorder()).run()
    assert load_paintings(simclr) is None
