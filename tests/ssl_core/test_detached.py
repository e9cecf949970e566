"""A worker the app starts is reaped when it exits and leaves no descriptor open in the
server (walk 14: a finished worker stayed `[python3] <defunct>` under the Streamlit server)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ssl_core import jobs


def state(pid: int) -> str | None:
    """The process's state letter ('Z' for a zombie), None once it is gone (reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def children() -> set[int]:
    """This process's child processes, zombies included."""
    return {int(pid) for task in Path("/proc/self/task").iterdir()
            for pid in (task / "children").read_text().split()}


def test_a_finished_worker_is_reaped_and_its_log_closed(workspace):
    before, open_before = children(), len(os.listdir("/proc/self/fd"))
    jobs.start_worker(workspace)  # nothing queued: the worker exits at once
    (worker,) = children() - before
    deadline = time.monotonic() + 30
    while state(worker) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert state(worker) is None  # gone, not a zombie ('Z') waiting for its parent to read its exit
    assert len(os.listdir("/proc/self/fd")) == open_before  # the log file is not held open here
    assert (workspace.root / "worker.log").exists()
