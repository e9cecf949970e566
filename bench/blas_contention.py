"""One frame of the map in motion (PCA of the probe's 1,024 features, their kNN accuracy)
computed by a server process while a run trains on the same cores: numpy's OpenBLAS on its
default threads (one per core, what the app used, the baseline) against one thread (ours:
app/blas_threads.py).

Data flow: a fresh workspace with the built-in shapes -> `python -m ssl_core train` (the CPU
default) in the background -> once it is stepping, a fresh process per setting
(OPENBLAS_NUM_THREADS must be set before numpy loads) times `--repeats` frames of
1,024 x 128 features -> median milliseconds per frame each, and last `ratio: X.XX`
(baseline over ours).

    .venv/bin/python bench/blas_contention.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAME = """
import time, numpy as np
from ssl_core.motion import pca_2d
from ssl_core.evaluate import knn_accuracy
rng = np.random.default_rng(0)
frame = rng.standard_normal((1024, 128)).astype(np.float32)
labels = np.arange(1024) % 5
seconds = []
for _ in range({repeats}):
    start = time.perf_counter()
    pca_2d(frame)
    knn_accuracy(frame, labels)
    seconds.append(time.perf_counter() - start)
print(1000 * float(np.median(seconds)))
"""


def frame_ms(threads: str | None, repeats: int) -> float:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if threads:
        env["OPENBLAS_NUM_THREADS"] = threads
    done = subprocess.run([sys.executable, "-c", FRAME.format(repeats=repeats)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    workspace = tempfile.mkdtemp(prefix="ssl-blas-")
    cli = [sys.executable, "-m", "ssl_core", "--workspace", workspace]
    subprocess.run([*cli, "ingest", "builtin:shapes"], cwd=ROOT, check=True, capture_output=True)
    training = subprocess.Popen([*cli, "train", "--dataset", "shapes", "--minutes", "3"], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(20)  # past its imports: stepping on every core
        if training.poll() is not None:
            raise SystemExit("the training run stopped before the frames were timed")
        baseline, ours = frame_ms(None, args.repeats), frame_ms("1", args.repeats)
    finally:
        training.terminate()
        training.wait()
    print(f"{'a map-in-motion frame beside a training run':46}{'ms':>8}")
    print(f"{f'OpenBLAS default ({os.cpu_count()} threads)':46}{baseline:>8.1f}")
    print(f"{'OpenBLAS on one thread':46}{ours:>8.1f}")
    print(f"ratio: {baseline / ours:.2f}")


if __name__ == "__main__":
    main()
