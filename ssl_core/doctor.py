"""The workspace check behind `python -m ssl_core doctor [--repair]`.

Data flow: a Workspace opened without its sweep (so the leftovers of a crash are seen,
not silently removed) -> `find_problems` runs each check over the database and the
folders -> with `repair`, every problem that has a safe fix gets it -> the checks run
again -> `{"ok", "problems", "repaired"}`. What a fix does is the single safest step:
leftovers of dead processes and folders whose rows are gone are removed, derived
artefacts (features, indexes, maps, reports) that do not verify are removed so they are
made again on next use, a run whose process died is marked interrupted, and a run folder
whose row is gone gets its row back from its checkpoint. Nothing a user made (a dataset's
arrays, a readable checkpoint, an import, an imported embedding set's vectors: see
doctor_imports.py) is ever removed; what cannot be fixed safely is reported.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from . import jobs
from .checkpoint import META as CHECKPOINT_META
from .checkpoint import WEIGHTS
from .data.text_ingest import TEXTS_FILE, load_texts
from .doctor_imports import import_problems, irreplaceable
from .doctor_problem import Problem
from .store import (
    MIGRATIONS, TABLES, DatasetInfo, Workspace, WorkspaceError, _statements, is_dead_temporary, run_is_active, utc_now,
)

EMBEDDINGS, FEATURES, FEATURES_META = "embeddings", "features.npy", "embedding.json"  # embed.py's layout
INDEX_FILE, SIDECAR_FILE = "index.faiss", "index.json"  # index.py's
REPORT_FILE = "evaluation.json"  # evaluate/stored.py's


def open_unswept(root: str | Path | None) -> Workspace:
    """The workspace at `root` as it is (no sweep); a missing folder is an error, not a new workspace."""
    if root is not None and not Path(root).expanduser().exists():
        raise WorkspaceError(f"no workspace at {root}")
    return Workspace(root, sweep=False)


def doctor(ws: Workspace, repair: bool = False) -> dict:
    """{"ok", "problems", "repaired"}: what is wrong now (after the repairs, with `repair`)
    and what was repaired; ok when nothing is left wrong."""
    repaired = []
    problems = find_problems(ws)
    if repair:
        for problem in problems:
            if problem.fix is not None:
                problem.fix()
                repaired.append({"check": problem.check, "where": problem.where, "done": problem.fix_words})
        problems = find_problems(ws)
    return {"ok": not problems, "problems": [p.to_json() for p in problems], "repaired": repaired}


def find_problems(ws: Workspace) -> list[Problem]:
    checks = (schema_problems, dataset_problems, run_problems, artefact_problems, import_problems, leftover_problems)
    return [problem for check in checks for problem in check(ws)]


# -- the database --------------------------------------------------------------------------
def schema_problems(ws: Workspace) -> Iterator[Problem]:
    """SQLite's own check, foreign keys, and every table's columns against a fresh schema."""
    with ws.read() as conn:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            yield Problem("schema", ws.db_path.name, f"SQLite's check failed: {verdict}")
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall():
            yield Problem("schema", f"{table} row {rowid}", f"refers to a missing row of {parent}")
        expected = _fresh_columns()
        for table in TABLES:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            if columns != expected[table]:
                yield Problem("schema", f"table {table}", f"has columns {columns}, expected {expected[table]}")


def _fresh_columns() -> dict[str, list[str]]:
    """Each table's columns as the migrations make them in an empty database."""
    conn = sqlite3.connect(":memory:")
    try:
        for script in MIGRATIONS:
            for statement in _statements(script):
                conn.execute(statement)
        return {table: [row[1] for row in conn.execute(f"PRAGMA table_info({table})")] for table in TABLES}
    finally:
        conn.close()


# -- datasets ------------------------------------------------------------------------------
def dataset_problems(ws: Workspace) -> Iterator[Problem]:
    """Each dataset's folder against its rows: image rows numbered 0..N-1, then the store
    of its kind (ITEM_CHECKS). Not repairable: the images and texts are the user's."""
    for info in ws.datasets():
        where = f"dataset {info.name!r} ({info.id})"
        with ws.read() as conn:
            count, low, high = conn.execute("SELECT COUNT(*), MIN(idx), MAX(idx) FROM images WHERE dataset_id = ?",
                                            (info.id,)).fetchone()
        if count != info.image_count or (count and (low, high) != (0, count - 1)):
            yield Problem("datasets", where, f"{count} image rows (idx {low}..{high}) for {info.image_count} images")
        yield from ITEM_CHECKS[info.kind](ws, info, where)


def image_problems(ws: Workspace, info: DatasetInfo, where: str) -> Iterator[Problem]:
    """An image dataset's arrays: N images uint8 (N, S, S, 3) and N thumbnails."""
    folder = ws.dataset_dir(info)
    expected = {"images.npy": (info.image_count, info.size_px, info.size_px, 3), "thumbs.npy": None}
    for name, shape in expected.items():
        try:
            array = np.load(folder / name, mmap_mode="r")
        except (OSError, ValueError) as exc:
            yield Problem("datasets", f"{where} {name}", f"cannot be read: {exc}")
            continue
        if array.dtype != np.uint8 or len(array) != info.image_count or (shape and array.shape != shape):
            yield Problem("datasets", f"{where} {name}",
                          f"holds {array.dtype} {array.shape}, expected uint8 with {info.image_count} rows")


def text_problems(ws: Workspace, info: DatasetInfo, where: str) -> Iterator[Problem]:
    """A text dataset's examples (data/text_ingest.py): TEXTS_FILE, a JSON list of N strings."""
    try:
        texts = load_texts(ws, info)
    except (OSError, ValueError) as exc:
        yield Problem("datasets", f"{where} {TEXTS_FILE}", f"cannot be read: {exc}")
        return
    if not isinstance(texts, list):
        yield Problem("datasets", f"{where} {TEXTS_FILE}",
                      f"holds a JSON {type(texts).__name__}, expected a list of {info.image_count} strings")
    elif len(texts) != info.image_count or not all(isinstance(text, str) for text in texts):
        strings = sum(isinstance(text, str) for text in texts)
        yield Problem("datasets", f"{where} {TEXTS_FILE}", f"holds {len(texts)} items ({strings} strings), "
                      f"expected {info.image_count} strings")


ITEM_CHECKS = {"image": image_problems, "text": text_problems}  # a dataset's kind -> the check of its store


# -- runs ----------------------------------------------------------------------------------
LOST = "its checkpoint was lost (doctor --repair forgot it); resume trains it again from the start"


def run_problems(ws: Workspace) -> Iterator[Problem]:
    """Runs whose process died, checkpoints that do not load, run folders with no row."""
    with ws.read() as conn:
        rows = {row["id"]: dict(row) for row in conn.execute("SELECT id, status, pid, checkpoint FROM runs")}
    for run_id, row in rows.items():
        if row["status"] == "running" and not run_is_active(row["status"], row["pid"]):
            yield Problem("runs", f"run {run_id}", "marked running, but its process is gone",
                          lambda: jobs.reconcile(ws), "marked interrupted (resume continues from its checkpoint)")
        folder = jobs.run_dir(ws, run_id)
        if (folder / CHECKPOINT_META).exists():
            error = checkpoint_error(folder)
            if error:
                yield Problem("runs", f"run {run_id} checkpoint", error)
        elif row["checkpoint"] or (folder / WEIGHTS).exists():  # the engine names a checkpoint before writing it
            yield Problem("runs", f"run {run_id} checkpoint", f"no complete checkpoint ({CHECKPOINT_META} missing)",
                          lambda run_id=run_id, folder=folder: _forget_checkpoint(ws, run_id, folder),
                          "forgotten: the run has no checkpoint now (resuming trains it again from the start)")
    runs_root = jobs.runs_dir(ws)
    for folder in sorted(runs_root.iterdir()) if runs_root.is_dir() else ():
        if folder.name in rows or not folder.is_dir():
            continue
        if checkpoint_error(folder) is None:
            yield Problem("runs", f"runs/{folder.name}", "a run folder with a checkpoint but no row",
                          lambda folder=folder: restore_run_row(ws, folder), "its row restored from its checkpoint")
        else:
            yield Problem("runs", f"runs/{folder.name}", "a run folder with no row and no readable checkpoint",
                          lambda folder=folder: shutil.rmtree(folder), "removed")


def checkpoint_error(folder: Path) -> str | None:
    """Why the checkpoint in `folder` does not load with safetensors (every tensor read),
    or None when it does."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        meta = json.loads((folder / CHECKPOINT_META).read_text())
        load_file(str(folder / WEIGHTS))
    except (OSError, ValueError, SafetensorError) as exc:
        return f"checkpoint does not load: {exc}"
    if not isinstance(meta, dict) or not {"config", "step", "image_size"} <= set(meta):
        return f"{CHECKPOINT_META} lacks its config, step or image size"
    return None


def _forget_checkpoint(ws: Workspace, run_id: str, folder: Path) -> None:
    """A run killed while writing its first checkpoint, or whose folder was deleted: weights
    without their JSON are no checkpoint (`load` needs both), so the row stops naming one and
    the lone file goes; a completed run is marked failed, which `train --resume` takes (it
    refused a completed run, which then had nothing to show and no way to train again)."""
    with ws.write() as conn:
        conn.execute("UPDATE runs SET checkpoint = NULL, message = CASE WHEN status = 'completed' THEN ? ELSE "
                     "message END, status = CASE WHEN status = 'completed' THEN 'failed' ELSE status END "
                     "WHERE id = ?", (LOST, run_id))
    (folder / WEIGHTS).unlink(missing_ok=True)


def restore_run_row(ws: Workspace, folder: Path) -> None:
    """A row for the run whose folder outlived it (a workspace from before runs outlived
    their datasets): its settings and step from its checkpoint, its dataset gone."""
    meta = json.loads((folder / CHECKPOINT_META).read_text())
    config = meta["config"]
    with ws.write() as conn:
        conn.execute(
            "INSERT INTO runs(id, dataset_id, dataset_name, method, encoder, config, status, message, created, "
            "step, checkpoint) VALUES (?, NULL, ?, ?, ?, ?, 'interrupted', ?, ?, ?, ?)",
            (folder.name, config["dataset"], config["method"], config["encoder"], json.dumps(config),
             f"restored by doctor from its checkpoint at step {meta['step']}; its metrics were lost",
             utc_now(), meta["step"], str(folder / WEIGHTS)))


# -- derived artefacts ------------------------------------------------------------------
def artefact_problems(ws: Workspace) -> Iterator[Problem]:
    """Each embedding folder's features against its JSON, its index against its sidecar's
    sha256, its maps and report readable; a failing one is removed (made again on use)."""
    folders = [f for info in ws.datasets() for f in sorted((ws.dataset_dir(info) / EMBEDDINGS).glob("*"))]
    for folder in folders:
        if not folder.is_dir():
            continue
        where = str(folder.relative_to(ws.root))
        error = _features_error(folder)
        if error and irreplaceable(ws, folder):  # an imported embedding set's vectors: nothing makes them again
            yield Problem("imports", where, f"{error}; these are the vectors of an imported embedding set, which "
                          "cannot be computed again: kept; import its file again under a new name")
            continue
        if error:
            yield Problem("artefacts", where, error, lambda folder=folder: shutil.rmtree(folder, ignore_errors=True),
                          "removed (computed again when next used)")
            continue
        error = _index_error(folder)
        if error:
            yield Problem("artefacts", f"{where}/{INDEX_FILE}", error, lambda folder=folder: _remove_index(folder),
                          "removed with its sidecar (built again when next used)")
        for path in [*sorted(folder.glob("map-*.npy")), folder / REPORT_FILE]:
            error = _readable_error(path)
            if error:
                yield Problem("artefacts", f"{where}/{path.name}", error, path.unlink, "removed (made again on use)")


def _features_error(folder: Path) -> str | None:
    try:
        meta = json.loads((folder / FEATURES_META).read_text())
        features = np.load(folder / FEATURES, mmap_mode="r")
    except (OSError, ValueError) as exc:
        return f"features unreadable: {exc}"
    if list(features.shape) != meta.get("shape"):
        return f"features are {list(features.shape)}, {FEATURES_META} says {meta.get('shape')}"
    return None


def _index_error(folder: Path) -> str | None:
    index, sidecar = folder / INDEX_FILE, folder / SIDECAR_FILE
    if not index.exists() and not sidecar.exists():
        return None
    try:
        expected = json.loads(sidecar.read_text())["sha256"]
        actual = hashlib.sha256(index.read_bytes()).hexdigest()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"index or its sidecar unreadable: {exc}"
    return None if actual == expected else "the index's bytes do not match its sidecar's sha256"


def _remove_index(folder: Path) -> None:
    (folder / SIDECAR_FILE).unlink(missing_ok=True)
    (folder / INDEX_FILE).unlink(missing_ok=True)


def _readable_error(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        if path.suffix == ".npy":
            np.load(path, mmap_mode="r")
        else:
            json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return f"unreadable: {exc}"
    return None


# -- leftovers ----------------------------------------------------------------------------
def leftover_problems(ws: Workspace) -> Iterator[Problem]:
    """Dataset folders with no row and temporary folders of dead processes (what the sweep
    removes), and temporary files that killed processes left anywhere in the workspace."""
    with ws.read() as conn:
        stray = ws.stray_dataset_folders(conn)
    for folder in stray:
        yield Problem("leftovers", str(folder.relative_to(ws.root)), "a dataset folder with no row, or the "
                      "temporary folder of a process that died", lambda folder=folder: shutil.rmtree(folder),
                      "removed")
    for path in sorted(ws.root.rglob("*")):
        if is_dead_temporary(path.name) and path.is_file() and not any(p in stray for p in path.parents):
            yield Problem("leftovers", str(path.relative_to(ws.root)), "a temporary file of a process that died",
                          lambda path=path: path.unlink(missing_ok=True), "removed")
