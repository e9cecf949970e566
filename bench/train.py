"""Training: ssl_core's engine vs the pipeline a lightly user writes, on the same data.

1. Throughput: same data (built-in shapes), same encoder (small CNN), same batch, 32 px
   views, SimCLR with the paper's recipe. Baseline: lightly's `SimCLRTransform` per image in a DataLoader with
   2 workers, `NTXentLoss`, as lightly's examples. Ours: the engine (batched recipe on
   the device). Images/s both, and the ratio.
2. Same wall-clock budget, each side with its own defaults (ours: the CPU default, lightly:
   its example's SGD and SimCLRTransform): kNN accuracy (leave-one-out,
   k=20, cosine) of the learnt features, beside the untrained encoder and raw pixels,
   on shapes and on digits.
3. Every method in METHODS with its own defaults, the same budget: images/s and kNN.

    .venv/bin/python bench/train.py [--minutes 5] [--steps 30] [--method-minutes 2]

The last line is `ratio: X.XX`, our images/s over lightly's.
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

from lightly_simclr import LightlySimCLR  # noqa: E402
from ssl_core.augment import make_recipe  # noqa: E402
from ssl_core.data.ingest import ingest_builtin  # noqa: E402
from ssl_core.engine import TrainConfig, Trainer  # noqa: E402
from ssl_core.evaluate import knn_accuracy  # noqa: E402
from ssl_core.kinds import methods_for  # noqa: E402
from ssl_core.methods import METHODS  # noqa: E402
from ssl_core.models import build_encoder  # noqa: E402
from ssl_core.models.calibration import calibrate, calibration_rows  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402

SIDE, BATCH = 32, 256


class Quiet:
    def on_step(self, state): ...
    def on_metrics(self, step, values): ...
    def on_checkpoint(self, step, path): ...
    def should_stop(self): return False


def load(ws: Workspace, name: str) -> tuple[np.ndarray, np.ndarray]:
    ingest_builtin(ws, name)
    info = ws.dataset(name)
    labels = ws.labels(info)
    classes = sorted(set(labels))
    return np.array(ws.images(info)), np.array([classes.index(label) for label in labels])


@torch.no_grad()
def features(encoder: torch.nn.Module, images: np.ndarray) -> torch.Tensor:
    encoder.eval()
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255
    x = torch.nn.functional.interpolate(x, size=(SIDE, SIDE), mode="bilinear", antialias=True)
    return torch.cat([encoder.forward_features(x[i : i + 512]) for i in range(0, len(x), 512)])


def raw_pixels(images: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255
    x = torch.nn.functional.interpolate(x, size=(SIDE, SIDE), mode="bilinear", antialias=True)
    return x.flatten(1) - x.flatten(1).mean(0)


def ours(images: np.ndarray, run_dir: Path, **settings) -> tuple[float, torch.nn.Module]:
    """(images/s, trained encoder) with the engine's defaults, a budget and `settings`."""
    config = TrainConfig(dataset="bench", image_size=SIDE, checkpoint_every=10**9, monitor_every=10**9,
                         **settings)
    trainer = Trainer(config, images, None, run_dir, Quiet())
    result = trainer.run()
    return result.images_per_s, trainer.method.encoder


def lightly(images: np.ndarray, steps: int | None = None, minutes: float | None = None
            ) -> tuple[float, torch.nn.Module]:
    """lightly's SimCLR example pipeline on the same encoder: (images/s, encoder)."""
    baseline = LightlySimCLR(images, side=SIDE, batch=BATCH)
    start, done, seen = time.monotonic(), 0, 0
    while True:
        done, seen = done + 1, seen + baseline.step()
        if (steps and done >= steps) or (minutes and time.monotonic() - start > 60 * minutes):
            return seen / (time.monotonic() - start), baseline.encoder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="budget of each accuracy run")
    parser.add_argument("--steps", type=int, default=30, help="steps of each throughput run")
    parser.add_argument("--method-minutes", type=float, default=2.0,
                        help="budget of each method in the all-methods table (0 skips it)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "ws")
        shapes = load(ws, "shapes")
        digits = load(ws, "digits")
        steps_per_epoch = len(shapes[0]) // BATCH

        base_rate, _ = lightly(shapes[0], steps=args.steps)
        our_rate, _ = ours(shapes[0], Path(tmp) / "speed", epochs=args.steps / steps_per_epoch,
                           batch_size=BATCH, recipe=make_recipe("simclr").to_dict())
        print(f"throughput, SimCLR, small CNN, {SIDE} px, batch {BATCH}, shapes, {args.steps} steps")
        print(f"{'':12}{'lightly':>10}{'ssl_core':>10}{'ratio':>8}")
        print(f"{'images/s':12}{base_rate:>10.0f}{our_rate:>10.0f}{our_rate / base_rate:>8.2f}")

        print(f"\nkNN accuracy (k=20, leave-one-out) after {args.minutes:g} min of training each")
        print(f"{'dataset':10}{'raw pixels':>12}{'untrained':>11}{'lightly':>9}{'ssl_core':>10}")
        for name, (images, labels) in (("shapes", shapes), ("digits", digits)):
            target = torch.from_numpy(labels)
            torch.manual_seed(0)
            untrained = build_encoder("small_cnn", SIDE)
            calibrate(untrained, [torch.nn.functional.interpolate(  # BatchNorm statistics from the data, as the app's twin
                torch.from_numpy(images[calibration_rows(len(images))]).permute(0, 3, 1, 2).float() / 255,
                size=(SIDE, SIDE), mode="bilinear", antialias=True)])
            _, lightly_encoder = lightly(images, minutes=args.minutes)
            _, our_encoder = ours(images, Path(tmp) / name, minutes=args.minutes)
            row = [knn_accuracy(raw_pixels(images), target), knn_accuracy(features(untrained, images), target),
                   knn_accuracy(features(lightly_encoder, images), target),
                   knn_accuracy(features(our_encoder, images), target)]
            print(f"{name:10}" + "".join(f"{v:>{w}.3f}" for v, w in zip(row, (12, 11, 9, 10))))
        if args.method_minutes > 0:
            print(f"\nevery method, its own defaults, {args.method_minutes:g} min on shapes")
            print(f"{'method':14}{'encoder':10}{'images/s':>10}{'kNN':>8}")
            target = torch.from_numpy(shapes[1])
            for name in methods_for("image"):  # the text methods train on sentences, not shapes
                encoder = (METHODS[name].encoders or ("small_cnn",))[0]
                rate, trained = ours(shapes[0], Path(tmp) / f"all-{name}", method=name, encoder=encoder,
                                     minutes=args.method_minutes)
                print(f"{name:14}{encoder:10}{rate:>10.0f}{knn_accuracy(features(trained, shapes[0]), target):>8.3f}")
    print(f"ratio: {our_rate / base_rate:.2f}")


if __name__ == "__main__":
    main()
