"""How busy other programs kept the machine while a run trained (ssl_core/machine_load.py):
measured from /proc/stat against this process's own CPU time."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from ssl_core import machine_load
from ssl_core.machine_load import Clock


def test_other_programs_are_the_machine_s_busy_time_less_this_process_s():
    start, end = Clock(100.0, 10.0, 50.0), Clock(103.0, 11.0, 52.0)  # 3 s busy, 1 s ours, over 2 s
    assert machine_load.other_cores(start, end) == pytest.approx(1.0)
    assert machine_load.other_cores(start, Clock(100.5, 11.0, 52.0)) == 0.0  # never below 0 (clock ticks)
    assert machine_load.other_cores(None, end) is None and machine_load.other_cores(start, None) is None


def test_a_busy_loop_in_another_process_is_measured_as_about_one_core():
    start = machine_load.read()
    if start is None:
        pytest.skip("no /proc/stat on this system")
    spinner = subprocess.Popen([sys.executable, "-c", "import time\nt = time.time()\nwhile time.time() - t < 2: pass"])
    spinner.wait(timeout=30)
    others = machine_load.other_cores(start, machine_load.read())
    elapsed = time.monotonic() - start.wall_s
    assert others >= 0.6 * 2 / elapsed  # the spinner's 2 s of CPU (startup aside), whatever else runs


def test_a_run_is_told_only_past_half_a_core():
    assert machine_load.busy_note(None) is None and machine_load.busy_note(0.49) is None
    assert machine_load.busy_note(0.5, "examples").startswith("Other work kept about 0.5 cores")
    assert "fewer examples a second" in machine_load.busy_note(0.5, "examples")
    assert "this app's own pages and a browser showing them" in machine_load.busy_note(0.5)  # the Train page's
    assert "(other programs, the app's server and a browser among them)" in machine_load.busy_note(0.5, pages=False)
