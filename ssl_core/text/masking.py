"""BERT's masking of a batch of token ids (Devlin et al. 2019, "BERT: Pre-training of Deep
Bidirectional Transformers for Language Understanding", section 3.1): each real token
(not [PAD], [CLS], [SEP]) is chosen with probability `ratio`; a chosen token becomes
[MASK] 80% of the time, a random piece of the vocabulary 10%, and stays itself 10%; the
model must predict every chosen token. Per-sample random, seeded by a torch Generator,
on the batch's device.
"""

from __future__ import annotations

import torch

from .tokenizer import CLS, MASK, PAD, SEP, SPECIAL_TOKENS


def mask_tokens(ids: torch.Tensor, gen: torch.Generator, vocab_size: int, ratio: float = 0.15,
                mask_share: float = 0.8, random_share: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """ids int64 (N, L) -> (inputs (N, L) with the chosen tokens replaced, chosen (N, L) bool).
    Random replacements are drawn from the ordinary pieces, ids SPECIAL..vocab_size-1."""
    real = (ids != PAD) & (ids != CLS) & (ids != SEP)
    draw = torch.rand(ids.shape, generator=gen, device=ids.device)
    chosen = real & (draw < ratio)
    how = torch.rand(ids.shape, generator=gen, device=ids.device)
    to_mask = chosen & (how < mask_share)
    to_random = chosen & (how >= mask_share) & (how < mask_share + random_share)
    random_ids = torch.randint(len(SPECIAL_TOKENS), vocab_size, ids.shape, generator=gen, device=ids.device)
    inputs = torch.where(to_mask, torch.full_like(ids, MASK), ids)
    inputs = torch.where(to_random, random_ids, inputs)
    return inputs, chosen
