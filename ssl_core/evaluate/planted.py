"""Sets where the shortcut answer is known: what the shortcut check's thresholds are
calibrated on (`python -m ssl_core.evaluate.planted` prints the table quoted in
shortcut.py) and tested on.

Images are made like the hard built-in `clutter_shapes` (data/builtins/clutter.py): a
small shape in a random colour at a random place on a photo or texture background. Made
here, each image's parts are known: its shape (the label), the object's centroid, and
which background lies under it. The backgrounds (BACKGROUNDS) are

* same picture: one of a few patches, reused as it is under many images, as a user's
  photos reuse one table or one wall;
* recoloured picture: the same, its channels shuffled and scaled anew each time (as
  clutter does): the pictures share texture and layout but not colour;
* texture: a fresh patch, at a random place and scale, of one of the four textures
  scikit-image ships (brick, grass, gravel, moon), recoloured: texture shared, not
  layout;
* framed texture: the same, each image then framed in white, in black or not at all, at
  random (a scanner's margins: walk 43).

Embeddings are then planted as a function of one part only, (N, D) float32:

* clean: one-hot of the shape plus noise (a good encoder: the object, nothing else), and
  the object's mask cut to its bounding box (its shape, wherever it sits);
* colour: the image's joint colour histogram (an encoder that sees only colours);
* background: one-hot of the background (picture or texture) plus noise: neighbours sit
  on the same background, the failure seen on cluttered photos;
* position: the object's centroid plus noise;
* edges: one-hot of the frame plus noise (unframed sets: noise alone).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..data.builtins import clutter, shapes
from ..data.builtins.skimage_patches import PHOTOS
from .pixels import image_statistics
from .shortcut import one_hot, shortcut_check
from .splits import Labelled

MASK_SIDE = 12  # side of the object's mask, cut to its bounding box
BACKGROUNDS = ("recoloured picture", "same picture", "texture", "framed texture")
FRAME = 12  # a frame is the side over this wide
FRAMES = (None, 255, 0)  # none, white, black


@dataclass(frozen=True)
class Parts:
    """Images made with their parts known (see the module doc)."""

    images: np.ndarray  # (N, SIDE, SIDE, 3) uint8
    shapes: np.ndarray  # (N,) int: the object's kind, the label
    masks: np.ndarray  # (N, MASK_SIDE ** 2) float32: the object's alpha in its bounding box
    centres: np.ndarray  # (N, 2) float32: the object's centroid (x, y) in [0, 1]
    backgrounds: np.ndarray  # (N,) int: which background picture lies under it
    frames: np.ndarray  # (N,) int: its frame, an index of FRAMES (0: none)


def bounding_box(alpha: np.ndarray) -> np.ndarray:
    """(SIDE, SIDE) alpha -> (MASK_SIDE ** 2,) float32: its bounding box, resampled."""
    ys, xs = np.nonzero(alpha > 0.5)
    box = alpha[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    rows = np.linspace(0, box.shape[0] - 1, MASK_SIDE).round().astype(int)
    cols = np.linspace(0, box.shape[1] - 1, MASK_SIDE).round().astype(int)
    return box[np.ix_(rows, cols)].ravel().astype(np.float32)


def centroid(alpha: np.ndarray) -> np.ndarray:
    """(SIDE, SIDE) alpha -> (x, y) of its centre of mass, in [0, 1]."""
    grid = (np.arange(alpha.shape[0]) + 0.5) / alpha.shape[0]
    return np.array([(alpha.sum(0) * grid).sum(), (alpha.sum(1) * grid).sum()], np.float32) / alpha.sum()


def make_parts(count: int = 1000, backgrounds: str = "recoloured picture", pictures: int = 20,
               seed: int = 0) -> Parts:
    """`count` images with their parts, on `backgrounds` (one of BACKGROUNDS): `pictures`
    patches reused as they are or recoloured anew per image, or a fresh patch of one of
    the textures per image."""
    rng = np.random.default_rng(seed)
    sources = clutter.background_sources()
    textures = sources[len(PHOTOS):]
    patches = [clutter.background(sources, rng) for _ in range(pictures)]

    def background() -> tuple[int, np.ndarray]:
        if backgrounds.endswith("texture"):
            which = int(rng.integers(len(textures)))
            return which, clutter.background([textures[which]], rng)
        which = int(rng.integers(pictures))
        return which, clutter.recolour(patches[which], rng) if backgrounds == "recoloured picture" else patches[which]

    images, kinds, masks, centres, under, frames = [], [], [], [], [], []
    for i in range(count):
        kind = i % len(shapes.SHAPES)
        alpha = clutter.shape_mask(shapes.SHAPES[kind], rng)
        which, back = background()
        frame = int(rng.integers(len(FRAMES))) if backgrounds == "framed texture" else 0
        images.append(framed(clutter.composite(back, alpha, rng), FRAMES[frame]))
        kinds.append(kind)
        masks.append(bounding_box(alpha))
        centres.append(centroid(alpha))
        under.append(which)
        frames.append(frame)
    return Parts(np.stack(images), np.array(kinds), np.stack(masks), np.stack(centres), np.array(under),
                 np.array(frames))


def framed(image: np.ndarray, grey: int | None) -> np.ndarray:
    """(S, S, 3) uint8 in a frame of level `grey`, the side over FRAME wide; as it is for None."""
    if grey is None:
        return image
    band, out = max(1, image.shape[0] // FRAME), image.copy()
    out[:band], out[-band:], out[:, :band], out[:, -band:] = grey, grey, grey, grey
    return out


PLANTED: dict[str, Callable[[Parts], np.ndarray]] = {
    "clean: the object's shape": lambda p: one_hot(p.shapes, 0.8, seed=1),
    "clean: the object's mask": lambda p: p.masks,
    "colour: the colour histogram": lambda p: image_statistics(p.images)["histogram"],
    "background: which one": lambda p: one_hot(p.backgrounds, 0.3, seed=2),
    "position: the object's centroid": lambda p: p.centres + 0.02 * np.random.default_rng(3).standard_normal(
        p.centres.shape).astype(np.float32),
    "edges: which frame": lambda p: one_hot(p.frames, 0.3, seed=4),  # noise alone where none is framed
}


def calibration(count: int, pictures: int, k: int, queries: int, labelled: bool) -> list[dict]:
    """One row per (backgrounds, planted embedding): the cue named, its level, and each cue's
    judged score; with `labelled`, the shapes are passed as labels (as the report passes a
    dataset's labels)."""
    rows = []
    for backgrounds in BACKGROUNDS:
        parts = make_parts(count, backgrounds, pictures)
        labels = Labelled(np.arange(count), parts.shapes, list(shapes.SHAPES)) if labelled else None
        for name, plant in PLANTED.items():
            found = shortcut_check(plant(parts), parts.images, k=k, queries=queries, labels=labels)
            rows.append({"set": backgrounds, "embedding": name, "cue": found["cue"], "level": found["level"],
                         "judged": {cue: None if s is None else s["judged"] for cue, s in found["scores"].items()}})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="The shortcut check on planted shortcuts: its calibration table.")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--pictures", type=int, default=20)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--labelled", action="store_true", help="pass the shapes as labels")
    args = parser.parse_args()
    rows = calibration(args.count, args.pictures, args.k, args.queries, args.labelled)
    cues = list(rows[0]["judged"])
    print(f"{'backgrounds':18s} {'embedding':31s} " + " ".join(f"{c[:10]:>10s}" for c in cues) + "  named")
    for row in rows:
        print(f"{row['set']:18s} {row['embedding']:31s} "
              + " ".join("         -" if row["judged"][c] is None else f"{row['judged'][c]:10.2f}" for c in cues)
              + f"  {row['cue']} ({row['level']})")


if __name__ == "__main__":
    main()
