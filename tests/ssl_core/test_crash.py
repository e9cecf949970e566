"""Crash consistency (issue 13): a CLI command is killed with SIGKILL at one of 11 points
(ssl_core/crashpoints.py: inside an import, between an import's folder rename and its rows,
a dataset replace, a delete, a queue claim, and during the atomic writes of a checkpoint, an
embedding, an index, a map, an evaluation report and an export). Then `doctor` finds what
the crash left, `doctor --repair` fixes all of it, nothing that was committed is lost (the
trained run's checkpoint bytes and metrics, the dataset's arrays), and the next ordinary
command succeeds on the repaired workspace, which `doctor` then finds clean."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from ssl_core import cli, jobs
from ssl_core.crashpoints import CRASH_ENV
from ssl_core.doctor import checkpoint_error, doctor, open_unswept
from ssl_core.store import TMP_PREFIX

ROOT = Path(__file__).resolve().parents[2]


def new_run(t) -> str:
    """The run the killed `train` queued (the only one besides the trained one)."""
    return next(run["id"] for run in jobs.list_runs(t.ws) if run["id"] != t.run)


SOURCE = ["--dataset", "tiny", "--run"]
# name: (crash point, the command killed there, the next ordinary command, what happens to "tiny")
SCENARIOS = {
    "inside an import": ("import:publish", lambda t: ["ingest", str(t.pics), "--name", "new", "--size", "16"],
                         lambda t: ["ingest", str(t.pics), "--name", "new", "--size", "16"], "kept"),
    "import rename, no rows": ("import:renamed", lambda t: ["ingest", str(t.pics), "--name", "new", "--size", "16"],
                               lambda t: ["ingest", str(t.pics), "--name", "new", "--size", "16"], "kept"),
    "dataset replace": ("replace:committed",
                        lambda t: ["ingest", str(t.pics), "--name", "tiny", "--size", "16", "--replace"],
                        lambda t: ["datasets"], "replaced"),
    "delete": ("delete:committed", lambda t: ["delete", "tiny"], lambda t: ["runs"], "deleted"),
    "queue claim": ("claim:committed", lambda t: ["train", "--dataset", "tiny", "--epochs", "1", "--batch-size", "8"],
                    lambda t: ["train", "--resume", new_run(t)], "kept"),
    "checkpoint write": ("write:checkpoint.safetensors",
                         lambda t: ["train", "--dataset", "tiny", "--epochs", "1", "--batch-size", "8"],
                         lambda t: ["train", "--resume", new_run(t)], "kept"),
    "embedding cache write": ("write:features.npy", lambda t: ["embed", *SOURCE, t.run],
                              lambda t: ["embed", *SOURCE, t.run], "kept"),
    "index save": ("write:index.faiss", lambda t: ["search", *SOURCE, t.run, "--query", str(t.query)],
                   lambda t: ["search", *SOURCE, t.run, "--query", str(t.query)], "kept"),
    "map cache write": ("write:map-", lambda t: ["project", *SOURCE, t.run, "--method", "pca"],
                        lambda t: ["project", *SOURCE, t.run, "--method", "pca"], "kept"),
    "evaluation report write": ("write:evaluation.json", lambda t: ["evaluate", *SOURCE, t.run],
                                lambda t: ["evaluate", *SOURCE, t.run], "kept"),
    "export": ("write:embeddings.csv",
               lambda t: ["export", *SOURCE, t.run, "--parts", "encoder,embeddings", "--out", str(t.out)],
               lambda t: ["export", *SOURCE, t.run, "--parts", "encoder,embeddings", "--out", str(t.out)], "kept"),
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def committed(t) -> dict:
    """What must survive any crash: the trained run's row, metrics and checkpoint bytes."""
    run = jobs.get_run(t.ws, t.run)
    folder = jobs.run_dir(t.ws, t.run)
    return {"status": run["status"], "step": run["step"], "metrics": jobs.metrics(t.ws, t.run)["loss"][1].tolist(),
            "weights": digest(folder / "checkpoint.safetensors"), "meta": digest(folder / "checkpoint.json")}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_kill_9_then_doctor_then_the_next_command(trained, make, tmp_path, capsys, scenario):
    point, killed, next_command, tiny_after = SCENARIOS[scenario]
    t = SimpleNamespace(ws=trained.ws, run=trained.run, pics=tmp_path / "pics", query=tmp_path / "query.png",
                        out=tmp_path / "export")
    t.pics.mkdir()
    for i in range(6):
        (t.pics / f"{i}.png").write_bytes(make.noise((16, 16), seed=i))
    t.query.write_bytes(make.noise((16, 16), seed=99))
    tiny = t.ws.dataset("tiny")
    tiny_arrays = {p.name: digest(p) for p in t.ws.dataset_dir(tiny).glob("*.npy")}
    before = committed(t)

    env = {**{k: v for k, v in os.environ.items() if k != "SSL_WORKSPACE"}, CRASH_ENV: point}
    done = subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(t.ws.root), *killed(t)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stderr[-2000:])

    if scenario == "export":  # the crash is in the user's folder, not the workspace
        assert any(p.name.startswith(TMP_PREFIX) for p in t.out.iterdir())
    else:
        found = doctor(open_unswept(t.ws.root))
        assert not found["ok"] and [p for p in found["problems"] if not p["repair"]] == []
    fixed = doctor(open_unswept(t.ws.root), repair=True)
    assert fixed["ok"], fixed

    assert committed(t) == before
    assert checkpoint_error(jobs.run_dir(t.ws, t.run)) is None
    datasets = {d.name: d for d in t.ws.datasets()}
    if tiny_after == "kept":
        assert datasets["tiny"] == tiny
        assert {p.name: digest(p) for p in t.ws.dataset_dir(tiny).glob("*.npy")} == tiny_arrays
    else:
        assert not t.ws.dataset_dir(tiny).exists() and jobs.get_run(t.ws, t.run)["dataset_deleted"]
        assert ("tiny" in datasets) == (tiny_after == "replaced")

    capsys.readouterr()
    assert cli.main(["--workspace", str(t.ws.root), *next_command(t)]) == 0, capsys.readouterr().err[-2000:]
    assert doctor(open_unswept(t.ws.root)) == {"ok": True, "problems": [], "repaired": []}
    if scenario in ("queue claim", "checkpoint write"):  # at most one checkpoint interval lost: here all 5 steps
        resumed = jobs.get_run(t.ws, new_run(t))
        assert (resumed["status"], resumed["step"]) == ("completed", 5)
    if scenario == "export":
        assert not any(p.name.startswith(TMP_PREFIX) for p in t.out.iterdir())
        assert {p.name for p in t.out.iterdir()} >= {"encoder.safetensors", "embeddings.csv", "embeddings.npy"}
