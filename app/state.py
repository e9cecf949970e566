"""Process-wide handles the pages share: the workspace, and the demo data it starts with."""

from __future__ import annotations

import argparse
import functools
import sys
import threading
import time
from pathlib import Path

import streamlit as st

from app.widgets import escape_markdown, progress_bar
from ssl_core.data.ingest import IngestError, ingest_builtin
from ssl_core.numba_cache import configure_numba_cache, default_numba_cache, start_warm_up
from ssl_core.store import Workspace, WorkspaceError, default_workspace_path

ASSETS = Path(__file__).resolve().parents[1] / "assets"  # the app's own images: logo, favicon, illustrations
DEMO_DATASETS = ("shapes", "digits", "docstrings")  # imported into an empty workspace on first start (text too)
DEMO_SEEDED = "demo_seeded"
# one import decodes at a time on this server: a shared app's visitors could otherwise keep both cores decoding
# (a 40-megapixel PNG costs a second of CPU) while every other page waits
IMPORT_SLOT = threading.Lock()


def workspace_arg(argv: list[str]) -> str | None:
    """`--workspace DIR` from the arguments after `streamlit run app/main.py --`."""
    return _workspace_arg(tuple(argv))


@functools.lru_cache(maxsize=8)
def _workspace_arg(argv: tuple[str, ...]) -> str | None:  # parsed once: every rerun asks several times
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--workspace")
    return parser.parse_known_args(list(argv))[0].workspace


@st.cache_resource(show_spinner=False)
def _open_workspace(root: str) -> Workspace:
    return Workspace(root)


def workspace() -> Workspace:
    """The workspace this app serves: `--workspace`, else $SSL_WORKSPACE, else ./workspace.
    One that cannot be opened (a file, a damaged or foreign ssl.db) stops the page with
    the reason, no traceback."""
    root = workspace_arg(sys.argv[1:]) or default_workspace_path()
    try:
        return _open_workspace(str(Path(root).expanduser().resolve()))
    except WorkspaceError as exc:
        st.error(f"The workspace cannot be opened: {escape_markdown(str(exc))}", icon=":material/error:")
        st.stop()


class DemoSeeding:
    """The demo datasets' import into one workspace, in a thread of its own: a page's script
    run is stopped at its next element when the visitor clicks elsewhere, and an import inside
    it then began again in the next run (measured: digits at 1,605 of 1,797 went back to 557
    after a click on Train during the first start). `doing` is (dataset, done, total) so far;
    `failure` the reason it stopped, if it did."""

    def __init__(self, ws: Workspace) -> None:
        self.doing: tuple[str, int, int] = (DEMO_DATASETS[0], 0, 0)
        self.failure: str | None = None
        self.thread = threading.Thread(target=self._import, args=(ws,), name="demo-seed", daemon=True)
        self.thread.start()

    def _import(self, ws: Workspace) -> None:
        try:
            with ws.lock("demo-seed"):  # two app processes at once: the second waits, then finds it done
                if ws.get_meta(DEMO_SEEDED) is None:
                    for name in DEMO_DATASETS:
                        try:
                            ingest_builtin(ws, name, progress=lambda done, total, *_, name=name:
                                           setattr(self, "doing", (name, done, total)))
                        except (IngestError, WorkspaceError):
                            pass  # the user already has a dataset of that name
                    ws.set_meta(DEMO_SEEDED, "1")
        except Exception as exc:  # shown on the page that waits on it, not lost in the thread
            self.failure = f"{type(exc).__name__}: {exc}"


@st.cache_resource(show_spinner=False)
def _seeding(root: str) -> DemoSeeding:
    """One import per workspace and app process, whichever session starts it."""
    return DemoSeeding(_open_workspace(root))


def seed_demo_data(ws: Workspace) -> None:
    """Import the demo datasets once per workspace, so a new user has data at once; the page
    waits on the import with its progress (a click elsewhere stops the wait, not the import).
    Deleting them later does not bring them back."""
    if ws.get_meta(DEMO_SEEDED) is not None:
        return
    seeding = _seeding(str(ws.root))
    if seeding.thread.is_alive():
        with st.status("Preparing demo datasets (first start only)...", expanded=True) as status:
            bar = progress_bar("Demo datasets")
            while seeding.thread.is_alive():
                name, done, total = seeding.doing
                bar(done, total, f"{name}: {done:,} / {total:,}" if total else f"{name}: starting", redraw=True)
                time.sleep(0.25)
            status.update(label="Demo datasets not prepared" if seeding.failure else "Demo datasets ready",
                          state="error" if seeding.failure else "complete", expanded=False)
    if seeding.failure:
        _seeding.clear()  # said once: the next page run tries again (disk freed since, say)
        st.error(f"The demo datasets could not be prepared: {escape_markdown(seeding.failure)}. "
                 "Import your own pictures on the Data page.", icon=":material/error:")


@st.cache_resource(show_spinner=False)
def warm_up_umap() -> None:
    """Once per app process: point numba at its disk cache (before any page imports umap)
    and, if that cache is cold, compile UMAP in a background process while the user looks
    around, so the first map does not wait a minute for numba."""
    if configure_numba_cache(default_numba_cache()):  # else no disk cache to warm: maps compile when first drawn
        start_warm_up(workspace().root)
