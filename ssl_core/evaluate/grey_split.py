"""Grey or colour: whether an embedding keeps the grey pictures of a dataset apart from its colour ones.

Walk 41: 118 night infrared frames (grey) among 234 daylight ones (colour), with deer, boar, foxes and
birds in both. 96% of an image's 10 nearest neighbours in the trained run's embedding were grey, or in
colour, as it was (98% in its untrained twin's), where the shortcut check's colour cue scored "little"
(0.26: its mean colour ranks a dark grey frame far from a light grey one) and nothing named the split.
A split into two groups is read directly instead:

    grey (N,) bool (data.looks.grey_pictures), the k embedding neighbours of M query images
    -> share: the mean share of a query's neighbours that are grey where it is, or colour where it is
    -> chance: what neighbours drawn at random from the other images would give, (g-1)/(N-1) for a
       grey query, (c-1)/(N-1) for a colour one, over the same queries

Read only where each side holds at least k images (a query's neighbours could all be of its side).
"""

from __future__ import annotations

import numpy as np
import torch

from ..data.looks import grey_pictures

CHUNK = 1024  # pictures measured at a time: a 200,000-picture set's spreads would take 800 MB at once
APART = 0.5  # a share this far from chance towards 1 (as a fraction of the way): the two kept apart
NEAR = 0.1  # ... under this far: mixed about as chance would mix them


def grey_rows(images: np.ndarray) -> np.ndarray:
    """(N,) bool of uint8 pictures (N, S, S, 3), a memory map too: grey or nearly so."""
    return np.concatenate([grey_pictures(np.asarray(images[start : start + CHUNK]))
                           for start in range(0, len(images), CHUNK)] or [np.zeros(0, bool)])


def grey_split(grey: np.ndarray, queries: np.ndarray, neighbours: torch.Tensor) -> dict | None:
    """{"grey", "colour": counts, "share", "chance", "k"} (module doc) for queries (M,) and their
    embedding neighbours (M, k), or None where a side holds fewer than k images."""
    count, grey_count, k = len(grey), int(grey.sum()), neighbours.shape[1]
    if min(grey_count, count - grey_count) < k:
        return None
    side = grey[queries]
    same = grey[neighbours.numpy()] == side[:, None]
    chance = np.where(side, grey_count - 1, count - grey_count - 1) / (count - 1)
    return {"grey": grey_count, "colour": count - grey_count, "share": float(same.mean()),
            "chance": float(chance.mean()), "k": k}


def grey_split_words(split: dict | None) -> str:
    """One sentence on `split` (grey_split), "" for None."""
    if split is None:
        return ""
    share, chance = split["share"], split["chance"]
    kept = ("keeps the grey pictures apart from the colour ones" if share - chance >= APART * (1 - chance) else
            "mixes grey and colour pictures about as chance would" if share - chance < NEAR * (1 - chance) else
            "leans towards keeping grey pictures with grey ones")
    return (f"Grey or colour: {share:.0%} of a picture's {split['k']} nearest neighbours are grey, or in colour, as it is "
            f"({split['grey']:,} grey pictures, {split['colour']:,} in colour), against {chance:.0%} were they "
            f"drawn at random: the embedding {kept}.")
