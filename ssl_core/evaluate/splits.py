"""Which images carry labels, and how they are split: stratified folds for the probes,
a held-out test split and labelled subsets for the label-efficiency curve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold


@dataclass(frozen=True)
class Labelled:
    """The images whose class has at least two labelled examples (one to learn from,
    one to test on)."""

    indices: np.ndarray  # (L,) int64 rows of the dataset
    codes: np.ndarray  # (L,) int64 class of each, 0..C-1
    classes: list[str]  # class names, in code order

    def __len__(self) -> int:
        return len(self.indices)

    def largest_share(self) -> float:
        """The largest class's share of the labelled images: what always answering it scores."""
        return float(np.bincount(self.codes).max()) / len(self)


def labelled(labels: Sequence[str | None]) -> Labelled | None:
    """The usable labelled images of a dataset (labels (N,), None where unlabelled); None
    when fewer than two classes have two examples each."""
    names = np.array([label if label is not None else "" for label in labels], dtype=object)
    has = np.array([label is not None for label in labels], dtype=bool)
    classes, counts = np.unique(names[has], return_counts=True)
    kept = [str(c) for c, n in zip(classes, counts) if n >= 2]
    if len(kept) < 2:
        return None
    code_of = {name: code for code, name in enumerate(kept)}
    indices = np.array([i for i in np.flatnonzero(has) if names[i] in code_of], dtype=np.int64)
    codes = np.array([code_of[names[i]] for i in indices], dtype=np.int64)
    return Labelled(indices, codes, kept)


def stratified_folds(codes: np.ndarray, folds: int, seed: int = 0) -> np.ndarray:
    """Fold id (L,) of each example for stratified k-fold cross-validation; fewer folds
    when the smallest class has fewer than `folds` examples (at least 2)."""
    splits = max(2, min(folds, int(np.bincount(codes).min())))
    out = np.empty(len(codes), dtype=np.int64)
    kfold = StratifiedKFold(n_splits=splits, shuffle=True, random_state=seed)
    for fold, (_, test) in enumerate(kfold.split(np.zeros(len(codes)), codes)):
        out[test] = fold
    return out


def per_class_take(members: int, fraction: float, spare: int = 0) -> int:
    """How many of a class's `members` a per-class sample of `fraction` takes: round(fraction x
    members), at least 1 and at most members - `spare`."""
    return min(max(1, round(fraction * members)), members - spare)


def per_class_count(codes: np.ndarray, fraction: float) -> int:
    """How many examples per_class_sample draws from the classes `codes` (n,) at `fraction`."""
    return sum(per_class_take(int(n), fraction) for n in np.bincount(codes) if n)


def per_class_sample(codes: np.ndarray, positions: np.ndarray, fraction: float, rng: np.random.Generator,
                     spare: int = 0) -> np.ndarray:
    """Sorted positions (subset of `positions`, indices into codes (L,)): from each class
    present, a random round(fraction x its count) of its members, at least 1 and at most
    its count minus `spare`."""
    chosen = []
    for code in np.unique(codes[positions]):
        members = positions[codes[positions] == code]
        chosen.append(rng.choice(members, size=per_class_take(len(members), fraction, spare), replace=False))
    return np.sort(np.concatenate(chosen))


def holdout(codes: np.ndarray, test_fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A stratified (pool, test) split of positions 0..L-1; every class has at least one
    example on each side (classes need two)."""
    everything = np.arange(len(codes))
    test = per_class_sample(codes, everything, test_fraction, np.random.default_rng(seed), spare=1)
    return np.setdiff1d(everything, test), test


def subset_draws(codes: np.ndarray, pool: np.ndarray, fraction: float, draws: int,
                 seed: int = 0) -> list[np.ndarray]:
    """`draws` random stratified subsets of `pool` holding about `fraction` of it, each
    with at least one example per class; one subset (the whole pool) when fraction >= 1."""
    if fraction >= 1:
        return [np.sort(pool)]
    rng = np.random.default_rng([seed, round(fraction * 1_000_000)])
    return [per_class_sample(codes, pool, fraction, rng) for _ in range(draws)]
