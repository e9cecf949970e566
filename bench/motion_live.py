"""The map in motion redrawn as a live run's snapshots arrive (the Train page while a run
trains): every frame computed again at each redraw (what the page did, the baseline) against
only the frames not seen before (ours: each frame's PCA and kNN kept by its content,
ssl_core/motion.py's FRAMES).

Data flow: a real run of `--steps` steps keeping the probe's features (1,024 images) every
`--every` steps (bench/motion.py) -> for t = 2..T, the animation of the first t frames, as the
page redraws it when frame t arrives: the baseline with the kept frames emptied before each
redraw, ours with them kept -> seconds of all redraws each way, whether the last animation is
the same, and last `ratio: X.XX` (baseline over ours).

    .venv/bin/python bench/motion_live.py [--steps 200] [--every 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from motion import trained_with_snapshots  # noqa: E402  (bench/motion.py)

from ssl_core.motion import FRAMES, motion  # noqa: E402
from ssl_core.snapshots import Snapshots  # noqa: E402


def redraws(snaps: Snapshots, labels: np.ndarray, keep: bool) -> tuple[float, object]:
    """Seconds to draw the animation of the first t frames for every t >= 2; the last one."""
    FRAMES.kept.clear()
    start, last = time.perf_counter(), None
    for t in range(2, len(snaps.steps) + 1):
        if not keep:
            FRAMES.kept.clear()
        last = motion(Snapshots(snaps.probe, snaps.steps[:t], snaps.features[:t]), labels)
    return time.perf_counter() - start, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--every", type=int, default=10, help="a snapshot every this many steps")
    args = parser.parse_args()
    torch.set_num_threads(1)
    _, snaps, codes = trained_with_snapshots(args.steps, args.every, (args.every,), monitor_every=args.every)
    labels = codes[snaps.probe]
    before_s, before = redraws(snaps, labels, keep=False)
    ours_s, ours = redraws(snaps, labels, keep=True)
    frames = len(snaps.steps)
    print(f"{frames} frames of {snaps.features.shape[1]} points: {frames - 1} redraws as they arrive")
    print(f"{'redraws':34}{'seconds':>9}")
    print(f"{'every frame computed again':34}{before_s:>9.2f}")
    print(f"{'only the new frame':34}{ours_s:>9.2f}")
    same = np.array_equal(before.layouts, ours.layouts) and np.array_equal(before.scores, ours.scores)
    print(f"same animation: {same}")
    print(f"ratio: {before_s / ours_s:.2f}")


if __name__ == "__main__":
    main()
