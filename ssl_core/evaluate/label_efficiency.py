"""Label efficiency: accuracy against the share of labels used, the reason self-supervised
learning exists (Chen et al. 2020, SimCLR, section 6 and table 7: linear classifiers and
fine-tuning on 1% and 10% of ImageNet's labels).

Every learner is scored on the same held-out test split and the same labelled subsets of
the rest (several random stratified draws per fraction, at least one label per class),
so the gap between two curves is the encoders' gap, not the draws'. A share that would draw
as many labels as a smaller one is left out (walk 10: 1%, 5% and 10% of 24 classes of 14
each were all one label per class, three points at 24 labels).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

import numpy as np
from threadpoolctl import threadpool_limits

from .linear_probe import fit_predict, standardise
from .splits import holdout, per_class_count, subset_draws

FRACTIONS = (0.01, 0.05, 0.1, 0.25, 1.0)

# (train positions, test positions) into the labelled set -> predicted classes of the test positions
Learner = Callable[[np.ndarray, np.ndarray], np.ndarray]
Progress = Callable[[int, int], None]


def linear_learner(features: np.ndarray, codes: np.ndarray, seed: int = 0) -> Learner:
    """Logistic regression on frozen, standardised `features` (L, D) with classes `codes` (L,)."""
    x = standardise(features)
    return lambda train_at, test_at: fit_predict(x[train_at], codes[train_at], x[test_at], seed)


def fits_per_learner(fractions: tuple[float, ...], draws: int) -> int:
    """How many subsets each learner is trained on: `draws` per fraction, one for the whole pool."""
    return sum(1 if fraction >= 1 else draws for fraction in fractions)


def drawn_fractions(codes: np.ndarray, fractions: tuple[float, ...] = FRACTIONS, test_fraction: float = 0.3,
                    seed: int = 0) -> tuple[float, ...]:
    """The `fractions` whose subsets of the pool (codes (L,), split as label_efficiency splits
    it) hold more labels than every smaller fraction's: the ones the curve draws."""
    pool, _ = holdout(codes, test_fraction, seed)
    kept, most = [], 0
    for fraction in sorted(fractions):
        labels = len(pool) if fraction >= 1 else per_class_count(codes[pool], fraction)
        if labels > most:
            kept.append(fraction)
            most = labels
    return tuple(kept)


def fit_workers() -> int:
    """Fits run at once: one per CPU core this process may use, at most 4. The network from
    scratch trains on one torch thread per fit, so one fit at a time leaves the other cores idle
    (bench/evaluate_first.py, 2 cores: a first evaluation's curves 35.2 s -> 22.3 s)."""
    return max(1, min(4, len(os.sched_getaffinity(0))))


def label_efficiency(learners: dict[str, Learner], codes: np.ndarray, fractions: tuple[float, ...] = FRACTIONS,
                     draws: int = 3, test_fraction: float = 0.3, seed: int = 0,
                     progress: Progress | None = None, workers: int = 1) -> dict:
    """Held-out accuracy of each learner trained on `fractions` of the labels (codes (L,)),
    those that draw more labels than a smaller one (drawn_fractions).

    Returns {"fractions": those drawn, "draws", "pool": labelled images to draw from, "test": held-out
    images, "largest_class": what always answering the pool's largest class scores on them (walk 42: 83% on 12
    held-out parts, where the curve was put against the 88% of all 40), "curves": {learner name: [{"fraction",
    "labels": labels used, "mean", "std", "accuracies": one per draw}] in fraction order}}. The whole pool is one
    draw.

    Up to `workers` fits run at once on threads (learners must allow that); the result does
    not depend on how many. `progress(done, total)` is called on the calling thread after
    each fit; if it raises (a cancelled page), fits not yet started are dropped.
    """
    pool, test = holdout(codes, test_fraction, seed)
    fractions = drawn_fractions(codes, fractions, test_fraction, seed)
    subsets = [(fraction, subset_draws(codes, pool, fraction, draws, seed)) for fraction in fractions]
    fits = [(name, f, d) for name in learners for f, (_, drawn) in enumerate(subsets) for d in range(len(drawn))]
    accuracies: dict[tuple[str, int, int], float] = {}

    def fit(name: str, f: int, d: int) -> float:
        return float((learners[name](subsets[f][1][d], test) == codes[test]).mean())

    executor = ThreadPoolExecutor(max(1, workers), thread_name_prefix="label-efficiency")
    with threadpool_limits(1, user_api="blas"):  # one BLAS thread per fit: the same sums however many run
        try:
            largest_first = sorted(fits, key=lambda job: -subsets[job[1]][0])  # the longest fits not last
            running: dict[Future, tuple[str, int, int]] = {executor.submit(fit, *job): job for job in largest_first}
            for done, future in enumerate(as_completed(running), 1):
                accuracies[running[future]] = future.result()
                if progress is not None:
                    progress(done, len(fits))
        finally:
            executor.shutdown(wait=False, cancel_futures=True)
    curves = {name: [point(fraction, len(drawn[0]), [accuracies[name, f, d] for d in range(len(drawn))])
                     for f, (fraction, drawn) in enumerate(subsets)] for name in learners}
    largest = float((codes[test] == np.bincount(codes[pool]).argmax()).mean())
    return {"fractions": list(fractions), "draws": draws, "pool": len(pool), "test": len(test),
            "largest_class": largest, "curves": curves}


def point(fraction: float, labels: int, accuracies: list[float]) -> dict:
    """One point of a curve: `labels` labels used, held-out accuracy of each draw."""
    return {"fraction": fraction, "labels": labels, "mean": float(np.mean(accuracies)),
            "std": float(np.std(accuracies)), "accuracies": accuracies}
