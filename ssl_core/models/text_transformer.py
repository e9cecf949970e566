"""A small Transformer text encoder sized for a CPU (BERT's architecture, Devlin et al.
2019, at 2 layers, width 128, 4 heads): token ids (N, L) -> features (N, 128), the mean of
the last layer's token states over the real (non-[PAD]) tokens, or (pooling "cls") the
state of the [CLS] token that opens every example."""

from __future__ import annotations

import torch
from torch import nn

from ..text.tokenizer import MAX_TOKENS, PAD, VOCAB_SIZE
from .base import Encoder

POOLINGS = ("mean", "cls")  # a sentence's vector: the mean of its token states, or its [CLS] state


class TextTransformer(Encoder):
    """Token and learnt position embeddings, pre-norm Transformer layers with GELU and
    dropout (SimCSE's only augmentation), a final LayerNorm.

    forward_features: ids int64 (N, L <= max_tokens) -> (N, width), mean-pooled or the
                      [CLS] state (padding columns past the batch's longest example are
                      dropped first).
    token_states:     ids (N, L) -> (N, L, width), for the masked-word head.
    pool:             token states (N, L, width) of ids (N, L) -> (N, width).
    """

    kind = "text"

    def __init__(self, vocab_size: int = VOCAB_SIZE, max_tokens: int = MAX_TOKENS, width: int = 128,
                 layers: int = 2, heads: int = 4, dropout: float = 0.1, pooling: str = "mean") -> None:
        # 2 layers, not 4 (bench/text_tune.py, same CPU budget): twice the steps; held-out masked
        # words 0.091 vs 0.052 (unigram 0.059, 0.052), SimCSE kNN 0.514 vs 0.462 on docstrings
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"no pooling {pooling!r}; choose one of: {', '.join(POOLINGS)}")
        self.tokens = nn.Embedding(vocab_size, width, padding_idx=PAD)
        self.positions = nn.Embedding(max_tokens, width)
        self.dropout = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(width, heads, 4 * width, dropout, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.layers = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)
        self.num_features = width
        self.vocab_size, self.max_tokens = vocab_size, max_tokens
        self._options = {"vocab_size": vocab_size, "max_tokens": max_tokens, "width": width, "layers": layers,
                         "heads": heads, "dropout": dropout, "pooling": pooling}
        for embedding in (self.tokens, self.positions):  # BERT's initialisation: scores start near uniform
            nn.init.normal_(embedding.weight, std=0.02)
        with torch.no_grad():
            self.tokens.weight[PAD].zero_()

    def options(self) -> dict:
        return dict(self._options)

    def token_states(self, ids: torch.Tensor) -> torch.Tensor:
        if ids.ndim != 2 or ids.is_floating_point():
            raise ValueError(f"the text encoder takes token ids (N, L), not {tuple(ids.shape)} {ids.dtype}")
        if ids.shape[1] > self.max_tokens:
            raise ValueError(f"at most {self.max_tokens} tokens per example, not {ids.shape[1]}")
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.dropout(self.tokens(ids) + self.positions(positions))
        return self.norm(self.layers(x, src_key_padding_mask=ids == PAD))

    @staticmethod
    def trim(ids: torch.Tensor) -> int:
        """Length of the longest real example of a batch (N, L): the columns after it are all
        [PAD] and change nothing (they are masked out), so they need not be computed."""
        return max(1, int((ids != PAD).sum(1).max()))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, : self.trim(x)]
        return self.pool(self.token_states(x), x)

    def pool(self, states: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        """The sentence vectors (N, width) of token states (N, L, width) of `ids` (N, L)."""
        if self._options["pooling"] == "cls":
            return states[:, 0]
        real = (ids != PAD).unsqueeze(-1).to(torch.float32)
        return (states * real).sum(1) / real.sum(1).clamp(min=1.0)
