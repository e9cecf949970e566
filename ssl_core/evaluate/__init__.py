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
* shortcut: how much cheap cues (colour, brightness, background texture, layout, the
  object's position; descriptors: computed from the pixels, cues: their words and
  fixes) explain an embedding's neighbours; planted: the sets it is calibrated on.
* report: everything for one encoder on one dataset, JSON-ready; explanations: one
  plain sentence per metric.

Only the engine's names are imported here (torch alone: scikit-learn takes seconds to
import); import the rest from its module, e.g. `from ssl_core.evaluate.report import report`.
"""

from .health import effective_rank, normalised_std
from .knn import knn_accuracy

__all__ = ["effective_rank", "knn_accuracy", "normalised_std"]
