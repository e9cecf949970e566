"""Deleting a run with everything made from it.

A run owns its row in ssl.db (and its metrics rows), its folder `runs/<id>/` (config,
checkpoints, log) and, in every dataset's folder, `embeddings/<id>/` (features, FAISS
index, maps, evaluation report made from its checkpoint). The row goes first, so no page
lists a run whose files are half gone; then the folders.
"""

from __future__ import annotations

import shutil

from .embed import EMBEDDINGS
from .jobs import run_dir
from .store import Workspace, WorkspaceError

ACTIVE = ("queued", "running")


def delete_run(ws: Workspace, run_id: str) -> int:
    """Remove run `run_id` (not while it is queued or running: cancel it first) and its
    artefacts; returns how many folders were removed."""
    with ws.write() as conn:
        row = conn.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise WorkspaceError(f"no run {run_id!r}")
        if row["status"] in ACTIVE:
            raise WorkspaceError(f"run {run_id!r} is {row['status']}: cancel it before deleting it")
        conn.execute("DELETE FROM metrics WHERE run_id = ?", (run_id,))
        conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))
    folders = [folder for folder in (run_dir(ws, run_id), *ws.datasets_dir.glob(f"*/{EMBEDDINGS}/{run_id}"))
               if folder.is_dir()]
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    return len(folders)
