"""The kNN vote reads no more neighbours than a class can fill (knn.voters): on 18 labelled
images, 6 a class, a vote of all 17 others outvoted every row's own class and scored 0.0%
for any network (walk 13)."""

from __future__ import annotations

import numpy as np

from ssl_core.evaluate.knn import knn_accuracy, knn_cv, voters


def grouped(per_class: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three tight classes around one shared direction, so every cosine is positive: (3 n, 3) and codes."""
    codes = np.repeat([0, 1, 2], per_class)
    rng = np.random.default_rng(seed)
    return (np.eye(3)[codes] + 1 + rng.normal(scale=0.1, size=(len(codes), 3))).astype(np.float32), codes


def test_a_vote_no_class_can_fill_is_capped_at_the_smallest_class():
    features, codes = grouped(6)
    assert voters(20, codes, np.arange(18)) == 5  # leave-one-out: 5 others of its class
    assert knn_accuracy(features, codes) == 1.0  # was 0.0 with all 17 voting
    assert voters(20, np.repeat([0, 1, 2, 3], 10), np.tile(np.arange(5), 8)) == 8  # 5 folds: 8 of a class outside
    folds = np.tile(np.arange(3), 6)
    assert knn_cv(features, codes, folds)["mean"] == 1.0


def test_large_classes_keep_k_and_a_lone_row_does_not_cap_the_others():
    assert voters(20, np.repeat([0, 1], 50), np.arange(100)) == 20
    assert voters(20, np.array([0] * 200 + [1] * 5), np.arange(205)) == 4
    assert voters(20, np.array([0] * 200 + [1]), np.arange(201)) == 20  # a class of one is never predicted anyway
    assert voters(20, np.array([0, 1]), np.arange(2)) == 1
