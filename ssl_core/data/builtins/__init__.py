"""Built-in demo datasets that need no network, registered by name in DATASETS.

Each yields (file name, item, hidden label): the item is a uint8 image (H, W, 3) for
kind 'image', a sentence for kind 'text'. Labels are kept only to judge and colour what an
encoder learned; training never reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from . import clutter, colour_shapes, digits, docstrings, shapes, skimage_patches

BuiltinImage = tuple[str, np.ndarray, str]


@dataclass(frozen=True)
class BuiltinDataset:
    name: str
    description: str  # one plain sentence for the Data page
    count: int  # number of items it yields
    make: Callable[[], Iterator[BuiltinImage]] | Callable[[], Iterator[tuple[str, str, str]]]
    kind: str = "image"  # what one item is (store.DatasetInfo.kind)


DATASETS: dict[str, BuiltinDataset] = {
    d.name: d
    for d in (
        BuiltinDataset("shapes", shapes.DESCRIPTION, shapes.COUNT, shapes.make),
        BuiltinDataset("digits", digits.DESCRIPTION, digits.COUNT, digits.make),
        BuiltinDataset("photos", skimage_patches.PHOTOS_DESCRIPTION, skimage_patches.PHOTOS_COUNT,
                       skimage_patches.make_photos),
        BuiltinDataset("textures", skimage_patches.TEXTURES_DESCRIPTION,
                       skimage_patches.TEXTURES_COUNT, skimage_patches.make_textures),
        BuiltinDataset("clutter_shapes", clutter.SHAPES_DESCRIPTION, clutter.COUNT, clutter.make_shapes),
        BuiltinDataset("clutter_digits", clutter.DIGITS_DESCRIPTION, clutter.COUNT, clutter.make_digits),
        BuiltinDataset("colour_shapes", colour_shapes.DESCRIPTION, colour_shapes.COUNT, colour_shapes.make),
        BuiltinDataset("docstrings", docstrings.DESCRIPTION, docstrings.COUNT, docstrings.make, kind="text"),
    )
}


def get_builtin(name: str) -> BuiltinDataset:
    """The built-in called `name`; an unknown name fails with the list of valid ones."""
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"no built-in dataset {name!r}; choose one of: {', '.join(DATASETS)}") from None
