"""The Train page's word, before Start, on how many steps a minutes budget holds at the pace a
run of the same method and encoder on the same dataset trained here, where that is too few to
learn or to judge (walk 27: a ResNet-18 run of 1.5 minutes on a CPU made 12 steps at 12
images/s, unsaid until it ended "collapsed", in its first steps' dip of the effective rank)."""

from __future__ import annotations

from ssl_core import jobs
from ssl_core.evaluate.advice import MIN_LOSS_STEPS
from ssl_core.run_names import run_name
from ssl_core.store import Workspace


def pace_note(ws: Workspace, dataset: str, method: str, encoder: str, minutes: float, batch: int,
              unit: str) -> str | None:
    """A sentence where `minutes` at batch `batch` hold fewer than MIN_LOSS_STEPS steps at the
    whole-run pace (its `unit`s a second) of the newest ended run of `method` and `encoder` on
    `dataset`; None where no such run was measured or the budget holds more."""
    paced = next((run for run in jobs.list_runs(ws) if run["dataset"] == dataset and run["method"] == method
                  and run["encoder"] == encoder and run["status"] in jobs.FINAL and run["images_per_s"]), None)
    if paced is None:
        return None
    steps = round(60 * minutes * paced["images_per_s"] / batch)
    if steps >= MIN_LOSS_STEPS:
        return None
    return (f"At the pace {run_name(paced)} trained here ({paced['images_per_s']:,.0f} {unit}/s), {minutes:g} "
            f"minutes hold about {steps:,} steps of {batch}: too few to learn much (a network's effective rank dips "
            f"in its first steps, so such a run can end read as collapsed), and under the {MIN_LOSS_STEPS} steps the "
            "advice needs to judge the loss. A longer budget, or a smaller encoder, trains more steps.")
