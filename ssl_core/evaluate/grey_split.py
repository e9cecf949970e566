"""Grey or colour: whether an embedding keeps the grey pictures of a dataset apart from its colour ones.

Walk 41: 118 night infrared frames (grey) among 234 daylight ones (colour), with deer, boar, foxes and
birds in both. 96% of an image's 10 nearest neighbours in the trained run's embedding were grey, or in
colour, as it was (98% in its untrained twin's), where the shortcut check's colour cue scored "little"
(0.26: its mean colour ranks a dark grey frame far from a light grey one) and nothing named the split.
A split into two groups is read directly instead, on each side apart (a review: averaged over random
queries, 12 scattered grey pictures among 1,988 colour ones in two tight groups read "100% against
99%", though a grey one's neighbours were 10-27% grey):

    grey and colour (N,) bool each (grey_and_colour: grey as the import counts them, colour where not
    grey; a nearly black or flat grey picture on neither side), the k embedding neighbours of up to
    SIDE_QUERIES pictures of each side
    -> each side's share: the mean share of its pictures' neighbours that are on its side
    -> each side's chance: what neighbours drawn at random from the other pictures would give,
       (g-1)/(N-1) for the grey side, (c-1)/(N-1) for the colour one, N every picture
    -> kept apart where each side's share is APART of the way from its chance to 1 or more

Read only where each side holds at least k pictures (a picture's neighbours could all be of its side).
"""

from __future__ import annotations

import numpy as np

from ..data.looks import grey_pictures, look_of
from .neighbours import Array, neighbours_of

CHUNK = 1024  # pictures measured at a time: a 200,000-picture set's spreads would take 800 MB at once
APART = 0.5  # a side's share this far from chance towards 1 (a fraction of the way), both sides: kept apart
SIDE_QUERIES = 250  # pictures of each side whose neighbours are read: a side of a few pictures counts as much


def grey_and_colour(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """((N,) bool grey, (N,) bool in colour) of uint8 pictures (N, S, S, 3), a memory map too: grey as
    the import counts them (data.looks.look_of: not nearly black, not of one flat tone), in colour where
    not grey by their pixels (data.looks.grey_pictures). A picture of neither is on no side: walk 49's 322
    nearly black 16-bit frames, every channel alike, were read as "322 in colour" beside 78 grey ones."""
    grey, colour = [], []
    for start in range(0, len(images), CHUNK):
        chunk = np.asarray(images[start : start + CHUNK])
        greyish = grey_pictures(chunk)  # then each grey one looked at alone: a few, where most pictures have colour
        colour.append(~greyish)
        greyish[greyish] = [look_of(square) == "grey" for square in chunk[greyish]]
        grey.append(greyish)
    return tuple(np.concatenate(side or [np.zeros(0, bool)]) for side in (grey, colour))  # type: ignore[return-value]


def grey_split(sides: tuple[np.ndarray, np.ndarray], features: Array, k: int = 10, seed: int = 0) -> dict | None:
    """{"grey", "colour": counts, "k", and for each side "grey_share", "grey_chance",
    "colour_share", "colour_chance"} (module doc) of the embedding `features` (N, D) of pictures
    whose `sides` (grey_and_colour: (N,) bool each) are given, or None where a side holds fewer than k
    pictures. A neighbour on neither side counts against a picture's own."""
    count = len(sides[0])
    split = {"grey": int(sides[0].sum()), "colour": int(sides[1].sum()), "k": k}
    if min(split["grey"], split["colour"]) < k:
        return None
    for name, side in zip(("grey", "colour"), sides):
        rows = np.flatnonzero(side)
        queries = np.sort(np.random.default_rng(seed).choice(rows, min(SIDE_QUERIES, len(rows)), replace=False))
        split[f"{name}_share"] = float(side[neighbours_of(features, k, queries).numpy()].mean())
        split[f"{name}_chance"] = (len(rows) - 1) / (count - 1)
    return split


def kept_apart(split: dict | None) -> bool:
    """Whether `split` (grey_split) says the grey pictures are kept apart: each side's neighbours on
    it APART of the way from its chance to all of them, or more."""
    return split is not None and all(split[f"{name}_share"] - split[f"{name}_chance"] >= APART *
                                     (1 - split[f"{name}_chance"]) for name in ("grey", "colour"))


def grey_split_words(split: dict | None) -> str:
    """One sentence on `split` (grey_split), "" for None."""
    if split is None:
        return ""
    kept = ("keeps the grey pictures apart from the colour ones" if kept_apart(split) else
            "does not keep the grey pictures apart from the colour ones")
    (grey, grey_chance), (colour, colour_chance) = [(split[f"{name}_share"], split[f"{name}_chance"])
                                                    for name in ("grey", "colour")]
    return (f"Grey or colour: {grey:.0%} of a grey picture's {split['k']} nearest neighbours are grey "
            f"({grey_chance:.0%} were they drawn at random), and {colour:.0%} of a colour picture's are in colour "
            f"({colour_chance:.0%}), "
            f"over the {split['grey']:,} grey pictures and {split['colour']:,} in colour: the embedding {kept}.")
