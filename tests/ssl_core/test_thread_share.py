"""ssl_core/thread_share.py: a CPU run gives up the cores other work holds, takes its own count
back once they are free, and leaves it as it found it; bench/thread_share.py runs end to end."""

from __future__ import annotations

import re

import pytest
import torch

from ssl_core import machine_load, thread_share
from ssl_core.thread_share import ThreadShare
from tests.bench.running import run_bench


@pytest.fixture
def two_threads(monkeypatch):
    monkeypatch.delenv(thread_share.FIXED, raising=False)  # the suite's workers set it (tests/conftest.py)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def clocks(monkeypatch, busy_others: list[float]) -> None:
    """machine_load.read() on a 2-core machine whose other work keeps busy_others[i] cores busy
    over the i-th interval of INTERVAL_S seconds, this process idle."""
    readings = iter([0.0, *busy_others])
    state = {"busy": 0.0, "wall": 0.0}

    def read():
        state["busy"] += next(readings) * thread_share.INTERVAL_S
        reading = machine_load.Clock(state["busy"], 0.0, state["wall"])
        state["wall"] += thread_share.INTERVAL_S
        return reading

    monkeypatch.setattr(machine_load, "read", read)
    monkeypatch.setattr(thread_share.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(thread_share.time, "monotonic", lambda: state["wall"])


def test_a_run_gives_up_a_held_core_and_takes_it_back_when_it_is_free(monkeypatch, two_threads):
    clocks(monkeypatch, [0.9, 0.4, 0.1, 1.0])
    share = ThreadShare(torch.device("cpu"))
    seen = []
    for _ in range(4):
        share.tick()
        seen.append(torch.get_num_threads())
    assert seen == [1, 1, 2, 1]  # 0.4 is between the bars: as it is
    share.close()
    assert torch.get_num_threads() == 2


def test_fixed_threads_one_thread_or_several_processes_are_left_alone(monkeypatch, two_threads):
    clocks(monkeypatch, [1.0] * 3)
    monkeypatch.setenv(thread_share.FIXED, "1")
    ThreadShare(torch.device("cpu")).tick()
    monkeypatch.delenv(thread_share.FIXED)
    ThreadShare(torch.device("cpu"), world=2).tick()
    assert torch.get_num_threads() == 2


@pytest.mark.slow
def test_the_bench_runs_each_setting_and_prints_the_ratio():
    stdout = run_bench("thread_share.py", "--minutes", "0.1")
    rows = dict(re.findall(r"^(\w[\w ,]+?)\s{2,}([\d.]+)\s+\d+\s+[\d.]+$", stdout, re.M))
    assert list(rows) == ["fixed threads, alone", "sharing, alone", "fixed threads, one core busy",
                          "sharing, one core busy"]
    ratio = float(stdout.strip().splitlines()[-1].removeprefix("ratio: "))
    assert ratio == pytest.approx(float(rows["sharing, one core busy"]) / float(rows["fixed threads, one core busy"]),
                                  abs=0.01)
