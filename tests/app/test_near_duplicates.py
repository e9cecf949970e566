"""The near-duplicate panel's one HTML block: the pairs in order with their cosines, and
names that stay text however hostile (no tag, attribute or entity of theirs comes alive)."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np

from app.near_duplicates import PIXELS_ALIKE, correlation, pairs_html, pixels_words
from app.widgets import BREAK
from ssl_core import index

HOSTILE = ["<img src=x onerror=alert(1)>", '" onmouseover="alert(1)', "[click me](http://x) &amp; www.evil.example"]


class Parsed(HTMLParser):
    """Tags with their attributes, and the text between them, as a browser would read them."""

    def __init__(self, body: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        if data.strip():
            self.texts.append(data.replace(BREAK, ""))  # where a long name may wrap, shown as nothing


def test_pairs_come_in_order_and_hostile_names_stay_text():
    pairs = [(3, 7, 0.99671), (1, 2, 0.95)]
    names = [*HOSTILE, "circle_0001.png"]
    uris = [f"data:image/png;base64,AAA{k}" for k in range(4)]
    parsed = Parsed(pairs_html(pairs, uris, names, [1.0, 0.123]))

    assert {tag for tag, _ in parsed.tags} == {"style", "div", "img"}
    assert {name for _, attrs in parsed.tags for name in attrs} == {"class", "src", "alt"}
    images = [attrs for tag, attrs in parsed.tags if tag == "img"]
    assert [image["src"] for image in images] == uris
    assert [image["alt"] for image in images] == names  # quotes and all, inside the attribute
    shown = parsed.texts[1:]  # after the style sheet
    assert shown == [names[0], names[1], "cosine 0.9967 · pixels 1.00", names[2], names[3], "cosine 0.9500 · pixels 0.12"]


def test_a_long_name_wraps_at_its_joins_not_mid_word():
    """'astronaut_012.png' in a 72 px cell wrapped as 'astronau' / 't_012.png'."""
    body = pairs_html([(0, 1, 0.99)], ["a", "b"], ["astronaut_012.png", "my-photo.jpeg"], [0.5])
    assert f"astronaut_{BREAK}012{BREAK}.png" in body and f"my-{BREAK}photo{BREAK}.jpeg" in body
    assert Parsed(body).texts[1:3] == ["astronaut_012.png", "my-photo.jpeg"]


def test_labels_show_under_their_names_and_stay_text():
    """Walk 14: a kite and a ring on one background, pixels 0.96, called copies, their labels unshown."""
    body = pairs_html([(0, 1, 0.99)], ["a", "b"], ["k1.png", "r1.png"], [0.96], ["kite", HOSTILE[0]])
    parsed = Parsed(body)
    assert parsed.texts[1:] == ["k1.png", "kite", "r1.png", HOSTILE[0], "cosine 0.9900 · pixels 0.96"]
    assert [tag for tag, _ in parsed.tags].count("img") == 2  # the hostile label made no image
    unlabelled = Parsed(pairs_html([(0, 1, 0.99)], ["a", "b"], ["k1.png", "u.png"], [-0.001], ["kite", None]))
    assert unlabelled.texts[1:] == ["k1.png", "kite", "u.png", "no label", "cosine 0.9900 · pixels 0.00"]  # not
    # "-0.00"; an unlabelled image among labelled ones says so (walk 17)
    none = Parsed(pairs_html([(0, 1, 0.99)], ["a", "b"], ["k1.png", "u.png"], [0.5], [None, None]))
    assert none.texts[1:] == ["k1.png", "u.png", "cosine 0.9900 · pixels 0.50"]  # an unlabelled dataset: no marks


def test_a_correlation_under_the_bar_never_reads_as_it():
    """Walk 17: 'pixels 0.95' beside 'none of them look alike in their pixels (correlation 0.95 or more)'."""
    assert correlation(0.9496) == "0.94" and correlation(PIXELS_ALIKE) == "0.95" and correlation(-0.004) == "0.00"
    assert correlation(0.29) == "0.29" and correlation(-0.5) == "-0.50"


def test_one_pair_is_said_as_one():
    """Walk 18: "1 pair reaches 0.950 ... None of them look alike ... 0 of the 1 pairs whose images
    are both labelled join two different labels"."""
    assert pixels_words(1, 0, 1, 0).startswith("Its two images do not look alike in their pixels (correlation 0.95")
    assert pixels_words(1, 0, 1, 0).endswith(" They are labelled alike.")
    assert pixels_words(1, 1, 1, 1).endswith("stored pixel). They carry two different labels.")
    # walk 39: two round nuclei, each a blur on black, correlated 0.95 and were said to be a copy or an edit
    assert pixels_words(1, 1, 0, 0).endswith("one picture with a small part changed, two small things alike on one "
                                             "plain background, or two pictures whose differences are finer than a "
                                             "stored pixel).")  # walk 50: two weaves of one colour
    assert pixels_words(3, 1, 3, 2).endswith("; the other 2 differ in pixels: pictures the encoder finds alike all the "
                                             "same (two of one kind, or two crops or frames of one scene, as a "
                                             "burst's). 2 of the 3 pairs whose images are both labelled join two "
                                             "different labels.")


def test_pairs_of_blank_pictures_are_said_to_show_nothing():
    """Walk 22: all 30 pairs were its 16 nearly black frames, said to 'differ in pixels: crops of one
    picture, or pictures this encoder does not tell apart'."""
    from app.near_duplicates import blank_words
    from ssl_core.data.looks import look_of

    assert look_of(np.full((16, 16, 3), 8, np.uint8)) == "dark"
    assert look_of(np.full((16, 16, 3), 99, np.uint8)) == "flat"
    assert blank_words(0, 30) == ""
    assert blank_words(30, 30) == (" In 30 of the 30 pairs both images are nearly black or of one flat tone as stored "
                                   "(the import named them): nothing in them tells them apart, so their cosine and "
                                   "their pixels' correlation say nothing of what they show.")
    assert blank_words(1, 1).startswith(" Both its images are nearly black")


def test_pixels_are_compared_as_stored_not_in_their_framed_thumbnails():
    """Walk 29: two different cells whose thumbnails share a grey frame (pictures that are not
    square, letterboxed for display) read 'pixels 0.90'; as stored they correlate near 0."""
    from app.near_duplicates import _panel

    rng = np.random.default_rng(0)
    stored = rng.integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    framed = np.full((2, 16, 16, 3), (240, 242, 246), np.uint8)
    framed[:, 8] = stored[:, 8] // 4  # a wide dark picture: a strip between two bands of frame
    assert index.pair_correlations(framed, [(0, 1)])[0] > 0.9
    _, alike, _, _, body = _panel(folder="walk29", made=0.0, threshold=0.9, limit=30, dataset_id="walk29",
                                  _vectors=np.ones((2, 4), np.float32), _names=["a.png", "b.png"], _thumbnails=framed,
                                  _labels=[None, None], _stored=stored)
    assert alike == 0 and f"pixels {correlation(index.pair_correlations(stored, [(0, 1)])[0])}" in body
