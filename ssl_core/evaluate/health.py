"""Label-free health of an embedding (N, D): spread, rank, alignment, uniformity and
neighbour stability. Plain functions on arrays or tensors; the engine's collapse monitor
uses `normalised_std` and `effective_rank` online."""

from __future__ import annotations

import math

import torch

from .neighbours import Array, as_float, cosine_topk, neighbours_of, others, overlap, unit_rows


def normalised_std(features: Array) -> float:
    """Mean per-dimension std of L2-normalised features (N, D), times sqrt(D): about 1 for
    features spread over the sphere, 0 when they collapse to one point (Chen & He 2021,
    SimSiam, section 4.1)."""
    z = unit_rows(features)
    return float(z.std(dim=0).mean() * z.shape[1] ** 0.5)


def effective_rank(features: Array) -> float:
    """RankMe (Garrido et al. 2023): exp of the entropy of the normalised singular values
    of the (N, D) feature matrix; 1 for a collapsed embedding, up to min(N, D)."""
    singular = torch.linalg.svdvals(as_float(features))
    p = singular / singular.sum().clamp_min(1e-12) + 1e-12
    return float(torch.exp(-(p * p.log()).sum()))


# median |cosine| of random pairs (one_direction) from which an embedding's scores are called saturated: measured on
# the 35 embeddings of six stranger walks' workspaces (trained and untrained small CNNs, ResNet-18s, a text
# transformer), the five whose first direction held 97-100% of the spread (imported random ResNet-18s, two
# ResNet-18 runs that collapsed) gave 0.91-0.99; every other 0.15-0.58 (walk 32: all 12 neighbours 0.998-1.000)
ONE_DIRECTION_COSINE = 0.8


def one_direction(features: Array, rows: int = 2000, seed: int = 0) -> tuple[float, float]:
    """(the share of the centred features' variance along their first principal direction, the median |cosine|
    between the centred features of `rows` seeded random pairs of distinct rows) of `features` (N, D), read on a
    seeded sample of at most `rows` of them. An embedding spread over many directions gives a low median; one that
    sends every image along one line, this way or the opposite, gives both near 1: two images then score near
    +1 or -1 whatever they show, and only the order of the scores can still mean something."""
    generator = torch.Generator().manual_seed(seed)
    x = as_float(features)
    if len(x) > rows:
        x = x[torch.randperm(len(x), generator=generator)[:rows]]
    if len(x) < 2:
        return 0.0, 0.0
    x = x - x.mean(dim=0)
    singular = torch.linalg.svdvals(x.double())
    share = float(singular[0] ** 2 / (singular**2).sum().clamp_min(1e-24))
    first = torch.randint(len(x), (rows,), generator=generator)
    second = (first + torch.randint(1, len(x), (rows,), generator=generator)) % len(x)  # never the row itself
    cosines = (unit_rows(x[first]) * unit_rows(x[second])).sum(dim=1).abs()
    return share, float(cosines.median())


def alignment(first: Array, second: Array, alpha: float = 2.0) -> float:
    """Wang & Isola 2020's alignment: mean ||f(x) - f(y)||^alpha over positive pairs, row i
    of `first` (M, D) with row i of `second` (M, D), after L2 normalisation. 0 when the
    two views of every image map to the same point; at most 2^alpha."""
    return float((unit_rows(first) - unit_rows(second)).norm(dim=1).pow(alpha).mean())


def uniformity(features: Array, t: float = 2.0) -> float:
    """Wang & Isola 2020's uniformity: log of the mean of exp(-t ||f(x) - f(y)||^2) over
    all pairs of distinct rows of `features` (N, D), after L2 normalisation. 0 when all
    rows coincide; lower (about -4 at t=2 for uniform points in high dimension) is more
    uniform on the sphere. Costs N^2 / 2 distances: subsample large N."""
    exponents = torch.pdist(unit_rows(features)).pow(2).mul(-t)
    return float(torch.logsumexp(exponents, dim=0) - math.log(len(exponents)))


def neighbour_stability(features: Array, view_features: Array, indices: Array, k: int = 10) -> float:
    """Mean fraction of an image's `k` cosine-nearest neighbours among `features` (N, D)
    that stay among its `k` nearest when its own row is replaced by `view_features` (M, D),
    the features of an augmented view of image `indices[i]` (M,). 1: augmentation moves
    no image away from its neighbourhood; k / N: neighbours are as good as random."""
    keys = as_float(features)
    rows = torch.as_tensor(indices)
    before = neighbours_of(keys, k, rows)
    after = cosine_topk(view_features, keys, others(k, len(keys)), rows, torch.arange(len(keys)))[1]
    return float(overlap(before, after).mean())
