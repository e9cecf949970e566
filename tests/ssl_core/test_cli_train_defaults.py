"""`train` as the Train page does it: a method with its own encoders gets the first of them
(MAE: vit_tiny) without --encoder; the run gets its readable name; a redirected stderr gets
whole lines, never the carriage returns a terminal's bar is redrawn with. On 48 images, not the
2,000 demo shapes: the run embeds its probe (up to 1,024 images, engine.PROBE_SIZE) with the
ViT each time it measures itself, and 48 keep that short."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ssl_core.data.ingest import ingest_uploads
from ssl_core.kinds import methods_for
from ssl_core.store import Workspace
from tests.ssl_core.conftest import noise

ROOT = Path(__file__).resolve().parents[2]


def cli(workspace: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SSL_WORKSPACE"}
    return subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(workspace), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_train_mae_picks_its_encoder_and_logs_lines_when_stderr_is_not_a_terminal(tmp_path):
    ws = tmp_path / "ws"
    ingest_uploads(Workspace(ws), [(f"{i}.png", noise((32, 32), seed=i)) for i in range(48)], name="few", size=32)
    done = cli(ws, "train", "--dataset", "few", "--method", "mae", "--epochs", "1", "--batch-size", "16")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["status"] == "completed"
    runs = json.loads(cli(ws, "runs").stdout)
    assert [(run["method"], run["encoder"], run["name"]) for run in runs] == [("mae", "vit_tiny", "MAE · batch 16 · 1 epoch")]
    verdict = ("verdict", "verdict_text", "verdict_colour", "verdict_headline")
    assert {key: runs[0][key] for key in verdict} == {key: summary[key] for key in verdict}  # as train said it
    assert "\r" not in done.stderr
    assert "step" in done.stderr and all(line.strip() for line in done.stderr.splitlines())


def test_train_without_method_takes_the_first_method_of_the_dataset_s_kind(tmp_path):
    ws = tmp_path / "ws"
    corpus = tmp_path / "notes.txt"
    corpus.write_text("\n".join(f"note {i} about the {word} in the garden" for i, word in
                                enumerate(["tree", "bird", "stone", "pond"] * 6)))
    assert cli(ws, "ingest", str(corpus)).returncode == 0
    done = cli(ws, "train", "--dataset", "notes", "--epochs", "1", "--batch-size", "8")
    assert done.returncode == 0, done.stderr
    runs = json.loads(cli(ws, "runs").stdout)
    assert [(run["method"], run["encoder"]) for run in runs] == [(methods_for("text")[0], "text_transformer")]
    missing = cli(ws, "train", "--dataset", "nowhere", "--epochs", "1")
    assert missing.returncode == 1 and missing.stderr.startswith("error: no dataset named 'nowhere'")
    unknown = cli(ws, "train", "--dataset", "notes", "--method", "nosuch")  # walk 10 was offered the other kind's too
    assert unknown.returncode == 1 and unknown.stderr.strip() == (
        f"error: no method 'nosuch'; choose one of the methods for text datasets: {', '.join(methods_for('text'))}")


def test_train_without_a_batch_size_takes_the_one_the_train_page_offers(tmp_path):
    """Walk 10: `train` at 64 on 235 images, then `advise` said 'Train again at batch 32'."""
    ws = tmp_path / "ws"
    ingest_uploads(Workspace(ws), [(f"{i}.png", noise((16, 16), seed=i)) for i in range(48)], name="few", size=16)
    done = cli(ws, "train", "--dataset", "few", "--epochs", "0.4")
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(cli(ws, "runs").stdout)
    assert run["name"] == "SimCLR · batch 16 · 0.4 epochs"  # 3 steps per pass, where 64 (all 48) made 1
