"""The cosine kNN vote (Wu et al. 2018): leave-one-out for the engine's online monitor,
stratified k-fold for the Evaluate page. Torch only, so the engine imports it cheaply."""

from __future__ import annotations

import numpy as np
import torch

from .neighbours import Array, as_float, cosine_topk


def voters(k: int, labels: Array, groups: Array) -> int:
    """How many neighbours each vote of `knn_predict` reads: `k`, but no more than the fewest
    rows of one class a row of it can have as voters (its class outside its own group; a class
    with none is never predicted right whatever the vote) and at least 1, so an embedding that
    puts each class together can score 100%. With more, every row's own class was outvoted:
    18 labelled images, 6 a class, each voted on by all 17 others, scored 0.0% for a trained
    and an untrained network alike (walk 13's sky)."""
    codes, group_ids = np.asarray(torch.as_tensor(labels).cpu()), np.asarray(torch.as_tensor(groups).cpu())
    pairs, together = np.unique(np.stack([codes, group_ids]), axis=1, return_counts=True)
    outside = np.bincount(codes)[pairs[0]] - together  # per (class, group): that class's rows in other groups
    outside = outside[outside > 0]
    return max(1, min(k, int(outside.min()) if len(outside) else 1))


def knn_predict(features: Array, labels: Array, k: int = 20, groups: Array | None = None) -> torch.Tensor:
    """Predicted class (N,) of every row of `features` (N, D) by its `k` cosine-nearest rows
    outside its own group (`groups` (N,), e.g. the fold; default: leave-one-out), a vote
    weighted by similarity (Wu et al. 2018's kNN monitor, without the temperature)."""
    feats = as_float(features)
    labels = torch.as_tensor(labels, device=feats.device)
    groups = torch.arange(len(feats)) if groups is None else torch.as_tensor(groups)
    groups = groups.to(feats.device)
    sims, index = cosine_topk(feats, feats, voters(k, labels, groups), groups, groups)
    votes = torch.zeros(len(feats), int(labels.max()) + 1, device=sims.device)
    votes.scatter_add_(1, labels[index], sims.clamp_min(0) + 1e-6)
    return votes.argmax(1)


def knn_accuracy(features: Array, labels: Array, k: int = 20, groups: Array | None = None) -> float:
    """Share of rows whose kNN vote (see `knn_predict`) is their label (N,); leave-one-out
    by default, as the engine's online monitor uses it."""
    labels = torch.as_tensor(labels)
    predicted = knn_predict(features, labels, k, groups)
    return float((predicted == labels.to(predicted.device)).float().mean())


def fold_scores(codes: np.ndarray, predicted: np.ndarray, folds: np.ndarray) -> dict:
    """{"mean", "std", "folds": [accuracy per fold]} of out-of-fold predictions (L,)."""
    per_fold = [float((predicted[folds == f] == codes[folds == f]).mean()) for f in np.unique(folds)]
    return {"mean": float(np.mean(per_fold)), "std": float(np.std(per_fold)), "folds": per_fold}


def knn_cv(features: Array, codes: np.ndarray, folds: np.ndarray, k: int = 20) -> dict:
    """Stratified k-fold kNN accuracy of `features` (L, D) with classes `codes` (L,) and
    fold ids `folds` (L,): each fold voted on by the other folds. See `fold_scores`."""
    predicted = knn_predict(features, codes, k, folds).cpu().numpy()
    return fold_scores(codes, predicted, folds)
