"""Text datasets: .txt/.csv/.jsonl/zip/folder become kind 'text' with labels, and every bad
text input gets its reason in the report (binary under a text name, other encodings,
empty lines, over-long examples, huge files, a CSV without a text column, bad JSONL)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from ssl_core.data import text_read
from ssl_core.data.builtins.docstrings import FAMILIES, PER_FAMILY
from ssl_core.data.ingest import IngestError, ingest_builtin, ingest_path, ingest_uploads
from ssl_core.data.text_ingest import load_texts


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_txt_csv_and_jsonl_with_their_labels(workspace):
    report = ingest_uploads(workspace, [
        ("a.txt", b"the cat sat\n\n  on the mat \n"),
        ("b.csv", b"id,Text,label\n1,\"a, quoted one\",animals\n2,plain,plants\n"),
        ("c.jsonl", b'{"text": "json line", "label": 3}\n{"text": "no label"}\n'),
    ], name="words")
    out = report.to_json()
    assert out["kind"] == "text" and out["images"] == 6 and out["labelled"] == 3 and out["rejected"] == []
    assert "1 empty line skipped (at a.txt:2)" in report.warnings
    info = workspace.dataset("words")
    assert info.kind == "text"
    assert load_texts(workspace, info) == ["the cat sat", "on the mat", "a, quoted one", "plain", "json line",
                                           "no label"]
    assert workspace.labels(info) == [None, None, "animals", "plants", "3", None]
    assert [r["name"] for r in workspace.image_rows(info)][:2] == ["a.txt:1", "a.txt:3"]


def test_a_labels_file_given_with_text_is_said_to_be_unused(workspace):
    report = ingest_uploads(workspace, [("a.txt", b"one line\nanother\n")], name="words",
                            labels_csv=b"file,label\na.txt,x\n")
    assert report.labelled == 0
    assert any(w.startswith("the labels file was not used: text takes its labels from a label column")
               for w in report.warnings)


def test_html_tags_are_kept_as_written_and_said(workspace):
    """Walk 19: '<p>Preheat the oven</p>' came in unsaid, and the Lab showed '< p >' pieces; code's 'List<T>'
    is no tag."""
    rows = b"<p>Preheat the oven</p>\nA List<String> of names\nplain words\nsee <a href='x'>the docs</a>\n"
    report = ingest_uploads(workspace, [("a.txt", rows)], name="tags")
    said = [w for w in report.warnings if "HTML tags" in w]
    assert said == ["2 examples hold HTML tags such as '<p>', kept as written: the encoder reads the tags as words, "
                    "so texts alike in markup look alike; strip them before the import where they are markup, not "
                    "content (at a.txt:1, a.txt:4)"]
    assert load_texts(workspace, workspace.dataset("tags"))[0] == "<p>Preheat the oven</p>"


def test_a_stray_picture_among_text_files_is_rejected_and_the_text_imported(workspace, make):
    report = ingest_uploads(workspace, [("a.txt", b"one line\n"), ("b.txt", b"two lines\nhere\n"),
                                        ("cover.png", make.noise((16, 16)))], name="words")
    assert report.kind == "text" and report.images == 3
    assert report.rejected == [{"file": "cover.png", "reason": "not a text file (.txt, .csv, .jsonl) among text "
                                "files: import pictures as a dataset of their own"}]


def test_every_bad_text_file_is_named_with_its_reason(workspace, monkeypatch):
    monkeypatch.setattr(text_read, "MAX_FILE_BYTES", 2000)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    report = ingest_uploads(workspace, [
        ("photo.txt", png),
        ("nul.txt", b"text\x00more"),
        ("latin.txt", "caf\xe9".encode("latin-1")),
        ("latin3.txt", "fine\nfine too\ncaf\xe9\n".encode("latin-1")),
        ("cols.csv", b"a,b\n1,2\n"),
        ("semi.csv", b"text;label\nfine;a\n"),
        ("open.csv", b"text\n\"never closed\n"),
        ("blank.txt", b"\n \n"),
        ("bad.jsonl", b'{"text": "ok"}\nnot json\n[1]\n{"text": 5}\n'),
        ("long.txt", ("x" * (text_read.MAX_CHARS + 5)).encode()),
        ("huge.txt", b"first line\n" * 300),
        ("evil.txt", "a\u202eb\x1b[31mc".encode()),
    ], name="bad")
    reasons = {r["file"]: r["reason"] for r in report.rejected}
    assert "PNG image" in reasons["photo.txt"] and "NUL byte at offset 4" in reasons["nul.txt"]
    assert "not UTF-8 text (byte 0xe9 on line 1, at offset 3)" in reasons["latin.txt"]
    assert "latin3.txt" not in reasons  # its two UTF-8 lines are imported, its Latin-1 line named
    assert reasons["cols.csv"] == ("no text column in the CSV's first row: it has 'a', 'b', and a column named "
                                   "'text', 'sentence' or 'content' is read")  # walk 19: the names read, unsaid
    assert reasons["semi.csv"].endswith("it has 'text;label', and a column named 'text', 'sentence' or 'content' is "
                                        "read; its fields are separated by semicolons, where a CSV is read with "
                                        "commas: save it with commas")
    assert "malformed CSV" in reasons["open.csv"]
    assert "no text" in reasons["blank.txt"]
    said = " | ".join(report.warnings)
    assert "3 JSONL lines" in said and "bad.jsonl:2" in said
    assert "1 example holds bytes that are not UTF-8 text and was skipped" in said
    assert "latin3.txt:3 (byte 0xe9)" in said
    assert "1 example was longer than 1,000 characters and was cut to that length (for example long.txt:1)" in said
    assert "bytes of 1 huge file were read (for example huge.txt)" in said
    texts = load_texts(workspace, workspace.dataset("bad"))
    assert len(texts) == 2 + 1 + 1 + 2000 // 11 + 1  # latin3's, ok, long, the whole lines in huge's 2000 bytes, evil
    assert texts[:2] == ["fine", "fine too"] and texts[3] == "x" * text_read.MAX_CHARS
    assert texts[-1] == "a b [31mc"  # the escape and the override are gone


def test_nothing_usable_stores_nothing(workspace):
    with pytest.raises(IngestError, match="no text could be imported") as caught:
        ingest_uploads(workspace, [("x.txt", b"\xff\xfe\x00")], name="none")
    assert caught.value.rejected and workspace.datasets() == []


def test_files_without_one_example_are_named_with_why(workspace):
    with pytest.raises(IngestError, match="no text could be imported") as caught:
        ingest_uploads(workspace, [("head.csv", b"text,label\n"), ("zw.txt", "\u200b\n\n".encode())], name="none")
    assert {r["file"]: r["reason"] for r in caught.value.rejected} == {
        "head.csv": "no rows with text under the header", "zw.txt": "only empty lines (blank or invisible characters)"}


def test_rows_are_named_by_line_and_keep_their_length_before_the_cut(workspace):
    report = ingest_uploads(workspace, [("big.csv", f"text\n{'y' * 200_000}\ngood\n".encode()),
                                        ("ff.txt", "one\x0ctwo\nthree\u2028four\nfive\n".encode())], name="big")
    assert report.images == 5 and report.rejected == []
    rows = workspace.image_rows(workspace.dataset("big"))
    assert [(r["name"], r["width"]) for r in rows] == [("big.csv:2", 200_000), ("big.csv:3", 4), ("ff.txt:1", 7),
                                                       ("ff.txt:2", 10), ("ff.txt:3", 4)]


def test_zip_and_folder_of_text_files_take_labels_from_subfolders(workspace, tmp_path):
    data = zipped({"news/a.txt": b"one\ntwo\n", "jokes/b.txt": b"three\n"})
    report = ingest_uploads(workspace, [("t.zip", data)], name="zipped")
    assert report.kind == "text" and workspace.labels(workspace.dataset("zipped")) == ["news", "news", "jokes"]
    (tmp_path / "corpus" / "x").mkdir(parents=True)
    (tmp_path / "corpus" / "y").mkdir()
    (tmp_path / "corpus" / "x" / "1.txt").write_text("alpha\n")
    (tmp_path / "corpus" / "y" / "2.txt").write_text("beta\n")
    report = ingest_path(workspace, [str(tmp_path / "corpus")], roots=[tmp_path])
    assert report.kind == "text" and report.images == 2 and report.labelled == 2
    unsorted = ingest_path(workspace, [str(tmp_path / "corpus")], roots=[tmp_path], name="plain", folder_labels=False)
    assert unsorted.labelled == 0 and workspace.labels(workspace.dataset("plain")) == [None, None]


def test_a_text_file_outside_the_class_folders_is_named_as_unlabelled(workspace):
    """As for images: labelled where it sits in a class folder, a warning naming the stray
    (a CSV with its own label column needs no folder and is not named)."""
    data = zipped({"news/a.txt": b"one\n", "jokes/b.txt": b"two\n", "stray.txt": b"three\n",
                   "own.csv": b"text,label\nfour,news\n"})
    report = ingest_uploads(workspace, [("t.zip", data)], name="strays")
    assert workspace.labels(workspace.dataset("strays")) == ["news", "jokes", None, "news"]
    assert "1 of 3 files sit outside the class folders and have no label (for example 't.zip/stray.txt')" \
        in report.warnings


def test_the_docstring_corpus_imports_fast_with_hidden_labels(workspace):
    report = ingest_builtin(workspace, "docstrings")
    info = workspace.dataset("docstrings")
    assert info.kind == "text" and info.source == "builtin:docstrings"
    assert report.images == PER_FAMILY * len(FAMILIES) and report.labelled == report.images
    assert set(workspace.labels(info)) == set(FAMILIES)
    assert json.dumps(load_texts(workspace, info))  # plain strings


def test_labels_that_cannot_be_used_are_named_in_the_warnings(workspace):
    long = "z" * 300
    report = ingest_uploads(workspace, [("long.csv", f"text,label\nfirst,a\nsecond,{long}\n".encode()),
                                        ("list.jsonl", b'{"text": "third", "label": ["a", "b"]}\n')], name="labels")
    assert workspace.labels(workspace.dataset("labels")) == ["a", None, None] and report.labelled == 1
    assert "1 example has a label over the limit of 256 characters, which was not used (at long.csv:3)" \
        in report.warnings
    assert ("1 example has a label that is a list or an object, not one value, which was not used "
            "(at list.jsonl:1)") in report.warnings


def test_one_example_is_said_to_be_too_few_to_train_on(workspace):
    """It said 'only 1 examples, fewer than the default training batch ...: training will use
    smaller batches', where training refuses fewer than two."""
    report = ingest_uploads(workspace, [("one.txt", b"a single line\n")], name="one")
    assert report.warnings == ["only one example: training needs at least two"]


def test_examples_of_more_words_than_the_encoder_reads_are_said_at_import(workspace):
    """Walk 35: three 400-word paragraphs were said to be 'cut to 1,000 characters', where the encoder reads a
    text's first 30 word pieces: only the Lab, one sentence at a time, said so."""
    long = " ".join(["word"] * 31)
    report = ingest_uploads(workspace, [("a.txt", f"a short line\n{long}\n{'x' * 40}\n".encode())], name="long")
    assert ("1 example holds more than 30 words, where the encoder reads a text's first 30 word pieces (a word is one "
            "piece or more): the rest of it is never read (at a.txt:2)") in report.warnings, report.warnings
