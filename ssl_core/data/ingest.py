"""Import images into the workspace as a dataset.

Every source (uploaded files, a zip, a folder on the server, a built-in) ends in the same
writer: each image is decoded once, centre-cropped to (S, S, 3) uint8 for training and
letterboxed to (T, T, 3) for thumbnails, into arrays in a private folder. Only when all
of it is written does the folder move into place with its rows, in one transaction; a
failed or cancelled import leaves nothing behind and never touches another dataset.

Caps that hold for every source: the entry and byte caps of sources.py, each file's pixels
and decoding time and the import's decoded pixels (decode.py), and a rejection list kept
to about a thousand rows (rejections.py). The browser reads server paths only inside the
operator's data roots (`ingest_path(..., roots=...)`, roots.py); the command line anywhere.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, NamedTuple

import numpy as np
from PIL import Image

from ..imports.registry import embedding_sets_of
from ..store import Workspace, WorkspaceError, fsync_file, name_taken
from ..words import agreeing, counted, noun
from .builtins import get_builtin
from .decode import (
    DEPTHS, FITS, STRETCH, THUMB_SIZE, PixelBudget, RejectedFile, decode_image, fitted, letterbox, stored_draft,
)
from .detail import REFERENCE, Detail
from .labels import (
    FOLDER_CLASSES, LABELS_FILE, MAX_LABELS_BYTES, LabelsCsv, LabelsError, alike_labels_warning, ambiguous_rows,
    first_few, folder_names, in_skipped_row, lone_folder_warning, loose_rows, match_csv, outside_folders_warning,
    parse_labels_csv, rows_named, unmatched_rows,
)
from .looks import Looks
from .rejections import RejectionList, rejected_total
from .roots import PathRefused, confine, read_regular
from .sources import Candidate, Entry, Rejection, Skipped, UploadSpool, path_entries, upload_entries
from .text import printable
from .text_read import is_text_name
from .trim import NONE, Trim, kept_shape, trim_text, trimmed

DEFAULT_SIZE = 64  # side of the stored training images, in pixels
TRIM_NOT_FOR_TEXT = "the trim was not used: text has no edges to cut off"
DISK_RESERVE = 1000**3  # bytes an import leaves free on the workspace's disk (runs, embeddings, SQLite)
MIN_SIZE, MAX_SIZE = 8, 512
STORED_SIZES = (32, 48, 64, 96, 128)  # the stored sides the Data page offers (the CLI takes any MIN..MAX)
LONG_SHAPE = 2  # an image this many times as long as wide is named: its centre square keeps 1/LONG_SHAPE of it
# (walk 9: twenty-three 300 x 900 pictures, a third of each kept, went unnamed at 4; a 16:9 photo keeps 56%)
DEFAULT_BATCH = 64  # engine.TrainConfig.batch_size, not imported: the engine loads torch and lightly
# (seconds), which an import must not wait for (the Data page's first paint seeds the demo datasets);
# tests/ssl_core/data/test_ingest.py holds the two equal. A smaller dataset trains with smaller batches.
BUILTIN_PREFIX = "builtin:"
TEXT_AMONG_IMAGES = ("a text file among pictures (a caption or a note): not read; text imported on its own becomes "
                     "a dataset of sentences")

LABELS_NOT_READ = ("a labels file not used: labels.csv is read at the top of an upload, an archive or a folder, or "
                   "of the one folder all its files sit in, and only the first such one")  # not "a caption or a note"
Progress = Callable[[int, int], None]  # (done, total)


class IngestError(Exception):
    """An import that stored nothing; the message says why, `rejected` lists the files,
    `kind` is the kind of dataset it was making (None when it failed before knowing)."""

    def __init__(self, message: str, rejected: list[dict[str, str]] | None = None,
                 kind: str | None = None) -> None:
        super().__init__(message)
        self.rejected = rejected or []
        self.kind = kind

    def to_json(self) -> dict[str, object]:
        """A report's keys (no dataset, nothing stored) and `error`, the message."""
        return {**IngestReport("", 0, self.rejected).to_json(), "dataset": None, "kind": self.kind,
                "error": str(self)}


@dataclass
class IngestReport:
    dataset: str
    images: int
    rejected: list[dict[str, str]] = field(default_factory=list)  # {"file", "reason"}
    warnings: list[str] = field(default_factory=list)
    labelled: int = 0
    kind: str = "image"  # store.DatasetInfo.kind; `images` counts the examples of a text dataset
    labels_from: str | None = None  # where the labels came from: a CSV's name, FOLDER_CLASSES, ... (walk 18)

    def to_json(self) -> dict[str, object]:
        return {"dataset": self.dataset, "kind": self.kind, "images": self.images, "labelled": self.labelled,
                "labels_from": self.labels_from, "rejected": self.rejected,
                "rejected_count": rejected_total(self.rejected), "warnings": self.warnings}


@dataclass(frozen=True)
class _Decoded:
    """An image ready to store: RGB pixels, its name, its path in the source, a label,
    the source it came from (sources.Candidate.origin)."""

    name: str
    inner: str
    image: Image.Image
    label: str | None = None
    origin: str = ""
    data: bytes | None = None  # the file's bytes where it was decoded at a reduced scale, for detail.Detail


class _Row(NamedTuple):
    """A stored image: its name, its path in and the name of its source, its size, its own label."""

    name: str
    inner: str
    origin: str
    width: int
    height: int
    label: str | None
    frames: int = 1  # pages of a TIFF stack, frames of a GIF: the first is stored


class _ArrayFile:
    """A .npy of (capacity, side, side, 3) uint8 filled row by row, trimmed at the end."""

    def __init__(self, path: Path, capacity: int, side: int) -> None:
        self.path, self.side = path, side
        self.array = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint8,
                                               shape=(max(capacity, 1), side, side, 3))

    def finish(self, count: int) -> None:
        self.array.flush()
        if count < self.array.shape[0]:
            part = self.path.with_suffix(".part")
            trimmed = np.lib.format.open_memmap(part, mode="w+", dtype=np.uint8,
                                                shape=(count, self.side, self.side, 3))
            for start in range(0, count, 4096):
                stop = min(start + 4096, count)
                trimmed[start:stop] = self.array[start:stop]
            trimmed.flush()
            del trimmed
            os.replace(part, self.path)
        del self.array
        fsync_file(self.path)


def _validate(name: str, size: int) -> str:
    name = name.strip()
    if not name:
        raise IngestError("the dataset needs a name")
    if len(name) > 100:
        raise IngestError("the dataset name is longer than 100 characters")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise IngestError(f"image size must be between {MIN_SIZE} and {MAX_SIZE} pixels, not {size}")
    return printable(name)


def _check_free(ws: Workspace, name: str, replace: bool) -> list[str]:
    """Fail before any decoding when the name is taken (publishing checks again, for races);
    with `replace`, what replacing that dataset removes besides its images, as the report's
    warnings: its imported embedding sets (their vectors are rows of the old images)."""
    taken = next((d for d in ws.datasets() if d.name == name), None)
    if taken is None:
        return []
    if not replace:
        raise IngestError(name_taken(name))
    sets = embedding_sets_of(ws, taken.id)
    return [f"replacing {name!r} removed its imported {noun(len(sets), 'embedding sets')} {', '.join(sets)}: "
            f"{agreeing(len(sets), 'its', 'their')} vectors belonged to its old images"] if sets else []


def _decode_all(entries: list[Entry], size: int, rejected: RejectionList,
                progress: Progress | None, trim: Trim = NONE, depth: str = "stretch") -> Iterator[_Decoded]:
    total, pixels = len(entries), PixelBudget()
    for done, entry in enumerate(entries, start=1):
        if isinstance(entry, Rejection):
            rejected.add(printable(entry.name), entry.reason, entry.count)
        elif is_text_name(entry.name):
            rejected.add(printable(entry.name), LABELS_NOT_READ if PurePosixPath(entry.inner.replace("\\", "/")).name
                         .lower() == LABELS_FILE else TEXT_AMONG_IMAGES)
        else:
            try:
                data = entry.read()
                image = decode_image(data, draft_size=stored_draft(size, trim), depth=depth, trim=trim,
                                     admit_pixels=pixels)
                yield _Decoded(entry.name, entry.inner, image, origin=entry.origin,
                               data=data if image.info.get("drafted") else None)
            except (RejectedFile, ValueError, OSError) as exc:
                rejected.add(printable(entry.name), str(exc))
        if progress is not None:
            progress(done, total)


def _labels_csv_from(entries: list[Entry]) -> tuple[list[Entry], Candidate | None]:
    """Split off a `labels.csv` at the top of its source (an upload, an archive, a folder), or
    at the top of the one folder everything in its source sits in (it labels; it is no image).
    Other sources may sit beside it (walk 17: a zip's labels.csv, uploaded with loose files
    beside the zip, was refused as "a text file among pictures"); their files have no row in
    it and stay unlabelled, said."""
    candidates = [e for e in entries if isinstance(e, Candidate)]
    for entry in candidates:
        inner = PurePosixPath(entry.inner.replace("\\", "/"))
        if inner.name.lower() != LABELS_FILE:
            continue
        folder, beside = inner.parent.parts, [c for c in candidates if c.origin == entry.origin]
        if all(PurePosixPath(c.inner.replace("\\", "/")).parts[: len(folder)] == folder for c in beside):
            return [e for e in entries if e is not entry], entry
    return entries, None


@contextmanager
def building_folder(ws: Workspace, rejected: RejectionList) -> Iterator[Path]:
    """A private folder to build a dataset in, removed when anything fails; a name taken
    meanwhile (publishing checks again) becomes an IngestError listing `rejected`."""
    built = ws.new_temp_dir()
    try:
        yield built
    except WorkspaceError as exc:
        shutil.rmtree(built, ignore_errors=True)
        raise IngestError(str(exc), rejected.rows()) from None
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise


def _check_disk(ws: Workspace, capacity: int, size: int, rejected: RejectionList) -> None:
    """Refuse, before decoding, an import whose `capacity` images at `size` px (and their
    thumbnails) would leave the workspace's disk less than DISK_RESERVE free: a shared app's
    visitor could otherwise fill it with tiny images stored large (76,800 bytes each at 160 px)."""
    needed = capacity * 3 * (size * size + THUMB_SIZE * THUMB_SIZE)
    free = shutil.disk_usage(ws.root).free
    if needed > free - DISK_RESERVE:
        raise IngestError(f"not enough disk: {capacity:,} images at {size} px need {needed / 1e9:.1f} GB and the "
                          f"workspace's disk has {free / 1e9:.1f} GB free, of which {DISK_RESERVE / 1e9:.0f} GB "
                          "stay free; import fewer images or a smaller size, or free some space",
                          rejected.rows())


def _write(ws: Workspace, decoded: Iterable[_Decoded], capacity: int, *, name: str, source: str,
           size: int, rejected: RejectionList, labels_csv: bytes | None, replace: bool,
           labels_source: str = "labels CSV", notes: Sequence[str] = (), fit: str = "crop",
           folder_labels: bool = True, trim: Trim = NONE, depth: str = "stretch") -> IngestReport:
    """Store decoded images as a dataset, each with `trim`'s bands cut off its edges (trim.py) and as
    `fit` (decode.FITS) makes its square; labels come from the CSV, else the subfolders (unless not
    `folder_labels`), else the images' own (built-ins). The import's `notes` are kept among its warnings."""
    if fit not in FITS:
        raise IngestError(f"no way to fit pictures called {fit!r}; choose one of: {', '.join(FITS)}")
    if depth not in DEPTHS:
        raise IngestError(f"no way to scale pictures of more than 8 bits called {depth!r}; choose one of: "
                          f"{', '.join(DEPTHS)}")
    _check_disk(ws, capacity, size, rejected)
    with building_folder(ws, rejected) as built:
        images = _ArrayFile(built / "images.npy", capacity, size)
        thumbs = _ArrayFile(built / "thumbs.npy", capacity, THUMB_SIZE)
        rows: list[_Row] = []
        first: dict[bytes, str] = {}  # each stored picture's digest -> the name it came under first
        copies: list[tuple[str, str]] = []  # (name, the earlier name it is identical to)
        deep: list[str] = []  # the names of pictures of more than 8 bits per sample
        looks, detail = Looks(), Detail(size, fit, trim)
        larger_draft = stored_draft(REFERENCE * size, trim)  # a drafted JPEG decoded again for Detail
        for item in decoded:
            kept = trimmed(item.image, trim)
            images.array[len(rows)] = fitted(kept, size, fit)
            thumbs.array[len(rows)] = letterbox(kept, THUMB_SIZE)
            width, height = item.image.info.get("original_size", item.image.size)
            name_shown = printable(item.name)
            looks.add(name_shown, images.array[len(rows)])
            again = (lambda data=item.data: trimmed(decode_image(data, draft_size=larger_draft, depth=depth, trim=trim),
                                                    trim)) if item.data else None
            detail.add(name_shown, kept, images.array[len(rows)], again)
            if item.image.info.get("deep"):
                deep.append(name_shown)
            digest = hashlib.blake2b(images.array[len(rows)].tobytes(), digest_size=16).digest()
            if digest in first:
                copies.append((name_shown, first[digest]))
            else:
                first[digest] = name_shown
            rows.append(_Row(name_shown, item.inner, item.origin, width, height, item.label,
                             item.image.info.get("frames", 1)))
        if not rows:
            raise IngestError(_nothing_imported(rejected.rows()), rejected.rows(), kind="image")
        images.finish(len(rows))
        thumbs.finish(len(rows))
        labels, warnings, labels_from = _resolve_labels(rows, labels_csv, labels_source, folder_labels)
        warnings += alike_labels_warning(labels)
        warnings += (_warnings(rows, size, fit, trim) + _copies_warning(copies, len(rows), size) + looks.warnings()
                     + _deep_warning(deep, len(rows), depth, looks.dark) + detail.warnings() + list(notes))
        info = ws.publish_dataset(
            built, name=name, source=source, size_px=size,
            images=[(row.name, row.width, row.height, label) for row, label in zip(rows, labels)],
            rejected=[(r["file"], r["reason"]) for r in rejected.rows()], warnings=warnings, replace=replace, fit=fit,
            trim=trim_text(trim), depth=depth,
        )
    labelled = sum(label is not None for label in labels)
    return IngestReport(info.name, info.image_count, rejected.rows(), warnings, labelled,
                        labels_from=labels_from if labelled else None)


def folder_classes(ws: Workspace, dataset: str, labels_from: str | None) -> str | None:
    """The classes an import of `dataset` took from subfolders (first_few of them; its report's
    `labels_from` says where its labels came from), None where they came from elsewhere or the
    dataset is gone since (walk 27: folders of sites read as classes)."""
    if labels_from != FOLDER_CLASSES:
        return None
    try:
        return first_few(list(ws.label_counts(ws.dataset(dataset))))
    except WorkspaceError:  # deleted meanwhile, by another session
        return None


def _nothing_imported(rejected: list[dict]) -> str:
    """Why an import stored nothing: the one rejection's file and reason, or where to look."""
    if not rejected:
        return "no image could be imported: no files were given"
    if len(rejected) == 1:
        return f"no image could be imported: {rejected[0]['file']}: {rejected[0]['reason']}"
    return "no image could be imported; see the rejected files"


def _resolve_labels(rows: list[_Row], labels_csv: bytes | None, labels_source: str,
                    folder_labels: bool = True) -> tuple[list[str | None], list[str], str | None]:
    """Labels from the CSV when it labels any image (the others stay unlabelled), else as
    without one (`_labels_without_csv`), with warnings on what the CSV and the images
    left out, and where the labels came from (None: nowhere)."""
    if labels_csv is None:
        return _labels_without_csv(rows, folder_labels)
    try:
        parsed = parse_labels_csv(labels_csv, labels_source)
    except LabelsError as exc:  # the images still go in, as they would without it
        return _labels_instead(rows, f"{exc}, so it was not used", folder_labels)
    inners = [row.inner for row in rows]
    labels, ambiguous = match_csv(parsed.labels, inners), ambiguous_rows(parsed.labels, inners)
    if all(label is None for label in labels):
        why = _ambiguous_warning(rows, parsed, ambiguous, labels_source) if ambiguous else (
            f"{labels_source}: no row names one of the {len(rows):,} imported images (for example "
            f"{rows_named(parsed, list(parsed.labels))})")
        labels, warnings, found_in = _labels_instead(rows, why, folder_labels)
        return labels, parsed.warnings + warnings, found_in
    return labels, parsed.warnings + _csv_gaps(rows, labels, parsed, ambiguous, labels_source), labels_source


def _ambiguous_warning(rows: list[_Row], parsed: LabelsCsv, ambiguous: dict[str, list[int]], source: str) -> str:
    """The CSV's rows that name two or more images (labels.ambiguous_rows), the first with its files."""
    first, files = next(iter(ambiguous.items()))
    return (f"{source}: {counted(len(ambiguous), 'rows', ('names', 'name'))} more than "
            "one image, so those "
            f"{sum(map(len, ambiguous.values())):,} images take no label from it: {rows_named(parsed, [first])} "
            f"names {len(files):,} images ({first_few([rows[i].name for i in files])}); name each by its path, "
            f"as '{rows[files[0]].inner}'")


def _csv_gaps(rows: list[_Row], labels: list[str | None], parsed: LabelsCsv, ambiguous: dict[str, list[int]],
              source: str) -> list[str]:
    """Warnings on the CSV's rows that name no imported image or several (`ambiguous`), and on
    the images it has no row for (`labels` None)."""
    warnings = [_ambiguous_warning(rows, parsed, ambiguous, source)] if ambiguous else []
    if loose := loose_rows(parsed.labels, [row.inner for row in rows]):
        warnings.append(f"{source}: {counted(len(loose), 'rows', ('names', 'name'))} an image by its file name in "
                        "another case or under folders the import does not have, and "
                        f"{agreeing(len(loose), 'labels it', 'label them')} ("
                        f"{first_few([f'{printable(name)!r} as {inner!r}' for name, inner in loose])})")
    unmatched = unmatched_rows(parsed, [row.inner for row in rows])
    if unmatched:
        warnings.append(f"{source}: {counted(len(unmatched), 'rows', ('names', 'name'))} no imported image "
                        f"({_for_example(len(unmatched), rows_named(parsed, unmatched))})")
    named = {i for files in ambiguous.values() for i in files}
    left = [row for i, (row, label) in enumerate(zip(rows, labels)) if label is None and i not in named]
    skipped = sum(in_skipped_row(parsed, row.inner) for row in left)  # walk 17: counted among those with no row
    if missing := len(left) - skipped:  # named (walk 27 was not told which one)
        unnamed = [repr(row.name) for row in left if not in_skipped_row(parsed, row.inner)]
        warnings.append(f"{missing:,} of {len(rows):,} images {agreeing(missing, 'has', 'have')} no row in {source} "
                        f"({first_few(unnamed)}); {agreeing(missing, 'it is', 'they are')} unlabelled")
    if skipped:
        warnings.append(f"{skipped:,} of {len(rows):,} images {agreeing(skipped, 'has', 'have')} only a row that "
                        f"was skipped in {source} (said above); {agreeing(skipped, 'it is', 'they are')} unlabelled")
    return warnings


def _labels_instead(rows: list[_Row], why: str,
                    folder_labels: bool = True) -> tuple[list[str | None], list[str], str | None]:
    """For a CSV that cannot be used (`why`, its file first): the labels the images would have
    without it, a warning that says why and where the labels came from, and that place."""
    labels, warnings, found_in = _labels_without_csv(rows, folder_labels)
    instead = f"the labels come from {found_in} instead" if found_in else "the images are unlabelled"
    return labels, [f"{why}; {instead}"] + warnings, found_in


def _labels_without_csv(rows: list[_Row],
                        folder_labels: bool = True) -> tuple[list[str | None], list[str], str | None]:
    """Labels from the images' own (a built-in's), else class folders (each source's own shared folders
    dropped; none when not `folder_labels`: walk 27's folders were sites, not classes), with
    warnings on what stays unlabelled, and where they came from (None when nowhere)."""
    own = [row.label for row in rows]
    if any(label is not None for label in own):
        return own, [], "the built-in set itself"  # only a built-in's images carry their own labels
    if not folder_labels:
        return [None] * len(rows), [], None
    folders = folder_names([row.inner for row in rows], [row.origin for row in rows])
    if len(set(folders) - {None}) < 2:
        return [None] * len(rows), lone_folder_warning(folders), None
    return folders, outside_folders_warning(folders, [row.name for row in rows]), FOLDER_CLASSES


def small_dataset_warning(count: int, noun: str) -> list[str]:
    """What training does with fewer than DEFAULT_BATCH `noun`s (images, examples), if it applies."""
    if count >= DEFAULT_BATCH:
        return []
    return [f"Only {count:,} {noun}, fewer than the default training batch of {DEFAULT_BATCH}: "
            "training will use smaller batches"]


def _smaller_sides(shorts: list[int], size: int) -> str:
    """Which of the Data page's STORED_SIZES below `size` keep how many of the enlarged images
    (their short sides `shorts`) at their own size, largest first, until one keeps them all;
    said of one image as 'it' (walk 15: '1 of 140 images are ... keeps them')."""
    one, said, all_kept = len(shorts) == 1, [], False
    them, their = ("it", "its") if one else ("them", "their")
    for side in sorted((s for s in STORED_SIZES if s < size), reverse=True):
        kept = sum(short >= side for short in shorts)
        all_kept = kept == len(shorts)
        if kept:
            said.append(f"{side} px keeps {them if one else 'all of them' if all_kept else f'{kept:,}'}")
        if all_kept:
            break
    low, high = min(shorts), max(shorts)
    if not said:
        sides = (f"short side is {low} px" if one else f"short sides are {low} px" if low == high else
                 f"short sides are {low} to {high} px")
        return (f"no smaller stored side offered keeps {them} at {their} own size ({their} {sides}; the "
                f"smallest offered is {STORED_SIZES[0]} px)")
    rest = "" if all_kept else f" (the others are smaller still, down to {low} px)"
    return f"a smaller stored side keeps {them if one else 'more of them'} at {their} own size: {', '.join(said)}{rest}"


def _for_example(count: int, first: str) -> str:
    """`first` of `count` items named in a warning: 'for example ...' only before one of several."""
    return f"for example {first}" if count > 1 else first


def _copies_warning(copies: list[tuple[str, str]], total: int, size: int) -> list[str]:
    """Images stored with the same pixels as an earlier one ((name, earlier name) pairs), if any
    (walk 20: five byte-identical camera frames came in unsaid; a text import said its repeats)."""
    if not copies:
        return []
    shown = first_few([f"'{name}' as '{earlier}'" for name, earlier in copies])
    return [f"{len(copies):,} of {total:,} images {agreeing(len(copies), 'is', 'are')} stored with the same pixels "
            f"as an earlier one at {size} px ({shown}): kept, each copy the other's nearest neighbour and trained on "
            f"twice; delete the copies to count each picture once"]


def _warnings(rows: list[_Row], size: int, fit: str = "crop", trim: Trim = NONE) -> list[str]:
    """What the import says of its `rows`' sizes and names, each picture's size as `trim` leaves it."""
    warnings = []
    rows = [row._replace(width=kept[0], height=kept[1]) for row in rows
            for kept in [kept_shape(row.width, row.height, trim)]]
    once_cut = " once cut" if trim != NONE else ""  # a review: a 40 x 30 file named as '40 x 27 px'

    small = [(row.name, row.width, row.height) for row in rows if min(row.width, row.height) < size]
    if small:  # enlarged to the stored side: say so, and which offered side keeps how many at their own size
        example = _for_example(len(small), f"{small[0][0]!r}, {small[0][1]} x {small[0][2]} px{once_cut}")
        warnings.append(f"{len(small):,} of {len(rows):,} images {agreeing(len(small), 'is', 'are')} smaller than the "
                        f"stored side of {size} px and {agreeing(len(small), 'was', 'were')} enlarged to it "
                        f"({example}); "
                        + _smaller_sides([min(width, height) for _, width, height in small], size))
    stretched = [(row.name, row.width, row.height) for row in rows
                 if max(row.width, row.height) >= LONG_SHAPE * min(row.width, row.height)]
    if stretched and fit == "crop":  # stored whole ('pad'), nothing of them is cut
        count = len(stretched)
        example = _for_example(count, f"{stretched[0][0]!r}, {stretched[0][1]} x {stretched[0][2]} px{once_cut}")
        warnings.append(f"{count:,} of {len(rows):,} images {agreeing(count, 'is', 'are')} at least {LONG_SHAPE} "
                        f"times as long one way as the other ({example}): the stored centre "
                        f"square keeps at most 1/{LONG_SHAPE} of {agreeing(count, 'it', 'each')}; were "
                        f"{agreeing(count, 'it', 'they')} stored whole and padded ('Whole picture, padded' on the Data "
                        "page, --fit pad), none of it would be cut")
    stacked = [(row.name, row.frames) for row in rows if row.frames > 1]
    if stacked:  # walk 17: a 4-page z-stack came in as its first page, unsaid
        count = len(stacked)
        example = _for_example(count, f"{stacked[0][0]!r} holds {stacked[0][1]}")
        warnings.append(f"{count:,} of the {len(rows):,} files imported {agreeing(count, 'holds', 'hold')} more "
                        f"than one image "  # walk 33: "1 of 304 files" of an upload of 307, 3 refused
                        f"(the pages of a TIFF stack, the frames of a GIF: {example}); only "
                        f"{agreeing(count, 'its first', 'the first of each')} was imported: save the pages you want "
                        "as files of their own")
    if len(rows) == 1:
        warnings.append("only one image: contrastive learning needs at least two, so that a "
                        "batch has negatives")
    else:
        warnings += small_dataset_warning(len(rows), "images")
    seen: dict[str, int] = {}
    for name, *_ in rows:
        seen[name] = seen.get(name, 0) + 1
    duplicated = [name for name, n in seen.items() if n > 1]
    if duplicated:
        example = _for_example(len(duplicated), repr(duplicated[0]))
        warnings.append(f"{counted(len(duplicated), 'file names', ('occurs', 'occur'))} more than once ({example}); "
                        "each copy is kept under its own id")
    return warnings


DEPTH_NAMES = {"stretch": "Stretch each picture", "range": "By the type's range"}  # decode.DEPTHS
# what each of decode.DEPTHS does, for the Data page's help and the command line's
DEPTH_HELP = ("How a picture of more than 8 bits per sample (a 16-bit microscope, telescope or scanner file; floating "
              f"point) becomes 8: each stretched from its own {STRETCH[0]:g}th to {STRETCH[1]:g}th percentile "
              f"(stretch, '{DEPTH_NAMES['stretch']}', the default), as a viewer's auto-contrast shows it, or by its "
              f"type's range (range, '{DEPTH_NAMES['range']}': 65,535 to 255), which keeps how bright 16-bit pictures "
              "are against one another but leaves a picture that uses little of the range dark (floating point: from "
              "each picture's least to its largest value). 8-bit pictures are stored as they are either way; a 16-bit "
              "colour PNG is read at its top 8 bits.")


def _deep_warning(deep: list[str], total: int, depth: str, dark: list[str]) -> list[str]:
    """How the `deep` pictures (names) of `total`, of more than 8 bits per sample, were scaled to 8 (`depth`),
    and what the other way would do; `dark` the pictures stored nearly black (walk 49: 16-bit sky frames
    scaled by their type's range were stored at 4 of 255 and called "a covered lens or a failed exposure")."""
    if not deep:
        return []
    said = (f"{len(deep):,} of {total:,} images {agreeing(len(deep), 'has', 'have')} more than 8 bits per sample "
            f"(16-bit or floating point: {first_few(deep)}): ")
    other = f"More than 8 bits: '{DEPTH_NAMES['range' if depth == 'stretch' else 'stretch']}' on the Data page"
    if depth == "stretch":
        low, high = (f"{p:g}th" for p in STRETCH)
        return [said + f"{agreeing(len(deep), 'it was', 'each was')} stretched from its own {low} to its {high} "
                f"percentile onto 0-255, as a viewer's auto-contrast shows a picture, so how bright they are against "
                f"one another is not kept, and a frame with nothing in it shows its noise at full contrast; scaled by "
                f"their type's range ({other}, ingest --depth range), 16-bit pictures keep it"]
    darker = set(dark)
    dim = [name for name in deep if name in darker]
    return [said + "scaled by their type's range (a 16-bit sample's 0-65,535 onto 0-255, which keeps how bright "
            "they are against one another; floating point from each picture's least to its largest value)"
            + (f"; {len(dim):,} of them use so little of it that they are stored nearly black: each stretched to "
               f"its own range ({other}, ingest --depth stretch), they would show what they hold" if dim else "")]


def ingest_entries(ws: Workspace, entries: Iterable[Entry], *, name: str, source: str,
                   size: int = DEFAULT_SIZE, labels_csv: bytes | None = None, labels_source: str = "labels CSV",
                   replace: bool = False, progress: Progress | None = None, fit: str = "crop",
                   folder_labels: bool = True, trim: Trim = NONE, depth: str = "stretch") -> IngestReport:
    """Decode `entries` and store the good ones as dataset `name`, each with `trim`'s bands cut off
    and as `fit` (decode.FITS) makes its square, more than 8 bits per sample scaled as `depth`
    (decode.DEPTHS) says; `labels_source` names `labels_csv` in errors and warnings; subfolders name
    classes unless not `folder_labels`.

    Rejected entries are listed with their reasons; the rest is imported. Raises
    IngestError (storing nothing) when no image is usable, the name is taken and
    `replace` is false, or the labels CSV cannot be read.
    """
    name = _validate(name, size)
    notes = _check_free(ws, name, replace)  # said in the report's warnings, and kept with them
    entries = list(entries)
    skipped = [printable(e.name) for e in entries if isinstance(e, Skipped)]
    entries = [e for e in entries if not isinstance(e, Skipped)]
    if skipped and not entries:  # walk 15: a lone .DS_Store was "no files were given"
        raise IngestError(f"no image could be imported: the only {noun(len(skipped), 'files')} given "
                          f"({first_few(skipped)}) {agreeing(len(skipped), 'is', 'are')} what the operating system "
                          "adds to folders, skipped unread")
    notes += os_files_warning(skipped)
    from .text_ingest import ingest_text_entries, is_text_import  # it builds on this module's report

    if is_text_import(entries):
        if labels_csv is not None:  # said, not dropped in silence
            notes.insert(0, "the labels file was not used: text takes its labels from a label column of "
                            "its CSV or JSONL files, or from its subfolders' names")
        if trim != NONE:
            notes.insert(0, TRIM_NOT_FOR_TEXT)
        return ingest_text_entries(ws, entries, name=name, source=source, replace=replace, progress=progress,
                                   notes=notes, folder_labels=folder_labels)
    entries, csv_entry = _labels_csv_from(entries)
    if labels_csv is not None and csv_entry is not None and not _same_bytes(csv_entry, labels_csv):
        # the one given wins, said rather than dropped in silence; not where it is that file (walk 34: the folder's
        # own labels.csv, named as the CSV too, was said "not used" above its 180 labels)
        notes.insert(0, f"{printable(csv_entry.name)} was not used: {labels_source} was given and labels the images")
    rejected = RejectionList()
    try:
        if labels_csv is None and csv_entry is not None:
            labels_source = printable(csv_entry.name)
            labels_csv = _read_labels_entry(csv_entry, labels_source)
        decoded = _decode_all(entries, size, rejected, progress, trim, depth)
        return _write(ws, decoded, len(entries), name=name, source=source, size=size,
                      rejected=rejected, labels_csv=labels_csv, replace=replace, labels_source=labels_source,
                      notes=notes, fit=fit, folder_labels=folder_labels, trim=trim, depth=depth)
    except LabelsError as exc:
        raise IngestError(str(exc), rejected.rows()) from None


def os_files_warning(names: list[str]) -> list[str]:
    """The files the operating system adds (sources.Skipped) that an import skipped, in one
    warning, so that its count can be checked against the folder's or archive's."""
    if not names:
        return []
    return [f"{counted(len(names), 'files', ('was', 'were'))} skipped unread, what the operating system adds to "
            f"folders and archives, not the user's: {first_few(names)}"]  # named, not a list of kinds not there


def _same_bytes(entry: Candidate, data: bytes) -> bool:
    """Whether `entry` holds `data` (False where it cannot be read)."""
    try:
        return entry.read() == data
    except (ValueError, OSError):
        return False


def _read_labels_entry(entry: Candidate, source: str) -> bytes:
    try:
        return entry.read()
    except (ValueError, OSError) as exc:
        raise LabelsError(f"{source}: cannot read the labels file ({exc})") from None


def upload_name(file_names: list[str]) -> str:
    """The dataset name an upload gets when none is given: one file's name without its
    extension (mypics.zip -> mypics, as a folder gives its own name), else "uploaded"."""
    if len(file_names) != 1:
        return "uploaded"
    return PurePosixPath(file_names[0].replace("\\", "/")).name.rsplit(".", 1)[0].strip() or "uploaded"


def ingest_uploads(ws: Workspace, files: list[tuple[str, bytes | BinaryIO]], *, name: str | None = None,
                   **kwargs) -> IngestReport:
    """Uploaded (file name, bytes or file object) pairs, spooled to one temporary file on
    disk and read back one at a time; zip archives among them are opened. Without a `name`:
    upload_name of the files."""
    source = "upload: " + ", ".join(printable(n) for n, _ in files[:3]) + (" ..." if len(files) > 3 else "")
    with UploadSpool() as spool:
        return ingest_entries(ws, upload_entries(files, spool=spool), source=source,
                              name=upload_name([n for n, _ in files]) if name is None else name, **kwargs)


def ingest_builtin(ws: Workspace, builtin: str, *, name: str | None = None, size: int = DEFAULT_SIZE,
                   replace: bool = False, progress: Progress | None = None, fit: str = "crop",
                   trim: Trim = NONE, depth: str = "stretch") -> IngestReport:
    """A built-in demo dataset from DATASETS, with its hidden labels."""
    try:
        dataset = get_builtin(builtin)
    except KeyError as exc:
        raise IngestError(exc.args[0]) from None
    name = _validate(name or dataset.name, size)
    removed = _check_free(ws, name, replace)
    if dataset.kind == "text":
        from .text_ingest import ingest_text_builtin  # it builds on this module's report

        report = ingest_text_builtin(ws, dataset, name=name, source=BUILTIN_PREFIX + dataset.name,
                                     replace=replace, progress=progress)
        report.warnings += removed + ([TRIM_NOT_FOR_TEXT] if trim != NONE else [])
        return report

    def decoded() -> Iterator[_Decoded]:
        for done, (file, pixels, label) in enumerate(dataset.make(), start=1):
            yield _Decoded(file, file, Image.fromarray(pixels, "RGB"), label)
            if progress is not None:
                progress(done, dataset.count)

    report = _write(ws, decoded(), dataset.count, name=name, source=BUILTIN_PREFIX + dataset.name,
                    size=size, rejected=RejectionList(), labels_csv=None, replace=replace, fit=fit, trim=trim,
                    depth=depth)
    report.warnings += removed
    return report


def _read_labels_path(path: Path, typed: str) -> bytes:
    """A labels file on the server: a regular file of at most MAX_LABELS_BYTES."""
    try:
        return read_regular(path, MAX_LABELS_BYTES)
    except OSError as exc:
        reason = exc.strerror or str(exc)
    except ValueError as exc:
        reason = str(exc)
    raise IngestError(f"{printable(typed)}: cannot read the labels file ({reason})")


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long, or one the file system cannot hold
        return False


def ingest_path(ws: Workspace, paths: list[str], *, name: str | None = None, labels_path: str | None = None,
                roots: Sequence[Path] | None = None, **kwargs) -> IngestReport:
    """What the command line and the folder box take: `builtin:NAME`, one folder, one zip,
    or image files on the server.

    `roots` None (the command line) reads any path; otherwise (the browser) every path and
    the labels path must resolve inside one of `roots` (roots.confine), and with no root
    named nothing on the server is read.
    """
    if len(paths) == 1 and paths[0].startswith(BUILTIN_PREFIX):  # a built-in has no folders: its own labels
        kwargs.pop("folder_labels", None)
        return ingest_builtin(ws, paths[0][len(BUILTIN_PREFIX):], name=name, **kwargs)
    try:
        place = (lambda p: Path(p).expanduser()) if roots is None else (lambda p: confine(p, roots))
        resolved = [place(p) for p in paths]
        labels_file = place(labels_path) if labels_path is not None else None
    except PathRefused as exc:
        raise IngestError(str(exc)) from None
    labels = {} if labels_file is None else {"labels_csv": _read_labels_path(labels_file, labels_path),
                                             "labels_source": printable(labels_path)}
    missing = [printable(str(p)) for p in resolved if not _exists(p)]
    if missing:
        raise IngestError(f"not found: {', '.join(missing)}")
    first = resolved[0]
    if len(resolved) > 1:
        default_name = first.parent.resolve().name
    else:  # a folder by its whole name, resolved so that "." and ".." name a folder too
        default_name = first.resolve().name if first.is_dir() else first.stem
    return ingest_entries(ws, path_entries(resolved), name=name or default_name,
                          source=", ".join(map(str, resolved)), **labels, **kwargs)
