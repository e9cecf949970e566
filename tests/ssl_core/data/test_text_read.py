"""One text file read on its own (text_read.py): byte-order marks, the characters kept,
and lines counted as an editor counts them."""

from __future__ import annotations

import numpy as np
import pytest

from ssl_core.data import text_read
from ssl_core.data.decode import RejectedFile
from ssl_core.data.labels import MAX_LABEL_CHARS
from ssl_core.data.text_read import TextTally, clean, decode_text, read_examples


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_with_its_bom_is_read_as_utf32(codec):
    data = "\ufeffhello world\nsecond line\n".encode(codec)
    assert decode_text(data).lstrip("\ufeff") == "hello world\nsecond line\n"


def test_damaged_utf32_is_refused_by_name():
    with pytest.raises(RejectedFile, match="damaged UTF-32 text"):
        decode_text("\ufeffhi".encode("utf-32-le") + b"\x00")


def test_zero_width_joiners_stay_and_other_invisible_characters_go():
    persian, family = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean(f"{persian} {family}") == f"{persian} {family}"
    assert clean("a\u200bb\u200ec\u200fd\u202ee") == "a b c d e"


def test_lines_are_counted_at_line_breaks_only():
    data = "one\x0ctwo\nthree\u2028four\r\nfive\x1c\rsix\n".encode()
    rows = read_examples(data, "f.txt", TextTally())
    assert [(line, text) for line, text, _, _ in rows] == [(1, "one two"), (2, "three four"), (3, "five"),
                                                          (4, "six")]
    rows = read_examples('{"text": "a\u2028b"}\n{"text": "c"}\n'.encode(), "f.jsonl", tally := TextTally())
    assert [(line, text) for line, text, _, _ in rows] == [(1, "a b"), (2, "c")] and tally.bad_lines == 0


def test_the_length_before_the_cut_is_given_with_the_example():
    long = "x" * (text_read.MAX_CHARS + 7)
    rows = read_examples(f"short\n{long}\n".encode(), "f.txt", tally := TextTally())
    assert [(text[:5], chars) for _, text, _, chars in rows] == [("short", 5), ("xxxxx", text_read.MAX_CHARS + 7)]
    assert tally.truncated == 1


def test_a_csv_cell_over_the_csv_modules_limit_is_cut_like_a_long_line():
    big = "y" * 200_000
    rows = read_examples(f"text,label\n{big},a\ngood,b\n".encode(), "big.csv", tally := TextTally())
    assert [(len(text), label, chars) for _, text, label, chars in rows] == [(text_read.MAX_CHARS, "a", 200_000),
                                                                            (4, "b", 4)]
    assert tally.truncated == 1 and tally.first_truncated == "big.csv:2"


def test_a_bad_csv_record_is_skipped_and_named_and_the_good_rows_kept():
    good = "".join(f"good {i},{'ab'[i % 2]}\n" for i in range(10))
    data = f"text,label\n{good}\n\"never closed,a\nafter,b\n".encode()
    rows = read_examples(data, "f.csv", tally := TextTally())
    assert [(line, text, label) for line, text, label, _ in rows] == (
        [(i + 2, f"good {i}", "ab"[i % 2]) for i in range(10)] + [(14, "after", "b")])
    assert tally.bad_csv == 1 and tally.first_bad_csv == "f.csv:13 (a quote opened here is never closed)"
    assert ("1 CSV record could not be read and was skipped, the records around it imported "
            "(first: f.csv:13 (a quote opened here is never closed))") in tally.warnings()


def test_a_csv_of_many_quotes_never_closed_is_read_up_to_a_cap():
    """Each quote never closed is found at the end of the file, so each restart reads the
    rest again: 2,000 of them would read the file 2,000 times."""
    data = ("text\n" + "".join(f'"open {i}\n' for i in range(2000)) + "last,row\n").encode()
    rows = read_examples(b"text\nfirst\n" + data[5:], "q.csv", tally := TextTally())
    assert [text for _, text, _, _ in rows] == ["first"]
    assert tally.bad_csv == text_read.MAX_BAD_CSV and tally.unread_csv == ["q.csv"]
    assert f"1 CSV file was read only up to its {text_read.MAX_BAD_CSV}th unreadable record (for example q.csv)" \
        in tally.warnings()


@pytest.mark.parametrize(("data", "reason"), [
    (b'text\n"never closed\n', r"malformed CSV at line 2 \(a quote opened here is never closed\)"),
    (b'text\n"a"b\n', r"malformed CSV at line 2 \(',' expected after '\"'\)"),
    (b'"te\nxt\nrow\n', r"malformed CSV at line 1 \(a quote opened here is never closed\)"),
])
def test_a_csv_of_which_no_record_can_be_read_is_refused_with_the_line(data, reason):
    with pytest.raises(RejectedFile, match=reason):
        read_examples(data, "f.csv", TextTally())


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("head.csv", b"text,label\n", "no rows with text under the header"),
    ("blank.csv", b"text,label\n,a\n \n", "no rows with text under the header"),
    ("zw.txt", "\u200b\n\u200b\u200b\n\n".encode(), r"only empty lines \(blank or invisible characters\)"),
    ("bad.jsonl", b"[1]\n{}\n", "no JSONL line is an object with a non-empty"),
])
def test_a_file_without_one_example_is_refused_with_why(name, data, reason):
    with pytest.raises(RejectedFile, match=reason):
        read_examples(data, name, TextTally())


@pytest.mark.parametrize("codec", ["utf-16-be", "utf-16-le", "utf-32-be", "utf-8"])
def test_a_huge_file_is_cut_at_a_line_end_in_its_own_encoding(codec, monkeypatch):
    """Only the first MAX_FILE_BYTES are read, cut at the last whole line: in UTF-16 or 32 a
    0x0a byte is no line end (U+0A0A is 0a 0a; a big-endian newline is 00 0a), and a cut
    there refused the whole file as damaged or split a character."""
    lines = [f"line {i} \u0a0a\u010a" for i in range(40)]
    data = "\ufeff".encode(codec) + "\n".join(lines).encode(codec)
    monkeypatch.setattr(text_read, "MAX_FILE_BYTES", len(data) // 2 + 1)  # mid-line, mid-character where it can be
    tally = TextTally()
    rows = read_examples(data, "big.txt", tally)
    assert tally.capped_files == ["big.txt"]
    assert [example for _, example, _, _ in rows] == lines[: len(rows)] and 10 < len(rows) < 40


def test_a_label_that_cannot_be_used_is_counted_and_named_and_its_example_kept_without_it():
    """A CSV label of 300 characters was stored cut to 256, and a JSONL label that is a list
    dropped, both without a word."""
    long = "z" * (MAX_LABEL_CHARS + 44)
    csv_rows = read_examples(f"text,label\nfirst,a\nsecond,{long}\n".encode(), "f.csv", tally := TextTally())
    jsonl = b'{"text": "one", "label": "b"}\n{"text": "two", "label": ["a", "b"]}\n{"text": "three", "label": {}}\n'
    jsonl_rows = read_examples(jsonl, "f.jsonl", tally)
    assert [(line, text, label) for line, text, label, _ in csv_rows + jsonl_rows] == [
        (2, "first", "a"), (3, "second", None), (1, "one", "b"), (2, "two", None), (3, "three", None)]
    assert tally.warnings() == [
        f"1 example has a label over the limit of {MAX_LABEL_CHARS} characters, which was not used (at f.csv:3)",
        "2 examples have a label that is a list or an object, not one value, which was not used "
        "(at f.jsonl:2, f.jsonl:3)"]


def test_a_line_that_is_not_utf8_is_skipped_and_named_and_the_lines_around_it_kept():
    """One Latin-1 line refused the whole UTF-8 file before; its other lines are text."""
    data = "fine\nalso fine\ncaf\xe9 cr\xe8me\n".encode("latin-1") + "d\u00e9j\u00e0 vu\nlast\n".encode()
    rows = read_examples(data, "f.txt", tally := TextTally())
    assert [(line, text) for line, text, _, _ in rows] == [(1, "fine"), (2, "also fine"), (4, "d\u00e9j\u00e0 vu"),
                                                          (5, "last")]
    assert tally.warnings() == ["1 example holds bytes that are not UTF-8 text and was skipped, the lines around it "
                                "imported (first: f.txt:3 (byte 0xe9)); save the file as UTF-8 to keep it"]


def test_a_label_that_is_not_utf8_is_left_out_and_a_lone_surrogate_is_no_text():
    """A Latin-1 label was stored as 'caf\\xe9'; a JSON lone surrogate escape ("\\ud800")
    crashed the import when the texts were written as UTF-8."""
    csv_rows = read_examples("text,label\nfirst,caf\xe9\nsecond,b\n".encode("latin-1"), "f.csv", tally := TextTally())
    jsonl_rows = read_examples(b'{"text": "a \\ud800 b"}\n{"text": "ok", "label": "c"}\n', "f.jsonl", tally)
    assert [(text, label) for _, text, label, _ in csv_rows + jsonl_rows] == [("first", None), ("second", "b"),
                                                                             ("ok", "c")]
    assert tally.warnings() == [
        "1 example has a label holding bytes that are not UTF-8 text, which was not used (at f.csv:2)",
        "1 example holds bytes that are not UTF-8 text and was skipped, the lines around it imported "
        "(first: f.jsonl:1 (U+D800)); save the file as UTF-8 to keep it"]


@pytest.mark.parametrize(("data", "reason"), [
    ("caf\xe9\nna\xefve\n".encode("latin-1"), r"not UTF-8 text \(byte 0xe9 on line 1, at offset 3\); save it as UTF-8"),
    ("caf\xe9\nplain\nna\xefve\n".encode("latin-1"), r"byte 0xe9 on line 1"),  # mostly Latin-1: not a third kept
    (b'{"text": "\\udce9"}\n', r"lone surrogate escapes"),
    # binary data without a NUL byte: its short runs of valid bytes between 0x0a bytes are no examples
    (bytes(np.random.default_rng(0).integers(1, 256, 100_000, dtype=np.uint8)), r"not UTF-8 text \(byte 0x"),
])
def test_a_file_mostly_not_text_is_refused_with_the_first_bad_byte(data, reason):
    tally = TextTally()
    with pytest.raises(RejectedFile, match=reason):
        read_examples(data, "f.jsonl" if data.startswith(b"{") else "f.txt", tally)
    assert not [said for said in tally.warnings() if "UTF-8" in said]  # named in the refusal, not counted again
    assert tally.warnings() == []  # nor its empty lines: a refused file's lines are not the import's


def test_empty_lines_and_labels_without_text_are_named_with_their_lines():
    data = b"text,label\none,a\n,\n,b\n  ,c\ntwo,\n" + b",\n" * 5
    rows = read_examples(data, "m.csv", tally := TextTally())
    assert [(line, text, label) for line, text, label, _ in rows] == [(2, "one", "a"), (6, "two", None)]
    assert "6 empty lines skipped (at m.csv:3, m.csv:7, m.csv:8 and 3 more)" in tally.warnings()
    assert "2 examples have a label but no text and were skipped (at m.csv:4, m.csv:5)" in tally.warnings()
    read_examples(b'{"text": "", "label": "x"}\n\n{"text": "y"}\n', "j.jsonl", tally := TextTally())
    assert tally.warnings() == ["1 empty line skipped (at j.jsonl:2)",
                                "1 example has a label but no text and was skipped (at j.jsonl:1)"]


def test_a_topic_column_is_read_as_labels_and_an_unknown_one_is_said_not_read():
    """Walk 13: 'sentence,topic' imported 39 labelled rows as unlabelled, without a word."""
    rows = read_examples(b"sentence,topic\nit rains,weather\n", "t.csv", tally := TextTally())
    assert [(text, label) for _, text, label, _ in rows] == [("it rains", "weather")] and tally.warnings() == []
    rows = read_examples(b"id,sentence,intent\n1,it rains,weather\n", "i.csv", tally := TextTally())
    assert [label for *_, label, _ in rows] == [None]
    assert tally.warnings() == [
        "i.csv has no label column (one named label, class, category, target, topic, tag or labels), so its examples "
        "are unlabelled and its other columns ('id', 'intent') were not read; rename a label column to import its "
        "labels"]
    rows = read_examples(b"text,topic,lang\nes regnet,weather,de\n", "b.csv", tally := TextTally())  # walk 29: unsaid
    assert [label for *_, label, _ in rows] == ["weather"]
    assert tally.warnings() == ["b.csv's labels are its column 'topic', and its other column ('lang') was not read"]


def test_a_csv_row_of_other_cells_without_text_is_not_called_an_empty_line():
    """Walk 13: '7,,' under 'id,text,label' was counted among the empty lines."""
    rows = read_examples(b"id,text,label\n1,hi,\n7,,\n8,\xe2\x80\x8b,\n,,\n", "i.csv", tally := TextTally())
    assert [text for _, text, *_ in rows] == ["hi"]
    assert tally.warnings() == ["i.csv's labels are its column 'label', and its other column ('id') was not read",
                                "1 empty line skipped (at i.csv:5)",
                                "2 CSV rows have other cells but an empty text cell and were skipped (at i.csv:3, "
                                "i.csv:4)"]


def test_one_bad_jsonl_line_is_said_in_the_singular():
    read_examples(b'{"text": "a"}\n[1]\n', "j.jsonl", tally := TextTally())
    assert tally.warnings()[0].startswith('1 JSONL line is not an object with a string "text" and was skipped')


def test_a_repeated_text_is_kept_and_said_with_where_it_came_first():
    """Walk 13: chatter.csv:154 and :155 were one sentence, both imported without a word."""
    rows = read_examples(b"text,label\nit rains,a\nit rains,b\nsun,a\n  it rains  ,c\n", "r.csv", tally := TextTally())
    assert len(rows) == 4
    assert tally.warnings() == ["2 examples repeat the text of an earlier one and were kept, each copy the other's "
                                "nearest neighbour (at r.csv:3 (text of r.csv:2), r.csv:5 (text of r.csv:2))"]
