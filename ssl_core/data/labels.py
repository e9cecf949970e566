"""Optional labels, used only to judge or colour: a CSV `filename,label`, or
class-named subfolders. Training never reads them.

The CSV parser trusts nothing: what makes the file as a whole unreadable (over
MAX_LABELS_BYTES, not UTF-8, any error of Python's csv module (its field limit raised to the
file cap: csv_fields.py), a quote left open across lines) is a LabelsError naming the file and
the line, and so is a file without one usable row. A row that is wrong on its own is skipped,
the good rows kept, and each kind is named in one warning with its lines: rows of one cell or
with no file name or no label, and rows whose label is over MAX_LABEL_CHARS (skipped too, as
a bad row is, rather than failing the file). Labels are stored as escaped text (`printable`,
the rule file names follow), so NUL and control characters never reach the database. A header
row is recognised by its column names; repeated rows are reported and the first one is kept.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..words import agreeing, counted
from . import csv_fields  # noqa: F401 (the csv module's field limit, set once for every reader)
from .text import printable

LABELS_FILE = "labels.csv"  # found at the top of an archive or folder, used as the CSV
MAX_LABELS_BYTES = 64 * 1024**2  # a labels file (about a million rows of 60 characters)
FILE_HEADERS = ("filename", "file", "file_name", "name", "path", "image")
LABEL_HEADERS = ("label", "class", "category", "target", "topic", "tag", "labels")  # walk 13's "topic" was dropped
MAX_LABEL_CHARS = 256  # a class name, not a document
EXAMPLES = 3  # line numbers (or rows) quoted in a warning
SKIPPED = ("it is skipped", "they are skipped")
_UNUSED_ROWS = {  # each kind of row a parse does not use: what one row and what several do, what becomes of them
    "incomplete": ("lacks", "lack", "a file name or a label", SKIPPED),
    "too long": ("has", "have", f"a label over the limit of {MAX_LABEL_CHARS} characters", SKIPPED),
    "repeated": ("repeats", "repeat", "a file name with the same label", ("each file is labelled once",) * 2),
    "conflicting": ("gives", "give", "a file a second, different label", ("the first row is used",) * 2),
}


class LabelsError(ValueError):
    """A labels file that cannot be used; the message names the file and the reason."""


@dataclass
class LabelsCsv:
    """What a labels CSV says: {file name: label}, whether it had a header, warnings,
    {file name: the line of its row}, and the file names of rows skipped (no label, one too long)."""

    labels: dict[str, str]
    header: bool = False
    warnings: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)


def _header_columns(row: list[str]) -> tuple[int, int] | None:
    """(file column, label column) when `row` is a header: 'filename,label' and its kin, or
    the two swapped ('label,filename'); None for a data row."""
    first, second = (cell.strip().lower() for cell in row[:2])
    if first in LABEL_HEADERS and second in FILE_HEADERS:
        return 1, 0
    return (0, 1) if first in FILE_HEADERS or second in LABEL_HEADERS else None


def first_few(items: list[str]) -> str:
    """The first EXAMPLES of `items`, and how many more there are; all of them where one more would be hidden
    (walk 48: "the subfolders eraser, pencil, ruler and 1 more" of four, 'scissors' unsaid)."""
    if len(items) == EXAMPLES + 1:
        return ", ".join(items[:-1]) + f" and {items[-1]}"
    shown = ", ".join(items[:EXAMPLES])
    return shown + (f" and {len(items) - EXAMPLES:,} more" if len(items) > EXAMPLES else "")


def _lines(rows: list[tuple[int, str]]) -> str:
    """Where rows (line, what is wrong with it, '' where the kind says it) are: 'line 3, 6', or
    "line 2: 'a.png' without a label, line 5: ..." (walk 17: the file was not named)."""
    if not any(detail for _, detail in rows):
        return "line " + first_few([f"{n:,}" for n, _ in rows])
    return first_few([f"line {n:,}: {detail}" if detail else f"line {n:,}" for n, detail in rows])


def _spans_lines(source: str, start: int, end: int) -> str:
    return (f"{source}, line {start:,}: a quote opened here is not closed on its line (the record "
            f"runs to line {end:,}); close it, or remove the line break inside the quotes")


def _delimiter(text: str) -> str:
    """What separates the CSV's columns: ';' (as Excel writes CSV where the comma is the decimal
    mark: walk 32's was refused, 'no filename,label rows') or a tab where its first line that
    holds anything has that and no comma, else ','."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "," in first:
        return ","
    return ";" if ";" in first else "\t" if "\t" in first else ","


def _rows(text: str, source: str):
    """(line number, row) of each CSV record; LabelsError for a csv error or a record that
    spans lines (a quote left open merges every row after it)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=_delimiter(text))
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise LabelsError(f"{source}, line {start:,}: a quote opened here is never closed (the "
                                  "file ends inside it)") from None
            if reader.line_num > start:
                raise LabelsError(_spans_lines(source, start, reader.line_num)) from None
            raise LabelsError(f"{source}, line {reader.line_num:,}: cannot be read as CSV ({exc})") from None
        if reader.line_num > start:
            raise LabelsError(_spans_lines(source, start, reader.line_num))
        yield start, row
        start = reader.line_num + 1


def _text(data: bytes, source: str) -> str:
    """The file's text; LabelsError when it is over MAX_LABELS_BYTES or not UTF-8."""
    if len(data) > MAX_LABELS_BYTES:
        raise LabelsError(f"{source}: {len(data):,} bytes is over the limit of {MAX_LABELS_BYTES:,} "
                          "bytes for a labels file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LabelsError(f"{source}: not UTF-8 text") from None


def _notes(unused: dict[str, list[tuple[int, str]]]) -> list[str]:
    """A sentence for each kind of row not used (`unused`: kind -> (line, detail) of its rows)."""
    return [_note(len(rows), *_UNUSED_ROWS[kind], _lines(rows)) for kind, rows in unused.items() if rows]


def _note(count: int, one: str, many: str, rest: str, outcome: tuple[str, str], lines: str) -> str:
    """"1 row lacks a file name or a label (line 2: 'a.png' without a label); it is skipped", or
    of several rows."""
    return f"{counted(count, 'rows', (one, many))} {rest} ({lines}); {agreeing(count, *outcome)}"


def _fault(parsed: LabelsCsv, filename: str, label: str) -> tuple[str, str] | None:
    """Why a row of `filename,label` is not used (a kind of _UNUSED_ROWS) and, where the kind
    does not say it all, what the row holds; None when it is used."""
    if not filename or not label:
        return "incomplete", (f"{printable(filename)!r} without a label" if filename else
                              f"label {label!r} without a file name" if label else "")
    if len(label) > MAX_LABEL_CHARS:
        return "too long", ""
    if filename in parsed.labels:
        first = parsed.labels[filename]
        return ("repeated", f"{printable(filename)!r} again") if first == label else (  # named: walk 27
            "conflicting", f"{printable(filename)!r} as {label!r} where line {parsed.lines[filename]:,} says {first!r}")
    return None


def parse_labels_csv(data: bytes, source: str) -> LabelsCsv:
    """`filename,label` rows (or `;` or tab between them: `_delimiter`; a header row is optional;
    'label,filename' swaps the columns)
    as a LabelsCsv. Blank rows are passed over; rows without a file name or a label, or with
    a label over MAX_LABEL_CHARS, are skipped and repeated file names keep their first row,
    each kind in one warning. LabelsError when the file cannot be read, or has no usable row."""
    text = _text(data, source)
    parsed = LabelsCsv({})
    unused: dict[str, list[tuple[int, str]]] = {kind: [] for kind in _UNUSED_ROWS}
    file_column, label_column = 0, 1
    for number, row in _rows(text, source):
        if not row or all(not cell.strip() for cell in row):
            continue
        if not parsed.labels and not parsed.header and len(row) > 1 and (columns := _header_columns(row)):
            parsed.header, (file_column, label_column) = True, columns
            continue
        filename = _nfc(row[file_column].strip()) if len(row) > file_column else ""
        label = printable(row[label_column].strip()) if len(row) > label_column else ""
        fault = _fault(parsed, filename, label)
        if fault is not None:
            unused[fault[0]].append((number, fault[1]))
            if filename and fault[0] in ("incomplete", "too long"):
                parsed.skipped.add(filename)
            continue
        parsed.labels[filename], parsed.lines[filename] = label, number
    notes = _notes(unused)
    if not parsed.labels:
        raise LabelsError(f"{source}: no 'filename,label' rows" + "".join(f"; {note}" for note in notes))
    parsed.warnings = [f"{source}: {note}" for note in notes]
    return parsed


def _nfc(name: str) -> str:
    """`name` in Unicode's composed form: macOS writes 'café.png' into a zip decomposed (e and a
    combining accent), a CSV typed elsewhere composed; both look alike and must match."""
    return unicodedata.normalize("NFC", name)


def _keys(inner: str) -> list[str]:
    """Names a CSV may use for a file: its path inside the source (as it is, and
    normalised), that path without its top folder, and its bare file name."""
    inner = _nfc(inner)
    parts = PurePosixPath(inner.replace("\\", "/")).parts
    return [inner, "/".join(parts), "/".join(parts[1:]), parts[-1]] if parts else [inner]


def _matched_by(labels: dict[str, str], inner_paths: list[str]) -> list[str | None]:
    """The CSV name each file is matched by: the most specific of its names the CSV has, else
    one matching it loosely (`_loose`)."""
    exact = _exact(labels, inner_paths)
    loose = _loose(labels, inner_paths, exact)
    return [key if key is not None else loose.get(position) for position, key in enumerate(exact)]


def _exact(labels: dict[str, str], inner_paths: list[str]) -> list[str | None]:
    """The CSV name each file is matched by exactly: the most specific of its names (_keys) the CSV has."""
    return [next((k for k in _keys(p) if k in labels), None) for p in inner_paths]


def _bare(name: str) -> str:
    """A name's last part, NFC, in one case: 'camtrap/IMG_0002.JPG' -> 'img_0002.jpg'."""
    return PurePosixPath(_nfc(name).replace("\\", "/")).name.casefold()


def _loose(labels: dict[str, str], inner_paths: list[str], exact: list[str | None]) -> dict[int, str]:
    """{position of a file no CSV name matches: the CSV name matching it by its bare name in any
    case} where that bare name is one file's and one unused row's alone (walk 32: rows naming
    'camtrap_flat/IMG_0000.jpg' or 'img_0002.JPG' for a folder's IMG_0000.jpg, IMG_0002.jpg
    matched nothing)."""
    used = set(exact)
    rows: dict[str, list[str]] = {}
    for name in labels:
        if name not in used:
            rows.setdefault(_bare(name), []).append(name)
    if not rows:  # every row matched exactly (the usual case): no file's bare name is needed
        return {}
    files: dict[str, list[int]] = {}
    for position, path in enumerate(inner_paths):
        files.setdefault(_bare(path), []).append(position)
    return {positions[0]: rows[bare][0] for bare, positions in files.items()
            if len(positions) == 1 and exact[positions[0]] is None and len(rows.get(bare, ())) == 1}


def loose_rows(labels: dict[str, str], inner_paths: list[str]) -> list[tuple[str, str]]:
    """(CSV name, the file's path) of each file matched loosely (`_loose`), to be said."""
    exact = _exact(labels, inner_paths)
    return [(name, inner_paths[position]) for position, name in sorted(_loose(labels, inner_paths, exact).items())]


def ambiguous_rows(labels: dict[str, str], inner_paths: list[str]) -> dict[str, list[int]]:
    """{CSV name: the positions in `inner_paths` of the files it names} for names that match two
    or more files, as a bare 'a.png' names both train/a.png and val/a.png; match_csv labels
    none of those files."""
    named: dict[str, list[int]] = {}
    for position, key in enumerate(_matched_by(labels, inner_paths)):
        if key is not None:
            named.setdefault(key, []).append(position)
    return {key: paths for key, paths in named.items() if len(paths) > 1}


def match_csv(labels: dict[str, str], inner_paths: list[str]) -> list[str | None]:
    """The CSV label of each file (None where the CSV has no row for it, or where its row
    names other files too: ambiguous_rows)."""
    ambiguous = ambiguous_rows(labels, inner_paths)
    return [None if key is None or key in ambiguous else labels[key] for key in _matched_by(labels, inner_paths)]


def in_skipped_row(parsed: LabelsCsv, inner: str) -> bool:
    """Whether the file at `inner` is named by a row the CSV skipped (parsed.skipped)."""
    return any(key in parsed.skipped for key in _keys(inner))


def unmatched_rows(parsed: LabelsCsv, inner_paths: list[str]) -> list[str]:
    """The CSV's file names that name none of `inner_paths` by any name match_csv accepts,
    in the order of their rows."""
    known = {key for path in inner_paths for key in _keys(path)} | set(_matched_by(parsed.labels, inner_paths))
    return [name for name in parsed.labels if name not in known]


def rows_named(parsed: LabelsCsv, names: list[str]) -> str:
    """The first EXAMPLES of `names` with the lines of their rows: "'x.png' on line 5, ..."."""
    return first_few([f"{printable(name)!r} on line {parsed.lines[name]:,}" for name in names])


def _class_parts(split: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """One source's paths with the folders all its files share dropped, while a file is
    still left in a folder below them (a source that is one class folder keeps it)."""
    while (all(len(parts) > 1 for parts in split) and len({parts[0] for parts in split}) == 1
           and any(len(parts) > 2 for parts in split)):
        split = [parts[1:] for parts in split]
    return split


FOLDER_CLASSES = "the class folders"  # an import's labels_from where subfolders named the classes


def labels_from_folders(inner_paths: list[str], origins: list[str] | None = None) -> list[str | None] | None:
    """Labels from class-named subfolders (`folder_names`), None unless there are at least two classes."""
    classes = folder_names(inner_paths, origins)
    return classes if len(set(classes) - {None}) >= 2 else None


def lone_folder_warning(classes: list[str | None]) -> list[str]:
    """A warning where `folder_names` found one subfolder only, so no classes (walk 31: a flat
    folder of 620 images beside 'night/' with 100 came in unlabelled, unsaid); none otherwise."""
    named = set(classes) - {None}
    if len(named) != 1:
        return []
    folder = named.pop()
    inside = sum(name == folder for name in classes)
    return [f"one subfolder, {folder!r} ({inside:,} of {len(classes):,} images), was not read as a class: classes "
            "come from two subfolders or more, so no image has a label"]


def folder_names(inner_paths: list[str], origins: list[str] | None = None) -> list[str | None]:
    """Each file's class-named subfolder: in each source (`origins`, the upload, archive or
    folder each file came from; one source when None) the folders all its files share are
    dropped, then each file's first folder is its class, and a file outside any folder has none."""
    origins = origins if origins is not None else [""] * len(inner_paths)
    split: dict[str, list[tuple[str, ...]]] = {}
    for origin, path in zip(origins, inner_paths):
        split.setdefault(origin, []).append(PurePosixPath(path.replace("\\", "/")).parts)
    found = {origin: iter(_class_parts(paths)) for origin, paths in split.items()}
    return [printable(parts[0]) if len(parts) > 1 else None for parts in (next(found[o]) for o in origins)]


def outside_folders_warning(labels: list[str | None], names: list[str]) -> list[str]:
    """A warning naming how many files folder `labels` left unlabelled, none if all have one."""
    outside = [name for name, label in zip(names, labels) if label is None]
    if not outside:
        return []
    return [f"{len(outside):,} of {len(names):,} files sit outside the class folders and have no label "
            f"(for example {outside[0]!r})"]


def alike_labels_warning(labels: list[str | None]) -> list[str]:
    """A warning naming the classes whose labels differ only in capitals or the spaces around
    them ('Deer' and 'deer'), kept as separate classes as written (walk 32: a CSV with both came
    in as 8 classes, not 4, unsaid); none where no two are alike."""
    counts = Counter(label for label in labels if label is not None)
    groups: dict[str, list[str]] = {}
    for label in sorted(counts):
        groups.setdefault(label.strip().casefold(), []).append(label)
    alike = [names for names in groups.values() if len(names) > 1]
    if not alike:
        return []
    said = "; ".join(", ".join(f"{name!r} ({counts[name]:,})" for name in names) for names in alike[:EXAMPLES])
    more = f" and {len(alike) - EXAMPLES:,} more such sets" if len(alike) > EXAMPLES else ""
    return [f"{counted(sum(map(len, alike)), 'labels')} differ only in capitals or spaces from another ({said}{more}), "
            "so each is a class of its own, as written; write them alike to make one class"]


def too_few_to_probe(counts: Mapping[str, int]) -> bool:
    """Labels (`counts`, {class: labelled items}) that exist but that evaluation's
    `splits.labelled` cannot use: fewer than two classes with two items each (a light
    function: the Data page asks it at the app's start, before torch is imported)."""
    return bool(counts) and sum(count >= 2 for count in counts.values()) < 2
