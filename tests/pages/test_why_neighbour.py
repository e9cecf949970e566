"""Retrieval's "Why is this a neighbour?": the query and the chosen neighbour drawn with the
encoder's similarity map over them, and the pair's cosine that the map's shares add up to."""

from __future__ import annotations

import numpy as np

from app.why_neighbour import coarse_words, overlay
from tests.pages.conftest import open_page


def descendants(block):
    for node in block.children.values():
        yield node
        yield from descendants(node) if hasattr(node, "children") else ()


def test_retrieval_explains_a_neighbour_with_the_pairs_cosine(shapes_run, monkeypatch):
    at = open_page(shapes_run[0], "../pages/retrieval.py", monkeypatch)
    why = [e for e in at.expander if e.label == "Why is this a neighbour?"]
    assert why, [e.label for e in at.expander]
    captions = [c.value for c in why[0].caption]
    assert any(c.startswith("Cosine ") and "add up to the cosine" in c for c in captions), captions
    images = [node for node in descendants(why[0]) if node.type == "image"]  # inside the panel's fragment
    assert len(images) == 1 and len(images[0].proto.imgs) == 2  # the query and the neighbour


def test_the_overlay_reddens_where_the_map_is_high_and_darkens_where_it_is_zero():
    image = np.full((32, 32, 3), 128, np.uint8)
    heat = np.zeros((32, 32), np.float32)
    heat[:16] = 1.0
    shown = overlay(image, heat).astype(int)
    top, bottom = shown[:60].mean(axis=(0, 1)), shown[100:].mean(axis=(0, 1))
    assert top[0] > top[1] + 60  # red where the map is high
    assert bottom.max() < 60  # darkened where it is zero


def test_the_overlay_shows_the_picture_in_grey_so_its_own_red_is_not_read_as_the_map():
    image = np.zeros((32, 32, 3), np.uint8)
    image[:, :, 0] = 255  # a red picture
    heat = np.zeros((32, 32), np.float32)
    heat[:16] = 1.0
    shown = overlay(image, heat).astype(int)
    top, bottom = shown[:60].mean(axis=(0, 1)), shown[100:].mean(axis=(0, 1))
    assert top[0] > top[1] + 60  # red where the map is high
    assert bottom[0] - bottom[1] < 3  # grey where it is zero, though the picture is red


def test_a_map_of_a_few_cells_is_said_to_show_a_part_not_an_object():
    """Walk 23: an imported ResNet-18 reading 64 px ends on a 2x2 map: an almost even red wash, unsaid."""
    assert coarse_words((2, 2)) == (" Its feature map is 2×2 cells at this side, so the red tells which part of the "
                                    "picture held the similarity, not which object.")
    assert coarse_words((4, 4)) == coarse_words((0, 0)) == ""  # the small CNN at 32 px; a ViT's attention
