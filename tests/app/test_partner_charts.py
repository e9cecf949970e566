"""The Lab's partner charts: the heatmap leaves the diagonal (each view with itself, cosine 1)
blank, as it was drawn at the top of the colour scale beside a caption that called the
positive pairs the brightest cells of their row; the softmax bars show the 2N - 1 candidates,
not an empty slot for the view itself."""

from __future__ import annotations

import numpy as np

from app.partner_charts import partner_bars, similarity_heatmap
from tests.pages.test_train_page import array


def similarity(n: int = 3) -> np.ndarray:
    rng = np.random.default_rng(0)
    z = rng.standard_normal((2 * n, 8))
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    return (z @ z.T).astype(np.float32)


def test_the_heatmap_leaves_each_view_with_itself_blank():
    s = similarity()
    heat = similarity_heatmap.__wrapped__("k", s).to_dict()["data"][0]
    z = np.array(array(heat["z"]), dtype=float).reshape(6, 6)
    assert np.isnan(np.diag(z)).all() and not np.isnan(z[~np.eye(6, dtype=bool)]).any()
    assert heat["zmax"] == float(s[~np.eye(6, dtype=bool)].max())


def test_the_softmax_bars_are_the_other_views_only():
    bars = partner_bars.__wrapped__("k", 0, similarity(), 0.1).to_dict()["data"][0]
    assert list(bars["x"]) == ["a1", "a2", "b0", "b1", "b2"]
    assert np.isclose(sum(array(bars["y"])), 1.0)
    assert list(bars["marker"]["color"]).count("#5B5BD6") == 1 and bars["marker"]["color"][2] == "#5B5BD6"  # b0: a0's partner
