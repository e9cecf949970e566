"""The linear probe: logistic regression on frozen, standardised features (N, D),
cross-validated, with its confusion matrix and per-class accuracy."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from .knn import fold_scores
from .neighbours import Array, as_float
from .splits import stratified_folds

PROBE_C = 0.1  # inverse L2 strength of the logistic regression
PROBE_ITERATIONS = 1000
# the label-efficiency curve's fewest labels are one per class by design: scikit-learn's guess that such
# targets "could represent a regression problem" filled walk 10's `evaluate` stderr (24 classes, 24 labels)
warnings.filterwarnings("ignore", message="The number of unique classes is greater than 50%", category=UserWarning)


def standardise(features: Array) -> np.ndarray:
    """float32 (N, D) with every column at mean 0 and std 1 (constant columns left at 0).
    Uses no labels, so the whole dataset may set the scale."""
    x = np.array(features, dtype=np.float32)
    std = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(std > 1e-8, std, 1.0)


def fit_predict(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, seed: int = 0) -> np.ndarray:
    """Classes (T,) that logistic regression fitted on (train_x (L, D), train_y (L,))
    predicts for test_x (T, D). One thread: on a shared CPU, BLAS and OpenMP threads
    waiting on each other made it ten times slower."""
    model = LogisticRegression(C=PROBE_C, max_iter=PROBE_ITERATIONS, random_state=seed)
    with threadpool_limits(1):
        return model.fit(train_x, train_y).predict(test_x)


def linear_probe_predict(features: np.ndarray, codes: np.ndarray, folds: np.ndarray, seed: int = 0) -> np.ndarray:
    """Out-of-fold predictions (L,) of a linear probe on `features` (L, D), standardised by
    the caller: each fold predicted by the probe trained on the other folds."""
    predicted = np.empty_like(codes)
    for fold in np.unique(folds):
        test = folds == fold
        predicted[test] = fit_predict(features[~test], codes[~test], features[test], seed)
    return predicted


def confusion(codes: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """(C, C) counts: row = true class, column = predicted class."""
    return np.bincount(codes * classes + predicted, minlength=classes * classes).reshape(classes, classes)


def per_class_accuracy(matrix: np.ndarray) -> np.ndarray:
    """(C,) share of each true class predicted right, from a confusion matrix (C, C)."""
    return np.diag(matrix) / np.maximum(matrix.sum(axis=1), 1)


def probe_accuracy(features: Array, codes: Array, folds: int = 5, seed: int = 0) -> float | None:
    """The linear probe's cross-validated accuracy on `features` (L, D) standardised, with classes `codes` (L,),
    over the examples whose class holds two or more (stratified folds, fewer where a class is smaller); None where
    fewer than two classes do."""
    codes = as_float(codes).cpu().numpy().astype(np.int64)
    classes, counts = np.unique(codes, return_counts=True)
    if (counts >= 2).sum() < 2:
        return None
    keep = np.isin(codes, classes[counts >= 2])
    kept = np.unique(codes[keep], return_inverse=True)[1]
    x = standardise(as_float(features).cpu().numpy())[keep]
    split = stratified_folds(kept, folds, seed)
    return fold_scores(kept, linear_probe_predict(x, kept, split, seed), split)["mean"]
