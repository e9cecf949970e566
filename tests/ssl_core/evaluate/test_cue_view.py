"""What each cue reads in an image, drawn under it in the shortcut check's evidence
(evaluate/cue_view.py): on a red disc over blue stripes, the swatches are the image's mean
colour and brightness, the background pictures grey the disc out, the layout is 4 x 4 flat
cells, and the position dot sits on the disc."""

from __future__ import annotations

import numpy as np
import pytest

from ssl_core.evaluate.cue_view import GREY, cue_pictures, evidence_title, shown_cue
from ssl_core.evaluate.cues import CUES, SCENE

SIDE = 64
CENTRE = (44, 18)  # x, y of the disc


def disc_on_stripes() -> np.ndarray:
    """(2, 64, 64, 3) uint8: a red disc of radius 7 at CENTRE on blue and dark-blue stripes, twice."""
    image = np.zeros((SIDE, SIDE, 3), np.uint8)
    image[..., 2] = np.where((np.arange(SIDE) // 4) % 2 == 0, 220, 90)[None, :]
    ys, xs = np.mgrid[:SIDE, :SIDE]
    image[(xs - CENTRE[0]) ** 2 + (ys - CENTRE[1]) ** 2 <= 49] = (230, 20, 20)
    return np.stack([image, image])


@pytest.fixture(scope="module")
def images() -> np.ndarray:
    return disc_on_stripes()


def test_swatches_are_the_mean_colour_and_brightness(images):
    colour = cue_pictures(images, "colour", 48, 24)
    assert colour.shape == (2, 24, 48, 3)
    assert np.abs(colour[0, 0, 0].astype(int) - images[0, 4:-4, 4:-4].reshape(-1, 3).mean(0)).max() <= 2  # inside
    grey = cue_pictures(images, "brightness", 48, 24)[0, 0, 0]  # the edges, as descriptors.describe reads them
    assert grey[0] == grey[1] == grey[2]


def test_the_edges_picture_keeps_the_edge_bands_and_greys_the_rest(images):
    """Walk 43: scans grouped by their frames; the evidence shows what the edges cue reads."""
    picture = cue_pictures(images, "edges", SIDE, 24)[0]
    assert (picture[2, 30] == images[0, 2, 30]).all() and (picture[30, 62] == images[0, 30, 62]).all()
    assert np.abs(picture[CENTRE[1], CENTRE[0]].astype(int) - round(255 * GREY)).max() <= 1
    assert evidence_title("edges") == ("Evidence for edge colour: a few images and their nearest neighbours, each "
                                       "over its edges (the rest greyed out)")


def test_background_pictures_grey_out_the_object(images):
    for cue in ("background_texture", SCENE):
        picture = cue_pictures(images, cue, SIDE, 24)
        assert picture.shape == (2, SIDE, SIDE, 3)
        assert np.abs(picture[0, CENTRE[1], CENTRE[0]].astype(int) - round(255 * GREY)).max() <= 3, cue
    scene = cue_pictures(images, SCENE, SIDE, 24)[0]
    assert np.abs(scene[56, 8].astype(int) - images[0, 56, 8]).max() <= 12  # far from the disc: as it was
    texture = cue_pictures(images, "background_texture", SIDE, 24)[0]
    assert (texture[..., 0] == texture[..., 1]).all()  # grey levels: blind to colour
    assert texture[56, 0:8, 0].std() > 30  # the stripes stand out, standardised


def test_layout_is_flat_cells_and_position_a_dot_on_the_object(images):
    layout = cue_pictures(images, "layout", SIDE, 24)[0]
    cell = layout[48:64, 0:16].reshape(-1, 3)
    assert (cell == cell[0]).all()
    dot = cue_pictures(images, "position", SIDE, 24)[0].astype(int)
    red = (dot[..., 0] > 200) & (dot[..., 1] < 60)
    ys, xs = np.nonzero(red)
    assert red.sum() > 10 and abs(xs.mean() - CENTRE[0]) <= 4 and abs(ys.mean() - CENTRE[1]) <= 4


def test_the_evidence_names_the_cue_it_shows():
    for cue in (*CUES, SCENE):
        assert evidence_title(cue).startswith("Evidence for ")
    assert "background scene" in evidence_title(SCENE) and "the dot" in evidence_title("position")
    scores = {name: {"judged": j} for name, j in zip(CUES, (0.1, 0.05, 0.2, 0.0, 0.15))}
    assert shown_cue({"cue": "layout", "scores": scores}) == "layout"
    assert shown_cue({"cue": None, "scores": {**scores, "position": None}}) == "background_texture"
