"""Snapshots while training: the monitor's probe features kept with the run, so the map
can be played back as the representation forms (motion.py draws the frames).

The engine's monitor already embeds a fixed probe sample (up to PROBE_SIZE images, the
labelled ones first and balanced across labels, unlabelled ones filling the rest) every
`monitor_every` steps; every `snapshot_every` steps, before the first step and at the end,
those features (P, D) are also written here as float32, so keeping them costs a file write,
not a forward pass, and each frame's kNN (on its labelled rows) is the monitor's own
(float16 moved a tie: 0.397 beside the verdict's 0.400):

    <run>/snapshots/probe.npy          (P,) int64 rows of the dataset, written once
    <run>/snapshots/step-000050.npy    (P, D) float32 features at step 50 (512 KB at 1,024 x 128)

A method that paints back what it hid (MAE) also keeps, at the same steps, its painting of
the first PAINTED probe images under one fixed mask, so the blur sharpening can be seen:

    <run>/snapshots/painted-views.npy   (K, 2, s, s, 3) uint8: each view, and it masked (written once)
    <run>/snapshots/painted-000050.npy  (K, s, s, 3) uint8: the hidden patches painted at step 50

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
PAINTED = "painted-"
PAINTED_VIEWS = "painted-views.npy"
PAINTED_COUNT = 6  # probe images whose painting is kept


def balanced_probe(count: int, labels: np.ndarray | None, size: int, seed: int) -> np.ndarray:
    """Sorted rows (at most `size`) of a dataset of `count` images: a seeded random sample,
    and with `labels` (count,) (-1: unlabelled) the labelled rows first, balanced across
    classes (each class gives its turn in a round until it runs out), so a rare class
    still shows on the map; where fewer than `size` are labelled, unlabelled rows fill the
    rest (walks 39 and 40: 30 labelled cells of 383 were all the map in motion showed, and
    the monitor's effective rank was read on them alone)."""
    rng = np.random.default_rng(seed)
    if labels is None:
        return np.sort(rng.choice(count, min(size, count), replace=False))
    order = rng.permutation(np.flatnonzero(labels >= 0))  # all rows labelled: the same as permutation(count)
    turn = np.empty(count, np.int64)  # each row's place within its own class, in random order
    for value in np.unique(labels[order]):
        rows = order[labels[order] == value]
        turn[rows] = np.arange(len(rows))
    chosen = order[np.argsort(turn[order], kind="stable")[:size]]
    unlabelled = np.flatnonzero(labels < 0)
    filled = rng.choice(unlabelled, min(size - len(chosen), len(unlabelled)), replace=False)
    return np.sort(np.concatenate([chosen, filled]))


def kept_probe(run_dir: Path) -> np.ndarray | None:
    """The probe rows a run's snapshots were written with (a resumed run keeps them), None
    when it kept none or the file is unreadable."""
    try:
        return np.load(run_dir / FOLDER / PROBE, allow_pickle=False)
    except (OSError, ValueError):
        return None


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

    def keep_painting(self, step: int, views: np.ndarray, masked: np.ndarray, painted: np.ndarray) -> None:
        """Keep `painted` (K, s, s, 3) uint8 at `step`; `views` and `masked` (same shape), the
        first time only (the mask is the same at every step)."""
        if not (self.folder / PAINTED_VIEWS).exists():
            atomic_write_bytes(self.folder / PAINTED_VIEWS, _npy(np.stack([views, masked], axis=1)))
        atomic_write_bytes(self.folder / f"{PAINTED}{step:06d}.npy", _npy(painted))


def forget_after(run_dir: Path, step: int) -> None:
    """Remove the features and paintings kept after `step` (a resume from a checkpoint at
    `step` throws those weights away, and keeps them anew as it passes those steps)."""
    for prefix in (PREFIX, PAINTED):
        for file in (run_dir / FOLDER).glob(f"{prefix}[0-9]*.npy"):
            if file.stem[len(prefix):].isdigit() and int(file.stem[len(prefix):]) > step:
                file.unlink(missing_ok=True)


def _frames(folder: Path, prefix: str) -> dict[int, np.ndarray]:
    """{step: array} of the readable `<prefix><step>.npy` files in `folder`; a damaged one is
    left out (the others still play)."""
    frames = {}
    for file in sorted(folder.glob(f"{prefix}[0-9]*.npy")):
        try:
            frames[int(file.stem[len(prefix):])] = np.load(file, allow_pickle=False)
        except (OSError, ValueError):
            continue
    return frames


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
    frames = {step: frame.astype(np.float32) for step, frame in _frames(folder, PREFIX).items()
              if frame.ndim == 2 and len(frame) == len(probe)}
    widths = {frame.shape[1] for frame in frames.values()}
    if not frames or len(widths) > 1:
        return None
    steps = np.array(sorted(frames))
    return Snapshots(probe, steps, np.stack([frames[s] for s in steps]))


@dataclass(frozen=True)
class Paintings:
    """What a masked-prediction run painted: `views` and `masked` (K, s, s, 3) uint8, `steps`
    (T,) ascending and `painted` (T, K, s, s, 3) uint8, frame t the painting at steps[t]."""

    views: np.ndarray
    masked: np.ndarray
    steps: np.ndarray
    painted: np.ndarray


def load_paintings(run_dir: Path) -> Paintings | None:
    """The run's kept paintings, or None when it kept none (not a masked-prediction run, an
    older run) or its views are unreadable; a damaged or mis-shaped frame is left out."""
    folder = run_dir / FOLDER
    try:
        both = np.load(folder / PAINTED_VIEWS, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if both.ndim != 5 or both.shape[1] != 2 or both.dtype != np.uint8:
        return None
    frames = {step: frame for step, frame in _frames(folder, PAINTED).items()
              if frame.shape == both[:, 0].shape and frame.dtype == np.uint8}
    if not frames:
        return None
    steps = np.array(sorted(frames))
    return Paintings(both[:, 0], both[:, 1], steps, np.stack([frames[s] for s in steps]))
