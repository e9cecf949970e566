"""bench/scale.py on a few hundred images: every step runs through the command line and
the app, and the table shows each one's time and memory. Speed is not judged here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a fresh process per step: minutes on a busy 2-core machine
def test_every_step_runs_and_the_table_ends_with_the_ratio():
    done = subprocess.run([sys.executable, "bench/scale.py", "--count", "300"], cwd=ROOT, capture_output=True,
                          text=True, timeout=1700)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    steps = [line[:18].strip() for line in lines[2:-2]]
    assert steps == ["ingest", "embed", "project (UMAP)", "index + search", "search", "app, Explorer", "again"]
    assert all(len(line.split()) >= 4 for line in lines[2:-2])
    assert lines[-2].startswith("app: first page") and re.fullmatch(r"ratio: \d+\.\d\d", lines[-1])
