"""Which encoder a page looks through (a run's checkpoint or an untrained encoder), and its
embedding of a dataset, computed with a progress bar the first time."""

from __future__ import annotations

import streamlit as st

from app.widgets import progress_bar
from ssl_core import embed, jobs
from ssl_core.models import ENCODERS
from ssl_core.store import DatasetInfo, Workspace, WorkspaceError

UNTRAINED_SIDE = 32  # the untrained baselines see the training default's view side


def source_choices(ws: Workspace, dataset: DatasetInfo) -> dict[str, embed.EncoderSource]:
    """Runs of `dataset` that have a checkpoint (newest first), then an untrained encoder
    of every architecture, by the label a picker shows."""
    choices: dict[str, embed.EncoderSource] = {}
    for run in jobs.list_runs(ws):
        if run["dataset"] == dataset.name and run["checkpoint"]:
            try:
                source = embed.from_run(ws, run)  # the row: no second look-up per run
            except (WorkspaceError, OSError, ValueError):  # its checkpoint is being replaced: skip it now
                continue
            # no status in the label: it changes while a page keeps the label selected
            choices[f"{run['id']} · {run['method']} · {run['encoder']}"] = source
    for name in ENCODERS:
        choices[f"untrained {name}"] = embed.untrained(name, UNTRAINED_SIDE)
    return choices


def pick_source(container, ws: Workspace, dataset: DatasetInfo, label: str, key: str,
                help: str | None = None, other_than: embed.EncoderSource | None = None) -> embed.EncoderSource:
    """A selectbox of `source_choices`: the newest run first; with `other_than`, its
    untrained twin first (else the first other choice), so a comparison starts as before/after."""
    choices = source_choices(ws, dataset)
    labels = list(choices)
    if other_than is not None:
        wanted = embed.baseline_of(other_than)
        labels.sort(key=lambda name: (choices[name] != wanted, choices[name] == other_than))
    chosen = container.selectbox(label, labels, key=f"{key}_{dataset.id}", help=help)
    return choices[chosen]


def embedding(ws: Workspace, dataset: DatasetInfo, source: embed.EncoderSource) -> embed.Embedding:
    """`source`'s features of `dataset`; the first time, a progress bar while they are computed."""
    hit = embed.cached(ws, dataset, source)
    if hit is not None:
        return hit
    slot = st.empty()
    with slot.container():
        result = embed.embed(ws, dataset.name, source,
                             progress=progress_bar(f"Embedding {dataset.name} with {source.label}"))
    slot.empty()
    return result
