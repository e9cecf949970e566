"""Deleting an import from the Data page's import table: pick it, press Delete, read what
goes (its folder, its cached embeddings; an embedding set's vectors cannot be made again
here), confirm. While a run started from it (`--init`) is queued or running, the runs are
named and nothing is offered but Cancel.

Data flow: the picked name -> session state (the pending confirmation) -> the next rerun
reads ssl_core.imports.removal (runs started from it, folders derived from it) -> "Yes,
delete" calls delete_import -> the outcome kept in the panel's result for the next rerun.
"""

from __future__ import annotations

import streamlit as st

from app import current
from app.widgets import escape_markdown
from ssl_core.imports import ImportRefused, registry
from ssl_core.imports.removal import delete_import, derived_folders, in_use, runs_started_from
from ssl_core.store import Workspace
from ssl_core.words import agreeing, counted

PENDING = "data_confirm_delete_import"  # session key: the import waiting for confirmation
OUTCOME = "data_import_deleted"  # session key: (ok, markdown) of the last delete


def delete_control(ws: Workspace, configs: list[dict]) -> None:
    """The last delete's outcome, then a picker and Delete button under the import table,
    or the pending confirmation."""
    if OUTCOME in st.session_state:  # shown once
        ok, message = st.session_state.pop(OUTCOME)
        (st.success if ok else st.error)(message)
    by_name = {c["encoder"]: c for c in configs}
    pending = st.session_state.get(PENDING)
    if pending in by_name:
        _confirm(ws, by_name[pending])
        return
    if not by_name:
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    name = left.selectbox("Delete an import", list(by_name), index=None, key="import_delete_pick",
                          placeholder="Choose one to delete", format_func=lambda n: registry.describe(by_name[n]))
    if right.button("Delete...", icon=":material/delete:", disabled=name is None, key="import_delete_button"):
        st.session_state[PENDING] = name
        st.rerun()


def _confirm(ws: Workspace, config: dict) -> None:
    name, shown = config["encoder"], escape_markdown(registry.describe(config))
    active = runs_started_from(ws, name)
    if active:
        listed = ", ".join(f"{escape_markdown(run['id'])} ({run['status']})" for run in active)
        st.warning(f"**{shown}** cannot be deleted now: {in_use(len(active))} {listed}. Cancel "
                   f"{agreeing(len(active), 'it', 'them')} on the Train page or let "
                   f"{agreeing(len(active), 'it', 'them')} finish first.", icon=":material/lock:")
        no = st.columns([1, 6])[0]
    else:
        caches = len(derived_folders(ws, name))
        what = (f"its vectors of dataset {escape_markdown(config['dataset'])}, which cannot be computed again "
                "here (only by importing the file again)" if config["kind"] == "embeddings" else
                f"its weights and its cached embeddings of {counted(caches, 'datasets')}; runs that started "
                "from it keep their own copy of its weights")
        st.warning(f"Delete **{shown}**: {what}? This cannot be undone.", icon=":material/delete:")
        yes, no = st.columns([1, 6])
        if yes.button("Yes, delete", type="primary", key="import_delete_yes"):
            try:
                delete_import(ws, name)
            except ImportRefused as exc:  # a run was queued from it meanwhile
                st.session_state[OUTCOME] = (False, f"Nothing was deleted: {escape_markdown(str(exc))}")
            else:
                st.session_state[OUTCOME] = (True, f"Deleted **{shown}**.")
                if current.encoder_key() == registry.source_key(name):
                    current.set_encoder(None)
            _done()
    if no.button("Cancel", key="import_delete_cancel"):
        _done()


def _done() -> None:
    st.session_state.pop(PENDING, None)
    st.rerun()
