"""Ctrl-C during `python -m ssl_core train` records the run as interrupted (it no longer
holds its dataset) and says what was kept and how to resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ssl_core import jobs
from ssl_core.cli import _mark_interrupted
from ssl_core.data.ingest import ingest_uploads
from ssl_core.devices import pick_device
from ssl_core.engine import TrainConfig

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tiny(workspace, make):
    """A workspace with dataset "tiny": 16 noise images of 8 px."""
    ingest_uploads(workspace, [(f"{i}.png", make.noise((8, 8), seed=i)) for i in range(16)], name="tiny", size=8)
    return workspace


def test_ctrl_c_while_waiting_for_the_device_marks_the_run_interrupted(tiny):
    env = {k: v for k, v in os.environ.items() if k != "SSL_WORKSPACE"}
    with tiny.lock(pick_device("auto").type, wait=False) as held:  # another run has the device
        assert held
        process = subprocess.Popen(
            [sys.executable, "-m", "ssl_core", "--workspace", str(tiny.root), "train", "--dataset", "tiny",
             "--epochs", "1", "--batch-size", "8"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # Ctrl-C as in a terminal
        try:
            assert "waiting for the run on" in process.stderr.readline()  # claimed, blocked on the lock
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=60)
        finally:
            process.kill()
    [run] = jobs.list_runs(tiny)
    assert process.returncode == 130 and out == ""
    assert err.strip().splitlines()[-1] == (f"run {run['id']} interrupted; no checkpoint was written yet; it starts "
                                            f"again from step 0 with: python -m ssl_core train --resume {run['id']}")
    assert (run["status"], run["pid"], run["message"]) == (
        "interrupted", None, "stopped with Ctrl-C; no checkpoint was written yet")
    assert tiny.delete_dataset("tiny") == [run["id"]], "the interrupted run held its dataset"


def test_a_kept_checkpoint_is_named_and_resume_is_offered(tiny):
    run_id = jobs.create_run(tiny, TrainConfig(dataset="tiny", epochs=1, batch_size=8))
    jobs.claim(tiny, run_id)  # this process trains it
    jobs.run_dir(tiny, run_id).mkdir(parents=True, exist_ok=True)
    (jobs.run_dir(tiny, run_id) / "checkpoint.json").write_text(json.dumps({"step": 100}))
    assert _mark_interrupted(tiny, run_id) == (f"run {run_id} interrupted; its checkpoint at step 100 is kept; "
                                               f"resume with: python -m ssl_core train --resume {run_id}")
    assert jobs.get_run(tiny, run_id)["status"] == "interrupted"
    jobs.requeue(tiny, run_id)  # what train --resume does first
    assert jobs.get_run(tiny, run_id)["status"] == "queued"


def test_a_run_that_ended_before_the_ctrl_c_is_left_as_it_is(tiny):
    run_id = jobs.create_run(tiny, TrainConfig(dataset="tiny", epochs=1, batch_size=8))
    jobs.request_cancel(tiny, run_id)  # a queued run is cancelled at once
    assert _mark_interrupted(tiny, run_id) == f"run {run_id} is cancelled"
    assert jobs.get_run(tiny, run_id)["status"] == "cancelled"
