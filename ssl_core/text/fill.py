"""Fill in the blank: a masked-language-model run's top guesses for each [MASK] of a
sentence, with their probabilities (softmax over the run's vocabulary, special tokens
left out), as the CLI's `fill` prints them and the Lab shows them.

    {"text", "tokens": [piece, ...], "masks": [{"position", "guesses": [{"token", "probability"}]}]}

`masked_word_accuracy` scores a run the same way on held-out sentences: BERT's choice of
15% of the pieces (seeded), every chosen one hidden, the best guess against the piece; the
baseline always guesses the piece most frequent in the training sentences (unigram).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer

from .masking import mask_tokens
from .tokenizer import MASK, MAX_TOKENS, SPECIAL_TOKENS, encode, load_tokenizer

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


def whole_ids(tokenizer: Tokenizer, text: str) -> list[int]:
    """Every id of `text`, [CLS] and [SEP] included, not cut to a window nor padded (read by
    a copy of `tokenizer`, which a page may share between sessions)."""
    whole = Tokenizer.from_str(tokenizer.to_str())
    whole.no_truncation()
    whole.no_padding()
    return whole.encode(text).ids


MASK_SPELLED = re.compile(r"\[mask\]", re.IGNORECASE)  # "[mask]" is [MASK] too (walk 35: "has no [MASK]")


def check_masks(tokenizer: Tokenizer, text: str) -> None:
    """FillError unless `text` has a [MASK] and every one falls inside the MAX_TOKENS window
    the model reads ([CLS], MAX_TOKENS - 2 pieces, [SEP]); positions count [CLS] as 0."""
    masks = [at for at, piece in enumerate(whole_ids(tokenizer, text)) if piece == MASK]
    if not masks:
        raise FillError("the text has no [MASK] to fill in (write [MASK] where a word is hidden)")
    beyond = [at for at in masks if at >= MAX_TOKENS - 1]
    if beyond:
        which = ("the [MASK] is" if len(masks) == 1 else f"{len(beyond)} of the {len(masks)} [MASK]s "
                 f"{'is' if len(beyond) == 1 else 'are'}")
        where = f"it is token {beyond[0]}" if len(masks) == 1 else f"the first at token {beyond[0]}"
        raise FillError(f"{which} beyond the {MAX_TOKENS}-token window the model reads ({where}, [CLS] being "
                        f"token 0); shorten the text before it")


@torch.no_grad()
def fill(method: Any, tokenizer: Tokenizer, text: str, top_k: int = TOP_K) -> dict[str, Any]:
    """The `top_k` guesses for each [MASK] in `text` (see the module docstring); FillError
    (check_masks) when it has none or one lies beyond the window."""
    text = MASK_SPELLED.sub("[MASK]", text)
    check_masks(tokenizer, text)
    ids = encode(tokenizer, [text])
    hidden = (torch.from_numpy(ids[0]) == MASK).nonzero().flatten()
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
    counts = piece_counts(tokenizer, trained_on, max_tokens)
    return model, float((ids[chosen] == counts.argmax()).float().mean()), int(chosen.sum())


def piece_counts(tokenizer: Tokenizer, texts: list[str], max_tokens: int = MAX_TOKENS) -> torch.Tensor:
    """How often each piece of `tokenizer`'s vocabulary occurs in the read window of `texts`,
    special tokens counted 0: (vocabulary,) int64."""
    counts = torch.bincount(torch.from_numpy(encode(tokenizer, texts, max_tokens)).flatten(),
                            minlength=tokenizer.get_vocab_size())
    counts[: len(SPECIAL_TOKENS)] = 0
    return counts


def frequent_pieces(tokenizer: Tokenizer, texts: list[str], top_k: int = 3) -> list[tuple[str, float]]:
    """The `top_k` pieces most frequent in `texts` with their shares of all pieces read: what a
    model that learned only how often pieces occur guesses in every blank, at those
    probabilities (walk 19: 'the' at 0.13 read as 100 times a random guess's 0.0013)."""
    counts = piece_counts(tokenizer, texts).double()
    shares = counts / counts.sum().clamp(min=1)
    best = shares.topk(min(top_k, int((counts > 0).sum())))
    return [(tokenizer.id_to_token(int(i)), float(p)) for p, i in zip(best.values, best.indices)]
