"""Snapshots while training: the monitor's probe features kept with the run, so the map
can be played back as the representation forms (motion.py draws the frames).

The engine's monitor already embeds a fixed probe sample (up to PROBE_SIZE images,
balanced across labels where there are labels) every `monitor_every` steps; every
`snapshot_every` steps, before the first step and at the end, those features (P, D) are
also written here as float32, so keeping them costs a file write, not a forward pass, and
each frame's kNN is the monitor's own (float16 moved a tie: 0.397 beside the verdict's 0.400):

    <run>/snapshots/probe.npy          (P,) int64 rows of the dataset, written once
    <run>/snapshots/step-000050.npy    (P, D) float32 features at step 50 (512 KB at 1,024 x 128)

Each file is written atomically; a resumed run adds to the same folder with the same probe.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .store import atomic_write_bytes

FOLDER = "snapshots"
PROBE = "probe.npy"
PREFIX = "step-"


def balanced_probe(count: int, labels: np.ndarray | None, size: int, seed: int) -> np.ndarray:
    """Sorted rows (min(size, count),) of a dataset of `count` images: a seeded random
    sample, and with `labels` (count,) balanced across classes (each class gives its turn
    in a round until it runs out), so a rare class still shows on the map."""
    rng = np.random.default_rng(seed)
    size = min(size, count)
    if labels is None:
        return np.sort(rng.choice(count, size, replace=False))
    order = rng.permutation(count)
    turn = np.empty(count, np.int64)  # each row's place within its own class, in random order
    for value in np.unique(labels):
        rows = order[labels[order] == value]
        turn[rows] = np.arange(len(rows))
    chosen = order[np.argsort(turn[order], kind="stable")[:size]]
    return np.sort(chosen)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


class SnapshotWriter:
    """Writes the probe's features of one run into `<run_dir>/snapshots/`."""

    def __init__(self, run_dir: Path, probe: np.ndarray) -> None:
        self.folder = run_dir / FOLDER
        self.folder.mkdir(parents=True, exist_ok=True)
        if not (self.folder / PROBE).exists():
            atomic_write_bytes(self.folder / PROBE, _npy(np.asarray(probe, np.int64)))

    def keep(self, step: int, features: np.ndarray) -> None:
        """Keep `features` (P, D) of the probe at `step`, as float32."""
        atomic_write_bytes(self.folder / f"{PREFIX}{step:06d}.npy", _npy(features.astype(np.float32)))


@dataclass(frozen=True)
class Snapshots:
    """What a run kept: `probe` (P,) dataset rows, `steps` (T,) ascending, and
    `features` (T, P, D) float32, frame t the probe's features at steps[t]."""

    probe: np.ndarray
    steps: np.ndarray
    features: np.ndarray


def load_snapshots(run_dir: Path) -> Snapshots | None:
    """The run's snapshots, or None when it kept none (an older run, or none written yet)
    or its probe is unreadable; a damaged frame (not a (P, D) array) is left out."""
    folder = run_dir / FOLDER
    if not (folder / PROBE).exists():
        return None
    try:
        probe = np.load(folder / PROBE, allow_pickle=False)
    except (OSError, ValueError):
        return None  # damaged: no frame can be placed
    frames = {}
    for file in sorted(folder.glob(f"{PREFIX}*.npy")):
        try:
            frame = np.load(file, allow_pickle=False)
            step = int(file.stem[len(PREFIX):])
        except (OSError, ValueError):
            continue  # a damaged frame is left out; the others still play
        if frame.ndim == 2 and len(frame) == len(probe):
            frames[step] = frame.astype(np.float32)
    widths = {frame.shape[1] for frame in frames.values()}
    if not frames or len(widths) > 1:
        return None
    steps = np.array(sorted(frames))
    return Snapshots(probe, steps, np.stack([frames[s] for s in steps]))
