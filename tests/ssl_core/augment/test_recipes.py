"""Every recipe in RECIPES: shapes, dtype, range, per-sample randomness, seeding, device."""

from __future__ import annotations

import json
from dataclasses import fields

import numpy as np
import pytest
import torch

from ssl_core.augment import RECIPES, make_recipe, recipe_from_dict
from ssl_core.augment.recipes import DINO, MAE, Rotation

N, SIDE = 6, 32


@pytest.fixture(scope="module")
def batch() -> torch.Tensor:
    """(N, SIDE, SIDE, 3) uint8 with structure (gradients + a square), not noise."""
    y, x = np.mgrid[0:SIDE, 0:SIDE]
    images = []
    for i in range(N):
        image = np.stack([x * 8 % 256, y * 8 % 256, np.full_like(x, 40 * i)], axis=2)
        image[8 + i : 20 + i, 6:18] = (250, 30 * i, 10)
        images.append(image)
    return torch.from_numpy(np.stack(images).astype(np.uint8))


def run(name: str, batch: torch.Tensor, seed: int = 0):
    return make_recipe(name)(batch, torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("name", RECIPES)
def test_shapes_dtype_and_range(name, batch):
    recipe = make_recipe(name)
    views = run(name, batch)
    # rotation stacks its four turns in one tensor; the others make one tensor a view
    assert len(views.views) == (1 if isinstance(recipe, Rotation) else len(recipe.view_names()))
    for view in views.views:
        assert view.dtype == torch.float32 and view.ndim == 4 and view.shape[1] == 3
        assert float(view.min()) >= 0.0 and float(view.max()) <= 1.0
        assert torch.isfinite(view).all()
    expected_rows = 4 * N if isinstance(recipe, Rotation) else N
    assert views.views[0].shape == (expected_rows, 3, SIDE, SIDE)
    if isinstance(recipe, MAE):
        assert views.mask.shape == (N, (SIDE // recipe.patch_size) ** 2)
        assert (views.mask.sum(1) == round(views.mask.shape[1] * recipe.mask_ratio)).all()
    if isinstance(recipe, Rotation):
        assert views.labels.tolist() == [k for k in range(4) for _ in range(N)]
    if isinstance(recipe, DINO):
        local = views.views[2]
        assert local.shape[-1] == round(SIDE * recipe.local_size_fraction) and local.shape[0] == N


@pytest.mark.parametrize("name", RECIPES)
def test_same_seed_reproduces_and_other_seed_differs(name, batch):
    first, again, other = run(name, batch, 1), run(name, batch, 1), run(name, batch, 2)
    assert all(torch.equal(a, b) for a, b in zip(first.views, again.views))
    if name != "rotation":  # rotation with its defaults is deterministic by design
        assert any(not torch.equal(a, b) for a, b in zip(first.views, other.views))


@pytest.mark.parametrize("name", [n for n in RECIPES if n != "rotation"])
def test_per_sample_randomness(name, batch):
    """The same image repeated in a batch gets different parameters in each row."""
    same = batch[:1].repeat(8, 1, 1, 1)
    views = run(name, same)
    if name == "mae":
        assert len({tuple(row.tolist()) for row in views.mask}) > 1
    view = views.views[0]
    assert len({round(float(v.sum()), 3) for v in view}) > 1


@pytest.mark.parametrize("name", RECIPES)
def test_device_is_kept(name, batch):
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    views = make_recipe(name)(batch.to(device), torch.Generator(device).manual_seed(0))
    assert all(v.device.type == device.type for v in views.views)


@pytest.mark.parametrize("name", RECIPES)
def test_json_round_trip(name):
    recipe = make_recipe(name)
    assert recipe_from_dict(json.loads(json.dumps(recipe.to_dict()))) == recipe


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(KeyError, match="simclr"):
        make_recipe("nope")
    with pytest.raises(KeyError, match="crop_min"):
        make_recipe("simclr", nope=1)


def test_bad_input_is_refused(batch):
    with pytest.raises(ValueError, match="uint8"):
        make_recipe("simclr")(batch.float(), torch.Generator())
    with pytest.raises(ValueError, match="patch size"):
        make_recipe("mae", patch_size=5)(batch, torch.Generator())


@pytest.mark.parametrize("name", RECIPES)
def test_every_bounded_field_refuses_a_value_past_its_range(name):
    recipe = make_recipe(name)
    bounded = [f for f in fields(recipe) if f.metadata.get("max") is not None]
    assert bounded
    for f in bounded:
        with pytest.raises(ValueError, match=rf"recipe '{name}': {f.name} .* is outside"):
            make_recipe(name, **{f.name: f.metadata["max"] + 1})
        with pytest.raises(ValueError, match=rf"{f.name} .* is outside"):
            recipe_from_dict({**recipe.to_dict(), f.name: f.metadata["min"] - 1})
        make_recipe(name, **{f.name: f.metadata["min"]})  # the bounds themselves are allowed
        if not f.name.endswith("_min"):  # (a smallest at its top would pass its largest)
            make_recipe(name, **{f.name: f.metadata["max"]})


def test_a_saved_recipe_with_a_wrong_kind_of_value_names_the_field():
    saved = make_recipe("simclr_multicrop").to_dict()
    with pytest.raises(ValueError, match="local_crops must be a whole number .*2.5"):
        recipe_from_dict({**saved, "local_crops": 2.5})
    with pytest.raises(ValueError, match="gray_p must be a number .*'half'"):
        recipe_from_dict({**saved, "gray_p": "half"})
    with pytest.raises(ValueError, match="local_crop_min 0.5 is above local_crop_max 0.3"):
        recipe_from_dict({**saved, "local_crop_min": 0.5})
    assert recipe_from_dict({**saved, "local_crops": 0, "crop_min": 1}).view_names() == ["view 1", "view 2"]
