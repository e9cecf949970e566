"""How far k-means groups agree with the labels: the Concepts page's "Not clustering, not PCA"
numbers, one range per map (the raw pixels' clusters, the encoder's clusters).

Data flow: features (N, D) -> index.kmeans_fit from SEEDS starts -> cluster ids (N,) each, and
the dataset's labels (N,, None where a picture has none) -> the adjusted Rand index of each
start over the labelled pictures (Hubert & Arabie 1985, Comparing partitions): 0 for groups
no closer to the labels than chance, 1 for the labels' own groups, below 0 for less
agreement than chance. One start is not a measurement: on a review's crops the raw pixels
scored 0.21-0.30 and an encoder 0.21-0.32 over five starts, and one start put either first.
The score said first is the start k-means keeps (its tightest groups), the range beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import adjusted_rand_score

from .. import index
from .verdict import KNN_SPREAD, floor, margin

SEEDS = 5  # k-means starts per map


def label_agreement(cluster_ids: np.ndarray, labels: Sequence[str | None]) -> float | None:
    """Adjusted Rand index of `cluster_ids` (N,) against `labels` (N,) over the labelled
    pictures; None where fewer than two classes are labelled (nothing to agree with)."""
    labelled = np.array([label is not None for label in labels], dtype=bool)
    named = [label for label in labels if label is not None]
    if len(set(named)) < 2:
        return None
    return float(adjusted_rand_score(named, np.asarray(cluster_ids)[labelled]))


@dataclass(frozen=True, eq=False)  # its ids an array: compared by identity, never by ==
class Agreement:
    """label_agreement of k-means from several starts: each start's, and the `kept` one's, of
    the start whose groups are tightest (index.kmeans_fit), the one k-means from several
    starts keeps (scikit-learn's n_init). Walk 13's text run scored 0.08, 1.00, 0.63, 0.05 and
    0.38, was said by their median (0.09) to be no closer to the labels than TF-IDF, and its
    tightest start was the 1.00."""

    scores: list[float]
    kept: float
    ids: np.ndarray  # (N,) the kept start's clusters, to draw


def tightest(features: np.ndarray, k: int, seeds: int = SEEDS) -> np.ndarray:
    """Clusters (N,) of k-means into `k` groups of (N, D) `features`: of the tightest of `seeds`
    starts (index.kmeans_fit), as Concepts keeps (walk 18: the Explorer's one start split two
    clean islands; ARI 0.39, 0.90 and 0.52 over seeds 0 to 2)."""
    return max((index.kmeans_fit(features, k, seed) for seed in range(seeds)), key=lambda fit: fit[1])[0]


def agreements(features: np.ndarray, k: int, labels: Sequence[str | None], seeds: int = SEEDS) -> Agreement | None:
    """The Agreement of k-means into `k` groups of (N, D) `features` from each of `seeds`
    starts (index.kmeans_fit seeds 0, 1, ...); None where fewer than two classes are labelled."""
    if label_agreement(np.zeros(len(labels), dtype=np.int64), labels) is None:
        return None
    fits = [index.kmeans_fit(features, k, seed) for seed in range(seeds)]
    scores = [label_agreement(ids, labels) for ids, _ in fits]
    kept = max(range(seeds), key=lambda start: fits[start][1])
    return Agreement(scores, scores[kept], fits[kept][0])


NEAR_RANDOM = 0.1  # adjusted Rand index under which groups are said to follow the labels no more than random ones


def comparison(pixels: Agreement, encoder: Agreement, baseline: str = "raw pixels") -> str:
    """How the encoder's agreements lie against the `baseline`'s (raw pixels, TF-IDF word
    weights): neither near the labels (every start, or the kept ones, under NEAR_RANDOM), every
    start of one above every start of the other, else the start k-means keeps of one (then at
    least NEAR_RANDOM) above every start of the other, else overlapping."""
    theirs, mine = pixels.scores, encoder.scores
    if max(max(mine), max(theirs)) < NEAR_RANDOM:  # walk 12: 0.00 "closer" than -0.01
        return (f"Neither's clusters follow the labels: every k-means start of both stays under {NEAR_RANDOM}, near "
                f"the 0 of groups drawn at random.")
    if max(encoder.kept, pixels.kept) < NEAR_RANDOM:  # walk 13's sky: 0.03 kept "closer" than the pixels' 0.02
        return (f"Neither's clusters follow the labels: the groups k-means keeps score under {NEAR_RANDOM} for both, "
                f"near the 0 of groups drawn at random, though another start reaches "
                f"{max(max(mine), max(theirs)):.2f}.")
    if min(mine) > max(theirs):
        return f"The encoder's groups are closer to the labels than those of the {baseline} in every k-means start."
    if max(mine) < min(theirs):
        return f"The groups of the {baseline} are closer to the labels than this encoder's in every k-means start."
    def poorer(whose: str) -> str:  # walk 26 asked whose starts "its" meant
        return f"; some other starts on {whose} found poorer groups of the same points, as k-means can."

    if encoder.kept > max(theirs):
        return (f"The encoder's groups that k-means keeps are closer to the labels than any start on the {baseline}"
                + poorer("the encoder's features"))
    if pixels.kept > max(mine):
        return (f"The groups of the {baseline} that k-means keeps are closer to the labels than any start on the "
                f"encoder's features" + poorer(f"the {baseline}"))
    return ("The two ranges overlap: from its clusters alone, the encoder is not clearly closer to the labels "
            f"than the {baseline}.")


NEIGHBOURS_VOTING = 20  # k of the kNN vote neighbour_agreement reads
NEIGHBOURS_AGREE = 0.8  # leave-one-out kNN accuracy from which neighbours are said to share their labels
GROUPS_AGREE_LITTLE = 0.5  # the kept start's adjusted Rand index under which k-means groups miss the labels


@dataclass(frozen=True)
class Vote:
    """A kNN vote's leave-one-out `accuracy` over `n` labelled examples, and `floor`: what always answering the
    largest class scores where the classes are unequal, else chance (verdict.floor)."""
    accuracy: float
    floor: float
    n: int

    def beyond_floor(self) -> bool:
        """Whether the vote scores above its floor by more than noise (walk 42: 92.5% on 40 labelled parts, 35 of
        them 'ok', was said to keep each label's examples close, where always answering 'ok' scores 87.5%)."""
        return self.accuracy >= self.floor + margin(self.accuracy, self.floor, self.n, KNN_SPREAD)


def neighbour_agreement(features: np.ndarray, labels: Sequence[str | None]) -> Vote | None:
    """The leave-one-out cosine kNN vote (evaluate.knn, k = NEIGHBOURS_VOTING) of the labelled rows of (N, D)
    `features`; None where fewer than two classes are labelled."""
    from .knn import knn_accuracy

    labelled = [row for row, label in enumerate(labels) if label is not None]
    names = sorted({labels[row] for row in labelled})
    if len(names) < 2:
        return None
    codes = np.array([names.index(labels[row]) for row in labelled])
    majority = float(np.bincount(codes).max() / len(codes))
    return Vote(knn_accuracy(np.asarray(features)[labelled], codes, k=NEIGHBOURS_VOTING),
                floor(majority, len(names))[1], len(codes))


def neighbours_not_groups(encoder: Agreement, vote: Vote | None, k: int) -> str | None:
    """Why a map can look cleaner than its k-means score: said where the encoder's clusters agree
    little with the labels (the kept start's ARI < GROUPS_AGREE_LITTLE) while its nearest
    neighbours share them (kNN >= NEIGHBOURS_AGREE, and above its floor beyond noise). A walk's text
    run: ARI 0.08, kNN 99.3%, and a UMAP map of four clean groups beside the sentence."""
    if vote is None or vote.accuracy < NEIGHBOURS_AGREE or not vote.beyond_floor():
        return None
    if encoder.kept >= GROUPS_AGREE_LITTLE:
        return None
    knn = vote.accuracy
    # a review: 'share their label 91.1% of the time' where the 20 nearest shared it 77.6% of the time: a vote
    return (f"Yet a vote of its {NEIGHBOURS_VOTING} nearest neighbours names an example's label {knn:.1%} of the time "
            f"(kNN accuracy of the saved encoder on every labelled example; a run's verdict quotes the figure it "
            f"measured while training): it "
            f"keeps each label's examples close to one another, but not as {k} round groups, the shape k-means looks "
            "for. The third map above is drawn from neighbours (UMAP), so it shows what kNN measures.")
