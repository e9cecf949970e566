"""Does the import's 'detail finer than a stored pixel' check (ssl_core/data/detail.py) tell fine
stripes from everything else? Generated pictures of each kind, stored at 64 px as PNG and as a JPEG
decoded at the import's draft: the range of `lost_share` and how many pass LOST.

    .venv/bin/python bench/detail_calibration.py [--count 40] [--seed 0]

The last line is `ratio: X.XX`: the lowest share of the stripes (PNG) over the highest of the
photographs, textures, grains and skies (PNG and JPEG), the gap LOST sits in.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssl_core.data.decode import decode_image, fitted, stored_draft  # noqa: E402
from ssl_core.data.detail import LOST, lost_share  # noqa: E402
from ssl_core.data.trim import NONE  # noqa: E402

SIDE = 64
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "camera", "immunohistochemistry", "brick", "grass", "gravel",
          "text", "page", "retina")


def grey(values: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8)).convert("RGB")


def cells(rng: np.random.Generator, side: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """((side, side) index of the nearest of `count` random points, (side, side) gap to the second nearest)."""
    yy, xx = np.mgrid[:side, :side].astype(np.float32)
    points = rng.uniform(0, side, (count, 2))
    near = np.sqrt((yy[..., None] - points[:, 0]) ** 2 + (xx[..., None] - points[:, 1]) ** 2)
    ordered = np.sort(near, axis=-1)
    return near.argmin(-1), ordered[..., 1] - ordered[..., 0]


def stripes(rng: np.random.Generator, side: int = 594) -> Image.Image:
    """Stripes 6-18 px apart, each of 8 grains at its own angle: a lamellar micrograph."""
    grain, _ = cells(rng, side, 8)
    yy, xx = np.mgrid[:side, :side].astype(np.float32)
    angle, period = rng.uniform(0, np.pi, 8)[grain], rng.uniform(6, 18, 8)[grain]
    wave = np.sin(2 * np.pi * (xx * np.cos(angle) + yy * np.sin(angle)) / period)
    return grey(128 + 60 * wave + rng.normal(0, 8, wave.shape))


def grains(rng: np.random.Generator, side: int = 594) -> Image.Image:
    """60 grains of random tones with 2 px dark boundaries."""
    grain, gap = cells(rng, side, 60)
    return grey(np.where(gap < 2, 40, rng.uniform(100, 200, 60)[grain]) + rng.normal(0, 6, grain.shape))


def sky(rng: np.random.Generator) -> Image.Image:
    """A faint blob (3-6 times the noise) on a noisy sky, 96-160 px."""
    side = int(rng.integers(96, 161))
    yy, xx = np.mgrid[:side, :side].astype(np.float32)
    (y, x), radius = rng.uniform(0.3, 0.7, 2) * side, rng.uniform(0.05, 0.15) * side
    blob = rng.uniform(3, 6) * np.exp(-((yy - y) ** 2 + (xx - x) ** 2) / (2 * radius**2))
    return grey(30 + 8 * (blob + rng.normal(0, 1, blob.shape)))


def photo(rng: np.random.Generator) -> Image.Image:
    """A random square crop of 200 px or more of one of scikit-image's photographs and textures."""
    source = getattr(skimage.data, PHOTOS[int(rng.integers(len(PHOTOS)))])()
    source = np.stack([source] * 3, -1) if source.ndim == 2 else source[..., :3]
    height, width = source.shape[:2]
    side = int(rng.integers(min(200, height, width), min(height, width) + 1))
    y, x = rng.integers(0, height - side + 1), rng.integers(0, width - side + 1)
    return Image.fromarray(np.ascontiguousarray(source[y : y + side, x : x + side]))


def as_jpeg(picture: Image.Image) -> Image.Image:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return decode_image(out.getvalue(), draft_size=stored_draft(SIDE, NONE))


def shares(pictures: list[Image.Image]) -> np.ndarray:
    measured = (lost_share(picture, fitted(picture, SIDE)) for picture in pictures)
    return np.array([share for share in measured if share is not None])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="pictures of each kind (photographs: three times)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"{'pictures':10} {'as':5} {'measured':>8} {'lowest':>7} {'highest':>7} {'above LOST':>10}")
    lowest_stripes, highest_other = 1.0, 0.0
    for kind, make in (("stripes", stripes), ("grains", grains), ("sky", sky), ("photos", photo)):
        pictures = [make(rng) for _ in range(args.count * (3 if kind == "photos" else 1))]
        for stored_as, read in (("PNG", lambda p: p), ("JPEG", as_jpeg)):
            found = shares([read(picture) for picture in pictures])
            print(f"{kind:10} {stored_as:5} {len(found):8} {found.min():7.2f} {found.max():7.2f} "
                  f"{int((found > LOST).sum()):10}", flush=True)
            if kind == "stripes" and stored_as == "PNG":
                lowest_stripes = float(found.min())
            elif kind != "stripes":
                highest_other = max(highest_other, float(found.max()))
    print(f"ratio: {lowest_stripes / highest_other:.2f}")


if __name__ == "__main__":
    main()
