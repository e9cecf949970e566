"""Exact cosine nearest neighbours, in chunks of queries: the one search every metric of
this package uses (kNN votes, neighbour stability, the shortcut check)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

Array = np.ndarray | torch.Tensor
CHUNK = 1024  # queries per similarity block: CHUNK x N floats at a time


def as_float(x: Array) -> torch.Tensor:
    """(N, ...) array or tensor -> float32 tensor (a tensor stays on its device; an array is
    copied, since it may be a read-only memory map)."""
    if isinstance(x, torch.Tensor):
        return x.float()
    return torch.from_numpy(np.array(x, dtype=np.float32))


def unit_rows(x: Array) -> torch.Tensor:
    """(N, D) -> float32 tensor (N, D) with rows of length 1."""
    return F.normalize(as_float(x), dim=1)


def cosine_topk(queries: Array, keys: Array, k: int, query_groups: Array | None = None,
                key_groups: Array | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The `k` rows of `keys` (N, D) most cosine-similar to each row of `queries` (M, D),
    best first: (similarities (M, k), indices into keys (M, k)).

    A key is skipped for a query when both carry the same group id (`query_groups` (M,),
    `key_groups` (N,)): the query's own index for leave-one-out, its fold for
    cross-validation. `k` must leave enough keys outside each query's group.
    """
    q, kk = unit_rows(queries), unit_rows(keys)
    sims, index = [], []
    for start in range(0, len(q), CHUNK):
        block = q[start : start + CHUNK] @ kk.T
        if query_groups is not None and key_groups is not None:
            groups = torch.as_tensor(query_groups, device=block.device)[start : start + CHUNK]
            same = groups[:, None] == torch.as_tensor(key_groups, device=block.device)[None, :]
            block.masked_fill_(same, -float("inf"))
        top = block.topk(k, dim=1)
        sims.append(top.values)
        index.append(top.indices)
    return torch.cat(sims), torch.cat(index)


def neighbours_of(features: Array, k: int, queries: Array | None = None) -> torch.Tensor:
    """Indices (M, min(k, N - 1)) of the `k` cosine-nearest other rows of `features` (N, D)
    for each row listed in `queries` (M,) (default: every row), the row itself left out: a
    dataset smaller than k + 1 gives every other row."""
    keys = as_float(features)
    rows = torch.arange(len(keys)) if queries is None else torch.as_tensor(queries)
    return cosine_topk(keys[rows], keys, others(k, len(keys)), rows, torch.arange(len(keys)))[1]


def others(k: int, count: int) -> int:
    """How many neighbours a row of `count` rows can have, at most `k`: the rest, itself left out."""
    return max(0, min(k, count - 1))


def overlap(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Per row, the fraction of the k indices in `a` (M, k) that also appear in `b` (M, k'): (M,)."""
    return (a[:, :, None] == b[:, None, :]).any(dim=2).float().mean(dim=1)
