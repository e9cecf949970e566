"""Optional labels, used only to judge or colour: a CSV `filename,label`, or
class-named subfolders. Training never reads them."""

from __future__ import annotations

import csv
import io
from pathlib import PurePosixPath

LABELS_FILE = "labels.csv"  # found at the top of an archive or folder, used as the CSV


class LabelsError(ValueError):
    """A labels file that cannot be used; the message names the file and the reason."""


def parse_labels_csv(data: bytes, source: str) -> dict[str, str]:
    """`filename,label` rows (a header row is optional) as {filename: label}."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LabelsError(f"{source}: not UTF-8 text") from None
    labels: dict[str, str] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) < 2:
            raise LabelsError(f"{source}, line {number}: expected 'filename,label'")
        filename, label = row[0].strip(), row[1].strip()
        if number == 1 and filename.lower() in ("filename", "file", "name", "path", "image"):
            continue
        if filename and label:
            labels[filename] = label
    if not labels:
        raise LabelsError(f"{source}: no 'filename,label' rows")
    return labels


def _keys(inner: str) -> list[str]:
    """Names a CSV may use for a file: its path inside the source, that path without its
    top folder, and its bare file name."""
    parts = PurePosixPath(inner.replace("\\", "/")).parts
    return ["/".join(parts), "/".join(parts[1:]), parts[-1]] if parts else [inner]


def match_csv(labels: dict[str, str], inner_paths: list[str]) -> list[str | None]:
    """The CSV label of each file (None where the CSV has no row for it)."""
    return [next((labels[k] for k in _keys(p) if k in labels), None) for p in inner_paths]


def labels_from_folders(inner_paths: list[str]) -> list[str | None] | None:
    """Labels from class-named subfolders: after dropping folders every file shares, each
    file's first folder is its class. None unless every file sits in a subfolder and
    there are at least two classes."""
    split = [PurePosixPath(p.replace("\\", "/")).parts for p in inner_paths]
    if not split:
        return None
    while all(len(parts) > 2 for parts in split) and len({parts[0] for parts in split}) == 1:
        split = [parts[1:] for parts in split]
    if any(len(parts) < 2 for parts in split):
        return None
    classes = [parts[0] for parts in split]
    return classes if len(set(classes)) >= 2 else None
