"""Patches cut at random places and scales from the photographs and textures that
scikit-image ships; the hidden label is the picture a patch came from."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field",
          "immunohistochemistry", "retina", "colorwheel")
TEXTURES = ("brick", "grass", "gravel", "moon")
PATCHES_PER_PHOTO = 150
PATCHES_PER_TEXTURE = 200
PHOTOS_COUNT = len(PHOTOS) * PATCHES_PER_PHOTO
TEXTURES_COUNT = len(TEXTURES) * PATCHES_PER_TEXTURE
PHOTOS_DESCRIPTION = (f"{PHOTOS_COUNT:,} patches cut from {len(PHOTOS)} photographs shipped with "
                      "scikit-image; the label is the photograph.")
TEXTURES_DESCRIPTION = (f"{TEXTURES_COUNT:,} patches of {len(TEXTURES)} textures (brick, grass, "
                        "gravel, moon surface) shipped with scikit-image; the label is the texture.")


def _rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    return image[:, :, :3]


def random_patches(source: np.ndarray, count: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """`count` square patches of `source` (H, W, 3), sides between 1/8 and 1/3 of the
    shorter side, at random places."""
    h, w = source.shape[:2]
    short = min(h, w)
    for _ in range(count):
        side = int(rng.integers(short // 8, short // 3 + 1))
        y = int(rng.integers(0, h - side + 1))
        x = int(rng.integers(0, w - side + 1))
        yield source[y : y + side, x : x + side]


def _make(names: tuple[str, ...], per_image: int, seed: int) -> Iterator[tuple[str, np.ndarray, str]]:
    import skimage.data

    rng = np.random.default_rng(seed)
    for name in names:
        source = _rgb(getattr(skimage.data, name)())
        for i, patch in enumerate(random_patches(source, per_image, rng)):
            yield f"{name}_{i:03d}.png", np.ascontiguousarray(patch), name


def make_photos() -> Iterator[tuple[str, np.ndarray, str]]:
    return _make(PHOTOS, PATCHES_PER_PHOTO, seed=0)


def make_textures() -> Iterator[tuple[str, np.ndarray, str]]:
    return _make(TEXTURES, PATCHES_PER_TEXTURE, seed=1)
