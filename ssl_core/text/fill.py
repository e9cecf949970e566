"""Fill in the blank: a masked-language-model run's top guesses for each [MASK] of a
sentence, with their probabilities (softmax over the run's vocabulary, special tokens
left out), as the CLI's `fill` prints them and the Lab shows them.

    {"text", "tokens": [piece, ...], "masks": [{"position", "guesses": [{"token", "probability"}]}]}

`masked_word_accuracy` scores a run the same way on held-out sentences: BERT's choice of
15% of the pieces (seeded), every chosen one hidden, the best guess against the piece; the
baseline always guesses the piece most frequent in the training sentences (unigram).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer

from .masking import mask_tokens
from .tokenizer import MASK, MAX_TOKENS, PAD, SPECIAL_TOKENS, encode, load_tokenizer

TOP_K = 5


class FillError(ValueError):
    """A sentence or run that cannot be filled in; the message says why."""


def guesses_words(method_name: str) -> bool:
    """Whether runs of `method_name` score hidden words (token_scores: mlm, mlm_simcse)."""
    from ..methods import get_method

    return hasattr(get_method(method_name), "token_scores")


def load_fill_model(run_dir: Path) -> tuple[Any, Tokenizer]:
    """The trained method of a run that guesses words and its tokenizer, in eval mode on the CPU."""
    from ..checkpoint import load_trained, read_meta

    meta = read_meta(run_dir)
    if meta is None:
        raise FillError(f"{run_dir.name} has no checkpoint yet")
    if not guesses_words(meta["config"]["method"]):
        raise FillError(f"run {run_dir.name} was trained with {meta['config']['method']}, which does not guess "
                        "hidden words; use an mlm or mlm_simcse run")
    method, _ = load_trained(run_dir)
    return method, load_tokenizer(run_dir)


@torch.no_grad()
def fill(method: Any, tokenizer: Tokenizer, text: str, top_k: int = TOP_K) -> dict[str, Any]:
    """The `top_k` guesses for each [MASK] in `text` (see the module docstring)."""
    ids = encode(tokenizer, [text])
    hidden = (torch.from_numpy(ids[0]) == MASK).nonzero().flatten()
    if len(hidden) == 0:
        raise FillError("the text has no [MASK] to fill in (write [MASK] where a word is hidden)")
    if ids[0, -1] != PAD and len(hidden) < text.count("[MASK]"):
        raise FillError(f"a [MASK] falls beyond the first {MAX_TOKENS} word pieces; shorten the text")
    scores = method.token_scores(torch.from_numpy(ids))[0, hidden].float()  # (M, model vocabulary)
    allowed = torch.full_like(scores, float("-inf"))
    allowed[:, len(SPECIAL_TOKENS) : tokenizer.get_vocab_size()] = 0.0
    probabilities = torch.softmax(scores + allowed, dim=-1)
    best = probabilities.topk(min(top_k, tokenizer.get_vocab_size() - len(SPECIAL_TOKENS)), dim=-1)
    pieces = tokenizer.encode(text).tokens
    return {"text": text, "tokens": [p for p in pieces if p != "[PAD]"],
            "masks": [{"position": int(position),
                       "guesses": [{"token": tokenizer.id_to_token(int(i)), "probability": round(float(p), 4)}
                                   for p, i in zip(values, indices)]}
                      for position, values, indices in zip(hidden, best.values, best.indices)]}


@torch.no_grad()
def masked_word_accuracy(method: Any, tokenizer: Tokenizer, held: list[str], trained_on: list[str],
                         max_tokens: int = MAX_TOKENS, seed: int = 0) -> tuple[float, float, int]:
    """(the model's accuracy, the unigram guess's accuracy, pieces judged) on the hidden
    pieces of the `held` sentences (see the module docstring); the method in eval mode."""
    ids = torch.from_numpy(encode(tokenizer, held, max_tokens))
    vocab = tokenizer.get_vocab_size()
    _, chosen = mask_tokens(ids, torch.Generator().manual_seed(seed), vocab)
    inputs = torch.where(chosen, torch.full_like(ids, MASK), ids)
    scores = torch.cat([method.token_scores(inputs[i : i + 256]) for i in range(0, len(inputs), 256)])
    scores[..., : len(SPECIAL_TOKENS)] = float("-inf")
    scores[..., vocab:] = float("-inf")
    model = float((scores.argmax(-1)[chosen] == ids[chosen]).float().mean())
    counts = torch.bincount(torch.from_numpy(encode(tokenizer, trained_on, max_tokens)).flatten(), minlength=vocab)
    counts[: len(SPECIAL_TOKENS)] = 0
    return model, float((ids[chosen] == counts.argmax()).float().mean()), int(chosen.sum())
