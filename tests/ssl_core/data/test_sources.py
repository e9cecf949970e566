"""Sources: hostile archives, folders and file names are refused one entry at a time, with
a reason, while the good files of the same import go through; nothing is ever written
to disk by a name that came from the user."""

from __future__ import annotations

import io
import os
import struct
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from ssl_core.data.ingest import IngestError, ingest_entries, ingest_path, ingest_uploads
from ssl_core.data.sources import (
    Candidate, Limits, Rejection, _read_capped, folder_entries, is_os_clutter, upload_entries,
    zip_entries,
)
from ssl_core.data.text import printable

RED, BLUE = (255, 0, 0), (0, 0, 255)


def zip_with(make, *bad_members) -> bytes:
    """A zip of the two good images followed by `bad_members` ((name or ZipInfo, bytes))."""
    return make.zip(make.goods() + list(bad_members))


def central_headers(data: bytes):
    """(offset, file name) of each central directory header."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        yield at, data[at + 46 : at + 46 + name_len].decode()
        at = data.find(b"PK\x01\x02", at + 4)


def patched(data: bytes, member: str, local_at: int, central_at: int, patch) -> bytes:
    """`data` with `patch(bytearray, offset)` applied to `member`'s local header at
    `local_at` and its central header at `central_at` (offsets after the signature)."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    patch(out, info.header_offset + local_at)
    central = [at for at, name in central_headers(data) if name == member]
    assert len(central) == 1
    patch(out, central[0] + central_at)
    return bytes(out)


def ingest_zip(ws, data: bytes, name: str = "evil.zip", **kwargs):
    return ingest_uploads(ws, [(name, data)], name="t", **kwargs)


@pytest.fixture
def sandbox(tmp_path, monkeypatch, make):
    """Runs the test from a folder deep in tmp_path (so that a relative write by a
    hostile name would land inside tmp_path) and lists the files there before it."""
    cwd = tmp_path / "deep" / "cwd"
    cwd.mkdir(parents=True)
    monkeypatch.chdir(cwd)
    return make.files_under(tmp_path)


# -- hostile archive members ----------------------------------------------------------------
@pytest.mark.parametrize("member", ["../../escape.png", "ok/../../../escape.png",
                                    "..\\..\\escape.png"])
def test_zip_member_climbing_out_is_refused(workspace, make, expect, tmp_path, sandbox, member):
    report = ingest_zip(workspace, zip_with(make, (member, make.solid())))
    expect.rejected(report, workspace, f"evil.zip/{member}", "'..'", "refused")
    expect.nothing_outside(sandbox, make.files_under(tmp_path), workspace)
    assert not list(tmp_path.glob("**/escape.png"))


@pytest.mark.parametrize("member", ["/ABSOLUTE/abs_escape.png", "C:/abs_escape.png",
                                    "C:\\abs_escape.png"])
def test_zip_member_with_absolute_path_is_refused(workspace, make, expect, tmp_path, sandbox,
                                                  member):
    member = member.replace("/ABSOLUTE", str(tmp_path))
    report = ingest_zip(workspace, zip_with(make, (member, make.solid())))
    expect.rejected(report, workspace, f"evil.zip/{member}", "absolute path")
    expect.nothing_outside(sandbox, make.files_under(tmp_path), workspace)
    assert not (tmp_path / "abs_escape.png").exists()


def test_zip_symlink_member_is_refused(workspace, make, expect, tmp_path, sandbox):
    link = zipfile.ZipInfo("link")
    link.external_attr = 0o120777 << 16
    through = (zipfile.ZipInfo("link/through.png"), make.solid())  # would write via the link
    data = zip_with(make, (link, str(tmp_path / "outside").encode()))
    report = ingest_zip(workspace, data)
    expect.rejected(report, workspace, "evil.zip/link", "symbolic link")
    expect.nothing_outside(sandbox, make.files_under(tmp_path), workspace)
    # a file "through" the link is only ever read from the archive, never written
    report = ingest_uploads(workspace, [("evil2.zip", make.zip([(link, b"/tmp"), through]))],
                            name="t2")
    assert report.images == 1
    assert [r["file"] for r in report.rejected] == ["evil2.zip/link"]
    assert not (tmp_path / "outside").exists()
    expect.nothing_outside(sandbox, make.files_under(tmp_path), workspace)


def test_zip_bomb_member_is_refused_by_its_ratio(workspace, make, expect):
    data = zip_with(make, ("zeros.png", bytes(50 * 1024**2)))
    assert len(data) < 200_000
    report = ingest_zip(workspace, data)
    expect.rejected(report, workspace, "evil.zip/zeros.png", "compression ratio", "zip bomb")


def test_member_larger_than_its_header_says_is_refused():
    with pytest.raises(ValueError, match="zip bomb"):
        _read_capped(lambda: io.BytesIO(bytes(11)), 10)
    assert _read_capped(lambda: io.BytesIO(bytes(10)), 10) == bytes(10)


def test_too_many_entries_keeps_the_first_and_says_how_many_were_skipped(workspace, make,
                                                                       expect):
    members = [(f"img_{i}.png", make.solid((i * 30, 0, 0))) for i in range(7)]
    entries = list(zip_entries(make.zip(members), "many.zip", Limits(max_entries=5)))
    assert [e.name for e in entries[:5]] == [f"many.zip/img_{i}.png" for i in range(5)]
    assert all(isinstance(e, Candidate) for e in entries[:5])
    assert isinstance(entries[5], Rejection) and len(entries) == 6
    report = ingest_entries(workspace, entries, name="t", source="test")
    expect.rejected(report, workspace, "many.zip", "2 more files skipped", "5 files", good=5)


def test_upload_entries_pass_their_limits_on(workspace, make, expect):
    members = [(f"img_{i}.png", make.solid((i * 30, 0, 0))) for i in range(4)]
    entries = upload_entries([("many.zip", make.zip(members))], Limits(max_entries=3))
    report = ingest_entries(workspace, entries, name="t", source="test")
    expect.rejected(report, workspace, "many.zip", "1 more files skipped", good=3)


def test_total_bytes_cap(workspace, make, expect):
    members = [(f"img_{i}.png", make.noise(size=(16, 16), seed=i)) for i in range(4)]
    size = max(len(data) for _, data in members)
    entries = zip_entries(make.zip(members), "big.zip", Limits(max_total_bytes=int(2.5 * size)))
    report = ingest_entries(workspace, entries, name="t", source="test")
    expect.rejected(report, workspace, "big.zip", "2 more files skipped",
                    f"{int(2.5 * size):,} bytes")


def test_file_over_the_per_file_cap_is_refused(workspace, make, expect):
    big = make.noise(size=(64, 64))
    data = zip_with(make, ("huge.png", big))
    entries = zip_entries(data, "evil.zip", Limits(max_file_bytes=len(big) - 1))
    report = ingest_entries(workspace, entries, name="t", source="test")
    expect.rejected(report, workspace, "evil.zip/huge.png", "file too large", f"{len(big):,} bytes")


def test_encrypted_member_is_refused(workspace, make, expect):
    data = zip_with(make, ("secret.png", make.solid()))

    def set_encrypted(out: bytearray, at: int) -> None:
        out[at] |= 0x1

    data = patched(data, "secret.png", 6, 8, set_encrypted)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("secret.png").flag_bits & 0x1
    assert Rejection("evil.zip/secret.png", "encrypted; password-protected archives are not "
                     "supported") in list(zip_entries(data, "evil.zip"))  # refused unread
    report = ingest_zip(workspace, data)
    expect.rejected(report, workspace, "evil.zip/secret.png", "encrypted", "password")


def test_random_bytes_named_zip_are_refused(workspace, make, expect):
    junk = np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    report = ingest_uploads(workspace, make.goods() + [("random.zip", junk)], name="t")
    expect.rejected(report, workspace, "random.zip", "not a readable zip archive")


def test_truncated_zip_is_refused(workspace, make, expect):
    whole = make.zip([(f"img_{i}.png", make.noise(size=(16, 16), seed=i)) for i in range(4)])
    cut = whole[: len(whole) // 2]
    assert cut[:4] == b"PK\x03\x04"
    report = ingest_uploads(workspace, make.goods() + [("cut.zip", cut)], name="t")
    expect.rejected(report, workspace, "cut.zip", "not a readable zip archive")


def test_member_with_bad_crc_is_refused(workspace, make, expect):
    data = zip_with(make, ("badcrc.png", make.solid()))

    def flip_crc(out: bytearray, at: int) -> None:
        out[at : at + 4] = struct.pack("<I", struct.unpack_from("<I", out, at)[0] ^ 0xDEADBEEF)

    data = patched(data, "badcrc.png", 14, 16, flip_crc)
    report = ingest_zip(workspace, data)
    expect.rejected(report, workspace, "evil.zip/badcrc.png", "corrupt archive member", "CRC")


@pytest.mark.parametrize("method, reason", [(zipfile.ZIP_DEFLATED, "corrupt archive member"),
                                            (zipfile.ZIP_LZMA, "corrupt archive member"),
                                            (zipfile.ZIP_BZIP2, "invalid data stream")])
def test_member_with_corrupt_compressed_data_is_refused(workspace, make, expect, method, reason):
    members = make.goods() + [("garbled.bmp", make.noise(size=(32, 32), fmt="BMP"))]
    data = bytearray(make.zip(members, compression=method))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("garbled.bmp")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start : start + 40] = bytes(b ^ 0xFF for b in data[start : start + 40])
    report = ingest_zip(workspace, bytes(data))
    expect.rejected(report, workspace, "evil.zip/garbled.bmp", reason)


def test_nested_zip_is_refused(workspace, make, expect):
    inner = make.zip([("inside.png", make.solid())])
    report = ingest_zip(workspace, zip_with(make, ("inner.zip", inner)))
    expect.rejected(report, workspace, "evil.zip/inner.zip", "nested archive")


def test_nested_zip_under_another_name_is_refused(workspace, make, expect):
    inner = make.zip([("inside.png", make.solid())])
    report = ingest_zip(workspace, zip_with(make, ("disguised.png", inner)))
    expect.rejected(report, workspace, "evil.zip/disguised.png", "nested archive")


def test_duplicate_member_names_are_both_kept_with_a_warning(workspace, make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate
        data = make.zip([("same.png", make.solid(RED)), ("same.png", make.solid(BLUE)),
                         ("other.png", make.solid())])
    report = ingest_zip(workspace, data, name="dup.zip")
    info = workspace.dataset("t")
    assert report.images == 3 and report.rejected == []
    assert [r["name"] for r in workspace.image_rows(info)] == [
        "dup.zip/same.png", "dup.zip/same.png", "dup.zip/other.png"]
    stored = workspace.images(info)
    assert (stored[0] == RED).all() and (stored[1] == BLUE).all()
    assert "1 file name occurs more than once ('dup.zip/same.png'); each copy is kept under its own id" in \
        report.warnings  # said in the singular (walk 14: '1 file names occur')


def test_os_clutter_in_a_zip_is_skipped_unread_and_counted(workspace, make):
    data = make.zip([("photos/", b""), ("photos/a.png", make.solid()),
                     ("__MACOSX/photos/._a.png", b"\x00\x05\x16\x07"), ("photos/.DS_Store", b"x"),
                     ("Thumbs.db", b"x"), ("photos/b.png", make.solid(BLUE))])
    report = ingest_zip(workspace, data, name="mac.zip")
    assert report.images == 2 and report.rejected == []
    assert [r["name"] for r in workspace.image_rows(workspace.dataset("t"))] == [
        "mac.zip/photos/a.png", "mac.zip/photos/b.png"]
    said = ("3 files were skipped unread, what the operating system adds to folders and archives, not the user's: "
            "mac.zip/__MACOSX/photos/._a.png, mac.zip/photos/.DS_Store, mac.zip/Thumbs.db")
    assert said in report.warnings  # walk 14: the report's count differed from the archive's, unsaid
    assert said in workspace.import_warnings(workspace.dataset("t"))  # kept with the dataset


def test_os_clutter_uploaded_on_its_own_is_skipped_as_in_a_zip(workspace, make):
    """Walk 14: refused as 'not a supported image' uploaded alone, skipped unsaid in a zip."""
    report = ingest_uploads(workspace, [*make.goods(), (".DS_Store", b"\x00\x00\x00\x01Bud1"),
                                        ("Thumbs.db", b"\xd0\xcf\x11\xe0")], name="loose")
    assert report.rejected == []
    assert [w for w in report.warnings if "skipped unread" in w] == [
        "2 files were skipped unread, what the operating system adds to folders and archives, not the user's: "
        ".DS_Store, Thumbs.db"]
    with pytest.raises(IngestError) as alone:  # walk 15: 'no files were given'
        ingest_uploads(workspace, [(".DS_Store", b"\x00\x00\x00\x01Bud1")], name="alone")
    assert str(alone.value) == ("no image could be imported: the only file given (.DS_Store) is what the operating "
                                "system adds to folders, skipped unread")


def test_zip_from_a_path_is_read_in_place(workspace, make, tmp_path):
    path = tmp_path / "pics.zip"
    path.write_bytes(zip_with(make, ("../x.png", make.solid())))
    before = make.files_under(tmp_path)
    report = ingest_path(workspace, [str(path)])
    assert report.dataset == "pics" and report.images == 2
    assert [r["file"] for r in report.rejected] == ["pics.zip/../x.png"]
    new = make.files_under(tmp_path) - before
    assert all(workspace.root in p.parents for p in new)


# -- hostile file names -------------------------------------------------------------------
HOSTILE = {
    "<script>alert(1)</script>.png": "<script>alert(1)</script>.png",
    "line\nbreak.png": "line\\nbreak.png",
    "tab\tand\rcr.png": "tab\\tand\\rcr.png",
    "bell\x07\x1b[31mred.png": "bell\\x07\\x1b[31mred.png",
    "gnp.\u202eevil.png": "gnp.\\u202eevil.png",
    "../../etc/passwd.png": "../../etc/passwd.png",
    "x" * 300 + ".png": "x" * 300 + ".png",
}


def test_hostile_upload_names_are_stored_as_escaped_text(workspace, make, expect, tmp_path,
                                                        sandbox):
    files = [(name, make.solid((i * 30, 0, 0))) for i, name in enumerate(HOSTILE)]
    report = ingest_uploads(workspace, files, name="t")
    stored = [r["name"] for r in workspace.image_rows(workspace.dataset("t"))]
    assert report.images == len(HOSTILE)
    assert stored == list(HOSTILE.values())
    assert all(name.isprintable() for name in stored)
    expect.nothing_outside(sandbox, make.files_under(tmp_path), workspace)
    assert not Path("../../etc/passwd.png").exists()  # relative to the sandbox's cwd


def test_hostile_names_of_rejected_files_are_escaped_too(workspace, make):
    report = ingest_uploads(workspace, make.goods() + [("bad\n\u202e.png", b"junk")], name="t")
    assert [r["file"] for r in report.rejected] == ["bad\\n\\u202e.png"]
    assert workspace.rejections(workspace.dataset("t"))[0]["file"] == "bad\\n\\u202e.png"


def test_hostile_member_names_in_a_zip_are_escaped(workspace, make, expect, tmp_path, sandbox):
    data = make.zip([("a\nb.png", make.solid()), ("\u202egnp.png", make.solid(BLUE))])
    ingest_zip(workspace, data, name="z.zip")
    stored = [r["name"] for r in workspace.image_rows(workspace.dataset("t"))]
    assert stored == ["z.zip/a\\nb.png", "z.zip/\\u202egnp.png"]
    expect.nothing_outside(sandbox, make.files_under(tmp_path), workspace)


def test_hostile_dataset_name_is_escaped(workspace, make):
    report = ingest_uploads(workspace, make.goods(), name="my\ndata\u202e")
    assert report.dataset == "my\\ndata\\u202e"
    assert [d.name for d in workspace.datasets()] == ["my\\ndata\\u202e"]


def test_printable():
    assert printable("plain name.png") == "plain name.png"
    assert printable("caf\u00e9 \u732b.png") == "caf\u00e9 \u732b.png"  # letters are kept
    assert printable("a\x00b\u200bc") == "a\\x00b\\u200bc"
    assert printable("bad\udcffbyte") == "bad\\xffbyte"  # an undecodable file-system byte


def test_is_os_clutter():
    assert is_os_clutter("__MACOSX/a/._x.png")
    assert is_os_clutter("a/.DS_Store") and is_os_clutter("THUMBS.DB") and is_os_clutter("._x")
    assert not is_os_clutter("a/x.png") and not is_os_clutter("macosx/x.png")


# -- folders and uploads --------------------------------------------------------------------
def test_folder_entries_sorted_and_symlinks_refused(make, tmp_path):
    root = tmp_path / "pics"
    (root / "b").mkdir(parents=True)
    (root / "a.png").write_bytes(make.solid())
    (root / "b" / "c.png").write_bytes(make.solid())
    (root / ".DS_Store").write_bytes(b"x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(make.solid())
    (root / "link.png").symlink_to(outside / "secret.png")
    (root / "linked_dir").symlink_to(outside, target_is_directory=True)
    entries = list(folder_entries(root))
    assert [(type(e).__name__, e.name) for e in entries] == [
        ("Skipped", ".DS_Store"), ("Candidate", "a.png"), ("Rejection", "link.png"), ("Rejection", "linked_dir"),
        ("Candidate", "b/c.png")]
    assert "not a regular file" in entries[2].reason and "links" in entries[3].reason
    assert entries[4].inner == "b/c.png" and entries[4].read() == make.solid()


def test_a_symlinked_subfolder_is_rejected_with_a_reason(workspace, make, tmp_path):
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "g.png").write_bytes(make.solid())
    root = tmp_path / "pics"
    root.mkdir()
    for name, data in make.goods():
        (root / name).write_bytes(data)
    (root / "linkdir").symlink_to("../good", target_is_directory=True)
    report = ingest_path(workspace, [str(root)])
    assert report.images == 2
    assert report.rejected == [{"file": "linkdir",
                                "reason": "not a regular file (links, FIFOs and devices are skipped)"}]


def test_folder_with_a_zip_opens_it(make, tmp_path):
    root = tmp_path / "pics"
    root.mkdir()
    (root / "a.png").write_bytes(make.solid())
    (root / "more.zip").write_bytes(make.zip([("x.png", make.solid()), ("../y.png", b"")]))
    entries = list(folder_entries(root))
    assert [e.name for e in entries] == ["a.png", "more.zip/x.png", "more.zip/../y.png"]
    assert isinstance(entries[2], Rejection)


def test_folder_caps(make, tmp_path):
    root = tmp_path / "pics"
    root.mkdir()
    for i in range(4):
        (root / f"{i}.png").write_bytes(make.solid())
    entries = list(folder_entries(root, Limits(max_entries=2)))
    assert [e.name for e in entries] == ["0.png", "1.png", str(root)]
    assert "2 more files skipped" in entries[2].reason and entries[2].count == 2


def test_missing_folder_is_a_rejection(tmp_path):
    assert list(folder_entries(tmp_path / "nope")) == [
        Rejection(str(tmp_path / "nope"), "folder not found or not a directory")]


def test_undecodable_file_name_in_a_folder_is_escaped(workspace, make, tmp_path):
    root = tmp_path / "pics"
    root.mkdir()
    (root / "good.png").write_bytes(make.solid())
    try:
        fd = os.open(os.fsencode(root) + b"/bad\xffname.png", os.O_WRONLY | os.O_CREAT)
    except OSError:
        pytest.skip("this file system refuses non-UTF-8 names")
    os.write(fd, make.solid(BLUE))
    os.close(fd)
    report = ingest_path(workspace, [str(root)])
    assert report.images == 2
    names = [r["name"] for r in workspace.image_rows(workspace.dataset("pics"))]
    assert names == ["bad\\xffname.png", "good.png"]


def test_upload_of_a_zip_without_the_suffix_is_opened(make):
    data = make.zip([("x.png", make.solid())])
    entries = list(upload_entries([("archive.bin", data), ("plain.png", make.solid())]))
    assert [e.name for e in entries] == ["archive.bin/x.png", "plain.png"]
    assert all(isinstance(e, Candidate) for e in entries)


# -- caps that hold --------------------------------------------------------------------------
REFUSED_MEMBERS = {  # a member of each kind refused before reading, and its reason
    "dotdot": (lambda i: (f"../x{i}.png", b"x"), "'..'"),
    "absolute": (lambda i: (f"/abs/x{i}.png", b"x"), "absolute path"),
    "nested": (lambda i: (f"inner{i}.zip", b"PK"), "nested archive"),
    "ratio": (lambda i: (f"zeros{i}.png", bytes(2 * 1024**2)), "compression ratio"),
}


@pytest.mark.parametrize("kind", list(REFUSED_MEMBERS))
def test_refused_members_count_against_the_entry_cap(make, kind):
    member, reason = REFUSED_MEMBERS[kind]
    entries = list(zip_entries(make.zip([member(i) for i in range(7)] + make.goods()), "evil.zip",
                               Limits(max_entries=5)))
    assert len(entries) == 6 and all(isinstance(e, Rejection) for e in entries)
    assert all(reason in e.reason for e in entries[:5])
    assert entries[5] == Rejection("evil.zip", "4 more files skipped: over the caps of 5 files and "
                                   f"{Limits().max_total_bytes:,} bytes per import", count=4)


def test_an_archive_listing_far_more_entries_than_the_cap_is_refused_unparsed(make, monkeypatch):
    data = make.zip([(f"{i}.png", b"x") for i in range(16)])
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents",
                        lambda self: pytest.fail("the directory was parsed"))
    assert list(zip_entries(data, "many.zip", Limits(max_entries=5))) == [Rejection(
        "many.zip", "the archive lists 16 entries; more than 15 is refused unread "
                    "(the cap is 5 files per import)")]


def test_a_hostile_archive_stores_a_capped_rejection_list(workspace, make):
    """2,500 members climbing out: 1,000 listed one by one, the rest in one summary row; the
    counts add up in the report, the workspace and the CLI's JSON."""
    from ssl_core.data.rejections import rejected_total

    members = make.goods() + [(f"../../x{i}.png", b"x") for i in range(2500)]
    report = ingest_zip(workspace, make.zip(members))
    assert report.images == 2 and len(report.rejected) == 1001
    assert report.rejected[-1] == {"file": "... and 1,500 more like this",
                                   "reason": "path climbs out of the archive with '..'"}
    assert rejected_total(report.rejected) == 2500 == report.to_json()["rejected_count"]
    assert workspace.rejections(workspace.dataset("t")) == report.rejected


def test_the_summary_rows_are_capped_too():
    from ssl_core.data.rejections import KINDS, OTHER, RejectionList, rejected_total

    rejections = RejectionList(listed=2)
    for i in range(50):
        rejections.add(f"f{i}", f"reason {i} (detail {i})")
    rejections.add("big.zip", "20,002 more files skipped: over the caps of 5 files", count=20_002)
    rows = rejections.rows()
    assert len(rows) == 2 + KINDS + 1 and rows[-2] == {"file": f"... and {50 - 2 - KINDS + 1} more like this",
                                                        "reason": OTHER}
    assert rows[-1] == {"file": "big.zip", "reason": "20,002 more files skipped: over the caps of 5 files"}
    assert rejected_total(rows) == rejections.total == 50 + 20_002


class ChunkedUpload(io.BytesIO):
    """An uploaded file that records the largest read asked of it."""

    largest = 0

    def read(self, size=-1):
        ChunkedUpload.largest = max(ChunkedUpload.largest, size if size >= 0 else len(self.getbuffer()))
        return super().read(size)


def test_uploads_are_spooled_to_disk_in_chunks_and_imported(workspace, make):
    from ssl_core.data.sources import UploadSpool

    big = make.noise(size=(700, 700))  # about 1.5 MB: copied in pieces of at most 1 MiB
    files = [("big.png", ChunkedUpload(big)), ("pics.zip", ChunkedUpload(make.zip(make.goods()))),
             ("plain.png", make.solid())]
    with UploadSpool() as spool:
        entries = list(upload_entries(files, spool=spool))
        assert os.fstat(spool.file.fileno()).st_size == sum(
            len(f.getvalue()) if hasattr(f, "getvalue") else len(f) for _, f in files)
        assert [e.name for e in entries] == ["big.png", "pics.zip/good_red.png", "pics.zip/good_blue.jpg",
                                             "plain.png"]
        assert entries[0].read() == big
    assert 0 < ChunkedUpload.largest <= UploadSpool.CHUNK
    report = ingest_uploads(workspace, [(n, ChunkedUpload(d.getvalue()) if hasattr(d, "getvalue") else d)
                                        for n, d in files], name="t")
    assert report.images == 4 and report.rejected == []


def test_an_upload_over_the_per_file_cap_is_refused(workspace, make):
    big = make.noise(size=(64, 64))
    entries = list(upload_entries(make.goods() + [("huge.png", big)], Limits(max_file_bytes=len(big) - 1)))
    report = ingest_entries(workspace, entries, name="t", source="test")
    assert report.rejected == [{"file": "huge.png",
                                "reason": f"file too large ({len(big):,} bytes; the limit is {len(big) - 1:,})"}]


def test_an_upload_that_cannot_be_spooled_is_a_rejection(make, monkeypatch):
    from ssl_core.data.sources import UploadSpool

    def full(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(UploadSpool, "add", full)
    assert list(upload_entries([("a.png", make.solid())])) == [
        Rejection("a.png", "cannot be spooled to disk for reading (No space left on device)")]


def test_printable_escapes_a_lone_surrogate():
    assert printable("a\ud800b\udcff") == "a\\ud800b\\udcff"


def test_a_folder_comes_in_natural_order(tmp_path):
    """A user's coin1..coin10 are stored in the order a file browser shows them (text order
    put coin1, coin10, coin2 side by side in the Data page's grid); a folder's own files come
    before its subfolders', as os.walk gives them."""
    for name in ["coin10.png", "Coin2.png", "coin1.png", "b/x.png", "a10/x.png", "a9/x.png"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert [entry.name for entry in folder_entries(tmp_path)] == [
        "coin1.png", "Coin2.png", "coin10.png", "a9/x.png", "a10/x.png", "b/x.png"]
