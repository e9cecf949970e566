"""Judging embeddings: kNN accuracy and label-free health metrics, on plain arrays or
tensors (N, D). The engine uses them online; the Evaluate page and CLI use them too."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def normalised_std(features: torch.Tensor) -> float:
    """Mean per-dimension std of L2-normalised features, times sqrt(D): about 1 for
    features spread over the sphere, 0 when they collapse to one point (Chen & He 2021,
    SimSiam, section 4.1)."""
    z = F.normalize(features.float(), dim=1)
    return float(z.std(dim=0).mean() * z.shape[1] ** 0.5)


def effective_rank(features: torch.Tensor) -> float:
    """RankMe (Garrido et al. 2023): exp of the entropy of the normalised singular values
    of the (N, D) feature matrix; 1 for a collapsed embedding, up to min(N, D)."""
    singular = torch.linalg.svdvals(features.float())
    p = singular / singular.sum().clamp_min(1e-12) + 1e-12
    return float(torch.exp(-(p * p.log()).sum()))


def knn_accuracy(features: torch.Tensor, labels: torch.Tensor, k: int = 20) -> float:
    """Leave-one-out kNN accuracy with cosine similarity and a majority vote weighted by
    similarity (as Wu et al. 2018's kNN monitor, without the temperature)."""
    z = F.normalize(features.float(), dim=1)
    sims = z @ z.T
    sims.fill_diagonal_(-float("inf"))
    k = min(k, len(z) - 1)
    top_sims, top_index = sims.topk(k, dim=1)
    classes = int(labels.max()) + 1
    votes = torch.zeros(len(z), classes, device=z.device)
    votes.scatter_add_(1, labels[top_index], top_sims.clamp_min(0) + 1e-6)
    return float((votes.argmax(1) == labels).float().mean())
