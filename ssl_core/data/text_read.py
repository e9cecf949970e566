"""One text file's bytes -> examples (text, optional label), with what was wrong counted.

Formats, by the file's suffix: `.txt` one example per line; `.csv` a header row naming a
`text` column and optionally a label column (LABEL_HEADERS: label, class, category, ...); `.jsonl`
one JSON object per line with a string "text" and optionally a "label". A file is refused
whole (`RejectedFile`, naming the reason) when it is binary data under a text name (a NUL
byte, or a known image/archive signature, in its first 8 KiB), when more of its examples
are not UTF-8 text than are (another encoding, or binary data; the first offending
byte is named with its line and offset; UTF-16 and UTF-32 with
their byte-order mark are read), when a CSV has no text column or no record of it can be
read, or when it gives no example at all. Inside an accepted file, empty lines, unusable
JSONL lines, CSV records that cannot be read (a quote never closed) and examples holding
bytes that are not UTF-8 (a Latin-1 line among UTF-8 ones; decoded as surrogate escapes,
which no UTF-8 text holds, and a JSON lone surrogate escape likewise) are skipped and
counted, the lines around them imported,
examples over MAX_CHARS (a CSV cell too) are truncated and counted, and only the first
MAX_FILE_BYTES of a huge file are read (its last, cut line dropped). A label that cannot
be used, over MAX_LABEL_CHARS (the image labels CSV's limit) or a JSON list or object, is
left out, never cut, and so is one holding bytes that are not UTF-8: its example is kept
without it (as an image whose labels-CSV row is
skipped), and each kind is counted and named with its lines in a warning. Lines end at a
line feed, a carriage return or both only, as editors number them (a form feed or U+2028
inside a line is a space).

Every example is made safe text: control, zero-width and bidirectional-override
characters become spaces (the zero-width joiners U+200C and U+200D stay: Persian words,
Indic conjuncts and emoji sequences need them) and runs of white space one space.
"""

from __future__ import annotations

import codecs
import copy
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..text.tokenizer import MAX_TOKENS
from ..words import agreeing, counted, listed
from .decode import RejectedFile
from .labels import EXAMPLES, LABEL_HEADERS, MAX_LABEL_CHARS, first_few
from . import csv_fields  # noqa: F401 (the csv module's field limit, set once for every reader)
from .text import printable

READ_PIECES = MAX_TOKENS - 2  # the word pieces of an example the encoder reads, [CLS] and [SEP] aside
TEXT_SUFFIXES = (".txt", ".csv", ".jsonl")
MAX_CHARS = 1000  # an example is cut to this many characters (a paragraph, not a book)
MAX_FILE_BYTES = 32 * 1024**2  # of one text file, the rest is not read
MAX_BAD_CSV = 20  # unreadable CSV records skipped in one file before the rest of it is left unread
UNREAD = f"; after {MAX_BAD_CSV} unreadable records the rest of the file was not read"
SNIFF_BYTES = 8192
TEXT_HEADERS = ("text", "sentence", "content")
SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "bars"}  # a CSV's other separators, named where a header used one
_SIGNATURES = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
               b"PK\x03\x04": "a zip archive", b"%PDF": "a PDF document", b"\x1f\x8b": "gzip data",
               b"\x7fELF": "a program"}
_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),  # before UTF-16's, which
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))  # begins UTF-32LE's
_NOT_TEXT = re.compile("[\ud800-\udfff]")  # a byte that is not UTF-8, as decoded by surrogateescape
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
# an HTML tag of a common element ('<p>', '</i>', '<a href=x>', '<br/>'), not code's '<T>' or 'List<String>'
_TAG = re.compile(r"</?(p|br|div|span|a|b|i|u|em|strong|ul|ol|li|h[1-6]|img|table|tr|td|th|pre|code|html|body|head|"
                  r"script|style|font|small|sup|sub|blockquote|hr|section|article|header|footer|title|iframe|"
                  r"input|form|button|label)(\s[^<>]*)?/?>", re.IGNORECASE)
_NOTHING = {".csv": "no rows with text under the header",
            ".jsonl": 'no JSONL line is an object with a non-empty string "text"'}
_NOTHING_TXT = "only empty lines (blank or invisible characters)"
UNUSED_LABELS = {"long": f"a label over the limit of {MAX_LABEL_CHARS} characters",  # kinds of label not used
                 "nested": "a label that is a list or an object, not one value",
                 "not_utf8": "a label holding bytes that are not UTF-8 text"}

Row = tuple[int, str, str | None, int]  # (line number, example, label or None, characters before the cut)


@dataclass
class Places:
    """How many lines of one kind, and where the first EXAMPLES are ('file:line'): a file of
    millions of empty lines keeps three places, not millions."""

    count: int = 0
    first: list[str] = field(default_factory=list)

    def add(self, where: str) -> None:
        self.count += 1
        if len(self.first) < EXAMPLES:
            self.first.append(where)

    def __str__(self) -> str:
        more = self.count - len(self.first)
        return ", ".join(self.first) + (f" and {more:,} more" if more else "")


@dataclass
class TextTally:
    """What was skipped or changed across the files of one import, for its warnings."""

    empty: Places = field(default_factory=Places)  # lines, rows or JSONL texts with nothing to read
    no_text: Places = field(default_factory=Places)  # examples with a label but no text: a labelled example lost
    blank_cell: Places = field(default_factory=Places)  # CSV rows of other cells only: no empty line (walk 13)
    truncated: int = 0
    first_truncated: str | None = None
    bad_lines: int = 0
    not_utf8: int = 0  # examples holding bytes that are not UTF-8
    first_not_utf8: str | None = None  # 'file:line (byte 0xNN)'
    first_bad_line: str | None = None
    bad_csv: int = 0  # CSV records that cannot be read
    first_bad_csv: str | None = None  # 'file:line (why)'
    unread_csv: list[str] = field(default_factory=list)  # CSV files left unread after MAX_BAD_CSV bad records
    capped_files: list[str] = field(default_factory=list)
    folder_warnings: list[str] = field(default_factory=list)  # labels.outside_folders_warning, once per import
    unused_labels: dict[str, list[str]] = field(default_factory=dict)  # UNUSED_LABELS kind -> ['file:line']
    # a CSV with columns not read -> (the label column read, None without one; the others): walk 29's 'lang' unsaid
    unread_columns: dict[str, tuple[str | None, list[str]]] = field(default_factory=dict)
    seen: dict[bytes, str] = field(default_factory=dict)  # each text's digest -> where it came first
    repeated: Places = field(default_factory=Places)  # examples whose text came before (kept: walk 13 saw none said)
    tagged: Places = field(default_factory=Places)  # examples holding HTML tags, kept as written (walk 19: unsaid)
    wordy: Places = field(default_factory=Places)  # examples of more words than the encoder reads (walk 35: unsaid)

    def unused_label(self, kind: str, where: str) -> None:
        """Count a label of `kind` (a key of UNUSED_LABELS) at `where` ('file:line') as not used."""
        self.unused_labels.setdefault(kind, []).append(where)

    def warnings(self) -> list[str]:
        said = list(self.folder_warnings)
        said += [f"{counted(len(places), 'examples', ('has', 'have'))} {UNUSED_LABELS[kind]}, "
                 "which was not used "
                 f"(at {first_few(places)})" for kind, places in self.unused_labels.items()]
        said += [(f"{name}'s labels are its column {label}, and its other "
                  if label else f"{name} has no label column (one named {listed(list(LABEL_HEADERS), 'or')}), so its "
                                "examples are unlabelled and its other ")
                 + f"{agreeing(len(columns), 'column', 'columns')} ({', '.join(columns)}) "
                 f"{agreeing(len(columns), 'was', 'were')} not read"
                 + ("" if label else "; rename a label column to import its labels")
                 for name, (label, columns) in self.unread_columns.items()]
        if self.empty.count:
            said.append(f"{counted(self.empty.count, 'empty lines')} skipped (at {self.empty})")
        if self.blank_cell.count:
            said.append(f"{counted(self.blank_cell.count, 'CSV rows', ('has', 'have'))} other cells but an empty "
                        f"text cell and {agreeing(self.blank_cell.count, 'was', 'were')} skipped "
                        f"(at {self.blank_cell})")
        if self.repeated.count:
            said.append(f"{counted(self.repeated.count, 'examples', ('repeats', 'repeat'))} the text of an earlier "
                        f"one and {agreeing(self.repeated.count, 'was', 'were')} kept, each copy the other's nearest "
                        f"neighbour (at {self.repeated})")
        if self.tagged.count:
            said.append(f"{counted(self.tagged.count, 'examples', ('holds', 'hold'))} HTML tags such as '<p>', kept "
                        "as written: the encoder reads the tags as words, so texts alike in markup look alike; "
                        f"strip them before the import where they are markup, not content (at {self.tagged})")
        if self.no_text.count:
            said.append(f"{counted(self.no_text.count, 'examples', ('has', 'have'))} a label but no text and "
                        f"{agreeing(self.no_text.count, 'was', 'were')} skipped (at {self.no_text})")
        if self.wordy.count:
            said.append(f"{counted(self.wordy.count, 'examples', ('holds', 'hold'))} more than {READ_PIECES} words, "
                        f"where the encoder reads a text's first {READ_PIECES} word pieces (a word is one piece or "
                        f"more): the rest of {agreeing(self.wordy.count, 'it', 'each')} is never read "
                        f"(at {self.wordy})")
        if self.truncated:
            said.append(f"{counted(self.truncated, 'examples', ('was', 'were'))} longer than {MAX_CHARS:,} characters "
                        f"and {agreeing(self.truncated, 'was', 'were')} cut to that length "
                        f"(for example {self.first_truncated})")
        if self.not_utf8:
            said.append(f"{counted(self.not_utf8, 'examples', ('holds', 'hold'))} bytes that are not UTF-8 text "
                        f"and {agreeing(self.not_utf8, 'was', 'were')} skipped, the lines around "
                        f"{agreeing(self.not_utf8, 'it', 'them')} imported (first: {self.first_not_utf8}); "
                        f"save the file as UTF-8 to keep {agreeing(self.not_utf8, 'it', 'them')}")
        if self.bad_lines:
            said.append(f"{counted(self.bad_lines, 'JSONL lines', ('is', 'are'))} not an object with a string "
                        f"\"text\" and {agreeing(self.bad_lines, 'was', 'were')} skipped "
                        f"(first: {self.first_bad_line})")
        if self.bad_csv:
            said.append(f"{counted(self.bad_csv, 'CSV records')} could not be read and "
                        f"{agreeing(self.bad_csv, 'was', 'were')} skipped, the records around "
                        f"{agreeing(self.bad_csv, 'it', 'them')} imported (first: {self.first_bad_csv})")
        if self.unread_csv:
            count = len(self.unread_csv)
            said.append(f"{counted(count, 'CSV files', ('was', 'were'))} read only up to "
                        f"{agreeing(count, 'its', 'their')} {MAX_BAD_CSV}th unreadable record "
                        f"(for example {self.unread_csv[0]})")
        if self.capped_files:
            said.append(f"only the first {MAX_FILE_BYTES:,} bytes of {counted(len(self.capped_files), 'huge files')} "
                        f"were read (for example {self.capped_files[0]})")
        return said


def is_text_name(name: str) -> bool:
    return name.lower().endswith(TEXT_SUFFIXES)


def clean(text: str) -> str:
    """Safe one-line text: unsafe characters as spaces, white space runs as one space."""
    return " ".join(_UNSAFE.sub(" ", text).split())


def decode_text(data: bytes, whole: bool = True) -> str:
    """UTF-8 (a BOM allowed; UTF-16 and UTF-32 with their BOM too) -> str, a byte that is
    not UTF-8 as a surrogate escape (U+DC80 to U+DCFF); RejectedFile for binary data or
    damaged UTF-16/32. Not `whole` (the first bytes of a larger file), a character cut at
    the end is left out rather than refused."""
    head = data[:SNIFF_BYTES]
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            raise RejectedFile(f"binary data, not text ({what} under a text file's name)")
    codec = next((codec for bom, codec in _BOMS if head.startswith(bom)), None)
    if codec is not None:
        try:
            return codecs.getincrementaldecoder(codec)().decode(data, final=whole)
        except UnicodeDecodeError:
            raise RejectedFile(f"damaged {codec} text") from None
    nul = head.find(b"\x00")
    if nul >= 0:
        raise RejectedFile(f"binary data, not text (a NUL byte at offset {nul:,})")
    return codecs.getincrementaldecoder("utf-8-sig")("surrogateescape").decode(data, final=whole)


def _not_utf8(data: bytes) -> RejectedFile:
    """Why a file none of whose examples is text is refused: its first byte that is not
    UTF-8, on its line (where a person looks for it) and at its offset (for a hex editor)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return RejectedFile(f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line:,}, at offset "
                            f"{exc.start:,}); save it as UTF-8")
    return RejectedFile("its examples hold lone surrogate escapes (\\ud800 to \\udfff), which are not text")


def _example(text: str, where: str, tally: TextTally, labelled: bool = False,
             empty: Places | None = None) -> tuple[str, int] | None:
    """(`text` cleaned and cut to MAX_CHARS, its cleaned length before the cut), None when
    empty (counted as an example lost where it is `labelled`, else in `empty`, by default
    the empty lines) or not text (a byte that is not UTF-8)."""
    if bad := _NOT_TEXT.search(text):
        tally.not_utf8 += 1
        code = ord(bad.group())
        tally.first_not_utf8 = tally.first_not_utf8 or (
            f"{where} (byte 0x{code - 0xdc00:02x})" if 0xdc80 <= code <= 0xdcff else f"{where} (U+{code:04X})")
        return None
    text = clean(text)
    if not text:
        (tally.no_text if labelled else tally.empty if empty is None else empty).add(where)
        return None
    if len(text) > MAX_CHARS:
        tally.truncated += 1
        tally.first_truncated = tally.first_truncated or where
    if _TAG.search(text):
        tally.tagged.add(where)
    if len(text.split(maxsplit=READ_PIECES)) > READ_PIECES:
        tally.wordy.add(where)
    digest = hashlib.blake2b(text.encode(), digest_size=16).digest()  # 16 bytes an example, not its text
    if digest in tally.seen:
        tally.repeated.add(f"{where} (text of {tally.seen[digest]})")
    else:
        tally.seen[digest] = where
    return text[:MAX_CHARS], len(text)


def _label(value: object, where: str, tally: TextTally) -> str | None:
    """The label `value` of the example at `where` ('file:line') as safe text; None when
    absent or blank, and when it cannot be used (UNUSED_LABELS), then counted in `tally`."""
    if isinstance(value, (dict, list)):
        tally.unused_label("nested", where)
        return None
    if isinstance(value, str) and _NOT_TEXT.search(value):
        tally.unused_label("not_utf8", where)
        return None
    label = "" if value is None else printable(str(value).strip())
    if len(label) > MAX_LABEL_CHARS:
        tally.unused_label("long", where)
        return None
    return label or None


def _lines(text: str) -> Iterator[str]:
    """The lines of `text`, broken at line feeds, carriage returns and both together only
    (str.splitlines also breaks at form feeds, U+2028 and others, misnumbering the lines
    after them)."""
    return (line.rstrip("\r\n") for line in io.StringIO(text, newline=""))


def _txt(text: str, name: str, tally: TextTally) -> Iterator[Row]:
    for number, line in enumerate(_lines(text), start=1):
        example = _example(line, f"{name}:{number}", tally)
        if example is not None:
            yield number, example[0], None, example[1]


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [cell.strip().lower() for cell in header]
    return next((lowered.index(n) for n in names if n in lowered), None)


def _records(text: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line where it starts, row, "") of each CSV record, or (line, None, why) for one that
    cannot be read (a quote never closed, text after a closing quote); reading goes on
    at the line after the start of the bad one, at most MAX_BAD_CSV times (a quote never
    closed is found only at the end of the file, so each restart reads the rest again)."""
    lines = list(io.StringIO(text, newline=""))
    start = 0  # index of the line the reader starts at
    for restart in range(MAX_BAD_CSV):
        reader = csv.reader((lines[i] for i in range(start, len(lines))), strict=True)
        record = start
        try:
            for row in reader:
                yield record + 1, row, ""
                record = start + reader.line_num
            return
        except csv.Error as exc:
            why = "a quote opened here is never closed" if "unexpected end of data" in str(exc) else str(exc)
            yield record + 1, None, why + (UNREAD if restart == MAX_BAD_CSV - 1 else "")
            start = record + 1


def _csv(text: str, name: str, tally: TextTally) -> Iterator[Row]:
    """The rows of a CSV under its header; a record that cannot be read is skipped and
    counted, and the file refused only when none can be read."""
    records = _records(text)
    number, header, why = next(records, (0, None, ""))
    if why:
        raise RejectedFile(f"malformed CSV at line {number:,} ({why})")
    if header is None:
        raise RejectedFile("empty CSV")
    text_at, label_at = _column(header, TEXT_HEADERS), _column(header, LABEL_HEADERS)
    if text_at is None:  # walk 19: 'it has 'text;label'' with no word of the separator, nor of the names read
        shown = ", ".join(repr(printable(c))[:40] for c in header[:5])
        separator = next((s for s in ";\t|" if len(header) == 1 and s in header[0]), None)
        raise RejectedFile(f"no text column in the CSV's first row: it has {shown}, and a column named "
                           f"{listed([repr(name) for name in TEXT_HEADERS], 'or')} is read"
                           + (f"; its fields are separated by {SEPARATORS[separator]}, where a CSV is read with "
                              f"commas: save it with commas" if separator else ""))
    if others := [repr(printable(c))[:40] for at, c in enumerate(header)
                  if at not in (text_at, label_at) and c.strip()]:
        tally.unread_columns[name] = (None if label_at is None else repr(printable(header[label_at]))[:40],
                                      others[:5] + (["..."] if len(others) > 5 else []))
    bad, first_bad, given = 0, (0, ""), 0
    for number, row, why in records:
        if row is None:
            bad += 1
            first_bad = first_bad if bad > 1 else (number, why)
            if why.endswith(UNREAD):
                tally.unread_csv.append(name)
        elif not any(cell.strip() for cell in row):
            tally.empty.add(f"{name}:{number}")
        else:
            where, cell = f"{name}:{number}", row[label_at] if label_at is not None and label_at < len(row) else ""
            if example := _example(row[text_at] if text_at < len(row) else "", where, tally, bool(cell.strip()),
                                   tally.blank_cell):
                given += 1
                yield number, example[0], _label(cell, where, tally), example[1]
    if bad and not given:
        raise RejectedFile(f"malformed CSV at line {first_bad[0]:,} ({first_bad[1]})")
    if bad:
        tally.bad_csv += bad
        tally.first_bad_csv = tally.first_bad_csv or f"{name}:{first_bad[0]} ({first_bad[1]})"


def _jsonl(text: str, name: str, tally: TextTally) -> Iterator[Row]:
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            tally.empty.add(f"{name}:{number}")
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            record = None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            tally.bad_lines += 1
            tally.first_bad_line = tally.first_bad_line or f"{name}:{number}"
            continue
        example = _example(record["text"], f"{name}:{number}", tally, record.get("label") not in (None, ""))
        if example is not None:
            yield number, example[0], _label(record.get("label"), f"{name}:{number}", tally), example[1]


def read_examples(data: bytes, name: str, tally: TextTally) -> list[Row]:
    """(line number, example, label or None, characters before the cut) of the text file
    `name` holding `data`; RejectedFile when the file cannot be used at all or gives no
    example, and then `tally` is left as it was: a refused file's reason names what is wrong
    with it, its lines are not counted in the import's warnings too."""
    before = copy.deepcopy(tally)
    try:
        return _read(data, name, tally)
    except RejectedFile:
        vars(tally).update(vars(before))
        raise


def _read(data: bytes, name: str, tally: TextTally) -> list[Row]:
    if len(data) > MAX_FILE_BYTES:  # cut as text: in UTF-16 or -32 a 0x0a byte is not a line's end
        tally.capped_files.append(name)
        text = decode_text(data[:MAX_FILE_BYTES], whole=False).rsplit("\n", 1)[0]
    else:
        text = decode_text(data)
    if not text.strip():
        raise RejectedFile("no text in the file")
    suffix = name[name.rfind("."):].lower()
    not_text = tally.not_utf8
    rows = list({".csv": _csv, ".jsonl": _jsonl}.get(suffix, _txt)(text, name, tally))
    if tally.not_utf8 - not_text > len(rows):  # mostly not UTF-8: another encoding, or binary data whose short
        raise _not_utf8(data)  # runs of valid bytes are no examples
    if not rows:
        raise RejectedFile(_NOTHING.get(suffix, _NOTHING_TXT))
    return rows
