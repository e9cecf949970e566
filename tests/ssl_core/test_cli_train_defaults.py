"""`train` as the Train page does it: a method with its own encoders gets the first of them
(MAE: vit_tiny) without --encoder; the run gets its readable name; a redirected stderr gets
whole lines, never the carriage returns a terminal's bar is redrawn with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(workspace: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SSL_WORKSPACE"}
    return subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(workspace), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_train_mae_picks_its_encoder_and_logs_lines_when_stderr_is_not_a_terminal(tmp_path):
    ws = tmp_path / "ws"
    assert cli(ws, "ingest", "builtin:shapes", "--size", "32").returncode == 0
    done = cli(ws, "train", "--dataset", "shapes", "--method", "mae", "--epochs", "0.02", "--batch-size", "16")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["status"] == "completed"
    runs = json.loads(cli(ws, "runs").stdout)
    assert [(run["method"], run["encoder"], run["name"]) for run in runs] == [("mae", "vit_tiny", "MAE · batch 16 · 0.02 epochs")]
    assert "\r" not in done.stderr
    assert "step" in done.stderr and all(line.strip() for line in done.stderr.splitlines())
