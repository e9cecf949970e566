"""Property-based fuzzing (Hypothesis) of the three parsers that read a visitor's bytes: the
labels CSV, the zip reader and the image decoder. Whatever the bytes, each answers with a
valid result or its own clear refusal (LabelsError naming the file; a Rejection, or a
ValueError from reading a member; RejectedFile), never another exception. Inputs are
generated hostile text and mutated or cut valid files; every test runs a bounded,
derandomised number of examples (FUZZ), so the suite stays quick and repeatable."""

from __future__ import annotations

import io
import re
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ssl_core.data.decode import PixelBudget, RejectedFile, decode_image, square
from ssl_core.data.labels import LabelsError, parse_labels_csv
from ssl_core.data.sources import Candidate, Limits, Rejection, Skipped, is_os_clutter, zip_entries

FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # zipfile's duplicate names, Pillow's corrupt EXIF
LIMITS = Limits(max_entries=8, max_total_bytes=200_000, max_file_bytes=100_000)


def image(fmt: str, **save) -> bytes:
    pixels = np.random.default_rng(0).integers(0, 256, (9, 12, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, fmt, **save)
    return buffer.getvalue()


SEED_IMAGES = [image("PNG"), image("JPEG", quality=90), image("JPEG", quality=90, progressive=True),
               image("GIF"), image("BMP"), image("TIFF"), image("TIFF", compression="tiff_lzw"),
               image("WEBP", lossless=True), image("WEBP", quality=80)]


def zip_of(members, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", compression) as archive:
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are part of the test
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


SEED_ZIPS = [zip_of([("a/1.png", SEED_IMAGES[0]), ("b/2.jpg", SEED_IMAGES[1]), ("labels.csv", b"1.png,a\n")],
                    compression) for compression in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED,
                                                     zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)]


@st.composite
def mutated(draw, seeds: list[bytes]) -> bytes:
    """One of `seeds` with up to 8 bytes overwritten, a run of bytes cut out, or cut short."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        start = draw(st.integers(0, len(data)))
        del data[start:start + draw(st.integers(0, 64))]
    return bytes(data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) else data)


# -- the labels CSV ---------------------------------------------------------------------------
CSV_PIECES = [",", '"', "\n", "\r\n", "\r", "\x00", "\x1b[31m", "\u202e", "\ufeff", " ", "a.png", "b.png",
              "cat", "=HYPERLINK(1)", "filename", "label", "é", "\t"]


@FUZZ
@given(st.one_of(st.binary(max_size=400),
                 st.lists(st.sampled_from(CSV_PIECES), max_size=40).map(lambda p: "".join(p).encode())))
def test_the_labels_parser_answers_with_labels_or_a_clear_error(data):
    try:
        parsed = parse_labels_csv(data, "fuzz.csv")
    except LabelsError as exc:
        message = str(exc)
        assert message.startswith("fuzz.csv")
        line = re.match(r"fuzz\.csv, line ([\d,]+):", message)
        if line:
            lines = len(data.decode("utf-8-sig").splitlines()) or 1
            assert 1 <= int(line.group(1).replace(",", "")) <= lines, message
        return
    assert parsed.labels
    for filename, label in parsed.labels.items():
        assert filename and label and label == label.strip()
        assert label.isprintable(), label  # NUL, escapes and bidi overrides are escaped
    assert all(w.startswith("fuzz.csv: ") for w in parsed.warnings)


# -- the zip reader ---------------------------------------------------------------------------
def read_all(entries) -> None:
    """Every entry is a Candidate, a Rejection or a Skipped file the operating system adds;
    reading a candidate gives at most the cap or a ValueError with a reason."""
    candidates = 0
    for entry in entries:
        assert isinstance(entry, (Candidate, Rejection, Skipped)), entry
        if isinstance(entry, Skipped):
            assert is_os_clutter(entry.name)
            continue
        if isinstance(entry, Rejection):
            assert entry.reason
            continue
        candidates += 1
        try:
            assert len(entry.read()) <= LIMITS.max_file_bytes
        except ValueError as exc:
            assert str(exc)
    assert candidates <= LIMITS.max_entries


@FUZZ
@given(mutated(SEED_ZIPS))
def test_the_zip_reader_survives_damaged_archives(data):
    read_all(zip_entries(data, "fuzz.zip", LIMITS))


NAME_PIECES = ["..", "/", "\\", "C:", "a", ".png", ".zip", "\x00", "\n", "__MACOSX", "._x", "\u202e", "~"]


@FUZZ
@given(st.lists(st.lists(st.sampled_from(NAME_PIECES), min_size=1, max_size=6).map("".join)
                .filter(lambda name: name.split("\x00")[0]),  # zipfile cuts a name at NUL; it must stay one
                min_size=1, max_size=12))
def test_no_hostile_member_name_becomes_a_file_outside_the_archive(names):
    data = zip_of([(name, SEED_IMAGES[0]) for name in names])
    entries = list(zip_entries(data, "fuzz.zip", LIMITS))
    read_all(entries)
    for entry in entries:
        if isinstance(entry, Candidate):
            parts = entry.inner.replace("\\", "/").split("/")
            assert ".." not in parts and not entry.inner.startswith(("/", "\\"))
            assert not re.match(r"^[A-Za-z]:", entry.inner) and not entry.inner.lower().endswith(".zip")


# -- the image decoder ------------------------------------------------------------------------
@FUZZ
@given(mutated(SEED_IMAGES), st.sampled_from([None, 8, 96]))
def test_the_image_decoder_gives_rgb_or_a_reason(data, draft):
    budget = PixelBudget(cap=4_000_000)  # mutated headers may claim large sizes: keep each example quick
    try:
        im = decode_image(data, draft_size=draft, max_seconds=5, admit_pixels=budget)
    except RejectedFile as exc:
        assert str(exc)
        return
    assert im.mode == "RGB" and im.size[0] * im.size[1] <= 4_000_000
    assert square(im, 8).shape == (8, 8, 3)
