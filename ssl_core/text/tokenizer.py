"""A WordPiece vocabulary trained on a text dataset's corpus (once: text/kind.dataset_tokenizer),
and sentences -> token ids.

`train_tokenizer(texts)` learns at most VOCAB_SIZE pieces (lower-cased with accents
kept, BERT's normalisation and pre-tokenisation otherwise; Devlin et al. 2019) with the `tokenizers` package in
seconds; `encode(tokenizer, texts)` gives int64 ids (N, MAX_TOKENS): [CLS] pieces [SEP],
cut to MAX_TOKENS and padded with [PAD]. The special tokens have fixed ids (PAD 0, UNK 1,
CLS 2, SEP 3, MASK 4) so that masks and padding need no tokenizer at hand. The tokenizer
is saved as `tokenizer.json` in the run's folder (plain JSON, never unpickled) beside the
checkpoint, and loaded from there to embed, evaluate and fill in blanks.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece
from tokenizers.trainers import WordPieceTrainer

from ..store import atomic_write_bytes

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
PAD, UNK, CLS, SEP, MASK = range(len(SPECIAL_TOKENS))
VOCAB_SIZE = 2048  # at most; a small corpus gives fewer pieces (the model keeps this many rows)
MAX_TOKENS = 32  # per example, [CLS] and [SEP] included (docstrings: 16 on average)
TOKENIZER_FILE = "tokenizer.json"


class TokenizerError(ValueError):
    """A tokenizer file that is missing or cannot be read; the message names it."""


def normalizer() -> normalizers.Normalizer:
    """BERT's normalisation, lower-cased, accents kept: 'Éclipse' -> 'éclipse' (BERT's
    uncased default also strips them, which made 'pêche' and 'péché' one word and left the
    fill-in-the-blank no accented word to guess)."""
    return normalizers.BertNormalizer(lowercase=True, strip_accents=False)


def train_tokenizer(texts: Sequence[str], vocab_size: int = VOCAB_SIZE) -> Tokenizer:
    """A WordPiece tokenizer of at most `vocab_size` pieces learnt from `texts`."""
    tokenizer = Tokenizer(WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizer()
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    trainer = WordPieceTrainer(vocab_size=vocab_size, special_tokens=list(SPECIAL_TOKENS), show_progress=False)
    tokenizer.train_from_iterator(texts, trainer)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", CLS), ("[SEP]", SEP)])
    return tokenizer


def encode(tokenizer: Tokenizer, texts: Sequence[str], max_tokens: int = MAX_TOKENS) -> np.ndarray:
    """Token ids int64 (N, max_tokens), padded with PAD; a longer text keeps its first pieces
    (and its [SEP])."""
    tokenizer.enable_truncation(max_tokens)
    tokenizer.enable_padding(pad_id=PAD, pad_token="[PAD]", length=max_tokens)
    ids = np.array([e.ids for e in tokenizer.encode_batch(list(texts))], dtype=np.int64)
    return ids.reshape(len(texts), max_tokens)


def decode(tokenizer: Tokenizer, ids: Sequence[int]) -> str:
    """The text of `ids` without special tokens (pieces joined back into words)."""
    return tokenizer.decode(list(ids), skip_special_tokens=True)


def save_tokenizer(tokenizer: Tokenizer, folder: Path) -> Path:
    path = folder / TOKENIZER_FILE
    atomic_write_bytes(path, tokenizer.to_str().encode("utf-8"))
    return path


def load_tokenizer(folder: Path) -> Tokenizer:
    path = folder / TOKENIZER_FILE
    try:
        return Tokenizer.from_str(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TokenizerError(f"{path} is missing: the run has no tokenizer (was it trained on text?)") from None
    except Exception as exc:  # the tokenizers package raises its own Exception subclass
        raise TokenizerError(f"{path} cannot be read as a tokenizer ({exc})") from None
