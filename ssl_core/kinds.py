"""What one kind of data ('image', 'text') means to training and embedding, registered by
name in KINDS: the engine, the job queue and embed.py ask the dataset's kind instead of
branching on it. After features (N, D) nothing needs a kind.

A kind gives: the array a run trains on (`training_data`), the views maker of a run
(`recipe`), a blank batch for the queue's dry step, the encoder's input for a batch of
stored items (`model_input`), neighbours by a cheap descriptor for the label-free monitor,
the items of a dataset as a source embeds them (`embedding_items`), and what evaluating
needs beyond features (`evaluation`: the baseline, positive pairs, the shortcut check).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from .store import DatasetInfo, Workspace
from .text.kind import TextKind

if TYPE_CHECKING:
    from .embed import EncoderSource


class ImageKind:
    """Images: uint8 (N, S, S, 3), augmented by a recipe of RECIPES, resized for the encoder."""

    name = "image"

    def training_data(self, ws: Workspace, info: DatasetInfo, run_dir: Path) -> np.ndarray:
        return np.asarray(ws.images(info))

    def recipe(self, config: Any, run_dir: Path | None) -> Any:
        return config.resolved_recipe()

    def blank_batch(self, stored_size: int) -> torch.Tensor:
        return torch.zeros(2, stored_size, stored_size, 3, dtype=torch.uint8)

    def model_input(self, batch: torch.Tensor, side: int) -> torch.Tensor:
        from .augment import ops

        return ops.to_float_side(batch, side)

    def cheap_neighbours(self, items: np.ndarray) -> list[torch.Tensor]:
        from .evaluate.departure import cheap_neighbours

        return cheap_neighbours(items)

    def embedding_items(self, ws: Workspace, info: DatasetInfo, source: EncoderSource) -> np.ndarray:
        return ws.images(info)

    def evaluation(self) -> Any:
        """What evaluate/report.py needs beyond features (evaluate/image_hooks.py)."""
        from .evaluate.image_hooks import ImageEvaluation

        return ImageEvaluation()


KINDS: dict[str, ImageKind | TextKind] = {kind.name: kind for kind in (ImageKind(), TextKind())}


def kind_of_method(method: Any) -> ImageKind | TextKind:
    """The kind a method class trains on (its first declared kind)."""
    return KINDS[method.kinds[0]]


def methods_for(kind: str) -> list[str]:
    """Names of the methods in METHODS that train on datasets of `kind`, in registry order."""
    from .methods import METHODS

    return [name for name, method in METHODS.items() if kind in method.kinds]


def known_method(kind: str, name: str) -> str:
    """`name` where METHODS has it; else a KeyError naming the methods for datasets of `kind`
    (walk 10: an image dataset's unknown method was offered the text methods too)."""
    from .methods import METHODS

    if name not in METHODS:
        raise KeyError(f"no method {name!r}; choose one of the methods for {kind} datasets: "
                       f"{', '.join(methods_for(kind))}")
    return name


def recipe_class(name: str) -> Any:
    """The recipe class called `name`, of any kind (RECIPES for images, TEXT_RECIPES for text)."""
    from .augment import RECIPES
    from .text.views import TEXT_RECIPES

    found = {**RECIPES, **TEXT_RECIPES}.get(name)
    if found is None:
        raise KeyError(f"no recipe {name!r}; choose one of: {', '.join([*RECIPES, *TEXT_RECIPES])}")
    return found


def encoders_of(kind: str) -> list[str]:
    """Names of the encoders in ENCODERS that read datasets of `kind`."""
    from .models import ENCODERS

    return [name for name, entry in ENCODERS.items() if entry.kind == kind]


def encoders_for(method: Any) -> list[str]:
    """The encoders a method class can train: its own list, else every encoder of its kinds."""
    return list(method.encoders or [name for kind in method.kinds for name in encoders_of(kind)])
