"""What the Lab shows of BERT's masking on one sentence: each word piece, what the model
is given in its place ([MASK], a random piece, or itself) and whether it must be guessed,
drawn by the same `mask_tokens` the trainer uses, seeded."""

from __future__ import annotations

import torch
from tokenizers import Tokenizer

from .masking import mask_tokens
from .tokenizer import CLS, PAD, SEP, encode


def masked_pieces(tokenizer: Tokenizer, text: str, ratio: float, seed: int) -> list[dict[str, object]]:
    """[{"piece", "given", "hidden"}] for the pieces of `text` ([CLS], [SEP], padding left out)."""
    ids = torch.from_numpy(encode(tokenizer, [text]))
    inputs, chosen = mask_tokens(ids, torch.Generator().manual_seed(seed), tokenizer.get_vocab_size(), ratio)
    keep = (ids[0] != PAD) & (ids[0] != CLS) & (ids[0] != SEP)
    return [{"piece": tokenizer.id_to_token(int(i)), "given": tokenizer.id_to_token(int(g)), "hidden": bool(h)}
            for i, g, h in zip(ids[0][keep], inputs[0][keep], chosen[0][keep])]
