"""The images least like any other (the Retrieval page): for sizing up a dataset, the ones an
encoder finds no close match for: outliers, damaged or blank pictures, rare kinds. Walk 38's
engineer planted noise images and screenshots among 600 product photos; the import named the
black ones, and nothing showed the rest.

Data flow: the embedding's vectors (N, D) -> ssl_core.index.kth_nearest_other (each image's cosine
to its NEIGHBOURS-th nearest other: a few alike, as walk 38's three screenshots, do not hide each
other) -> the SHOWN lowest, least alike first, beside the median -> a gallery of
thumbnails (PNG data URIs, app.widgets.thumbnail_uris) captioned with the image's name and that
cosine, computed once per embedding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from app.widgets import breakable, gallery, short_name, thumbnail_uris
from ssl_core import index

if TYPE_CHECKING:  # the page has torch loaded already
    from ssl_core.embed import Embedding

SHOWN = 12  # images shown, least alike first
# the nearest other read: on walk 38's 600 pictures the 1st found none of its 10 planted outliers among the 12 least
# alike (its 3 screenshots and 4 noise pictures each had one like it), the 5th found 4, the 10th 5
NEIGHBOURS = 10


@st.cache_resource(show_spinner="Finding each image's nearest other...", max_entries=16)
def loners(folder: str, made: float, _vectors: np.ndarray) -> tuple[list[tuple[int, float]], float]:
    """([(row, the cosine to its NEIGHBOURS-th nearest other)] of the SHOWN rows least like any others, least first
    (ties by row); the median over all rows of that cosine) for the embedding in `folder` (written at `made`):
    computed once."""
    scores = index.kth_nearest_other(_vectors, NEIGHBOURS)
    order = np.lexsort((np.arange(len(scores)), scores))[:SHOWN]
    return [(int(row), float(scores[row])) for row in order], float(np.median(scores))


def loner_panel(emb: Embedding, dataset_id: str, names: Sequence[str], thumbnails: np.ndarray) -> None:
    """The SHOWN images of `emb`'s dataset (file names `names`, thumbnails (N, T, T, 3)) least like any other."""
    if len(emb.vectors) <= NEIGHBOURS:
        st.caption(f"With {len(emb.vectors)} images, no image has {NEIGHBOURS} others to be measured against.")
        return
    found, median = loners(str(emb.folder), emb.made, emb.vectors)
    st.caption(f"The {len(found)} images with the fewest others like them under the chosen encoder: the cosine to "
               f"their {NEIGHBOURS}th nearest other image is the lowest ({found[0][1]:.3f} to {found[-1][1]:.3f}, "
               f"where the median image's is {median:.3f}). Outliers, blank or damaged pictures and kinds the "
               f"dataset holds fewer than {NEIGHBOURS} of would stand here; so can a common kind on an unusual "
               "background. Under each, its name and that cosine.")
    gallery(thumbnail_uris(dataset_id, thumbnails, [row for row, _ in found]),
            # the name first: "0.328 · IMG_2708.png" read as a neighbour's score in the gallery above (an e2e test did)
            [breakable(short_name(names[row], 20)) + f" · {score:.3f}" for row, score in found], width=96)
