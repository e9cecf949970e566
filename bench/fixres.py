"""Which side should a trained network read whole images at? (FixRes, Touvron et al. 2019)

Data flow: for each data set, the CPU default trains once for the same CPU budget as
bench/tune.py (its clock, its kNN: k=20, cosine, leave-one-out, every image) with the
monitor off -> the trained network and a copy of it from before the first step embed every
whole image at each side of --sides -> kNN of both per side. Crops enlarge objects in
training, so at the views' own side a whole image shows them smaller than they were
learned. engine.embed_side picks the side the app reads at (48 px for the default's 32 px
views; README: the table and why).

    .venv/bin/python bench/fixres.py [--datasets clutter_shapes,clutter_digits,shapes,digits,textures] \
        [--sides 32,40,48,56,64] [--minutes 5] [--seed 0]

Prints one row per (data set, side): kNN trained, untrained, gain; last `ratio: X.XX` =
the trained kNN at 48 px over at 32 px on the first data set.
"""

from __future__ import annotations

import argparse
import copy
import sys
import types
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tune  # noqa: E402
from ssl_core import engine  # noqa: E402
from ssl_core.engine import Trainer  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="clutter_shapes,clutter_digits,shapes,digits,textures")
    parser.add_argument("--sides", default="32,40,48,56,64")
    parser.add_argument("--minutes", type=float, default=5.0, help="CPU budget of each training")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workspace", default="/tmp/ssl-tune-ws", help="built-ins are imported here once")
    args = parser.parse_args()
    sides = [int(side) for side in args.sides.split(",")]
    torch.set_num_threads(1)
    engine.time = types.SimpleNamespace(monotonic=tune.cpu_clock)  # the budget is CPU time
    ws = Workspace(Path(args.workspace))
    knn: dict[tuple[str, int], float] = {}
    print(f"{'dataset':16}{'side':>6}{'kNN':>7}{'untr.':>7}{'gain':>7}", flush=True)
    for name in args.datasets.split(","):
        images, labels = tune.load(ws, name)
        config = tune.config_of(tune.VARIANTS["default"], args.minutes, args.seed)
        trainer = Trainer(config, images, None, Path(args.workspace) / "runs" / f"fixres-{name}", tune.Quiet())
        trainer.calibrate_untrained()  # as the app's untrained twin: BatchNorm statistics from the data
        untrained = copy.deepcopy(trainer.method)
        trainer.method.train()
        steps = trainer.run().steps
        for side in sides:
            knn[name, side] = tune.knn_of(trainer.method, images, labels, side)
            before = tune.knn_of(untrained, images, labels, side)
            print(f"{name:16}{side:>6}{knn[name, side]:>7.3f}{before:>7.3f}{knn[name, side] - before:>+7.3f}"
                  f"  ({steps} steps)", flush=True)
    first = args.datasets.split(",")[0]
    if {48, 32} <= set(sides):
        print(f"ratio: {knn[first, 48] / knn[first, 32]:.2f}")


if __name__ == "__main__":
    main()
