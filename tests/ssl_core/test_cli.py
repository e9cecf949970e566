"""`python -m ssl_core`, run as a user would: JSON on stdout, messages on stderr, a
non-zero exit status on failure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(workspace: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SSL_WORKSPACE"}
    return subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(workspace), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def pics(tmp_path, make) -> Path:
    """A folder of three good images and one bad one."""
    folder = tmp_path / "pics"
    folder.mkdir()
    for i, colour in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255)]):
        (folder / f"img{i}.png").write_bytes(make.solid(colour))
    (folder / "broken.jpg").write_bytes(b"not a jpeg")
    return folder


def test_ingest_folder_and_builtin_then_list_and_delete(tmp_path, pics):
    ws = tmp_path / "ws"
    done = cli(ws, "ingest", str(pics), "--size", "16")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {"dataset", "images", "rejected"} <= set(report)
    assert report["dataset"] == "pics" and report["images"] == 3
    assert report["rejected"] == [{"file": "broken.jpg", "reason": report["rejected"][0]["reason"]}]
    assert "not a supported image" in report["rejected"][0]["reason"]
    assert "1 file rejected" in done.stderr and "warning: Only 3 images" in done.stderr

    done = cli(ws, "ingest", "builtin:shapes", "--size", "8")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dataset"] == "shapes"
    assert json.loads(done.stdout)["images"] == 2000 and json.loads(done.stdout)["labelled"] == 2000

    listed = cli(ws, "datasets")
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert set(rows) == {"pics", "shapes"}
    assert (rows["pics"]["image_count"], rows["pics"]["size_px"]) == (3, 16)
    assert (rows["shapes"]["image_count"], rows["shapes"]["size_px"]) == (2000, 8)

    deleted = cli(ws, "delete", "pics")
    assert deleted.returncode == 0 and json.loads(deleted.stdout) == {"deleted": "pics", "runs_kept": [], "embedding_sets_deleted": []}
    assert [row["name"] for row in json.loads(cli(ws, "datasets").stdout)] == ["shapes"]


def test_ingest_with_name_labels_and_replace(tmp_path, pics):
    ws = tmp_path / "ws"
    labels = tmp_path / "labels.csv"
    labels.write_text("filename,label\nimg0.png,warm\nimg1.png,cold\nimg2.png,cold\n")
    first = cli(ws, "ingest", str(pics), "--name", "mine", "--labels", str(labels), "--size", "8")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["labelled"] == 3

    taken = cli(ws, "ingest", str(pics / "img0.png"), "--name", "mine", "--size", "8")
    assert taken.returncode == 1
    assert "already exists" in taken.stderr and json.loads(taken.stdout)["dataset"] is None
    assert "--replace on the command line" in taken.stderr  # walk 10 was not told how

    replaced = cli(ws, "ingest", str(pics / "img0.png"), "--name", "mine", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads(replaced.stdout)["images"] == 1
    [row] = json.loads(cli(ws, "datasets").stdout)
    assert (row["name"], row["image_count"], row["size_px"]) == ("mine", 1, 64)


def test_ingest_says_which_subfolders_became_classes_and_how_to_leave_them(tmp_path, make):
    """Walk 27: folders of sites became the labels, said only as "from the class folders"."""
    for i, site in enumerate(["site_a", "site_b", "site_a"]):
        (tmp_path / "pics" / site).mkdir(parents=True, exist_ok=True)
        (tmp_path / "pics" / site / f"{i}.png").write_bytes(make.solid((80 * i, 0, 0)))
    ws = tmp_path / "ws"
    sorted_ = cli(ws, "ingest", str(tmp_path / "pics"), "--size", "8")
    assert json.loads(sorted_.stdout)["labels_from"] == "the class folders"
    assert ("note: the subfolders site_a, site_b were taken as the images' classes (used only to judge, never to "
            "train); --no-folder-labels leaves the images unlabelled") in sorted_.stderr
    plain = cli(ws, "ingest", str(tmp_path / "pics"), "--size", "8", "--name", "plain", "--no-folder-labels")
    assert json.loads(plain.stdout)["labelled"] == 0 and "note:" not in plain.stderr


def test_folder_of_only_bad_files_fails(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(b"")
    (folder / "b.png").write_bytes(b"text")
    done = cli(tmp_path / "ws", "ingest", str(folder))
    assert done.returncode != 0
    assert "error: no image could be imported" in done.stderr
    report = json.loads(done.stdout)
    assert report["images"] == 0 and [r["file"] for r in report["rejected"]] == ["a.jpg", "b.png"]
    assert json.loads(cli(tmp_path / "ws", "datasets").stdout) == []


@pytest.mark.parametrize("args, message", [
    (["ingest", "builtin:nope"], "no built-in dataset 'nope'; choose one of: shapes"),
    (["ingest", "/no/such/folder"], "not found: /no/such/folder"),
    (["ingest", "builtin:shapes", "--size", "4"], "between 8 and 512 pixels"),
    (["delete", "nope"], "no dataset named 'nope'"),
])
def test_failures_exit_non_zero_with_a_message(tmp_path, args, message):
    done = cli(tmp_path / "ws", *args)
    assert done.returncode != 0
    assert message in done.stderr and done.stderr.startswith("error: ")


def test_usage_errors_exit_non_zero(tmp_path):
    done = cli(tmp_path / "ws")
    assert done.returncode == 2 and "usage:" in done.stderr


def test_ctrl_c_during_an_import_stores_nothing(tmp_path):
    ws = tmp_path / "ws"
    env = {k: v for k, v in os.environ.items() if k != "SSL_WORKSPACE"}
    process = subprocess.Popen(
        [sys.executable, "-m", "ssl_core", "--workspace", str(ws), "ingest", "builtin:shapes"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        # Ctrl-C as in a terminal: a suite started in the background (`pytest &`) ignores SIGINT, and its children
        # inherit that, so the import would finish and exit 0
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert process.stderr.read(len(b"decoding")) == b"decoding"  # the import has begun (a line: not a terminal)
        process.send_signal(signal.SIGINT)
        out, err = (stream.decode() for stream in process.communicate(timeout=60))
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "cancelled; nothing was stored" in err and out == ""
    assert json.loads(cli(ws, "datasets").stdout) == []
    assert list((ws / "datasets").iterdir()) == []


def test_a_numba_cache_that_cannot_be_made_costs_no_command(tmp_path, monkeypatch):
    """A file where the cache folder should be (or an unwritable home): every command still
    runs; only the maps' compiled code is not kept (it was a FileExistsError traceback)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("SSL_NUMBA_CACHE", str(blocker / "numba"))
    done = cli(tmp_path / "ws", "datasets")
    assert done.returncode == 0 and json.loads(done.stdout) == [] and "Traceback" not in done.stderr


def test_delete_says_which_runs_keep_a_checkpoint_and_which_never_had_one(workspace, make):
    import sqlite3

    from ssl_core import jobs
    from ssl_core.data.ingest import ingest_uploads
    from ssl_core.engine import TrainConfig

    ingest_uploads(workspace, [(f"p{i}.png", make.solid((40 * i, 0, 0))) for i in range(4)], name="few", size=16)
    run = jobs.create_run(workspace, TrainConfig(dataset="few", epochs=1.0))
    with sqlite3.connect(workspace.db_path) as conn:
        conn.execute("UPDATE runs SET status = 'failed' WHERE id = ?", (run,))  # before its first checkpoint
    done = cli(workspace.root, "delete", "few")
    assert done.returncode == 0 and json.loads(done.stdout)["runs_kept"] == [run]
    assert done.stderr.strip() == f"1 run trained on it had written no checkpoint and keeps only its metrics: {run}"


def test_resume_and_advice_refuse_settings_they_would_drop(tmp_path):
    """`train --resume RUN --dataset other` resumed RUN on its own dataset without a word."""
    done = cli(tmp_path / "ws", "train", "--resume", "run-x", "--dataset", "sq", "--epochs", "1")
    assert done.returncode == 1
    assert done.stderr.strip() == "error: --resume trains with the run's own settings; drop --dataset, --epochs"
    done = cli(tmp_path / "ws", "train", "--advice", "run-x", "--seed", "3")
    assert done.stderr.strip() == "error: --advice trains with the run's own settings; drop --seed"
    done = cli(tmp_path / "ws", "train", "--advice", "run-x", "--resume", "run-x")
    assert done.stderr.strip() == "error: give --resume RUN or --advice RUN, not both"


def test_the_cli_module_run_as_a_script_is_the_command_line():
    """Walk 32: `python -m ssl_core.cli --help` printed nothing and exited 0."""
    told = subprocess.run([sys.executable, "-m", "ssl_core.cli", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert told.returncode == 0 and "usage:" in told.stdout and "train" in told.stdout
