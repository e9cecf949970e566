"""What an import says of pictures that show almost nothing, or lack the colour the rest have, as
stored: the centre square of a picture may be blank where the whole is not (walk 21).

The writer hands each stored square (S, S, 3) uint8 to `Looks.add` as it stores it; `warnings()`
names those nearly black, those of one flat tone, and grey pictures among colour ones (walk 20:
33 nearly black camera frames and 15 grey ones among colour frames came in unsaid). Thresholds
measured on walk 20's frames at 64 px: the 95th percentile of grey was 3.0-18.7 on its 33
darkened frames and 42.4 or more on its 315 ordinary ones. A picture is grey where under 0.2% of
its pixels have a colour spread (largest channel less smallest) of 16 or more: 0% on walk 20's 15
grey frames, 3.3% or more on its ordinary ones; walk 22's grey photos with a small coloured shape
drawn on them (about 1% of the picture) were called grey by the mean spread this replaced (24 of
265 padded), by this rule 1 (its shape drawn in a grey).
A dark picture with a small bright part (LIT) is not named: a fluorescence cell or a lamp at night on
black (walk 39). Blown-out frames are not named: a studio photo's white background is clipped white too
(walk 18).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..words import agreeing
from .labels import first_few

DARK = 25  # the 95th percentile of grey below this (of 255): nearly black
DARK_SHARE = 0.95  # ... the share of its pixels that must be darker
FLAT = 3.0  # each channel's standard deviation below this (of 255): one flat tone
COLOURED = 16  # a pixel's colour spread (largest channel less smallest, of 255) from which it is coloured
GREY_SHARE = 0.002  # a picture with fewer coloured pixels than this share is grey


LIT = 64  # a channel this bright (of 255) in ...
LIT_SHARE = 0.005  # ... this share of a dark picture's pixels: a small bright subject on black, not a blank frame
# (walk 39: 61 fluorescence cells on black were called nearly black and to be deleted, 0.011-0.048 of their pixels
# this bright; walk 38's black frames 0, walk 39's most blurred cells 0.000-0.041)


def lit(square: np.ndarray) -> bool:
    """Whether a stored picture (S, S, 3) uint8 has a bright part: LIT_SHARE of its pixels with a channel at LIT."""
    return bool((square.max(axis=2) >= LIT).mean() >= LIT_SHARE)  # only on the few dark ones: max(axis=2) is slow


BLANK = ("dark", "flat")  # looks of a picture with nothing in it to tell it from another


def look_of(square: np.ndarray) -> str | None:
    """'dark', 'flat' or 'grey' for a stored picture (S, S, 3) uint8 that is one, else None. On
    every imported picture: counts, not a sort (np.percentile took a fifth of an import's time,
    bench/ingest.py)."""
    if (square.sum(axis=2, dtype=np.uint16) >= 3 * DARK).mean() <= 1 - DARK_SHARE and not lit(square):  # 95% under
        return "dark"
    if np.ascontiguousarray(square.reshape(-1, 3).T).std(axis=1).max() < FLAT:  # a channel a row: 5x faster
        return "flat"
    return "grey" if grey_pictures(square[None])[0] else None


def grey_pictures(squares: np.ndarray) -> np.ndarray:
    """(N,) bool of pictures (N, S, S, 3) uint8: grey or nearly so (fewer than GREY_SHARE of
    their pixels with a colour spread of COLOURED or more)."""
    red, green, blue = squares[..., 0], squares[..., 1], squares[..., 2]  # not max(axis=3): 10x slower on 3 values
    spread = np.maximum(np.maximum(red, green), blue) - np.minimum(np.minimum(red, green), blue)  # uint8, >= 0
    return (spread >= COLOURED).mean(axis=(1, 2)) < GREY_SHARE


@dataclass
class Looks:
    """Names of the stored pictures, as the import met them, by what they show."""

    total: int = 0
    dark: list[str] = field(default_factory=list)
    flat: list[str] = field(default_factory=list)
    grey: list[str] = field(default_factory=list)

    def add(self, name: str, square: np.ndarray) -> None:
        """Measure one stored picture `square` (S, S, 3) uint8, shown as `name`."""
        self.total += 1
        if found := look_of(square):
            getattr(self, found).append(name)

    def warnings(self) -> list[str]:
        """One sentence for each kind found; grey ones only where they are fewer than the colour ones."""
        said = []
        if self.dark:
            said.append(f"{self._of(self.dark)} nearly black as stored (95% of {self._their(self.dark)} pixels "
                        f"darker than {DARK} of 255: {first_few(self.dark)}): kept; delete such pictures where they "
                        "are a covered lens or a failed exposure: there is little in them beyond their darkness")
        if self.flat:
            said.append(f"{self._of(self.flat)} one flat tone as stored (each channel's spread under {FLAT:g} of "
                        f"255: {first_few(self.flat)}): kept; such pictures hold nothing to learn from, so delete them "
                        "where they are blank frames")
        blank = len(self.dark) + len(self.flat)
        colour = self.total - blank - len(self.grey)
        if self.grey and len(self.grey) < colour:
            aside = f", the {blank:,} above aside" if blank else ""  # walk 22: 40 + 234 of 300, unsaid
            # walk 25: "grey" of a pale pink drawing, every pixel's channels 13 apart: the measure, said
            said.append(f"{self._of(self.grey)} grey or nearly so as stored (no pixel's channels differ by "
                        f"{COLOURED} of 255 or more), among {colour:,} colour pictures{aside} "
                        f"({first_few(self.grey)}): kept; an encoder may keep them apart from the colour ones whatever "
                        "they show (the Evaluate page's shortcut check measures whether it does, given 10 of each)")
        # walk 41: gray p 1 did not stop it (97% of a night frame's 10 nearest were grey, 90% at gray p 0.5)
        return said

    def _of(self, names: list[str]) -> str:
        return f"{len(names):,} of {self.total:,} images {agreeing(len(names), 'is', 'are')}"

    @staticmethod
    def _their(names: list[str]) -> str:
        return agreeing(len(names), "its", "their")
