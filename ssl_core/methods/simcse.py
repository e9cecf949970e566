"""Unsupervised SimCSE: Gao, Yao and Chen 2021, "SimCSE: Simple Contrastive Learning of
Sentence Embeddings", EMNLP. https://arxiv.org/abs/2104.08821"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..augment import Views
from ..evaluate import normalised_std
from ..models import Encoder
from .base import Method


class SimCSE(Method):
    """Each sentence passes the encoder twice; the two dropout masks make two views, pulled
    together, while every other sentence of the batch is pushed away: cross-entropy over
    cosine similarities / temperature (0.1; the paper's 0.05 is for BERT-base on a million
    sentences), the partner as the class.

    views: [ids, ids] (N, L) each -> sentence embeddings (N, D), mean-pooled.
    """

    name = "simcse"
    description = "Contrastive: a sentence seen twice through dropout is its own positive; other sentences are negatives."
    paper = "Gao et al. 2021, SimCSE: Simple Contrastive Learning of Sentence Embeddings"
    default_recipe = "dropout_pair"
    recipes = ("dropout_pair",)
    default_lr = 5e-3  # AdamW at batch 256 (the engine scales it); bench/text_tune.py: kNN gain +0.121, 2e-3 +0.107
    encoders = ("text_transformer",)
    kinds = ("text",)

    def __init__(self, encoder: Encoder, temperature: float = 0.1) -> None:
        # bench/text_tune.py, docstrings, same CPU budget: kNN gain over the untrained twin +0.107
        # at 0.1, +0.041 at 0.05, +0.053 at 0.2
        super().__init__(encoder)
        self.temperature = temperature

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        a, b = views.views[:2]
        return sentence_pair_loss(*self.encoder.forward_features(torch.cat([a, b])).chunk(2), self.temperature)


def sentence_pair_loss(a: torch.Tensor, b: torch.Tensor, temperature: float) -> tuple[torch.Tensor, dict[str, float]]:
    """SimCSE's loss of sentence vectors a, b (N, D), row i of both from sentence i:
    cross-entropy over cosine similarities / temperature, the partner as the class."""
    z_a, z_b = F.normalize(a.float(), dim=1), F.normalize(b.float(), dim=1)
    similarity = z_a @ z_b.T / temperature  # (N, N), the partner on the diagonal
    loss = F.cross_entropy(similarity, torch.arange(len(a), device=a.device))
    with torch.no_grad():
        metrics = {"positive_cosine": float((z_a * z_b).sum(1).mean()), "output_std": normalised_std(z_a)}
    return loss, metrics
