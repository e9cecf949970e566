"""FAISS indexes over an embedding, by cosine similarity: build, search, save, load; and
what the explorer derives from neighbours (the kNN graph UMAP is fed, k-means colours,
near-duplicate pairs).

Vectors are L2-normalised and compared by inner product, so a score is the cosine.
Up to EXACT_MAX vectors the index is exact (`IndexFlatIP`); above, an inverted file
(`IndexIVFFlat`, nlist = 2 sqrt(N) lists) whose nprobe is calibrated at build time on a
sample of the stored vectors until recall@10 against the exact answer reaches
CALIBRATED_RECALL. IVF rather than HNSW, measured here on clustered 128-d vectors
(bench/clustered.py, 200k): same recall and about the same latency per query
(IVF nprobe 16: recall 0.971, 0.13 ms; HNSW32 efSearch 16: 0.978, 0.09 ms) but a
shorter build (33 s against 54 s, and 24 s for 1M with a sampled training set), and
FAISS runs IVF on the GPU where HNSW has no GPU version. With a GPU (faiss-gpu and
`faiss.get_num_gpus() > 0`) the index is built on the CPU and searched on the GPUs.

On disk, beside the embedding (see embed.py)::

    <embedding folder>/index.faiss   the CPU index, as faiss.write_index writes it
    <embedding folder>/index.json    {"format", "kind", "n", "d", "sha256"} of that file

`faiss.read_index` trusts its input, so a file is read only when its bytes hash to the
sidecar's sha256 and the sidecar matches the embedding; anything else is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np

from .store import atomic_file, atomic_write_json

if TYPE_CHECKING:
    from .embed import Embedding  # imports torch: not needed to search

EXACT_MAX = 20_000  # up to this many vectors the index is exact (flat, ~4 ms a query here)
CALIBRATED_RECALL = 0.97  # nprobe is the smallest reaching this recall@10; promised: 0.95
CALIBRATION_QUERIES = 256  # stored vectors used as queries to calibrate nprobe
CALIBRATION_K = 10
TRAIN_PER_LIST = 64  # training vectors per IVF list (FAISS warns below 39)
TRAIN_ITERATIONS = 10  # k-means iterations of the IVF coarse quantizer
SEED = 0
FEW_QUERIES = 16  # fewer run on one thread: OpenMP's hand-off cost more than the work
# (one query over 20k vectors, flat, on this shared 2-core machine: 32 ms on 2 threads, 0.16 ms on 1)
RESULTS_PER_SEARCH = 1 << 20  # (query, hit) pairs per search call when every vector queries
INDEX_FILE = "index.faiss"
COSINE_SLACK = 1e-6  # float32 rounding of a cosine of 1 (two copies of one image: 0.99999994)
SIDECAR_FILE = "index.json"
FORMAT = 1  # bump when the build changes, so older saved indexes are rebuilt


def normalise(vectors: np.ndarray) -> np.ndarray:
    """float32 C-contiguous copy of (N, D) or (D,) `vectors` as (N, D), rows scaled to unit
    length (zero rows stay zero)."""
    out = np.array(vectors, dtype=np.float32, order="C", ndmin=2, copy=True)
    faiss.normalize_L2(out)
    return out


def kind_for(n: int) -> str:
    """'flat' (exact) up to EXACT_MAX vectors, else 'ivf'."""
    return "flat" if n <= EXACT_MAX else "ivf"


def build_index(features: np.ndarray) -> faiss.Index:
    """An index of the (N, D) `features` by cosine, exact up to EXACT_MAX rows, else IVF
    with recall@10 >= 0.95; on the GPUs when FAISS sees any."""
    return _to_device(_build_cpu(normalise(features)))


def _build_cpu(x: np.ndarray) -> faiss.Index:
    """CPU index of normalised (N, D) `x`; see the module docstring for the choice."""
    n, d = x.shape
    if kind_for(n) == "flat":
        index = faiss.IndexFlatIP(d)
        index.add(x)
        return index
    nlist = int(2 * math.sqrt(n))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = TRAIN_ITERATIONS
    index.cp.seed = SEED
    rng = np.random.default_rng(SEED)
    index.train(x[np.sort(rng.choice(n, min(n, TRAIN_PER_LIST * nlist), replace=False))])
    index.add(x)
    index.nprobe = _calibrated_nprobe(index, x)
    return index


def _calibrated_nprobe(index: faiss.IndexIVF, x: np.ndarray) -> int:
    """The smallest nprobe whose recall@CALIBRATION_K, for a sample of the stored vectors
    as queries (each one's own hit left out), reaches CALIBRATED_RECALL."""
    rng = np.random.default_rng(SEED)
    query_ids = np.sort(rng.choice(len(x), min(len(x), CALIBRATION_QUERIES), replace=False))
    queries, k = x[query_ids], CALIBRATION_K + 1
    exact = faiss.IndexFlatIP(x.shape[1])
    exact.add(x)

    def others(ids: np.ndarray) -> np.ndarray:
        return np.take_along_axis(ids, _others(ids, query_ids, CALIBRATION_K), axis=1)

    truth = others(exact.search(queries, k)[1])

    def recall(nprobe: int) -> float:
        index.nprobe = nprobe
        return recall_at(others(index.search(queries, k)[1]), truth)

    low, high = 0, 1  # recall(low) too low (0 probes find nothing), recall(high) unknown
    while high < index.nlist and recall(high) < CALIBRATED_RECALL:
        low, high = high, min(2 * high, index.nlist)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if recall(middle) >= CALIBRATED_RECALL else (middle, high)
    return high


def _others(ids: np.ndarray, query_ids: np.ndarray, keep: int) -> np.ndarray:
    """Positions (Q, keep) of the first `keep` entries of each row of (Q, k) `ids` that are
    not that row's query id, in order. Rows must hold at least `keep` such entries."""
    return np.argsort(ids == query_ids[:, None], axis=1, kind="stable")[:, :keep]


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    """Fraction of the true neighbours (Q, k) that `found` (Q, k') holds, row by row."""
    hits = (found[:, :, None] == truth[:, None, :]) & (truth[:, None, :] >= 0)
    return float(hits.any(axis=1).sum() / truth.size)


def _to_device(index: faiss.Index) -> faiss.Index:
    """`index` copied onto every GPU FAISS sees, or itself on a CPU-only machine."""
    return faiss.index_cpu_to_all_gpus(index) if faiss.get_num_gpus() > 0 else index


def search(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best stored vectors for each of the (Q, D) or (D,) `queries`:
    (cosine scores float32 (Q, k) best first, ids int64 (Q, k)); k is capped at the index
    size, and an approximate index marks missing hits with id -1 (score -1)."""
    return _search(index, normalise(queries), k)


def _search(index: faiss.Index, x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """`search` for queries already normalised; scores clipped to [-1, 1] (rounding)."""
    with _threads(1 if len(x) < FEW_QUERIES else faiss.omp_get_max_threads()):
        scores, ids = index.search(x, min(k, index.ntotal))
    return np.clip(scores, -1, 1).astype(np.float32, copy=False), ids.astype(np.int64, copy=False)


def stored_copy(same: Callable[[int], bool], scores: np.ndarray, ids: np.ndarray, near: float = 0.999) -> int | None:
    """The id among one query's hits (`scores`, `ids`: (k,) as `search` gives them) that
    `same` says holds the query itself (the same stored pixels, the same sentence); only hits
    scoring `near` or more are asked, since the same input gives the same features (cosine 1
    up to rounding). None where none does. Walk 21: a picture of the dataset given to `search
    --query` came back first at 1.000, so `-k 12` gave 11 others."""
    return next((int(i) for score, i in zip(scores, ids) if i >= 0 and score >= near and same(int(i))), None)


@contextmanager
def _threads(count: int) -> Iterator[None]:
    """FAISS's OpenMP threads for this Python thread set to `count` inside the block
    (OpenMP keeps the setting per calling thread)."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(count)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def load_or_build(embedding: Embedding) -> faiss.Index:
    """The saved index of `embedding`'s centred vectors when its file is intact and made from them;
    otherwise one built from the features and saved (atomically) for the next call. Loading
    reads only the features' shape: the vectors are centred only to build."""
    n, d = embedding.features.shape  # the memory-mapped file's header
    folder = Path(embedding.folder)
    expected = {"format": FORMAT, "kind": kind_for(n), "n": int(n), "d": int(d)}
    index = _load(folder, expected)
    if index is None:
        made = embedding.made
        index = _build_cpu(normalise(embedding.vectors))  # centred: see Embedding.vectors
        embedding.keep(made, lambda: _save(index, folder, expected))  # not if the features were replaced meanwhile
    return _to_device(index)


def _load(folder: Path, expected: dict) -> faiss.Index | None:
    """The saved CPU index if the sidecar says `expected` and the file's bytes hash to its
    sha256, else None. The bytes hashed are the bytes deserialised."""
    try:
        sidecar = json.loads((folder / SIDECAR_FILE).read_text())
        data = (folder / INDEX_FILE).read_bytes()
    except (OSError, ValueError):
        return None
    if sidecar != {**expected, "sha256": hashlib.sha256(data).hexdigest()}:
        return None
    return faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))


def _save(index: faiss.Index, folder: Path, description: dict) -> None:
    """Write the CPU `index`, then its sidecar (description + sha256), each atomically."""
    with atomic_file(folder / INDEX_FILE) as tmp:
        faiss.write_index(index, str(tmp))
        digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    atomic_write_json(folder / SIDECAR_FILE, {**description, "sha256": digest})


def knn_graph(features: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each point's k nearest neighbours by cosine, itself first, as umap-learn's
    `precomputed_knn` wants them with metric="cosine": (indices int64 (N, k),
    cosine distances 1 - cos float32 (N, k), ascending). Exact up to EXACT_MAX points,
    from the calibrated IVF index above (recall@10 >= 0.95)."""
    x = normalise(features)
    n = len(x)
    k = min(k, n)
    index = _build_cpu(x)
    indices = np.empty((n, k), np.int64)
    distances = np.empty((n, k), np.float32)
    for rows in _row_blocks(n, k):
        scores, ids = _search(index, x[rows], k)
        order = _others(ids, rows, k - 1)
        indices[rows, 0] = rows
        indices[rows, 1:] = np.take_along_axis(ids, order, axis=1)
        distances[rows, 0] = 0
        distances[rows, 1:] = 1 - np.take_along_axis(scores, order, axis=1)
    np.clip(distances, 0, 2, out=distances)
    return indices, distances


def _row_blocks(n: int, k: int) -> Iterator[np.ndarray]:
    """Consecutive row ids 0..n-1 in blocks whose k hits each fill one search call."""
    step = max(1, RESULTS_PER_SEARCH // k)
    for start in range(0, n, step):
        yield np.arange(start, min(start + step, n))


def kmeans_fit(features: np.ndarray, k: int, seed: int = 0) -> tuple[np.ndarray, float]:
    """(the cluster of each of the (N, D) `features`: int64 (N,) in [0, min(k, N)), from
    spherical k-means (k-means++ start, `seed`) on the normalised features by `faiss.Kmeans`;
    how tight its groups are: the summed cosine of every point to its centroid (higher:
    tighter), by which k-means from several starts keeps one (clusters.tightest))."""
    x = normalise(features)
    k = min(k, len(x))
    clustering = faiss.Kmeans(x.shape[1], k, niter=20, seed=seed, spherical=True,
                              init_method=faiss.ClusteringInitMethod_KMEANS_PLUS_PLUS,
                              gpu=faiss.get_num_gpus() > 0,
                              min_points_per_centroid=1)  # its warning only (walk 10: 480 points, 24 clusters)
    clustering.train(x)
    similarity, ids = clustering.index.search(x, 1)
    return ids[:, 0].astype(np.int64), float(similarity.sum())


def pair_correlations(images: np.ndarray, pairs: list[tuple[int, int, float]]) -> np.ndarray:
    """Pearson correlation of the pixels of each pair's two images (uint8 (N, S, S, 3), pairs
    (i, j, ...)), each channel centred on its own mean: float (P,), 1 for a copy, near 1 for a
    re-encoding or a recoloured copy, lower for a crop or another picture; 0 where an image is one
    flat colour (nothing to correlate) unless the two are the same pixels. Centred as a whole, two
    patches of one sky differed mostly by their channels' means and scored ~1 whatever they showed."""
    out = np.zeros(len(pairs), dtype=np.float32)
    for k, (i, j, *_) in enumerate(pairs):
        a, b = (np.asarray(images[row], dtype=np.float32) for row in (i, j))
        if np.array_equal(a, b):
            out[k] = 1.0
            continue
        a, b = ((x - x.mean(axis=(0, 1))).ravel() for x in (a, b))
        scale = float(np.linalg.norm(a) * np.linalg.norm(b))
        out[k] = float(a @ b) / scale if scale > 0 else 0.0
    return out


def near_duplicates(features: np.ndarray, threshold: float, limit: int) -> list[tuple[int, int, float]]:
    """The `limit` most similar pairs (i, j, cosine) with i < j and cosine >= `threshold` (less
    COSINE_SLACK: two copies of one image score 0.99999994 in float32 and read "1.0000"),
    highest first (ties by i, then j). Exact up to EXACT_MAX vectors (each vector's
    limit + 1 nearest hold every pair of the top `limit`), from the IVF index above."""
    x = normalise(features)
    n = len(x)
    if n < 2 or limit <= 0:
        return []
    index = _build_cpu(x)
    k = min(limit + 1, n)
    keys, scores = np.empty(0, np.int64), np.empty(0, np.float32)
    for rows in _row_blocks(n, k):
        found, ids = _search(index, x[rows], k)
        keep = (found >= threshold - COSINE_SLACK) & (ids >= 0) & (ids != rows[:, None])
        first = np.minimum(rows[:, None], ids)[keep]
        second = np.maximum(rows[:, None], ids)[keep]
        keys = np.concatenate([keys, first * n + second])
        scores = np.concatenate([scores, found[keep]])
        keys, scores = _best_pairs(keys, scores, limit)
    return [(int(key // n), int(key % n), float(score)) for key, score in zip(keys, scores)]


def kth_nearest_other(features: np.ndarray, k: int) -> np.ndarray:
    """(N,) float32: for each of the (N, D) `features`, the cosine to its k-th nearest other row (k at most N - 1;
    empty for fewer than 2 rows). Exact up to EXACT_MAX vectors; from the IVF index above, a nearer row may be
    missed, the cosine then read lower than it is."""
    x = normalise(features)
    n = len(x)
    k = min(k, n - 1)
    if k < 1:
        return np.zeros(0, np.float32)
    index = _build_cpu(x)
    out = np.empty(n, np.float32)
    for rows in _row_blocks(n, k + 1):
        found, ids = _search(index, x[rows], k + 1)
        itself = ids == rows[:, None]  # at most once a row; a copy may tie with it and come first
        itself[~itself.any(axis=1), -1] = True  # not found: the (k+1)-th hit is the one left out
        out[rows] = found[~itself].reshape(len(rows), k)[:, -1]
    return out


def _best_pairs(keys: np.ndarray, scores: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The `limit` best distinct pair keys (i * N + j) by score, highest first, ties by key;
    a key seen twice keeps its higher score."""
    order = np.lexsort((keys, -scores))
    keys, scores = keys[order], scores[order]
    _, first = np.unique(keys, return_index=True)
    first = np.sort(first)[:limit]
    return keys[first], scores[first]
