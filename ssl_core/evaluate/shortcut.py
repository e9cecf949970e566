"""Shortcut check: does an embedding group images by a cheap cue instead of their content?

Contrastive methods match two views of an image by whatever cue is cheapest (Chen et al.
2020, SimCLR, section 3 and figure 6: crops of one image share a colour histogram). On
cluttered pictures the cheapest is the background: two crops of one photo share its
colours, texture and layout, however small the object. The cues (cues.py) are computed
from the pixels, with no training (descriptors.py): colour, brightness, background
texture, layout, where the picture stands out, and the colour of its edges. Each is scored on `queries` random images
and their k cosine neighbours in the embedding:

* explained: 1 - 2 x the mean percentile, in the cue's ordering of all other images (by
  Euclidean distance in its descriptors, ties at their mid-rank), of an image's
  neighbours in the embedding. 0 when the neighbours are as alike in the cue as random
  images, 1 when they are the cue's own nearest images. Catches an embedding that is
  any function of the cue.
* r2: cross-validated share of the (L2-normalised) embedding's variance that a ridge
  regression on the cue's descriptors (colour adds a colour histogram) predicts. Catches
  an embedding that holds the cue linearly, whatever its neighbours.
* score: the larger of the two, in [0, 1]: how much of the embedding the cue explains.
* by_class: where labels are known, the score the cue gets on an embedding that groups
  the labelled images by class and by nothing else (one-hot of the class). A cue that
  tells the classes apart (a digit's layout, a texture class's texture) is content, not
  a shortcut: only the score beyond it counts.
* judged: score - by_class with labels, else score, of both rounded to 2 places as shown;
  graded little < 0.3 <= some < 0.6 <= most. The verdict names the cue with the highest judged score from 0.3 on, or the
  background scene when two or more of colour, texture and layout reach 0.6.
* neighbour_overlap: share of the k embedding neighbours that are also the cue's k
  nearest, beside chance_overlap (k / (N - 1)); shown, not judged.

Calibration: planted.py (`python -m ssl_core.evaluate.planted`) makes 1,000 images like
clutter_shapes on each kind of background (20 pictures reused as they are or recoloured
each time, or fresh patches of 4 textures, framed in white, black or not at all, or not)
and plants embeddings that are functions of
one part only. Judged scores (k = 10, 500 queries, no labels; with the shapes as labels
every verdict is the same but one: the colour histogram of framed pictures, colour 0.81 and
edges 0.82, is named edges):

    backgrounds         embedding              colour  bright.  texture  layout  position  edges  named
    recoloured picture  clean: object's shape    0.00     0.00     0.01    0.00      0.01   0.00  none
    recoloured picture  clean: object's mask     0.03     0.03     0.00    0.01      0.01   0.01  none
    recoloured picture  colour histogram         0.94     0.48     0.25    0.28      0.01   0.34  colour
    recoloured picture  which background         0.26     0.42     0.79    0.83      0.04   0.76  background scene
    recoloured picture  object's centroid        0.00     0.02     0.04    0.00      0.80   0.00  position
    same picture        clean: object's shape    0.01     0.02     0.00    0.01      0.01   0.01  none
    same picture        clean: object's mask     0.02     0.01     0.00    0.00      0.01   0.01  none
    same picture        colour histogram         0.99     0.82     0.86    0.95      0.10   0.95  background scene
    same picture        which background         0.94     0.76     0.83    0.91      0.04   0.87  background scene
    same picture        object's centroid        0.00     0.00     0.04    0.05      0.84   0.00  position
    texture             clean: object's shape    0.00     0.01     0.00    0.00      0.00   0.00  none
    texture             clean: object's mask     0.00     0.00     0.00    0.00      0.00   0.00  none
    texture             colour histogram         0.94     0.45     0.29    0.13      0.00   0.16  colour
    texture             which background         0.22     0.18     0.63    0.04      0.01   0.04  background texture
    texture             object's centroid        0.00     0.00     0.01    0.00      0.81   0.01  position
    framed texture      clean: object's shape    0.00     0.00     0.00    0.00      0.00   0.00  none
    framed texture      clean: object's mask     0.00     0.01     0.00    0.00      0.00   0.00  none
    framed texture      colour histogram         0.82     0.50     0.44    0.08      0.01   0.82  colour
    framed texture      which background         0.13     0.14     0.49    0.02      0.01   0.01  background texture
                                                                                                     (some)
    framed texture      object's centroid        0.01     0.01     0.00    0.00      0.14   0.00  none
    framed texture      which frame              0.19     0.17     0.18    0.02      0.00   0.67  edges

Clean embeddings score at most 0.03 on every cue, far below SOME = 0.3; each planted
shortcut on pictures without frames scores at least 0.63 on its own cue, above MOST = 0.6, and at most 0.51 on
another cue of the object or the picture's statistics (brightness, which follows colour), below it. On the same
pictures a colour histogram tells the 20 pictures apart, so grouping by it is grouping by the picture:
named the background scene, rightly. The edges follow the background where it reaches them (0.76-0.95 beside a
background or a picture's colours, named by those) and the frame's colours in a whole-picture histogram (0.82, even
with colour, named colour). Framed pictures stand out at their frame's inner edge, so there an object's position is
not found (0.14) and the background texture read away from what stands out scores 0.49 (some): on framed pictures
the check misses a position shortcut and grades a background texture lower. Real encoders on clutter_shapes (2,000
images,
1,000 queries, labels given; by_class at most 0.005 there, the backgrounds being
independent of the shapes):

    encoder                                     kNN   colour  bright.  texture  layout  position  named
    untrained small CNN                         0.21    0.76     0.50     0.16    0.25      0.33  colour
    SimCLR, small CNN, simclr_small, 32 px,     0.24    0.33     0.49     0.52    0.30      0.22  background texture
      5 CPU minutes (bench/tune.py "previous")                                                       (some)

On walk 43's 297 archive scans (portraits, landscapes, pages and coins, a third of them in white or black frames,
no labels), a SimCLR run of 3 minutes: edges 0.68, named (colour 0.43, brightness 0.48; 82% of a black-framed
scan's 10 nearest neighbours black-framed, 8% at random); its untrained twin: colour 0.67, edges 0.41; an
embedding made of the scan style alone (grey, sepia or colour; the frame): colour 0.30 (some). Before the edges
were read (and colour and brightness over the frame too) the run was named brightness 0.58.

The first check (colour and brightness only, flagged from explained 0.7) told the trained
one "simple image statistics explain little" over the same colour 0.33, brightness 0.49.

Cost: on those 2,000 images (64 px), with 1,000 queries and labels, 2.2 s wall on a 2-core
CPU with two threads (beside other work, load 3.4), 3.1 s on one thread, of which the
descriptors take 1.2.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_predict
from threadpoolctl import threadpool_limits

from .cues import CUES, Cue, fix_for, level, named, sentence, with_classes
from .descriptors import describe
from .grey_split import grey_and_colour, grey_split, kept_apart
from .linear_probe import standardise
from .neighbours import Array, neighbours_of, overlap, unit_rows
from .splits import Labelled

QUERY_CHUNK = 256
TIE_NOISE = 0.01  # length of the noise that breaks ties in the class embedding
NEIGHBOURHOOD = 3  # a set of fewer than this many times k images is not checked: k neighbours would be much of it
# L2-normalised rows all within this distance of their mean: any two have a cosine within 2 x NO_SPREAD^2 = 2e-8
# of each other, under float32's step near 1 (6e-8), so neighbours tie and come in row order
NO_SPREAD = 1e-4


def beyond(score: float, by_class: float | None) -> float:
    """A cue's judged score: its `score` beyond grouping by class's `by_class` (None without
    labels), of both as the sentence shows them (2 places), so that its 'beyond' is their
    difference and is graded as read (walk 16 read "score 0.68 against 0.04 for grouping by
    class alone, 0.65 beyond")."""
    return max(0.0, round(round(score, 2) - round(by_class or 0.0, 2), 2))


def cue_vectors(described: dict[str, np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    """(N, d): the named statistics, each column standardised and each statistic scaled by
    1 / sqrt(its width), so that each weighs the same in a distance."""
    return np.concatenate([standardise(described[name]) / np.sqrt(described[name].shape[1]) for name in names],
                          axis=1)


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
        found = distance.gather(1, neighbours[start : start + QUERY_CHUNK])
        closer = torch.searchsorted(ordered.values, found) - 1  # other images strictly closer
        level = torch.searchsorted(ordered.values, found, right=True) - 2  # ... or as close, but itself
        percentiles.append((closer + level).float() / 2 / max(1, len(points) - 2))  # ties: the mid-rank
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


def one_hot(codes: np.ndarray, noise: float, seed: int) -> np.ndarray:
    """(N,) codes -> (N, C) float32 one-hot plus Gaussian noise whose length is about `noise`."""
    width = int(codes.max()) + 1
    jitter = np.random.default_rng(seed).standard_normal((len(codes), width)) * noise / np.sqrt(width)
    return (np.eye(width)[codes] + jitter).astype(np.float32)


def sample(count: int, size: int, seed: int) -> np.ndarray:
    """`size` (or `count`) sorted random rows of `count`."""
    return np.sort(np.random.default_rng(seed).choice(count, size=min(size, count), replace=False))


def cue_scores(described: dict[str, np.ndarray], cue: Cue, features: Array, queries: np.ndarray,
               neighbours: torch.Tensor, seed: int = 0) -> dict[str, float]:
    """{"score", "explained", "r2", "neighbour_overlap", "chance_overlap"} of one cue (see
    module doc) for the embedding neighbours (M, k) of queries (M,)."""
    order = cue_vectors(described, cue.order)
    percentiles, nearest = in_cue_order(order, queries, neighbours)
    explained = float(1 - 2 * percentiles.mean())
    r2 = ridge_r2(cue_vectors(described, cue.predict), features, seed)
    return {"score": min(1.0, max(0.0, explained, r2)), "explained": explained, "r2": r2,
            "neighbour_overlap": float(overlap(neighbours, nearest).mean()),
            "chance_overlap": neighbours.shape[1] / (len(order) - 1)}


def all_scores(described: dict[str, np.ndarray], features: Array, queries: np.ndarray, neighbours: torch.Tensor,
               seed: int) -> dict[str, dict[str, float] | None]:
    """cue_scores of every cue; None for colour when every image is grey, and for a cue
    whose statistics are the same for every image (nothing to rank its neighbours by)."""
    grey = float(np.ptp(described["mean_colour"], axis=1).max()) < 1 / 255
    constant = {name for name, cue in CUES.items()
                if all(float(np.ptp(described[part], axis=0).max()) < 1e-6 for part in cue.order)}
    return {name: None if (grey and name == "colour") or name in constant
            else cue_scores(described, cue, features, queries, neighbours, seed)
            for name, cue in CUES.items()}


def has_spread(features: Array) -> bool:
    """Whether cosine neighbours in `features` (N, D) are more than row order: False when
    every row is the same, zero, or the same but for its length (see NO_SPREAD)."""
    rows = unit_rows(features)
    centre = rows.mean(dim=0)
    return any(float((rows[start : start + QUERY_CHUNK] - centre).norm(dim=1).max()) >= NO_SPREAD
               for start in range(0, len(rows), QUERY_CHUNK))


def _not_checked(words: str) -> dict:
    """shortcut_check's keys for a check that could not be made, `words` saying why."""
    scores = {name: None for name in CUES}
    return {"cue": None, "level": None, "words": words, "fix": None, "with_classes": [], "scores": scores,
            "evidence": [], "grey_split": None, "flagged": None, "verdict": words, "cues": scores}


# walk 43: an imported embedding of scan style alone (grey, sepia or colour; white, black or no frame) was told "It
# does not group by colour, brightness, ...", 90% of a grey picture's neighbours grey (46% at random) said only below
APART_TOO = " Yet it keeps the grey pictures apart from the colour ones (the grey-or-colour split)."


def by_class(described: dict[str, np.ndarray], labels: Labelled, k: int, queries: int,
             seed: int) -> dict[str, dict[str, float] | None]:
    """all_scores of the labelled images' class embedding (one-hot, ties broken by noise)."""
    rows = labels.indices
    classes = one_hot(labels.codes, TIE_NOISE, seed)
    chosen = sample(len(rows), queries, seed)
    return all_scores({name: values[rows] for name, values in described.items()}, classes, chosen,
                      neighbours_of(classes, k, chosen), seed)


def shortcut_check(features: Array, images: np.ndarray, k: int = 10, queries: int = 500, examples: int = 4,
                   seed: int = 0, labels: Labelled | None = None, made_by: str = "run") -> dict:
    """How much cheap cues explain an embedding's neighbours (see the module doc).

    features: (N, D) embedding of uint8 `images` (N, S, S, 3). Scores use `queries`
    random images and their `k` cosine neighbours; `labels`, where known, discount what
    grouping by class explains; `made_by` (cues.MADE_BY: a run, an imported or untrained
    encoder, an imported embedding set) says to what the fix is offered (cues.remedy).
    Returns {"cue": the cue it groups by (a key of cues.CUES, or cues.SCENE) or None, "level": the graded word of the highest judged
    score, "words": one plain sentence, "fix": the augmentation or crop change that
    removes the cue or None, "with_classes": where no cue is named, the cues that go with
    the classes on this data, which the check cannot tell apart from them (cues.with_classes),
    "scores": {cue: {"score", "by_class" (None without labels),
    "judged", "level", "explained", "r2", "neighbour_overlap", "chance_overlap"} or None
    (colour, on greyscale data; every cue, with "level" None, where no check could be made:
    fewer than NEIGHBOURHOOD x k images, an embedding without spread (`has_spread`), or
    cues the same for every image)}, "evidence":
    [{"query", "neighbours", "colours"}] for
    `examples` queries, colours being the mean RGB (0-255) of the query then each
    neighbour, "grey_split": whether the grey pictures are kept apart from the colour ones
    (grey_split.grey_split; None where either side is smaller than k)}; and, for readers of
    the first format, "flagged" (= cue), "verdict" (= words), "cues" (= scores).
    """
    if len(images) < NEIGHBOURHOOD * k:
        return _not_checked(f"Not checked: {len(images)} images are too few for the shortcut check, which needs "
                            f"{NEIGHBOURHOOD * k} so that an image's {k} nearest neighbours are a small part of them.")
    if not has_spread(features):
        return _not_checked("Not checked: every image has the same embedding (or one that differs only in length), "
                            "so an image's nearest neighbours are ties taken in row order, which no cue can explain.")
    described = describe(images)
    chosen = sample(len(images), queries, seed)
    neighbours = neighbours_of(features, k, chosen)
    scores = all_scores(described, features, chosen, neighbours, seed)
    reference = by_class(described, labels, k, queries, seed) if labels is not None else {}
    for name, s in scores.items():
        if s is not None:
            floor = reference[name]["score"] if reference.get(name) else None
            s.update(by_class=floor, judged=beyond(s["score"], floor))
            s["level"] = level(s["judged"])
    judged = {name: s["judged"] for name, s in scores.items() if s is not None}
    if not judged:
        return _not_checked("Not checked: every image has the same colour, brightness, background texture, layout, "
                            "object position and edges, so no cheap cue can explain how the embedding groups them.")
    cue = named(judged)
    split = grey_split(grey_and_colour(images), features, k, seed)
    words = sentence(cue, scores, made_by, labelled=labels is not None)
    if cue is None and kept_apart(split):
        words += APART_TOO
    colours = np.round(described["mean_colour"] * 255).astype(int)
    shown = np.random.default_rng(seed).choice(len(chosen), size=min(examples, len(chosen)), replace=False)
    evidence = [{"query": int(chosen[i]), "neighbours": neighbours[i].tolist(),
                 "colours": colours[[chosen[i], *neighbours[i].tolist()]].tolist()} for i in shown]
    return {"cue": cue, "level": level(max(judged.values())), "words": words, "fix": fix_for(cue),
            "with_classes": [] if cue else with_classes(scores),
            "scores": scores, "evidence": evidence, "grey_split": split,
            "flagged": cue, "verdict": words, "cues": scores}
