"""The current dataset and encoder: one choice that every page shares.

A picker anywhere (the sidebar, a page's own "Dataset" or "Encoder" box, the Data page's
"Look at") writes the choice to session state and to the URL (`?dataset=NAME&encoder=KEY`,
an encoder by its source key: a run id or `untrained-<encoder>-<side>`). `restore`, run by
main.py before every page, reads the URL when a session starts (a refresh, a shared link)
and writes the choice back to it (a page switch drops query parameters; `switch_page` keeps
them). With no choice yet, a page that computes something asks for one instead of falling
back to the first dataset; a workspace with a single dataset has it chosen.

Widget state of a page is dropped by Streamlit when another page is shown; `KEPT` widget
keys (and keys starting with `KEPT_PREFIXES`) are carried across page visits.
"""

from __future__ import annotations

import streamlit as st

from app.widgets import escape_markdown
from ssl_core import jobs
from ssl_core.imports import ImportRefused, registry
from ssl_core.run_names import names_told_apart, where_trained
from ssl_core.store import DatasetInfo, Workspace, WorkspaceError

DATASET = "current_dataset"  # session key: the current dataset's name, or None
ENCODER = "current_encoder"  # session key: the current encoder's source key, or None
PARAMS = {DATASET: "dataset", ENCODER: "encoder"}  # session key -> query parameter
STARTED_HERE = "train_started_here"  # session key: the ids of the runs this session started (the Train page)
FELL_BACK = "_current_encoder_fell_back"  # session key: (the encoder a page could not offer, the one it showed)
ENCODER_LINE = "_current_encoder_line"  # session key: this run's sidebar slot for the encoder's name
KEPT = ("retrieval_k", "train_method")  # train_method: the Lab opens on its default recipe
# train_budget: the minutes or epochs typed (walk 26: back to 5.00 after a visit to the Explorer)
KEPT_PREFIXES = ("explore_compare_", "retrieval_compare_", "train_budget")


def restore(ws: Workspace) -> None:
    """Start of every run: the choice from the URL when the session has none, an unknown
    dataset dropped, widget state kept across pages, and the choice written to the URL."""
    for key, param in PARAMS.items():
        if key not in st.session_state:
            st.session_state[key] = st.query_params.get(param)
    names = [d.name for d in ws.datasets()]
    if st.session_state[DATASET] not in names:
        gone = st.session_state[DATASET]
        st.session_state[DATASET] = names[0] if len(names) == 1 else None
        if gone:
            _say_dataset_gone(gone, st.session_state[DATASET], len(names))
    for key in list(st.session_state):
        if isinstance(key, str) and (key in KEPT or key.startswith(KEPT_PREFIXES)):
            st.session_state[key] = st.session_state[key]  # re-set: Streamlit then keeps it off its page
    _write_url()


def _say_dataset_gone(gone: str, instead: str | None, left: int) -> None:
    """A notice at the top of the page, on the rerun that dropped the current dataset `gone`
    (`left`: datasets still there; `instead`: the one chosen now, if any)."""
    then = (f"the pages now work on **{escape_markdown(instead)}**, the only one" if instead else
            "choose another" if left else "add one on the Data page")
    st.info(f"The dataset **{escape_markdown(gone)}** is not in the workspace (deleted, here or in another tab, "
            f"or named by a link to another workspace): {then}.", icon=":material/info:")


def _write_url() -> None:
    for key, param in PARAMS.items():
        value = st.session_state.get(key)
        if value and st.query_params.get(param) != value:
            st.query_params[param] = value
        elif not value and param in st.query_params:
            del st.query_params[param]


def switch_page(page: str) -> None:
    """Open `page` with the current choice in its URL at once: a plain `st.switch_page`
    drops the query, and writing it back then adds a second history entry, so the
    browser's Back would stop on the bare page instead of returning."""
    st.switch_page(page, query_params={param: st.session_state[key] for key, param in PARAMS.items()
                                       if st.session_state.get(key)})


def dataset_name() -> str | None:
    return st.session_state.get(DATASET)


def encoder_key() -> str | None:
    return st.session_state.get(ENCODER)


def set_dataset(name: str | None) -> None:
    st.session_state[DATASET] = name
    _write_url()


def first_choice(keys: list[str]) -> str:
    """Of encoder keys (runs first, newest first), the one a page opens on when none is current:
    the newest run this session started, else the first. In a room the newest run is often
    another visitor's (walk 26: a student's Explorer opened on a classmate's run)."""
    mine = st.session_state.get(STARTED_HERE, set())
    return next((key for key in keys if key in mine), keys[0])


def run_to_watch(runs: list[dict]) -> str:
    """Of runs (newest first), the one the Train page opens on when this session watches none: the newest
    started here, else the current encoder where it is one of them (a page or a link picked it), else the
    run training now, then the newest queued, then completed, then any. Walk 33: a teacher's second tab opened on the
    run she had cancelled, not on the completed one the link she followed named; walk 37: the room's fresh tabs
    opened on a visitor's queued run, not on the speaker's run they had come to watch train."""
    ids = [run["id"] for run in runs]
    mine = st.session_state.get(STARTED_HERE, set())
    order = ([i for i in ids if i in mine] + [i for i in ids if i == encoder_key()]
             + [r["id"] for status in ("running", "queued", "completed") for r in runs if r["status"] == status])
    return (order or ids)[0]


def set_encoder(key: str | None) -> None:
    st.session_state.pop(FELL_BACK, None)  # a choice: nothing to go back to
    st.session_state[ENCODER] = key
    _write_url()
    _show_encoder()


def fall_back(keys: list[str]) -> None:
    """The current encoder is not offered on this page's dataset (a run of another): open on `first_choice(keys)`,
    remembering the one it stands in for, which a page that offers it opens on again (`restore_fallen`) unless
    another is picked meanwhile. Walk 34: Retrieval on a renamed copy of the pictures fell back to the untrained
    network, and every page of the run's own dataset then stayed on it."""
    wanted, shown = st.session_state.get(FELL_BACK, (encoder_key(), None))
    stood_in = wanted if shown == encoder_key() else encoder_key()  # falling back again keeps the first one
    set_encoder(first_choice(keys))
    st.session_state[FELL_BACK] = (stood_in, encoder_key())


def restore_fallen(keys: list[str]) -> None:
    """Where the current encoder still stands in for one a page could not offer (`fall_back`) and that one is among
    `keys`, the current encoder again."""
    wanted, shown = st.session_state.get(FELL_BACK, (None, None))
    if wanted in keys and shown == encoder_key():
        set_encoder(wanted)


def _copy(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state[widget_key]
    if state_key == ENCODER:  # picked: no longer standing in for another (fall_back)
        st.session_state.pop(FELL_BACK, None)
    _write_url()


def bound_selectbox(container, label: str, options: list[str], state_key: str, key: str, **kwargs):
    """A select box showing (and on change setting) the current value under `state_key`;
    empty with a placeholder while that value is not one of `options`."""
    value = st.session_state.get(state_key)
    st.session_state[key] = value if value in options else None
    return container.selectbox(label, options, index=None, key=key, on_change=_copy, args=(key, state_key),
                               **kwargs)


def pick_dataset(container, ws: Workspace, key: str, required: bool = True) -> DatasetInfo | None:
    """The "Dataset" box over the workspace's datasets (images or text: every page draws
    both), bound to the current dataset. With none chosen yet: `required` pages say so and
    stop there (nothing is computed for a dataset nobody picked); others get None. With no
    dataset at all, a pointer to the Data page."""
    datasets = ws.datasets()
    if not datasets:
        st.info("No dataset yet: add one on the Data page.")
        st.stop()
    chosen = bound_selectbox(container, "Dataset", [d.name for d in datasets], DATASET, key,
                             placeholder="Choose a dataset")
    if chosen is None and required:
        st.info("Choose a dataset (here or in the sidebar): the page works on the one you pick, "
                "and remembers it on every other page.", icon=":material/arrow_upward:")
        st.stop()
    return ws.dataset(chosen) if chosen else None


def encoder_label(ws: Workspace, key: str | None, dataset: str | None) -> str | None:
    """A source key as people read it: 'untrained small_cnn', or a run's name, with the dataset
    it trained on where that is not `dataset` as the pickers name it (walk 30: Evaluate on a
    labelled copy opened on the run of the pictures, and the sidebar said 'pick one'); None for
    a deleted run or an import of another dataset."""
    if not key:
        return None
    if key.startswith("untrained-"):
        return "untrained " + key.split("-")[1]
    if key.startswith(registry.SOURCE_PREFIX):
        return _import_label(ws, key.removeprefix(registry.SOURCE_PREFIX), dataset)
    try:
        run = jobs.get_run(ws, key)
    except WorkspaceError:
        return None
    name = names_told_apart([other for other in jobs.list_runs(ws) if other["dataset"] == run["dataset"]])[key]
    return name + where_trained(run, dataset)


def gone_encoder(ws: Workspace, key: str | None) -> str | None:
    """What people called the encoder `key` when it is no longer in the workspace (a run
    or an import deleted, by this session or another); None while it exists, on any
    dataset, and for an untrained encoder (never stored)."""
    if not key or key.startswith("untrained-"):
        return None
    if key.startswith(registry.SOURCE_PREFIX):
        name = key.removeprefix(registry.SOURCE_PREFIX)
        return None if registry.exists(ws, name) else f"The imported encoder {name}"
    try:
        jobs.get_run(ws, key)
    except WorkspaceError:
        return f"Run {key}"
    return None


def _import_label(ws: Workspace, name: str, dataset: str | None) -> str | None:
    """The import `name` as the pickers show it; None when it is gone, damaged, or an
    embedding set of another dataset."""
    try:
        config = registry.read_config(ws, name)
        if config["kind"] != "encoder" and config.get("dataset_id") != ws.dataset(dataset or "").id:
            return None
    except (ImportRefused, WorkspaceError, OSError, ValueError, KeyError):
        return None
    return registry.describe(config)


def sidebar(ws: Workspace) -> None:
    """The current dataset (a picker) and encoder (its name) in the sidebar of every page;
    the encoder's line is rewritten when the page picks one."""
    if ws.datasets():
        pick_dataset(st.sidebar, ws, "sidebar_dataset", required=False)
    st.session_state[ENCODER_LINE] = (st.sidebar.empty(), ws)
    _show_encoder()


def _show_encoder() -> None:
    slot, ws = st.session_state.get(ENCODER_LINE, (None, None))
    if slot is None or dataset_name() is None:
        return
    label = encoder_label(ws, encoder_key(), dataset_name())
    slot.caption(f"Encoder: **{escape_markdown(label)}**" if label else
                 "Encoder: pick one on the Explorer, Retrieval or Evaluate page")
