"""Is the gap on the cluttered sets in what training learned, or in how whole images are read out?

The default trains once on a cluttered set (`bench/tune.py`'s CPU budget and variant), and every
whole image's last feature map (N, C, h, w), read at the side the app reads (engine.embed_side),
is pooled several ways, trained and untrained alike; kNN accuracy (k=20, cosine, leave-one-out)
of each beside the untrained network's:

- `gem`: the app's read-out (generalised mean, p 3);
- `max`: the strongest place of each channel;
- `top_norm`: the mean of the eighth of the places whose features are largest, the network's own
  guess of where the object is (as DINO's attention finds objects; Caron et al. 2021);
- `salient`: weighted by ops.saliency, the crops' object finder;
- `oracle`: weighted by where the generator put the object: what a perfect object finder at
  read-out time would give.

    .venv/bin/python bench/readout.py [--dataset clutter_digits] [--minutes 5] [--seed 0]

The last line is `ratio: X.XX`: the oracle read-out's gain over untrained against the app's.
"""

from __future__ import annotations

import argparse
import sys
import types
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tune  # noqa: E402
from ssl_core import engine  # noqa: E402
from ssl_core.augment import ops  # noqa: E402
from ssl_core.engine import Trainer  # noqa: E402
from ssl_core.evaluate import knn_accuracy  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402


def weighted(fmap: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """(N, C, h, w) pooled by non-negative `weights` (N, 1, h, w) -> (N, C)."""
    return (fmap * weights).sum((2, 3)) / weights.sum((2, 3)).clamp_min(1e-8)


def top_places(fmap: torch.Tensor) -> torch.Tensor:
    """(N, C, h, w) -> (N, C): the mean of the eighth of the places with the largest features."""
    flat = fmap.flatten(2)
    top = flat.norm(dim=1).topk(max(1, flat.shape[2] // 8), dim=1).indices
    return torch.gather(flat, 2, top[:, None, :].expand(-1, flat.shape[1], -1)).mean(2)


@torch.no_grad()
def read_outs(method: torch.nn.Module, images: np.ndarray, masks: torch.Tensor, side: int) -> dict[str, torch.Tensor]:
    """Every read-out of whole `images` (N, S, S, 3) uint8, `masks` (N, 1, S, S) the objects: {name: (N, C)}."""
    method.eval()
    parts: dict[str, list[torch.Tensor]] = {name: [] for name in ("gem", "max", "top_norm", "salient", "oracle")}
    for start in range(0, len(images), 256):
        x = ops.to_float_side(torch.from_numpy(images[start : start + 256]), side)
        fmap = method.encoder.body(x)
        h = fmap.shape[-1]
        parts["gem"].append(method.features(x))
        parts["max"].append(fmap.amax((2, 3)))
        parts["top_norm"].append(top_places(fmap))
        parts["salient"].append(weighted(fmap, ops.saliency(x, grid=h)[:, None]))
        parts["oracle"].append(weighted(fmap, torch.nn.functional.adaptive_avg_pool2d(masks[start : start + 256], h)))
    return {name: torch.cat(chunks) for name, chunks in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="clutter_digits", choices=sorted(tune.ORACLE_MASKS))
    parser.add_argument("--minutes", type=float, default=5.0, help="CPU budget of the training")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workspace", default="/tmp/ssl-tune-ws", help="built-ins are imported here once")
    args = parser.parse_args()
    torch.set_num_threads(1)
    engine.time = types.SimpleNamespace(monotonic=tune.cpu_clock)  # the budget is CPU time, as in tune.py
    images, labels = tune.load(Workspace(Path(args.workspace)), args.dataset)
    known = {image.tobytes(): alpha for _, image, _, alpha in tune.ORACLE_MASKS[args.dataset]()}
    masks = torch.from_numpy(np.stack([known[image.tobytes()] for image in images])).float()[:, None]
    codes = torch.from_numpy(labels)
    config = tune.config_of(tune.VARIANTS["default"], args.minutes, args.seed)
    trainer = Trainer(config, images, None, Path(args.workspace) / "runs" / "readout", tune.Quiet())
    trainer.calibrate_untrained()
    untrained = read_outs(trainer.method, images, masks, trainer.embed_size)
    trainer.method.train()
    steps = trainer.run().steps
    trained = read_outs(trainer.method, images, masks, trainer.embed_size)
    print(f"{args.dataset}, {steps:,} steps, read at {trainer.embed_size} px")
    print(f"{'read-out':10}{'untrained':>10}{'trained':>9}{'gain':>8}")
    gains = {}
    for name in trained:
        before, after = knn_accuracy(untrained[name], codes), knn_accuracy(trained[name], codes)
        gains[name] = after - before
        print(f"{name:10}{before:>10.3f}{after:>9.3f}{gains[name]:>+8.3f}", flush=True)
    print(f"ratio: {gains['oracle'] / gains['gem']:.2f}")


if __name__ == "__main__":
    main()
