"""The workspace: SQLite in WAL mode with migrations, datasets published and removed
atomically, leftovers of crashed imports swept, arrays memory-mapped read-only."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from ssl_core.data import ingest
from ssl_core.data.ingest import IngestError, ingest_uploads
from ssl_core.store import (
    BUSY_TIMEOUT_MS, SCHEMA_VERSION, TMP_PREFIX, Workspace, WorkspaceError, _statements,
    atomic_write_bytes, atomic_write_json,
)

RED, BLUE = (255, 0, 0), (0, 0, 255)


def images_of(colour, count: int, make) -> list[tuple[str, bytes]]:
    return [(f"{i}.png", make.solid(colour, size=(8, 8))) for i in range(count)]


@pytest.fixture
def first(workspace, make):
    """A dataset that other operations must leave alone, with the bytes of its arrays."""
    ingest_uploads(workspace, images_of(RED, 3, make) + [("bad.jpg", b"")], name="first", size=8)
    info = workspace.dataset("first")
    folder = workspace.dataset_dir(info)
    return info, {p.name: p.read_bytes() for p in folder.iterdir()}


def check_intact(ws: Workspace, first) -> None:
    info, arrays = first
    assert ws.dataset("first") == info
    assert {p.name: p.read_bytes() for p in ws.dataset_dir(info).iterdir()} == arrays
    assert len(ws.image_rows(info)) == 3
    assert [r["file"] for r in ws.rejections(info)] == ["bad.jpg"]


def table_counts(ws: Workspace) -> dict[str, int]:
    with ws.read() as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("datasets", "images", "rejections")}


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# -- SQLite ------------------------------------------------------------------------------------
def test_wal_busy_timeout_foreign_keys_and_schema_version(workspace):
    with workspace.read() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert workspace.schema_version() == SCHEMA_VERSION >= 1
    assert workspace.db_path == workspace.root / "ssl.db" and workspace.root.is_absolute()


def test_reopening_is_idempotent(workspace, make, first):
    workspace.set_meta("k", "v")
    again = Workspace(workspace.root)
    again = Workspace(workspace.root)
    assert again.schema_version() == SCHEMA_VERSION
    assert again.get_meta("k") == "v" and again.get_meta("missing") is None
    check_intact(again, first)


def test_newer_schema_is_refused(workspace):
    with workspace.write() as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(WorkspaceError, match=f"schema version {SCHEMA_VERSION + 1}, newer"):
        Workspace(workspace.root)


def test_default_workspace_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SSL_WORKSPACE", str(tmp_path / "from_env"))
    assert Workspace().root == tmp_path / "from_env"
    monkeypatch.delenv("SSL_WORKSPACE")
    monkeypatch.chdir(tmp_path)
    assert Workspace().root == tmp_path / "workspace"


def test_write_rolls_back_on_error(workspace):
    with pytest.raises(RuntimeError):
        with workspace.write() as conn:
            conn.execute("INSERT INTO meta VALUES ('k', 'v')")
            raise RuntimeError
    assert workspace.get_meta("k") is None


def test_a_reader_does_not_block_a_writer(workspace, make):
    with workspace.read() as reader:
        reader.execute("BEGIN")
        assert reader.execute("SELECT COUNT(*) FROM datasets").fetchone()[0] == 0
        ingest_uploads(workspace, make.goods(), name="while-reading")  # would wait without WAL
        assert reader.execute("SELECT COUNT(*) FROM datasets").fetchone()[0] == 0  # snapshot
        reader.execute("COMMIT")
    assert [d.name for d in workspace.datasets()] == ["while-reading"]


def test_concurrent_imports_into_one_workspace(workspace, make):
    errors = []

    def run(name: str) -> None:
        try:
            ingest_uploads(Workspace(workspace.root), images_of(RED, 5, make), name=name, size=8)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(d.name for d in workspace.datasets()) == ["t0", "t1", "t2", "t3"]
    assert table_counts(workspace) == {"datasets": 4, "images": 20, "rejections": 0}


def test_statements_split_only_where_a_statement_ends():
    script = "CREATE TABLE a(x TEXT DEFAULT ';');  -- a ; in a comment\nCREATE TABLE b(\n y);\n"
    assert [s.strip() for s in _statements(script)] == [
        "CREATE TABLE a(x TEXT DEFAULT ';');  -- a ; in a comment", "CREATE TABLE b(\n y);"]
    with pytest.raises(WorkspaceError, match="incomplete SQL"):
        list(_statements("CREATE TABLE c(x)"))


# -- atomic files ------------------------------------------------------------------------------
def test_atomic_write_replaces_whole_files_and_leaves_no_temporaries(tmp_path, monkeypatch):
    target = tmp_path / "config.json"
    atomic_write_json(target, {"b": 1, "a": [2]})
    assert json.loads(target.read_text()) == {"a": [2], "b": 1}
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"half")
    assert json.loads(target.read_text()) == {"a": [2], "b": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]


# -- publishing, replacing, deleting -------------------------------------------------------
def test_failed_import_leaves_nothing_and_other_datasets_intact(workspace, make, first,
                                                               monkeypatch):
    real_fitted, calls = ingest.fitted, []

    def fitted_then_fail(image, side, fit):
        calls.append(side)
        if len(calls) > 3:
            raise RuntimeError("disk on fire")
        return real_fitted(image, side, fit)

    monkeypatch.setattr(ingest, "fitted", fitted_then_fail)
    counts = table_counts(workspace)
    with pytest.raises(RuntimeError, match="disk on fire"):
        ingest_uploads(workspace, images_of(BLUE, 6, make), name="second", size=8)
    assert len(calls) == 4
    assert [d.name for d in workspace.datasets()] == ["first"]
    assert [p.name for p in workspace.datasets_dir.iterdir()] == [first[0].id]
    assert table_counts(workspace) == counts
    check_intact(workspace, first)


def test_cancelled_import_leaves_nothing_and_other_datasets_intact(workspace, make, first):
    def cancel(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    counts = table_counts(workspace)
    with pytest.raises(KeyboardInterrupt):
        ingest_uploads(workspace, images_of(BLUE, 6, make), name="second", size=8,
                       progress=cancel)
    assert [p.name for p in workspace.datasets_dir.iterdir()] == [first[0].id]
    assert table_counts(workspace) == counts
    check_intact(workspace, first)


def test_same_name_without_replace_fails_and_keeps_the_old_one(workspace, make, first):
    counts = table_counts(workspace)
    with pytest.raises(IngestError, match="'first' already exists"):
        ingest_uploads(workspace, images_of(BLUE, 2, make), name="first", size=8)
    assert [p.name for p in workspace.datasets_dir.iterdir()] == [first[0].id]
    assert table_counts(workspace) == counts
    check_intact(workspace, first)


def test_replace_swaps_the_dataset(workspace, make, first):
    ingest_uploads(workspace, images_of(BLUE, 2, make), name="other", size=8)
    old = first[0]
    report = ingest_uploads(workspace, images_of(BLUE, 5, make), name="first", size=8,
                            replace=True)
    new = workspace.dataset("first")
    assert report.images == 5 and new.id != old.id and new.image_count == 5
    assert not workspace.dataset_dir(old).exists()
    assert (workspace.images(new) == BLUE).all() and workspace.images(new).shape[0] == 5
    assert sorted(d.name for d in workspace.datasets()) == ["first", "other"]
    assert table_counts(workspace) == {"datasets": 2, "images": 7, "rejections": 0}


def test_delete_removes_only_that_dataset(workspace, make, first):
    ingest_uploads(workspace, images_of(BLUE, 2, make) + [("x.png", b"")], name="gone", size=8)
    gone = workspace.dataset("gone")
    workspace.delete_dataset("gone")
    assert not workspace.dataset_dir(gone).exists()
    assert [d.name for d in workspace.datasets()] == ["first"]
    assert table_counts(workspace) == {"datasets": 1, "images": 3, "rejections": 1}
    check_intact(workspace, first)
    with pytest.raises(WorkspaceError, match="no dataset named 'gone'; known datasets: first"):
        workspace.delete_dataset("gone")


def test_unknown_dataset_lists_the_known_ones(workspace):
    with pytest.raises(WorkspaceError, match="known datasets: none yet"):
        workspace.dataset("x")


# -- sweep ----------------------------------------------------------------------------------------
def test_sweep_removes_leftovers_of_dead_processes_and_orphans_only(workspace, make, first):
    root = workspace.datasets_dir
    dead = root / f"{TMP_PREFIX}{dead_pid()}-x"
    junk = root / f"{TMP_PREFIX}notapid"
    orphan = root / "ds-000000000000"
    live = workspace.new_temp_dir()
    for folder in (dead, junk, orphan):
        folder.mkdir()
        (folder / "images.npy").write_bytes(b"half written")
    assert live.name.startswith(f"{TMP_PREFIX}{os.getpid()}-")
    Workspace(workspace.root)  # opening a workspace sweeps it
    assert sorted(p.name for p in root.iterdir()) == sorted([first[0].id, live.name])
    check_intact(workspace, first)
    live.rmdir()


def test_sweep_keeps_the_temporary_folder_of_another_live_process(workspace):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        folder = workspace.datasets_dir / f"{TMP_PREFIX}{other.pid}-abc"
        folder.mkdir()
        workspace.sweep()
        assert folder.exists()
    finally:
        other.kill()
        other.wait()
    workspace.sweep()
    assert not folder.exists()


# -- arrays ---------------------------------------------------------------------------------------
def test_images_and_thumbnails_are_read_only_memmaps(workspace, make, first):
    info = first[0]
    images, thumbs = workspace.images(info), workspace.thumbnails(info)
    assert isinstance(images, np.memmap) and isinstance(thumbs, np.memmap)
    assert images.shape == (3, 8, 8, 3) and images.dtype == np.uint8
    assert thumbs.shape == (3, 96, 96, 3) and thumbs.dtype == np.uint8
    assert (images == RED).all()
    with pytest.raises(ValueError, match="read-only"):
        images[0, 0, 0, 0] = 1


def test_image_rows_page(workspace, make):
    ingest_uploads(workspace, images_of(RED, 5, make), name="t", size=8)
    info = workspace.dataset("t")
    rows = workspace.image_rows(info, offset=1, limit=2)
    assert [(r["idx"], r["name"], r["width"], r["height"], r["label"]) for r in rows] == [
        (1, "1.png", 8, 8, None), (2, "2.png", 8, 8, None)]
    assert [r["idx"] for r in workspace.image_rows(info, offset=3)] == [3, 4]


def test_rows_cascade_when_a_dataset_row_goes(workspace, make, first):
    with workspace.write() as conn:
        conn.execute("DELETE FROM datasets")
    assert table_counts(workspace) == {"datasets": 0, "images": 0, "rejections": 0}
    with pytest.raises(sqlite3.IntegrityError):
        with workspace.write() as conn:
            conn.execute("INSERT INTO images VALUES ('nope', 0, 'x', 1, 1, NULL)")


# -- runs outlive their dataset (issue 13.6) ------------------------------------------------------
def add_run(ws: Workspace, run_id: str, dataset: str, status: str = "completed", pid: int | None = None) -> None:
    """A run row on `dataset` with one metric, as a trained run has (no training needed here);
    `pid`: the process training it."""
    info = ws.dataset(dataset)
    with ws.write() as conn:
        conn.execute("INSERT INTO runs(id, dataset_id, dataset_name, method, encoder, config, status, created, pid) "
                     "VALUES (?, ?, ?, 'simclr', 'small_cnn', '{}', ?, '2026-01-01', ?)",
                     (run_id, info.id, info.name, status, pid))
        conn.execute("INSERT INTO metrics VALUES (?, 1, 'loss', 0.5)", (run_id,))


def run_rows(ws: Workspace) -> dict[str, tuple]:
    with ws.read() as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(
            "SELECT id, dataset_id, dataset_name, (SELECT COUNT(*) FROM metrics WHERE run_id = runs.id) FROM runs")}


def test_deleting_a_dataset_names_its_runs_and_keeps_them(workspace, make, first):
    ingest_uploads(workspace, images_of(BLUE, 2, make), name="gone", size=8)
    add_run(workspace, "run-a", "gone")
    add_run(workspace, "run-b", "first")
    assert [r["run"] for r in workspace.runs_of("gone")] == ["run-a"]
    assert workspace.delete_dataset("gone") == ["run-a"]
    assert run_rows(workspace) == {"run-a": (None, "gone", 1), "run-b": (first[0].id, "first", 1)}
    check_intact(workspace, first)


def test_replacing_a_dataset_keeps_its_runs(workspace, make, first):
    add_run(workspace, "run-a", "first")
    ingest_uploads(workspace, images_of(BLUE, 2, make), name="first", size=8, replace=True)
    assert run_rows(workspace) == {"run-a": (None, "first", 1)}
    assert workspace.runs_of("first") == []


@pytest.mark.parametrize("status", ["queued", "running"])
def test_a_dataset_in_use_by_a_run_is_not_deleted(workspace, make, first, status):
    add_run(workspace, "run-a", "first", status, os.getpid())  # running in a live process
    with pytest.raises(WorkspaceError, match=f"in use: run run-a is {status}"):
        workspace.delete_dataset("first")
    with pytest.raises(IngestError, match="in use"):
        ingest_uploads(workspace, images_of(BLUE, 2, make), name="first", size=8, replace=True)
    check_intact(workspace, first)
    assert sorted(p.name for p in workspace.datasets_dir.iterdir()) == [first[0].id]


@pytest.mark.parametrize("replace", [False, True])
def test_a_run_left_running_by_a_dead_process_does_not_hold_its_dataset(workspace, make, first, replace):
    """Ctrl-C or SIGKILL of a CLI training leaves its row 'running' with the pid of a dead process."""
    add_run(workspace, "run-a", "first", "running", dead_pid())
    if replace:
        ingest_uploads(workspace, images_of(BLUE, 2, make), name="first", size=8, replace=True)
    else:
        assert workspace.delete_dataset("first") == ["run-a"]
    assert run_rows(workspace) == {"run-a": (None, "first", 1)}


def test_a_schema_2_workspace_migrates_without_losing_runs_or_metrics(tmp_path):
    """A workspace made before runs outlived their datasets (ON DELETE CASCADE)."""
    from ssl_core.store import MIGRATIONS

    root = tmp_path / "old"
    root.mkdir()
    conn = sqlite3.connect(root / "ssl.db")
    for script in MIGRATIONS[:2]:
        conn.executescript(script)
    conn.executescript(
        "PRAGMA user_version = 2;"
        "INSERT INTO datasets VALUES ('ds-1', 'shapes', 'builtin', 2, 8, 10, 1, 'now');"
        "INSERT INTO images VALUES ('ds-1', 0, 'a.png', 8, 8, 'x'), ('ds-1', 1, 'b.png', 8, 8, 'y');"
        "INSERT INTO runs(id, dataset_id, method, encoder, config, status, created) "
        "VALUES ('run-a', 'ds-1', 'simclr', 'small_cnn', '{}', 'completed', 'now');"
        "INSERT INTO metrics VALUES ('run-a', 1, 'loss', 0.5), ('run-a', 2, 'loss', 0.4);")
    conn.close()
    (root / "datasets" / "ds-1").mkdir(parents=True)
    ws = Workspace(root)
    assert ws.schema_version() == SCHEMA_VERSION
    assert run_rows(ws) == {"run-a": ("ds-1", "shapes", 2)}
    with ws.read() as conn:
        assert conn.execute("SELECT classes FROM runs").fetchone()[0] == 2
    assert ws.delete_dataset("shapes") == ["run-a"]
    assert run_rows(ws) == {"run-a": (None, "shapes", 2)}


# -- what is not a workspace ----------------------------------------------------------------------
def test_a_file_as_workspace_is_one_clear_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(WorkspaceError, match="is not a folder"):
        Workspace(tmp_path / "file")


def test_a_read_only_workspace_is_called_read_only_not_damaged(tmp_path, monkeypatch):
    """On a read-only mount SQLite cannot open ssl.db for writing ("unable to open database
    file"): every command said the database was damaged and to move it away."""
    Workspace(tmp_path / "ws")
    read_only = {tmp_path / "ws"}
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) not in read_only)

    def cannot_open(self):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(Workspace, "_migrate", cannot_open)
    with pytest.raises(WorkspaceError, match=r"ws is read-only here \(unable to open database file\): .* it may write to"):
        Workspace(tmp_path / "ws")
    read_only.clear()  # writable, and still not opened: damaged
    with pytest.raises(WorkspaceError, match="ssl.db is damaged or not an SSL Lens database"):
        Workspace(tmp_path / "ws")


def test_a_damaged_or_foreign_database_is_refused_untouched(tmp_path):
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "ssl.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(WorkspaceError, match="ssl.db is damaged or not an SSL Lens database"):
        Workspace(damaged)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    conn = sqlite3.connect(foreign / "ssl.db")
    conn.execute("CREATE TABLE customers(id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(WorkspaceError, match="not an SSL Lens database .*customers"):
        Workspace(foreign)
    conn = sqlite3.connect(foreign / "ssl.db")
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["customers"]
    conn.close()


def test_writing_a_file_again_removes_what_a_killed_writer_left(tmp_path):
    target = tmp_path / "report.json"
    dead = tmp_path / f"{TMP_PREFIX}{dead_pid()}-abc-report.json"
    live = tmp_path / f"{TMP_PREFIX}{os.getpid()}-abc-report.json"
    other = tmp_path / f"{TMP_PREFIX}{dead_pid()}-abc-other.json"
    for path in (dead, live, other):
        path.write_text("half")
    atomic_write_json(target, {"a": 1})
    assert json.loads(target.read_text()) == {"a": 1}
    assert not dead.exists() and live.exists() and other.exists()


def test_a_renamed_copy_holds_the_same_items_by_its_pixels(workspace, make):
    """Walk 34: a flat copy of the pictures under other names, with a CSV, was not offered the
    run trained on the folder on the Explorer and Retrieval: same_items compared names only."""
    pictures = [make.noise((8, 8), seed=seed) for seed in range(4)]
    ingest_uploads(workspace, [(f"{i}.png", data) for i, data in enumerate(pictures)], name="folder", size=8)
    ingest_uploads(workspace, [(f"copy_{i}.png", data) for i, data in reversed(list(enumerate(pictures)))],
                   name="renamed", size=8)
    one_other = pictures[:3] + [make.noise((8, 8), seed=9)]
    ingest_uploads(workspace, [(f"{i}.png", data) for i, data in enumerate(one_other)], name="one_other", size=8)
    ingest_uploads(workspace, [(f"other_{i}.png", data) for i, data in enumerate(pictures[:3] + [pictures[0]])],
                   name="one_twice", size=8)
    folder = workspace.dataset("folder")
    assert workspace.same_items(folder, workspace.dataset("renamed"))
    assert workspace.same_items(workspace.dataset("renamed"), folder)
    assert workspace.same_items(folder, workspace.dataset("one_other"))  # the same names: as before
    assert not workspace.same_items(workspace.dataset("renamed"), workspace.dataset("one_other"))
    assert not workspace.same_items(folder, workspace.dataset("one_twice"))


def test_copied_counts_the_images_that_share_their_pixels_with_another(workspace, make):
    """Walk 38: 30 exact copies among 600 pictures lifted a kNN of 90.8% on Evaluate, unsaid there."""
    pictures = [make.noise((8, 8), seed=seed) for seed in range(4)]
    twice = pictures + [pictures[0], pictures[2], pictures[2]]  # 0 twice, 2 three times: 5 images with a copy
    ingest_uploads(workspace, [(f"{i}.png", data) for i, data in enumerate(twice)], name="copies", size=8)
    ingest_uploads(workspace, [(f"{i}.png", data) for i, data in enumerate(pictures)], name="none", size=8)
    assert workspace.copied(workspace.dataset("copies")) == 5 and workspace.copied(workspace.dataset("none")) == 0
    # walk 39: of the labelled ones only, a copy counts where its other side is labelled too (a kNN vote reads it)
    from tests.ssl_core.conftest import zip_of

    labelled = [(f"{'ab'[i % 2]}/{i}.png", data) for i, data in enumerate(pictures)]
    extra = [("loose.png", pictures[0]), ("a/again.png", pictures[1])]  # 0's copy unlabelled, 1's labelled
    ingest_uploads(workspace, [("half.zip", zip_of(labelled + extra))], name="half", size=8)
    half = workspace.dataset("half")
    assert workspace.copied(half) == 4 and workspace.copied(half, labelled=True) == 2
