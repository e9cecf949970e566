"""Cutting a band off a picture's edges before it becomes its stored square: what a microscope's
info banner, a camera trap's timestamp bar or a scanner's frame would otherwise teach an encoder
(walk 45: SEM micrographs with a banner along the bottom naming the magnification, which matched
the class for 89% of them; walk 43: scans in white or black frames, a run grouping 82% of a
black-framed scan's neighbours by the frame).

A trim is four shares of the picture's height or width, in the order CSS gives margins: top,
right, bottom, left. It is typed as percentages ("0,0,10,0", "5" for every side, "bottom 10"),
to a hundredth of a percent, stored as four ("0,0,10,0"), kept with the dataset (DatasetInfo.trim,
"" for none) and applied to every picture the import stores and to every picture later read
against the dataset (a query, the Lab's upload, an export's read_picture: decode.as_stored), so
that they are cut alike.
"""

from __future__ import annotations

import re

from PIL import Image

SIDES = ("top", "right", "bottom", "left")
MOST = 45  # percent of one side; two opposite ones keep at least 10% of the picture
Trim = tuple[float, float, float, float]  # shares of the height (top, bottom) or width (right, left), in [0, 0.45]
NONE: Trim = (0.0, 0.0, 0.0, 0.0)


def parse_trim(text: str | None) -> Trim:
    """'10' (every side), 'TOP,RIGHT,BOTTOM,LEFT' or sides by name ('bottom 10', '8% top, bottom 5') in
    percent -> Trim; '' or None -> NONE. A ValueError names what is wrong: not a number, not one or four
    of them, a word that is no side, a side outside 0 to MOST."""
    if not text or not text.strip():
        return NONE
    parts = [part for part in re.split(r"[,;\s]+", text.replace("%", "")) if part]  # '10 %', '10,' are one
    if re.search(r"[a-z]", text, re.IGNORECASE):
        percents, sides = _named(text), [f"the {side}" for side in SIDES]
    elif len(parts) not in (1, 4):
        raise ValueError(f"trim {text!r}: give one percentage for every side, four (top, right, bottom, left: "
                         f"0,0,10,0 cuts the bottom 10%) or sides by name (bottom 10), not {len(parts)} numbers")
    else:
        percents = [_percent(text, part) for part in parts] * (4 if len(parts) == 1 else 1)
        sides = ("each side",) * 4 if len(parts) == 1 else [f"the {side}" for side in SIDES]
    for side, percent in zip(sides, percents):
        if not 0 <= percent <= MOST:
            raise ValueError(f"trim {text!r}: {side} is {percent:g}%, outside 0 to {MOST}%")
    shares = [round(percent / 100, 4) for percent in percents]  # as trim_text stores them: read back the same
    return shares[0], shares[1], shares[2], shares[3]


def _percent(text: str, number: str) -> float:
    try:
        return float(number)
    except ValueError:
        raise ValueError(f"trim {text!r}: each side is a percentage, a number from 0 to {MOST}") from None


def _named(text: str) -> list[float]:
    """Percentages of the SIDES ('bottom 10', '8% top, bottom 5'), 0 where a side is not named."""
    percents, named = dict.fromkeys(SIDES, 0.0), set()
    for part in filter(str.strip, re.split(r",|;|\band\b", text, flags=re.IGNORECASE)):
        words = re.findall(r"[a-z]+", part.lower())
        numbers = re.findall(r"-?(?:\d+(?:\.\d*)?|\.\d+)", part)  # '.5' is half a percent, not 5
        if len(words) != 1 or words[0] not in SIDES or len(numbers) != 1:
            raise ValueError(f"trim {text!r}: {part.strip()!r} is not a side and its percentage (top, right, bottom "
                             f"or left, as in 'bottom 10')")
        if words[0] in named:
            raise ValueError(f"trim {text!r}: the {words[0]} is named twice")
        named.add(words[0])
        percents[words[0]] = float(numbers[0])
    return list(percents.values())


def trim_text(trim: Trim) -> str:
    """The stored form of `trim`: '' for none, else four percentages ('0,0,10,0')."""
    return "" if trim == NONE else ",".join(f"{share * 100:g}" for share in trim)


def trim_words(trim: Trim) -> str:
    """`trim` in words: 'the bottom 10%', 'the top 4% and the bottom 10%', 'every edge's 5%'; '' for none."""
    if trim == NONE:
        return ""
    if len(set(trim)) == 1:
        return f"every edge's {trim[0] * 100:g}%"
    cut = [f"the {side} {share * 100:g}%" for side, share in zip(SIDES, trim) if share]
    return cut[0] if len(cut) == 1 else f"{', '.join(cut[:-1])} and {cut[-1]}"


def kept_shape(width: int, height: int, trim: Trim) -> tuple[int, int]:
    """The (width, height) a picture of `width` x `height` keeps once `trim`'s bands are cut off."""
    top, right, bottom, left = trim
    return max(1, width - round(width * right) - round(width * left)), max(1, height - round(height * top)
                                                                          - round(height * bottom))


def kept_box(width: int, height: int, trim: Trim) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of what a picture of `width` x `height` keeps once `trim`'s bands are cut off."""
    kept_width, kept_height = kept_shape(width, height, trim)
    left, top = round(width * trim[3]), round(height * trim[0])
    return left, top, left + kept_width, top + kept_height


def trimmed(im: Image.Image, trim: Trim) -> Image.Image:
    """`im` with `trim`'s bands cut off its edges (at least one pixel kept each way); `im` itself for none."""
    if trim == NONE:
        return im
    return im.crop(kept_box(*im.size, trim))  # its info (original_size) kept
