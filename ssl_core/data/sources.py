"""Where images come from: uploaded files, zip archives and folders on the server.

Each source yields `Candidate`s (a display name and a way to read its bytes), a
`Rejection` (a name and a reason) for entries refused before decoding, or a `Skipped` for
a file the operating system adds (.DS_Store, Thumbs.db, __MACOSX/), unread and counted, in an
archive, a folder or uploaded on its own alike; a folder's files come
in natural order (img2 before img10), an archive's members in the archive's order. Nothing is ever
extracted to disk: zip members are read into memory one at a time, with caps on their
count and total size, so a hostile archive can neither write outside the workspace nor
exhaust memory. Every member counts against the entry cap, refused ones included, and an
archive whose directory lists far more entries than the cap is refused before it is parsed.

Uploads are copied, one after another, into one temporary file on disk (`UploadSpool`)
and read back one at a time; files on the server are read only when they are regular
files (`roots.read_regular`), so a FIFO or a device never blocks or floods an import.
"""

from __future__ import annotations

import io
import lzma
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .roots import NotRegularFile, open_regular, read_regular

MAX_ENTRIES = 100_000  # files per archive or folder
MAX_TOTAL_BYTES = 4 * 1024**3  # uncompressed bytes read from one archive or folder
MAX_FILE_BYTES = 256 * 1024**2  # one file
MAX_ZIP_RATIO = 200  # uncompressed / compressed for one member above 1 MiB
LISTED_ENTRIES_FACTOR = 3  # an archive listing more than 3 x max_entries is refused unparsed
ZIP_MAGIC = b"PK\x03\x04"
SKIPPED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class Candidate:
    """A file to decode. `name` is what the user is shown (archive name included);
    `inner` is its path inside the folder or archive it came from and `origin` names that
    folder or archive ("" for files given one by one): labels from folders are found per origin."""

    name: str
    inner: str
    read: Callable[[], bytes]
    origin: str = ""


@dataclass(frozen=True)
class Rejection:
    name: str
    reason: str
    count: int = 1  # files it stands for: a cap's summary stands for every file it skipped


@dataclass(frozen=True)
class Skipped:
    """A file the operating system adds to folders and archives (`is_os_clutter`): not the
    user's, skipped unread, and said (walk 14: skipped unsaid in a zip, so the report's count
    differed from the archive's, yet refused as 'not a supported image' when uploaded alone)."""

    name: str


Entry = Candidate | Rejection | Skipped


@dataclass(frozen=True)
class Limits:
    max_entries: int = MAX_ENTRIES
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_file_bytes: int = MAX_FILE_BYTES


def is_os_clutter(name: str) -> bool:
    """Metadata that operating systems add to folders and archives (not the user's files)."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return (
        "__MACOSX" in parts
        or (bool(parts) and parts[-1].lower() in SKIPPED_NAMES)
        or (bool(parts) and parts[-1].startswith("._"))
    )


class _Budget:
    """Counts entries and bytes against the caps of one archive or folder."""

    def __init__(self, source: str, limits: Limits) -> None:
        self.source, self.limits = source, limits
        self.entries = self.bytes = self.skipped = 0

    def too_large(self, name: str, size: int) -> Rejection | None:
        """A rejection when one file alone is over the per-file cap."""
        if size <= self.limits.max_file_bytes:
            return None
        return Rejection(name, f"file too large ({size:,} bytes; the limit is "
                               f"{self.limits.max_file_bytes:,})")

    def admit(self, size: int = 0) -> bool:
        """Count one entry of `size` bytes in (a refused entry: size 0, counted all the same);
        False once past a cap, and from then on every entry is only counted as skipped."""
        if self.skipped or self.entries >= self.limits.max_entries or (
            self.bytes + size > self.limits.max_total_bytes
        ):
            self.skipped += 1
            return False
        self.entries += 1
        self.bytes += size
        return True

    def summary(self) -> Iterator[Rejection]:
        if self.skipped:
            yield Rejection(self.source, f"{self.skipped:,} more files skipped: over the caps of "
                            f"{self.limits.max_entries:,} files and "
                            f"{self.limits.max_total_bytes:,} bytes per import", self.skipped)


def _read_capped(opener: Callable[[], object], cap: int) -> bytes:
    """Read at most `cap` bytes; more than that means the size header lied."""
    with opener() as f:  # type: ignore[attr-defined]
        data = f.read(cap + 1)
    if len(data) > cap:
        raise ValueError("member is larger than its header says (zip bomb)")
    return data


def _listed_entries(file: BinaryIO) -> int | None:
    """How many entries the archive's end record says its directory holds (None if unreadable)."""
    read_end = getattr(zipfile, "_EndRecData", None)  # CPython's reader of the end record
    try:
        end = read_end(file) if read_end else None  # reads only the end of the file
    except (OSError, ValueError):
        return None
    return None if end is None else int(end[zipfile._ECD_ENTRIES_TOTAL])


def _member_refusal(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member is refused unread, or None."""
    raw = info.filename
    posix = PurePosixPath(raw.replace("\\", "/"))
    if posix.is_absolute() or (len(raw) > 1 and raw[1] == ":"):
        return "absolute path inside the archive (refused)"
    if ".." in posix.parts:
        return "path climbs out of the archive with '..' (refused)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symbolic link inside the archive (refused)"
    if info.flag_bits & 0x1:
        return "encrypted; password-protected archives are not supported"
    if raw.lower().endswith(".zip"):
        return "nested archive; unzip it and import it on its own"
    if info.file_size > 1024**2 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
        return f"compression ratio over {MAX_ZIP_RATIO}:1 (zip bomb refused)"
    return None


def zip_entries(data_or_file: bytes | BinaryIO, archive_name: str,
                limits: Limits = Limits()) -> Iterator[Entry]:
    """Entries of a zip archive (bytes, or a seekable file), refusing unsafe members with a
    reason each.

    Refused: absolute paths, `..` components, symlinks, encrypted members, nested
    archives, members whose size or compression ratio marks a zip bomb, and whatever
    is past the caps on entry count and total bytes; every member, refused or not, counts
    against the entry cap. An archive whose directory lists more than
    LISTED_ENTRIES_FACTOR x the entry cap is refused whole before its directory is read.
    """
    source = io.BytesIO(data_or_file) if isinstance(data_or_file, bytes) else data_or_file
    listed = _listed_entries(source)
    most = LISTED_ENTRIES_FACTOR * limits.max_entries
    if listed is not None and listed > most:
        yield Rejection(archive_name, f"the archive lists {listed:,} entries; more than {most:,} "
                        f"is refused unread (the cap is {limits.max_entries:,} files per import)")
        return
    try:
        archive = zipfile.ZipFile(source)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield Rejection(archive_name, f"not a readable zip archive ({exc})")
        return
    files = [info for info in members if not (info.is_dir() or is_os_clutter(info.filename))]
    yield from (Skipped(f"{archive_name}/{info.filename}") for info in members
                if not info.is_dir() and is_os_clutter(info.filename))
    if not files:
        yield Rejection(archive_name, "the archive holds no files" + (" (only folders or system files)"
                                                                       if members else ""))
        return
    budget = _Budget(archive_name, limits)
    for info in files:
        name = f"{archive_name}/{info.filename}"
        refusal = _member_refusal(info)
        if refusal is None:
            too_large = budget.too_large(name, info.file_size)
            refusal = too_large.reason if too_large else None
        if refusal is not None:
            if budget.admit():
                yield Rejection(name, refusal)
        elif budget.admit(info.file_size):
            yield Candidate(name, info.filename, _member_reader(archive, info, limits.max_file_bytes),
                            origin=archive_name)
    yield from budget.summary()


def _member_reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            data = _read_capped(lambda: archive.open(info), min(cap, info.file_size))
        except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError) as exc:
            raise ValueError(f"corrupt archive member ({exc})") from None
        except (RuntimeError, NotImplementedError) as exc:
            raise ValueError(f"cannot be read ({exc})") from None
        if data[:4] == ZIP_MAGIC:
            raise ValueError("nested archive; unzip it and import it on its own")
        return data

    return read


def _file_reader(path: Path, cap: int, follow_links: bool) -> Callable[[], bytes]:
    """Reads `path` when called: a regular file of at most `cap` bytes, else ValueError."""
    def read() -> bytes:
        try:
            return read_regular(path, cap, follow_links=follow_links)
        except OSError as exc:
            raise ValueError(f"cannot be read ({exc.strerror or exc})") from None

    return read


def _zip_on_disk(path: Path, name: str, limits: Limits, follow_links: bool) -> Iterator[Entry]:
    """A zip archive on the server, opened only if it is a regular file."""
    try:
        file = open_regular(path, follow_links=follow_links)
    except NotRegularFile as exc:
        yield Rejection(name, str(exc))
        return
    except OSError as exc:
        yield Rejection(name, f"cannot be read ({exc.strerror or exc})")
        return
    yield from zip_entries(file, name, limits)  # closed with the last reader of its members


def natural_key(name: str) -> list:
    """Sort key that orders numbers by value, as a file browser does: img2 before img10
    (text order put coin1, coin10, coin2 side by side); letters compare without case. The
    split alternates text and number, so two keys compare like with like."""
    return [int(part) if i % 2 else part.lower() for i, part in enumerate(re.split(r"(\d+)", name))]


def folder_entries(root: Path, limits: Limits = Limits()) -> Iterator[Entry]:
    """Regular files under `root` (symlinks, FIFOs and devices refused, symlinked folders
    refused unfollowed), in natural order of their paths (`natural_key`)."""
    if not root.is_dir():
        yield Rejection(str(root), "folder not found or not a directory")
        return
    budget, empty = _Budget(str(root), limits), True
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort(key=natural_key)
        linked = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]  # refused as files are
        for filename in sorted(filenames + linked, key=natural_key):
            path = Path(dirpath) / filename
            rel = path.relative_to(root).as_posix()
            if is_os_clutter(rel):
                yield Skipped(rel)
                continue
            empty = False
            try:
                st = path.lstat()
            except OSError as exc:
                if budget.admit():
                    yield Rejection(rel, f"cannot be read ({exc.strerror})")
                continue
            refusal = None if stat.S_ISREG(st.st_mode) else Rejection(
                rel, "not a regular file (links, FIFOs and devices are skipped)")
            refusal = refusal or budget.too_large(rel, st.st_size)
            if refusal is not None:
                if budget.admit():
                    yield refusal
            elif not budget.admit(st.st_size):
                continue
            elif filename.lower().endswith(".zip"):
                yield from _zip_on_disk(path, rel, limits, follow_links=False)
            else:
                yield Candidate(rel, rel, _file_reader(path, limits.max_file_bytes, follow_links=False),
                                origin=str(root))
    if empty:
        yield Rejection(str(root), "the folder holds no files (its subfolders included)")
    yield from budget.summary()


def path_entries(paths: list[Path], limits: Limits = Limits()) -> Iterator[Entry]:
    """Files on the server: folders are walked, zip archives opened, images read; anything
    that is not a regular file or a folder is refused unread."""
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            yield Rejection(path.name, "not found, or not a regular file")
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from folder_entries(path, limits)
        elif not stat.S_ISREG(st.st_mode):
            yield Rejection(path.name, "not a regular file (FIFOs, devices and sockets are not read)")
        elif st.st_size > limits.max_file_bytes:
            yield Rejection(path.name, f"file too large (the limit is {limits.max_file_bytes:,} bytes)")
        elif path.suffix.lower() == ".zip":
            yield from _zip_on_disk(path, path.name, limits, follow_links=True)
        elif is_os_clutter(path.name):
            yield Skipped(path.name)
        else:
            yield Candidate(path.name, path.name, _file_reader(path, limits.max_file_bytes, follow_links=True))


class _Window(io.RawIOBase):
    """Bytes [start, start + length) of a shared file, as a seekable file of their own."""

    def __init__(self, file: BinaryIO, start: int, length: int) -> None:
        super().__init__()
        self.file, self.start, self.length, self.pos = file, start, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.length}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def readinto(self, buffer) -> int:  # type: ignore[override]
        wanted = max(0, min(len(buffer), self.length - self.pos))
        if not wanted:
            return 0
        self.file.seek(self.start + self.pos)
        got = self.file.readinto(memoryview(buffer)[:wanted])
        self.pos += got
        return got


class UploadSpool:
    """Uploads copied one after another into one temporary file on disk (one descriptor
    however many files; unlinked at once, so nothing is left behind), each read back as a
    window. A file object (Streamlit's UploadedFile) is copied in chunks, never read whole."""

    CHUNK = 1024**2

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()

    def add(self, data: bytes | BinaryIO) -> _Window:
        start = self.file.seek(0, io.SEEK_END)
        if isinstance(data, bytes):
            self.file.write(data)
        else:
            data.seek(0)
            shutil.copyfileobj(data, self.file, self.CHUNK)
        self.file.flush()
        return _Window(self.file, start, self.file.tell() - start)

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> "UploadSpool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _window_reader(window: _Window, cap: int) -> Callable[[], bytes]:
    def read() -> bytes:
        if window.length > cap:
            raise ValueError(f"file too large ({window.length:,} bytes; the limit is {cap:,})")
        window.seek(0)
        return window.read()

    return read


def upload_entries(files: list[tuple[str, bytes | BinaryIO]], limits: Limits = Limits(),
                   spool: UploadSpool | None = None) -> Iterator[Entry]:
    """Uploaded files as (name, bytes or file object), spooled to disk; zip archives among
    them (by name or by their first bytes) are opened."""
    spool = spool or UploadSpool()
    for name, data in files:
        if is_os_clutter(name):
            yield Skipped(name)
            continue
        try:
            window = spool.add(data)
        except OSError as exc:  # the temporary folder is full or unwritable
            yield Rejection(name, f"cannot be spooled to disk for reading ({exc.strerror or exc})")
            continue
        if name.lower().endswith(".zip") or window.read(4) == ZIP_MAGIC:
            window.seek(0)
            yield from zip_entries(window, name, limits)  # type: ignore[arg-type]
        else:
            yield Candidate(name, name, _window_reader(window, limits.max_file_bytes))
