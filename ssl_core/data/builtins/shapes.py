"""A generated dataset of coloured shapes whose hidden label is the shape.

Shape, colour, size, rotation, position and background are varied independently, so
a good encoder must group by shape while colour and position vary: colour is a
shortcut that augmentation has to remove.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageDraw

DESCRIPTION = ("2,000 generated shapes (circle, square, triangle, star, cross) in random "
               "colours, sizes and places; the label is the shape.")
COUNT = 2000
SIDE = 64
SHAPES = ("circle", "square", "triangle", "star", "cross")


def _rotated(points: list[tuple[float, float]], cx: float, cy: float,
             angle: float) -> list[tuple[float, float]]:
    c, s = np.cos(angle), np.sin(angle)
    return [(cx + x * c - y * s, cy + x * s + y * c) for x, y in points]


def _polygons(kind: str, cx: float, cy: float, r: float, angle: float) -> list[list[tuple[float, float]]]:
    """The polygons that draw `kind` with outer radius `r` around (cx, cy)."""
    if kind == "cross":
        bar = [(-r, -0.3 * r), (r, -0.3 * r), (r, 0.3 * r), (-r, 0.3 * r)]
        return [_rotated(bar, cx, cy, angle), _rotated(bar, cx, cy, angle + np.pi / 2)]
    corners, radii = {"square": (4, (r,)), "triangle": (3, (r,)), "star": (10, (r, 0.45 * r))}[kind]
    ring = [
        (radii[i % len(radii)] * np.cos(2 * np.pi * i / corners),
         radii[i % len(radii)] * np.sin(2 * np.pi * i / corners))
        for i in range(corners)
    ]
    return [_rotated(ring, cx, cy, angle)]


def paint_shape(image: Image.Image, kind: str, cx: float, cy: float, r: float, angle: float,
                colour: tuple[int, int, int]) -> None:
    """Draw `kind` filled with `colour` onto `image`, outer radius `r` around (cx, cy)."""
    pen = ImageDraw.Draw(image)
    if kind == "circle":
        pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    else:
        for polygon in _polygons(kind, cx, cy, r, angle):
            pen.polygon(polygon, fill=colour)


def draw_shape(kind: str, rng: np.random.Generator, side: int = SIDE) -> np.ndarray:
    """One (side, side, 3) uint8 image of `kind` with random colour, size, place, angle."""
    background = tuple(int(v) for v in rng.integers(0, 256, 3))
    colour = tuple(int(v) for v in rng.integers(0, 256, 3))
    while sum(abs(a - b) for a, b in zip(colour, background)) < 150:  # keep the shape visible
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
    scale = 4  # draw large, then reduce: anti-aliased edges
    big = side * scale
    r = rng.uniform(0.22, 0.38) * big
    cx, cy = rng.uniform(r, big - r, 2)
    image = Image.new("RGB", (big, big), background)
    angle = 0.0 if kind == "circle" else rng.uniform(0, 2 * np.pi)  # a circle draws no angle
    paint_shape(image, kind, cx, cy, r, angle, colour)  # type: ignore[arg-type]
    return np.asarray(image.resize((side, side), Image.Resampling.BOX), dtype=np.uint8)


def make(count: int = COUNT, seed: int = 0) -> Iterator[tuple[str, np.ndarray, str]]:
    rng = np.random.default_rng(seed)
    for i in range(count):
        kind = SHAPES[i % len(SHAPES)]
        yield f"{kind}_{i:04d}.png", draw_shape(kind, rng), kind
