"""Training beside another program busy on one core: a run on its fixed thread count (what the
engine did, the baseline: SSL_FIXED_THREADS set) against one that gives the busy core up while
it is held (ours: ssl_core/thread_share.py); and each alone, for the cost of the readings.

Data flow: a fresh workspace with the built-in shapes -> per setting, a `python -m ssl_core
train` of the CPU default for `--minutes`, beside a process that spins on one core for as long
(none for "alone") -> its JSON's images/s (the whole run's) and the cores other work kept busy
-> one table, and last `ratio: X.XX` (ours over the baseline, beside the busy process).

    .venv/bin/python bench/thread_share.py [--minutes 0.5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPIN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


def trained(cli: list[str], minutes: float, fixed: bool, busy: bool) -> dict:
    """The `train` JSON of one run, on fixed threads or not, beside a spinning process or not."""
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_FIXED_THREADS", "OMP_NUM_THREADS")}
    if fixed:
        env["SSL_FIXED_THREADS"] = "1"
    spinner = (subprocess.Popen([sys.executable, "-c", SPIN.format(seconds=60 * minutes + 30)]) if busy else None)
    try:
        done = subprocess.run([*cli, "train", "--dataset", "shapes", "--minutes", str(minutes)], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True)
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=0.5)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "ssl_core", "--workspace", tempfile.mkdtemp(prefix="ssl-threads-")]
    subprocess.run([*cli, "ingest", "builtin:shapes"], cwd=ROOT, check=True, capture_output=True)
    print(f"{os.cpu_count()} cores, {args.minutes:g} minutes a run, the CPU default on the built-in shapes")
    print(f"{'setting':<34}{'images/s':>10}{'steps':>8}{'other cores':>13}")
    rates = {}
    for name, fixed, busy in (("fixed threads, alone", True, False), ("sharing, alone", False, False),
                              ("fixed threads, one core busy", True, True), ("sharing, one core busy", False, True)):
        run = trained(cli, args.minutes, fixed, busy)
        rates[name] = run["images_per_s"]
        print(f"{name:<34}{run['images_per_s']:>10.1f}{run['steps']:>8}{run.get('other_cores') or 0:>13.2f}")
    base = rates["fixed threads, one core busy"]
    if not base:  # a budget too short for one step: nothing to compare
        raise SystemExit("the baseline made no step in its budget: give more --minutes")
    print(f"ratio: {rates['sharing, one core busy'] / base:.2f}")


if __name__ == "__main__":
    main()
