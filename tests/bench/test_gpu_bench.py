"""bench/gpu.sh: without a GPU one line and exit 0; every part's code path, small, on the
CPU (`--device cpu --tiny`), ending with the ratio line. Speed is not judged here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_without_a_gpu_it_says_so_in_one_line_and_exits_0():
    done = subprocess.run(["bash", "bench/gpu.sh"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [done.stdout.strip()] and "no CUDA GPU" in done.stdout


@pytest.mark.slow
@pytest.mark.timeout(1500)  # a fresh process per part: minutes on a busy 2-core machine
def test_every_part_runs_small_on_the_cpu_and_the_ratio_comes_last():
    done = subprocess.run([sys.executable, "bench/gpu.py", "--device", "cpu", "--tiny", "--budget", "900"],
                          cwd=ROOT, capture_output=True, text=True, timeout=1000)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    table = lines[2:-1]
    assert [row.split(",")[0].split(" ")[0] for row in table] == ["SimCLR"] * 3 + ["FAISS", "UMAP", "embed"]
    assert not any(word in done.stdout for word in ("failed", "timed out", "skipped")), done.stdout
    assert "torch.compile)" in table[1] and "n/a (CUDA only)" in table[1]
    assert re.fullmatch(r"ratio: \d+\.\d\d", lines[-1]), lines[-1]
