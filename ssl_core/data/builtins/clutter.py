"""Hard sets that look like users' pictures: a small object at a random place on a cluttered
photographic background; the hidden label is the object.

Backgrounds are patches of the photographs and textures scikit-image ships, cut at random
places and scales, with their channels shuffled and scaled at random; each is used once,
so the background says nothing about the label, but it fills most of the picture and is
the cheapest cue two crops of one image share. Objects are the generated shapes
(`clutter_shapes`) or scikit-learn's handwritten digits (`clutter_digits`) in a random
colour that stands out from the background under them, covering 6-15% of the picture.
An encoder that groups by background scores near chance here; one that finds the object
does not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from PIL import Image

from . import shapes
from .skimage_patches import PHOTOS, TEXTURES, _rgb, random_patches

SIDE = 64
SCALE = 4  # objects are drawn this many times larger, then reduced: anti-aliased edges
COUNT = 2000
SHAPES_DESCRIPTION = (f"{COUNT:,} small shapes (circle, square, triangle, star, cross) at random places "
                      "on cluttered photo and texture backgrounds, randomly coloured; the label is the "
                      "shape (hard: the background fills most of the picture).")
DIGITS_DESCRIPTION = (f"{COUNT:,} small handwritten digits at random places on cluttered photo and texture "
                      "backgrounds, randomly coloured; the label is the digit (hard: the background "
                      "fills most of the picture).")

Mask = np.ndarray  # (SIDE, SIDE) float32 alpha in [0, 1]


def background_sources() -> list[np.ndarray]:
    """The photographs and textures backgrounds are cut from, as RGB arrays."""
    import skimage.data

    return [_rgb(getattr(skimage.data, name)()) for name in PHOTOS + TEXTURES]


def background(sources: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """A (SIDE, SIDE, 3) float32 patch of a random source, channels shuffled and scaled."""
    source = sources[int(rng.integers(len(sources)))]
    patch = next(random_patches(source, 1, rng))
    image = np.asarray(Image.fromarray(patch).resize((SIDE, SIDE), Image.Resampling.BILINEAR), np.float32)
    return recolour(image, rng)


def recolour(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """float32 `image` (H, W, 3) with its channels shuffled and scaled at random."""
    return np.clip(image[:, :, rng.permutation(3)] * rng.uniform(0.6, 1.4, 3), 0, 255)


def shape_mask(kind: str, rng: np.random.Generator) -> Mask:
    """Alpha of one shape of radius 12-19% of the side, at a random place and angle."""
    big = SIDE * SCALE
    r = rng.uniform(0.12, 0.19) * big
    cx, cy = rng.uniform(r, big - r, 2)
    canvas = Image.new("L", (big, big), 0)
    shapes.paint_shape(canvas, kind, cx, cy, r, rng.uniform(0, 2 * np.pi), 255)  # type: ignore[arg-type]
    return np.asarray(canvas.resize((SIDE, SIDE), Image.Resampling.BOX), np.float32) / 255


def digit_mask(glyph: np.ndarray, rng: np.random.Generator) -> Mask:
    """Alpha of an 8x8 digit `glyph` (ink 0..16) enlarged to 30-42% of the side, at a random place."""
    size = int(rng.integers(round(0.30 * SIDE), round(0.42 * SIDE) + 1))
    ink = Image.fromarray((glyph * (255 / 16)).astype(np.uint8)).resize((size, size), Image.Resampling.BILINEAR)
    y, x = rng.integers(0, SIDE - size + 1, 2)
    alpha = np.zeros((SIDE, SIDE), np.float32)
    alpha[y : y + size, x : x + size] = np.asarray(ink, np.float32) / 255
    return alpha


def composite(back: np.ndarray, alpha: Mask, rng: np.random.Generator) -> np.ndarray:
    """`back` with a random colour painted through `alpha`, the colour far (L1 >= 200) from
    the background's mean under the object so the object stays visible."""
    under = (back * alpha[:, :, None]).sum((0, 1)) / max(float(alpha.sum()), 1e-6)
    colour = rng.integers(0, 256, 3).astype(np.float32)
    while np.abs(colour - under).sum() < 200:
        colour = rng.integers(0, 256, 3).astype(np.float32)
    a = alpha[:, :, None]
    return np.round(back * (1 - a) + colour * a).astype(np.uint8)


def _make(objects: Callable[[np.random.Generator, int], tuple[str, Mask]], prefix: str,
          seed: int) -> Iterator[tuple[str, np.ndarray, str, Mask]]:
    """(file name, image (SIDE, SIDE, 3) uint8, label, the object's alpha) per picture."""
    rng = np.random.default_rng(seed)
    sources = background_sources()
    for i in range(COUNT):
        label, alpha = objects(rng, i)
        yield f"{prefix}_{label}_{i:04d}.png", composite(background(sources, rng), alpha, rng), label, alpha


def _without_masks(made: Iterator[tuple[str, np.ndarray, str, Mask]]) -> Iterator[tuple[str, np.ndarray, str]]:
    return ((name, image, label) for name, image, label, _ in made)


def shapes_with_masks() -> Iterator[tuple[str, np.ndarray, str, Mask]]:
    """`clutter_shapes` with where each object is (bench/tune.py's oracle masks)."""
    def objects(rng: np.random.Generator, i: int) -> tuple[str, Mask]:
        kind = shapes.SHAPES[i % len(shapes.SHAPES)]
        return kind, shape_mask(kind, rng)

    return _make(objects, "shape", seed=2)


def digits_with_masks() -> Iterator[tuple[str, np.ndarray, str, Mask]]:
    """`clutter_digits` with where each digit is (bench/tune.py's oracle masks)."""
    from sklearn.datasets import load_digits

    digits = load_digits()

    def objects(rng: np.random.Generator, i: int) -> tuple[str, Mask]:
        row = i % len(digits.images)
        return str(digits.target[row]), digit_mask(digits.images[row], rng)

    return _make(objects, "digit", seed=3)


def make_shapes() -> Iterator[tuple[str, np.ndarray, str]]:
    return _without_masks(shapes_with_masks())


def make_digits() -> Iterator[tuple[str, np.ndarray, str]]:
    return _without_masks(digits_with_masks())
