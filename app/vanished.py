"""A page that fails because something it was drawing was deleted meanwhile (a run, a
dataset or an import, by another tab or process) reruns instead of showing an error box:
on the rerun its pickers no longer offer the deleted thing and say so (current.gone_encoder).

    with rerun_if_deleted(ws):
        navigation.run()

Data flow: the ids of the runs and datasets and the names of the imports, read before the
page runs -> the page raises WorkspaceError or OSError (a run's row or checkpoint gone
under it) -> read again: one of them missing -> st.rerun(); else the error is the page's
own and goes on as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ssl_core.imports import registry
from ssl_core.store import Workspace, WorkspaceError


def stored(ws: Workspace) -> frozenset[str]:
    """What the workspace holds that a page may be drawing: run and dataset ids, import names."""
    with ws.read() as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM runs UNION ALL SELECT id FROM datasets")]
    root = registry.encoders_dir(ws)
    imports = [f"import:{path.name}" for path in root.iterdir()] if root.is_dir() else []
    return frozenset(ids + imports)


@contextmanager
def rerun_if_deleted(ws: Workspace) -> Iterator[None]:
    """Run the block; when it fails after something it held was deleted, rerun the page."""
    before = stored(ws)
    try:
        yield
    except (WorkspaceError, OSError):
        if before <= stored(ws):
            raise
        st.rerun()
