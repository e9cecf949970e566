"""Fill in the blank: a masked-language-model run's top guesses for each [MASK] of a
sentence, with their probabilities (softmax over the run's vocabulary, special tokens
left out), as the CLI's `fill` prints them and the Lab shows them.

    {"text", "tokens": [piece, ...], "masks": [{"position", "guesses": [{"token", "probability"}]}]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer

from .tokenizer import MASK, MAX_TOKENS, PAD, SPECIAL_TOKENS, encode, load_tokenizer

TOP_K = 5


class FillError(ValueError):
    """A sentence or run that cannot be filled in; the message says why."""


def load_fill_model(run_dir: Path) -> tuple[Any, Tokenizer]:
    """The trained method of an `mlm` run and its tokenizer, in eval mode on the CPU."""
    from ..checkpoint import load_trained, read_meta
    from ..methods import get_method

    meta = read_meta(run_dir)
    if meta is None:
        raise FillError(f"{run_dir.name} has no checkpoint yet")
    if not hasattr(get_method(meta["config"]["method"]), "token_scores"):
        raise FillError(f"run {run_dir.name} was trained with {meta['config']['method']}, which does not guess "
                        "hidden words; use an mlm run")
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
