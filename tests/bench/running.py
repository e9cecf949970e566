"""Running a bench/ script end to end from a test: its output, after checking it exited 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bench(script: str, *args: str, timeout: float = 600) -> str:
    """stdout of `bench/<script>` run with `args` from the repository root; fails the test,
    showing the end of its stderr, when it exits non-zero."""
    result = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args],
                            capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
