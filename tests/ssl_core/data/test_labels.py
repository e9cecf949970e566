"""Optional labels: a `filename,label` CSV (given, or labels.csv at the top of the import)
or class-named subfolders."""

from __future__ import annotations

import pytest

from ssl_core.data.ingest import IngestError, ingest_path, ingest_uploads
from ssl_core.data.labels import LabelsError, labels_from_folders, match_csv, parse_labels_csv

RED, BLUE = (255, 0, 0), (0, 0, 255)


def three(make) -> list[tuple[str, bytes]]:
    return [("a.png", make.solid(RED)), ("b.png", make.solid(BLUE)), ("c.png", make.solid())]


# -- parse_labels_csv ------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "filename,label\na.png,cat\nb.png,dog\n",
    "a.png,cat\nb.png,dog\n",
    "\ufeffFile,Label\r\n a.png , cat \r\n\r\nb.png,dog,extra column\r\n",
])
def test_parse_labels_csv_with_and_without_header(text):
    assert parse_labels_csv(text.encode(), "x.csv").labels == {"a.png": "cat", "b.png": "dog"}


def test_parse_labels_csv_skips_rows_without_a_label():
    assert parse_labels_csv(b"a.png,cat\nb.png,\n,dog\n", "x.csv").labels == {"a.png": "cat"}


def test_parse_labels_csv_quoted_commas():
    assert parse_labels_csv(b'"a, b.png","big, red"\n', "x.csv").labels == {"a, b.png": "big, red"}


@pytest.mark.parametrize("data, message", [
    (b"a.png,cat\nb.png\n", r"x\.csv, line 2: expected 'filename,label'"),
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
    ([], None),
])
def test_labels_from_folders(paths, expected):
    assert labels_from_folders(paths) == expected


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
    assert any("1 of 3 images have no row in labels CSV" in w for w in report.warnings)


def test_unusable_csv_stores_nothing(workspace, make):
    with pytest.raises(IngestError, match="labels CSV, line 1: expected 'filename,label'"):
        ingest_uploads(workspace, three(make), name="t", labels_csv=b"just-a-name\n")
    assert workspace.datasets() == []
    assert list(workspace.datasets_dir.iterdir()) == []


def test_class_subfolders_in_a_zip(workspace, make):
    data = make.zip([("cat/1.png", make.solid(RED)), ("dog/2.png", make.solid(BLUE)),
                     ("cat/3.png", make.solid())])
    report = ingest_uploads(workspace, [("pets.zip", data)], name="t")
    assert report.labelled == 3
    assert workspace.labels(workspace.dataset("t")) == ["cat", "dog", "cat"]


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
    assert [r["file"] for r in report.rejected] == ["pets.zip/dog/labels.csv"]
    assert workspace.labels(workspace.dataset("t")) == ["cat", "dog"]


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
