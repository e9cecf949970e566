"""Advice that works: the default run on colour_shapes, its first advice, the same budget again.

colour_shapes (data/builtins/colour_shapes.py) makes colour the shortcut: every image is
one random hue. The default run (the Train page's defaults, TrainConfig's: SimCLR, the
small CNN, SimCLR's default recipe and batch; the measurements below name theirs) trains on it; the Diagnosis (evaluate/diagnose.py) reads
its measurements and ranks its advice; the first advice's change is applied (what the
"Train again with this" button and `train --advice` do) and the run trains again for the
same budget. Both are judged by kNN accuracy (k=20, cosine, leave-one-out, every image)
on the embedding of their last checkpoint. The budget is CPU time, as in bench/tune.py:
the engine's clock is the process's one-thread CPU seconds over CPU_PER_QUIET_SECOND, so
a busy machine does not shorten either run.

    .venv/bin/python bench/advice.py [--minutes 5] [--workspace DIR] [--dataset NAME] [--recipe R]
        [--recipe-set FIELD=VALUE,...] [--same-budget]

`--dataset` and `--recipe` change the first run's data set and recipe (a built-in, and a
recipe of SimCLR's); `--recipe-set` changes its fields as the Lab's sliders do (a user who
turned colour changes off: gray_p=0,jitter_p=0); `--same-budget` follows the first advice
that keeps the budget; `--follow RULE` follows that rule's advice instead of the first.

Prints each run (its settings, steps, kNN and the untrained network's on the probe), the
advice on the default run, and last `gain: X.XX` (kNN after the advice minus before).

Measured 2026-11-30 with --minutes 2 (2 cores, load ~10): the default run (283 steps, kNN
0.537, untrained 0.196 on the probe) is not flagged for colour (the shortcut check names
the shapes' position; colour 'some'); its one advice is loss_still_falling (the last
quarter's mean loss 3.510 against 3.674, noise 0.039), whose change is twice the budget:
582 steps, kNN 0.826, gain 0.29. That gain is bought with twice the compute, not made
within the same budget: the issue's "same budget, +0.15" is not shown here.

Measured 2026-12-01 with --dataset clutter_shapes --recipe simclr --minutes 2 --same-budget
(load 8-11): the paper's recipe learns nothing (kNN 0.212, untrained 0.208); its advice is
colour (the check names colour, judged 0.66: "most"), flat from the start, and twice the
budget; following the colour advice (gray p 0.2 -> 0.9) at the same budget: 0.225, `gain:
0.01`. The check did not name the background there, so the background rule (crops on the
object, no blur) was not the one followed.

Measured 2026-12-01 with --dataset colour_shapes --recipe-set gray_p=0,jitter_p=0 --minutes 2
--same-budget (a user who turned the colour changes off in the Lab; load ~7): the run is
flagged, the check names colour (0.82, "most") and the kNN never left the untrained line
(0.189, untrained 0.196 on the probe); the first advice, flat from the start, gives the
multi-crop recipe (its colour changes back on): 0.615, `gain: 0.43`. Following the colour
advice instead (`--follow colour_shortcut`, gray p 0 -> 0.9): 0.191 -> 0.229, gain 0.04.
"""

from __future__ import annotations

import argparse
import sys
import types
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tune import cpu_clock  # noqa: E402  (bench/ is this script's folder)

from ssl_core import engine, jobs  # noqa: E402
from ssl_core.augment import make_recipe  # noqa: E402
from ssl_core.data.ingest import ingest_builtin  # noqa: E402
from ssl_core.embed import embed, from_run  # noqa: E402
from ssl_core.engine import TrainConfig  # noqa: E402
from ssl_core.evaluate import knn_accuracy  # noqa: E402
from ssl_core.evaluate.advice import apply  # noqa: E402
from ssl_core.evaluate.diagnose import diagnose, run_config  # noqa: E402
from ssl_core.methods import get_method  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402

DATASET = "colour_shapes"


def knn_of_run(ws: Workspace, dataset: str, run_id: str, codes: np.ndarray) -> float:
    """kNN accuracy (k=20, leave-one-out) of every image, on the run's last checkpoint."""
    features = np.array(embed(ws, dataset, from_run(ws, run_id)).features)
    return knn_accuracy(torch.from_numpy(features), torch.from_numpy(codes))


def train(ws: Workspace, config: TrainConfig) -> str:
    run_id = jobs.create_run(ws, config)
    result = jobs.execute(ws, run_id)
    if result.status != "completed":
        raise SystemExit(f"run {run_id} {result.status}: {result.message}")
    return run_id


def row(ws: Workspace, name: str, run_id: str, codes: np.ndarray) -> float:
    """Prints the run's line of the table; returns its kNN accuracy."""
    run, final = jobs.get_run(ws, run_id), jobs.latest(jobs.metrics(ws, run_id))
    knn = knn_of_run(ws, run["dataset"], run_id, codes)
    print(f"{name:9}{run['method']:9}{run_config(run).resolved_recipe().name:15}{run['step']:>7}{knn:>7.3f}"
          f"{final['knn_untrained']:>15.3f}", flush=True)
    return knn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="CPU budget of each run (quiet 2-core minutes)")
    parser.add_argument("--workspace", default="/tmp/ssl-advice-ws", help="built-ins are imported here once")
    parser.add_argument("--dataset", default=DATASET, help="a built-in data set")
    parser.add_argument("--recipe", default=None, help="the first run's recipe (default: SimCLR's own)")
    parser.add_argument("--recipe-set", default="", help="the first recipe's fields changed, as in the Lab: "
                        "gray_p=0,jitter_p=0")
    parser.add_argument("--same-budget", action="store_true", help="follow the first advice that keeps the budget")
    parser.add_argument("--follow", default=None, help="follow this rule's advice instead of the first")
    args = parser.parse_args()
    torch.set_num_threads(1)
    engine.time = types.SimpleNamespace(monotonic=cpu_clock)  # the budget is CPU time
    ws = Workspace(Path(args.workspace))
    if args.dataset not in {d.name for d in ws.datasets()}:
        ingest_builtin(ws, args.dataset)
    labels = ws.labels(ws.dataset(args.dataset))
    codes = np.array([sorted(set(labels)).index(label) for label in labels])

    try:
        items = [item.split("=") for item in args.recipe_set.split(",") if item]
        if any(len(item) != 2 for item in items):
            raise ValueError(f"write FIELD=VALUE pairs separated by commas, not {args.recipe_set!r}")
        changed = {key: float(value) for key, value in items}
        recipe = make_recipe(args.recipe or get_method("simclr").default_recipe, **changed).to_dict()
    except (ValueError, KeyError) as error:  # FIELD=VALUE malformed, a field or recipe the recipes do not have
        parser.error(f"--recipe / --recipe-set: {error}")
    default = train(ws, TrainConfig(dataset=args.dataset, minutes=args.minutes, recipe=recipe))
    advice = diagnose(ws, default)
    for number, found in enumerate(advice, start=1):
        print(f"advice {number} ({found.rule}): {found.evidence} {found.advice}", flush=True)
    if args.same_budget:
        advice = [found for found in advice if not {"minutes", "epochs"} & set(found.change)]
    if args.follow:
        advice = [found for found in advice if found.rule == args.follow]
    if not advice:
        raise SystemExit("no advice to follow on the first run")
    again = train(ws, apply(run_config(jobs.get_run(ws, default)), advice[0]))
    print(f"change of the advice followed: {advice[0].change}")
    print(f"{'run':9}{'method':9}{'recipe':15}{'steps':>7}{'kNN':>7}{'untr. (probe)':>15}")
    before = row(ws, "default", default, codes)
    after = row(ws, "advised", again, codes)
    print(f"advice followed: {advice[0].rule}")
    print(f"gain: {after - before:.2f}")


if __name__ == "__main__":
    main()
