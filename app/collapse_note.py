"""A warning above the pages that read an encoder's neighbours (Retrieval, the Explorer) when
that encoder is a run whose embedding collapsed by its last measurement: its neighbours,
near-duplicates and map then say little, which a visitor cannot tell from them (walk 27: a
ResNet-18 run at 8% of its untrained twin's effective rank, the Retrieval page's default, its
neighbours all 0.999-1.000 and called "two of one kind")."""

from __future__ import annotations

import streamlit as st

from app.widgets import escape_markdown
from ssl_core import jobs
from ssl_core.embed import EncoderSource
from ssl_core.evaluate.verdict import collapsed_words
from ssl_core.store import Workspace


def collapse_note(ws: Workspace, source: EncoderSource, name: str, shows: str) -> None:
    """Warn where `source` (named `name`) is an ended run that collapsed; `shows` is what of it
    the page shows ("its neighbours and near-duplicates")."""
    if not source.run_id or jobs.get_run(ws, source.run_id)["status"] not in jobs.FINAL:
        return  # a running run's first measurements dip below the line (verdict.LOW_RANK_MEASUREMENTS)
    words = collapsed_words(jobs.final_metrics(ws, [source.run_id]).get(source.run_id, {}))
    if words:
        st.warning(f"**{escape_markdown(name)}** collapsed by its last measurement: {words}. It maps the pictures "
                   f"close together whatever they show, so {shows} say little about them. Its Diagnosis on the "
                   "Train page says what to change; another encoder can be picked above.", icon=":material/warning:")
