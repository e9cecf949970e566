"""The 1,797 handwritten digits (8x8, 10 classes) that scikit-learn ships."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

DESCRIPTION = "1,797 handwritten digits 0-9 (8x8 pixels, shipped with scikit-learn)."
COUNT = 1797


def make() -> Iterator[tuple[str, np.ndarray, str]]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    grey = (255 - digits.images * (255 / 16)).round().astype(np.uint8)  # dark ink on white
    for i, (image, target) in enumerate(zip(grey, digits.target)):
        yield f"digit_{i:04d}.png", np.repeat(image[:, :, None], 3, axis=2), str(target)
