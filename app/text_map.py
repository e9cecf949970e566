"""The Embedding Explorer's sentence map, for a text dataset: every dot one sentence,
placed by UMAP (or PCA) of an encoder's features, coloured by its hidden label, the
sentence itself shown on hover; points selected on the map are listed as sentences.

Flow: the dataset's texts and labels -> app.sources.embedding (features (N, D) of an
encoder, and of a second one beside it: by default its untrained twin) -> ssl_core.project
(UMAP on a FAISS kNN graph) -> app.maps.scatter, the hover text escaped with escape_plotly ->
a selection's row ids -> a table of those sentences.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import streamlit as st

from app.maps import PCA_NOTE, UNLABELLED, FrozenFigure, frozen, palette, scatter, selected_rows, unplaced_note
from app.sources import embedding, side_by_side
from app.text_items import dataset_texts
from app.widgets import escape_plotly
from ssl_core import embed, project
from ssl_core.store import DatasetInfo, Workspace
from ssl_core.words import counted

HOVER_WIDTH = 60  # characters per line of a sentence in the hover box
HOVER_LINES = 4  # lines shown; a longer sentence ends in "..."
LISTED = 200  # selected sentences listed at most
INTRO = ("Every dot is one sentence, placed so that sentences the encoder finds similar sit close together, "
         "coloured by its hidden label where it has one. A good encoder puts sentences about the same thing close "
         "together. Hover a dot to read its sentence; pick box or lasso in the chart's toolbar and drag around several "
         "to list them below.")


def hover_text(number: int, text: str, label: str) -> str:
    """'#12 the sentence, wrapped<br>over lines · label', escaped for plotly."""
    lines = textwrap.wrap(text, HOVER_WIDTH, max_lines=HOVER_LINES, placeholder=" ...") or [""]
    return f"#{number} " + "<br>".join(map(escape_plotly, lines)) + f"<br>· {escape_plotly(label)}"


@st.cache_resource(show_spinner=False, max_entries=8)
def sentence_figure(dataset_id: str, folder: str, made: float, method: str, title: str, _texts: list[str],
                    _labels: list[str], _coords: np.ndarray) -> FrozenFigure:
    """The map of one embedding (its folder and time), built once per method and title."""
    rows = np.arange(len(_texts))
    hover = [hover_text(i, text, label) for i, (text, label) in enumerate(zip(_texts, _labels))]
    return frozen(scatter(_coords, rows, _labels, hover, title, 6, palette(_labels)))


def sentence_maps(ws: Workspace, dataset: DatasetInfo, source: embed.EncoderSource,
                  other: embed.EncoderSource | None) -> None:
    """The map control, the map of `source` (beside `other`'s when there is one), and the
    sentences selected on either."""
    method = st.segmented_control("Map", ["umap", "pca"], default="umap", key="explore_text_method",
                                  format_func=str.upper) or "umap"
    if method == "pca":
        st.caption(PCA_NOTE)
    texts = dataset_texts(ws, dataset.id, dataset)
    labels = [row["label"] or UNLABELLED for row in ws.image_rows(dataset)]
    selections: list[int] = []
    maps = side_by_side(ws, dataset, source, other)
    for column, (shown_source, title) in zip(st.columns(len(maps)), maps):
        with column:
            emb = embedding(ws, dataset, shown_source)
            with st.spinner(f"{method.upper()} of {len(texts):,} sentences..."):
                coords = project.project(emb, method, dims=2)
            figure = sentence_figure(dataset.id, str(emb.folder), emb.made, method, title, texts, labels, coords)
            event = st.plotly_chart(figure, key=f"text_map_{shown_source.key}_{method}", on_select="rerun",
                                    selection_mode=("points", "box", "lasso"), width="stretch")
            unplaced_note(coords, method)
            selections += [row for row in selected_rows(event) if row not in selections]
    if not selections:
        unlabelled = labels.count(UNLABELLED)
        st.caption("Hover a dot to read its sentence. Click one, or pick box or lasso in the chart's toolbar and "
                   "drag, to list sentences here. " + (
                       "This dataset has no labels: every dot has one colour." if unlabelled == len(labels) else
                       "Colours are the hidden labels, never used in training"
                       + (f" ({counted(unlabelled, 'sentences', ('has', 'have'))} none)." if unlabelled else ".")))
        return
    picked = sorted(selections)[:LISTED]
    st.subheader(counted(len(selections), "selected sentences")
                 + (f" (the first {LISTED})" if len(selections) > LISTED else ""))
    st.dataframe(pd.DataFrame({"#": picked, "label": [labels[i] for i in picked], "text": [texts[i] for i in picked]}),
                 hide_index=True, width="stretch")
