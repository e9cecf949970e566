"""The verdict's noise bound for kNN accuracy (verdict.KNN_SPREAD), measured: two random
embeddings of the same labelled images differ by chance alone, and "worse than untrained"
must rarely be said of one against the other (2 standard errors one-sided: about 2.3%); nor
"learned" where the linear probe may say it too (verdict.by_probe)."""

from __future__ import annotations

import numpy as np
import torch

from ssl_core.evaluate.knn import fold_scores, knn_accuracy, knn_cv
from ssl_core.evaluate.linear_probe import linear_probe_predict, standardise
from ssl_core.evaluate.splits import stratified_folds
from ssl_core.evaluate.verdict import LEARNED, WORSE, by_probe, from_knn

DRAWS = 400


def test_random_encoders_are_rarely_called_worse_than_each_other():
    """100 images of 2 classes, k=20, both the monitor's leave-one-out kNN and Evaluate's
    5-fold one: the binomial bound alone called 7.7% of such pairs worse (sd 1.29-1.36 times
    the binomial's)."""
    rng = np.random.default_rng(0)
    codes = np.arange(100) % 2
    folds = stratified_folds(codes, 5, 0)
    worse = {"leave-one-out": 0, "5-fold": 0}
    for _ in range(DRAWS):
        a, b = (torch.from_numpy(rng.standard_normal((100, 16)).astype(np.float32)) for _ in range(2))
        measured = {"leave-one-out": (knn_accuracy(a, codes), knn_accuracy(b, codes)),
                    "5-fold": (knn_cv(a, codes, folds)["mean"], knn_cv(b, codes, folds)["mean"])}
        for name, (trained, untrained) in measured.items():
            worse[name] += from_knn(trained, untrained, 100, 2).code == WORSE
    assert all(count / DRAWS <= 0.045 for count in worse.values()), worse


def test_random_encoders_are_rarely_called_learned_by_knn_or_the_probe():
    """Two chances to be called learned (kNN, else the linear probe) on 5-fold cross-validation of 100 images of 2
    classes: one random embedding against another must still rarely pass."""
    rng = np.random.default_rng(1)
    codes = np.arange(100) % 2
    folds = stratified_folds(codes, 5, 0)
    learned = 0
    for _ in range(DRAWS // 2):
        a, b = (rng.standard_normal((100, 16)).astype(np.float32) for _ in range(2))
        knn = tuple(knn_cv(torch.from_numpy(x), codes, folds)["mean"] for x in (a, b))
        probe = tuple(fold_scores(codes, linear_probe_predict(standardise(x), codes, folds), folds)["mean"]
                      for x in (a, b))
        learned += by_probe(from_knn(*knn, 100, 2), knn, probe, 100, 2).code == LEARNED
    assert learned / (DRAWS // 2) <= 0.045, learned
