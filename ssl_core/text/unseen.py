"""Which words of a typed query occur in none of a text dataset's examples.

A run's WordPiece tokenizer (tokenizer.py) spells a word it never saw with smaller pieces,
so a made-up word still gets features and neighbours at ordinary scores; those neighbours
follow its spelling, not a meaning learned from sentences. Words are split as the
tokenizer splits them (its normaliser: lower-cased, accents kept; pre-tokenised at spaces
and punctuation), punctuation and numbers left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from tokenizers import pre_tokenizers

from .tokenizer import normalizer

_NORMALIZE = normalizer()
_SPLIT = pre_tokenizers.BertPreTokenizer()


def words(text: str) -> list[str]:
    """The words of `text` as the tokenizer splits them, in order, letters-bearing ones only."""
    pieces = _SPLIT.pre_tokenize_str(_NORMALIZE.normalize_str(text))
    return [word for word, _ in pieces if any(ch.isalpha() for ch in word)]


def corpus_words(texts: Iterable[str]) -> frozenset[str]:
    """Every word of `texts` (a dataset's examples), for `unseen_words`."""
    return frozenset(word for text in texts for word in words(text))


def unseen_words(query: str, seen: frozenset[str]) -> list[str]:
    """The words of `query` not in `seen` (corpus_words of the dataset), each once, in order."""
    return list(dict.fromkeys(word for word in words(query) if word not in seen))
