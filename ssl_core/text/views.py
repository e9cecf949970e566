"""The views of text, registered by name in TEXT_RECIPES: what a text method trains on,
made from a batch of token ids (N, L) on its device, as Views (augment/recipes.py):

- `bert_mask` (MLM): views [inputs (N, L)] with BERT's masking (masking.py), mask (N, L)
  True where a token was chosen, labels (N, L) the original ids to predict there.
- `dropout_pair` (SimCSE): views [ids, ids]: the same sentence twice; the encoder's
  dropout, drawn anew for each copy, is the only augmentation (Gao et al. 2021).

`vocab_size` is the run's tokenizer's, set when the run starts (random replacements come
from the pieces it has).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import torch

from ..augment import Views
from .masking import mask_tokens
from .tokenizer import VOCAB_SIZE


@dataclass
class MaskedTokens:
    name: ClassVar[str] = "bert_mask"
    description: ClassVar[str] = "Hide 15% of the word pieces: 80% become [MASK], 10% a random piece, 10% stay."
    mask_ratio: float = 0.15
    vocab_size: int = VOCAB_SIZE

    def __call__(self, batch: torch.Tensor, gen: torch.Generator, size: int | None = None) -> Views:
        inputs, chosen = mask_tokens(batch, gen, self.vocab_size, self.mask_ratio)
        return Views([inputs], mask=chosen, labels=batch)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **asdict(self)}


@dataclass
class DropoutPair:
    name: ClassVar[str] = "dropout_pair"
    description: ClassVar[str] = "The same sentence twice; dropout inside the encoder makes the two views differ."
    vocab_size: int = VOCAB_SIZE

    def __call__(self, batch: torch.Tensor, gen: torch.Generator, size: int | None = None) -> Views:
        return Views([batch, batch])

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **asdict(self)}


TEXT_RECIPES: dict[str, type[MaskedTokens] | type[DropoutPair]] = {r.name: r for r in (MaskedTokens, DropoutPair)}


def text_recipe(data: dict[str, Any] | None, default: str, vocab_size: int) -> MaskedTokens | DropoutPair:
    """The recipe a config's `recipe` dict names (None: `default`), for `vocab_size` pieces."""
    params = dict(data or {"name": default})
    name = params.pop("name")
    if name not in TEXT_RECIPES:
        raise KeyError(f"no text recipe {name!r}; choose one of: {', '.join(TEXT_RECIPES)}")
    return TEXT_RECIPES[name](**{**params, "vocab_size": vocab_size})
