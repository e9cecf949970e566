"""Import text into the workspace as a dataset of kind 'text'.

The same sources as images (uploads, a zip, a folder under the data roots, a built-in)
give entries; an import whose files all have text names (.txt, .csv, .jsonl) comes here
(`is_text_import`). Each file is read whole by text_read.py or rejected whole with its
reason (a file that gives no example too); the examples go, in order, into `texts.json`
(a JSON list of strings) in a private folder that moves into place with its rows in one
transaction, as images do. One `images` row per example: its name 'file:line', its length
in characters before truncation as width, height 1, its label (the CSV/JSONL label column,
else the file's class-named folder).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from ..store import DatasetInfo, Workspace, WorkspaceError, fsync_file
from .builtins import BuiltinDataset
from .decode import RejectedFile
from .ingest import IngestError, IngestReport, Progress, building_folder, small_dataset_warning
from .labels import LABELS_FILE, labels_from_folders, outside_folders_warning
from .rejections import RejectionList
from .sources import Candidate, Entry, Rejection
from .text import printable
from .text_read import MAX_CHARS, TEXT_SUFFIXES, Row, TextTally, is_text_name, read_examples

KIND = "text"
TEXTS_FILE = "texts.json"
MAX_EXAMPLES = 200_000  # per import; the rest are skipped and counted

Example = tuple[str, str, str | None, int]  # (name 'file:line', text, label, characters before truncation)


def is_text_import(entries: list[Entry]) -> bool:
    """Whether most files offered (not rejections) have a text name: a stray picture among
    sentences is rejected from a text import, a README among pictures from an image one.
    Beside pictures, their captions (`cat1.txt` by `cat1.png`) and a `labels.csv` do not vote:
    three pictures with three captions and a labels file were imported as three sentences."""
    names = [e.name for e in entries if isinstance(e, Candidate)]
    pictures = {_stem(n) for n in names if not is_text_name(n)}
    voters = [n for n in names if not (pictures and is_text_name(n) and (
        _stem(n) in pictures or PurePosixPath(n).name.lower() == LABELS_FILE))]
    return sum(is_text_name(n) for n in voters) > len(voters) / 2


def _stem(name: str) -> str:
    """A file's path without its suffix: a picture and its caption share it."""
    path = PurePosixPath(name.replace("\\", "/"))
    return str(path.with_suffix("")) if path.suffix else str(path)


def load_texts(ws: Workspace, info: DatasetInfo) -> list[str]:
    """The examples of text dataset `info`, in row order."""
    if info.kind != KIND:
        raise WorkspaceError(f"dataset {info.name!r} holds {info.kind}s, not text")
    return json.loads((ws.dataset_dir(info) / TEXTS_FILE).read_text(encoding="utf-8"))


def read_entries(entries: list[Entry], rejected: RejectionList, tally: TextTally,
                 progress: Progress | None = None, folder_labels: bool = True) -> list[Example]:
    """Every example of every usable file, labelled (by its own label column, else its class
    folder unless not `folder_labels`); rejected files listed with why."""
    per_file: list[tuple[Candidate, list[Row]]] = []
    for done, entry in enumerate(entries, start=1):
        if isinstance(entry, Rejection):
            rejected.add(printable(entry.name), entry.reason, entry.count)
        elif not is_text_name(entry.name):
            rejected.add(printable(entry.name), f"not a text file ({', '.join(TEXT_SUFFIXES)}) among text files: "
                                                "import pictures as a dataset of their own")
        else:
            try:
                per_file.append((entry, read_examples(entry.read(), printable(entry.name), tally)))
            except (RejectedFile, ValueError, OSError) as exc:
                rejected.add(printable(entry.name), str(exc))
        if progress is not None:
            progress(done, len(entries))
    found = labels_from_folders([entry.inner for entry, _ in per_file],
                                [entry.origin for entry, _ in per_file]) if folder_labels else None
    folders = found or [None] * len(per_file)
    if found is not None:  # files without their own labels that sit outside the class folders: said
        own = [any(row[2] for row in rows) for _, rows in per_file]
        tally.folder_warnings += outside_folders_warning(
            [folder for folder, labelled in zip(found, own) if not labelled],
            [printable(entry.name) for (entry, _), labelled in zip(per_file, own) if not labelled])
    return [(f"{printable(entry.name)}:{line}", text, label or folder, chars)
            for (entry, rows), folder in zip(per_file, folders) for line, text, label, chars in rows]


def _warnings(examples: list[Example], tally: TextTally, skipped: int) -> list[str]:
    warnings = tally.warnings()
    if skipped:
        warnings.append(f"{skipped:,} more examples skipped over the cap of {MAX_EXAMPLES:,} per import")
    few = (["only one example: training needs at least two"] if len(examples) == 1
           else small_dataset_warning(len(examples), "examples"))
    return warnings + few


def write_texts(ws: Workspace, examples: list[Example], *, name: str, source: str, rejected: RejectionList,
                warnings: list[str], replace: bool) -> IngestReport:
    """Store `examples` as text dataset `name` (see the module docstring)."""
    if not examples:
        raise IngestError("no text could be imported; see the rejected files", rejected.rows(), kind=KIND)
    with building_folder(ws, rejected) as built:
        texts = built / TEXTS_FILE
        texts.write_text(json.dumps([text for _, text, _, _ in examples], ensure_ascii=False), encoding="utf-8")
        fsync_file(texts)
        info = ws.publish_dataset(built, name=name, source=source, size_px=MAX_CHARS, kind=KIND,
                                  images=[(n, chars, 1, label) for n, _, label, chars in examples],
                                  rejected=[(r["file"], r["reason"]) for r in rejected.rows()], warnings=warnings,
                                  replace=replace)
    labelled = sum(label is not None for _, _, label, _ in examples)
    return IngestReport(info.name, info.image_count, rejected.rows(), warnings, labelled, kind=KIND)


def ingest_text_entries(ws: Workspace, entries: Iterable[Entry], *, name: str, source: str,
                        replace: bool = False, progress: Progress | None = None,
                        notes: Sequence[str] = (), folder_labels: bool = True) -> IngestReport:
    """Text files among `entries` as dataset `name` (the caller validated the name); the
    import's `notes` are kept among its warnings."""
    rejected, tally = RejectionList(), TextTally()
    examples = read_entries(list(entries), rejected, tally, progress, folder_labels)
    skipped = max(0, len(examples) - MAX_EXAMPLES)
    examples = examples[:MAX_EXAMPLES]
    return write_texts(ws, examples, name=name, source=source, rejected=rejected,
                       warnings=_warnings(examples, tally, skipped) + list(notes), replace=replace)


def ingest_text_builtin(ws: Workspace, dataset: BuiltinDataset, *, name: str, source: str,
                        replace: bool = False, progress: Progress | None = None) -> IngestReport:
    """A built-in corpus of kind 'text' (its sentences are clean already)."""
    examples: list[Example] = []
    for done, (file, text, label) in enumerate(dataset.make(), start=1):  # type: ignore[misc]
        examples.append((file, text, label, len(text)))
        if progress is not None:
            progress(done, dataset.count)
    return write_texts(ws, examples, name=name, source=source, rejected=RejectionList(),
                       warnings=[], replace=replace)
