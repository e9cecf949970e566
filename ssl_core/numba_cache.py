"""Where numba keeps compiled code (UMAP's functions), set before umap is imported.

A light module (no numba, no umap), so the CLI and the app can set the cache up at start
without paying for those imports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .detached import start_detached

NUMBA_CACHE_ENV = "SSL_NUMBA_CACHE"


def default_numba_cache() -> Path:
    """`$SSL_NUMBA_CACHE`, else `~/.cache/ssl-lens/numba`: compiled code, shared by every
    workspace and process of this user (like pip's or torch's caches), never user data."""
    return Path(os.environ.get(NUMBA_CACHE_ENV) or Path.home() / ".cache" / "ssl-lens" / "numba")


def configure_numba_cache(cache_dir: str | os.PathLike[str]) -> bool:
    """Keep numba's compiled functions in `cache_dir` (created if missing). Call it before
    umap or pynndescent is imported: functions compiled earlier keep their old place. False,
    and numba left as it was, when the folder cannot be made (an unwritable home, a file in
    its place): the maps are then compiled anew in each process, nothing else is lost."""
    try:
        path = Path(cache_dir).expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):
        return False
    os.environ["NUMBA_CACHE_DIR"] = str(path)
    if "numba" in sys.modules:  # numba reads the variable once, when first imported
        sys.modules["numba"].config.CACHE_DIR = str(path)
    return True


def warmed_marker(cache_dir: Path) -> Path:
    """The file `python -m ssl_core warmup` leaves in `cache_dir` once UMAP is compiled there
    (named for the installed umap-learn, so an upgrade compiles again)."""
    from importlib.metadata import version

    return cache_dir / f"warmed-umap-{version('umap-learn')}"


def start_warm_up(log_dir: Path) -> subprocess.Popen | None:
    """Unless the cache is already warm, compile UMAP in a background process at low
    priority (`python -m ssl_core warmup`), so a first map does not pay for numba's JIT.
    Returns the process, or None when there was nothing to do."""
    if warmed_marker(default_numba_cache()).exists():
        return None
    log_dir.mkdir(parents=True, exist_ok=True)
    return start_detached(["warmup"], log_dir / "warmup.log", preexec_fn=lambda: os.nice(10))
