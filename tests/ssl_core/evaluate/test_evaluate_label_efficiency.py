"""The label-efficiency curve and its supervised baseline."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ssl_core.evaluate.label_efficiency import FRACTIONS, drawn_fractions, label_efficiency, linear_learner
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


def test_a_share_drawing_no_more_labels_than_a_smaller_one_is_left_out():
    """Walk 10: 24 classes of 14 (10 each in the pool): 1%, 5% and 10% all drew one label per
    class, three points at 24 labels. Each share left draws more labels than the one before."""
    codes = np.repeat(np.arange(24), 14)
    fitted = label_efficiency({"none": lambda train_at, test_at: np.zeros(len(test_at), dtype=np.int64)}, codes)
    labels = [p["labels"] for p in fitted["curves"]["none"]]
    assert fitted["fractions"] == [0.01, 0.25, 1.0] and labels == [24, 48, fitted["pool"]]
    assert drawn_fractions(codes) == (0.01, 0.25, 1.0)
    assert drawn_fractions(np.repeat(np.arange(4), 60)) == FRACTIONS  # 4, 8, 16, 40 and 168 labels


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


def test_fits_side_by_side_give_the_same_curves_and_report_progress_on_the_calling_thread(points):
    """Workers change how long the curves take, not what they are: the network from scratch
    (one torch thread per fit, its own seed) and a linear probe (one BLAS thread) score the
    same with one fit at a time and with two at once; torch's thread count is left as found."""
    import threading

    import torch

    rng = np.random.default_rng(0)
    codes = np.repeat(np.arange(3), 30)
    images = rng.integers(0, 80, (90, 16, 16, 3)).astype(np.uint8)
    for c in range(3):
        images[codes == c, 2 + 4 * c : 6 + 4 * c, 4:12] = 255  # a bar whose height is the class
    features = images.reshape(90, -1).astype(np.float32) + rng.standard_normal((90, 768)).astype(np.float32) * 40
    fits = {"scratch": supervised_learner(images, codes, SupervisedConfig(max_images=300)),
            "probe": linear_learner(features, codes)}
    threads, callers = torch.get_num_threads(), set()
    curves = [label_efficiency(fits, codes, fractions=(0.1, 1.0), draws=2, workers=workers,
                               progress=lambda done, total: callers.add(threading.get_ident()))["curves"]
              for workers in (1, 2, 1, 2)]
    assert curves[0] == curves[1] == curves[2] == curves[3]
    assert callers == {threading.get_ident()} and torch.get_num_threads() == threads


def test_a_progress_that_raises_drops_the_fits_not_started(points):
    """A page cancelled mid-way (Streamlit raises in the progress call): the error comes out
    and the fits still queued never run."""
    import time

    _, codes = points.clusters(classes=3, per_class=40, dims=4, noise=0.1)
    calls = []

    def learn(train_at: np.ndarray, test_at: np.ndarray) -> np.ndarray:
        calls.append(len(train_at))
        time.sleep(0.05)
        return np.zeros(len(test_at), dtype=np.int64)

    def cancel(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        label_efficiency({"a": learn, "b": learn}, codes, draws=3, workers=2, progress=cancel)
    assert 1 <= len(calls) <= 6  # of 26 queued: the one reported and those the two workers had started


def test_a_few_labels_train_the_network_from_scratch_for_min_steps(monkeypatch):
    """Walk 40: 15 passes over 12 labelled tiles were 15 steps, and the network scored chance, below its score on 4."""
    from ssl_core.evaluate import supervised

    taken = []
    monkeypatch.setattr(supervised.F, "cross_entropy", lambda *args, **kwargs: taken.append(1) or
                        torch.zeros((), requires_grad=True))
    x, codes = torch.rand(12, 3, 16, 16), torch.arange(12) % 4
    supervised.train(x, codes, 4, SupervisedConfig())
    assert len(taken) == SupervisedConfig().min_steps == 100
    taken.clear()
    supervised.train(x, codes, 4, SupervisedConfig(max_images=24))  # the bound on images seen holds: 2 steps of 12
    assert len(taken) == 2


def test_the_largest_class_is_scored_on_the_held_out_images_the_curves_are():
    """Walk 42: 35 'ok' and 5 'defect' parts; the curve, scored on 12 held-out parts, was put against always
    answering 'ok' on all 40 (87.5%), where on those 12 it scores what a learner answering 'ok' always scores."""
    codes = np.array([0] * 35 + [1] * 5)
    always_ok = label_efficiency({"ok": lambda train_at, test_at: np.zeros(len(test_at), dtype=np.int64)}, codes)
    assert always_ok["largest_class"] == always_ok["curves"]["ok"][-1]["mean"] != 0.875
    assert always_ok["largest_class"] == pytest.approx(10 / 12)
