"""Fewer CPU threads for a training run while other work holds a core, and its own count back
once that work ends: torch's intra-op threads wait for each other at every operation, so one of
two threads that waits for a core held by another program stalls both. On this 2-core machine,
the CPU default on the built-in shapes, 0.5 minutes beside a process busy on one core: 84
images/s on two threads, 145 on one (315 alone); walk 32 watched a run at 28 images/s beside
its own page, a browser and a script, where unwatched runs made 250-369.

Data flow: `ThreadShare.tick()` once a step; every INTERVAL_S it reads machine_load's clocks and
the cores other programs kept busy since its last reading (machine_load.other_cores) -> at
BUSY_OTHERS or more, torch.set_num_threads(the cores they left free, at least 1); below
IDLE_OTHERS, the run's own count again; between them, as it is. Only a CPU run of one process
(torchrun's ranks would read as each other's other work) on more than one thread, and not where
SSL_FIXED_THREADS is set (bench/thread_share.py's baseline, or a person who pinned the cores).
`close()` gives back the run's own count (a worker trains its next run with it).
"""

from __future__ import annotations

import math
import os
import time

import torch

from . import machine_load

INTERVAL_S = 5.0  # seconds between readings: one step of the small CNN is ~0.5 s, a ResNet-18's several
BUSY_OTHERS = machine_load.BUSY_OTHERS  # cores other work keeps busy from which the run gives them theirs
IDLE_OTHERS = 0.25  # below this the run takes its own thread count back (apart from BUSY_OTHERS: no flapping)
FIXED = "SSL_FIXED_THREADS"  # set: the run keeps its thread count whatever else runs


class ThreadShare:
    """The thread count of a run on `device` in a world of `world` processes (see the module doc)."""

    def __init__(self, device: torch.device, world: int = 1) -> None:
        self.own = torch.get_num_threads()
        self.cores = os.cpu_count() or 1
        self.active = (device.type == "cpu" and world == 1 and self.own > 1 and not os.environ.get(FIXED))
        self.clock = machine_load.read() if self.active else None
        self.active = self.active and self.clock is not None  # no /proc/stat: nothing to read the others from

    def tick(self) -> None:
        """Read the machine every INTERVAL_S and set the thread count to what it leaves free."""
        if not self.active or time.monotonic() - self.clock.wall_s < INTERVAL_S:
            return
        now = machine_load.read()
        others = machine_load.other_cores(self.clock, now)
        self.clock = now
        if others is None:
            return
        if others >= BUSY_OTHERS:
            torch.set_num_threads(max(1, min(self.own, math.floor(self.cores - others))))
        elif others < IDLE_OTHERS:
            torch.set_num_threads(self.own)

    def close(self) -> None:
        """The run's own thread count again."""
        if self.active:
            torch.set_num_threads(self.own)
