"""Cutting a band off a picture's edges before it becomes its stored square: what a microscope's
info banner, a camera trap's timestamp bar or a scanner's frame would otherwise teach an encoder
(walk 45: SEM micrographs with a banner along the bottom naming the magnification, which matched
the class for 89% of them; walk 43: scans in white or black frames, a run grouping 82% of a
black-framed scan's neighbours by the frame).

A trim is four shares of the picture's height or width, in the order CSS gives margins: top,
right, bottom, left. It is typed and stored as percentages ("0,0,10,0", "5" for every side),
kept with the dataset (DatasetInfo.trim, "" for none) and applied to every picture the import
stores and to every picture later read against the dataset (a query, the Lab's upload:
decode.as_stored), so that they are cut alike.
"""

from __future__ import annotations

from PIL import Image

SIDES = ("top", "right", "bottom", "left")
MOST = 45  # percent of one side; two opposite ones keep at least 10% of the picture
Trim = tuple[float, float, float, float]  # shares of the height (top, bottom) or width (right, left), in [0, 0.45]
NONE: Trim = (0.0, 0.0, 0.0, 0.0)


def parse_trim(text: str | None) -> Trim:
    """'10' (every side) or 'TOP,RIGHT,BOTTOM,LEFT' in percent -> Trim; '' or None -> NONE.
    A ValueError names what is wrong: not a number, not one or four of them, a side outside
    0 to MOST."""
    if not text or not text.strip():
        return NONE
    parts = [part.strip().removesuffix("%") for part in text.split(",")]
    if len(parts) not in (1, 4):
        raise ValueError(f"trim {text!r}: give one percentage for every side or four (top, right, bottom, left), "
                         f"not {len(parts)}")
    try:
        percents = [float(part) for part in parts]
    except ValueError:
        raise ValueError(f"trim {text!r}: each side is a percentage, a number from 0 to {MOST}") from None
    for side, percent in zip(SIDES, percents * 4 if len(percents) == 1 else percents):
        if not 0 <= percent <= MOST:
            raise ValueError(f"trim {text!r}: the {side} is {percent:g}%, outside 0 to {MOST}%")
    shares = [percent / 100 for percent in (percents * 4 if len(percents) == 1 else percents)]
    return shares[0], shares[1], shares[2], shares[3]


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


def trimmed(im: Image.Image, trim: Trim) -> Image.Image:
    """`im` with `trim`'s bands cut off its edges (at least one pixel kept each way); `im` itself for none."""
    if trim == NONE:
        return im
    width, height = kept_shape(*im.size, trim)
    left, top = round(im.size[0] * trim[3]), round(im.size[1] * trim[0])
    return im.crop((left, top, left + width, top + height))  # its info (original_size) kept
