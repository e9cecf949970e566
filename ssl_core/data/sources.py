"""Where images come from: uploaded files, zip archives and folders on the server.

Each source yields `Candidate`s (a display name and a way to read its bytes) or a
`Rejection` (a name and a reason) for entries refused before decoding. Nothing is ever
extracted to disk: zip members are read into memory one at a time, with caps on their
count and total size, so a hostile archive can neither write outside the workspace nor
exhaust memory.
"""

from __future__ import annotations

import io
import lzma
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_ENTRIES = 100_000  # files per archive or folder
MAX_TOTAL_BYTES = 4 * 1024**3  # uncompressed bytes read from one archive or folder
MAX_FILE_BYTES = 256 * 1024**2  # one file
MAX_ZIP_RATIO = 200  # uncompressed / compressed for one member above 1 MiB
ZIP_MAGIC = b"PK\x03\x04"
SKIPPED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class Candidate:
    """A file to decode. `name` is what the user is shown (archive name included);
    `inner` is its path inside the folder or archive it came from (for labels)."""

    name: str
    inner: str
    read: Callable[[], bytes]


@dataclass(frozen=True)
class Rejection:
    name: str
    reason: str


Entry = Candidate | Rejection


@dataclass(frozen=True)
class Limits:
    max_entries: int = MAX_ENTRIES
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_file_bytes: int = MAX_FILE_BYTES


def printable(name: str) -> str:
    """`name` as safe text: undecodable bytes and control characters escaped."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


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

    def fits(self, size: int) -> bool:
        """Count a file of `size` bytes in; past the caps it is only counted as skipped."""
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
                            f"{self.limits.max_total_bytes:,} bytes per import")


def _read_capped(opener: Callable[[], object], cap: int) -> bytes:
    """Read at most `cap` bytes; more than that means the size header lied."""
    with opener() as f:  # type: ignore[attr-defined]
        data = f.read(cap + 1)
    if len(data) > cap:
        raise ValueError("member is larger than its header says (zip bomb)")
    return data


def zip_entries(data_or_path: bytes | Path, archive_name: str,
                limits: Limits = Limits()) -> Iterator[Entry]:
    """Entries of a zip archive, refusing unsafe members with a reason each.

    Refused: absolute paths, `..` components, symlinks, encrypted members, nested
    archives, members whose size or compression ratio marks a zip bomb, and whatever
    is past the caps on entry count and total bytes.
    """
    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    try:
        archive = zipfile.ZipFile(source)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield Rejection(archive_name, f"not a readable zip archive ({exc})")
        return
    budget = _Budget(archive_name, limits)
    for info in members:
        raw = info.filename
        name = f"{archive_name}/{raw}"
        posix = PurePosixPath(raw.replace("\\", "/"))
        mode = info.external_attr >> 16
        if info.is_dir() or is_os_clutter(raw):
            continue
        if posix.is_absolute() or (len(raw) > 1 and raw[1] == ":"):
            yield Rejection(name, "absolute path inside the archive (refused)")
            continue
        if ".." in posix.parts:
            yield Rejection(name, "path climbs out of the archive with '..' (refused)")
            continue
        if stat.S_ISLNK(mode):
            yield Rejection(name, "symbolic link inside the archive (refused)")
            continue
        if info.flag_bits & 0x1:
            yield Rejection(name, "encrypted; password-protected archives are not supported")
            continue
        if raw.lower().endswith(".zip"):
            yield Rejection(name, "nested archive; unzip it and import it on its own")
            continue
        if info.file_size > 1024**2 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            yield Rejection(name, f"compression ratio over {MAX_ZIP_RATIO}:1 (zip bomb refused)")
            continue
        refusal = budget.too_large(name, info.file_size)
        if refusal is not None:
            yield refusal
        elif budget.fits(info.file_size):
            yield Candidate(name, raw, _member_reader(archive, info, limits.max_file_bytes))
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


def folder_entries(root: Path, limits: Limits = Limits()) -> Iterator[Entry]:
    """Regular files under `root` (symlinked folders are not followed), sorted by path."""
    if not root.is_dir():
        yield Rejection(str(root), "folder not found or not a directory")
        return
    budget = _Budget(str(root), limits)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            rel = path.relative_to(root).as_posix()
            if is_os_clutter(rel):
                continue
            try:
                st = path.lstat()
            except OSError as exc:
                yield Rejection(rel, f"cannot be read ({exc.strerror})")
                continue
            if not stat.S_ISREG(st.st_mode):
                yield Rejection(rel, "not a regular file (links and devices are skipped)")
                continue
            refusal = budget.too_large(rel, st.st_size)
            if refusal is not None:
                yield refusal
            elif not budget.fits(st.st_size):
                continue
            elif filename.lower().endswith(".zip"):
                yield from zip_entries(path, rel, limits)
            else:
                yield Candidate(rel, rel, path.read_bytes)
    yield from budget.summary()


def path_entries(paths: list[Path], limits: Limits = Limits()) -> Iterator[Entry]:
    """Files on the server: folders are walked, zip archives opened, images read."""
    for path in paths:
        if path.is_dir():
            yield from folder_entries(path, limits)
        elif path.suffix.lower() == ".zip":
            yield from zip_entries(path, path.name, limits)
        elif not path.is_file():
            yield Rejection(path.name, "not found, or not a regular file")
        elif path.stat().st_size > limits.max_file_bytes:
            yield Rejection(path.name, f"file too large (the limit is {limits.max_file_bytes:,} bytes)")
        else:
            yield Candidate(path.name, path.name, path.read_bytes)


def upload_entries(files: list[tuple[str, bytes]], limits: Limits = Limits()) -> Iterator[Entry]:
    """Uploaded files as (name, bytes); zip archives among them are opened."""
    for name, data in files:
        if name.lower().endswith(".zip") or data[:4] == ZIP_MAGIC:
            yield from zip_entries(data, name, limits)
        else:
            yield Candidate(name, name, lambda data=data: data)
