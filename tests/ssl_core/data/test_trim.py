"""Cutting a band off each picture's edges at import (walk 45: a microscope's info banner along the
bottom of every micrograph, naming the magnification that matched the class for 89% of them): the
typed percentages, the stored squares without the banner, the dataset keeping its trim, queries
cut alike, and the sizes the import and the Data page speak of as the trim leaves them."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ssl_core.data.decode import as_stored, stored_draft
from ssl_core.data.ingest import ingest_builtin, ingest_uploads
from ssl_core.data.trim import NONE, kept_shape, parse_trim, trim_text, trim_words, trimmed

BANNER = 0.125  # of the height: the black strip along the bottom


def micrograph(shade: int, size=(160, 120)) -> bytes:
    """A grey picture of `shade` with a black banner along its bottom eighth, white text on it."""
    im = Image.new("RGB", size, (shade,) * 3)
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, round(size[1] * (1 - BANNER)), size[0], size[1]), fill=(0, 0, 0))
    draw.text((4, round(size[1] * (1 - BANNER)) + 2), "15kV x2,000", fill=(255, 255, 255))
    buffer = io.BytesIO()
    im.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("typed, trim", [
    ("", NONE), (None, NONE), ("  ", NONE), ("5", (0.05, 0.05, 0.05, 0.05)), ("0,0,12.5,0", (0, 0, 0.125, 0)),
    ("4%, 0, 10%, 0", (0.04, 0, 0.1, 0)), ("45", (0.45,) * 4), ("0 0 8 0", (0, 0, 0.08, 0)),
    ("8% top", (0.08, 0, 0, 0)), ("bottom 10", (0, 0, 0.1, 0)), ("Top 8, bottom 5%", (0.08, 0, 0.05, 0)),
    ("top 8 and left 2", (0.08, 0, 0, 0.02)), ("10 %", (0.1,) * 4), ("10,", (0.1,) * 4),
    ("bottom .5", (0, 0, 0.005, 0)), ("12.345", (0.1235,) * 4),  # to a hundredth of a percent, as stored
])
def test_percentages_typed_become_shares_of_each_side(typed, trim):
    assert parse_trim(typed) == pytest.approx(trim)


@pytest.mark.parametrize("typed, reason", [
    ("0,10", "give one percentage for every side, four (top, right, bottom, left: 0,0,10,0 cuts the bottom 10%) or "
             "sides by name (bottom 10), not 2 numbers"),
    ("50", "each side is 50%, outside 0 to 45%"),
    ("0,0,-5,0", "the bottom is -5%, outside 0 to 45%"),
    ("bottom 50", "the bottom is 50%, outside 0 to 45%"),
    ("1,2,?,4", "each side is a percentage, a number from 0 to 45"),
    ("middle 5", "'middle 5' is not a side and its percentage (top, right, bottom or left, as in 'bottom 10')"),
    ("top", "'top' is not a side and its percentage (top, right, bottom or left, as in 'bottom 10')"),
    ("bottom 10, bottom 20", "the bottom is named twice"),
])
def test_what_is_not_a_trim_is_refused_with_its_reason(typed, reason):
    with pytest.raises(ValueError) as refused:
        parse_trim(typed)
    assert str(refused.value) == f"trim {typed!r}: {reason}"


def test_a_trim_is_stored_and_said_as_typed():
    assert trim_text(parse_trim("0,0,10,0")) == "0,0,10,0" and trim_text(NONE) == ""
    assert parse_trim(trim_text(parse_trim("4,0,10,2.5"))) == parse_trim("4,0,10,2.5")
    assert trim_words(parse_trim("0,0,10,0")) == "the bottom 10%"
    assert trim_words(parse_trim("4,0,10,0")) == "the top 4% and the bottom 10%"
    assert trim_words(parse_trim("4,1,10,2")) == "the top 4%, the right 1%, the bottom 10% and the left 2%"
    assert trim_words(parse_trim("5")) == "every edge's 5%" and trim_words(NONE) == ""


def test_the_bands_are_cut_off_and_the_rest_kept():
    im = Image.open(io.BytesIO(micrograph(150)))
    kept = trimmed(im, parse_trim(f"0,0,{BANNER * 100},0"))
    assert kept.size == (160, 105) == kept_shape(160, 120, parse_trim(f"0,0,{BANNER * 100},0"))
    assert np.asarray(kept).min() == 150  # no banner pixel left
    assert trimmed(im, NONE) is im
    assert trimmed(im, parse_trim("45")).size == kept_shape(160, 120, parse_trim("45")) == (16, 12)


def test_an_import_with_a_trim_stores_no_banner_and_keeps_its_trim(workspace):
    files = [(f"sem_{i}.png", micrograph(shade)) for i, shade in enumerate((90, 130, 170))]
    ingest_uploads(workspace, files, name="plain", size=16)
    ingest_uploads(workspace, files, name="trimmed", size=16, trim=parse_trim("0,0,12.5,0"))
    plain, cut = workspace.dataset("plain"), workspace.dataset("trimmed")
    assert plain.trim == "" and cut.trim == "0,0,12.5,0"
    assert workspace.images(plain).min() == 0  # the banner, as stored without a trim
    assert [int(image.min()) for image in workspace.images(cut)] == [90, 130, 170]  # one flat tone each: no banner
    assert workspace.thumbnails(cut)[:, 40:56].min() > 0  # the thumbnails as stored: the banner gone there too
    assert [(r["width"], r["height"]) for r in workspace.image_rows(cut)] == [(160, 120)] * 3
    assert workspace.centre_square_cuts(plain) == pytest.approx((3, 0.25, 0.25))  # 160 x 120
    assert workspace.centre_square_cuts(cut) == pytest.approx((3, 1 - 105 / 160, 1 - 105 / 160))  # 160 x 105
    assert workspace.kept_shapes(cut) == [(160, 105)] * 3  # the Lab's "came in at" side reads these (a review)
    ingest_uploads(workspace, [("wide.png", micrograph(90, (101, 75)))], name="sides", size=16,
                   trim=parse_trim("0,12.5,0,12.5"))
    assert workspace.centre_square_cuts(workspace.dataset("sides")) == (0, 0.0, 0.0)  # 75 x 75 once cut


def test_a_trim_given_to_text_is_said_unused(workspace):
    """A review: `ingest builtin:docstrings --trim 10` dropped the trim without a word."""
    report = ingest_builtin(workspace, "docstrings", trim=parse_trim("10"))
    assert "the trim was not used: text has no edges to cut off" in report.warnings
    assert workspace.dataset("docstrings").trim == ""


def test_a_query_is_cut_as_the_dataset_was(workspace):
    files = [(f"sem_{i}.png", micrograph(shade)) for i, shade in enumerate((90, 130))]
    ingest_uploads(workspace, files, name="trimmed", size=16, trim=parse_trim("0,0,12.5,0"))
    info = workspace.dataset("trimmed")
    assert np.array_equal(as_stored(files[1][1], info), workspace.images(info)[1])  # found as that picture


@pytest.mark.parametrize("trim", ["", "0,0,10,0", "40,0,40,0"])
def test_a_jpeg_query_is_decoded_as_the_import_decoded_it(workspace, trim):
    """A review: the import decoded JPEGs at a draft for 96 px and queries at one for the stored side, so the
    dataset's own picture, searched, differed from its stored square by up to 71 of 255 (no trim: 14)."""
    rng = np.random.default_rng(0)
    pixels = (rng.random((48, 64, 3)) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).resize((1024, 768), Image.Resampling.BICUBIC).save(buffer, "JPEG", quality=90)
    ingest_uploads(workspace, [("frame.jpg", buffer.getvalue())], name="jpegs", size=64, trim=parse_trim(trim))
    info = workspace.dataset("jpegs")
    assert np.array_equal(as_stored(buffer.getvalue(), info), workspace.images(info)[0])


def test_the_draft_a_picture_is_decoded_at_leaves_the_stored_side_once_cut():
    """A review: a 1024 x 768 JPEG with 40% cut off top and bottom was decoded for 96 px and kept 20 rows."""
    assert stored_draft(64, NONE) == 96 and stored_draft(128, NONE) == 128
    assert stored_draft(64, parse_trim("40,0,40,0")) == 480 and stored_draft(64, parse_trim("bottom 10")) == 107


def test_the_command_line_takes_a_trim_and_refuses_a_bad_one(tmp_path):
    folder = tmp_path / "sem"
    folder.mkdir()
    for i, shade in enumerate((90, 130)):
        (folder / f"sem_{i}.png").write_bytes(micrograph(shade))
    cli = [sys.executable, "-m", "ssl_core", "--workspace", str(tmp_path / "ws")]
    refused = subprocess.run([*cli, "ingest", str(folder), "--trim", "0,60,0,0"], capture_output=True, text=True)
    assert refused.returncode == 2 and "argument --trim: trim '0,60,0,0': the right is 60%, outside 0 to 45%" in \
        refused.stderr
    subprocess.run([*cli, "ingest", str(folder), "--trim", "0,0,12.5,0"], check=True, capture_output=True)
    listed = json.loads(subprocess.run([*cli, "datasets"], check=True, capture_output=True, text=True).stdout)
    assert [(d["name"], d["trim"]) for d in listed] == [("sem", "0,0,12.5,0")]
