"""`doctor`: a healthy workspace is ok; each kind of damage is found, the safe ones are
repaired (and the thing is made again on next use), the rest reported; what is not a
workspace is one clear error line."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ssl_core import embed, index, jobs, project
from ssl_core.data.ingest import ingest_uploads
from ssl_core.doctor import doctor, open_unswept
from ssl_core.evaluate.stored import REPORT_FILE
from ssl_core.store import TMP_PREFIX, atomic_write_json

ROOT = Path(__file__).resolve().parents[2]


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def cli(workspace: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SSL_WORKSPACE"}
    return subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(workspace), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def derived(trained):
    """`trained` with an embedding of its run, its index, a PCA map and a report beside them."""
    emb = embed.embed(trained.ws, "tiny", embed.from_run(trained.ws, trained.run))
    index.load_or_build(emb)
    project.project(emb, "pca")
    atomic_write_json(emb.folder / REPORT_FILE, {"format": 0})
    trained.emb = emb
    return trained


def wheres(result: dict, key: str = "problems") -> set[str]:
    return {p["where"] for p in result[key]}


def test_a_healthy_workspace_is_ok(derived):
    assert doctor(derived.ws) == {"ok": True, "problems": [], "repaired": []}


def test_damage_is_found_and_the_safe_repairs_made(derived):
    ws, emb = derived.ws, derived.emb
    run_folder = jobs.run_dir(ws, derived.run)
    leftover = run_folder / f"{TMP_PREFIX}{dead_pid()}-abc-checkpoint.safetensors"
    leftover.write_bytes(b"half a checkpoint")
    stray = ws.datasets_dir / "ds-000000000000"
    stray.mkdir()
    (emb.folder / "index.faiss").write_bytes(b"not the indexed bytes")
    map_file = next(emb.folder.glob("map-*.npy"))
    map_file.write_bytes(b"\x93NUMPY broken")
    with ws.write() as conn:  # a run whose row went (as ON DELETE CASCADE did) but whose folder stayed
        conn.execute("DELETE FROM runs WHERE id = ?", (derived.run,))
        conn.execute("INSERT INTO runs(id, dataset_id, dataset_name, method, encoder, config, status, created, pid) "
                     "SELECT 'run-dead', id, name, 'simclr', 'small_cnn', '{}', 'running', 'now', ? FROM datasets",
                     (dead_pid(),))
    found = doctor(ws)
    assert not found["ok"] and found["repaired"] == []
    assert wheres(found) == {
        str(leftover.relative_to(ws.root)), "datasets/ds-000000000000", f"{emb.folder.relative_to(ws.root)}/index.faiss",
        f"{emb.folder.relative_to(ws.root)}/{map_file.name}", f"runs/{derived.run}", "run run-dead"}
    assert all(p["repair"] for p in found["problems"])

    fixed = doctor(ws, repair=True)
    assert fixed["ok"] and fixed["problems"] == [] and wheres(fixed, "repaired") == wheres(found)
    assert not leftover.exists() and not stray.exists() and not map_file.exists()
    assert not (emb.folder / "index.faiss").exists() and not (emb.folder / "index.json").exists()
    restored = jobs.get_run(ws, derived.run)
    assert restored["status"] == "interrupted" and restored["dataset"] == "tiny" and restored["step"] > 0
    assert "restored by doctor" in restored["message"]
    assert jobs.get_run(ws, "run-dead")["status"] == "interrupted"
    again = embed.embed(ws, "tiny", embed.from_run(ws, derived.run))  # the next ordinary actions
    assert index.load_or_build(again).ntotal == 40 and project.project(again, "pca").shape == (40, 2)
    assert doctor(ws)["ok"]


def test_a_completed_run_whose_folder_went_can_be_trained_again_after_repair(trained):
    """Its row named a checkpoint that is gone: repair forgot it, and the run stayed
    "completed" with nothing to show, which `train --resume` refused."""
    ws = trained.ws
    shutil.rmtree(jobs.run_dir(ws, trained.run))
    fixed = doctor(ws, repair=True)
    assert [p["done"] for p in fixed["repaired"]] == [
        "forgotten: the run has no checkpoint now (resuming trains it again from the start)"]
    run = jobs.get_run(ws, trained.run)
    assert run["status"] == "failed" and run["checkpoint"] is None and run["message"].startswith("its checkpoint was lost")
    jobs.requeue(ws, trained.run)  # raised "is not interrupted, cancelled or failed" (train --resume)
    assert jobs.get_run(ws, trained.run)["status"] == "queued"


def test_what_cannot_be_repaired_safely_is_reported_and_kept(derived):
    ws = derived.ws
    info = ws.dataset("tiny")
    thumbs = ws.dataset_dir(info) / "thumbs.npy"
    np.save(thumbs, np.zeros((3, 8, 8, 3), np.uint8))
    weights = jobs.run_dir(ws, derived.run) / "checkpoint.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    features = derived.emb.folder / "features.npy"
    features.write_bytes(features.read_bytes()[:200])
    result = doctor(ws, repair=True)
    assert not result["ok"]
    assert wheres(result) == {f"dataset 'tiny' ({info.id}) thumbs.npy", f"run {derived.run} checkpoint"}
    assert all(p["repair"] is None for p in result["problems"])
    assert wheres(result, "repaired") == {str(derived.emb.folder.relative_to(ws.root))}  # derived: made again
    assert thumbs.exists() and weights.exists()


def test_schema_drift_is_reported(workspace):
    with workspace.write() as conn:
        conn.execute("ALTER TABLE runs ADD COLUMN extra TEXT")
    problems = doctor(workspace)["problems"]
    assert [(p["check"], p["where"]) for p in problems] == [("schema", "table runs")]


def test_cli_doctor_reports_before_sweeping_and_repairs(trained):
    stray = trained.ws.datasets_dir / f"{TMP_PREFIX}{dead_pid()}-import"
    stray.mkdir()
    done = cli(trained.ws.root, "doctor")
    assert done.returncode == 1 and stray.exists()
    assert wheres(json.loads(done.stdout)) == {f"datasets/{stray.name}"}
    done = cli(trained.ws.root, "doctor", "--repair")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True and not stray.exists()


@pytest.mark.parametrize("kind", ["file", "foreign", "damaged", "missing"])
def test_what_is_not_a_workspace_is_one_clear_error(tmp_path, kind):
    root = tmp_path / "ws"
    if kind == "file":
        root.write_text("just a file")
    elif kind in ("foreign", "damaged"):
        root.mkdir()
        if kind == "foreign":
            conn = sqlite3.connect(root / "ssl.db")
            conn.execute("CREATE TABLE invoices(id INTEGER)")
            conn.commit()
            conn.close()
        else:
            (root / "ssl.db").write_bytes(os.urandom(8192))
    expected = {"file": "is not a folder", "foreign": "is not an SSL Lens database",
                "damaged": "is damaged or not an SSL Lens database", "missing": "no workspace at"}[kind]
    for command in (["doctor"], ["datasets"]) if kind != "missing" else (["doctor"],):
        done = cli(root, *command)
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and expected in done.stderr and "Traceback" not in done.stderr
    if kind == "missing":
        assert not root.exists()
        with pytest.raises(Exception, match="no workspace at"):
            open_unswept(root)
    shutil.rmtree(tmp_path)


@pytest.fixture
def text_workspace(workspace):
    """`workspace` with a text dataset "txt" of three examples (texts.json, no arrays)."""
    ingest_uploads(workspace, [("a.txt", b"the cat sees\nthe dog eats\na bird sings")], name="txt")
    return workspace


def test_a_text_dataset_is_checked_by_its_texts_not_by_image_arrays(text_workspace):
    done = cli(text_workspace.root, "doctor")
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout) == {"ok": True, "problems": [], "repaired": []}


@pytest.mark.parametrize("content, detail", [('["one", "two"', "cannot be read"),
                                             ('["one", "two"]', "holds 2 items (2 strings), expected 3 strings"),
                                             ('["one", 2, "three"]', "holds 3 items (2 strings), expected 3 strings"),
                                             ('{"one": 1}', "holds a JSON dict, expected a list of 3 strings")])
def test_damaged_texts_are_reported_and_kept(text_workspace, content, detail):
    info = text_workspace.dataset("txt")
    texts = text_workspace.dataset_dir(info) / "texts.json"
    texts.write_text(content)
    result = doctor(text_workspace, repair=True)
    assert [(p["where"], p["repair"]) for p in result["problems"]] == [(f"dataset 'txt' ({info.id}) texts.json", None)]
    assert detail in result["problems"][0]["detail"] and texts.read_text() == content
