"""How fine a detail the Augmentation Lab's views can hold, in words from the numbers that set it.

Data flow: the dataset's pictures as imported (each one's side that becomes the stored square: the short side
cut to a centre square, the long side padded) -> their median; the stored side; the side training draws views
at by default (TrainConfig.image_size); the smallest share of the picture a view keeps (preview.smallest_share)
-> one caption under the views. Walk 42: a 2 px scratch on 128 px photos of machined parts was about half a
pixel of a 32 px training view, and some local crops of 5-30% left a chipped edge out; no page said either.
"""

from __future__ import annotations

from ssl_core.engine import TrainConfig

TRAIN_SIDE = TrainConfig.image_size  # the side every run started here draws its views at (walk 44: no page sets it)


def imported_side(sides: list[int]) -> int | None:
    """The median of the pictures' sides as imported (those that became the stored square's side)."""
    ordered = sorted(sides)
    return ordered[len(ordered) // 2] if ordered else None


def detail_words(imported: int | None, stored: int, smallest: float | None) -> str:
    """The caption: the pictures' median side as `imported`, the `stored` side the Lab draws its views at and
    TRAIN_SIDE training draws them at, how many imported pixels the finest detail of a training view of the whole
    picture spans (a view drawn larger than the stored side holds no finer one), and the `smallest` share of the
    picture a crop keeps (None: no crop)."""
    said = (f"How fine a detail a view holds: these pictures came in at {imported} px (the median side that "
            f"became the stored square) and are stored at {stored} px; " if imported else
            f"How fine a detail a view holds: these pictures are stored at {stored} px; ")
    said += f"the views above are drawn at {stored} px, and training draws them at {TRAIN_SIDE} px"
    span = (imported or stored) / min(stored, TRAIN_SIDE)  # a view drawn larger than the stored side holds no more
    if span > 1:
        said += (f", so the finest detail a training view of the whole picture holds is {span:.1f} of "
                 f"{'your pixels' if imported else 'the stored pixels'} across: a finer one (a thin line, a fine "
                 "stripe) may not show in it")
    if smallest is not None:
        said += (f". A crop keeps as little as {smallest:.0%} of the picture here, so a small detail near an edge (a "
                 "mark, a chip, a small object) is left out of some views, and the model is still taught to call those "
                 "views the same picture: it may learn to ignore that detail; a larger smallest crop keeps it in more "
                 "views")
    return said + "."
