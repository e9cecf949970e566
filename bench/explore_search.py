"""Nearest-neighbour search: ssl_core's index against scikit-learn brute force, by cosine.

Data: clustered 128-d vectors shaped like real embeddings (bench/clustered.py); the
queries are held-out vectors of the same distribution. One query at a time, as the
retrieval page asks: queries/s and the 50th/95th percentile latency of `index.search`
(normalisation included) after `index.build_index`, against
`NearestNeighbors(metric="cosine", algorithm="brute")`, timed on a subset of the queries.
FAISS's exact flat index is shown beside them. Recall@10 is measured against the exact
top 10 (FAISS flat, all queries).

    .venv/bin/python bench/explore_search.py [--sizes 100000 1000000] [--queries 1000] [--brute 50]

The last line is `ratio: X.XX`: our queries/s over scikit-learn's at the largest size.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np
from sklearn.neighbors import NearestNeighbors

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clustered import clustered  # noqa: E402
from ssl_core import index  # noqa: E402

K = 10


def one_by_one(search: Callable[[np.ndarray], np.ndarray], queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ids (Q, K), seconds (Q,)) of `search` called with each query alone."""
    ids, seconds = [], []
    for query in queries:
        start = time.perf_counter()
        ids.append(search(query[None]))
        seconds.append(time.perf_counter() - start)
    return np.concatenate(ids), np.array(seconds)


def row(name: str, seconds: np.ndarray, recall: float, build_s: float) -> tuple:
    return (name, len(seconds) / seconds.sum(), 1e3 * np.percentile(seconds, 50),
            1e3 * np.percentile(seconds, 95), recall, build_s)


def measure(base: np.ndarray, queries: np.ndarray, brute_queries: int) -> list[tuple]:
    """Rows (name, queries/s, p50 ms, p95 ms, recall@10, build s) for one database size."""
    unit = index.normalise(base)
    exact = faiss.IndexFlatIP(unit.shape[1])
    exact.add(unit)
    truth = exact.search(index.normalise(queries), K)[1]

    start = time.perf_counter()
    ours = index.build_index(base)
    build_s = time.perf_counter() - start
    found, seconds = one_by_one(lambda q: index.search(ours, q, K)[1], queries)
    kind = f"IVF {ours.nprobe}/{ours.nlist}" if isinstance(ours, faiss.IndexIVF) else "flat"
    rows = [row(f"ssl_core ({kind})", seconds, index.recall_at(found, truth), build_s)]

    subset = queries[:brute_queries]
    found, seconds = one_by_one(lambda q: index.search(exact, q, K)[1], subset)
    rows.append(row("FAISS flat, exact", seconds, index.recall_at(found, truth[:brute_queries]), 0.0))

    start = time.perf_counter()
    brute = NearestNeighbors(n_neighbors=K, metric="cosine", algorithm="brute").fit(base)
    build_s = time.perf_counter() - start
    found, seconds = one_by_one(lambda q: brute.kneighbors(q, return_distance=False), subset)
    rows.append(row("sklearn brute, cosine", seconds, index.recall_at(found, truth[:brute_queries]), build_s))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000, help="queries timed on our index")
    parser.add_argument("--brute", type=int, default=50, help="of those, timed on the exact searches")
    args = parser.parse_args()
    vectors, _ = clustered(max(args.sizes) + args.queries, seed=1)
    queries = vectors[-args.queries :]
    print(f"single-query cosine search, k={K}, 128-d clustered vectors, {faiss.omp_get_max_threads()} threads")
    print(f"{'size':>10}  {'method':26}{'queries/s':>11}{'p50 ms':>9}{'p95 ms':>9}{'recall':>8}{'build s':>9}")
    for size in args.sizes:
        rows = measure(vectors[:size], queries, args.brute)
        for name, qps, p50, p95, recall, build_s in rows:
            print(f"{size:>10,}  {name:26}{qps:>11.1f}{p50:>9.2f}{p95:>9.2f}{recall:>8.3f}{build_s:>9.1f}")
        ratio = rows[0][1] / rows[-1][1]
        print(f"{'':12}ours / sklearn: {ratio:.1f}x queries/s; p95 {rows[0][3]:.2f} ms")
    print(f"ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
