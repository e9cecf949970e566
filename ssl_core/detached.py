"""A background process the app starts and does not wait for (the training worker, the UMAP
warm-up): it outlives the page that started it (its own session), writes to a log file the
parent closes at once, and is reaped by a daemon thread when it exits, so a finished worker
does not stay a zombie child of the Streamlit server (walk 14: `[python3] <defunct>` until
the server stopped) and no log descriptor is left open per start.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]  # where `python -m ssl_core` is found


def start_detached(arguments: list[str], log: Path, preexec_fn: Callable[[], None] | None = None
                   ) -> subprocess.Popen:
    """Start `python -m ssl_core *arguments` in a new session, its output appended to `log`;
    returns the process, whose exit a daemon thread waits for."""
    with open(log, "ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "ssl_core", *arguments], stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                   preexec_fn=preexec_fn, cwd=PROJECT)
    threading.Thread(target=process.wait, name=f"reap {arguments[-1]}", daemon=True).start()
    return process
