"""Names a user supplies are shown literally and kept short."""

from app.widgets import WORD_JOINER, escape_markdown, human_bytes, short_name


def test_escape_markdown_neutralises_markup():
    assert escape_markdown("**b** [x](y) <i> :red[r] $x$") == (
        r"\*\*b\*\* \[x\]\(y\) \<i\> " + WORD_JOINER + r"\:red\[r\] \$x\$"
    )


def test_escape_markdown_breaks_autolinks_and_icons_with_a_word_joiner():
    """Escapes alone do not stop Streamlit's autolinks and icons (see tests/e2e/test_serving_e2e.py)."""
    escaped = escape_markdown("www.a.org WWW.b.org http://c.org me@d.org :material/home:")
    assert escaped.count(WORD_JOINER) == 6
    assert "www" + WORD_JOINER + r"\." in escaped and "http" + WORD_JOINER + r"\:" in escaped
    assert "me" + WORD_JOINER + "@" in escaped


def test_short_name_drops_folders_and_cuts_the_middle():
    assert short_name("archive.zip/cats/tabby.png") == "tabby.png"
    shortened = short_name("a" * 200 + ".png", limit=24)
    assert len(shortened) == 24 and shortened.startswith("aaaa") and shortened.endswith("a.png")
    assert "\u2026" in shortened


def test_human_bytes():
    assert [human_bytes(n) for n in (5, 1536, 5 * 1024**3)] == ["5 B", "1.5 KB", "5.0 GB"]


def test_thumbnail_uris_hold_the_same_pixels_and_are_encoded_once(monkeypatch):
    import base64
    import io

    import numpy as np
    from PIL import Image

    from app import widgets

    monkeypatch.setattr(widgets, "_URIS", {})  # page tests run before in one process may leave 16 datasets there
    thumbnails = np.random.default_rng(0).integers(0, 256, (5, 8, 8, 3), dtype=np.uint8)
    uris = widgets.thumbnail_uris("ds-test-uris", thumbnails, [3, 0])
    decoded = [np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))) for uri in uris]
    assert (decoded[0] == thumbnails[3]).all() and (decoded[1] == thumbnails[0]).all()  # PNG: lossless
    framed = widgets.thumbnail_uris("ds-test-uris", thumbnails, [3], frame=True)[0]
    assert Image.open(io.BytesIO(base64.b64decode(framed.split(",", 1)[1]))).size == (10, 10)
    monkeypatch.setattr(widgets, "png_uri", lambda image: "encoded again")
    assert widgets.thumbnail_uris("ds-test-uris", thumbnails, [0, 3]) == uris[::-1]  # kept, not encoded again
    assert widgets.thumbnail_uris("ds-other", thumbnails, [0]) == ["encoded again"]  # per dataset id


def test_progress_bar_says_the_work_under_way_and_redraws_when_it_changes(monkeypatch):
    from app import widgets

    drawn = []

    class Bar:
        def progress(self, value, text):
            drawn.append((value, text))

    monkeypatch.setattr(widgets.st, "progress", lambda value, text: Bar())
    update = widgets.progress_bar("Evaluating *run*")
    update(1, 58)
    update(1.001, 58, "embedding two augmented views of sampled images (256 / 500)")  # the same 1%: new words
    update(1.002, 58, "embedding two augmented views of sampled images (256 / 500)")  # nothing new: not redrawn
    assert drawn == [(0.01, r"Evaluating \*run\*: 1 / 58"),
                     (0.01, r"Evaluating \*run\*: embedding two augmented views of sampled images \(256 / 500\)")]
