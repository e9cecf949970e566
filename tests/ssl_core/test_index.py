"""FAISS indexes: cosine scores against numpy, recall of the approximate index, the saved
index reused only when intact, the kNN graph, k-means and near-duplicate pairs."""

from __future__ import annotations

import json

import faiss
import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from ssl_core import embed, index
from ssl_core.data.ingest import ingest_builtin
from ssl_core.store import Workspace


def cosines(queries: np.ndarray, base: np.ndarray) -> np.ndarray:
    """(Q, N) cosine similarities, computed plainly in float64."""
    q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    b = base / np.linalg.norm(base, axis=1, keepdims=True)
    return q.astype(np.float64) @ b.T.astype(np.float64)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> embed.Embedding:
    """The untrained encoder's embedding of the built-in shapes (2000 x 128), made once."""
    ws = Workspace(tmp_path_factory.mktemp("index") / "ws")
    ingest_builtin(ws, "shapes")
    return embed.embed(ws, "shapes", embed.untrained())


@pytest.fixture
def approximate(monkeypatch) -> None:
    """Indexes of more than 1000 vectors are approximate (IVF)."""
    monkeypatch.setattr(index, "EXACT_MAX", 1000)


def overlapping_blobs(n: int, seed: int = 0) -> np.ndarray:
    """(n, 32) float32 points in 30 wide, overlapping blobs: clustered, not trivially."""
    x, _ = make_blobs(n, 32, centers=30, cluster_std=4.0, center_box=(-10, 10), random_state=seed)
    return x.astype(np.float32)


def test_search_returns_cosines_of_the_best_vectors():
    rng = np.random.default_rng(0)
    base = rng.standard_normal((300, 16)).astype(np.float32) * rng.uniform(0.1, 10, (300, 1)).astype(np.float32)
    queries = rng.standard_normal((7, 16)).astype(np.float32)
    scores, ids = index.search(index.build_index(base), queries, 5)
    assert scores.shape == ids.shape == (7, 5)
    assert scores.dtype == np.float32 and ids.dtype == np.int64
    truth = cosines(queries, base)
    np.testing.assert_array_equal(ids, np.argsort(-truth, axis=1)[:, :5])
    np.testing.assert_allclose(scores, np.take_along_axis(truth, ids, axis=1), atol=1e-5)


def test_one_query_and_k_beyond_the_index():
    base = np.random.default_rng(1).standard_normal((4, 8)).astype(np.float32)
    scores, ids = index.search(index.build_index(base), base[2], 10)
    assert ids.shape == (1, 4) and ids[0, 0] == 2
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-6)
    assert set(ids[0]) == {0, 1, 2, 3}


def test_a_few_queries_search_on_one_thread(monkeypatch):
    monkeypatch.setattr(faiss, "omp_get_max_threads", faiss.omp_get_max_threads)  # restored after
    faiss.omp_set_num_threads(2)
    seen = []

    class Spy:
        ntotal = 3

        def search(self, x, k):
            seen.append((len(x), faiss.omp_get_max_threads()))
            return np.zeros((len(x), k), np.float32), np.zeros((len(x), k), np.int64)

    index.search(Spy(), np.ones(4), 2)
    index.search(Spy(), np.ones((index.FEW_QUERIES, 4)), 2)
    assert seen == [(1, 1), (index.FEW_QUERIES, 2)]
    assert faiss.omp_get_max_threads() == 2


def test_approximate_index_keeps_recall_at_10(approximate):
    x = overlapping_blobs(8200)
    base, queries = x[:8000], x[8000:]
    built = index.build_index(base)
    assert isinstance(built, faiss.IndexIVFFlat)
    assert 1 <= built.nprobe < built.nlist  # really approximate, not a full scan
    _, ids = index.search(built, queries, 10)
    truth = np.argsort(-cosines(queries, base), axis=1)[:, :10]
    assert index.recall_at(ids, truth) >= 0.95


def test_index_goes_to_the_gpus_when_faiss_sees_them(monkeypatch, shapes):
    moved = []
    monkeypatch.setattr(faiss, "get_num_gpus", lambda: 1)
    monkeypatch.setattr(faiss, "index_cpu_to_all_gpus", lambda cpu: moved.append(cpu) or cpu)
    index.build_index(np.eye(3, dtype=np.float32))
    index.load_or_build(shapes)
    assert len(moved) == 2 and moved[1].ntotal == len(shapes.features)


def test_saved_index_is_reused(shapes, monkeypatch):
    first = index.load_or_build(shapes)
    sidecar = json.loads((shapes.folder / index.SIDECAR_FILE).read_text())
    assert sidecar["kind"] == "flat" and sidecar["n"] == 2000 and sidecar["d"] == 128
    monkeypatch.setattr(index, "_build_cpu", lambda x: pytest.fail("rebuilt an intact index"))
    again = index.load_or_build(shapes)
    queries = shapes.vectors[:5]
    np.testing.assert_array_equal(index.search(first, queries, 3)[1], index.search(again, queries, 3)[1])


def test_a_saved_index_loads_without_centring_the_vectors(shapes):
    index.load_or_build(shapes)
    fresh = embed.Embedding(shapes.dataset, shapes.source, shapes.folder)
    assert index.load_or_build(fresh).ntotal == 2000
    assert "vectors" not in vars(fresh), "a (N, D) centred copy was made just to load the index"


def test_saved_approximate_index_keeps_its_nprobe(approximate, tmp_path):
    features = overlapping_blobs(8000)
    folder = tmp_path / "emb"
    folder.mkdir()
    np.save(folder / embed.FEATURES, features)
    emb = embed.Embedding(dataset=None, source=embed.untrained(), folder=folder)
    built = index.load_or_build(emb)
    loaded = index.load_or_build(emb)
    assert isinstance(loaded, faiss.IndexIVFFlat) and loaded.nprobe == built.nprobe
    assert json.loads((folder / index.SIDECAR_FILE).read_text())["kind"] == "ivf"


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_bytes(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    path.write_bytes(bytes(data))


def _smaller_index() -> faiss.Index:
    return index.build_index(np.random.default_rng(0).standard_normal((10, 128)).astype(np.float32))


def _another_index_file(path):
    """A valid index of 10 vectors in place of the file; the sidecar left as it was."""
    faiss.write_index(_smaller_index(), str(path))


def _another_embeddings_files(path):
    """A valid index of 10 vectors and its own, consistent sidecar."""
    index._save(_smaller_index(), path.parent, {"format": index.FORMAT, "kind": "flat", "n": 10, "d": 128})


DAMAGE = {
    "missing file": lambda path: path.unlink(),
    "missing sidecar": lambda path: (path.parent / index.SIDECAR_FILE).unlink(),
    "sidecar not JSON": lambda path: (path.parent / index.SIDECAR_FILE).write_text("{nope"),
    "truncated": _truncate,
    "corrupt bytes": _flip_bytes,
    "wrong size file": _another_index_file,
    "wrong size file and sidecar": _another_embeddings_files,
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_index_is_rebuilt_without_reading_it(shapes, monkeypatch, damage):
    path = shapes.folder / index.INDEX_FILE
    index.load_or_build(shapes)
    DAMAGE[damage](path)
    monkeypatch.setattr(faiss, "deserialize_index", lambda data: pytest.fail("read a file we did not write"))
    rebuilt = index.load_or_build(shapes)
    assert rebuilt.ntotal == 2000
    monkeypatch.undo()
    _, ids = index.search(rebuilt, shapes.vectors[:20], 1)
    assert (ids[:, 0] == np.arange(20)).mean() > 0.9  # each image finds itself (or a twin)
    reloaded = index._load(shapes.folder, {"format": index.FORMAT, "kind": "flat", "n": 2000, "d": 128})
    assert reloaded is not None and reloaded.ntotal == 2000  # saved again, intact


def test_knn_graph_matches_numpy_with_self_first():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((200, 12)).astype(np.float32)
    x[150:160] = x[140]  # exact twins: ties with self
    indices, distances = index.knn_graph(x, 15)
    assert indices.shape == distances.shape == (200, 15)
    assert indices.dtype == np.int64 and distances.dtype == np.float32
    np.testing.assert_array_equal(indices[:, 0], np.arange(200))
    np.testing.assert_allclose(distances[:, 0], 0, atol=1e-6)
    truth = 1 - cosines(x, x)
    np.testing.assert_allclose(distances, np.take_along_axis(truth, indices, axis=1), atol=1e-5)
    np.testing.assert_allclose(distances[:, 1:], np.sort(truth, axis=1)[:, 1:15], atol=1e-5)
    assert (np.diff(distances, axis=1) >= 0).all()


def test_approximate_knn_graph_keeps_self_first_and_recall(approximate):
    x = overlapping_blobs(8000)
    indices, _ = index.knn_graph(x, 11)
    np.testing.assert_array_equal(indices[:, 0], np.arange(8000))
    sample = np.arange(0, 8000, 40)
    truth = np.argsort(-cosines(x[sample], x), axis=1)[:, 1:11]
    assert index.recall_at(indices[sample, 1:], truth) >= 0.95


def test_kmeans_recovers_separated_blobs():
    x, truth = make_blobs(600, 32, centers=6, cluster_std=0.5, center_box=(-10, 10), random_state=3)
    labels = index.kmeans_fit(x, 6)[0]
    assert labels.shape == (600,) and labels.dtype == np.int64
    assert adjusted_rand_score(truth, labels) == pytest.approx(1.0)
    np.testing.assert_array_equal(labels, index.kmeans_fit(x, 6)[0])
    assert len(set(index.kmeans_fit(x[:4], 6)[0])) <= 4  # more clusters than points: capped


def test_kmeans_of_few_points_per_cluster_prints_no_warning(capfd):
    """Walk 10: faiss wrote "WARNING clustering 480 points to 24 centroids" into the server log."""
    x, _ = make_blobs(480, 16, centers=24, random_state=0)
    assert len(set(index.kmeans_fit(x, 24)[0])) > 12
    assert "WARNING" not in capfd.readouterr().err


def planted(n: int, seed: int = 0) -> tuple[np.ndarray, set[tuple[int, int]]]:
    """(n, 32) overlapping blobs with six near-copies appended, and the planted pairs."""
    x = overlapping_blobs(n, seed)
    sources = np.random.default_rng(seed).choice(n, 6, replace=False)
    copies = x[sources] * 1.5 + np.random.default_rng(seed).normal(0, 1e-3, (6, 32)).astype(np.float32)
    return np.concatenate([x, copies]), {(int(s), n + i) for i, s in enumerate(sources)}


def test_near_duplicates_are_the_exact_top_pairs():
    x, pairs = planted(500)
    found = index.near_duplicates(x, 0.999, limit=10)
    assert {(i, j) for i, j, _ in found} == pairs
    assert [s for *_, s in found] == sorted((s for *_, s in found), reverse=True)
    similarity = cosines(x, x)
    for i, j, score in found:
        assert i < j and score == pytest.approx(similarity[i, j], abs=1e-5)
    top = index.near_duplicates(x, 0.5, limit=25)
    upper = np.triu(similarity, 1)
    best = np.sort(upper[upper >= 0.5])[::-1][:25]
    np.testing.assert_allclose([s for *_, s in top], best, atol=1e-5)
    assert index.near_duplicates(x, 1.01, limit=10) == []


def test_copies_of_one_image_reach_a_threshold_of_one():
    """Walk 20: five byte-identical copies showed 'cosine 1.0000', yet at 1.000 only 3 pairs were said to reach it
    (float32 cosines of 0.99999994)."""
    x = np.random.default_rng(0).normal(size=(40, 128)).astype(np.float32)
    x = np.concatenate([x, x[:5]])  # five exact copies
    found = index.near_duplicates(x, 1.0, limit=30)
    assert {(i, j) for i, j, _ in found} == {(i, 40 + i) for i in range(5)}


def test_the_kth_nearest_other_leaves_each_row_itself_out_even_beside_a_copy():
    x, pairs = planted(300)
    similarity = cosines(x, x)
    np.fill_diagonal(similarity, -2)
    ranked = -np.sort(-similarity, axis=1)
    for k in (1, 3):
        np.testing.assert_allclose(index.kth_nearest_other(x, k), ranked[:, k - 1], atol=1e-5)
    copied = np.concatenate([x[:20], x[:20]])  # each row's copy ties with it: the first other is at 1.0
    np.testing.assert_allclose(index.kth_nearest_other(copied, 1), 1.0, atol=1e-5)
    assert index.kth_nearest_other(x[:3], 10).shape == (3,) and index.kth_nearest_other(x[:1], 10).size == 0


def test_the_kth_nearest_other_through_the_approximate_index(approximate):
    x, _ = planted(3000, seed=2)
    exact = -np.sort(-np.where(np.eye(len(x), dtype=bool), -2, cosines(x, x)), axis=1)[:, 4]
    found = index.kth_nearest_other(x, 5)
    assert (found <= exact + 1e-5).all() and np.mean(np.abs(found - exact) < 1e-5) > 0.9  # a miss reads lower


def test_near_duplicates_through_the_approximate_index(approximate):
    x, pairs = planted(8000, seed=1)
    found = index.near_duplicates(x, 0.999, limit=50)
    assert {(i, j) for i, j, _ in found} == pairs


def test_a_real_embedding_finds_itself(shapes):
    """The saved index holds the embedding's centred vectors (Embedding.vectors)."""
    scores, ids = index.search(index.load_or_build(shapes), shapes.vectors[:100], 5)
    hit = ids[:, 0] == np.arange(100)
    assert (hit | (scores[:, 0] > 0.9999)).all()
    assert (np.diff(scores, axis=1) <= 1e-6).all()


def test_pair_correlations_tell_a_copy_from_another_picture():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (3, 8, 8, 3), dtype=np.uint8)
    images[1] = images[0]  # a copy
    flat = np.full((1, 8, 8, 3), 90, dtype=np.uint8)  # one flat colour: nothing to correlate
    found = index.pair_correlations(np.concatenate([images, flat, flat]),
                                    [(0, 1, 0.99), (0, 2, 0.97), (0, 3, 0.9), (3, 4, 0.99)])
    assert found[0] == pytest.approx(1.0) and abs(found[1]) < 0.2 and found[2] == 0.0
    assert found[3] == 1.0  # two copies of one flat colour are still copies


def test_two_patches_of_one_coloured_sky_are_not_called_copies():
    """Crops at two places of a blue sky differ in their detail, not in their colour: centred as
    a whole, the gap between the red, green and blue means made them correlate at 0.99."""
    rng = np.random.default_rng(1)
    sky = np.array([60, 120, 220], dtype=np.float32)
    patches = np.clip(sky + rng.normal(0, 12, (2, 16, 16, 3)), 0, 255).astype(np.uint8)
    recoloured = np.clip(patches[:1].astype(np.float32) * 0.8 + 20, 0, 255).astype(np.uint8)
    found = index.pair_correlations(np.concatenate([patches, recoloured]), [(0, 1, 0.99), (0, 2, 0.99)])
    assert abs(found[0]) < 0.2  # was 0.99
    assert found[1] > 0.95  # a recoloured copy still looks alike
