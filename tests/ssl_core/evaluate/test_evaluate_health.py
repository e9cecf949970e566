"""Label-free metrics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.special import gammaln, ive

from ssl_core.augment import Recipe, Views, make_recipe
from ssl_core.evaluate.health import (ONE_DIRECTION_COSINE, alignment, effective_rank, neighbour_stability,
                                      normalised_std, one_direction, uniformity)
from ssl_core.evaluate.neighbours import neighbours_of
from ssl_core.evaluate.views import augmented_alignment, view_features
from ssl_core.models import build_encoder


def expected_uniformity(dims: int, t: float = 2.0) -> float:
    """log E exp(-t ||x - y||^2) for x, y uniform on the sphere S^(dims-1): with u = x.y,
    ||x - y||^2 = 2 - 2u and E exp(s u) = Gamma(d/2) (2/s)^(d/2-1) I_(d/2-1)(s), s = 2t."""
    s, order = 2 * t, dims / 2 - 1
    log_moment = gammaln(dims / 2) + order * math.log(2 / s) + math.log(ive(order, s)) + s
    return -2 * t + log_moment


def test_collapsed_embedding_has_rank_one_and_no_spread():
    collapsed = np.tile(np.array([[1.0, 2.0, 3.0, 0.5]], dtype=np.float32), (64, 1))
    assert effective_rank(collapsed) == pytest.approx(1.0, abs=1e-3)
    assert normalised_std(collapsed) == pytest.approx(0.0, abs=1e-6)


def test_orthogonal_directions_have_full_rank():
    assert effective_rank(np.eye(6, dtype=np.float32)) == pytest.approx(6.0, rel=1e-4)


def along_a_line(rows: int, spread: float, seed: int = 0) -> np.ndarray:
    """(rows, 64) features at +-(1 to 2) along one axis, plus noise of std `spread` in every direction, shifted off
    the origin as a ReLU network's are."""
    generator = np.random.default_rng(seed)
    along = np.zeros((rows, 64))
    along[:, 0] = generator.choice([-1, 1], rows) * generator.uniform(1, 2, rows)
    return (along + 3 + generator.normal(0, spread, (rows, 64))).astype(np.float32)


def test_one_direction_tells_a_line_from_a_spread_embedding():
    """Walk 32: a random ResNet-18's features lay along one line, its neighbours all 0.998-1.000."""
    share, cosine = one_direction(along_a_line(600, 0.02))
    assert share > 0.97 and cosine > 0.95 > ONE_DIRECTION_COSINE
    share, cosine = one_direction(np.random.default_rng(1).normal(size=(600, 64)).astype(np.float32))
    assert share < 0.1 and cosine < 0.2
    share, cosine = one_direction(along_a_line(600, 0.3))  # a leading direction, not a line
    assert cosine < ONE_DIRECTION_COSINE


def test_one_direction_reads_a_seeded_sample_of_many_rows():
    many = along_a_line(5000, 0.02)
    assert one_direction(many) == one_direction(many.copy())
    assert one_direction(many[:1]) == (0.0, 0.0)


def test_uniformity_formula_by_hand():
    # On S^2, u = x.y is uniform on [-1, 1] (Archimedes): E exp(4u) = sinh(4) / 4.
    assert expected_uniformity(3) == pytest.approx(-4 + math.log(math.sinh(4) / 4), abs=1e-9)
    # In high dimension ||x - y||^2 concentrates at 2, so it approaches log exp(-2 * 2) = -4.
    assert expected_uniformity(3) > expected_uniformity(64) > expected_uniformity(256)
    assert expected_uniformity(256) == pytest.approx(-4, abs=0.04)


@pytest.mark.parametrize("dims, tolerance", [(3, 0.03), (64, 0.01)])
def test_uniform_points_on_the_sphere_have_the_known_uniformity(points, dims, tolerance):
    assert uniformity(points.sphere(1500, dims)) == pytest.approx(expected_uniformity(dims), abs=tolerance)


def test_coinciding_points_have_uniformity_zero():
    assert uniformity(np.ones((10, 5), dtype=np.float32)) == pytest.approx(0.0, abs=1e-6)


def test_alignment_by_hand(points):
    z = points.sphere(20, 8)
    assert alignment(z, z) == pytest.approx(0.0, abs=1e-6)
    assert alignment(z, -z) == pytest.approx(4.0, abs=1e-5)  # antipodal: ||2z||^2
    assert alignment(points.unit_circle([0]), points.unit_circle([90])) == pytest.approx(2.0, abs=1e-6)
    assert alignment(3 * z, z) == pytest.approx(0.0, abs=1e-6)  # rows are normalised first


def test_neighbour_stability_by_hand(points):
    features = points.unit_circle([0, 10, 25, 90])  # nearest: 0->1, 1->0, 2->1, 3->2
    views = points.unit_circle([24, 85])  # image 0 moves next to image 2; image 3 stays by image 2
    assert neighbour_stability(features, views, np.array([0, 3]), k=1) == pytest.approx(0.5)
    assert neighbour_stability(features, features, np.arange(4), k=2) == pytest.approx(1.0)


def test_a_set_smaller_than_k_gives_every_other_row_as_neighbours(points):
    features = points.unit_circle([0, 10, 25, 90, 200])  # five images, k = 10 asked (the defaults)
    found = neighbours_of(features, 10)
    assert found.shape == (5, 4)
    assert all(sorted(row.tolist()) == [j for j in range(5) if j != i] for i, row in enumerate(found))
    assert neighbour_stability(features, features, np.arange(5), k=10) == pytest.approx(1.0)


class Unchanged(Recipe):
    """Two views that are the image itself."""

    name = "unchanged"

    def make_views(self, x: torch.Tensor, gen: torch.Generator, size: int) -> Views:
        return Views([x, x.clone()])


def test_identical_views_align_perfectly_and_a_seed_repeats_the_views():
    images = np.random.default_rng(0).integers(0, 256, (12, 16, 16, 3), dtype=np.uint8)
    torch.manual_seed(0)
    encoder = build_encoder("small_cnn", 16)
    assert augmented_alignment(encoder, images, Unchanged(), 16) == pytest.approx(0.0, abs=1e-6)
    strong = make_recipe("simclr")
    first = view_features(encoder, images, strong, 16, seed=3)
    again = view_features(encoder, images, strong, 16, seed=3)
    np.testing.assert_array_equal(first[0], again[0])
    assert augmented_alignment(encoder, images, strong, 16) > 0


def test_one_view_recipes_are_refused():
    images = np.zeros((4, 16, 16, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="pair of views"):
        view_features(build_encoder("small_cnn", 16), images, make_recipe("rotation"), 16)
