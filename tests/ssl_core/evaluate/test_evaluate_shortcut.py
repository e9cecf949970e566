"""The shortcut check on images whose background colour is unique per image."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ssl_core.evaluate.pixels import image_statistics, raw_pixels
from ssl_core.evaluate.shortcut import CUES, shortcut_check


def mean_colour(images: np.ndarray) -> np.ndarray:
    return images.reshape(len(images), -1, 3).mean(axis=1).astype(np.float32)


def test_statistics_of_a_two_colour_image_by_hand():
    image = np.zeros((1, 2, 2, 3), dtype=np.uint8)
    image[0, 0] = 255  # top row white, bottom row black
    stats = image_statistics(image)
    np.testing.assert_allclose(stats["mean_colour"], [[0.5, 0.5, 0.5]], atol=1e-6)
    np.testing.assert_allclose(stats["brightness"], [[0.5]], atol=1e-6)
    np.testing.assert_allclose(stats["contrast"], [[np.std([1, 1, 0, 0], ddof=1)]], atol=1e-6)
    assert stats["histogram"][0, 0] == pytest.approx(0.5) and stats["histogram"][0, 63] == pytest.approx(0.5)


def test_raw_pixels_are_small_and_centred():
    images = np.random.default_rng(0).integers(0, 256, (6, 32, 32, 3), dtype=np.uint8)
    pixels = raw_pixels(images, side=8)
    assert pixels.shape == (6, 8 * 8 * 3) and pixels.dtype == np.float32
    np.testing.assert_allclose(pixels.mean(axis=0), 0, atol=1e-6)


@pytest.mark.parametrize("centred", [False, True])
def test_an_embedding_of_mean_colour_is_flagged_with_the_colour_fix(backgrounds, centred):
    images, _, _ = backgrounds
    colour = mean_colour(images)
    result = shortcut_check(colour - colour.mean(axis=0) if centred else colour, images, k=5)
    assert result["flagged"] == "colour"
    assert result["fix"] == CUES["colour"].fix and "grayscale" in result["fix"]
    assert "colour" in result["verdict"]
    assert result["cues"]["colour"]["r2"] > 0.8
    json.dumps(result, allow_nan=False)


def test_an_embedding_of_object_shape_is_not_flagged(backgrounds):
    images, masks, kinds = backgrounds
    result = shortcut_check(masks, images, k=5)
    assert result["flagged"] is None and result["fix"] is None
    assert "little" in result["verdict"]
    for scores in result["cues"].values():
        assert scores["explained"] < 0.3 and scores["r2"] < 0.3


def test_evidence_lists_queries_with_their_neighbours_and_colours(backgrounds):
    images, _, _ = backgrounds
    colour = mean_colour(images)
    evidence = shortcut_check(colour, images, k=3, examples=2)["evidence"]
    assert len(evidence) == 2
    for example in evidence:
        assert len(example["neighbours"]) == 3 and example["query"] not in example["neighbours"]
        rows = [example["query"], *example["neighbours"]]
        np.testing.assert_allclose(example["colours"], np.round(colour[rows]), atol=1)


def test_greyscale_data_has_no_colour_cue_and_brightness_can_be_flagged():
    levels = np.random.default_rng(0).integers(0, 256, 60)
    images = np.broadcast_to(levels[:, None, None, None], (60, 8, 8, 3)).astype(np.uint8)
    result = shortcut_check(levels[:, None].astype(np.float32) * [1.0, -1.0] + [0.0, 128.0], images, k=3)
    assert result["cues"]["colour"] is None
    assert result["flagged"] == "brightness" and "brightness" in result["fix"]


def test_a_collapsed_embedding_is_explained_by_nothing(backgrounds):
    images, _, _ = backgrounds
    result = shortcut_check(np.ones((len(images), 4), dtype=np.float32), images, k=5)
    assert result["cues"]["colour"]["r2"] == 0.0
    json.dumps(result, allow_nan=False)
