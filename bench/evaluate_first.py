"""The label-efficiency curves of a first evaluation on a dataset, fitted one after the other
(what evaluation did before, the baseline) against `fit_workers()` fits at once on threads
(ours): the network from scratch trains on one torch thread per fit, so one fit leaves the
other cores idle.

Data flow: a fresh workspace with the built-in shapes (2,000 labelled images) -> the untrained
small CNN's features -> its learners (linear probes on its features and on raw pixels, the
network from scratch: 13 fits each) -> label_efficiency with workers=1, then with fit_workers(), on
the same process and settings. Prints each one's seconds, whether the curves match, and last
`ratio: X.XX` (baseline over ours).

    .venv/bin/python bench/evaluate_first.py [--workspace DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssl_core.data.ingest import ingest_builtin  # noqa: E402
from ssl_core.embed import embed, untrained  # noqa: E402
from ssl_core.evaluate.image_hooks import ImageEvaluation  # noqa: E402
from ssl_core.evaluate.label_efficiency import (  # noqa: E402
    drawn_fractions, fit_workers, fits_per_learner, label_efficiency)
from ssl_core.evaluate.report import SUPERVISED, EvaluateConfig, labelled, learners  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", help="a new folder (default: a temporary one)")
    args = parser.parse_args()
    ws = Workspace(Path(args.workspace or tempfile.mkdtemp(prefix="ssl-evaluate-first-")))
    ingest_builtin(ws, "shapes")
    info, source, config, hooks = ws.dataset("shapes"), untrained(), EvaluateConfig(), ImageEvaluation()
    labels = labelled(ws.labels(info))
    features = np.array(embed(ws, "shapes", source).features)
    fits = learners(ws, "shapes", hooks.items(ws, info, source), features, source, labels, config, "cpu", hooks,
                    [hooks.baseline_name, SUPERVISED])
    timings, curves = {}, {}
    for workers in (1, fit_workers()):
        start = time.perf_counter()
        curves[workers] = label_efficiency(fits, labels.codes, config.fractions, config.draws, config.test_fraction,
                                           config.seed, workers=workers)["curves"]
        timings[workers] = time.perf_counter() - start
    ours, total = fit_workers(), len(fits) * fits_per_learner(
        drawn_fractions(labels.codes, config.fractions, config.test_fraction, config.seed), config.draws)
    print(f"{f'label-efficiency curves ({len(fits)} learners, {total} fits)':48}{'seconds':>8}")
    print(f"{'one fit at a time':48}{timings[1]:>8.1f}")
    print(f"{f'{ours} fits at once':48}{timings[ours]:>8.1f}")
    print(f"same curves: {curves[1] == curves[ours]}")
    print(f"ratio: {timings[1] / timings[ours]:.2f}")


if __name__ == "__main__":
    main()
