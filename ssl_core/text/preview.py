"""What the Lab shows of the two text methods: BERT's masking on one sentence (each word
piece, what the model is given in its place ([MASK], a random piece, or itself) and
whether it must be guessed, drawn by the same `mask_tokens` the trainer uses, seeded);
and SimCSE's positive pairs (Gao et al. 2021): a batch of sentences read twice with the
encoder's dropout on, and the cosine similarity of every first view with every second."""

from __future__ import annotations

import zlib

import numpy as np
import torch
import torch.nn.functional as F
from tokenizers import Tokenizer

from .masking import mask_tokens
from .tokenizer import CLS, PAD, SEP, encode


def masked_pieces(tokenizer: Tokenizer, text: str, ratio: float, seed: int) -> list[dict[str, object]]:
    """[{"piece", "given", "hidden"}] for the pieces of `text` ([CLS], [SEP], padding left out), drawn by a
    generator seeded by `seed` and the text: one seed alone drew the same positions in every sentence (walk 35:
    the 2nd and 3rd pieces of each hidden, each as [MASK]), as the trainer's draws of a batch never are."""
    ids = torch.from_numpy(encode(tokenizer, [text]))
    generator = torch.Generator().manual_seed(zlib.crc32(f"{seed}:{text}".encode()))
    inputs, chosen = mask_tokens(ids, generator, tokenizer.get_vocab_size(), ratio)
    keep = (ids[0] != PAD) & (ids[0] != CLS) & (ids[0] != SEP)
    return [{"piece": tokenizer.id_to_token(int(i)), "given": tokenizer.id_to_token(int(g)), "hidden": bool(h)}
            for i, g, h in zip(ids[0][keep], inputs[0][keep], chosen[0][keep])]


def piece_count(tokenizer: Tokenizer, text: str) -> int:
    """How many word pieces `text` holds whole ([CLS] and [SEP] left out), however many an
    encoder reads (encode keeps the first MAX_TOKENS - 2); on a copy of `tokenizer`, whose
    truncation other sessions' `encode` calls rely on."""
    whole = Tokenizer.from_str(tokenizer.to_str())
    whole.no_truncation()
    whole.no_padding()
    return len(whole.encode(text, add_special_tokens=False).ids)


def dropout_similarity(encoder: torch.nn.Module, ids: torch.Tensor, seed: int) -> np.ndarray:
    """float32 (n, n): cosine similarity of view a of sentence i (row) with view b of
    sentence j (column), both views the encoder's output on token ids (n, L) with its
    dropout on (as SimCSE trains), seeded; the positive pairs are the diagonal."""
    was_training = encoder.training
    encoder.train()
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            first, second = (F.normalize(encoder(ids).float(), dim=1) for _ in range(2))
    finally:
        encoder.train(was_training)
    return (first @ second.T).numpy()
