"""What the Augmentation Lab shows: views per image for every recipe (in the documented
order, MAE's hidden patches grey), a contrastive batch whose loss is our partner softmax
(checked against lightly's NTXentLoss), and the partner softmax itself."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ssl_core.augment import RECIPES, make_recipe
from ssl_core.augment import ops
from ssl_core.augment.preview import (
    MASK_GREY,
    TONES,
    is_grey,
    masked_images,
    pair_batch,
    partner_of,
    partner_probabilities,
    partners_found,
    sample_views,
    what_changes_touch,
)

N, SIDE = 6, 32


@pytest.fixture(scope="module")
def images() -> np.ndarray:
    """(N, SIDE, SIDE, 3) uint8, each image different and not symmetric under turns."""
    y, x = np.mgrid[0:SIDE, 0:SIDE]
    out = []
    for i in range(N):
        image = np.stack([x * 7 % 256, y * 5 % 256, np.full_like(x, 30 * i + 20)], axis=2)
        image[4 + i : 14 + i, 3:12] = (240, 20 * i, 60)
        out.append(image)
    return np.stack(out).astype(np.uint8)


@pytest.fixture(scope="module")
def batch(images):
    return pair_batch(make_recipe("simclr"), images, seed=3)


def reference_loss(similarity: np.ndarray, temperature: float) -> float:
    """-mean over the 2N views of log(probability the softmax gives the true partner)."""
    n = len(similarity) // 2
    return -float(np.mean([np.log(partner_probabilities(similarity, row, temperature)[partner_of(row, n)])
                           for row in range(2 * n)]))


# -- pair_batch ------------------------------------------------------------------------------

def test_pair_batch_shapes_and_similarity(batch):
    assert batch.view_a.shape == batch.view_b.shape == (N, SIDE, SIDE, 3)
    assert batch.view_a.dtype == batch.view_b.dtype == np.uint8
    assert batch.similarity.shape == (2 * N, 2 * N)
    np.testing.assert_allclose(batch.similarity, batch.similarity.T, atol=1e-5)
    np.testing.assert_allclose(np.diag(batch.similarity), np.ones(2 * N), atol=1e-5)
    assert batch.similarity.min() >= -1 - 1e-5 and batch.similarity.max() <= 1 + 1e-5
    assert batch.temperature == 0.1  # the default run's (walk 18 read SimCLR's CIFAR 0.5)
    assert not any(np.array_equal(a, b) for a, b in zip(batch.view_a, batch.view_b))


def test_pair_batch_views_are_the_recipes_views(images, batch):
    """What the Lab shows is what the recipe makes for the trainer from the same seed."""
    views = make_recipe("simclr")(torch.from_numpy(images), torch.Generator().manual_seed(3)).views
    assert np.array_equal(batch.view_a, ops.to_uint8(views[0]).numpy())
    assert np.array_equal(batch.view_b, ops.to_uint8(views[1]).numpy())


@pytest.mark.parametrize("temperature", [0.5, 0.1])
def test_loss_is_the_mean_partner_log_probability(images, temperature):
    """lightly's NTXentLoss (what pair_batch reports) equals our partner softmax."""
    batch = pair_batch(make_recipe("simclr"), images, seed=1, temperature=temperature)
    assert batch.temperature == temperature
    assert 0 < batch.loss < 10
    assert batch.loss == pytest.approx(reference_loss(batch.similarity, temperature), abs=1e-4)


def test_pair_batch_is_seeded(images, batch):
    again = pair_batch(make_recipe("simclr"), images, seed=3)
    assert np.array_equal(again.view_a, batch.view_a)
    np.testing.assert_allclose(again.similarity, batch.similarity, atol=1e-6)
    assert again.loss == pytest.approx(batch.loss, abs=1e-6)
    other = pair_batch(make_recipe("simclr"), images, seed=4)
    assert not np.array_equal(other.view_a, batch.view_a)


def test_pair_batch_does_not_reseed_the_global_generator(images):
    torch.manual_seed(1234)
    expected = torch.rand(3)
    torch.manual_seed(1234)
    pair_batch(make_recipe("simclr"), images[:2], seed=0)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("name", ["moco_v2", "byol", "dino"])
def test_pair_batch_works_for_every_pair_recipe(images, name):
    result = pair_batch(make_recipe(name), images[:3], seed=0)
    assert result.view_a.shape == (3, SIDE, SIDE, 3)
    assert result.loss == pytest.approx(reference_loss(result.similarity, result.temperature), abs=1e-4)


# -- the partner softmax ---------------------------------------------------------------------

def test_partner_probabilities_is_the_softmax_over_the_other_views(batch):
    temperature = batch.temperature
    for row in range(2 * N):
        p = partner_probabilities(batch.similarity, row, temperature)
        assert p.shape == (2 * N,)
        assert p[row] == 0.0
        assert p.sum() == pytest.approx(1.0, abs=1e-6)
        weights = [0.0 if j == row else math.exp(batch.similarity[row, j] / temperature) for j in range(2 * N)]
        np.testing.assert_allclose(p, np.array(weights) / sum(weights), rtol=1e-6, atol=1e-9)


def test_partner_probabilities_is_stable_at_low_temperature():
    similarity = np.array([[1.0, 0.9, -0.5], [0.9, 1.0, 0.2], [-0.5, 0.2, 1.0]])
    p = partner_probabilities(similarity, 0, 0.001)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p, [0.0, 1.0, 0.0], atol=1e-12)


def test_partner_of_pairs_a_with_b():
    assert [partner_of(row, 4) for row in range(8)] == [4, 5, 6, 7, 0, 1, 2, 3]


# -- sample_views ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", RECIPES)
def test_sample_views_gives_every_view_of_every_draw(images, name):
    recipe = make_recipe(name)
    draws = 3
    per_image = sample_views(recipe, images[:2], draws, seed=5)
    assert len(per_image) == 2
    for views in per_image:
        assert len(views) == len(recipe.view_names()) * draws
        for view in views:
            assert view.dtype == np.uint8 and view.ndim == 3 and view.shape[2] == 3
            assert view.shape[0] == view.shape[1]
        assert views[0].shape == (SIDE, SIDE, 3)
    again = sample_views(recipe, images[:2], draws, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(per_image[1], again[1]))


def test_sample_views_order_is_view_then_draw(images):
    """views[v * draws + d] is view v of draw d of that image."""
    recipe, draws = make_recipe("simclr"), 2
    per_image = sample_views(recipe, images[:3], draws, seed=2)
    batch = torch.from_numpy(np.repeat(images[:3], draws, axis=0))
    made = [ops.to_uint8(v).numpy() for v in recipe(batch, torch.Generator().manual_seed(2)).views]
    for k in range(3):
        for v in range(2):
            for d in range(draws):
                assert np.array_equal(per_image[k][v * draws + d], made[v][k * draws + d])


def test_sample_views_rotation_shows_each_image_turned(images):
    draws = 2
    per_image = sample_views(make_recipe("rotation"), images[:3], draws, seed=0)
    for k, views in enumerate(per_image):
        for turn in range(4):
            for d in range(draws):
                assert np.array_equal(views[turn * draws + d], np.rot90(images[k], turn, axes=(0, 1)))


def test_sample_views_dino_local_crops_are_smaller(images):
    recipe = make_recipe("dino", local_crops=2)
    views = sample_views(recipe, images[:1], 1, seed=0)[0]
    local = round(SIDE * recipe.local_size_fraction)
    assert [v.shape[0] for v in views] == [SIDE, SIDE, local, local]


def test_sample_views_mae_paints_hidden_patches_grey(images):
    recipe, draws, seed = make_recipe("mae"), 2, 9
    per_image = sample_views(recipe, images[:2], draws, seed)
    made = recipe(torch.from_numpy(np.repeat(images[:2], draws, axis=0)), torch.Generator().manual_seed(seed))
    visible_pixels = ops.to_uint8(made.views[0]).numpy()
    grid, patch = SIDE // recipe.patch_size, recipe.patch_size
    hidden_patches = round(grid * grid * recipe.mask_ratio)
    for k in range(2):
        for d in range(draws):
            shown = per_image[k][d]
            row = k * draws + d
            mask = made.mask[row].reshape(grid, grid).numpy()
            assert mask.sum() == hidden_patches
            hidden = np.kron(mask, np.ones((patch, patch), dtype=bool))
            assert (shown[hidden] == MASK_GREY).all()
            assert np.array_equal(shown[~hidden], visible_pixels[row][~hidden])


def test_masked_images_paints_exactly_the_masked_patches():
    view = torch.zeros(1, 3, 4, 4)
    mask = torch.tensor([[True, False, False, True]])
    out = masked_images(view, mask, 2)
    expected = np.zeros((4, 4), dtype=np.uint8)
    expected[:2, :2] = expected[2:, 2:] = MASK_GREY
    for channel in range(3):
        assert np.array_equal(out[0, :, :, channel], expected)


def test_what_changes_touch_follows_the_recipe_values():
    assert what_changes_touch(make_recipe("simclr")) == [
        "position and size", "left-right direction", "colour", "sharpness"]
    assert "sharpness" not in what_changes_touch(make_recipe("simclr_multicrop"))  # no blur
    assert "bright tones" in what_changes_touch(make_recipe("byol"))  # solarized second views
    assert what_changes_touch(make_recipe("rotation")) == []  # whole pictures, no flip
    still = make_recipe("simclr", crop_min=1.0, flip_p=0.0, jitter_p=0.0, gray_p=0.0, blur_p=0.0)
    assert what_changes_touch(still) == []
    assert what_changes_touch(make_recipe("simclr", jitter_p=0.8, jitter_strength=0.0, gray_p=0.0,
                                          blur_p=0.0)) == ["position and size", "left-right direction"]
    assert what_changes_touch(make_recipe("dino", turn_p=0.5))[:3] == [
        "position and size", "left-right direction", "which way is up"]


def test_on_grey_pictures_jitter_changes_tones_and_grayscale_nothing():
    """Walk 17: microscope images were told "colour changes mattered most", gray p 0.5 a no-op."""
    assert what_changes_touch(make_recipe("simclr"), grey=True) == [
        "position and size", "left-right direction", TONES, "sharpness"]
    assert TONES not in what_changes_touch(make_recipe("simclr", jitter_p=0.0, gray_p=0.5), grey=True)
    grey = np.repeat(np.random.default_rng(0).integers(0, 256, (3, 8, 8, 1), dtype=np.uint8), 3, axis=3)
    assert is_grey(grey) and not is_grey(np.concatenate([grey, np.full((1, 8, 8, 3), (200, 0, 0), np.uint8)]))
    grey[0, 0, 0, 0] += 2 if grey[0, 0, 0, 0] < 250 else -2  # a grey photo saved as a colour JPEG
    assert is_grey(grey) and not is_grey(np.empty((0, 8, 8, 3), np.uint8))


def test_partners_found_counts_rows_whose_brightest_other_cell_is_the_partner():
    similarity = np.eye(4) + 0.1  # every row's own cell is the brightest: it is left out
    similarity[0, 2] = similarity[2, 0] = 0.9  # a0 and b0 find each other
    similarity[1, 2] = 0.95  # a1 finds b0, not its partner b1
    similarity[3, 0] = 0.5  # b1 finds a0
    assert partners_found(similarity) == 2
