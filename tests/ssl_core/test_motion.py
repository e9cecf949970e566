"""The map in motion: the same features at every snapshot give frames whose points do not
move (whatever the sign or rotation PCA picks); a rotated copy of the features is the
same frame; points move in proportion to how much the features changed; each frame's
number is the probe's kNN accuracy with labels, else its effective rank."""

from __future__ import annotations

import numpy as np
from scipy.stats import ortho_group

from ssl_core.motion import aligned_layouts, frame_scores, motion
from ssl_core.snapshots import Snapshots


def clustered(seed: int, n: int = 300, d: int = 16) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    centres = rng.normal(0, 4, (3, d))
    return (centres[labels] + rng.normal(0, 1, (n, d))).astype(np.float32), labels


def test_a_static_representation_gives_frames_that_do_not_move():
    features, _ = clustered(0)
    layouts = aligned_layouts(np.stack([features] * 5))
    assert np.abs(layouts - layouts[0]).max() < 1e-6


def test_a_rotated_copy_of_the_features_is_the_same_frame():
    features, _ = clustered(1)
    rotation = ortho_group.rvs(16, random_state=0).astype(np.float32)
    layouts = aligned_layouts(np.stack([features, features @ rotation, -features]))
    assert np.abs(layouts[1] - layouts[0]).max() < 1e-4
    assert np.abs(layouts[2] - layouts[0]).max() < 1e-4


def test_points_move_as_much_as_the_features_changed():
    features, _ = clustered(2)
    noise = np.random.default_rng(9).normal(0, 1, features.shape).astype(np.float32)
    moved = []
    for strength in (0.05, 0.5, 3.0):
        layouts = aligned_layouts(np.stack([features, features + strength * noise]))
        moved.append(np.linalg.norm(layouts[1] - layouts[0], axis=1).mean())
    assert moved[0] < 0.01  # 1% of the map's radius for noise 1/80 of the clusters' spread
    assert 5 < moved[1] / moved[0] < 15 and 3 < moved[2] / moved[1] < 9  # about in proportion


def test_each_frame_has_its_knn_accuracy_with_labels_else_its_effective_rank():
    noise, labels = np.random.default_rng(3).normal(0, 1, (300, 16)).astype(np.float32), np.arange(300) % 3
    grouped, _ = clustered(3)
    scores, name = frame_scores(np.stack([noise, grouped]), labels)
    assert name == "kNN accuracy" and scores[0] < 0.5 < 0.95 < scores[1]
    ranks, name = frame_scores(np.stack([noise, np.repeat(noise[:, :1], 16, axis=1)]), None)
    assert name == "effective rank" and ranks[0] > 10 and ranks[1] < 1.5


def test_motion_gives_one_layout_and_one_score_per_snapshot():
    features, labels = clustered(4)
    snaps = Snapshots(np.arange(300), np.array([0, 50, 100]), np.stack([features] * 3))
    result = motion(snaps, labels)
    assert result.layouts.shape == (3, 300, 2) and result.scores.shape == (3,)
    assert result.steps.tolist() == [0, 50, 100]


def test_a_redraw_with_one_more_frame_computes_only_that_frame(monkeypatch):
    """The Train page redraws a live run's animation whenever a snapshot arrives: frames it
    has seen are not laid out or scored again, and the animation is the one computed from
    nothing."""
    from ssl_core import motion as motion_module

    frames = np.stack([clustered(seed)[0] for seed in range(5)])
    labels = clustered(0)[1]
    fresh = motion(Snapshots(np.arange(300), np.arange(5) * 10, frames), labels)
    motion_module.FRAMES.kept.clear()
    counted = {"pca": 0, "knn": 0}

    def counting(name, compute):
        def wrapped(*args, **kwargs):
            counted[name] += 1
            return compute(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(motion_module, "pca_2d", counting("pca", motion_module.pca_2d))
    monkeypatch.setattr(motion_module, "knn_accuracy", counting("knn", motion_module.knn_accuracy))
    for t in range(2, 6):
        grown = motion(Snapshots(np.arange(300), np.arange(t) * 10, frames[:t]), labels)
    assert counted == {"pca": 5, "knn": 5}  # one per frame, not 2 + 3 + 4 + 5 = 14
    np.testing.assert_array_equal(grown.layouts, fresh.layouts)
    np.testing.assert_array_equal(grown.scores, fresh.scores)
    motion(Snapshots(np.arange(300), np.arange(5) * 10, frames), labels[::-1].copy())  # other labels: scored again
    assert counted == {"pca": 5, "knn": 10}


def test_kept_frames_are_read_only_and_bounded():
    from ssl_core.motion import FrameMemo, digest

    memo = FrameMemo(size=2)
    first = memo.get(("pca", digest(np.zeros(3))), lambda: np.ones(2))
    assert not first.flags.writeable
    for value in range(3):
        memo.get(("pca", digest(np.full(3, float(value + 1)))), lambda: np.ones(2))
    assert len(memo.kept) == 2


def test_the_last_frame_says_how_far_its_2d_map_keeps_the_features_label_neighbours():
    """Walk 35: a text run's last frame 'kNN accuracy 98.5%' over a PCA cloud with no visible groups (its features'
    classes lie in many directions): the map's own neighbours, measured, say what it hides."""
    from ssl_core.motion import label_share

    rng = np.random.default_rng(0)
    codes = np.arange(600) % 6
    features = rng.normal(size=(600, 128)) + 8.0 * np.eye(128)[codes * 20]  # six classes on six far directions
    found = motion(Snapshots(np.arange(600), np.array([0, 50]), np.stack([rng.normal(size=(600, 128)), features])
                             .astype(np.float32)), codes)
    assert found.feature_share > 0.99 and found.map_share < 0.8, (found.feature_share, found.map_share)
    assert found.map_share == label_share(found.layouts[-1], codes)
    assert motion(Snapshots(np.arange(600), np.array([0, 50]), np.stack([features, features]).astype(np.float32)),
                  None).map_share is None
