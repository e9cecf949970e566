"""A warning on the pages that read an encoder's neighbours (Retrieval, the Explorer, the Lab's
similarities, Concepts' map) when that encoder is a run whose embedding collapsed by its last
measurement: its neighbours, near-duplicates and map then say little, which a visitor cannot
tell from them (walk 27: a ResNet-18 run at 8% of its untrained twin's effective rank, the
Retrieval page's default, its neighbours all 0.999-1.000 and called "two of one kind")."""

from __future__ import annotations

import streamlit as st

from app.widgets import escape_markdown
from ssl_core import jobs
from ssl_core.evaluate.verdict import collapsed_words
from ssl_core.store import Workspace


def collapse_note(ws: Workspace, run_id: str | None, name: str, shows: str) -> None:
    """Warn where `run_id` (named `name`; None: not a run) is an ended run that collapsed;
    `shows` is what of it the page shows ("its neighbours and near-duplicates")."""
    if not run_id or jobs.get_run(ws, run_id)["status"] not in jobs.FINAL:
        return  # a running run's first measurements dip below the line (verdict.LOW_RANK_MEASUREMENTS)
    words = collapsed_words(jobs.final_metrics(ws, [run_id]).get(run_id, {}))
    if words:
        st.warning(f"**{escape_markdown(name)}** collapsed by its last measurement: {words}. It maps the pictures "
                   f"close together whatever they show, so {shows} say little about them. Its Diagnosis on the "
                   "Train page says what to change; another encoder can be picked above.", icon=":material/warning:")
