"""The map in motion: a run's snapshots (snapshots.py) as aligned 2-D frames, one number each.

    features (T, P, D) -> per frame: PCA to 2-D, scaled to unit spread
                       -> each frame rotated/reflected onto the one before (orthogonal
                          Procrustes, Schönemann 1966) -> layouts (T, P, 2)

Why PCA + Procrustes and not umap-learn's AlignedUMAP: measured by bench/motion.py on a
200-step run's 10 snapshots of 1,024 images (one thread, the machine at load 13), the
layouts took 16 s against AlignedUMAP's 415 s, so the Train page can redraw the growing
animation on every refresh; where the features did not change the points stay exactly
still (AlignedUMAP moved them 0.036 of the map's radius); PCA of the same features is the
same layout. The price is PCA's: clusters that only a non-linear map separates overlap
(the last frame's 2-D kNN accuracy 0.26 against AlignedUMAP's 0.35); the Explorer's UMAP
shows the final state in full.

Each frame's number: kNN accuracy of the probe's labelled images (k=20, leave-one-out) where
labels exist, else the features' effective rank.

A frame's PCA and number depend on that frame alone, so they are kept by its content
(`FRAMES`): the Train page redraws a live run's animation each time a snapshot arrives,
and then computes only the new frame, not all of them again (bench/motion_live.py).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .evaluate import effective_rank, knn_accuracy
from .evaluate.neighbours import neighbours_of
from .snapshots import Snapshots


@dataclass(frozen=True)
class Motion:
    """`layouts` (T, P, 2) aligned frames; `scores` (T,) and what they are (`score_name`); with labels, the last
    frame's `label_share` on its 2-D map (`map_share`) and of its features (`feature_share`), and how many of the
    P points are labelled (`labelled`: what the scores and shares read), else None."""

    steps: np.ndarray
    layouts: np.ndarray
    scores: np.ndarray
    score_name: str
    map_share: float | None = None
    feature_share: float | None = None
    labelled: int | None = None


SHARE_K = 20  # the nearest others label_share counts, as many as the kNN vote's


def label_share(points: np.ndarray, codes: np.ndarray, k: int = SHARE_K, cosine: bool = False) -> float:
    """The mean share of each of (P, D) `points`' k nearest others (Euclidean, as the eye reads a map, or by
    cosine, as kNN reads features: evaluate.neighbours_of) that hold its class `codes` (P,)."""
    if cosine:
        nearest = neighbours_of(points, k).cpu().numpy()
    else:
        x = points.astype(np.float64)
        squares = (x**2).sum(axis=1)
        distance = squares[:, None] + squares[None, :] - 2 * x @ x.T
        np.fill_diagonal(distance, np.inf)
        k = min(k, len(x) - 1)
        nearest = np.argpartition(distance, k - 1, axis=1)[:, :k]
    return float((codes[nearest] == codes[:, None]).mean())


def pca_2d(features: np.ndarray) -> np.ndarray:
    """(P, D) -> (P, 2): the top two principal components, scaled to unit RMS radius."""
    centred = features - features.mean(axis=0)
    _, _, vt = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    layout = centred @ vt[:2].T
    if layout.shape[1] < 2:
        layout = np.pad(layout, ((0, 0), (0, 2 - layout.shape[1])))
    spread = np.sqrt((layout**2).sum(axis=1).mean())
    return layout / spread if spread > 0 else layout


def procrustes_onto(layout: np.ndarray, target: np.ndarray) -> np.ndarray:
    """`layout` (P, 2) rotated or reflected to sit closest to `target` (P, 2) in least squares."""
    u, _, vt = np.linalg.svd(layout.T @ target)
    return layout @ (u @ vt)


class FrameMemo:
    """Results of one frame kept by a key naming what was computed and the frame's content
    (`digest`), the oldest dropped past `size` entries; safe to share between the app's
    sessions (threads). Returned arrays are read-only."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.kept: OrderedDict[tuple, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, compute: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.kept:
                self.kept.move_to_end(key)
                return self.kept[key]
        value = compute()
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
        with self.lock:
            self.kept[key] = value
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)
        return value


def digest(array: np.ndarray) -> tuple:
    """What identifies an array's content: its dtype, shape and a digest of its bytes."""
    data = np.ascontiguousarray(array)
    return data.dtype.str, data.shape, hashlib.blake2b(data.view(np.uint8).reshape(-1), digest_size=16).digest()


FRAMES = FrameMemo()


def aligned_layouts(features: np.ndarray, digests: list[tuple] | None = None) -> np.ndarray:
    """(T, P, D) frames of features -> (T, P, 2) layouts, each aligned with the previous.
    `digests`: each frame's `digest`, when the caller has them already."""
    digests = digests or [digest(frame) for frame in features]
    pcas = [FRAMES.get(("pca", key), lambda frame=frame: pca_2d(frame)) for frame, key in zip(features, digests)]
    layouts = [pcas[0]]
    for pca in pcas[1:]:
        layouts.append(procrustes_onto(pca, layouts[-1]))
    return np.stack(layouts)


def frame_scores(features: np.ndarray, labels: np.ndarray | None,
                 digests: list[tuple] | None = None) -> tuple[np.ndarray, str]:
    """One number per frame of (T, P, D): kNN accuracy with `labels` (P,), else effective rank.
    `digests`: each frame's `digest`, when the caller has them already."""
    digests = digests or [digest(frame) for frame in features]
    if labels is not None:
        codes = np.unique(labels, return_inverse=True)[1].reshape(-1)
        of_codes = digest(codes)
        return np.array([FRAMES.get(("knn", key, of_codes), lambda frame=frame: knn_accuracy(frame, codes))
                         for frame, key in zip(features, digests)]), "kNN accuracy"
    return np.array([FRAMES.get(("rank", key), lambda frame=frame: effective_rank(frame))
                     for frame, key in zip(features, digests)]), "effective rank"


def motion(snapshots: Snapshots, labels: np.ndarray | None) -> Motion:
    """The aligned frames of `snapshots`; `labels` (P,) are the probe's labels (None for an
    unlabelled image: its frames' numbers and label shares read the labelled ones) or None; where
    they hold fewer than two classes, the frames are scored as without labels."""
    digests = [digest(frame) for frame in snapshots.features]  # once per frame, for both
    layouts = aligned_layouts(snapshots.features, digests)
    known = None if labels is None else np.array([label is not None for label in labels])
    if known is None or len({str(label) for label in labels[known]}) < 2:  # one labelled image read "kNN 100%"
        return Motion(snapshots.steps, layouts, *frame_scores(snapshots.features, None, digests))
    features = snapshots.features if known.all() else snapshots.features[:, known]
    scores, name = frame_scores(features, labels[known], digests if known.all() else None)
    codes = np.unique(labels[known].astype(str), return_inverse=True)[1].reshape(-1)
    return Motion(snapshots.steps, layouts, scores, name, label_share(layouts[-1][known], codes),
                  label_share(features[-1], codes, cosine=True), int(known.sum()))


def score_text(name: str, score: float) -> str:
    """A frame's number as the pages write it: kNN accuracy in percent (89.3%, as the verdict
    beside it says it; '0.893' read as another number), an effective rank to one decimal."""
    return f"{score:.1%}" if name == "kNN accuracy" else f"{score:.1f}"
