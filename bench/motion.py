"""The map in motion: our aligned PCA frames (ssl_core/motion.py) beside umap-learn's
AlignedUMAP, on the snapshots a real run keeps.

Trains SimCLR (the CPU default) on the built-in shapes for `--steps` steps twice, on one
thread, timed in CPU seconds: without snapshots, then keeping the probe's features (1,024
images) every `--every` steps, and prints both images/s (the snapshots' cost). Then lays
the kept frames out both ways and prints, for each: seconds for all frames, how far points move between frames where
the features did not change (the last frame repeated: 0 is right), and the last frame's
kNN accuracy in 2-D (k=20, the map's own reading of the labels). The last line is
`ratio: X.XX`: AlignedUMAP's seconds over ours.

    .venv/bin/python bench/motion.py [--steps 200] [--every 50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssl_core.engine import TrainConfig, Trainer  # noqa: E402
from ssl_core.evaluate import knn_accuracy  # noqa: E402
from ssl_core.motion import aligned_layouts  # noqa: E402
from ssl_core.snapshots import Snapshots, load_snapshots  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402
from tune import Quiet, load  # noqa: E402  (bench/tune.py)


def aligned_umap(frames: np.ndarray) -> np.ndarray:
    """(T, P, D) -> (T, P, 2) with umap-learn's AlignedUMAP, every point its own relation."""
    from umap import AlignedUMAP

    identity = {i: i for i in range(frames.shape[1])}
    mapper = AlignedUMAP(n_neighbors=15, random_state=0).fit(list(frames), relations=[identity] * (len(frames) - 1))
    return np.stack(mapper.embeddings_)


def trained_with_snapshots(steps: int, every: int, runs: tuple[int, ...], monitor_every: int = TrainConfig.monitor_every
                           ) -> tuple[dict[int, float], Snapshots, np.ndarray]:
    """SimCLR (the CPU default) trained on the built-in shapes for `steps` steps once per
    entry of `runs` (0: no snapshots, else one every that many steps, a multiple of
    `monitor_every`), timed in CPU seconds. Returns ({entry: images/s}, the snapshots kept
    every `every` steps, the labels)."""
    with tempfile.TemporaryDirectory() as tmp:
        images, codes = load(Workspace(Path(tmp) / "ws"), "shapes")
        run_dir = Path(tmp) / "run"
        rates = {}
        for snapshot_every in runs:
            batch = TrainConfig.batch_size
            config = TrainConfig(dataset="shapes", epochs=steps * batch / len(images), snapshot_every=snapshot_every,
                                 monitor_every=monitor_every, checkpoint_every=10**9)
            (run_dir / str(snapshot_every)).mkdir(parents=True)
            start = time.process_time()
            done = Trainer(config, images, codes, run_dir / str(snapshot_every), Quiet()).run().steps
            rates[snapshot_every] = done * batch / (time.process_time() - start)
        return rates, load_snapshots(run_dir / str(every)), codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--every", type=int, default=50, help="a multiple of the monitor's 25")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rates, snaps, codes = trained_with_snapshots(args.steps, args.every, (0, args.every))
    print(f"training images/s (one thread, CPU time): {rates[0]:.0f} without snapshots, {rates[args.every]:.0f} "
          f"keeping one every {args.every} steps ({1 - rates[args.every] / rates[0]:+.1%} lost)")
    frames = np.concatenate([snaps.features, snaps.features[-1:]])  # the last frame twice: nothing changed
    probe_labels = codes[snaps.probe]
    print(f"{len(frames)} frames of {frames.shape[1]} points, {frames.shape[2]} features")
    print(f"{'layout':22}{'seconds':>9}{'still move':>12}{'2-D kNN':>9}")
    seconds = {}
    for name, lay_out in (("PCA + Procrustes", aligned_layouts), ("AlignedUMAP", aligned_umap)):
        start = time.perf_counter()
        layouts = lay_out(frames)
        seconds[name] = time.perf_counter() - start
        radius = np.sqrt((layouts[-1] ** 2).sum(axis=1).mean())
        still = np.linalg.norm(layouts[-1] - layouts[-2], axis=1).mean() / radius
        print(f"{name:22}{seconds[name]:>9.2f}{still:>12.3f}{knn_accuracy(layouts[-1], probe_labels):>9.3f}")
    print(f"ratio: {seconds['AlignedUMAP'] / seconds['PCA + Procrustes']:.2f}")


if __name__ == "__main__":
    main()
