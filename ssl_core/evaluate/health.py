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
