"""A generated set where colour is the shortcut: shapes, each image on its own colour.

Every image is one hue: a flat background of a random hue, saturation and brightness,
and a small shape (the hidden label: circle, square, triangle, star, cross) painted in
the same hue, lighter or darker. The hue tells two crops of one image apart from other
images better than anything else, and says nothing about the shape: an encoder that
matches views by colour groups images by hue and scores near chance by kNN, one that
matches them by the shape's outline does not. It is what the advice of the Diagnosis
panel (evaluate/advice.py) is shown on: bench/advice.py.

Measured (SimCLR, small CNN, 32 px, 2 CPU minutes on bench/tune.py's clock, kNN on every
image; untrained 0.22-0.24): the tuned default recipe (half the views grey, colour jitter
on 80%) is not fooled by the hue. With shapes of radius 16-26% of the side it reached kNN
0.947 and the shortcut check found colour explaining little (0.21); with the shapes made
smaller (RADIUS, 9-14%) it reached 0.621, colour 'some' (0.37), the cue named being the
shape's position (0.82).
"""

from __future__ import annotations

import colorsys
from collections.abc import Iterator

import numpy as np
from PIL import Image

from . import shapes

COUNT = 2000
SIDE = 64
SCALE = 4  # drawn this many times larger, then reduced: anti-aliased edges
RADIUS = (0.09, 0.14)  # the shape's outer radius, as a share of the side
DESCRIPTION = (f"{COUNT:,} small shapes (circle, square, triangle, star, cross), each image one random hue: "
               "the background in it, the shape lighter or darker; the label is the shape (colour is the "
               "shortcut: it tells images apart and says nothing of the shape).")


def rgb(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    """HSV in [0, 1] -> an RGB triple 0..255."""
    return tuple(int(round(255 * c)) for c in colorsys.hsv_to_rgb(hue, saturation, value))  # type: ignore[return-value]


def draw(kind: str, rng: np.random.Generator, side: int = SIDE) -> np.ndarray:
    """One (side, side, 3) uint8 image: `kind` at a random place, size and angle, in a
    random hue that fills the background too."""
    hue, saturation = rng.uniform(0, 1), rng.uniform(0.5, 1.0)
    back = rng.uniform(0.35, 1.0)
    shift = rng.uniform(0.3, 0.45)
    front = back - shift if back - shift >= 0.1 else back + shift  # lighter or darker, always visible
    big = side * SCALE
    r = rng.uniform(*RADIUS) * big
    cx, cy = rng.uniform(r, big - r, 2)
    image = Image.new("RGB", (big, big), rgb(hue, saturation, back))
    angle = 0.0 if kind == "circle" else rng.uniform(0, 2 * np.pi)
    shapes.paint_shape(image, kind, cx, cy, r, angle, rgb(hue, saturation, min(front, 1.0)))
    return np.asarray(image.resize((side, side), Image.Resampling.BOX), dtype=np.uint8)


def make(count: int = COUNT, seed: int = 4) -> Iterator[tuple[str, np.ndarray, str]]:
    rng = np.random.default_rng(seed)
    for i in range(count):
        kind = shapes.SHAPES[i % len(shapes.SHAPES)]
        yield f"{kind}_{i:04d}.png", draw(kind, rng), kind
