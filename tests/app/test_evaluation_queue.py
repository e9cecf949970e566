"""app.evaluation_queue: evaluations run on the server's own thread, one at a time, an
encoder asked for twice evaluated once; one goes on with no page waiting on it (walk 21: a
closed tab stopped its evaluation); a cancelled one stops at its next progress report."""

from __future__ import annotations

import threading
import time

from app import evaluation_queue as evaluations


def steps(count: int, log: list, gate: threading.Event | None = None):
    """A work function reporting `count` steps (after `gate` opens), noting its thread."""
    def work(progress) -> None:
        log.append(threading.current_thread().name)
        if gate is not None:
            assert gate.wait(30)
        for step in range(count):
            progress(step + 1, count, f"step {step + 1}")
            time.sleep(0.01)
    return work


def key(name: str) -> evaluations.Key:
    return ("/ws", "shapes", f"{name}-{time.monotonic_ns()}")


def test_an_evaluation_finishes_with_no_page_waiting_and_twice_asked_runs_once():
    log: list[str] = []
    gate = threading.Event()
    first = key("run")
    job = evaluations.submit(first, "SimCLR", steps(5, log, gate))
    assert evaluations.submit(first, "SimCLR", steps(5, log)) is job  # another visitor's ask: the same job
    assert evaluations.active(first) is job
    gate.set()  # nobody waits on it: it runs all the same
    assert job.finished.wait(30) and job.state == evaluations.DONE
    assert (job.done, job.total, job.doing) == (5, 5, "step 5")
    assert log == ["evaluations"] and evaluations.active(first) is None  # the server's thread, once


def test_evaluations_run_one_at_a_time_in_the_order_asked():
    log: list[str] = []
    gate = threading.Event()
    running = evaluations.submit(key("a"), "a", steps(3, log, gate))
    queued = evaluations.submit(key("b"), "b", steps(3, log))
    time.sleep(0.2)
    assert queued.state == evaluations.QUEUED and evaluations.ahead_of(queued) == 1
    gate.set()
    assert queued.finished.wait(30) and running.state == queued.state == evaluations.DONE
    assert log == ["evaluations", "evaluations"]


def test_a_cancelled_evaluation_stops_at_its_next_progress_report_and_a_new_ask_starts_again():
    gate = threading.Event()
    reported: list[int] = []

    def work(progress) -> None:
        for step in range(1000):
            progress(step, 1000)
            reported.append(step)
            if step == 2:
                gate.set()
            time.sleep(0.01)

    asked = key("c")
    job = evaluations.submit(asked, "c", work)
    assert gate.wait(30)
    job.cancel.set()
    assert job.finished.wait(30) and job.state == evaluations.CANCELLED and len(reported) < 1000
    assert evaluations.active(asked) is None
    again = evaluations.submit(asked, "c", steps(2, []))
    assert again is not job and again.finished.wait(30) and again.state == evaluations.DONE


def test_a_failure_is_kept_for_the_page_and_the_worker_goes_on():
    def broken(progress) -> None:
        raise ValueError("a single image cannot be judged")

    failed = evaluations.submit(key("d"), "d", broken)
    after = evaluations.submit(key("e"), "e", steps(1, []))
    assert failed.finished.wait(30) and failed.state == evaluations.FAILED
    assert isinstance(failed.error, ValueError) and "single image" in str(failed.error)
    assert after.finished.wait(30) and after.state == evaluations.DONE
