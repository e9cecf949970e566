"""What evaluating an encoder on images needs beyond its features (N, D): the kind's
evaluation hooks (kinds.ImageKind.evaluation), read by report.py.

Items are the uint8 images (N, S, S, 3); the baseline is raw pixels (pixels.raw_pixels);
positive pairs for alignment come from an augmentation recipe; the shortcut check and the
network trained from scratch work on the pixels; without labels the verdict compares an
embedding's neighbours with those of cheap pixel descriptors (departure.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from ..augment import make_recipe
from ..kind_words import JUDGED_WITHOUT_LABELS, UNITS
from ..store import DatasetInfo, Workspace
from .departure import cheap_neighbours
from .label_efficiency import Learner
from .pixels import raw_pixels
from .shortcut import shortcut_check
from .splits import Labelled
from .supervised import supervised_learner
from .views import view_features

if TYPE_CHECKING:
    from ..embed import EncoderSource, Progress
    from .report import EvaluateConfig


class ImageEvaluation:
    baseline_name = "raw pixels"  # the curve and the verdict's words when there is no twin
    unit = UNITS["image"]  # what the verdict's sentence counts
    views = "augmented views"  # what alignment and neighbour stability compare, in explanations
    cheap_name = "raw pixels and colour"  # what the cheap neighbours (`cheap_neighbours`) are found from
    from_scratch = True  # a label-efficiency curve of the small CNN trained on the labels alone
    advised = True  # evaluate/advice.py's rules (recipes, pixel shortcuts) are calibrated on image runs
    judged_without_labels = JUDGED_WITHOUT_LABELS["image"]  # the label-free rule: calibrated on images' pixels

    def items(self, ws: Workspace, info: DatasetInfo, source: EncoderSource) -> np.ndarray:
        """uint8 images (N, S, S, 3), memory-mapped."""
        return ws.images(info)

    def baseline(self, ws: Workspace, info: DatasetInfo, items: np.ndarray, config: EvaluateConfig) -> np.ndarray:
        """Raw pixels (N, 3 * side^2) at config.pixel_side, centred."""
        return raw_pixels(items, config.pixel_side)

    def view_pairs(self, encoder: torch.nn.Module, items: np.ndarray, source: EncoderSource, config: EvaluateConfig,
                   device: str, progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Features (M, D) of two augmented views of each of `items` (M, S, S, 3), config.recipe's."""
        return view_features(encoder, items, make_recipe(config.recipe), source.image_size, config.seed,
                             device=device, progress=progress)

    def shortcut(self, features: np.ndarray, items: np.ndarray, labels: Labelled | None,
                 config: EvaluateConfig, made_by: str) -> dict:
        """The shortcut check; `made_by` (cues.MADE_BY) what made the features, for its fix."""
        return shortcut_check(features, items, config.neighbours, config.sample, seed=config.seed, labels=labels,
                              made_by=made_by)

    def supervised(self, items: np.ndarray, codes: np.ndarray, config: EvaluateConfig) -> Learner:
        """The small CNN from scratch on labelled images `items` (L, S, S, 3)."""
        return supervised_learner(items, codes, config.supervised)

    def cheap_neighbours(self, items: np.ndarray, k: int, queries: np.ndarray) -> list[torch.Tensor]:
        """Per pixel descriptor, each query's (M,) k nearest other images (M, k)."""
        return cheap_neighbours(items, k, queries)
