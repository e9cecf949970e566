"""The explore benchmarks in one run: UMAP maps (bench/explore_map.py) and nearest-
neighbour search (bench/explore_search.py), each against the baseline a user would
otherwise use, each printing its own table.

    .venv/bin/python bench/explore.py

Both take about 10 minutes together on a 2-core machine. The last line is `ratio: X.XX`,
the smaller of the two ratios (the map's and the search's), so a regression in either
shows.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("explore_map.py", "explore_search.py")


def run(script: str) -> float:
    """Run one benchmark, echoing its table; returns its ratio (its last line)."""
    print(f"== {script}", flush=True)
    done = subprocess.run([sys.executable, str(HERE / script)], capture_output=True, text=True, check=True)
    print(done.stdout, end="", flush=True)
    return float(done.stdout.strip().splitlines()[-1].split("ratio:")[1])


def main() -> None:
    ratios = {script: run(script) for script in PARTS}
    print("== summary")
    for script, ratio in ratios.items():
        print(f"{script:20} ratio {ratio:.2f}")
    print(f"ratio: {min(ratios.values()):.2f}")


if __name__ == "__main__":
    main()
