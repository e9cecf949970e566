"""The text kind's hooks (see ssl_core/kinds.py): token ids instead of pixels.

A run's tokenizer is trained on its dataset when the run first starts and saved in the run
folder (a resume reads it back, so ids never change under a checkpoint); the untrained
twin of a text encoder gets one trained on the dataset it embeds, once, kept in the
dataset's folder (`untrained-<vocabulary size>/tokenizer.json`, a twin of another size
than the default reading with as many pieces as its encoder has rows): WordPiece training breaks ties between
pieces differently from one call to the next, so a tokenizer trained again would give a
typed query other ids than the embedding it is searched in. The label-free
monitor's cheap neighbours are by TF-IDF over word pieces (bag of words).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from tokenizers import Tokenizer

from ..store import DatasetInfo, Workspace
from .tokenizer import (
    CLS, MAX_TOKENS, SEP, SPECIAL_TOKENS, TOKENIZER_FILE, VOCAB_SIZE, encode, load_tokenizer, save_tokenizer,
    train_tokenizer,
)
from .views import text_recipe

if TYPE_CHECKING:
    from ..embed import EncoderSource


def run_tokenizer(ws: Workspace, info: DatasetInfo, run_dir: Path) -> Tokenizer:
    """The run's tokenizer: read from `run_dir`, else the dataset's (`dataset_tokenizer`), saved
    there. One per dataset, not one per run: the WordPiece trainer breaks ties differently each
    time (7 runs of walk 13's sentences, 7 vocabularies), so runs of one setting had untrained
    twins of 53.6% to 62.9% kNN, and Evaluate's twin, reading with the dataset's, another."""
    if (run_dir / TOKENIZER_FILE).exists():
        return load_tokenizer(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = dataset_tokenizer(ws, info, VOCAB_SIZE)
    save_tokenizer(tokenizer, run_dir)
    return tokenizer


UNTRAINED_FOLDER = "untrained-{vocab}"  # under a text dataset's folder: its tokenizer, of untrained twins and runs


def source_tokenizer(ws: Workspace, info: DatasetInfo, source: EncoderSource) -> Tokenizer:
    """The tokenizer a source reads text with: its run's, or (untrained) the one of the
    encoder's vocabulary size trained on `info` the first time and kept with it."""
    from .. import jobs

    if source.run_id is not None:
        return load_tokenizer(jobs.run_dir(ws, source.run_id))
    return dataset_tokenizer(ws, info, dict(source.shape).get("vocab_size", VOCAB_SIZE))


def dataset_tokenizer(ws: Workspace, info: DatasetInfo, vocab: int) -> Tokenizer:
    """The tokenizer of at most `vocab` pieces trained on `info` the first time and kept with it."""
    from ..data.text_ingest import load_texts

    folder = ws.dataset_dir(info) / UNTRAINED_FOLDER.format(vocab=vocab)
    with ws.lock(f"tokenizer-{info.id}"):  # two sessions asking at once keep one tokenizer
        if (folder / TOKENIZER_FILE).exists():
            return load_tokenizer(folder)
        tokenizer = train_tokenizer(load_texts(ws, info), vocab)
        folder.mkdir(exist_ok=True)
        save_tokenizer(tokenizer, folder)
    return tokenizer


def tf_idf(ids: np.ndarray, vocab_size: int) -> torch.Tensor:
    """Bag-of-pieces TF-IDF rows (N, vocab) of token ids (N, L), specials left out."""
    ids_t = torch.as_tensor(ids, dtype=torch.long)
    counts = torch.zeros(len(ids_t), vocab_size)
    counts.scatter_add_(1, ids_t, torch.ones_like(ids_t, dtype=torch.float32))
    counts[:, : len(SPECIAL_TOKENS)] = 0
    documents = (counts > 0).sum(0).float()
    return counts * torch.log((1 + len(ids_t)) / (1 + documents)).add(1)


class TextKind:
    """Text: token ids int64 (N, MAX_TOKENS), viewed by TEXT_RECIPES, fed to the encoder as is."""

    name = "text"

    def training_data(self, ws: Workspace, info: DatasetInfo, run_dir: Path) -> np.ndarray:
        from ..data.text_ingest import load_texts

        return encode(run_tokenizer(ws, info, run_dir), load_texts(ws, info))

    def recipe(self, config: Any, run_dir: Path | None) -> Any:
        from ..methods import get_method

        vocab = load_tokenizer(run_dir).get_vocab_size() if run_dir is not None else VOCAB_SIZE
        return text_recipe(config.recipe, get_method(config.method).default_recipe, vocab)

    def blank_batch(self, stored_size: int) -> torch.Tensor:
        ids = torch.full((2, MAX_TOKENS), len(SPECIAL_TOKENS), dtype=torch.long)
        ids[:, 0], ids[:, -1] = CLS, SEP
        return ids

    def model_input(self, batch: torch.Tensor, side: int) -> torch.Tensor:
        return batch

    def cheap_neighbours(self, items: np.ndarray) -> list[torch.Tensor]:
        from ..evaluate.neighbours import neighbours_of
        from ..evaluate.verdict import NEIGHBOURS

        return [neighbours_of(tf_idf(items, VOCAB_SIZE), NEIGHBOURS)]

    def embedding_items(self, ws: Workspace, info: DatasetInfo, source: EncoderSource) -> np.ndarray:
        from ..data.text_ingest import load_texts

        return encode(source_tokenizer(ws, info, source), load_texts(ws, info), max_tokens_of(source))

    def evaluation(self) -> Any:
        """What evaluate/report.py needs beyond features (text/evaluation.py: TF-IDF baseline)."""
        from .evaluation import TextEvaluation

        return TextEvaluation()


def text_query(ws: Workspace, info: DatasetInfo, source: EncoderSource, text: str) -> np.ndarray:
    """Token ids (1, MAX_TOKENS) of a typed query, read by `source`'s tokenizer, for
    searching text dataset `info`."""
    if info.kind != TextKind.name:
        raise ValueError(f"dataset {info.name!r} holds {info.kind}s: search it with an image (--query)")
    if not text.strip():
        raise ValueError("the query text is empty")
    return encode(source_tokenizer(ws, info, source), [text], max_tokens_of(source))


def max_tokens_of(source: EncoderSource) -> int:
    """The pieces per example `source`'s encoder reads (MAX_TOKENS unless its run set another)."""
    return int(dict(source.shape).get("max_tokens", MAX_TOKENS))
