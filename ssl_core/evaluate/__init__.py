"""Judging embeddings, the last step of embed -> project -> index -> evaluate.

Pure functions on arrays (N, D), one job per module, and one orchestrator:

* health: normalised_std, effective_rank (RankMe, Garrido et al. 2023), alignment and
  uniformity (Wang & Isola 2020), neighbour_stability; views: features of augmented
  positive pairs (alignment over a recipe's views).
* knn: the cosine kNN vote (Wu et al. 2018), leave-one-out or cross-validated;
  linear_probe: logistic regression on standardised features, confusion, per class.
* splits: labelled images, stratified folds, held-out split, labelled subsets.
* label_efficiency: accuracy against the share of labels used (as SimCLR's
  semi-supervised evaluation, Chen et al. 2020) for any learners; supervised: the
  from-scratch baseline; pixels: raw_pixels and image_statistics.
* shortcut: how much cheap cues (colour, brightness, background texture, layout, where the
  picture stands out; descriptors: computed from the pixels, cues: their words and
  fixes) explain an embedding's neighbours; planted: the sets it is calibrated on.
* report: everything for one encoder on one dataset, JSON-ready; explanations: one
  plain sentence per metric.

The engine's names are given here on first use (health, knn: torch), so that a module of
no weight (verdict.py, read by the `runs` command) imports without torch; import the rest
from its module, e.g. `from ssl_core.evaluate.report import report`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["effective_rank", "knn_accuracy", "normalised_std"]


def __getattr__(name: str) -> Any:
    if name in ("effective_rank", "normalised_std"):
        from . import health

        return getattr(health, name)
    if name == "knn_accuracy":
        from .knn import knn_accuracy

        return knn_accuracy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
