"""Optional labels: a `filename,label` CSV (given, or labels.csv at the top of the import)
or class-named subfolders."""

from __future__ import annotations

import pytest

from ssl_core.data.ingest import LABELS_NOT_READ, IngestError, ingest_path, ingest_uploads
from ssl_core.data.labels import LabelsError, labels_from_folders, match_csv, parse_labels_csv

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def three(make) -> list[tuple[str, bytes]]:
    return [("a.png", make.solid(RED)), ("b.png", make.solid(BLUE)), ("c.png", make.solid())]


# -- parse_labels_csv ------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "filename,label\na.png,cat\nb.png,dog\n",
    "a.png,cat\nb.png,dog\n",
    "\ufeffFile,Label\r\n a.png , cat \r\n\r\nb.png,dog,extra column\r\n",
    "filename;label\na.png;cat\nb.png;dog\n",  # walk 32: as Excel writes CSV where ',' is the decimal mark
    "\na.png\tcat\nb.png\tdog\n",
])
def test_parse_labels_csv_with_and_without_header(text):
    assert parse_labels_csv(text.encode(), "x.csv").labels == {"a.png": "cat", "b.png": "dog"}


def test_malformed_rows_are_skipped_and_named_in_one_warning():
    """A row of one cell, or with no file name or no label, is skipped (not fatal, not silent);
    one warning counts them all and names their first lines; the good rows are kept."""
    data = b"a.png,cat\nonlyonecolumn\nb.png,\n,dog\n  ,  \nc.png,cow\nd.png\n\ne.png, \n"
    parsed = parse_labels_csv(data, "x.csv")
    assert parsed.labels == {"a.png": "cat", "c.png": "cow"}
    assert parsed.warnings == ["x.csv: 5 rows lack a file name or a label (line 2: 'onlyonecolumn' without a "
                               "label, line 3: 'b.png' without a label, line 4: label 'dog' without a file name and "
                               "2 more); they are skipped"]  # walk 17: 'line 2' alone named no file


def test_parse_labels_csv_quoted_commas():
    assert parse_labels_csv(b'"a, b.png","big, red"\n', "x.csv").labels == {"a, b.png": "big, red"}
    assert parse_labels_csv(b'deer;1.png,deer\nb.png,fox\n', "x.csv").labels == {"deer;1.png": "deer", "b.png": "fox"}


@pytest.mark.parametrize("data, message", [
    (b"onlyonecolumn\n,dog\n", r"x\.csv: no 'filename,label' rows; 2 rows lack a file name or a label "
                                r"\(line 1: 'onlyonecolumn' without a label, line 2: label 'dog' without a file "
                                r"name\); they are skipped"),
    (b"\xff\xfe\x00junk", r"x\.csv: not UTF-8 text"),
    (b"filename,label\n", r"x\.csv: no 'filename,label' rows"),
    (b"", r"x\.csv: no 'filename,label' rows"),
])
def test_parse_labels_csv_errors_name_the_file_and_the_reason(data, message):
    with pytest.raises(LabelsError, match=message):
        parse_labels_csv(data, "x.csv")


def test_match_csv_accepts_full_path_path_without_top_folder_or_bare_name():
    labels = {"top/cats/1.png": "full", "dogs/2.png": "inner", "3.png": "bare"}
    paths = ["top/cats/1.png", "top/dogs/2.png", "x/y/3.png", "top/4.png"]
    assert match_csv(labels, paths) == ["full", "inner", "bare", None]


# -- labels_from_folders ---------------------------------------------------------------------
@pytest.mark.parametrize("paths, expected", [
    (["cat/1.png", "dog/2.png", "cat/3.png"], ["cat", "dog", "cat"]),
    (["pets/cat/1.png", "pets/dog/2.png"], ["cat", "dog"]),  # one top folder is dropped
    (["a/b/pets/cat/1.png", "a/b/pets/dog/2.png"], ["cat", "dog"]),
    (["pets/cat/x/1.png", "pets/dog/y/2.png"], ["cat", "dog"]),  # first folder is the class
    (["cat/1.png", "2.png"], None),  # not every file is in a class folder
    (["cat/1.png", "cat/2.png"], None),  # one class is no labelling
    (["pets/cat/1.png", "pets/2.png"], None),
    (["cat/1.png", "dog/2.png", "3.png"], ["cat", "dog", None]),  # a file outside the class folders
    (["pets/cat/1.png", "pets/dog/2.png", "pets/3.png"], ["cat", "dog", None]),
    ([], None),
])
def test_labels_from_folders(paths, expected):
    assert labels_from_folders(paths) == expected


@pytest.mark.parametrize("paths, origins, expected", [
    (["a/cat/1.png", "a/dog/2.png", "cat/3.png", "dog/4.png"], ["1.zip", "1.zip", "2.zip", "2.zip"],
     ["cat", "dog", "cat", "dog"]),  # each source drops its own shared folders
    (["cat/1.png", "cat/2.png", "dog/3.png"], ["cats.zip", "cats.zip", "dogs.zip"],
     ["cat", "cat", "dog"]),  # a source that is one class folder keeps it
    (["cat/1.png", "2.png"], ["cats.zip", ""], None),  # one class is no labelling
])
def test_labels_from_folders_per_source(paths, origins, expected):
    assert labels_from_folders(paths, origins) == expected


# -- labels in an import ----------------------------------------------------------------------
@pytest.mark.parametrize("csv", [b"filename,label\na.png,cat\nb.png,dog\nc.png,cat\n",
                                 b"a.png,cat\nb.png,dog\nc.png,cat\n"])
def test_csv_labels_an_upload(workspace, make, csv):
    report = ingest_uploads(workspace, three(make), name="t", labels_csv=csv)
    info = workspace.dataset("t")
    assert report.labelled == 3 and not any("no row" in w for w in report.warnings)
    assert info.has_labels
    assert workspace.labels(info) == ["cat", "dog", "cat"]
    assert workspace.label_counts(info) == {"cat": 2, "dog": 1}


def test_csv_with_missing_rows_warns(workspace, make):
    report = ingest_uploads(workspace, three(make), name="t", labels_csv=b"a.png,cat\nc.png,dog\n")
    assert workspace.labels(workspace.dataset("t")) == ["cat", None, "dog"]
    assert report.labelled == 2
    assert "1 of 3 images has no row in labels CSV ('b.png'); it is unlabelled" in report.warnings  # named: walk 27


def test_an_image_whose_row_was_skipped_is_not_said_to_have_no_row(workspace, make):
    """Walk 17: "31 of 163 images have no row" where 30 had none and one a row without a label."""
    report = ingest_uploads(workspace, three(make), name="t", labels_csv=b"a.png,cat\nb.png,\nzz.png,dog\n")
    assert workspace.labels(workspace.dataset("t")) == ["cat", None, None]
    assert "labels CSV: 1 row names no imported image ('zz.png' on line 3)" in report.warnings  # no "for example"
    assert "1 of 3 images has no row in labels CSV ('c.png'); it is unlabelled" in report.warnings
    assert ("1 of 3 images has only a row that was skipped in labels CSV (said above); it is unlabelled"
            in report.warnings), report.warnings


def test_rows_naming_no_imported_image_are_counted_and_named(workspace, make):
    csv = b"a.png,cat\nb.png,dog\nc.png,cat\n\nnonexistent.png,dog\nd\x1b.png,cat\n"
    report = ingest_uploads(workspace, three(make), name="t", labels_csv=csv, labels_source="l2.csv")
    assert report.labelled == 3
    assert report.warnings.count("l2.csv: 2 rows name no imported image (for example 'nonexistent.png' on "
                                 "line 5, 'd\\\\x1b.png' on line 6)") == 1  # escaped, then quoted


def test_a_csv_labelling_none_of_the_images_leaves_the_class_folders_their_labels(workspace, make):
    members = [(f"shapes/{shape}/{i}.png", make.noise((8, 8), seed=i)) for shape in ("circle", "square", "triangle")
               for i in range(4)]
    csv = b"filename,label\nother1.png,x\nother2.png,y\nother3.png,x\nother4.png,y\n"
    report = ingest_uploads(workspace, [("shapes.zip", make.zip(members))], name="t", size=8, labels_csv=csv,
                            labels_source="l2.csv")
    assert report.labelled == 12
    assert workspace.label_counts(workspace.dataset("t")) == {"circle": 4, "square": 4, "triangle": 4}
    assert ("l2.csv: no row names one of the 12 imported images (for example 'other1.png' on line 2, "
            "'other2.png' on line 3, 'other3.png' on line 4 and 'other4.png' on line 5); the labels come from the "
            "class folders instead") in report.warnings
    assert not any("no row in" in w or "name no imported image" in w for w in report.warnings)


def test_a_csv_labelling_none_of_a_flat_import_says_it_is_unlabelled(workspace, make):
    report = ingest_uploads(workspace, three(make), name="t", labels_csv=b"x.png,cat\n", labels_source="l2.csv")
    assert report.labelled == 0
    assert ("l2.csv: no row names one of the 3 imported images (for example 'x.png' on line 1); the images "
            "are unlabelled") in report.warnings


@pytest.mark.parametrize("csv, why", [
    (b"just-a-name\n", "labels CSV: no 'filename,label' rows; 1 row lacks a file name or a label (line 1: "
                      "'just-a-name' without a label); "),
    (b"a.png,caf\xe9\n", "labels CSV: not UTF-8 text"),  # Latin-1
    (b'a.png,"cat\nb.png,dog\n', "labels CSV, line 1: a quote opened here is never closed"),
])
def test_an_unusable_csv_leaves_the_images_unlabelled_and_says_why(workspace, make, csv, why):
    """The images are the good part of the import: a labels file that cannot be read threw all
    of them away after they were decoded ('Nothing was imported: labels.csv: not UTF-8 text')."""
    report = ingest_uploads(workspace, three(make), name="t", labels_csv=csv)
    assert report.images == 3 and report.labelled == 0
    (said,) = [w for w in report.warnings if w.startswith("labels CSV")]
    assert said.startswith(why) and said.endswith(", so it was not used; the images are unlabelled")


def test_class_subfolders_in_a_zip(workspace, make):
    data = make.zip([("cat/1.png", make.solid(RED)), ("dog/2.png", make.solid(BLUE)),
                     ("cat/3.png", make.solid())])
    report = ingest_uploads(workspace, [("pets.zip", data)], name="t")
    assert report.labelled == 3
    assert workspace.labels(workspace.dataset("t")) == ["cat", "dog", "cat"]


def test_one_subfolder_is_no_class_and_the_import_says_so(workspace, make):
    """Walk 31: 620 pictures at the top and 100 darker ones in 'night/' came in unlabelled, with
    'Subfolders are classes' ticked and nothing said of the folder."""
    data = make.zip([("1.png", make.solid(RED)), ("2.png", make.solid(BLUE)), ("night/3.png", make.solid())])
    report = ingest_uploads(workspace, [("parts.zip", data)], name="t")
    assert report.labelled == 0 and report.labels_from is None
    assert ("one subfolder, 'night' (1 of 3 images), was not read as a class: classes come from two subfolders or "
            "more, so no image has a label") in report.warnings
    unticked = ingest_uploads(workspace, [("parts.zip", data)], name="u", folder_labels=False)
    assert not any("subfolder" in warning for warning in unticked.warnings)  # asked for no classes: nothing to say


def test_subfolders_that_are_not_classes_leave_the_images_unlabelled(workspace, make, tmp_path):
    """Walk 27: pictures of bolts, washers and springs in folders of the sites they came from were
    judged by site ("Nothing learned yet" at 45.0%, against 94.2% by kind). `folder_labels=False`
    (the Data page's unticked "Subfolders are classes", `ingest --no-folder-labels`) leaves them
    unlabelled; a CSV still labels them."""
    data = make.zip([("site_a/1.png", make.solid(RED)), ("site_b/2.png", make.solid(BLUE))])
    report = ingest_uploads(workspace, [("parts.zip", data)], name="t", folder_labels=False)
    assert report.labelled == 0 and report.labels_from is None
    assert workspace.labels(workspace.dataset("t")) == [None, None]
    csv = ingest_uploads(workspace, [("parts.zip", data)], name="c", folder_labels=False,
                         labels_csv=b"1.png,bolt\n2.png,washer\n")
    assert csv.labelled == 2 and workspace.labels(workspace.dataset("c")) == ["bolt", "washer"]
    bad = ingest_uploads(workspace, [("parts.zip", data)], name="b", folder_labels=False, labels_csv=b"\xff\xfe\x00")
    assert bad.labelled == 0  # a CSV that cannot be used falls back to no labels, not to the folders


def test_class_subfolders_under_a_single_top_folder_in_a_zip(workspace, make):
    data = make.zip([("pets/", b""), ("pets/cat/1.png", make.solid(RED)),
                     ("pets/dog/2.png", make.solid(BLUE))])
    ingest_uploads(workspace, [("pets.zip", data)], name="t")
    assert workspace.labels(workspace.dataset("t")) == ["cat", "dog"]


def test_flat_zip_is_unlabelled(workspace, make):
    report = ingest_uploads(workspace, [("flat.zip", make.zip(three(make)))], name="t")
    info = workspace.dataset("t")
    assert report.labelled == 0 and not info.has_labels
    assert workspace.labels(info) == [None, None, None]
    assert workspace.label_counts(info) == {}


def test_labels_csv_at_the_top_of_a_zip_is_used_and_is_no_image(workspace, make):
    csv = b"filename,label\na.png,cat\nb.png,dog\nc.png,cat\n"
    data = make.zip(three(make) + [("labels.csv", csv)])
    report = ingest_uploads(workspace, [("pets.zip", data)], name="t")
    info = workspace.dataset("t")
    assert report.images == 3 and info.image_count == 3 and report.rejected == []
    assert "labels.csv" not in [r["name"] for r in workspace.image_rows(info)]
    assert workspace.labels(info) == ["cat", "dog", "cat"]


def test_labels_csv_wins_over_subfolders(workspace, make):
    data = make.zip([("cat/1.png", make.solid(RED)), ("dog/2.png", make.solid(BLUE)),
                     ("LABELS.CSV", b"1.png,red\n2.png,blue\n")])
    ingest_uploads(workspace, [("pets.zip", data)], name="t")
    assert workspace.labels(workspace.dataset("t")) == ["red", "blue"]


def test_labels_csv_in_a_subfolder_is_not_the_labels_file(workspace, make):
    data = make.zip([("cat/1.png", make.solid(RED)), ("dog/2.png", make.solid(BLUE)),
                     ("dog/labels.csv", b"1.png,red\n")])
    report = ingest_uploads(workspace, [("pets.zip", data)], name="t")
    assert report.rejected == [{"file": "pets.zip/dog/labels.csv", "reason": LABELS_NOT_READ}]
    assert workspace.labels(workspace.dataset("t")) == ["cat", "dog"] and report.labels_from == "the class folders"


def test_an_archives_labels_csv_labels_it_with_loose_files_beside_it(workspace, make):
    """Walk 17: cells.zip (its images and labels.csv in cells/) uploaded with loose files: the
    CSV was refused as 'a text file among pictures' and nothing was labelled."""
    data = make.zip([("cells/1.png", make.solid(RED)), ("cells/2.png", make.solid(BLUE)),
                     ("cells/labels.csv", b"file,label\n1.png,round\n2.png,long\n")])
    report = ingest_uploads(workspace, [("cells.zip", data), ("extra.png", make.solid(GREEN))], name="t", size=8)
    assert not report.rejected and workspace.labels(workspace.dataset("t")) == ["round", "long", None]
    assert report.to_json()["labels_from"] == "cells.zip/cells/labels.csv"  # said with the count (walk 18)
    assert "1 of 3 images has no row in cells.zip/cells/labels.csv" in " ".join(report.warnings), report.warnings


def test_labels_csv_in_a_folder_and_labels_path(workspace, make, tmp_path):
    root = tmp_path / "pics"
    root.mkdir()
    for name, data in three(make):
        (root / name).write_bytes(data)
    (root / "labels.csv").write_bytes(b"a.png,x\nb.png,y\nc.png,x\n")
    report = ingest_path(workspace, [str(root)])
    assert report.images == 3 and report.labelled == 3
    other = tmp_path / "other.csv"
    other.write_bytes(b"a.png,p\nb.png,q\nc.png,q\n")
    ingest_path(workspace, [str(root)], name="again", labels_path=str(other))
    assert workspace.labels(workspace.dataset("again")) == ["p", "q", "q"]
    with pytest.raises(IngestError, match="cannot read the labels file"):
        ingest_path(workspace, [str(root)], name="x", labels_path=str(tmp_path / "missing.csv"))


def test_two_zips_take_their_classes_each_from_their_own_folders(workspace, make):
    nested = make.zip([(f"a/{c}/{i}.png", make.noise((8, 8), seed=i)) for c in ("cat", "dog") for i in range(5)])
    flat = make.zip([(f"{c}/{i}.png", make.noise((8, 8), seed=i)) for c in ("cat", "dog") for i in range(5)])
    report = ingest_uploads(workspace, [("classes.zip", nested), ("classes2.zip", flat)], name="twozip", size=8)
    assert report.labelled == 20
    assert workspace.label_counts(workspace.dataset("twozip")) == {"cat": 10, "dog": 10}


def test_files_outside_the_class_folders_stay_unlabelled_with_a_warning(workspace, make):
    members = [(f"{c}/{i}.png", make.noise((8, 8), seed=i)) for c in ("cat", "dog") for i in range(3)]
    data = make.zip(members + [("stray.png", make.noise((8, 8), seed=9))])
    report = ingest_uploads(workspace, [("classes3.zip", data)], name="t", size=8)
    assert report.labelled == 6
    assert workspace.labels(workspace.dataset("t")) == ["cat"] * 3 + ["dog"] * 3 + [None]
    assert ("1 of 7 files sit outside the class folders and have no label (for example "
            "'classes3.zip/stray.png')") in report.warnings


def test_a_labels_file_given_by_path_is_named_in_its_errors_and_warnings(workspace, make, tmp_path):
    root = tmp_path / "pics"
    root.mkdir()
    for name, data in three(make):
        (root / name).write_bytes(data)
    labels = tmp_path / "my labels.csv"
    labels.write_bytes(b"a.png,cat\nb.png,dog\n")
    report = ingest_path(workspace, [str(root)], labels_path=str(labels))
    assert any(f"1 of 3 images has no row in {labels}" in w for w in report.warnings)
    labels.write_bytes(b"a.png,cat\nb.png\nc.png,dog\n")
    report = ingest_path(workspace, [str(root)], name="again", labels_path=str(labels))
    assert f"{labels}: 1 row lacks a file name or a label (line 2: 'b.png' without a label); it is skipped" \
        in report.warnings
    assert workspace.labels(workspace.dataset("again")) == ["cat", None, "dog"]
    report = ingest_uploads(workspace, three(make), name="up", labels_csv=labels.read_bytes(),
                            labels_source="mine.csv")
    assert "mine.csv: 1 row lacks a file name or a label (line 2: 'b.png' without a label); it is skipped" \
        in report.warnings


# -- parsers that cannot be tricked -----------------------------------------------------------
@pytest.mark.parametrize("length", [257, 128 * 1024 + 1])  # the second is over the csv module's own field limit
def test_a_label_longer_than_the_limit_is_a_skipped_row_named_by_its_line(length):
    parsed = parse_labels_csv(b"a.png,cat\nb.png," + b"y" * length + b"\nc.png," + b"z" * 256 + b"\n", "x.csv")
    assert parsed.labels == {"a.png": "cat", "c.png": "z" * 256}
    assert parsed.warnings == ["x.csv: 1 row has a label over the limit of 256 characters (line 2); "
                               "it is skipped"]


@pytest.mark.parametrize("data, message", [
    (b'a.png,"cat\nb.png,dog\nc.png,cat\n', "line 1: a quote opened here is never closed"),
    (b'a.png,cat\nb.png,dog\n"c.png,cat', "line 3: a quote opened here is never closed"),
    (b'a.png,"cat\nb.png,dog\n"c.png,cat\n', "line 1: a quote opened here is not closed on its line "
                                              "(the record runs to line 3)"),
    (b'a.png,cat\r\n"b\r\n.png",dog\r\n', "line 2: a quote opened here is not closed on its line"),
    (b'a.png,"ca"t\n', "line 1: cannot be read as CSV (',' expected after '\"'"),
])
def test_an_unterminated_quote_is_reported_not_merged(data, message):
    with pytest.raises(LabelsError) as caught:
        parse_labels_csv(data, "x.csv")
    assert str(caught.value).startswith(f"x.csv, {message}")


def test_nul_and_control_characters_in_labels_are_escaped_like_file_names():
    parsed = parse_labels_csv(b"a.png,ca\x00t\nb.png,\x1b[31mred\nc.png,\xe2\x80\xaeevil\n", "x.csv")
    assert parsed.labels == {"a.png": "ca\\x00t", "b.png": "\\x1b[31mred", "c.png": "\\u202eevil"}
    assert labels_from_folders(["ca\x00t/1.png", "dog\n/2.png"]) == ["ca\\x00t", "dog\\n"]


def test_duplicate_rows_are_reported_and_the_first_is_kept():
    data = b"a.png,cat\nb.png,dog\na.png,cat\na.png,dog\nb.png,cow\nb.png,dog\n"
    parsed = parse_labels_csv(data, "x.csv")
    assert parsed.labels == {"a.png": "cat", "b.png": "dog"}
    assert parsed.warnings == [
        "x.csv: 2 rows repeat a file name with the same label (line 3: 'a.png' again, line 6: 'b.png' again); each "
        "file is labelled once",
        "x.csv: 2 rows give a file a second, different label (line 4: 'a.png' as 'dog' where line 1 says 'cat', "
        "line 5: 'b.png' as 'cow' where line 2 says 'dog'); the first row is used"]  # walk 17: no file named


@pytest.mark.parametrize("header, expected", [
    (b"filename,label\n", True), (b"Image,Class\n", True), (b"path,category\n", True),
    (b"x.png,target\n", True), (b"\n\nfile,label\n", True), (b"", False),
])
def test_a_header_row_is_recognised(header, expected):
    parsed = parse_labels_csv(header + b"a.png,cat\n", "x.csv")
    assert parsed.header is expected and parsed.labels == {"a.png": "cat"}


def test_a_labels_file_over_its_cap_is_refused(monkeypatch):
    from ssl_core.data import labels

    monkeypatch.setattr(labels, "MAX_LABELS_BYTES", 10)
    with pytest.raises(LabelsError, match=r"x\.csv: 20 bytes is over the limit of 10 bytes"):
        parse_labels_csv(b"a.png,cat\nb.png,dog\n", "x.csv")


def test_labels_warnings_and_errors_reach_the_import(workspace, make):
    report = ingest_uploads(workspace, three(make), name="t",
                            labels_csv=b"a.png,c\x00at\nb.png,dog\nc.png,cat\na.png,cow\n")
    assert workspace.labels(workspace.dataset("t")) == ["c\\x00at", "dog", "cat"]
    assert any("different label (line 4: 'a.png' as 'cow' where line 1 says 'c\\\\x00at')" in w
               for w in report.warnings), report.warnings


def test_the_command_line_skips_a_huge_field_with_a_warning_and_no_traceback(workspace, make, tmp_path):
    import subprocess
    import sys

    (tmp_path / "pics").mkdir()
    for name, data in three(make):
        (tmp_path / "pics" / name).write_bytes(data)
    (tmp_path / "labels.csv").write_bytes(b"a.png,cat\nb.png," + b"x" * 200_000 + b"\n")
    done = subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(workspace.root), "ingest",
                           str(tmp_path / "pics"), "--labels", str(tmp_path / "labels.csv")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert (f"warning: {tmp_path / 'labels.csv'}: 1 row has a label over the limit of 256 characters "
            "(line 2); it is skipped") in done.stderr


def test_names_composed_and_decomposed_alike_match(workspace, make):
    """macOS zips 'café.png' decomposed (e + a combining accent); a CSV typed elsewhere holds it
    composed: the page said no row named 'café.png' beside a gallery showing 'café.png'."""
    import unicodedata

    names = ["café.png", "crème.png"]
    data = make.zip([(unicodedata.normalize("NFD", n), make.solid(RED)) for n in names])
    report = ingest_uploads(workspace, [("mac.zip", data)], name="mac",
                            labels_csv="".join(f"{n},{i}\n" for i, n in enumerate(names)).encode())
    assert report.labelled == 2 and not any("labels CSV" in w for w in report.warnings)


def test_a_bare_name_that_names_two_images_labels_neither_and_says_which(workspace, make):
    """train/a.png (a cup) and val/a.png (a rocket) with a CSV row 'a.png,cup': the row is
    ambiguous, so neither image takes it (both were labelled cup, without a word); a row
    by path still labels its one image, and the warning names the row and both files."""
    data = make.zip([("train/a.png", make.solid(RED)), ("val/a.png", make.solid(BLUE)),
                     ("train/b.png", make.solid(RED)), ("val/b.png", make.solid(BLUE))])
    report = ingest_uploads(workspace, [("same.zip", data)], name="same",
                            labels_csv=b"filename,label\na.png,cup\nval/b.png,rocket\ntrain/b.png,cup\n")
    labels = {row["name"]: row["label"] for row in workspace.image_rows(workspace.dataset("same"))}
    assert labels == {"same.zip/train/a.png": None, "same.zip/val/a.png": None,
                      "same.zip/train/b.png": "cup", "same.zip/val/b.png": "rocket"}
    assert report.labelled == 2
    said = " ".join(report.warnings)
    assert "'a.png' on line 2 names 2 images (same.zip/train/a.png, same.zip/val/a.png)" in said, said
    assert "have no row" not in said, said


def test_a_header_with_its_columns_swapped_is_read_that_way():
    """'label,filename' was read as a data row of a file called 'label', and every row after
    it as a file named after its label."""
    parsed = parse_labels_csv(b"Label,Filename\ncup,x1.png\nrocket,x2.png\n", "swapped.csv")
    assert parsed.header and parsed.labels == {"x1.png": "cup", "x2.png": "rocket"} and not parsed.warnings


def test_a_labels_csv_in_the_zip_beside_a_given_one_is_named_as_not_used(workspace, make):
    """The Labels CSV given wins over the zip's own labels.csv, and the warning says so (the
    zip's file was dropped without a word)."""
    data = make.zip([("labels.csv", b"x1.png,cup\nx2.png,rocket\n"), ("x1.png", make.solid(RED)),
                     ("x2.png", make.solid(BLUE))])
    report = ingest_uploads(workspace, [("withlabels.zip", data)], name="wl", labels_csv=b"x1.png,mug\n",
                            labels_source="mine.csv")
    assert workspace.labels(workspace.dataset("wl")) == ["mug", None]
    assert any("withlabels.zip/labels.csv was not used: mine.csv was given" in w for w in report.warnings), \
        report.warnings
    assert workspace.import_warnings(workspace.dataset("wl")) == report.warnings  # kept, this one too


def test_the_folder_s_own_labels_csv_given_as_the_labels_csv_is_not_said_to_be_unused(workspace, make):
    """Walk 34: a folder imported with its own labels.csv named as the labels CSV too was warned 'labels.csv was not
    used: .../labels.csv was given and labels the images' above the 180 labels it gave."""
    csv = b"x1.png,cup\nx2.png,rocket\n"
    data = make.zip([("labels.csv", csv), ("x1.png", make.solid(RED)), ("x2.png", make.solid(BLUE))])
    report = ingest_uploads(workspace, [("own.zip", data)], name="own", labels_csv=csv, labels_source="labels.csv")
    assert workspace.labels(workspace.dataset("own")) == ["cup", "rocket"]
    assert not [w for w in report.warnings if "was not used" in w], report.warnings


def test_one_more_item_is_named_rather_than_counted():
    """Walk 48: 'Its classes are the subfolders eraser, pencil, ruler and 1 more' hid 'scissors'."""
    from ssl_core.data.labels import first_few

    assert first_few(["eraser", "pencil", "ruler", "scissors"]) == "eraser, pencil, ruler and scissors"
    assert first_few(list("abcde")) == "a, b, c and 2 more" and first_few(list("ab")) == "a, b"
