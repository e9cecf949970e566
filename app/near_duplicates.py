"""Near-duplicate pairs (the Retrieval page): pairs of images whose features point almost
the same way under an encoder, drawn as one HTML block.

Data flow: the embedding's vectors (N, D) and a threshold -> ssl_core.index.near_duplicates
(the closest pairs above it, as many as the visitor shows: 30, 100 or 300) -> one HTML grid of
thumbnail pairs (PNG data URIs from app.widgets.thumbnail_uris; file names through
app.widgets.breakable and escape_html) with their cosines, built once per (embedding, threshold,
pairs shown) and kept: a rerun sends one element where the pairs
were about a hundred (images, captions, columns): 15% of the page's script samples in py-spy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from app import access
from app.widgets import breakable, escape_html, short_name, thumbnail_uris
from ssl_core import index
from ssl_core.data.looks import BLANK, look_of
from ssl_core.words import agreeing, counted, cut

if TYPE_CHECKING:  # the page has torch loaded already; this module's tests need not
    from ssl_core.embed import Embedding

SHOWN = (30, 100, 300)  # pairs a visitor may show (walk 20: 15 of 20 planted pairs were past the 30 closest, unseen)
PIXELS_ALIKE = 0.95  # pixel correlation of a pair's stored pictures from which they look alike: a copy or re-encoding
SIDE = 72  # px of each thumbnail
STYLE = f"""<style>
.ssl-dups {{display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 2rem 1rem;}}
.ssl-dup-images {{display: flex;}}
.ssl-dup-image {{width: {SIDE}px;}}
.ssl-dup-image img {{width: {SIDE}px; height: {SIDE}px; border-radius: 0.5rem; display: block;}}
.ssl-dup-name, .ssl-dup-label, .ssl-dup-score {{font-size: 0.875rem; line-height: 1.6; opacity: 0.6;}}
.ssl-dup-name {{text-align: center; overflow-wrap: break-word; padding: 2px; margin-top: 0.375rem;}}
.ssl-dup-label {{text-align: center; overflow-wrap: break-word; font-weight: 600;}}
.ssl-dup-score {{margin-top: 0.125rem;}}  /* under its own pair, far from the next row's */
</style>"""


def pairs_html(pairs: Sequence[tuple[int, int, float]], uris: Sequence[str], names: Sequence[str],
               pixels: Sequence[float], labels: Sequence[str | None] = ()) -> str:
    """The grid of `pairs` (row i, row j, cosine), three to a line: thumbnails `uris[k]`,
    captions `names[k]` and, where given and not None, labels `labels[k]` (all shown literally)
    for the k-th row named, in pair order (i, j, i, j...), and under each pair its cosine and
    its pixels' correlation `pixels[number]`. Walk 14's pair of a kite and a ring on one
    background correlated at 0.96: the labels show what the correlation cannot."""
    cells, labelled = [], any(label is not None for label in labels)
    for number, (_, _, score) in enumerate(pairs):
        images = "".join(
            f'<div class="ssl-dup-image"><img src="{uris[k]}" alt="{escape_html(names[k])}">'
            f'<div class="ssl-dup-name">{escape_html(breakable(names[k]))}</div>'
            + (f'<div class="ssl-dup-label">{escape_html(breakable(labels[k]))}</div>'
               if k < len(labels) and labels[k] is not None else
               '<div class="ssl-dup-label">no label</div>' if labelled else "") + "</div>"  # walk 17: unsaid
            for k in (2 * number, 2 * number + 1))
        cells.append(f'<div><div class="ssl-dup-images">{images}</div>'
                     f'<div class="ssl-dup-score">cosine {score:.4f} · pixels {correlation(pixels[number])}</div>'
                     '</div>')
    return f'{STYLE}<div class="ssl-dups">{"".join(cells)}</div>'


def correlation(value: float) -> str:
    """A pixel correlation cut, not rounded, to 2 places (words.cut), so that one under PIXELS_ALIKE never
    reads as it (walk 17: 'pixels 0.95' beside 'none of them look alike in their pixels
    (correlation 0.95 or more)'), and never '-0.00' (walk 15)."""
    return cut(value, 2)


@st.cache_resource(show_spinner="Comparing every image with its neighbours...", max_entries=16)
def _panel(folder: str, made: float, threshold: float, limit: int, dataset_id: str, _vectors: np.ndarray,
           _names: Sequence[str], _thumbnails: np.ndarray, _labels: Sequence[str | None], _stored: np.ndarray
           ) -> tuple[list[float], int, tuple[int, int], int, str]:
    """(the cosines of the pairs shown, how many of them alike in pixels too, (how many of them
    have both images labelled, how many of those two different labels), how many of two blank
    pictures as stored (`_stored` (N, S, S, 3), looks.BLANK), their HTML) for the embedding in
    `folder` (written at `made`) of dataset `dataset_id`: computed once, not on every rerun."""
    pairs = index.near_duplicates(_vectors, threshold, limit=limit)
    blank = sum(look_of(_stored[i]) in BLANK and look_of(_stored[j]) in BLANK for i, j, _ in pairs)
    rows = [row for i, j, _ in pairs for row in (i, j)]
    # as stored, not the thumbnails: their grey frame round a picture that is not square made two different
    # pictures correlate at 0.90 (walk 29; -0.01 as stored)
    pixels = index.pair_correlations(_stored, pairs)
    labelled = [(_labels[i], _labels[j]) for i, j, _ in pairs if _labels[i] is not None and _labels[j] is not None]
    return [score for *_, score in pairs], int((pixels >= PIXELS_ALIKE).sum()), (
        len(labelled), sum(a != b for a, b in labelled)), blank, pairs_html(
        pairs, thumbnail_uris(dataset_id, _thumbnails, rows), [short_name(_names[row], 16) for row in rows], pixels,
        [_labels[row] for row in rows])


def how_many(cosines: Sequence[float], threshold: float, limit: int) -> str:
    """The caption's first sentence: how many pairs reach `threshold`, or, where `limit` are
    shown and more may reach it, which thresholds show these same pairs and how to see more."""
    if len(cosines) < limit:
        return f"{counted(len(cosines), 'pairs', ('reaches', 'reach'))} {threshold:.3f}, closest first."
    same_up_to = math.floor(cosines[-1] * 1000) / 1000
    more = f" Show {next(n for n in SHOWN if n > limit)} to see more." if limit < SHOWN[-1] else ""
    return (f"The {limit} closest pairs, cosine {cosines[0]:.4f} down to {cosines[-1]:.4f}, closest first; more may "
            f"reach {threshold:.3f}, and any threshold up to {same_up_to:.3f} shows these same {limit}.{more}")


@access.fragment  # not st.fragment: its reruns pass the sign-in too
def near_duplicate_panel(emb: Embedding, dataset_id: str, names: Sequence[str], thumbnails: np.ndarray,
                         labels: Sequence[str | None], stored: np.ndarray) -> None:
    """The threshold slider and the pairs above it for `emb` (vectors (N, D) of the dataset
    whose file names are `names`, thumbnails (N, T, T, 3) `thumbnails` and labels `labels`,
    None where unlabelled): a new threshold reruns this panel only."""
    slider, count = st.columns([3, 1])
    threshold = slider.slider("Cosine similarity at least", 0.5, 1.0, 0.95, 0.005, key="retrieval_threshold",
                              format="%.3f")
    limit = count.segmented_control("Pairs shown", SHOWN, default=SHOWN[0], key="retrieval_pairs_shown") or SHOWN[0]
    cosines, alike, (labelled, apart), blank, body = _panel(  # keywords: no signature() per argument
        folder=str(emb.folder), made=emb.made, threshold=threshold, limit=limit, dataset_id=dataset_id,
        _vectors=emb.vectors, _names=names, _thumbnails=thumbnails, _labels=labels, _stored=stored)
    if not cosines:
        st.info("No pair is that similar. Lower the threshold to see the closest pairs.")
        return
    st.caption(f"{how_many(cosines, threshold, limit)} {pixels_words(len(cosines), alike, labelled, apart)}"
               + blank_words(blank, len(cosines)))
    st.html(body)


def blank_words(blank: int, shown: int) -> str:
    """What the caption adds where `blank` of the `shown` pairs are two pictures nearly black or of
    one flat tone as stored (walk 22: all 30 pairs were its 16 dark frames, said to differ in pixels)."""
    if not blank:
        return ""
    pairs = "Both its images are" if shown == 1 else f"In {blank} of the {shown} pairs both images are"
    return (f" {pairs} nearly black or of one flat tone as stored (the import named them): nothing in them tells "
            "them apart, so their cosine and their pixels' correlation say nothing of what they show.")


def pixels_words(shown: int, alike: int, labelled: int, apart: int) -> str:
    """What the caption says of the `shown` pairs: how many look `alike` in their pixels, and of
    the `labelled` ones (both images labelled) how many join two different labels (`apart`)."""
    pixels = (f"(correlation {PIXELS_ALIKE} or more, as stored: copies, re-encodings, one picture with a small part "
              "changed, two small things alike on one plain background, or two pictures whose differences are finer "
              "than a stored pixel)")  # walk 14: two shapes on one smooth background
    # walk 50: fabric of two weaves in one colour, their threads a fifth of a stored pixel apart, said to be copies
    # correlated at 0.96; walk 39: two round nuclei, each a blur on black, were said to be a copy or an edit
    # walk 25 read "crops of one picture" first, of 21 pairs of different drawings of one house
    # walk 41: 23 pairs of burst frames, an animal moved 3 px (correlation 0.66-0.94), were "two of one kind"
    differ = ("pictures the encoder finds alike all the same (two of one kind, or two crops or frames of one scene, "
              "as a burst's)")
    if shown == 1:  # walk 18: "None of them look alike ... 0 of the 1 pairs ... join two different labels"
        said = (f"Its two images look alike in their pixels too {pixels}." if alike else
                f"Its two images do not look alike in their pixels {pixels}: they are {differ}.")
        return said + ("" if not labelled else " They are labelled alike." if not apart else
                       " They carry two different labels.")
    said = (f"None of them look alike in their pixels {pixels}: they are {differ}." if not alike else
            f"{alike} of them {agreeing(alike, 'looks', 'look')} alike in their pixels too {pixels}." if alike == shown
            else f"{alike} of them {agreeing(alike, 'looks', 'look')} alike in their pixels too {pixels}; the other "
                 f"{shown - alike} {agreeing(shown - alike, 'differs', 'differ')} in pixels: {differ}.")
    # walk 10: 17 of 18 pairs were two classes on one background, which the labels showed and the caption did not
    return said + (f" {apart} of the {labelled} pairs whose images are both labelled join two different labels."
                   if labelled else "")
