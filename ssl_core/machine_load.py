"""How busy other work kept the machine while a run trained, so a run that took few steps on a
busy machine is told why.

Data flow: `read()` at the start and at the end of a run: (the whole machine's busy CPU seconds
from /proc/stat, this process's CPU seconds from os.times, wall seconds) -> `other_cores(start,
end)` = (machine busy - this process) / wall: the cores other programs kept busy on average.
Linux only (no /proc/stat elsewhere: None), and for one training process (torchrun's other ranks
would count as other work).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import NamedTuple

PROC_STAT = Path("/proc/stat")
OTHER_CORES = "other_cores"  # the run's metric, kept with its last measurements
BUSY_OTHERS = 0.5  # cores kept busy by other work from which a run is told it shared the machine


class Clock(NamedTuple):
    machine_busy_s: float  # every core's non-idle time since boot
    own_s: float  # this process's user + system time, its threads included
    wall_s: float


def machine_seconds() -> tuple[float, float] | None:
    """(busy, all) CPU seconds of the whole machine since boot, every core (/proc/stat's first
    line: user, nice, system, idle, iowait, irq, softirq, steal; guest time is inside user), or
    None without /proc/stat. bench/serve.py reads how busy the machine was with it too."""
    try:
        ticks = [int(field) for field in PROC_STAT.read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle and iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / tick, sum(ticks) / tick


def read() -> Clock | None:
    """The clocks now, or None without /proc/stat."""
    machine = machine_seconds()
    if machine is None:
        return None
    own = os.times()
    return Clock(machine[0], own.user + own.system, time.monotonic())


def other_cores(start: Clock | None, end: Clock | None) -> float | None:
    """Cores other programs kept busy on average between `start` and `end` (>= 0), or None."""
    if start is None or end is None or end.wall_s <= start.wall_s:
        return None
    others = (end.machine_busy_s - start.machine_busy_s) - (end.own_s - start.own_s)
    return max(0.0, others / (end.wall_s - start.wall_s))


def busy_note(others: float | None, unit: str = "images", pages: bool = True) -> str | None:
    """What a finished run is told when other programs kept at least BUSY_OTHERS cores busy while
    it trained (`others`: its OTHER_CORES metric), else None; on the Train page (`pages`) it
    counts the app's pages and a browser showing them among that work, not on the command line."""
    if others is None or others < BUSY_OTHERS:
        return None
    counted = ("other programs, and this app's own pages and a browser showing them on this machine count too"
               if pages else "other programs, the app's server and a browser among them")  # walk 24 read the first
    return (f"Other work kept about {others:.1f} cores of this machine busy while it trained ({counted}): it shared "
            f"them, so it trained more slowly than it would alone (fewer {unit} a second; a minutes budget then "
            "holds fewer steps).")  # walk 21: 175 steps watched live, 725 from the CLI
