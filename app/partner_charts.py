"""The Augmentation Lab's "find the partner" charts (the contrastive task of SimCLR, Chen et
al. 2020): the cosine similarity of every pair of views in a batch, and one view's softmax
over the candidates for its partner.

Data flow: a batch's similarity matrix (2N, 2N) of views a0..aN-1, b0..bN-1 (view i's
partner is ssl_core.augment.preview.partner_of(i, N)) -> plotly figures, built once per
batch (and picked view) and kept frozen (app.maps.FrozenFigure): rebuilding and copying
them was 56% of the Lab's script samples in py-spy.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app.maps import FrozenFigure, frozen
from ssl_core.augment.preview import partner_of, partner_probabilities


def view_labels(n: int) -> list[str]:
    """Names of the 2n views of a batch of n images: a0..a(n-1), b0..b(n-1)."""
    return [f"a{i}" for i in range(n)] + [f"b{i}" for i in range(n)]


@st.cache_resource(show_spinner=False, max_entries=8)
def similarity_heatmap(batch_key: str, _similarity: np.ndarray) -> FrozenFigure:
    """Heatmap of `_similarity` (2N, 2N) with the positive pairs boxed, once per `batch_key`; the
    diagonal (each view with itself, cosine 1, the brightest cell of every row) is left blank."""
    n = len(_similarity) // 2
    labels = view_labels(n)
    off_diagonal = _similarity[~np.eye(2 * n, dtype=bool)]
    shown = _similarity.astype(float)
    np.fill_diagonal(shown, np.nan)
    figure = go.Figure(go.Heatmap(z=shown, x=labels, y=labels, colorscale="Viridis", hoverongaps=False,
                                  zmin=float(off_diagonal.min()), zmax=float(off_diagonal.max()),
                                  colorbar=dict(title="cosine")))
    figure.add_trace(go.Scatter(x=[labels[partner_of(i, n)] for i in range(2 * n)], y=labels, mode="markers",
                                marker=dict(symbol="square-open", size=12, color="black"),
                                name="positive pair", hoverinfo="skip"))
    figure.update_layout(height=460, margin=dict(l=10, r=10, t=30, b=10), yaxis_autorange="reversed",
                         title="Cosine similarity of every pair of views", showlegend=False)
    return frozen(figure)


@st.cache_resource(show_spinner=False, max_entries=48)
def partner_bars(batch_key: str, row: int, _similarity: np.ndarray, _temperature: float) -> FrozenFigure:
    """View `row`'s softmax over the other 2N - 1 views of `_similarity` (2N, 2N) at
    `_temperature`, its true partner in blue, chance dotted; once per `batch_key` and row."""
    n = len(_similarity) // 2
    labels = view_labels(n)
    partner = partner_of(row, n)
    probabilities = partner_probabilities(_similarity, row, _temperature)
    others = [j for j in range(2 * n) if j != row]  # the view itself is no candidate
    colours = ["#5B5BD6" if j == partner else "#C4C4D4" for j in others]
    bars = go.Figure(go.Bar(x=[labels[j] for j in others], y=probabilities[others], marker_color=colours))
    # its label right of the plot: at the line's left end it was drawn over the first bars
    bars.add_hline(y=1 / (2 * n - 1), line_dash="dot", annotation_text="chance", annotation_position="right")
    bars.update_layout(height=300, margin=dict(l=10, r=60, t=30, b=10), yaxis_title="probability",
                       title=f"Which view is {labels[row]}'s partner? (true: {labels[partner]})")
    return frozen(bars)
