"""The label-efficiency curve and its supervised baseline."""

from __future__ import annotations

import numpy as np
import pytest

from ssl_core.evaluate.label_efficiency import FRACTIONS, label_efficiency, linear_learner
from ssl_core.evaluate.supervised import SupervisedConfig, supervised_learner


def test_curve_has_every_fraction_and_good_features_beat_random_ones(points):
    good, codes = points.clusters(classes=4, per_class=60, dims=16, noise=0.3)
    noise = np.random.default_rng(2).standard_normal(good.shape).astype(np.float32)
    calls = []
    result = label_efficiency({"good": linear_learner(good, codes), "random": linear_learner(noise, codes)}, codes,
                              draws=3, progress=lambda done, total: calls.append((done, total)))
    assert result["fractions"] == list(FRACTIONS)
    assert result["pool"] + result["test"] == len(codes)
    for name in ("good", "random"):
        curve = result["curves"][name]
        assert [p["fraction"] for p in curve] == list(FRACTIONS)
        assert [len(p["accuracies"]) for p in curve] == [3, 3, 3, 3, 1]
        for point in curve:
            assert point["mean"] == pytest.approx(np.mean(point["accuracies"]))
            assert point["std"] == pytest.approx(np.std(point["accuracies"]))
            assert point["labels"] >= 4  # one per class at least
    assert result["curves"]["good"][-1]["mean"] > 0.95
    assert result["curves"]["random"][-1]["mean"] < 0.5
    assert result["curves"]["good"][-1]["labels"] == result["pool"]
    assert calls[-1] == (26, 26) and len(calls) == 26


def test_learners_never_see_the_test_split_and_always_see_every_class(points):
    _, codes = points.clusters(classes=3, per_class=40, dims=4, noise=0.1)
    seen = []

    def spy(train_at: np.ndarray, test_at: np.ndarray) -> np.ndarray:
        seen.append((set(train_at.tolist()), set(test_at.tolist()), set(codes[train_at].tolist())))
        return np.zeros(len(test_at), dtype=np.int64)

    label_efficiency({"spy": spy}, codes, fractions=(0.01, 0.5, 1.0), draws=2)
    tests = {frozenset(test) for _, test, _ in seen}
    assert len(tests) == 1  # one held-out split for every subset
    for train, test, classes in seen:
        assert not train & test and classes == {0, 1, 2}


def test_supervised_network_learns_an_easy_task_from_scratch():
    rng = np.random.default_rng(0)
    codes = np.repeat([0, 1], 40)
    images = rng.integers(0, 60, (80, 16, 16, 3)).astype(np.uint8)
    images[codes == 1, 4:12, 4:12] = 255  # class 1: a white square
    learn = supervised_learner(images, codes, SupervisedConfig(max_images=600, epochs=20, batch_size=32))
    train_at, test_at = np.arange(0, 80, 2), np.arange(1, 80, 2)
    assert (learn(train_at, test_at) == codes[test_at]).mean() > 0.9
    np.testing.assert_array_equal(learn(train_at, test_at), learn(train_at, test_at))  # fixed seed
