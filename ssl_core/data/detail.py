"""What an import says of pictures whose detail is finer than a pixel of the stored side (walk 45:
at the default 64 px, a micrograph's stripes 6-18 px apart on 594 px averaged to grey, unsaid).

The writer hands each picture as cut (trim.py) and its stored square to `Detail.add`, which
measures `lost_share`: the picture fitted at REFERENCE times the stored side (at most its own
short side; none below twice the stored side), blurred by a quarter of a stored pixel (at least
one reference pixel, so that a pixel's own noise is not counted), against the stored square
enlarged to that side; the share of the reference's variance their difference holds. Where it is
above LOST, detail that told the picture apart is gone from what training sees. Measured on
generated pictures (`bench/detail_calibration.py`, seed 0: 40 of each kind, 120 photo crops;
`ratio: 2.35`, the stripes' lowest share over the others' highest; white noise measured beside it):

    pictures (PNG; as JPEG decoded at the import's draft)    lost share
    stripes 6-18 px apart in 8 grains, 594 px                0.69-0.96, all above LOST (JPEG 0.48-0.82, 38 of 40)
    grains 40-80 px with 2 px dark boundaries, 594 px        0.06-0.09 (0.01-0.02)
    a faint blob on a noisy sky, 96-160 px                   0.01-0.09 (0.01-0.10)
    crops of scikit-image's photographs and textures         0.00-0.29 (0.00-0.13; text, page, brick, gravel among them)
    white noise alone (s.d. 20-40), 256-400 px               0.54-0.58 (0.15-0.27); at 128-160 px 0.13-0.20

Noise with nothing else in the picture passes LOST too, so the warning names it among what may be lost.
A JPEG is decoded at the import's reduced draft (decode.stored_draft), whose pixels have lost such detail
already; the first SAMPLE of them are decoded again at REFERENCE times the stored side to be measured.
What the blur of a quarter of a stored pixel leaves is detail about 1 to 2 stored pixels across: detail far
finer (walk 50's threads 3-8 px apart on 500-900 px photos, a fifth to a half of a pixel at 64 px) is blurred
in the reference too and not counted, so the warning names fewer pictures than lose such detail.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageFilter

from ..words import agreeing
from .decode import RejectedFile, fitted
from .labels import first_few
from .trim import MOST, NONE, Trim

REFERENCE = 4  # the reference is read at this many times the stored side (8 told the same sets apart, 2.5x slower)
BLUR = 0.25  # the reference's blur, in stored pixels
LOST = 0.5  # a share of the reference's variance above this is lost at the stored side
SAMPLE = 64  # JPEGs decoded at a reduced scale that are decoded again larger to be measured (about 4 ms each)
VIEW_SIDE = 32  # the side training draws its views at by default (engine.TrainConfig.image_size, held equal by a test)
FLAT = 9.0  # a reference with less variance than this (of 255 squared) is not measured: nothing to lose


def lost_share(picture: Image.Image, stored: np.ndarray, fit: str = "crop") -> float | None:
    """The share of `picture`'s variance (its grey, fitted as the import fits it) finer than a pixel of
    `stored`, its square (S, S, 3) or (S, S) uint8 (module docstring); None where the picture is under twice S
    or flat. A grey ("L") `picture` is measured as it is, a third of the work."""
    side = stored.shape[0]
    reference_side = min(REFERENCE * side, *picture.size)
    if reference_side < 2 * side:
        return None
    grey = picture if picture.mode == "L" else picture.convert("L")
    blur = ImageFilter.GaussianBlur(max(1.0, BLUR * reference_side / side))
    reference = np.asarray(Image.fromarray(fitted(grey, reference_side, fit)).filter(blur), np.float32)
    stored_grey = Image.fromarray(stored).convert("L") if stored.ndim == 3 else Image.fromarray(stored)
    enlarged = np.asarray(stored_grey.resize((reference_side,) * 2, Image.Resampling.BILINEAR), np.float32)
    variance = float(reference.var())
    return None if variance < FLAT else float(((reference - enlarged) ** 2).mean()) / variance


@dataclass
class Detail:
    """The pictures of an import stored at `side` px (as `fit`) that lose their fine detail. A JPEG decoded at a
    reduced scale has lost it before it is measured (walk 50: 2 of 360 fabric photos flagged, 313 of them JPEGs
    of threads 3-8 px apart, drafted to 125-225 px); the first SAMPLE of those are decoded again larger and
    measured, the others are not."""

    side: int
    fit: str = "crop"
    trim: Trim = NONE  # what the import cuts off each picture before it is fitted
    total: int = 0
    measured: int = 0
    drafted: int = 0  # JPEGs decoded at a reduced scale
    lost: list[tuple[str, float]] = field(default_factory=list)  # (name, its lost share)
    shorts: list[int] = field(default_factory=list)  # the short side of each lost one's file

    def add(self, name: str, picture: Image.Image, stored: np.ndarray,
            larger: Callable[[], Image.Image] | None = None) -> None:
        """Measure one `picture` as cut, shown as `name`, against its `stored` square (S, S, 3) uint8; where it
        was decoded at a reduced scale, `larger` decodes it again at REFERENCE times S (cut alike)."""
        self.total += 1
        if picture.info.get("drafted") and larger is not None:
            self.drafted += 1
            if self.drafted > SAMPLE:
                return
            try:
                picture = larger()
            except (RejectedFile, ValueError, OSError):  # decoded once already: only a measurement is lost
                return
        share = lost_share(picture, stored, self.fit)
        if share is None:
            return
        self.measured += 1
        if share > LOST:
            self.lost.append((name, share))
            self.shorts.append(min(picture.info.get("original_size", picture.size)))

    def warnings(self) -> list[str]:
        """One sentence where any picture lost its detail: how many of those measured, the worst, what training
        sees of it and what keeps it."""
        if not self.lost:
            return []
        count = len(self.lost)
        worst = first_few([f"{name!r} {share:.0%}" for name, share in sorted(self.lost, key=lambda n: -n[1])])
        unmeasured = (f" ({self.drafted - SAMPLE:,} of the {self.drafted:,} JPEGs decoded at a reduced size for speed "
                      f"were not measured; the first {SAMPLE} were decoded again larger for it)"
                      if self.drafted > SAMPLE else "")
        return [f"{count:,} of the {self.measured:,} images measured{unmeasured} "
                f"{agreeing(count, 'holds', 'hold')} detail finer than a pixel of the stored side of {self.side} px "
                f"(fine stripes, a fine texture, or noise), which averages it away: more than half of "
                f"{agreeing(count, 'its', 'their')} variance ({worst}) is not in the stored pictures, nor in "
                f"training's views drawn from them (at {VIEW_SIDE} px by default), so a larger stored side alone may "
                f"not bring it back. Where that detail tells the pictures apart, a middle part about {self.side} px "
                f"across, kept at its own resolution, holds it: {self._middle()} (fabric whose threads were a fifth "
                "of a stored pixel apart: kNN 96.7% so against 41.1% untrained, where whole pictures scored 30.0% at "
                "64 px and 39.4% at 128 px, 4 minutes each). Where it is noise, nothing is lost"]

    def _middle(self) -> str:
        """How to keep a middle part of the lost pictures about the stored side across at their own resolution: the
        trim of every side that does so at their files' median short side (at most trim.MOST), said; a trim is of
        the whole file, so one given already is replaced, not added to."""
        short = float(np.median(self.shorts))
        cut = min(MOST, max(1, math.floor((1 - self.side / short) / 2 * 100)))
        instead = " in place of the present cut" if self.trim != NONE else ""
        return (f"cut {cut}% off every side{instead} (Cut off the edges on the Data page, ingest --trim {cut}), "
                f"which keeps the middle {round(short * (100 - 2 * cut) / 100)} px of a picture {round(short)} px "
                "across")
