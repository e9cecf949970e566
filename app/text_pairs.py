"""The Lab's SimCSE view for a text dataset: a small batch of sentences, each read twice by
an encoder with its dropout on (SimCSE's only augmentation, Gao et al. 2021), and the
cosine similarity of every first view with every second: the positive pairs are the
diagonal, every other cell a negative; how many rows have their positive brightest is
counted from the same matrix.

Flow: the dataset's texts -> a batch of BATCH rows from the Lab's seed -> the chosen
encoder (a SimCSE run's checkpoint, or the untrained twin) and its tokenizer ->
ssl_core.text.preview.dropout_similarity (n, n) -> a heatmap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import torch

from app.maps import built_once
from app.section_jump import PAIRS_BATCH, section
from app.widgets import escape_markdown
from ssl_core import embed, jobs
from ssl_core.run_names import run_name
from ssl_core.store import DatasetInfo, Workspace
from ssl_core.text.kind import source_tokenizer
from ssl_core.text.preview import dropout_similarity
from ssl_core.text.tokenizer import encode

BATCH = 8  # sentences in the batch shown
UNTRAINED = "untrained text_transformer"
SENTENCE_PAIR_METHODS = ("simcse", "mlm_simcse")  # runs whose loss pairs a sentence with itself


@st.cache_resource(show_spinner=False, max_entries=4)
def _encoder(key: str, made: float, _ws: Workspace, _source: embed.EncoderSource) -> torch.nn.Module:
    """The source's encoder, once per checkpoint (its time `made`)."""
    return embed.load_encoder(_ws, _source)


def _similarity(ws: Workspace, dataset: DatasetInfo, source: embed.EncoderSource, texts: list[str],
                seed: int) -> np.ndarray:
    made = jobs.run_dir(ws, source.run_id).joinpath("checkpoint.safetensors").stat().st_mtime if source.run_id else 0.0
    ids = torch.from_numpy(encode(source_tokenizer(ws, dataset, source), texts))
    return dropout_similarity(_encoder(source.key, made, ws, source), ids, seed)


def dropout_pairs(ws: Workspace, dataset: DatasetInfo, texts: list[str], seed: int) -> None:
    """The SimCSE section of the Lab: encoder picker, the batch, the heatmap and its count."""
    section("Two dropout views of each sentence (SimCSE)", PAIRS_BATCH)
    runs = {run["id"]: run for run in jobs.list_runs(ws)
            if run["dataset"] == dataset.name and run["checkpoint"] and run["method"] in SENTENCE_PAIR_METHODS}
    names = {UNTRAINED: UNTRAINED, **{run_id: f"run {run_name(run)}" for run_id, run in runs.items()}}
    chosen = st.selectbox("Encoder", list(names)[::-1], key="text_lab_pairs_encoder", format_func=names.get,
                          help="A SimCSE (or mlm_simcse) run of this dataset, or the untrained encoder (dropout alone).")
    source = embed.from_run(ws, runs[chosen]) if chosen in runs else embed.untrained("text_transformer")
    rows = np.sort(np.random.default_rng(seed).choice(len(texts), min(BATCH, len(texts)), replace=False))
    batch = [texts[i] for i in rows]
    similarity = _similarity(ws, dataset, source, batch, seed)
    n = len(batch)
    brightest = int((similarity.argmax(axis=1) == np.arange(n)).sum())
    labels = [f"#{i}" for i in rows]
    key = f"{dataset.id} {source.key} {seed} {similarity.round(4).tobytes().hex()[:64]}"
    left, right = st.columns([3, 2], gap="large")
    left.plotly_chart(built_once("simcse_pairs", key, lambda: go.Figure(
        go.Heatmap(z=similarity.tolist(), x=[f"{label} b" for label in labels], y=[f"{label} a" for label in labels],
                   colorscale="Viridis", colorbar=dict(title="cosine"),
                   hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>"),
        layout=dict(title="Cosine similarity of view a (rows) with view b (columns)", height=420,
                    yaxis=dict(autorange="reversed"), margin=dict(l=10, r=10, t=50, b=10)))),
        key="text_lab_pairs_heatmap")
    left.caption(f"The diagonal holds the positive pairs: the same sentence under two dropout masks. In {brightest} "
                 f"of {n} rows it is the brightest cell, as the SimCSE loss asks; every other cell is a negative.")
    right.table(pd.DataFrame({"#": rows, "sentence": [escape_markdown(text) for text in batch]}),  # wraps long
                hide_index=True)  # sentences whole; its cells are Markdown
