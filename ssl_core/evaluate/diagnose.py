"""A run's diagnosis, read from the workspace: what the Diagnosis panel and `advise` show.

Data flow: the run's row (its TrainConfig, its dataset) and metric series (jobs.metrics)
-> the shortcut check of its last checkpoint (the Evaluate page's kept report when there
is one, else computed on the dataset's embedding with the report's settings and kept
beside that embedding, so it goes stale with the checkpoint) -> advice.Measured ->
advice.advise. `next_config` is the run the "Train again with this" button and
`train --advice RUN` start: the first advice's change, the same budget.
"""

from __future__ import annotations

import json

import numpy as np

from .. import jobs
from ..embed import embed, embedding_dir, from_run
from ..engine import TrainConfig
from ..kinds import KINDS
from ..store import Workspace, WorkspaceError, atomic_write_json
from ..words import listed
from ..run_names import names_told_apart
from .advice import (BACKGROUND_CUES, CPU_DEFAULT, CROPS_AND_FLIPS, CUE_FIELDS, WHOLE_BUDGET, Advice, Measured,
                     advise, apply, fix_held, flat_unjudged, recipe_dict, too_short)
from .cues import cue_name, fix_for
from .report import FORMAT, EvaluateConfig
from .shortcut import shortcut_check
from .splits import labelled
from .stored import stored_report
from .verdict import LEARNED

# beside the embedding of a run's last checkpoint, named by the report's FORMAT: a check of an earlier format (before
# the edges were a cue, say) is made again, as a kept report is (a review: walk 43's runs kept 'brightness 0.58')
SHORTCUT_FILE = f"shortcut-{FORMAT}.json"


STOPPED = {"failed": "failed", "cancelled": "was cancelled"}  # a final status other than completed
RULES = {"collapse": "collapse", "batch_too_large": "a batch too large for the data",
         "cues": "a colour, brightness or background shortcut",
         "flat_from_start": "an online measure flat from the start",
         "loss_still_falling": "a loss still falling at the end"}  # the rules' names in the sentence

UNCALIBRATED = {"flat_from_start": "its untrained baseline was measured before BatchNorm was calibrated on the data"}


class NotAdvised(ValueError):
    """A run of a kind of data no advice rule is calibrated on; the message says so in one line."""


def run_shortcut(ws: Workspace, run: dict) -> dict | None:
    """The shortcut check (shortcut.shortcut_check) of the run's last checkpoint on its
    dataset, computed once; None while the run has no checkpoint."""
    try:
        source = from_run(ws, run)
    except WorkspaceError:
        return None
    kept = stored_report(ws, run["dataset"], source)
    if kept is not None:
        return kept["shortcut"]
    features = np.array(embed(ws, run["dataset"], source).features)  # empties a stale folder first
    dataset = ws.dataset(run["dataset"])
    path = embedding_dir(ws, dataset, source) / SHORTCUT_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        pass
    settings = EvaluateConfig()
    check = shortcut_check(features, ws.images(dataset), settings.neighbours, settings.sample, seed=settings.seed,
                           labels=labelled(ws.labels(dataset)))
    atomic_write_json(path, check)
    return check


def measure(ws: Workspace, run_id: str) -> Measured:
    """Everything the advice rules read about run `run_id`."""
    run = jobs.get_run(ws, run_id)
    if run["dataset_deleted"]:
        raise NotAdvised(f"the run was trained on the dataset {run['dataset']}, deleted or replaced since: its "
                         "measurements cannot be checked against data that is gone")
    dataset = ws.dataset(run["dataset"])
    if not KINDS[dataset.kind].evaluation().advised:
        raise NotAdvised(f"the run trained on {dataset.kind} (the dataset {dataset.name}), and the advice rules are "
                         f"calibrated on image runs (their augmentations and pixel shortcuts), so there is no "
                         f"advice for a {dataset.kind} run")
    series = jobs.metrics(ws, run_id)
    if jobs.uncalibrated_baseline(run, jobs.latest(series)):  # too low to call a curve flat against: not read
        series = {name: values for name, values in series.items() if name not in jobs.BASELINES}
    return Measured(jobs.run_config(run), dataset.image_count, len(ws.label_counts(dataset)), series,
                    run_shortcut(ws, run), default_flat(ws, run), run["message"] if run["status"] == "failed" else None,
                    run["step"], run["images_per_s"])


def default_flat(ws: Workspace, run: dict) -> tuple[str, TrainConfig, bool] | None:
    """(name, config, whether it was judged without labels) of the newest other finished run of the
    CPU default (from random weights) on `run`'s dataset whose verdict is not "learned", else None:
    what a flat run of another setting is told to try has been tried there."""
    runs = jobs.list_runs(ws)
    for other in runs:
        if other["id"] == run["id"] or other["dataset"] != run["dataset"] or other["dataset_deleted"] \
                or other["status"] != "completed":
            continue
        config = jobs.run_config(other)
        if (config.method, recipe_dict(config)["name"]) != CPU_DEFAULT or config.init is not None:
            continue
        measured = jobs.latest(jobs.metrics(ws, other["id"]))
        if jobs.verdict_of(ws, other, measured).code != LEARNED:  # walk 21 had two "SimCLR · 1.5 min"
            return names_told_apart(runs)[other["id"]], config, "knn_accuracy" not in measured
    return None


def diagnose(ws: Workspace, run_id: str) -> list[Advice]:
    """The ranked advice on run `run_id` (advice.advise); a cancelled run, which can resume,
    is not yet judged by the rules of a whole budget (`unspent`)."""
    found = advise(measure(ws, run_id))
    if unspent(jobs.get_run(ws, run_id)):
        return [advice for advice in found if advice.rule not in WHOLE_BUDGET]
    return found


def unspent(run: dict) -> str | None:
    """Why the rules of a whole budget (advice.WHOLE_BUDGET) wait, for a run cancelled before
    its budget was spent, which Resume continues (a sentence); None for any other run. On a
    cancelled run they told a 54-step run 'Nothing was learned' and to train twice as long."""
    if run["status"] != "cancelled" or not run["checkpoint"]:
        return None
    of = f" of about {run['total_steps']:,}" if run["total_steps"] else ""
    return (f"It was cancelled at step {run['step']:,}{of}: whether it learned nothing (a flat curve) or stopped "
            f"while still learning (a falling loss) is judged once it has spent its budget. Resume it to finish.")


# what is left where the recipe holds every change a rule makes for a background, or for a colour or brightness that may
# be the background's
IN_THE_PICTURES = ("What is left to change is in the pictures: cut to their objects before the import, or taken on "
                   "one background, they leave less background to group by.")


def held_words(ws: Workspace, run: dict) -> str:
    """Where the shortcut check of run `run`'s last checkpoint names a cue whose fix its recipe
    already holds (advice.fix_held), or one no rule advises on (layout, where the picture stands
    out), a sentence saying so; else "" (walk 12: "no measurement triggered a rule" under a check
    that named background texture; walk 25: under one that named where the picture stands out
    and said to try smaller crops and flips)."""
    check = run_shortcut(ws, run)
    if not check or not check.get("cue"):
        return ""
    if check["cue"] not in (*CUE_FIELDS, *BACKGROUND_CUES):  # the cues the advice's rules change a recipe for
        recipe = recipe_dict(jobs.run_config(run))
        held = ", ".join(f"{name.replace('_', ' ')} {recipe[name]:g}" for name in CROPS_AND_FLIPS if name in recipe)
        return (f"The shortcut check names {cue_name(check['cue'])} ({check['level']}), a cue no rule here "
                f"advises on, so no change is advised: the check suggests {fix_for(check['cue'])}"
                + (f"; this run's recipe has {held}." if held else "."))
    recipe = recipe_dict(jobs.run_config(run))
    held = fix_held(recipe, check["cue"], check["level"])
    swapped = (f", and the background swapped in {recipe['swap_background_p']:.0%} of the views (the advice that comes "
               f"after it)" if held and check["cue"] in CUE_FIELDS and recipe.get("swap_background_p") else "")
    # walk 48: after the swap, 'No advice' beside brightness 'most', with the jitter named and the swap not; and with
    # every rule's change held, nothing said of what was left: the pictures themselves (two desks)
    left = f" {IN_THE_PICTURES}" if swapped or check["cue"] in BACKGROUND_CUES else ""
    return held and (f"The shortcut check names {cue_name(check['cue'])} ({check['level']}), but the run's recipe "
                     f"already holds what the advice would change for it ({held}){swapped}, so there is no change "
                     f"to advise.{left}")


def no_advice_words(run: dict, series: dict | None = None, held: str = "") -> str:
    """Why run `run` (a jobs row) has no advice, one sentence to follow "No advice: ": a completed
    run passed every rule its metric `series` (jobs.metrics) were long enough to judge, and is
    told which it was too short for, or could not judge (a baseline that normalised nothing:
    jobs.uncalibrated_baseline; a probe too small, or one class too large, to see a flat curve:
    advice.flat_unjudged),
    and `held` (held_words) where a cue was found, in place of the shortcut rule among those
    that passed; one that stopped, or has not ended, how far it was checked."""
    why = f" ({run['message']})." if run["message"] else "."
    if run["status"] == "completed":
        coarse = {"flat_from_start": reason} if series and (reason := flat_unjudged(series)) else {}
        unjudged = UNCALIBRATED if series and jobs.uncalibrated_baseline(run, jobs.latest(series)) else coarse
        short = {} if series is None else {rule: reason for rule, reason in too_short(series).items()
                                           if rule not in unjudged}
        held_cue = {"cues": held} if held else {}  # said apart: not "no measurement triggered" a found cue
        checked = [words for name, words in RULES.items() if name not in short | unjudged | held_cue]
        said = f"no measurement of this run triggered a rule ({', '.join(checked)})."
        for sentence, found in ((" It was too short to judge {}: a longer run would be.", short),
                                (" It could not check for {}.", unjudged)):  # walk 17: "judge ... flat" was hard
            if found:
                said += sentence.format(listed([f"{words} ({reason})" for name, words in RULES.items()
                                                if (reason := found.get(name))]))
        return said + (f" {held}" if held else "")
    if run["status"] in STOPPED:
        if not run["checkpoint"]:
            return f"it {STOPPED[run['status']]} before its first checkpoint, so there is nothing to check" + why
        said = f"none of its measurements up to where it {STOPPED[run['status']]} triggered a rule" + why
        return said + (f" {waiting}" if (waiting := unspent(run)) else "")
    if not run["checkpoint"]:
        return f"it is {run['status']} and has no checkpoint yet, so there is nothing to check."
    return f"none of its measurements so far triggered a rule (it is {run['status']})."


def next_config(ws: Workspace, run_id: str) -> TrainConfig:
    """Run `run_id`'s TrainConfig with its first advice applied (same budget unless the
    advice is about the budget); a ValueError when no rule fired."""
    found = diagnose(ws, run_id)
    if not found:
        raise ValueError(f"run {run_id!r}: no advice (no rule fired on its measurements); "
                         f"`advise --run {run_id}` shows none")
    return apply(jobs.run_config(jobs.get_run(ws, run_id)), found[0])
