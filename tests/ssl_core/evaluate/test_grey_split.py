"""Grey or colour (walk 41: 118 night infrared frames among 234 daylight ones, kept apart by the
embedding, 96% of neighbours on the same side, and unsaid): the share of a picture's neighbours
that are grey or in colour as it is, beside what random neighbours give; said in a sentence; read
by the shortcut check where each side holds k pictures."""

from __future__ import annotations

import numpy as np
import torch

from ssl_core.evaluate.grey_split import grey_rows, grey_split, grey_split_words
from ssl_core.evaluate.shortcut import shortcut_check


def pictures(grey: int, colour: int, seed: int = 0) -> np.ndarray:
    """`grey` grey noise pictures, then `colour` colour ones, (N, 16, 16, 3) uint8."""
    rng = np.random.default_rng(seed)
    flat = np.repeat(rng.integers(0, 256, (grey, 16, 16, 1), dtype=np.uint8), 3, axis=3)
    return np.concatenate([flat, rng.integers(0, 256, (colour, 16, 16, 3), dtype=np.uint8)])


def test_a_split_by_greyness_reads_1_and_random_neighbours_read_chance():
    grey = np.array([True] * 40 + [False] * 80)
    queries = np.arange(120)
    apart = torch.tensor([[j for j in range(120) if grey[j] == grey[i] and j != i][:10] for i in queries])
    split = grey_split(grey, queries, apart)
    assert split == {"grey": 40, "colour": 80, "share": 1.0, "chance": (40 * 39 + 80 * 79) / 120 / 119, "k": 10}
    assert grey_split_words(split) == (
        "Grey or colour: 100% of a picture's 10 nearest neighbours are grey, or in colour, as it is (40 grey pictures, "
        "80 in colour), against 55% were they drawn at random: the embedding keeps the grey pictures apart from the "
        "colour ones.")
    drawn = torch.tensor(np.array([np.random.default_rng(i).choice([j for j in range(120) if j != i], 10, replace=False)
                                   for i in queries]))
    mixed = grey_split(grey, queries, drawn)
    assert abs(mixed["share"] - mixed["chance"]) < 0.03
    assert grey_split_words(mixed).endswith("the embedding mixes grey and colour pictures about as chance would.")
    assert grey_split(np.array([True] * 9 + [False] * 111), queries, drawn) is None  # 9 grey: fewer than k
    assert grey_split_words(None) == ""


def test_grey_rows_reads_a_grey_photo_saved_in_colour_as_grey():
    images = pictures(3, 2)
    images[0, 0, 0] = (120, 122, 119)  # a JPEG's rounding: channels a few levels apart
    assert grey_rows(images).tolist() == [True, True, True, False, False]


def test_the_shortcut_check_reads_the_split_where_each_side_holds_k_pictures():
    images = pictures(30, 60)
    side = np.array([1.0] * 30 + [0.0] * 60)[:, None]
    features = torch.tensor(np.hstack([side * 5, np.random.default_rng(1).normal(size=(90, 8))]), dtype=torch.float32)
    split = shortcut_check(features, images, k=5, queries=90)["grey_split"]
    assert split["grey"] == 30 and split["share"] > 0.95 and split["k"] == 5
    assert shortcut_check(features, pictures(0, 90), k=5, queries=90)["grey_split"] is None
