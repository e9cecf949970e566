"""What labels could teach the same network in the same compute: the ceiling beside bench/tune.py.

For each data set, the default encoder (small CNN, 32 px views, channels_last) is trained
*supervised* (cross-entropy on a linear head, AdamW, batch 128, horizontal flips and no crops)
on a random half of the images for the same one-thread CPU budget as tune.py's trials, and
judged on the other half by its accuracy and by kNN (k=20, cosine) of its features, the
measure tune.py uses. Crops cut the small object out: on `clutter_digits` at 2 CPU minutes,
held-out accuracy 0.447 with flips alone, 0.354 with nothing, 0.139 with random resized crops
from 30% of the picture, 0.109 with those crops and flips (what this script used before, which
made the set look unlearnable).
A self-supervised gain far below this ceiling leaves room to tune; a ceiling that is itself
near chance says the set cannot be learned by this network in this budget, with or without
labels.

    .venv/bin/python bench/ceiling.py [--minutes 5] [--datasets clutter_shapes,clutter_digits]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tune import cpu_clock, load  # noqa: E402

from ssl_core.augment import ops  # noqa: E402
from ssl_core.evaluate import knn_accuracy  # noqa: E402
from ssl_core.models import build_encoder  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402

SIDE, BATCH, LR = 32, 128, 2e-3


def split(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A random half (train rows) and the other half (held-out rows) of `count` rows."""
    order = np.random.default_rng(seed).permutation(count)
    return order[: count // 2], order[count // 2 :]


@torch.no_grad()
def features(encoder: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """(N, S, S, 3) uint8 -> (N, D) features at SIDE px, in eval mode."""
    encoder.eval()
    return torch.cat([encoder.features(ops.to_float_side(images[i : i + 256], SIDE))
                      for i in range(0, len(images), 256)])


def supervised(images: np.ndarray, labels: np.ndarray, minutes: float) -> dict[str, float]:
    """Train on one half for `minutes` of CPU budget; accuracy and kNN on the other half."""
    torch.manual_seed(0)
    train, held = split(len(images))
    data, target = torch.from_numpy(images), torch.from_numpy(labels)
    encoder = build_encoder("small_cnn", SIDE).to(memory_format=torch.channels_last)
    head = nn.Linear(encoder.num_features, int(labels.max()) + 1)
    optimiser = torch.optim.AdamW([*encoder.parameters(), *head.parameters()], lr=LR)
    gen = torch.Generator().manual_seed(0)
    steps, start = 0, cpu_clock()
    while cpu_clock() - start < minutes * 60:
        encoder.train()
        rows = torch.from_numpy(train)[torch.randint(len(train), (BATCH,), generator=gen)]
        views = ops.resized_crop_flip(ops.to_float(data[rows]), SIDE, (1.0, 1.0), (1.0, 1.0), 0.5, gen)  # flips
        loss = nn.functional.cross_entropy(head(encoder.features(views.contiguous(memory_format=torch.channels_last))),
                                           target[rows])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        steps += 1
    held_rows = torch.from_numpy(held)
    feats = features(encoder, data[held_rows])
    accuracy = (head(feats).argmax(1) == target[held_rows]).float().mean().item()
    return {"steps": steps, "accuracy": accuracy, "knn": knn_accuracy(feats, target[held_rows])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="CPU budget, as in tune.py")
    parser.add_argument("--datasets", default="clutter_shapes,clutter_digits")
    parser.add_argument("--workspace", default="/tmp/ssl-tune-ws", help="built-ins are imported here once")
    args = parser.parse_args()
    torch.set_num_threads(1)
    ws = Workspace(Path(args.workspace))
    print(f"{'dataset':16}{'steps':>7}{'held-out acc':>14}{'kNN':>7}{'chance':>8}", flush=True)
    for name in args.datasets.split(","):
        images, labels = load(ws, name)
        t0 = time.monotonic()
        r = supervised(images, labels, args.minutes)
        print(f"{name:16}{r['steps']:>7}{r['accuracy']:>14.3f}{r['knn']:>7.3f}{1 / (labels.max() + 1):>8.3f}"
              f"   ({time.monotonic() - t0:.0f} s wall)", flush=True)


if __name__ == "__main__":
    main()
