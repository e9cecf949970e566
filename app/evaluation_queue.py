"""Evaluations run by the server, not by the page that asked for them: one worker thread per
server process takes them in turn, an encoder asked for twice (by two visitors, or again after
a reload) is evaluated once, and an evaluation goes on when the tab that asked for it closes
(walk 21: closing it stopped the evaluation, and what it had done was lost).

Data flow: the Evaluate page -> `submit(key, label, work)` -> a Job in the queue (keyed by
workspace, dataset and encoder) -> the worker runs `work(progress)` (ssl_core.evaluate.stored.
evaluate, which keeps its report beside the embedding) -> the page, which waits on the jobs it
shows (`wait`, drawing their progress), reads the kept reports on its next rerun. A page opened
while an evaluation it shows is queued or running waits on it too (`active`). Cancelling sets
the job's flag; its next progress report stops it. In turn, not side by side: ten evaluations
at once would share two cores ten ways and each take ten times as long.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.widgets import progress_bar

Key = tuple[str, str, str]  # (workspace root, dataset name, encoder key)
Progress = Callable[..., None]  # (done, total, doing="")
QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
REDRAW_S = 1.0  # a waiting page redraws its bars this often: each redraw lets a Cancel or a closed tab stop it

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_jobs: dict[Key, Job] = {}  # the newest job of each key; a done one is dropped (its report is kept)
_queue: queue.Queue[Job] = queue.Queue()
_worker: list[threading.Thread] = []


class Cancelled(Exception):
    """Raised from a job's progress report once it is cancelled."""


@dataclass
class Job:
    key: Key
    label: str  # the encoder's name on the page that asked
    work: Callable[[Progress], object]
    state: str = QUEUED
    done: float = 0.0
    total: int = 0
    doing: str = ""
    error: BaseException | None = None  # a failed job's exception, raised again on the page that waits on it
    cancel: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: float, total: int, doing: str = "") -> None:
        """The work's progress report; raises Cancelled once the job is cancelled."""
        if self.cancel.is_set():
            raise Cancelled
        self.done, self.total, self.doing = done, total, doing


def submit(key: Key, label: str, work: Callable[[Progress], object]) -> Job:
    """The queued or running job of `key` (not one cancelled), else a new one running `work`
    after those ahead."""
    with _lock:
        if (job := _jobs.get(key)) is not None and not job.finished.is_set() and not job.cancel.is_set():
            return job
        job = _jobs[key] = Job(key, label, work)
        _queue.put(job)
        if not _worker or not _worker[0].is_alive():
            _worker[:] = [threading.Thread(target=_run_jobs, name="evaluations", daemon=True)]
            _worker[0].start()
    return job


def active(key: Key) -> Job | None:
    """The job of `key` while it is queued or running and not cancelled, else None."""
    with _lock:
        job = _jobs.get(key)
    return job if job is not None and not job.finished.is_set() and not job.cancel.is_set() else None


def ahead_of(job: Job) -> int:
    """How many jobs run or wait before `job` (0 once it runs)."""
    with _lock:
        waiting = [other for other in _jobs.values() if not other.finished.is_set()]
    return 0 if job.state != QUEUED else sum(other.state == RUNNING for other in waiting) + _queue_position(job)


def _queue_position(job: Job) -> int:
    with _queue.mutex:  # a snapshot of the waiting line
        line = list(_queue.queue)
    return line.index(job) if job in line else 0


def _run_jobs() -> None:
    while True:
        job = _queue.get()
        if job.cancel.is_set():
            _finish(job, CANCELLED)
            continue
        job.state = RUNNING
        try:
            job.work(job.progress)
        except Cancelled:
            _finish(job, CANCELLED)
        except Exception as exc:  # kept for the page that waits on it, which raises it there
            _log.exception("evaluating %s failed", job.label)
            job.error = exc
            _finish(job, FAILED)
        else:
            _finish(job, DONE)


def _finish(job: Job, state: str) -> None:
    job.state = state
    with _lock:
        if state == DONE and _jobs.get(job.key) is job:
            del _jobs[job.key]
    job.finished.set()


def wait(jobs: list[Job]) -> None:
    """Draw each job's progress bar until all have finished (the page's script waits; the work
    does not depend on it). A rerun (Cancel) or a closed tab stops the waiting at the next redraw."""
    bars = {id(job): progress_bar(f"Evaluating {job.label}") for job in jobs}
    while True:
        for job in jobs:
            ahead = ahead_of(job)
            doing = (f"waiting for {ahead} evaluation{'s' if ahead > 1 else ''} ahead (one at a time on this server)"
                     if ahead else job.doing or ("starting" if not job.total else ""))
            bars[id(job)](job.done, job.total, doing, redraw=True)
        if all(job.finished.is_set() for job in jobs):
            return
        time.sleep(REDRAW_S)
