"""Shortcut check: does an embedding group images by a cheap cue (colour, brightness)
instead of their content?

Contrastive methods match two views of an image by whatever cue is cheapest; when every
image has its own background colour and the views keep it, the colour alone tells them
apart, and the embedding's neighbours then share a colour rather than an object (Chen et
al. 2020, SimCLR, section 3 and figure 6: crops of one image share a colour histogram).
Each cue is scored two ways, and called a shortcut when either score is high:

* explained: 1 - 2 x the mean percentile, in the cue's ordering of all other images (by
  Euclidean distance in its compact statistics: mean colour; brightness and contrast), of
  an image's cosine neighbours in the embedding. 0 when the neighbours are as alike in the
  cue as random images, 1 when they are the cue's own nearest images. Catches an
  embedding that is any function of the cue.
* r2: cross-validated share of the (L2-normalised) embedding's variance that a ridge
  regression on all the cue's statistics (the colour cue adds a colour histogram)
  predicts. Catches an embedding that holds the cue linearly, whatever its neighbours.
* neighbour_overlap: share of the k embedding neighbours that are also the cue's k
  nearest, beside chance_overlap (k / (N - 1)); shown, not judged.

Thresholds were set on the built-in data: the untrained small CNN on shapes (kNN accuracy
0.27, chance 0.20: it groups by colour) scores explained 0.76, r2 0.51; raw pixels on
shapes 0.90 and 0.69; on digits, where brightness follows the digit (ink), the brightness
cue scores 0.53 and 0.13.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_predict
from threadpoolctl import threadpool_limits

from .neighbours import Array, neighbours_of, overlap, unit_rows
from .pixels import image_statistics
from .linear_probe import standardise

EXPLAINED_FLAG = 0.7  # `explained` from which a cue is called a shortcut ...
R2_FLAG = 0.5  # ... or `r2` from which it is
QUERY_CHUNK = 256


@dataclass(frozen=True)
class Cue:
    order: tuple[str, ...]  # keys of image_statistics whose distance orders images (explained)
    predict: tuple[str, ...]  # keys of image_statistics the ridge regression reads (r2)
    words: str  # what the cue is, in plain words
    fix: str  # the augmentation that removes it


CUES = {
    "colour": Cue(("mean_colour",), ("mean_colour", "histogram"), "colour",
                  "stronger colour jitter (saturation and hue) and random grayscale, so two views of "
                  "an image no longer share their colours"),
    "brightness": Cue(("brightness", "contrast"), ("brightness", "contrast"), "brightness and contrast",
                      "stronger brightness and contrast jitter, so two views of an image no longer "
                      "share their brightness"),
}


def cue_vectors(stats: dict[str, np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    """(N, d): the named statistics, each column standardised and each statistic scaled by
    1 / sqrt(its width), so that each weighs the same in a distance."""
    return np.concatenate([standardise(stats[name]) / np.sqrt(stats[name].shape[1]) for name in names], axis=1)


def in_cue_order(vectors: np.ndarray, queries: np.ndarray, neighbours: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For queries (M,) and their embedding neighbours (M, k), by Euclidean distance in the
    cue's `vectors` (N, d): (where each neighbour ranks among all other images, from 0 for
    the closest to 1 for the farthest (M, k); the cue's own k nearest images (M, k))."""
    points = torch.from_numpy(vectors)
    percentiles, nearest = [], []
    for start in range(0, len(queries), QUERY_CHUNK):
        rows = torch.as_tensor(queries[start : start + QUERY_CHUNK])
        distance = torch.cdist(points[rows], points)
        distance[torch.arange(len(rows)), rows] = -float("inf")  # the query itself: first, then dropped
        ordered = distance.sort(dim=1)
        ranks = torch.searchsorted(ordered.values, distance.gather(1, neighbours[start : start + QUERY_CHUNK]))
        percentiles.append((ranks - 1).float() / max(1, len(points) - 2))
        nearest.append(ordered.indices[:, 1 : neighbours.shape[1] + 1])
    return torch.cat(percentiles), torch.cat(nearest)


def ridge_r2(vectors: np.ndarray, features: Array, seed: int = 0) -> float:
    """Cross-validated (5-fold) share of the variance of the L2-normalised `features` (N, D)
    that ridge regression on `vectors` (N, d) predicts; about 0 when unrelated, 0 when the
    embedding does not vary at all."""
    target = unit_rows(features).numpy()
    total = ((target - target.mean(axis=0)) ** 2).sum()
    if total < 1e-9:
        return 0.0
    folds = KFold(min(5, len(target)), shuffle=True, random_state=seed)
    with threadpool_limits(1):  # see linear_probe.fit_predict
        predicted = cross_val_predict(Ridge(alpha=1.0), vectors, target, cv=folds)
    return float(1 - ((target - predicted) ** 2).sum() / total)


def cue_scores(stats: dict[str, np.ndarray], cue: Cue, features: Array, queries: np.ndarray,
               neighbours: torch.Tensor, seed: int = 0) -> dict[str, float]:
    """{"explained", "r2", "neighbour_overlap", "chance_overlap"} of one cue (see module doc)
    for the embedding neighbours (M, k) of queries (M,)."""
    order = cue_vectors(stats, cue.order)
    percentiles, nearest = in_cue_order(order, queries, neighbours)
    return {"explained": float(1 - 2 * percentiles.mean()),
            "r2": ridge_r2(cue_vectors(stats, cue.predict), features, seed),
            "neighbour_overlap": float(overlap(neighbours, nearest).mean()),
            "chance_overlap": neighbours.shape[1] / (len(order) - 1)}


def verdict(scores: dict[str, dict[str, float] | None]) -> tuple[str | None, str]:
    """(the cue called a shortcut or None, one plain sentence) from each cue's scores."""
    present = {name: s for name, s in scores.items() if s is not None}
    flagged = [name for name, s in present.items() if s["explained"] >= EXPLAINED_FLAG or s["r2"] >= R2_FLAG]
    if not flagged:
        listed = ", ".join(f"{CUES[name].words} {max(0.0, s['r2']):.0%}" for name, s in present.items())
        return None, (f"Simple image statistics explain little of the embedding (share of its variation "
                      f"they predict: {listed}): it groups images by more than a cheap cue.")
    worst = max(flagged, key=lambda name: present[name]["explained"])
    words, s = CUES[worst].words, present[worst]
    return worst, (f"The embedding mostly groups images by {words}: {words} statistics predict "
                   f"{max(0.0, s['r2']):.0%} of its variation, and an image's nearest neighbours are more "
                   f"alike in {words} than {50 + 50 * s['explained']:.0f}% of the dataset. "
                   f"Try {CUES[worst].fix}.")


def shortcut_check(features: Array, images: np.ndarray, k: int = 10, queries: int = 500, examples: int = 4,
                   seed: int = 0) -> dict:
    """How much simple image statistics explain an embedding's neighbours.

    features: (N, D) embedding of uint8 `images` (N, S, S, 3). Scores use `queries`
    random images and their `k` cosine neighbours. Returns {"cues": {name: scores or None
    (colour, on greyscale data)}, "flagged": cue or None, "verdict": sentence, "fix":
    augmentation or None, "evidence": [{"query", "neighbours", "colours"}] for `examples`
    queries, colours being the mean RGB (0-255) of the query then each neighbour}.
    """
    stats = image_statistics(images)
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(len(images), size=min(queries, len(images)), replace=False))
    neighbours = neighbours_of(features, k, chosen)
    grey = float(np.ptp(stats["mean_colour"], axis=1).max()) < 1 / 255
    scores = {name: None if grey and name == "colour" else cue_scores(stats, cue, features, chosen, neighbours, seed)
              for name, cue in CUES.items()}
    flagged, sentence = verdict(scores)
    colours = np.round(stats["mean_colour"] * 255).astype(int)
    shown = rng.choice(len(chosen), size=min(examples, len(chosen)), replace=False)
    evidence = [{"query": int(chosen[i]), "neighbours": neighbours[i].tolist(),
                 "colours": colours[[chosen[i], *neighbours[i].tolist()]].tolist()} for i in shown]
    return {"cues": scores, "flagged": flagged, "verdict": sentence,
            "fix": CUES[flagged].fix if flagged else None, "evidence": evidence}
