"""decode_image: supported formats and modes become RGB uint8; bad files are refused with
a reason, and refusing them neither loads them nor stops the good files of an import."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ssl_core.data import decode
from ssl_core.data.decode import RejectedFile, decode_image, letterbox, square, to_rgb
from ssl_core.data.ingest import ingest_uploads

ROOT = Path(__file__).resolve().parents[3]
RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def pixels(data: bytes, **kwargs) -> np.ndarray:
    im = decode_image(data, **kwargs)
    assert im.mode == "RGB"
    out = np.asarray(im)
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3
    return out


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def grey_png(width: int, height: int) -> bytes:
    """A valid all-black 8-bit grey PNG, written row by row so that it is never held
    decoded in memory (a 8000x8000 one is about 64 KB)."""
    packer = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte + pixels
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


# -- formats -----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt, save, tolerance", [
    ("JPEG", {"quality": 95}, 6),
    ("PNG", {}, 0),
    ("WEBP", {"lossless": True}, 0),
    ("BMP", {}, 0),
    ("TIFF", {}, 0),
    ("GIF", {}, 0),
])
def test_each_supported_format_decodes_to_rgb(make, fmt, save, tolerance):
    data = make.solid((200, 40, 10), size=(24, 16), fmt=fmt, **save)
    out = pixels(data)
    assert out.shape == (16, 24, 3)
    assert np.abs(out.astype(int) - (200, 40, 10)).max() <= tolerance


def test_gif_uses_the_first_frame(make, workspace):
    frames = [Image.new("RGB", (16, 16), RED), Image.new("RGB", (16, 16), BLUE)]
    data = make.encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    assert (pixels(data) == RED).all()
    report = ingest_uploads(workspace, [("anim.gif", data), ("still.png", make.solid(RED, size=(16, 16)))],
                            name="gif", size=8)
    stored = workspace.images(workspace.dataset("gif"))
    assert report.images == 2
    assert (stored[0] == RED).all()
    assert ("1 of the 2 files imported holds more than one image (the pages of a TIFF stack, the frames of a GIF: 'anim.gif' "
            "holds 2); only its first was imported") in " ".join(report.warnings), report.warnings  # walk 17


def test_a_tiff_stack_says_it_kept_its_first_page(make, workspace):
    """Walk 17: a 4-page z-stack came in as its first page, unsaid."""
    pages = [Image.fromarray(np.full((8, 8), 1000 * (i + 1), dtype=np.uint16)) for i in range(4)]
    data = make.encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])
    report = ingest_uploads(workspace, [("stack.tif", data), ("one.tif", make.encode(pages[0], "TIFF"))],
                            name="stack", size=8)
    assert report.images == 2 and any("'stack.tif' holds 4" in w for w in report.warnings), report.warnings


def test_a_16_bit_rgb_tiff_stored_plane_by_plane_is_read_right():
    """Walk 17: Pillow decodes a TIFF of 16-bit samples stored plane by plane (PlanarConfiguration
    2, microscopes write it) into coloured noise, without an error; tifffile reads it."""
    tifffile = pytest.importorskip("tifffile")
    rgb = np.zeros((12, 20, 3), dtype=np.uint16)
    rgb[..., 0], rgb[..., 1] = np.linspace(0, 65535, 20)[None, :], 30000
    rgb[..., 2] = np.linspace(0, 65535, 12)[:, None]
    for planar, data in (("separate", np.moveaxis(rgb, -1, 0)), ("contig", rgb)):
        buffer = io.BytesIO()
        tifffile.imwrite(buffer, data, planarconfig=planar, photometric="rgb")
        assert np.abs(pixels(buffer.getvalue(), depth="range").astype(int) - rgb // 257).max() <= 1, planar


def orientation_6_jpeg(make, size=(40, 20)) -> bytes:
    """Left half red, right half blue, stored landscape with EXIF Orientation=6 (the
    camera was turned: display it rotated 90 degrees clockwise)."""
    im = Image.new("RGB", size, BLUE)
    im.paste(RED, (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x0112] = 6
    return make.encode(im, "JPEG", quality=95, exif=exif.tobytes())


def test_exif_orientation_is_applied(make):
    out = pixels(orientation_6_jpeg(make))
    assert out.shape == (40, 20, 3)  # (height, width): width and height swapped
    assert np.abs(out[5, 10].astype(int) - RED).max() < 20  # the left half is now on top
    assert np.abs(out[35, 10].astype(int) - BLUE).max() < 20


def test_exif_orientation_gives_the_turned_size_in_the_rows(make, workspace):
    ingest_uploads(workspace, [("turned.jpg", orientation_6_jpeg(make))], name="o", size=8)
    row = workspace.image_rows(workspace.dataset("o"))[0]
    assert (row["width"], row["height"]) == (20, 40)


def test_rows_keep_the_original_size_of_a_large_jpeg(make, workspace):
    """JPEG is decoded at a reduced scale (draft) for speed; the rows still record the
    size of the file the user gave."""
    data = make.noise(size=(1024, 512), fmt="JPEG")
    assert decode_image(data, draft_size=64).info["original_size"] == (1024, 512)
    ingest_uploads(workspace, [("big.jpg", data)], name="big", size=16)
    row = workspace.image_rows(workspace.dataset("big"))[0]
    assert (row["width"], row["height"]) == (1024, 512)


def test_draft_never_goes_below_the_requested_side(make):
    data = make.noise(size=(1024, 512), fmt="JPEG")
    assert min(decode_image(data, draft_size=64).size) >= 64
    assert decode_image(data).size == (1024, 512)


# -- modes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
def test_cmyk_becomes_rgb(make, fmt):
    data = make.encode(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), fmt)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    assert np.abs(pixels(data).astype(int) - RED).max() <= 3


def test_palette_becomes_rgb(make):
    im = Image.new("P", (8, 8), 1)
    im.putpalette([0, 0, 0, 10, 200, 30] + [0] * (256 * 3 - 6))
    assert (pixels(make.encode(im, "PNG")) == (10, 200, 30)).all()


def test_transparent_palette_pixels_become_white(make):
    im = Image.new("P", (8, 8), 1)
    im.putpalette([0, 0, 0, 10, 200, 30] + [0] * (256 * 3 - 6))
    im.paste(0, (0, 0, 4, 8))
    out = pixels(make.encode(im, "PNG", transparency=0))
    assert (out[:, :4] == WHITE).all()
    assert (out[:, 4:] == (10, 200, 30)).all()


def test_grey_alpha_becomes_rgb_on_white(make):
    im = Image.new("LA", (8, 8), (100, 255))
    im.paste((0, 0), (0, 0, 4, 8))  # transparent left half
    out = pixels(make.encode(im, "PNG"))
    assert (out[:, :4] == WHITE).all()
    assert (out[:, 4:] == 100).all()


def test_rgba_transparency_is_composited_onto_white(make):
    im = Image.new("RGBA", (8, 8), (0, 0, 255, 0))
    im.paste((255, 0, 0, 255), (4, 0, 8, 8))
    out = pixels(make.encode(im, "PNG"))
    assert (out[:, :4] == WHITE).all() and (out[:, 4:] == RED).all()


@pytest.mark.parametrize("mode, clear, solid", [("L", 50, 80), ("RGB", (9, 9, 9), (1, 2, 3))])
def test_transparent_colour_of_grey_and_rgb_png_becomes_white(make, mode, clear, solid):
    im = Image.new(mode, (8, 8), clear)
    im.paste(solid, (0, 0, 4, 8))
    out = pixels(make.encode(im, "PNG", transparency=clear))  # a tRNS chunk, no alpha channel
    assert (out[:, 4:] == WHITE).all()
    assert (out[:, :4] == solid).all()


def test_one_bit_becomes_black_and_white_rgb(make):
    im = Image.new("1", (8, 8), 0)
    im.paste(1, (0, 0, 4, 8))
    out = pixels(make.encode(im, "PNG"))
    assert (out[:, :4] == WHITE).all() and (out[:, 4:] == 0).all()


def test_16_bit_grey_is_scaled_by_its_type_not_clipped(make):
    grey = np.array([[65535, 32768, 257, 0]], dtype=np.uint16)
    data = make.encode(Image.fromarray(grey), "PNG")
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    out = pixels(data, depth="range")
    assert out[0, :, 0].tolist() == [255, 128, 1, 0]
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()
    assert decode_image(data).info["deep"] and not decode_image(make.solid((1, 2, 3))).info["deep"]


def test_dim_16_bit_grey_is_stretched_by_its_own_percentiles(make):
    """Walk 49: sky frames at 1,000 of 65,535 counts with noise of 200 and a galaxy up to 1,200 above were stored
    at 4 of 255 by the type's range, the galaxy 2-5 levels above the sky. Stretched from their own 0.5th to 99.5th
    percentile, the sky's noise and the galaxy span the 8 bits; a star far brighter than both is clipped."""
    rng = np.random.default_rng(0)
    sky = 1000 + 200 * rng.normal(size=(64, 64))
    sky[24:40, 24:40] += 1200  # the galaxy
    sky[5, 5] = 17000  # a star
    data = make.encode(Image.fromarray(np.clip(sky, 0, 65535).astype(np.uint16)), "PNG")
    by_type, stretched = pixels(data, depth="range")[..., 0], pixels(data)[..., 0]
    assert by_type.max() == 66 and by_type[24:40, 24:40].mean() - by_type[:16, :16].mean() < 5
    assert stretched[5, 5] == 255 and stretched[24:40, 24:40].mean() - stretched[:16, :16].mean() > 80
    flat = make.encode(Image.fromarray(np.full((4, 4), 30000, dtype=np.uint16)), "PNG")
    assert (pixels(flat) == 117).all()  # one level: its type's, not black


def test_16_bit_grey_transparent_value_becomes_white(make):
    """A tRNS chunk on 16-bit grey: its transparent pixels kept their grey (black here), as if
    no transparency; 8-bit grey and RGB composite them onto white."""
    grey = np.array([[0, 0, 32768, 65535]], dtype=np.uint16)
    data = make.encode(Image.fromarray(grey), "PNG", transparency=0)
    assert Image.open(io.BytesIO(data)).info["transparency"] == 0
    out = pixels(data, depth="range")
    assert out[0, :, 0].tolist() == [255, 255, 128, 255]
    assert pixels(data)[0, :, 0].tolist() == [255, 255, 0, 255]  # stretched over the grey that is not transparent


def test_float_grey_is_scaled_by_its_range(make):
    grey = np.array([[-1.0, 0.0, 1.0]], dtype=np.float32)
    out = pixels(make.encode(Image.fromarray(grey, "F"), "TIFF"), depth="range")
    assert out[0, :, 0].tolist() == [0, 128, 255]


def test_a_stretch_reads_what_the_trim_keeps_and_sparse_pictures_by_their_extremes(make):
    """A review: a white banner cut off by the trim still set the 99.5th percentile (the frames stored nearly black);
    a few bright cells on a blank ground made the two percentiles meet, and fell back to the type's range (dark)."""
    from ssl_core.data.trim import parse_trim

    sky = np.full((100, 100), 1000, dtype=np.uint16) + np.random.default_rng(0).integers(0, 400, (100, 100),
                                                                                           dtype=np.uint16)
    sky[90:] = 65535  # the banner
    data = make.encode(Image.fromarray(sky), "PNG")
    assert pixels(data)[:90].mean() < 10 and pixels(data, trim=parse_trim("bottom 10"))[:90].mean() > 100
    cells = np.zeros((100, 100), dtype=np.uint16)
    cells[10:15, 20:27] = 3000
    assert pixels(make.encode(Image.fromarray(cells), "PNG"))[10:15, 20:27].min() == 255


def test_16_bit_colour_tiffs_are_stretched_however_their_samples_are_laid_out():
    """A review: a 16-bit RGB TIFF stored sample by sample (contiguous) was read by Pillow at its top 8 bits, dark
    and not stretched, where the same picture stored plane by plane was read by tifffile and stretched."""
    tifffile = pytest.importorskip("tifffile")
    rgb = (1000 + np.random.default_rng(0).integers(0, 400, (12, 20, 3))).astype(np.uint16)
    for planar, data in (("separate", np.moveaxis(rgb, -1, 0)), ("contig", rgb)):
        buffer = io.BytesIO()
        tifffile.imwrite(buffer, data, planarconfig=planar, photometric="rgb")
        assert decode_image(buffer.getvalue()).info["deep"] and pixels(buffer.getvalue()).mean() > 100, planar


def test_to_rgb_of_constant_float_image_is_black():
    out = np.asarray(to_rgb(Image.fromarray(np.full((2, 2), 7.0, dtype=np.float32), "F")))
    assert out.shape == (2, 2, 3) and (out == 0).all()


# -- resizing ------------------------------------------------------------------------------
def test_square_crops_the_centre():
    im = Image.new("RGB", (30, 10), RED)
    im.paste(GREEN, (10, 0, 20, 10))  # the centre third is green
    out = square(im, 8)
    assert out.shape == (8, 8, 3) and out.dtype == np.uint8
    assert (out[:, 1:-1] == GREEN).all()  # the edge columns blend in a little red


def test_letterbox_keeps_the_whole_image_and_pads():
    out = letterbox(Image.new("RGB", (40, 20), RED), 16, fill=(1, 2, 3))
    assert out.shape == (16, 16, 3) and out.dtype == np.uint8
    assert (out[0] == (1, 2, 3)).all() and (out[-1] == (1, 2, 3)).all()
    assert (out[8] == RED).all()


# -- refused files: each alone in decode_image, then beside good files in one import ------
def test_empty_file_is_refused(workspace, make, expect):
    with pytest.raises(RejectedFile, match="empty file"):
        decode_image(b"")
    report = ingest_uploads(workspace, make.goods() + [("empty.png", b"")], name="t")
    expect.rejected(report, workspace, "empty.png", "empty file")


def test_non_image_renamed_jpg_is_refused(workspace, make, expect):
    text = b"name,age\nalice,31\n" * 20
    with pytest.raises(RejectedFile, match="not a supported image"):
        decode_image(text)
    report = ingest_uploads(workspace, make.goods() + [("notes.jpg", text)], name="t")
    expect.rejected(report, workspace, "notes.jpg", "not a supported image")


@pytest.mark.parametrize("data, said", [
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(range(1, 200)),
     "a HEIC photo, the iPhone's format; export or share it as JPEG"),
    (b"\x00\x00\x00\x1cftypavif" + bytes(64), "an AVIF image; save it as PNG or JPEG"),
    (b"\x00\x00\x00\x20ftypisom" + bytes(64), "an MP4 or QuickTime video; take stills from it as JPEG or PNG"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document; export its pages as PNG or JPEG"),
    (b"8BPS\x00\x01" + bytes(20), "a Photoshop document; export it as PNG or JPEG"),
    (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
     "an SVG drawing, lines and shapes rather than pixels; export it as PNG"),
    ("caf\u00e9 ".encode() * 300, "a text file (expected JPEG, PNG, WebP, BMP, TIFF or GIF)"),  # longer than
])  # the bytes looked at, cut inside a character; what to do is the formats expected, said only where nothing else is
def test_a_known_kind_of_file_is_named_in_its_refusal(data, said):
    """Walk 14: an iPhone's photo was refused as only 'not a supported image', and then its
    advice was cut in the rejected files' column by the formats expected after it."""
    with pytest.raises(RejectedFile) as refused:
        decode_image(data)
    assert str(refused.value) == f"not a supported image: {said}"


def test_bytes_of_no_known_kind_are_refused_without_a_guess():
    with pytest.raises(RejectedFile) as refused:
        decode_image(bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8)))
    assert str(refused.value) == ("not a supported image (expected JPEG, PNG, WebP, BMP, TIFF or GIF): its "
                                  "first bytes are none of theirs, so it is another kind of file, or one damaged "
                                  "at its start")


@pytest.mark.parametrize("fmt, name", [("PNG", "PNG"), ("WEBP", "WebP"), ("TIFF", "TIFF"), ("BMP", "BMP")])
def test_a_file_that_starts_an_allowed_format_but_will_not_open_is_called_damaged(make, fmt, name):
    """Walk 20: a JPEG whose header was overwritten after its first bytes was 'not a supported
    image', as a PDF would be; text that starts 'BM' stays a text file, not a damaged BMP. (Pillow
    opens a JPEG whose segments after its first bytes are zeroed and refuses it as corrupt.)"""
    data = make.noise((32, 32), fmt=fmt)
    keep = 12  # past each signature (WebP's is 12 bytes)
    with pytest.raises(RejectedFile) as refused:
        decode_image(data[:keep] + bytes(40) + data[keep + 40 :])
    assert str(refused.value) == f"a damaged {name} file: it starts as one, but its header cannot be read"
    with pytest.raises(RejectedFile, match="a text file"):
        decode_image(b"BMW parts list, one per line\n")


def test_image_in_an_unsupported_format_is_refused(workspace, make, expect):
    tga = make.solid(RED, fmt="TGA")  # Pillow reads it, but TGA is not on the allowed list
    assert Image.open(io.BytesIO(tga)).format == "TGA"
    report = ingest_uploads(workspace, make.goods() + [("sneaky.png", tga)], name="t")
    expect.rejected(report, workspace, "sneaky.png", "not a supported image")


@pytest.mark.parametrize("fmt, name", [("JPEG", "cut.jpg"), ("PNG", "cut.png")])
def test_truncated_image_is_refused(workspace, make, expect, fmt, name):
    data = make.noise(size=(64, 64), fmt=fmt)
    half = data[: len(data) // 2]
    with pytest.raises(RejectedFile, match="truncated"):
        decode_image(half)
    report = ingest_uploads(workspace, make.goods() + [(name, half)], name="t")
    expect.rejected(report, workspace, name, "truncated")


def test_decompression_bomb_is_refused_before_decoding(workspace, make, expect):
    bomb = grey_png(8000, 8000)  # 64 M pixels > MAX_PIXELS
    assert len(bomb) < 200_000 and 8000 * 8000 > decode.MAX_PIXELS
    tracemalloc.start()
    try:
        with pytest.raises(RejectedFile, match="decompression bomb") as refused:
            decode_image(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "8000x8000" in str(refused.value)
    assert peak < 20 * 1024**2
    report = ingest_uploads(workspace, make.goods() + [("bomb.png", bomb)], name="t")
    expect.rejected(report, workspace, "bomb.png", "decompression bomb", "8000x8000")


def test_decompression_bomb_keeps_memory_bounded(tmp_path):
    """In a fresh process (so the peak is not an earlier test's), refusing the bomb raises
    the peak resident memory by far less than decoding it would (about 300 MB)."""
    path = tmp_path / "bomb.png"
    path.write_bytes(grey_png(8000, 8000))
    script = textwrap.dedent(f"""
        import resource
        from ssl_core.data.decode import RejectedFile, decode_image
        data = open({str(path)!r}, "rb").read()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            decode_image(data, draft_size=64)
            print("decoded")
        except RejectedFile:
            print("rejected")
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    outcome, grown_kib = done.stdout.split()
    assert outcome == "rejected"
    assert int(grown_kib) < 200 * 1024


@pytest.mark.parametrize("side, pixels", [(100_000, "10,000,000,000"), (20_000, "400,000,000"),
                                          (10_000, "100,000,000")])
def test_header_over_pillows_limit_is_refused_in_the_projects_words(make, side, pixels):
    """A header claiming more than Pillow's own limits (its warning at about 89 M pixels, its
    error at twice that) fails in Image.open: the reason gives the image's pixels and the
    project's cap, never Pillow's text or its cap."""
    data = bytearray(make.solid(RED, size=(4, 4)))
    data[16:24] = struct.pack(">II", side, side)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    with pytest.raises(RejectedFile) as refused:
        decode_image(bytes(data))
    assert str(refused.value) == f"decompression bomb refused: {pixels} pixels is over the limit of 40,000,000"


def test_max_pixels_is_the_limit(make, monkeypatch):
    monkeypatch.setattr(decode, "MAX_PIXELS", 100)
    assert pixels(make.solid(RED, size=(10, 10))).shape == (10, 10, 3)
    with pytest.raises(RejectedFile, match="11x10 pixels is over the limit of 100"):
        decode_image(make.solid(RED, size=(11, 10)))


# -- caps on decoding time and on an import's pixels --------------------------------------------
def test_decoding_longer_than_the_time_cap_is_refused(make):
    slow = make.noise(size=(1500, 1500))  # about 6.7 MB of PNG, read in many chunks
    with pytest.raises(RejectedFile, match=r"decoding took longer than the cap of 0.01 s per file"):
        decode_image(slow, max_seconds=0.01)
    assert pixels(slow).shape == (1500, 1500, 3)  # the default cap lets it through


def test_the_time_cap_holds_in_an_import(workspace, make, expect, monkeypatch):
    """A clock that moves 1 ms each time it is read: a small image is read in a few chunks
    (well under the 50 ms cap), the 6.7 MB one in about a hundred."""
    ticks = iter(range(10**9))
    monkeypatch.setattr(decode.time, "monotonic", lambda: next(ticks) / 1000)
    monkeypatch.setattr(decode, "MAX_DECODE_SECONDS", 0.05)
    report = ingest_uploads(workspace, make.goods() + [("slow.png", make.noise(size=(1500, 1500)))], name="t")
    expect.rejected(report, workspace, "slow.png", "decoding took longer than the cap of 0.05 s per file")


def test_an_import_stops_decoding_at_its_pixel_cap(workspace, make, monkeypatch):
    monkeypatch.setattr(decode, "MAX_IMPORT_PIXELS", 600)  # two 16x16 images fit, a third does not
    files = [(f"{i}.png", make.solid((i * 40, 0, 0))) for i in range(4)]
    report = ingest_uploads(workspace, files, name="t")
    assert report.images == 2
    assert report.rejected == [
        {"file": "2.png", "reason": "the import reached its cap of 600 decoded pixels (512 decoded before this file)"},
        {"file": "3.png", "reason": "the import reached its cap of 600 decoded pixels (512 decoded before this file)"}]


def test_the_pixel_budget_counts_what_a_jpeg_draft_really_decodes(make):
    budget = decode.PixelBudget(cap=10**9)
    im = decode_image(make.noise(size=(1024, 1024), fmt="JPEG"), draft_size=96, admit_pixels=budget)
    assert im.info["original_size"] == (1024, 1024)
    assert budget.used == 128 * 128  # decoded at 1/8 scale


def test_a_padded_picture_keeps_its_ends():
    """Walk 21: objects near a long side were cut off by the centre square (32 of 610 wholly)."""
    from ssl_core.data.decode import fitted

    wide = np.zeros((20, 60, 3), np.uint8)
    wide[:, :10] = (255, 0, 0)  # a red object at the left end
    image = Image.fromarray(wide)
    assert not (fitted(image, 30, "crop")[..., 0] > 200).any()  # cut away
    padded = fitted(image, 30, "pad")
    assert (padded[:, :4, 0] > 200).any() and padded.shape == (30, 30, 3)
    assert abs(int(padded[0, 15, 0]) - 255 // 6) <= 1 and padded[0, 15, 1:].max() == 0  # the bars: its mean colour
