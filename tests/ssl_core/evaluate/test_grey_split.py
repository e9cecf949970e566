"""Grey or colour (walk 41: 118 night infrared frames among 234 daylight ones, kept apart by the
embedding, 96% of neighbours on the same side, and unsaid): the share of a picture's neighbours
that are grey or in colour as it is, beside what random neighbours give; said in a sentence; read
by the shortcut check where each side holds k pictures."""

from __future__ import annotations

import numpy as np
import torch

from ssl_core.evaluate.grey_split import grey_and_colour, grey_split, grey_split_words
from ssl_core.evaluate.shortcut import shortcut_check


def pictures(grey: int, colour: int, seed: int = 0) -> np.ndarray:
    """`grey` grey noise pictures, then `colour` colour ones, (N, 16, 16, 3) uint8."""
    rng = np.random.default_rng(seed)
    flat = np.repeat(rng.integers(0, 256, (grey, 16, 16, 1), dtype=np.uint8), 3, axis=3)
    return np.concatenate([flat, rng.integers(0, 256, (colour, 16, 16, 3), dtype=np.uint8)])


def test_each_side_is_read_apart_and_a_few_scattered_grey_pictures_are_not_called_apart():
    """A review: averaged over random queries, 12 scattered grey pictures among 1,988 colour ones in
    two tight groups read '100% against 99% ... keeps them apart', a grey one's neighbours 10-27% grey."""
    grey = np.array([True] * 40 + [False] * 80)
    features = torch.tensor(np.c_[grey * 10.0, np.random.default_rng(0).normal(size=(120, 4))])
    split = grey_split((grey, ~grey), features, k=10)
    assert split == {"grey": 40, "colour": 80, "k": 10, "grey_share": 1.0, "grey_chance": 39 / 119,
                     "colour_share": 1.0, "colour_chance": 79 / 119}
    assert grey_split_words(split) == (
        "Grey or colour: 100% of a grey picture's 10 nearest neighbours are grey (33% were they drawn at random), and "
        "100% of a colour picture's are in colour (66%), over the 40 grey pictures and 80 in colour: the embedding "
        "keeps the grey pictures apart from the colour ones.")
    rng = np.random.default_rng(1)
    scattered = np.zeros(2000, bool)
    scattered[rng.choice(2000, 12, replace=False)] = True
    groups = np.r_[np.zeros(1000), np.ones(1000)][:, None] * 10 + rng.normal(size=(2000, 4))  # greyness aside
    found = grey_split((scattered, ~scattered), torch.tensor(groups, dtype=torch.float32), k=10)
    assert found["colour_share"] > 0.98 and found["grey_share"] < 0.1
    assert grey_split_words(found).endswith("the embedding does not keep the grey pictures apart from the colour ones.")
    nine = np.array([True] * 9 + [False] * 111)
    assert grey_split((nine, ~nine), torch.tensor(groups[:120]), k=10) is None  # 9 grey
    assert grey_split_words(None) == ""


def test_a_grey_photo_saved_in_colour_is_grey_and_a_nearly_black_one_is_on_neither_side():
    images = pictures(3, 2)
    images[0, 0, 0] = (120, 122, 119)  # a JPEG's rounding: channels a few levels apart
    images[1] //= 20  # nearly black: the import calls it that, not grey (a review: 158 grey here, 118 there)
    grey, colour = grey_and_colour(images)
    assert grey.tolist() == [True, False, True, False, False]
    assert colour.tolist() == [False, False, False, True, True]  # walk 49: 322 nearly black frames read "in colour"


def test_nearly_black_grey_pictures_make_no_colour_side():
    """Walk 49: 322 nearly black 16-bit sky frames beside 78 grey 8-bit ones, every channel alike, read "over the
    78 grey pictures and 322 in colour"; there is no colour side, so no split is read."""
    images = pictures(40, 0)
    dark = images[:30] // 20
    both = np.concatenate([images, dark])
    features = torch.tensor(np.random.default_rng(0).normal(size=(70, 4)), dtype=torch.float32)
    assert grey_split(grey_and_colour(both), features, k=10) is None


def test_the_shortcut_check_reads_the_split_where_each_side_holds_k_pictures():
    images = pictures(30, 60)
    side = np.array([1.0] * 30 + [0.0] * 60)[:, None]
    features = torch.tensor(np.hstack([side * 5, np.random.default_rng(1).normal(size=(90, 8))]), dtype=torch.float32)
    split = shortcut_check(features, images, k=5, queries=90)["grey_split"]
    assert split["grey"] == 30 and split["grey_share"] > 0.95 < split["colour_share"] and split["k"] == 5
    assert shortcut_check(features, pictures(0, 90), k=5, queries=90)["grey_split"] is None


def test_where_no_cue_is_named_a_split_kept_apart_is_said_beside_it():
    """Walk 43: an imported embedding of scan style alone was told 'It does not group by colour, brightness, ...', and
    the Evaluate page's summary said 'no cheap cue explains its neighbours', 90% of a grey picture's neighbours grey
    (46% at random) said only in the line below."""
    images = pictures(0, 90)
    images[:30] = images[:30].mean(axis=3, keepdims=True).astype(np.uint8)  # grey, of the brightness they had
    side = np.array([1.0] * 30 + [0.0] * 60)[:, None]
    features = torch.tensor(np.hstack([side * 5, np.random.default_rng(1).normal(size=(90, 8))]), dtype=torch.float32)
    found = shortcut_check(features, images, k=5, queries=90)
    assert found["cue"] is None and found["grey_split"]["grey_share"] > 0.95
    assert found["words"].endswith(". Yet it keeps the grey pictures apart from the colour ones (the grey-or-colour "
                                   "split).")
    mixed = torch.tensor(np.random.default_rng(2).normal(size=(90, 8)), dtype=torch.float32)
    assert "grey" not in shortcut_check(mixed, images, k=5, queries=90)["words"]
