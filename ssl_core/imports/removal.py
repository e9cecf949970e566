"""Deleting an imported encoder or embedding set, read and done without torch (the Data
page's import table offers it).

    delete_import(ws, name)  -> {"deleted": name, "kind", "removed": [folders, workspace-relative]}
    remove_embedding_sets(ws, dataset_id) -> [names]: a deleted or replaced dataset's embedding
                             sets (store.py calls it once the dataset's rows are gone)

Data flow: the runs table is read inside a write transaction (so no run can be queued from
`name` meanwhile) -> refused (ImportRefused) while a run started from it (`train --init
NAME`) is queued or running -> `encoders/<name>/` renamed to a temporary name (the import is
gone at once; a crash leaves a dead temporary folder that doctor removes) -> every
dataset's `embeddings/imported-<name>/` removed (for an embedding set, its vectors: they go
with it) -> the temporary folder removed. A run that started from the import keeps its own
copy of the weights (`init.safetensors` in its folder).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import uuid
from pathlib import Path

from ..store import ACTIVE_RUN_STATUSES, TMP_PREFIX, Workspace, run_is_active
from ..words import agreeing
from . import ImportRefused
from .registry import embedding_sets_of, encoders_dir, folder, read_config, source_key

EMBEDDINGS = "embeddings"  # embed.py's folder of a dataset's cached embeddings


def in_use(count: int) -> str:
    """The words before the list of `count` active runs that started from an import."""
    return agreeing(count, "the run started from it is", "the runs started from it are")


def runs_started_from(ws: Workspace, name: str) -> list[dict]:
    """{"id", "status"} of the queued or running runs whose config starts from `name`."""
    with ws.read() as conn:
        return _active_runs(conn, name)


def _active_runs(conn: sqlite3.Connection, name: str) -> list[dict]:
    marks = ", ".join("?" * len(ACTIVE_RUN_STATUSES))
    rows = conn.execute(f"SELECT id, status, pid, config FROM runs WHERE status IN ({marks}) ORDER BY created, rowid",
                        ACTIVE_RUN_STATUSES).fetchall()
    return [{"id": row["id"], "status": row["status"]} for row in rows
            if run_is_active(row["status"], row["pid"]) and json.loads(row["config"] or "{}").get("init") == name]


def delete_import(ws: Workspace, name: str) -> dict:
    """Remove import `name` and everything derived from it; refused while a run that starts
    from it is queued or running (the message names the runs)."""
    kind = read_config(ws, name)["kind"]
    with ws.write() as conn:  # holds the database: no run is queued from `name` while it goes
        active = _active_runs(conn, name)
        if active:
            listed = ", ".join(f"{run['id']} ({run['status']})" for run in active)
            raise ImportRefused(f"{name!r} is in use: {in_use(len(active))} {listed}; cancel "
                                f"{agreeing(len(active), 'it or let it', 'them or let them')} finish first")
        doomed = _renamed_away(ws, name)
    derived = derived_folders(ws, name)
    for path in derived:
        shutil.rmtree(path)
    shutil.rmtree(doomed, ignore_errors=True)
    return {"deleted": name, "kind": kind,
            "removed": [str(path.relative_to(ws.root)) for path in [folder(ws, name), *derived]]}


def remove_embedding_sets(ws: Workspace, dataset_id: str) -> list[str]:
    """Remove the imported embedding sets of dataset `dataset_id`, whose rows were deleted
    (deleted or replaced): their vectors went with its folder. Each `encoders/<name>/` is
    renamed away first, so a crash leaves a dead temporary folder that doctor removes;
    returns their names."""
    names = embedding_sets_of(ws, dataset_id)
    doomed = [_renamed_away(ws, name) for name in names]
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    return names


def _renamed_away(ws: Workspace, name: str) -> Path:
    """`encoders/<name>/` renamed to a temporary name (the import is gone at once); returns it."""
    doomed = encoders_dir(ws) / f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex}"
    os.rename(folder(ws, name), doomed)
    return doomed


def derived_folders(ws: Workspace, name: str) -> list[Path]:
    """Every dataset's cached embedding of import `name` (with its index and maps)."""
    found = (ws.dataset_dir(info) / EMBEDDINGS / source_key(name) for info in ws.datasets())
    return [path for path in found if path.is_dir()]
