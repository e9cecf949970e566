"""ingest_*: every source ends as (N, S, S, 3) uint8 images, (N, 96, 96, 3) thumbnails and
one row per image; small datasets warn; bad arguments store nothing."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ssl_core.data.decode import decode_image, letterbox, square
from ssl_core.data.ingest import (
    DEFAULT_BATCH, THUMB_SIZE, IngestError, ingest_entries, ingest_path, ingest_uploads, upload_name,
)
from ssl_core.data.sources import Candidate, Rejection

FORMATS = [  # file name, format, save options, colour, tolerance
    ("a.jpg", "JPEG", {"quality": 95}, (200, 30, 30), 6),
    ("b.png", "PNG", {}, (30, 200, 30), 0),
    ("c.webp", "WEBP", {"lossless": True}, (30, 30, 200), 0),
    ("d.bmp", "BMP", {}, (200, 200, 30), 0),
    ("e.tif", "TIFF", {}, (30, 200, 200), 0),
    ("f.gif", "GIF", {}, (255, 0, 255), 0),
]


def test_every_format_in_one_import(workspace, make):
    files = [(name, make.solid(colour, size=(20, 12), fmt=fmt, **save))
             for name, fmt, save, colour, _ in FORMATS]
    report = ingest_uploads(workspace, files, name="mixed", size=8)
    info = workspace.dataset("mixed")
    images, thumbs = workspace.images(info), workspace.thumbnails(info)
    assert report.images == info.image_count == len(FORMATS) and report.rejected == []
    assert images.shape == (len(FORMATS), 8, 8, 3) and images.dtype == np.uint8
    assert thumbs.shape == (len(FORMATS), THUMB_SIZE, THUMB_SIZE, 3) and thumbs.dtype == np.uint8
    for image, (*_, colour, tolerance) in zip(images, FORMATS):
        assert np.abs(image.astype(int) - colour).max() <= tolerance
    rows = workspace.image_rows(info)
    assert [r["name"] for r in rows] == [f[0] for f in FORMATS]
    assert {(r["width"], r["height"]) for r in rows} == {(20, 12)}
    assert info.size_px == 8 and info.source == "upload: a.jpg, b.png, c.webp ..."


def test_stored_images_are_the_centre_crop_and_the_thumbnails_the_whole_image(workspace, make):
    data = make.noise(size=(40, 30))
    ingest_uploads(workspace, [("n.png", data)], name="t", size=16)
    info = workspace.dataset("t")
    assert (workspace.images(info)[0] == square(decode_image(data), 16)).all()
    assert (workspace.thumbnails(info)[0] == letterbox(decode_image(data), THUMB_SIZE)).all()
    assert sorted(p.name for p in workspace.dataset_dir(info).iterdir()) == [
        "images.npy", "thumbs.npy"]
    assert info.bytes == sum(p.stat().st_size for p in workspace.dataset_dir(info).iterdir())


def test_thumbnails_of_a_large_jpeg_are_not_upscaled_from_a_small_draft(workspace):
    """A small training size must not make JPEG decode so small that the 96 px thumbnail
    is blown up from fewer pixels."""
    blocks = np.random.default_rng(0).integers(0, 256, (128, 128, 3), dtype=np.uint8)
    pixels = np.kron(blocks, np.ones((4, 4, 1), dtype=np.uint8))  # 512 x 512, 4 px blocks
    data = io.BytesIO()
    Image.fromarray(pixels).save(data, "JPEG", quality=95)
    ingest_uploads(workspace, [("big.jpg", data.getvalue())], name="t", size=16)
    thumb = workspace.thumbnails(workspace.dataset("t"))[0].astype(int)
    full = letterbox(decode_image(data.getvalue()), THUMB_SIZE).astype(int)
    assert np.abs(thumb - full).mean() < 10  # about 20 when decoded at 64 px


def test_one_image_imports_with_a_warning(workspace, make):
    report = ingest_uploads(workspace, [("only.png", make.solid())], name="t")
    assert report.images == 1
    assert any("only one image" in w for w in report.warnings)
    assert workspace.images(workspace.dataset("t")).shape == (1, 64, 64, 3)


def test_fewer_than_a_typical_batch_imports_with_a_warning(workspace, make):
    files = [(f"{i}.png", make.solid((i, 0, 0), size=(8, 8))) for i in range(10)]
    report = ingest_uploads(workspace, files, name="t", size=8)
    assert report.images == 10
    assert any(f"Only 10 images, fewer than the default training batch of {DEFAULT_BATCH}" in w
               for w in report.warnings)


def test_a_default_batch_has_no_size_warning(workspace, make):
    files = [(f"{i}.png", make.noise((8, 8), seed=i)) for i in range(DEFAULT_BATCH)]
    report = ingest_uploads(workspace, files, name="t", size=8)
    assert report.images == DEFAULT_BATCH and report.warnings == []


def test_images_stored_alike_are_kept_and_said(workspace, make):
    """Walk 20: five byte-identical camera frames came in unsaid (a text import says its repeats); a
    re-encoding that differs in its stored pixels is no copy."""
    files = [(f"cam_{i:02d}.png", make.noise((16, 16), seed=i)) for i in range(DEFAULT_BATCH)]
    files += [("copy_a.png", files[3][1]), ("copy_b.png", files[3][1]), ("copy_c.png", files[7][1])]
    report = ingest_uploads(workspace, files, name="frames", size=16)
    assert report.images == DEFAULT_BATCH + 3
    assert report.warnings == [f"3 of {DEFAULT_BATCH + 3} images are stored with the same pixels as an earlier one at "
                               "16 px ('copy_a.png' as 'cam_03.png', 'copy_b.png' as 'cam_03.png', 'copy_c.png' as "
                               "'cam_07.png'): kept, each copy the other's nearest neighbour and trained on twice; "
                               "delete the copies to count each picture once"]


def test_pictures_that_show_almost_nothing_are_kept_and_said(workspace, make):
    """Walk 20: 33 nearly black frames and 15 grey ones among colour frames came in unsaid."""
    files = [(f"cam_{i:02d}.png", make.noise((16, 16), seed=i)) for i in range(DEFAULT_BATCH)]
    grey = Image.open(io.BytesIO(make.noise((16, 16), seed=99))).convert("L")
    files += [("dark.png", make.solid((12, 9, 20), size=(16, 16))), ("blank.png", make.solid((200, 180, 90))),
              ("grey.png", make.encode(grey, "PNG"))]
    report = ingest_uploads(workspace, files, name="frames", size=16)
    assert report.images == DEFAULT_BATCH + 3
    total = f"of {DEFAULT_BATCH + 3} images is"
    assert report.warnings == [
        f"1 {total} nearly black as stored (95% of its pixels darker than 25 of 255: dark.png): kept; delete such "
        "pictures where they are a covered lens or a failed exposure: there is little in them beyond their darkness",
        f"1 {total} one flat tone as stored (each channel's spread under 3 of 255: blank.png): kept; such pictures "
        "hold nothing to learn from, so delete them where they are blank frames",
        f"1 {total} grey or nearly so as stored (no pixel's channels differ by 16 of 255 or more), among "
        f"{DEFAULT_BATCH} colour pictures, the 2 above aside (grey.png): kept; an encoder may keep them apart from "
        "the colour ones whatever they show (the Evaluate page's shortcut check measures whether it does, given 10 "
        "of each)"]


def test_a_grey_photo_with_a_small_coloured_object_is_not_grey(workspace, make):
    """Walk 22: grey photos with a coloured shape drawn on them (about 1% of the picture) were
    called grey by the mean colour spread."""
    from ssl_core.data.looks import Looks

    photo = np.full((64, 64, 3), 120, np.uint8)
    photo[30:37, 30:37] = (230, 40, 200)  # 49 of 4,096 pixels: 1.2%
    looks = Looks()
    looks.add("shape.png", photo)
    looks.add("grey.png", np.full((64, 64, 3), 90, np.uint8) + np.arange(64, dtype=np.uint8)[:, None, None])
    assert looks.grey == ["grey.png"]


def test_a_grey_set_is_not_told_it_lacks_colour(workspace, make):
    """Grey pictures are named only among more colour ones: scans and digits are grey throughout."""
    files = [(f"{i}.png", make.encode(Image.open(io.BytesIO(make.noise((16, 16), seed=i))).convert("L"), "PNG"))
             for i in range(DEFAULT_BATCH)]
    assert ingest_uploads(workspace, files, name="scans", size=16).warnings == []


def test_the_small_dataset_warning_names_the_batch_training_uses_by_default(workspace, make):
    """The warning's batch is the engine's default (kept apart only so that ingest loads no torch)."""
    from ssl_core.engine import TrainConfig

    assert DEFAULT_BATCH == TrainConfig.batch_size
    files = [(f"{i}.png", make.noise((8, 8), seed=i)) for i in range(100)]
    assert ingest_uploads(workspace, files, name="hundred", size=8).warnings == []
    report = ingest_uploads(workspace, files[:10], name="ten", size=8)
    assert (f"Only 10 images, fewer than the default training batch of {TrainConfig.batch_size}: training "
            "will use smaller batches") in report.warnings


def test_images_smaller_than_the_stored_side_are_enlarged_with_a_warning(workspace, make):
    files = [("small.png", make.solid(size=(48, 48))), ("big.png", make.solid(size=(96, 80)))]
    report = ingest_uploads(workspace, files, name="t", size=64)
    assert ("1 of 2 images is smaller than the stored side of 64 px and was enlarged to it ('small.png', 48 x 48 "
            "px); a smaller stored side keeps it at its own size: 48 px keeps it") in report.warnings  # one: 'it'

    again = ingest_uploads(workspace, files, name="u", size=48)
    assert not any("enlarged" in w for w in again.warnings)
    tiny = ingest_uploads(workspace, [("dot.png", make.solid(size=(1, 1))), files[1]], name="v", size=64)
    assert ("1 of 2 images is smaller than the stored side of 64 px and was enlarged to it ('dot.png', 1 x 1 px); "
            "no smaller stored side offered keeps it at its own size (its short side is 1 px; the smallest offered "
            "is 32 px)") in tiny.warnings  # it advised "1 px or less"
    two = ingest_uploads(workspace, [("dot.png", make.solid(size=(1, 1))), ("dot2.png", make.solid(size=(2, 2)))],
                         name="w", size=64)
    assert ("2 of 2 images are smaller than the stored side of 64 px and were enlarged to it (for example 'dot.png', "
            "1 x 1 px); no smaller stored side offered keeps them at their own size (their short sides are 1 to 2 "
            "px; the smallest offered is 32 px)") in two.warnings


def test_the_advice_on_enlarged_images_counts_what_each_offered_side_keeps(workspace, make):
    """A stranger's 104 small images of short sides 55, 40 and 1 px were told 'a stored size of 61 px or less
    keeps them at their own size', a side the page does not offer and that keeps only some of them."""
    files = ([(f"a{i}.png", make.solid(size=(55, 90))) for i in range(3)]
             + [(f"b{i}.png", make.solid(size=(40, 60))) for i in range(2)] + [("thin.png", make.solid(size=(1, 60)))])
    report = ingest_uploads(workspace, files, name="t", size=64)
    assert ("6 of 6 images are smaller than the stored side of 64 px and were enlarged to it (for example 'a0.png', "
            "55 x 90 px); a smaller stored side keeps more of them at their own size: 48 px keeps 3, 32 px keeps 5 "
            "(the others are smaller still, down to 1 px)") in report.warnings
    assert ("1 of 6 images is at least 2 times as long one way as the other ('thin.png', 1 x 60 px): the stored "
            "centre square keeps at most 1/2 of it; were it stored whole and padded ('Whole picture, padded' on "
            "the Data page, --fit pad), none of it would be cut") in report.warnings  # walk 21 read 'as long as wide'
    # of wide ones; walk 31 read 'stored whole and padded instead' as what was done
    padded = ingest_uploads(workspace, files, name="whole", size=64, fit="pad")
    assert not any("times as long" in warning for warning in padded.warnings)
    assert workspace.dataset("whole").fit == "pad" and workspace.dataset("t").fit == "crop"


@pytest.mark.parametrize("name, size, message", [
    ("", 64, "needs a name"),
    ("   ", 64, "needs a name"),
    ("x" * 101, 64, "longer than 100"),
    ("ok", 7, "between 8 and 512 pixels, not 7"),
    ("ok", 513, "between 8 and 512 pixels, not 513"),
])
def test_bad_arguments_store_nothing(workspace, make, name, size, message):
    with pytest.raises(IngestError, match=message):
        ingest_uploads(workspace, make.goods(), name=name, size=size)
    assert workspace.datasets() == [] and list(workspace.datasets_dir.iterdir()) == []


def test_name_is_stripped(workspace, make):
    assert ingest_uploads(workspace, make.goods(), name="  pets \n").dataset == "pets"


@pytest.mark.parametrize("files, name", [
    (["mypics.zip"], "mypics"), (["C:\\photos\\holiday 2024.zip"], "holiday 2024"), ([".zip"], "uploaded"),
    (["a.png", "b.png"], "uploaded"),
])
def test_an_upload_without_a_name_is_named_after_its_one_file(files, name):
    assert upload_name(files) == name


def test_nothing_usable_raises_with_the_rejections_and_stores_nothing(workspace, make):
    with pytest.raises(IngestError, match="no image could be imported") as failed:
        ingest_uploads(workspace, [("a.jpg", b"nope"), ("b.png", b"")], name="t")
    assert [r["file"] for r in failed.value.rejected] == ["a.jpg", "b.png"]
    assert "empty file" in failed.value.rejected[1]["reason"]
    assert workspace.datasets() == [] and list(workspace.datasets_dir.iterdir()) == []
    with workspace.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM rejections").fetchone()[0] == 0


def test_progress_is_reported_for_every_entry(workspace, make):
    calls = []
    entries = [Candidate("a.png", "a.png", make.solid), Rejection("b.zip", "refused"),
               Candidate("c.png", "c.png", lambda: b"junk")]
    report = ingest_entries(workspace, entries, name="t", source="test",
                            progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert report.images == 1
    assert report.rejected == [{"file": "b.zip", "reason": "refused"},
                               {"file": "c.png", "reason": report.rejected[1]["reason"]}]


def test_a_failed_import_reports_the_keys_of_a_report(workspace, make):
    """What `ingest` prints when it fails has every key of a report, and the error."""
    good = ingest_uploads(workspace, make.goods(), name="good").to_json()
    with pytest.raises(IngestError) as failed:
        ingest_uploads(workspace, [("empty.png", b""), ("text.png", b"not an image")], name="t")
    said = failed.value.to_json()
    assert set(said) == set(good) | {"error"}
    assert said == {"dataset": None, "kind": "image", "images": 0, "labelled": 0, "labels_from": None,
                    "rejected": failed.value.rejected, "rejected_count": 2, "warnings": [],
                    "error": "no image could be imported; see the rejected files"}


def test_report_json(workspace, make):
    report = ingest_uploads(workspace, make.goods() + [("x.jpg", b"")], name="t")
    assert report.to_json() == {
        "dataset": "t", "kind": "image", "images": 2, "labelled": 0, "labels_from": None,
        "rejected": [{"file": "x.jpg", "reason": "empty file"}], "rejected_count": 1,
        "warnings": report.warnings}


def test_ingest_path_files_folder_and_errors(workspace, make, tmp_path):
    folder = tmp_path / "holiday"
    folder.mkdir()
    for name, data in make.goods():
        (folder / name).write_bytes(data)
    one = ingest_path(workspace, [str(folder / "good_red.png")])
    assert (one.dataset, one.images) == ("good_red", 1)
    both = ingest_path(workspace, [str(folder / "good_red.png"), str(folder / "good_blue.jpg")])
    assert (both.dataset, both.images) == ("holiday", 2)
    named = ingest_path(workspace, [str(folder)], name="trip", size=16)
    assert (named.dataset, named.images) == ("trip", 2)
    assert workspace.dataset("trip").source == str(folder)
    with pytest.raises(IngestError, match="not found: .*nowhere"):
        ingest_path(workspace, [str(tmp_path / "nowhere")])
    with pytest.raises(IngestError, match="no built-in dataset 'nope'; choose one of: shapes"):
        ingest_path(workspace, ["builtin:nope"])
    assert [d.name for d in workspace.datasets()] == ["good_red", "holiday", "trip"]


def test_ingest_path_names_a_folder_by_its_whole_name(workspace, make, tmp_path, monkeypatch):
    folder = tmp_path / "2024.05 trip"
    (folder / "inner").mkdir(parents=True)
    (folder / "a.png").write_bytes(make.solid())
    assert ingest_path(workspace, [str(folder)]).dataset == "2024.05 trip"
    monkeypatch.chdir(folder / "inner")
    assert ingest_path(workspace, [".."], replace=True).dataset == "2024.05 trip"
    monkeypatch.chdir(folder)
    assert ingest_path(workspace, ["."], replace=True).dataset == "2024.05 trip"
    assert [d.name for d in workspace.datasets()] == ["2024.05 trip"]


def test_ingest_path_mixes_folders_zips_and_files(workspace, make, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "loose.png").write_bytes(make.solid())
    (folder / "more.zip").write_bytes(make.zip([("z1.png", make.solid()), ("z2.png", make.solid())]))
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "s.png").write_bytes(make.solid())
    report = ingest_path(workspace, [str(folder / "loose.png"), str(folder / "more.zip"), str(sub)],
                         name="mixed")
    assert report.images == 4 and report.rejected == []
    names = [row["name"] for row in workspace.image_rows(workspace.dataset("mixed"))]
    assert names == ["loose.png", "more.zip/z1.png", "more.zip/z2.png", "s.png"]


def test_labels_csv_at_the_top_of_a_single_folder_is_used(workspace, make):
    archive = make.zip([
        ("pets/labels.csv", b"a.png,cat\nb.png,dog\n"),
        ("pets/a.png", make.solid()),
        ("pets/b.png", make.solid()),
    ])
    report = ingest_uploads(workspace, [("pets.zip", archive)], name="pets")
    assert (report.images, report.labelled, report.rejected) == (2, 2, [])
    assert workspace.labels(workspace.dataset("pets")) == ["cat", "dog"]


def test_labels_alike_but_for_capitals_are_named_and_kept_as_written(workspace, make):
    """Walk 32: a CSV with 'Deer' and 'deer' came in as 8 classes, not 4, with no word."""
    archive = make.zip([("labels.csv", b"a.png,Deer\nb.png,deer\nc.png,deer\nd.png,fox\ne.png,Fox \n")]
                       + [(f"{n}.png", make.solid((40 * i, 0, 0))) for i, n in enumerate("abcde")])
    report = ingest_uploads(workspace, [("cams.zip", archive)], name="cams")
    assert workspace.labels(workspace.dataset("cams")) == ["Deer", "deer", "deer", "fox", "Fox"]
    assert ("4 labels differ only in capitals or spaces from another ('Deer' (1), 'deer' (2); 'Fox' (1), 'fox' (1)), "
            "so each is a class of its own, as written; write them alike to make one class") in report.warnings
    plain = ingest_uploads(workspace, [("p.zip", make.zip([("labels.csv", b"a.png,cat\nb.png,dog\n"),
                                                           ("a.png", make.solid()), ("b.png", make.solid())]))],
                           name="plain")
    assert not [w for w in plain.warnings if "capitals" in w]


def test_csv_rows_naming_a_file_in_another_case_or_under_another_folder_label_it_and_say_so(workspace, make):
    """Walk 32: rows 'camtrap_flat/IMG_0000.jpg' and 'img_0002.JPG' for a folder's IMG_0000.jpg and
    IMG_0002.jpg named 'no imported image'. Where two files or two rows share a bare name, none is guessed."""
    csv = (b"camtrap_flat/IMG_0000.png,deer\nimg_0002.PNG,fox\nIMG_0003.png,boar\n"
           b"x/twin.png,deer\ny/TWIN.png,fox\nother/nothing.png,bird\n")
    files = [(f"IMG_000{i}.png", make.solid((40 * i, 9, 9))) for i in (0, 2, 3)] + [("twin.png", make.solid())]
    report = ingest_uploads(workspace, [("cams.zip", make.zip([("labels.csv", csv), *files]))], name="cams")
    assert workspace.labels(workspace.dataset("cams")) == ["deer", "fox", "boar", None]
    assert ("cams.zip/labels.csv: 2 rows name an image by its file name in another case or under folders the import "
            "does not have, and label them ('camtrap_flat/IMG_0000.png' as 'IMG_0000.png', 'img_0002.PNG' as "
            "'IMG_0002.png')") in report.warnings
    assert any(w.startswith("cams.zip/labels.csv: 3 rows name no imported image") for w in report.warnings)


def test_a_taken_name_fails_before_any_decoding(workspace, make):
    ingest_uploads(workspace, make.goods(), name="taken")
    calls = []
    with pytest.raises(IngestError, match="already exists"):
        ingest_uploads(workspace, make.goods(), name="taken", progress=lambda d, t: calls.append(d))
    assert calls == []


def test_an_import_that_would_fill_the_disk_is_refused_before_decoding(workspace, make, monkeypatch):
    """A shared app's visitor turned a 310 KB zip of 1x1 PNGs into 153.6 MB (2,000 images at
    128 px), with nothing checking the space left."""
    import shutil
    from collections import namedtuple

    from ssl_core.data import ingest

    usage, measured = namedtuple("usage", "total used free"), shutil.disk_usage
    monkeypatch.setattr(ingest.shutil, "disk_usage", lambda path: usage(10**10, 0, ingest.DISK_RESERVE + 10**6))
    files = [(f"{i}.png", make.solid((i, 0, 0), size=(1, 1))) for i in range(40)]
    with pytest.raises(IngestError, match=r"not enough disk: 40 images at 128 px need 0\.0 GB and the workspace's "
                                          r"disk has 1\.0 GB free, of which 1 GB stay free"):
        ingest_uploads(workspace, files, name="tiny", size=128)
    assert workspace.datasets() == [] and list(workspace.datasets_dir.iterdir()) == []
    monkeypatch.setattr(ingest.shutil, "disk_usage", measured)
    assert ingest_uploads(workspace, files, name="tiny", size=128).images == 40


def test_a_small_bright_subject_on_black_is_not_called_nearly_black():
    """Walk 39: 61 fluorescence cells on black (1.1-4.8% of their pixels bright) were called nearly black, 'delete
    such pictures where they are a covered lens or a failed exposure'; a black frame with a few hot pixels still is."""
    from ssl_core.data.looks import look_of

    cell = np.full((64, 64, 3), 6, np.uint8)
    cell[30:36, 30:36, 1] = 200  # a green nucleus: 36 of 4,096 pixels, 0.9%
    frame = np.full((64, 64, 3), 6, np.uint8)
    frame[0, :8] = 255  # 8 hot pixels: 0.2%
    assert look_of(cell) is None and look_of(frame) == "dark"
