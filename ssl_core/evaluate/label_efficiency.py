"""Label efficiency: accuracy against the share of labels used, the reason self-supervised
learning exists (Chen et al. 2020, SimCLR, section 6 and table 7: linear classifiers and
fine-tuning on 1% and 10% of ImageNet's labels).

Every learner is scored on the same held-out test split and the same labelled subsets of
the rest (several random stratified draws per fraction, at least one label per class),
so the gap between two curves is the encoders' gap, not the draws'.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .linear_probe import fit_predict, standardise
from .splits import holdout, subset_draws

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


def label_efficiency(learners: dict[str, Learner], codes: np.ndarray, fractions: tuple[float, ...] = FRACTIONS,
                     draws: int = 3, test_fraction: float = 0.3, seed: int = 0,
                     progress: Progress | None = None) -> dict:
    """Held-out accuracy of each learner trained on `fractions` of the labels (codes (L,)).

    Returns {"fractions", "draws", "pool": labelled images to draw from, "test": held-out
    images, "curves": {learner name: [{"fraction", "labels": labels used, "mean", "std",
    "accuracies": one per draw}] in fraction order}}. The whole pool is one draw.
    """
    pool, test = holdout(codes, test_fraction, seed)
    subsets = [(fraction, subset_draws(codes, pool, fraction, draws, seed)) for fraction in fractions]
    total, done = len(learners) * fits_per_learner(fractions, draws), 0
    curves: dict[str, list[dict]] = {}
    for name, learn in learners.items():
        curves[name] = []
        for fraction, drawn in subsets:
            accuracies = []
            for subset in drawn:
                accuracies.append(float((learn(subset, test) == codes[test]).mean()))
                done += 1
                if progress is not None:
                    progress(done, total)
            curves[name].append({"fraction": fraction, "labels": len(drawn[0]), "mean": float(np.mean(accuracies)),
                                 "std": float(np.std(accuracies)), "accuracies": accuracies})
    return {"fractions": list(fractions), "draws": draws, "pool": len(pool), "test": len(test), "curves": curves}
