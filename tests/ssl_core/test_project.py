"""Maps: PCA against numpy, UMAP fed by the FAISS graph keeps blobs apart, maps cached
beside the embedding and recomputed when it goes stale, numba's cache really on disk."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.neighbors import KNeighborsClassifier
from sklearn.model_selection import cross_val_score

from ssl_core import embed, index, project
from ssl_core.data.ingest import ingest_builtin
from ssl_core.store import Workspace

ROOT = Path(__file__).resolve().parents[2]


def map_knn_accuracy(coords: np.ndarray, labels: np.ndarray) -> float:
    """5-fold accuracy of a 5-nearest-neighbour classifier on the map's coordinates."""
    return float(cross_val_score(KNeighborsClassifier(5), coords, labels, cv=5).mean())


def counted(method, calls: list[int]):
    """`method` (same signature, so the same map names) noting the N of each call in `calls`."""
    @functools.wraps(method)
    def wrapper(features, *args, **kwargs):
        calls.append(len(features))
        return method(features, *args, **kwargs)
    return wrapper


def shapes_embedding(ws: Workspace) -> embed.Embedding:
    ingest_builtin(ws, "shapes")
    return embed.embed(ws, "shapes", embed.untrained())


@pytest.fixture(scope="module")
def shapes_ws(tmp_path_factory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("project") / "ws")


@pytest.fixture(scope="module")
def shapes(shapes_ws) -> embed.Embedding:
    """The untrained encoder's embedding of the built-in shapes (2000 x 128), made once."""
    return shapes_embedding(shapes_ws)


def test_pca_is_the_top_components_of_the_normalised_features():
    x, _ = make_blobs(300, 16, centers=4, random_state=0)
    coords = project.pca(x, 3)
    assert coords.shape == (300, 3) and coords.dtype == np.float32
    z = x / np.linalg.norm(x, axis=1, keepdims=True)
    z -= z.mean(0)
    top = np.linalg.eigvalsh(np.cov(z.T))[::-1][:3]
    np.testing.assert_allclose(coords.var(0, ddof=1), top, rtol=1e-4)
    np.testing.assert_allclose(np.cov(coords.T), np.diag(top), atol=1e-5)


def test_pca_of_too_few_points_pads_with_zeros():
    coords = project.pca(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), 3)
    assert coords.shape == (2, 3)
    assert coords[0, 0] == -coords[1, 0] != 0 and (coords[:, 1:] == 0).all()
    assert (project.pca(np.ones((1, 4)), 2) == 0).all()


@pytest.mark.slow  # the first UMAP fit of a process compiles for ~1 min without a warm cache
@pytest.mark.parametrize("dims", [2, 3])
def test_umap_map_keeps_blobs_apart_from_the_faiss_graph(monkeypatch, dims):
    import umap.umap_

    def refuse(*args, **kwargs):
        pytest.fail("umap-learn computed neighbours itself")

    monkeypatch.setattr(umap.umap_, "nearest_neighbors", refuse)
    monkeypatch.setattr(umap.umap_, "pairwise_distances", refuse)
    graphs = []
    monkeypatch.setattr(index, "knn_graph", lambda x, k, real=index.knn_graph: graphs.append(k) or real(x, k))
    x, labels = make_blobs(400, 32, centers=5, cluster_std=2.0, center_box=(-10, 10), random_state=1)
    coords = project.umap_map(x, dims)
    assert coords.shape == (400, dims) and coords.dtype == np.float32 and np.isfinite(coords).all()
    assert graphs == [15]
    assert map_knn_accuracy(coords, labels) >= 0.97


@pytest.mark.slow
def test_umap_map_of_a_handful_of_points():
    x = np.random.default_rng(0).standard_normal((6, 8))
    assert project.umap_map(x, 2).shape == (6, 2)
    np.testing.assert_allclose(project.umap_map(x[:3], 2), project.pca(x[:3], 2), atol=1e-6)


@pytest.mark.parametrize("method", ["umap", "pca"])
@pytest.mark.parametrize("value", [0.0, 1.0])  # centred (Embedding.vectors) and not
def test_a_map_of_identical_points_has_every_point_at_the_origin(method, value):
    coords = project.METHODS[method](np.full((40, 8), value, np.float32), 2)
    assert coords.shape == (40, 2) and coords.dtype == np.float32 and (coords == 0).all()


@pytest.mark.slow
def test_seeded_umap_repeats_itself():
    x, _ = make_blobs(200, 8, centers=3, random_state=2)
    np.testing.assert_array_equal(project.umap_map(x, 2, random_state=0), project.umap_map(x, 2, random_state=0))


def test_project_saves_the_map_and_reads_it_back(shapes, monkeypatch):
    first = project.project(shapes, "pca", dims=2)
    path = project.map_path(shapes, "pca", 2)
    assert path.parent == shapes.folder and path.exists()
    np.testing.assert_array_equal(np.load(path), first)
    calls = []
    monkeypatch.setitem(project.METHODS, "pca", counted(project.pca, calls))
    np.testing.assert_array_equal(project.project(shapes, "pca", dims=2), first)
    assert calls == []


def test_map_names_tell_maps_apart(shapes):
    name = project.map_path
    assert name(shapes, "umap", 2) == name(shapes, "umap", 2, n_neighbors=15, min_dist=0.1)
    names = {name(shapes, "umap", 2), name(shapes, "umap", 3), name(shapes, "umap", 2, n_neighbors=30),
             name(shapes, "umap", 2, min_dist=0.5), name(shapes, "pca", 2)}
    assert len(names) == 5
    with pytest.raises(KeyError, match="umap, pca"):
        project.project(shapes, "tsne")
    with pytest.raises(TypeError):
        project.project(shapes, "pca", perplexity=30)


@pytest.mark.parametrize("damage", ["truncated", "wrong shape"])
def test_a_damaged_map_file_is_recomputed(shapes, damage):
    path = project.map_path(shapes, "pca", 3)
    good = project.project(shapes, "pca", dims=3)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    else:
        np.save(path, good[:10])
    np.testing.assert_allclose(project.project(shapes, "pca", dims=3), good, atol=1e-5)
    assert np.load(path).shape == (2000, 3)


@pytest.mark.slow  # embeds the shapes twice
def test_a_stale_embedding_gets_a_fresh_map(workspace, monkeypatch):
    emb = shapes_embedding(workspace)
    calls = []
    monkeypatch.setitem(project.METHODS, "pca", counted(project.pca, calls))
    project.project(emb, "pca")
    project.project(emb, "pca")
    assert calls == [2000]
    meta = emb.folder / embed.META
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "fingerprint": {"stale": True}}))
    again = embed.embed(workspace, "shapes", embed.untrained())  # stale: folder emptied, recomputed
    assert again.folder == emb.folder and not project.map_path(again, "pca", 2).exists()
    project.project(again, "pca")
    assert calls == [2000, 2000]


@pytest.mark.slow  # embeds the shapes, then replaces them
@pytest.mark.parametrize("derived, meanwhile", [("map", "folder emptied"), ("index", "newer features")])
def test_what_is_derived_while_another_session_replaces_the_features_is_not_kept(workspace, monkeypatch, derived,
                                                                                 meanwhile):
    """One session computes a map or an index while another re-embeds (the checkpoint moved
    on): the first gets its result, nothing is written into the new folder, no error."""
    emb = shapes_embedding(workspace)

    def replace_then(compute):
        def wrapper(*args, **kwargs):
            if meanwhile == "folder emptied":
                shutil.rmtree(emb.folder)
            else:
                embed.store_features(workspace, emb.dataset, emb.source, np.array(emb.features)[::-1].copy())
            return compute(*args, **kwargs)
        return wrapper

    if derived == "map":
        kept = project.map_path(emb, "pca", 2)
        monkeypatch.setitem(project.METHODS, "pca", replace_then(project.pca))
        assert project.project(emb, "pca").shape == (2000, 2)
    else:
        kept = emb.folder / index.INDEX_FILE
        monkeypatch.setattr(index, "_build_cpu", replace_then(index._build_cpu))
        assert index.load_or_build(emb).ntotal == 2000
    assert not kept.exists()


@pytest.mark.slow
def test_umap_of_a_real_embedding_keeps_its_neighbourhoods(shapes_ws, shapes):
    labels = np.array(shapes_ws.labels(shapes.dataset))
    coords = project.project(shapes, "umap")
    assert coords.shape == (2000, 2) and project.map_path(shapes, "umap", 2).exists()
    assert map_knn_accuracy(coords, labels) >= map_knn_accuracy(index.normalise(shapes.vectors), labels) - 0.1


def test_configure_numba_cache_points_numba_there(tmp_path, monkeypatch):
    import numba

    monkeypatch.setattr(numba.config, "CACHE_DIR", numba.config.CACHE_DIR)
    monkeypatch.setenv("NUMBA_CACHE_DIR", "elsewhere")
    project.configure_numba_cache(tmp_path / "numba")
    assert os.environ["NUMBA_CACHE_DIR"] == numba.config.CACHE_DIR == str(tmp_path / "numba")
    assert (tmp_path / "numba").is_dir()


FRESH_FIT = """
import sys
from ssl_core import project
project.configure_numba_cache(sys.argv[1])
{work}
for function in project._hot_functions():
    print(function.__name__, sum(function.stats.cache_hits.values()), sum(function.stats.cache_misses.values()))
"""


def run_fresh(work: str, cache: Path) -> dict[str, tuple[int, int]]:
    """Run `work` in a new Python process with numba's cache in `cache`: for each of
    UNCACHED_HOT, (disk cache hits, misses)."""
    out = subprocess.run([sys.executable, "-c", FRESH_FIT.format(work=work), str(cache)], cwd=ROOT,
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return {name: (int(hits), int(misses)) for name, hits, misses in map(str.split, out.stdout.splitlines())}


@pytest.mark.slow  # compiles umap-learn from nothing (about a minute here)
def test_warm_up_fills_the_disk_cache_for_a_fresh_process(tmp_path):
    cache = tmp_path / "numba"
    first = run_fresh("project.warm_up()", cache)
    assert all(misses >= 1 for _, misses in first.values())  # compiled, and saved ...
    for function in project._hot_functions():
        assert list(cache.rglob(f"*.{function.py_func.__qualname__}-*.nbi")), function
    second = run_fresh("import numpy as np\n"
                       "from sklearn.datasets import make_blobs\n"
                       "project.umap_map(make_blobs(1500, 64, centers=8, random_state=0)[0], 3)", cache)
    assert second == {function.__name__: (1, 0) for function in project._hot_functions()}  # ... loaded, none compiled


def test_reading_a_saved_map_imports_no_scikit_learn():
    """The Explorer imports `project` to read a cached map; scikit-learn (1.5 s to import
    here) comes in only with PCA or UMAP."""
    code = "import sys; from ssl_core import project; print('sklearn' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr
