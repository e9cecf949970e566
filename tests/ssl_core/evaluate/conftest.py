"""Tiny fixtures of the evaluate tests: points with known geometry and images whose cue
(background colour) is real."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

SIDE = 16
OBJECT = (0, 0, 0)  # every object is drawn in black


def unit_circle(degrees: list[float]) -> np.ndarray:
    """(N, 2) points on the unit circle at the given angles."""
    radians = np.deg2rad(degrees)
    return np.stack([np.cos(radians), np.sin(radians)], axis=1).astype(np.float32)


def sphere(n: int, dims: int, seed: int = 0) -> np.ndarray:
    """(n, dims) points uniform on the unit sphere."""
    x = np.random.default_rng(seed).standard_normal((n, dims))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def clusters(classes: int, per_class: int, dims: int, noise: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(features (N, dims), codes (N,)): class c around the c-th axis, Gaussian noise of
    std `noise`; separable when noise is small."""
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(classes), per_class)
    features = np.eye(dims, dtype=np.float32)[codes] + noise * rng.standard_normal((len(codes), dims))
    return features.astype(np.float32), codes


def draw_object(kind: int, dy: int, dx: int) -> np.ndarray:
    """(SIDE, SIDE) bool mask of object `kind` (0 square, 1 bar across, 2 bar down, 3 plus),
    shifted by (dy, dx)."""
    mask = np.zeros((SIDE, SIDE), dtype=bool)
    c = SIDE // 2
    if kind == 0:
        mask[c - 4 : c + 4, c - 4 : c + 4] = True
    if kind in (1, 3):
        mask[c - 2 : c + 2, c - 6 : c + 6] = True
    if kind in (2, 3):
        mask[c - 6 : c + 6, c - 2 : c + 2] = True
    return np.roll(mask, (dy, dx), axis=(0, 1))


@pytest.fixture
def points() -> SimpleNamespace:
    """Builders: points.unit_circle(degrees), points.sphere(n, dims), points.clusters(...)."""
    return SimpleNamespace(unit_circle=unit_circle, sphere=sphere, clusters=clusters)


@pytest.fixture
def backgrounds() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(images uint8 (120, 16, 16, 3), object masks (120, 256), kinds (120,)): four kinds of
    black object, shifted a little, each image on its own random background colour."""
    rng = np.random.default_rng(0)
    n = 120
    kinds = np.arange(n) % 4
    colours = rng.integers(20, 256, (n, 3))
    masks = np.stack([draw_object(k, *rng.integers(-2, 3, 2)) for k in kinds])
    images = np.where(masks[..., None], np.array(OBJECT), colours[:, None, None, :]).astype(np.uint8)
    return images, masks.reshape(n, -1).astype(np.float32), kinds
