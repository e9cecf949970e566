"""A hard set the CPU default was never tuned on, as a user would bring it: a zip of 450
pictures (64 px) of the letters A, H and O (16-26 px type, DejaVu Sans Bold) at random
places, in a colour far from the background's, on striped noise of a random hue; one folder
per letter, so the folder names are the labels.

    .venv/bin/python bench/letters.py OUT.zip
    .venv/bin/python -m ssl_core --workspace W ingest OUT.zip --name letters
    .venv/bin/python bench/tune.py --workspace W --datasets letters --variants default,small_mean
"""

from __future__ import annotations

import io
import sys
import zipfile

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"  # Debian's fonts-dejavu-core
SIDE, COUNT, LETTERS = 64, 450, "AHO"


def picture(letter: str, rng: np.random.Generator) -> Image.Image:
    """(SIDE, SIDE) RGB: stripes at a random angle and frequency plus noise, the letter on them."""
    base = rng.integers(0, 256, 3)
    yy, xx = np.mgrid[:SIDE, :SIDE]
    frequency, angle = rng.uniform(0.1, 0.6), rng.uniform(0, np.pi)
    stripes = np.sin((xx * np.cos(angle) + yy * np.sin(angle)) * frequency)[..., None] * rng.uniform(20, 70, 3)
    pixels = np.clip(base + stripes + rng.normal(0, 15, (SIDE, SIDE, 3)), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels)
    size = int(rng.integers(16, 26))
    x, y = rng.integers(0, SIDE - size, 2)
    colour = tuple(int(c) for c in np.clip(255 - base + rng.integers(-40, 40, 3), 0, 255))
    ImageDraw.Draw(image).text((int(x), int(y)), letter, fill=colour, font=ImageFont.truetype(FONT, size))
    return image


def main() -> None:
    rng = np.random.default_rng(7)
    with zipfile.ZipFile(sys.argv[1], "w") as archive:
        for i in range(COUNT):
            letter = LETTERS[i % len(LETTERS)]
            buffer = io.BytesIO()
            picture(letter, rng).save(buffer, "PNG")
            archive.writestr(f"letters/{letter}/{letter}_{i:03d}.png", buffer.getvalue())
    print(f"{COUNT} pictures of {', '.join(LETTERS)} in {sys.argv[1]}")


if __name__ == "__main__":
    main()
