"""A warning on the pages that read an encoder's neighbours (Retrieval, the Explorer, the Lab's
similarities, Concepts' map) when that encoder is a run whose embedding collapsed by its last
measurement: its neighbours, near-duplicates and map then say little, which a visitor cannot
tell from them (walk 27: a ResNet-18 run at 8% of its untrained twin's effective rank, the
Retrieval page's default, its neighbours all 0.999-1.000 and called "two of one kind"); and on
Retrieval, where any encoder's embedding puts the pictures along one line, so that its cosine
scores sit near +1 or -1 whatever two pictures show (one_direction_note)."""

from __future__ import annotations

import streamlit as st

from app.concept_texts import SURFACES
from app.widgets import escape_markdown
from ssl_core import embed, jobs
from ssl_core.evaluate.health import ONE_DIRECTION_COSINE, one_direction
from ssl_core.evaluate.verdict import LEARNED, collapsed_words
from ssl_core.store import Workspace


def collapse_note(ws: Workspace, run_id: str | None, name: str, shows: str) -> bool:
    """Warn where `run_id` (named `name`; None: not a run) is an ended run that collapsed;
    `shows` is what of it the page shows ("its neighbours and near-duplicates"). Whether it warned."""
    if not run_id or (run := jobs.get_run(ws, run_id))["status"] not in jobs.FINAL:
        return False  # a running run's first measurements dip below the line (verdict.LOW_RANK_MEASUREMENTS)
    words = collapsed_words(jobs.final_metrics(ws, [run_id]).get(run_id, {}))
    if not words:
        return False
    items = SURFACES[jobs.run_kind(run)].items
    # a review: 'maps the pictures close together whatever they show' above a green 'Learned something: kNN accuracy
    # 97.0% against 60.0%' of a text run whose vectors crowd into a narrow cone (methods/mlm.py)
    said = (f"Its verdict still measured a gain, so its features tell some {items} apart, but they lie along few "
            f"directions: {shows} may say less about them than its verdict does." if
            jobs.run_verdict(ws, run_id).code == LEARNED else
            f"It maps the {items} close together whatever they show, so {shows} say little about them.")
    st.warning(f"**{escape_markdown(name)}** collapsed by its last measurement: {words}. {said} Its Diagnosis on the "
               "Train page says what to change; another encoder can be picked above.", icon=":material/warning:")
    return True


@st.cache_data(show_spinner=False, max_entries=32)
def _one_direction(folder: str, made: float, _vectors) -> tuple[float, float]:
    """health.one_direction of an embedding's centred vectors, read once per embedding (`folder`, `made`)."""
    return one_direction(_vectors)


def one_direction_note(emb: embed.Embedding, name: str, shows: str) -> None:
    """Warn where `emb`, the embedding of the encoder named `name`, puts the pictures along one line, so that
    `shows` ("the scores below") say little: any encoder, an imported one too (walk 32: a random ResNet-18's
    12 neighbours of every query scored 0.998-1.000, unsaid, where no run's collapse monitor could tell)."""
    share, cosine = _one_direction(str(emb.folder), emb.made, emb.vectors)
    if cosine >= ONE_DIRECTION_COSINE:
        st.warning(f"**{escape_markdown(name)}** puts these pictures along one line: {share:.0%} of the spread of "
                   f"its features lies in one direction, and two pictures drawn at random score {cosine:.2f} or "
                   f"-{cosine:.2f} on median (2,000 pairs; from {ONE_DIRECTION_COSINE} on, this is called one line). "
                   f"So a score near 1 does not mean two pictures look alike, and {shows} say little: only the "
                   "order of its scores can mean something.", icon=":material/warning:")
