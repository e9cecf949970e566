"""Masked language modelling: Devlin et al. 2019, "BERT: Pre-training of Deep Bidirectional
Transformers for Language Understanding", NAACL. https://arxiv.org/abs/1810.04805"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..augment import Views
from ..models import Encoder
from .base import Method


class MLM(Method):
    """Hide 15% of the word pieces (80% [MASK], 10% random, 10% kept; text/masking.py) and
    predict each hidden one from the rest of the sentence: a transform, GELU and LayerNorm
    over the token states, then scores over the vocabulary through the token embedding
    (tied, as BERT), cross-entropy over the chosen positions only (only they are scored).

    views: [inputs (N, L)], mask (N, L) True where chosen, labels (N, L) the original ids.
    """

    name = "mlm"
    description = "Masked prediction: hide words of a sentence and guess them from the rest (BERT)."
    paper = "Devlin et al. 2019, BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    default_recipe = "bert_mask"
    recipes = ("bert_mask",)
    default_lr = 5e-3  # for AdamW at batch 256 (scaled by the engine); not tuned yet
    encoders = ("text_transformer",)
    kinds = ("text",)
    # walk 19: 'possible collapse at step 25: embedding std 0.0492, effective rank 3.34' on a run whose linear probe
    # read 0.970 and whose search scored every neighbour 0.955-0.988, said without a cause
    collapse_note = ("mlm trains the word outputs, not the sentence vector measured here: BERT-like sentence "
                     "vectors crowd into a narrow cone (Ethayarajh 2019), which cosine neighbours and search read "
                     "poorly while a linear probe may still separate them, and mlm_simcse, the default for text, adds "
                     "SimCSE's pairs, which spread them (Gao et al. 2021), and grouped the README's two corpora "
                     "best (kNN gain +0.308 against mlm's +0.176 on docstrings)")

    def __init__(self, encoder: Encoder) -> None:
        super().__init__(encoder)
        width = encoder.num_features
        self.transform = nn.Sequential(nn.Linear(width, width), nn.GELU(), nn.LayerNorm(width))
        self.bias = nn.Parameter(torch.zeros(encoder.vocab_size))  # type: ignore[arg-type]

    def scores_of(self, states: torch.Tensor) -> torch.Tensor:
        """Scores (..., vocab) over the vocabulary of token states (..., width)."""
        return self.transform(states) @ self.encoder.tokens.weight.T + self.bias  # type: ignore[union-attr]

    def token_scores(self, ids: torch.Tensor) -> torch.Tensor:
        """Scores (N, L, vocab) of every piece at every position of `ids` (N, L)."""
        return self.scores_of(self.encoder.token_states(ids))  # type: ignore[operator]

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        loss, _, metrics = self.masked_word_loss(views)
        return loss, metrics

    def masked_word_loss(self, views: Views) -> tuple[torch.Tensor, torch.Tensor, dict[str, float]]:
        """(loss, token states (N, L', width) of the masked inputs cut to the batch's longest
        example, metrics) of a bert_mask batch."""
        if views.mask is None or views.labels is None:
            raise ValueError(f"{self.name} needs the bert_mask recipe (masked inputs with their targets)")
        length = self.encoder.trim(views.views[0])  # type: ignore[operator]  # padding past it: no work
        mask, targets = views.mask[:, :length], views.labels[:, :length]
        states = self.encoder.token_states(views.views[0][:, :length])  # type: ignore[operator]
        scores = self.scores_of(states[mask])  # (M, vocab): only the hidden positions are scored
        targets = targets[mask]
        loss = F.cross_entropy(scores.float(), targets, reduction="sum") / max(1, len(targets))
        with torch.no_grad():
            accuracy = (scores.argmax(-1) == targets).float().mean() if len(targets) else scores.new_zeros(())
        return loss, states, {"masked_accuracy": float(accuracy)}
