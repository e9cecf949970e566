"""UMAP maps: ssl_core's path against plain umap-learn, each in a fresh process.

Data: N clustered 128-d vectors shaped like real embeddings (bench/clustered.py),
L2-normalised, so plain umap-learn's default (euclidean) neighbours are the cosine
neighbours ours use and both maps answer the same question.

- plain: `umap.UMAP().fit_transform(x)`, umap-learn's defaults (pynndescent neighbours,
  spectral start), numba caching whatever umap-learn and pynndescent cache themselves.
- ours: `project.umap_map(x)`: FAISS kNN graph through `precomputed_knn`, PCA start,
  numba cache pointed at a folder by `configure_numba_cache` and filled by `warm_up`.
- ours, spectral start: the same with umap-learn's spectral start, to show what the
  graph and the cache give alone.

Cold: an empty numba cache folder (a new install). Warm: the same folder again (plain:
after its cold run; ours: after `warm_up` ran once in another process). Times are wall
seconds from the process start (import included) and the process's CPU seconds: on a
shared machine the CPU seconds are the steadier of the two. Trustworthiness
(sklearn, 10 neighbours) is computed on a fixed random subsample.

    .venv/bin/python bench/explore_map.py [--n 20000] [--sample 4000]

The last line is `ratio: X.XX`: plain umap-learn's warm first map over ours (seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clustered import clustered  # noqa: E402

START = time.monotonic()


def child(side: str, data: Path, out: Path, cache: Path) -> None:
    """One map in this (fresh) process; prints a JSON line of its times."""
    from ssl_core import project

    project.configure_numba_cache(cache)
    if side == "warm_up":
        project.warm_up()
        print(json.dumps({"total_s": time.monotonic() - START, "cpu_s": time.process_time()}))
        return
    x = np.load(data)
    if side == "plain":
        import umap

        imported = time.monotonic()
        coords = umap.UMAP().fit_transform(x)
    else:
        project._umap()  # the import, timed apart
        imported = time.monotonic()
        coords = project.umap_map(x, 2, init="spectral" if side == "spectral" else "pca")
    done = time.monotonic()
    np.save(out, coords)
    print(json.dumps({"import_s": imported - START, "map_s": done - imported, "total_s": done - START,
                      "cpu_s": time.process_time()}))


def fresh(side: str, data: Path, out: Path, cache: Path) -> dict:
    """Run `child` for `side` in a new Python process; its JSON line as a dict."""
    result = subprocess.run([sys.executable, __file__, "--child", side, "--data", str(data), "--out", str(out),
                             "--cache", str(cache)], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if result.returncode:
        raise RuntimeError(f"{side} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="vectors to map")
    parser.add_argument("--sample", type=int, default=4000, help="points scoring trustworthiness")
    parser.add_argument("--child", choices=["plain", "ours", "spectral", "warm_up"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.out, args.cache)
        return

    from sklearn.manifold import trustworthiness

    from ssl_core.index import normalise

    vectors, _ = clustered(args.n)
    x = normalise(vectors)
    sample = np.random.default_rng(0).choice(len(x), min(args.sample, len(x)), replace=False)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "x.npy"
        np.save(data, x)
        runs = [("plain", "plain", "cold"), ("plain", "plain", "warm"), ("ours", "ours", "cold"),
                ("ours", "ours-warmed", "warm"), ("spectral", "ours-warmed", "warm")]
        warm_up = fresh("warm_up", data, Path(tmp) / "unused.npy", Path(tmp) / "ours-warmed")
        for side, cache, state in runs:
            out = Path(tmp) / f"{side}-{state}.npy"
            times = fresh(side, data, out, Path(tmp) / cache)
            score = trustworthiness(x[sample], np.load(out)[sample], n_neighbors=10)
            rows.append((side, state, times, score))
    names = {"plain": "plain umap-learn", "ours": "ours", "spectral": "ours, spectral start"}
    print(f"UMAP of {args.n:,} x 128 clustered vectors, each map in a fresh process "
          f"({os.cpu_count()} cores, shared)")
    print(f"{'':24}{'cache':>6}{'import s':>10}{'map s':>8}{'total s':>9}{'CPU s':>8}{'trust.':>8}")
    for side, state, t, score in rows:
        print(f"{names[side]:24}{state:>6}{t['import_s']:>10.1f}{t['map_s']:>8.1f}{t['total_s']:>9.1f}"
              f"{t['cpu_s']:>8.1f}{score:>8.4f}")
    print(f"warm_up, once, cold cache: {warm_up['total_s']:.1f} s wall, {warm_up['cpu_s']:.1f} s CPU")
    plain = {state: t for side, state, t, _ in rows if side == "plain"}
    ours = {state: t for side, state, t, _ in rows if side == "ours"}
    print(f"cold: plain/ours {plain['cold']['total_s'] / ours['cold']['total_s']:.2f} wall, "
          f"{plain['cold']['cpu_s'] / ours['cold']['cpu_s']:.2f} CPU; "
          f"warm: {plain['warm']['cpu_s'] / ours['warm']['cpu_s']:.2f} CPU")
    print(f"ratio: {plain['warm']['total_s'] / ours['warm']['total_s']:.2f}")


if __name__ == "__main__":
    main()
