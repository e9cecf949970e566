"""How far k-means groups agree with the labels: the Concepts page's "Not clustering, not PCA"
numbers, one per map (the raw pixels' clusters, the encoder's clusters).

Data flow: cluster ids (N,) from index.kmeans and the dataset's labels (N,, None where a
picture has none) -> the adjusted Rand index over the labelled pictures (Hubert & Arabie
1985, Comparing partitions): 0 for groups no closer to the labels than chance, 1 for the
labels' own groups, below 0 for less agreement than chance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import adjusted_rand_score


def label_agreement(cluster_ids: np.ndarray, labels: Sequence[str | None]) -> float | None:
    """Adjusted Rand index of `cluster_ids` (N,) against `labels` (N,) over the labelled
    pictures; None where fewer than two classes are labelled (nothing to agree with)."""
    labelled = np.array([label is not None for label in labels], dtype=bool)
    named = [label for label in labels if label is not None]
    if len(set(named)) < 2:
        return None
    return float(adjusted_rand_score(named, np.asarray(cluster_ids)[labelled]))
