"""Data roots, and the one way an import opens a file on the server.

The operator names the server folders a browser visitor may import from: `--data-root DIR`
(repeatable, after `streamlit run app/main.py --`) or $SSL_DATA_ROOTS (folders separated
by os.pathsep). A path typed in the browser goes `confine(text, roots)`: `~` expanded,
a relative path taken inside the first root, symlinks and `..` resolved, and only then
compared with the roots; every path outside gets the same message, whatever exists there.
The command line passes no roots and keeps full access.

Whoever asks, only regular files are read (`open_regular`, `read_regular`): a FIFO, a
device such as /dev/zero or a socket is refused after a stat, without being read, and the
open itself is non-blocking, so a FIFO swapped in after the stat cannot hang the import.
"""

from __future__ import annotations

import argparse
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from .text import printable

ENV_VAR = "SSL_DATA_ROOTS"
ROOT_FLAG = "--data-root"
ENABLE_HINT = (
    "Reading folders on the server is off for the browser. Whoever started the app can allow "
    "chosen folders: `streamlit run app/main.py -- --data-root /data/images` (repeatable), or "
    f"the environment variable {ENV_VAR}=/data/a{os.pathsep}/data/b. The command line "
    "(`python -m ssl_core ingest PATH`) reads any folder."
)


class PathRefused(ValueError):
    """A browser path outside the data roots (or with none named); the message says so."""


class NotRegularFile(ValueError):
    """A path that is not a regular file (a FIFO, a device, a socket, a folder)."""


def data_roots(argv: Sequence[str], environ: Mapping[str, str]) -> tuple[Path, ...]:
    """The roots named by `--data-root` in `argv` and by $SSL_DATA_ROOTS, resolved, in
    order, without repeats. Empty when none is named."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(ROOT_FLAG, action="append", default=[])
    named = parser.parse_known_args(list(argv))[0].data_root
    named += [part for part in environ.get(ENV_VAR, "").split(os.pathsep) if part.strip()]
    return tuple(dict.fromkeys(Path(os.path.realpath(Path(p.strip()).expanduser())) for p in named))


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def confine(text: str, roots: Sequence[Path]) -> Path:
    """The path a visitor typed, resolved, when it lies inside one of `roots`.

    Raises PathRefused with ENABLE_HINT when no root is named, and with one message that
    names only the typed text and the roots when the resolved path is outside (whether it
    exists, is a file, a link or a loop is not looked at before the check).
    """
    if not roots:
        raise PathRefused(ENABLE_HINT)
    typed = text.strip()
    path = Path(typed.replace("\x00", "")).expanduser()
    if not path.is_absolute():
        path = roots[0] / path
    try:
        resolved = Path(os.path.realpath(path))  # no stat: a loop or a missing part answers alike
    except (OSError, ValueError):  # text no file system can hold (a lone surrogate)
        resolved = None
    if "\x00" in typed or resolved is None or not any(_inside(resolved, root) for root in roots):
        raise PathRefused(f"'{printable(typed)}' is not inside a data root; the app may read files "
                          f"only under {', '.join(str(r) for r in roots)}")
    return resolved


def open_regular(path: Path, *, follow_links: bool = True) -> BinaryIO:
    """`path` opened for reading if it is a regular file; NotRegularFile otherwise, and
    OSError (with its strerror) when it cannot be opened."""
    info = os.stat(path) if follow_links else os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFile("not a regular file (folders, links, FIFOs and devices are not read)")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= os.O_NOFOLLOW
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped after the stat above
            raise NotRegularFile("not a regular file (folders, links, FIFOs and devices are not read)")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, cap: int, *, follow_links: bool = True) -> bytes:
    """The bytes of the regular file `path`, refused (ValueError) when over `cap` bytes."""
    with open_regular(path, follow_links=follow_links) as f:
        size = os.fstat(f.fileno()).st_size
        data = f.read(cap + 1) if size <= cap else b""
    if size > cap or len(data) > cap:
        raise ValueError(f"file too large ({max(size, len(data)):,} bytes; the limit is {cap:,})")
    return data
