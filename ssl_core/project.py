"""2-D and 3-D maps of an embedding: PCA (instant) and UMAP (McInnes et al. 2018) fed by
FAISS's kNN graph, each cached beside the embedding.

UMAP gets its neighbours from `index.knn_graph` (cosine distances, metric="cosine"), so
pynndescent never runs. Two more choices make the first map quick, both measured here
on 20k x 128 clustered vectors (bench/clustered.py), trustworthiness@10 on 4000 points:

- init="pca": umap-learn's default spectral start spent 34 s in ARPACK (`eigsh`,
  which="SM") of a 48 s fit; PCA of the same vectors takes milliseconds, and the maps
  score the same (PCA start 0.9888, spectral 0.9893, plain umap-learn 0.9888), as
  Kobak & Linderman (2021) found for global structure. `init="spectral"` stays available.
- numba's disk cache: umap-learn compiles its three hot functions without `cache=True`,
  about a minute of JIT in every new process. `configure_numba_cache` points numba at a
  folder, and the first UMAP call of a process turns caching on for exactly those three
  (UNCACHED_HOT), so once `warm_up` has run anywhere a new process loads them from disk.

No `random_state` by default: umap-learn then runs its layout on one thread. Maps are
therefore not bit-for-bit repeatable, but each one is computed once and cached, so the
app shows the same map until the embedding changes; pass `random_state` for an exactly
repeatable (and slower, single-threaded) map.

On disk::

    <embedding folder>/map-<method>-<dims>d-<key>.npy   float32 (N, dims)

where <key> hashes the method, dims, every parameter (defaults filled in) and (N, D).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from . import index
from .numba_cache import configure_numba_cache  # noqa: F401 (callers set the cache up through project)
from .store import atomic_file

if TYPE_CHECKING:
    from .embed import Embedding  # imports torch: not needed to draw a map

# umap-learn's jitted functions that a fit with precomputed_knn compiles and that
# umap-learn does not cache itself (checked on umap-learn 0.5.12 by listing the numba
# dispatchers with compiled signatures after a fit). Only the parallel layout is
# listed: its serial twin (used when random_state is set) wraps the same Python
# function, and numba would file both under one cache entry.
UNCACHED_HOT = (
    "umap.umap_.smooth_knn_dist",
    "umap.umap_.compute_membership_strengths",
    "umap.layouts._nb_optimize_layout_euclidean_single_epoch_parallel",
)
WARM_UP_POINTS = 300
FORMAT = 1  # part of every map's key: bump when a method's output changes


def _hot_functions() -> list:
    """The numba dispatchers named in UNCACHED_HOT (imports umap-learn)."""
    return [getattr(importlib.import_module(module), name)
            for module, name in (path.rsplit(".", 1) for path in UNCACHED_HOT)]


@functools.cache
def _umap() -> ModuleType:
    """umap-learn, imported on first use, with UNCACHED_HOT cached on disk from now on."""
    umap = importlib.import_module("umap")
    for function in _hot_functions():
        function.enable_caching()
    return umap


def pca(features: np.ndarray, dims: int = 2) -> np.ndarray:
    """(N, D) features -> float32 (N, dims): the first principal components of the
    L2-normalised features (zeros where N or D leave fewer components, and everywhere when
    every point is the same: no spread, no axis)."""
    x = index.normalise(features)
    coords = np.zeros((len(x), dims), np.float32)
    components = min(dims, len(x) - 1, x.shape[1]) if _spread(x) else 0  # centred N points span N - 1 axes
    if components > 0:
        from sklearn.decomposition import PCA  # imported here: 1.5 s that reading a saved map need not pay

        coords[:, :components] = PCA(components, svd_solver="full").fit_transform(x)
    return coords


def _spread(x: np.ndarray) -> bool:
    """Whether the (N, D) points are not all the same (UMAP's layout of identical points
    divides by zero and places every one at NaN)."""
    return bool(len(x)) and bool((x != x[0]).any())


def umap_map(features: np.ndarray, dims: int = 2, n_neighbors: int = 15, min_dist: float = 0.1,
             init: str = "pca", random_state: int | None = None) -> np.ndarray:
    """(N, D) features -> float32 (N, dims) UMAP coordinates by cosine, the neighbours
    from `index.knn_graph`. `init` is umap-learn's ("pca", "spectral", "random");
    `random_state` makes the map repeatable at the price of one thread."""
    x = index.normalise(features)
    if len(x) <= dims + 1 or x.shape[1] < dims or not _spread(x):
        # too few points, fewer dimensions than the map (UMAP's PCA start cannot make `dims`
        # axes of them), or one point many times: PCA says all there is
        return pca(x, dims)
    k = min(n_neighbors, len(x) - 1)  # the graph exactly as wide as UMAP reads it: no copy, no recompile
    reducer = _umap().UMAP(n_components=dims, n_neighbors=k, min_dist=min_dist, metric="cosine", init=init,
                           precomputed_knn=index.knn_graph(x, k),
                           force_approximation_algorithm=True,  # else below 4096 points it ignores the graph
                           random_state=random_state, n_jobs=1 if random_state is not None else -1)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")  # no transform(): not needed
        return reducer.fit_transform(x).astype(np.float32)


METHODS: dict[str, Callable[..., np.ndarray]] = {"umap": umap_map, "pca": pca}


def placed(coords: np.ndarray) -> np.ndarray:
    """(N,) bool for an (N, dims) map: the points that got a place (UMAP leaves a point cut
    off from all its neighbours at NaN; PCA places every point)."""
    return np.isfinite(coords).all(axis=1)


def map_path(embedding: Embedding, method: str, dims: int, **params) -> Path:
    """Where `project` keeps this map: named by a hash of the method, dims, all the
    method's parameters (defaults filled in, so equal maps share a file) and (N, D)."""
    if method not in METHODS:
        raise KeyError(f"no map method {method!r}; choose one of: {', '.join(METHODS)}")
    bound = inspect.signature(METHODS[method]).bind(None, dims, **params)
    bound.apply_defaults()
    described = {**bound.arguments, "features": list(embedding.features.shape), "method": method,
                 "format": FORMAT}
    key = hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:16]
    return Path(embedding.folder) / f"map-{method}-{dims}d-{key}.npy"


def project(embedding: Embedding, method: str = "umap", dims: int = 2, **params) -> np.ndarray:
    """The embedding's map, float32 (N, dims): read from its folder when made before with
    the same method, dims and parameters, else computed by METHODS[method] and saved."""
    path = map_path(embedding, method, dims, **params)
    n = embedding.features.shape[0]
    try:
        coords = np.load(path)
        if coords.shape == (n, dims) and coords.dtype == np.float32:
            return coords
    except (OSError, ValueError):
        pass
    made = embedding.made
    coords = METHODS[method](embedding.vectors, dims, **params)  # centred: see Embedding.vectors
    embedding.keep(made, lambda: _save(path, coords))  # not if the features were replaced meanwhile
    return coords


def _save(path: Path, coords: np.ndarray) -> None:
    with atomic_file(path) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, coords)


def warm_up() -> None:
    """Fit a small UMAP through `umap_map` (precomputed kNN included), so that every numba
    function a real fit uses is compiled and, after `configure_numba_cache`, on disk."""
    features = np.random.default_rng(0).standard_normal((WARM_UP_POINTS, 16)).astype(np.float32)
    umap_map(features, dims=2)
