"""Does the label-free verdict agree with the labelled one? (verdict.LEARNED_SHARE)

Data flow: for each data set (labels known, hidden from the rule), the CPU default trains for
the same CPU budget as bench/tune.py (its clock) with the app's monitor every --every steps:
the probe's 1,024 whole images read at the side the app reads them (engine.embed_side) ->
at each tick both kinds of evidence on the same features: kNN on the hidden labels
(verdict.from_knn, the truth) and `shared`, the share of neighbours also nearest by raw pixels
and colour (verdict.from_neighbours, what a dataset without labels gets), each against the
same network before its first step.

    .venv/bin/python bench/verdict_calibration.py [--datasets shapes,clutter_shapes,clutter_digits] \
        [--minutes 5] [--every 100] [--seed 0] [--variant default]

Prints one row per tick (steps, kNN and its twin's, shared over the twin's, both verdicts),
then per data set the lowest share of a tick the labels call not learned, and last
`ratio: X.XX` = that lowest share over LEARNED_SHARE, on every tick of every set: above 1,
no run that learned nothing would have been called learned without labels.
"""

from __future__ import annotations

import argparse
import sys
import types
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tune  # noqa: E402
from ssl_core import engine  # noqa: E402
from ssl_core.engine import Trainer  # noqa: E402
from ssl_core.evaluate import knn_accuracy  # noqa: E402
from ssl_core.evaluate.departure import shared  # noqa: E402
from ssl_core.evaluate.verdict import LEARNED, LEARNED_SHARE, from_knn, from_neighbours  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402


class Ticks(tune.Quiet):
    """Keeps every monitor tick's metrics (step -> metrics) that carries both kinds of evidence."""

    def __init__(self) -> None:
        self.ticks: dict[int, dict[str, float]] = {}

    def on_metrics(self, step: int, values: dict[str, float]) -> None:
        if "pixel_shared" in values or "pixel_shared_untrained" in values:
            self.ticks.setdefault(step, {}).update(values)


def calibrate(ws: Workspace, workspace: Path, name: str, variant: str, minutes: float, every: int,
              seed: int) -> list[tuple[int, float, str, str]]:
    """Train `variant` on built-in `name`; per tick (step, shared / twin's, kNN verdict, label-free verdict)."""
    images, labels = tune.load(ws, name)
    config = tune.config_of(tune.VARIANTS[variant], minutes, seed)
    config.monitor_every = every
    ticks = Ticks()
    trainer = Trainer(config, images, None, workspace / "runs" / f"verdict-{name}", ticks)
    truth = torch.as_tensor(labels)[trainer.probe]
    cheap = trainer.cheap
    trainer.judged = lambda features: {"knn_accuracy": knn_accuracy(features, truth),  # type: ignore[method-assign]
                                       "pixel_shared": shared(features, cheap)}
    trainer.run()
    base = ticks.ticks.pop(0)
    classes, n = len(set(labels.tolist())), int(base["probe_size"])
    rows = []
    for step, now in sorted(ticks.ticks.items()):
        by_labels = from_knn(now["knn_accuracy"], base["knn_untrained"], n, classes)
        without = from_neighbours(now["pixel_shared"], base["pixel_shared_untrained"], n,
                                  now["effective_rank"], base["effective_rank_untrained"])
        share = now["pixel_shared"] / base["pixel_shared_untrained"]
        print(f"{name:16}{step:>7}{now['knn_accuracy']:>7.3f}{base['knn_untrained']:>7.3f}"
              f"{now['pixel_shared']:>8.3f}{base['pixel_shared_untrained']:>8.3f}{share:>7.2f}  "
              f"{by_labels.code:22}{without.code}", flush=True)
        rows.append((step, share, by_labels.code, without.code))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="shapes,clutter_shapes,clutter_digits,digits,textures")
    parser.add_argument("--minutes", type=float, default=5.0, help="CPU budget of each training")
    parser.add_argument("--every", type=int, default=100, help="steps between monitor ticks")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variant", default="default", choices=sorted(tune.VARIANTS))
    parser.add_argument("--workspace", default="/tmp/ssl-tune-ws", help="built-ins are imported here once")
    args = parser.parse_args()
    torch.set_num_threads(1)
    engine.time = types.SimpleNamespace(monotonic=tune.cpu_clock)  # the budget is CPU time
    workspace = Path(args.workspace)
    ws = Workspace(workspace)
    print(f"{'dataset':16}{'step':>7}{'kNN':>7}{'untr.':>7}{'shared':>8}{'untr.':>8}{'share':>7}  "
          f"{'with labels':22}without", flush=True)
    lowest = float("inf")
    for name in args.datasets.split(","):
        rows = calibrate(ws, workspace, name, args.variant, args.minutes, args.every, args.seed)
        unlearned = [share for _, share, truth, _ in rows if truth != LEARNED]
        wrong = sum(truth != LEARNED and guess == LEARNED for _, _, truth, guess in rows)
        missed = sum(truth == LEARNED and guess != LEARNED for _, _, truth, guess in rows)
        low = min(unlearned, default=float("inf"))
        lowest = min(lowest, low)
        print(f"{name}: lowest share not learned {low:.2f}; called learned wrongly {wrong}, "
              f"missed {missed} of {len(rows)} ticks", flush=True)
    print(f"ratio: {lowest / LEARNED_SHARE:.2f}" if lowest < float("inf") else "ratio: n/a (every tick learned)")


if __name__ == "__main__":
    main()
