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
A JPEG is decoded at the import's reduced draft (decode.stored_draft): one drafted under twice the stored
side is not measured (a 400 px JPEG drafted to 100 px for 64 px), nor one whose detail is finer than the
draft's pixels (stripes 6 px apart on a 594 px JPEG, drafted to 149 px), so the warning may miss some JPEGs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageFilter

from ..words import agreeing
from .decode import fitted
from .labels import first_few

REFERENCE = 4  # the reference is read at this many times the stored side (8 told the same sets apart, 2.5x slower)
BLUR = 0.25  # the reference's blur, in stored pixels
LOST = 0.5  # a share of the reference's variance above this is lost at the stored side
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
    """The pictures of an import stored at `side` px (as `fit`) that lose their fine detail, and how many
    of them each larger `offered` side keeps it in."""

    side: int
    offered: tuple[int, ...]
    fit: str = "crop"
    total: int = 0
    lost: list[tuple[str, float]] = field(default_factory=list)  # (name, its lost share)
    kept_at: dict[int, int] = field(default_factory=dict)  # a larger offered side -> how many lost ones it keeps

    def add(self, name: str, picture: Image.Image, stored: np.ndarray) -> None:
        """Measure one `picture` as cut, shown as `name`, against its `stored` square (S, S, 3) uint8."""
        self.total += 1
        if min(picture.size) < 2 * self.side:
            return  # not measured: the grey copy below would be wasted
        grey = picture.convert("L")
        share = lost_share(grey, stored, self.fit)
        if share is None or share <= LOST:
            return
        self.lost.append((name, share))
        for larger in (offered for offered in self.offered if self.side < offered <= min(picture.size) / 2):
            if (lost := lost_share(grey, fitted(grey, larger, self.fit), self.fit)) is not None and lost <= LOST:
                self.kept_at[larger] = self.kept_at.get(larger, 0) + 1

    def warnings(self) -> list[str]:
        """One sentence where any picture lost its detail: how many, the worst, and the larger side that keeps most."""
        if not self.lost:
            return []
        count = len(self.lost)
        worst = first_few([f"{name!r} {share:.0%}" for name, share in sorted(self.lost, key=lambda n: -n[1])])
        said = (f"{count:,} of {self.total:,} images {agreeing(count, 'holds', 'hold')} detail finer than a pixel of "
                f"the stored side of {self.side} px (fine stripes, a fine texture, or noise), which averages it away: "
                f"more than half of {agreeing(count, 'its', 'their')} variance ({worst}) is not in what training sees")
        if self.kept_at:
            best = max(self.kept_at, key=lambda larger: (self.kept_at[larger], -larger))
            kept = self.kept_at[best]
            whom = agreeing(count, "it", "all of them") if kept == count else f"{kept:,} of them"
            said += (f"; where that detail tells the pictures apart, a stored side of {best} px keeps it in {whom} "
                     "(Stored size on the Data page, ingest --size); where it is noise, nothing is lost")
        elif larger := [offered for offered in self.offered if offered > self.side]:
            said += (f"; even at {max(larger)} px, the largest stored side the Data page offers, more than half "
                     "stays lost")
        else:
            said += f"; the Data page offers no larger stored side than {self.side} px, ingest --size takes larger ones"
        return [said]
