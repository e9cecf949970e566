"""The word, before a run starts (the Train page, above Start; the CLI's `train`, on stderr), on
how many steps a minutes budget holds at the pace a run of the same method and encoder on the
same dataset trained here, where that is too few to learn or to judge (walk 27: a ResNet-18 run
of 1.5 minutes on a CPU made 12 steps at 12 images/s, unsaid until it ended "collapsed", in its
first steps' dip of the effective rank; walk 29: the CLI's 1-minute run made 2, unsaid)."""

from __future__ import annotations

from . import jobs, words
from .evaluate.advice import MIN_LOSS_STEPS, steps_a_minute
from .run_names import run_name
from .store import Workspace
from .words import agreeing, counted, noun


def pace_note(ws: Workspace, dataset: str, method: str, encoder: str, minutes: float, batch: int,
              unit: str) -> str | None:
    """A sentence where `minutes` at batch `batch` hold fewer than MIN_LOSS_STEPS steps at the
    whole-run pace (its `unit`s a second) of the newest ended run of `method` and `encoder` on
    `dataset`; None where no such run was measured or the budget holds more."""
    paced = next((run for run in jobs.list_runs(ws) if run["dataset"] == dataset and run["method"] == method
                  and run["encoder"] == encoder and run["status"] in jobs.FINAL and run["images_per_s"]), None)
    if paced is None:
        return None
    pace = paced["images_per_s"]
    steps = round(minutes * steps_a_minute(pace, batch))
    if steps >= MIN_LOSS_STEPS:
        return None
    return (f"At the pace {run_name(paced)} trained here ({words.pace(pace)} {unit}/s), {minutes:g} "
            f"{noun(minutes, 'minutes')} {agreeing(minutes, 'holds', 'hold')} about {counted(steps, 'steps')} of "
            f"{batch}: too few to learn much (a network's effective rank dips in its first steps, so such a run can "
            f"end read as collapsed), and under the {MIN_LOSS_STEPS} steps the advice needs to judge the loss. "
            "A longer budget, or a smaller encoder, trains more steps.")
