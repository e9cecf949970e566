"""Masked words and sentence pairs in one step: BERT's masked language modelling (Devlin et
al. 2019) with SimCSE's contrastive loss (Gao et al. 2021, which tried MLM as an auxiliary
objective), as CLEAR (Wu et al. 2020) trains the two together. Here the masked sentence is one
view (masking and dropout its augmentation) and the whole sentence, through fresh dropout, the
other."""

from __future__ import annotations

import torch

from ..augment import Views
from ..models import Encoder
from .mlm import MLM
from .simcse import sentence_pair_loss


class MLMSimCSE(MLM):
    """One pass over the masked sentences gives both the masked-word loss (the hidden pieces
    scored as in MLM) and view a (their token states mean-pooled); a second pass over the
    unmasked sentences, through a fresh dropout, gives view b; the loss is the sum of MLM's
    and SimCSE's over (a, b). Two encoder passes a step, as SimCSE alone.

    views: [inputs (N, L)], mask (N, L) True where chosen, labels (N, L) the original ids.
    """

    # The text default (first for text in METHODS): bench/text_tune.py, 5 CPU minutes, kNN gain over
    # the untrained twin +0.308 docstrings / +0.333 packages (mlm +0.176 / +0.250, simcse +0.215 /
    # +0.184); held-out masked words 0.186 / 0.252 (mlm 0.281 / 0.318; unigram 0.052 / 0.081)
    collapse_note = ""  # its SimCSE pairs shape the sentence vector itself: a narrowing is one (MLM's note)
    name = "mlm_simcse"
    description = ("Both: guess the hidden words, and match each masked sentence with itself unmasked "
                   "against the rest of the batch.")
    paper = "Devlin et al. 2019 (BERT) with Gao et al. 2021 (SimCSE)"
    title = "MLM+SimCSE"

    def __init__(self, encoder: Encoder, temperature: float = 0.1) -> None:
        super().__init__(encoder)
        self.temperature = temperature

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        masked_loss, states, metrics = self.masked_word_loss(views)
        whole = views.labels[:, : states.shape[1]]  # type: ignore[index]  # the original ids, same columns
        a = self.encoder.pool(states, whole)  # type: ignore[operator]
        pair_loss, pair_metrics = sentence_pair_loss(a, self.encoder.forward_features(whole), self.temperature)
        return masked_loss + pair_loss, {**metrics, **pair_metrics}
