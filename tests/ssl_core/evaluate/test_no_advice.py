"""Why a run has no advice (diagnose.no_advice_words), said by the Diagnosis panel and `advise`:
only a completed run is said to have passed the rules; one that stopped or has not ended is told
how far it was checked, and one with no checkpoint that there was nothing to check."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

from ssl_core import jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.augment import make_recipe
from ssl_core.engine import TrainConfig
from ssl_core.evaluate.diagnose import no_advice_words
from ssl_core.evaluate.verdict import MAJORITY, MARKER
from tests.ssl_core.test_cli import cli


def row(status: str, checkpoint: str | None = "ckpt.pt", message: str | None = None) -> dict:
    return {"status": status, "checkpoint": checkpoint, "message": message}


@pytest.mark.parametrize("run, said", [
    (row("completed"), "no measurement of this run triggered a rule (collapse, "),
    (row("failed", message="out of memory"), "none of its measurements up to where it failed triggered a rule "
                                             "(out of memory)."),
    (row("cancelled", checkpoint=None), "it was cancelled before its first checkpoint, so there is nothing to check."),
    (row("failed", checkpoint=None, message="CUDA error"), "it failed before its first checkpoint, so there is "
                                                           "nothing to check (CUDA error)."),
    (row("running", checkpoint=None), "it is running and has no checkpoint yet, so there is nothing to check."),
    (row("running"), "none of its measurements so far triggered a rule (it is running)."),
])
def test_a_run_without_advice_is_told_how_far_it_was_checked(run, said):
    assert no_advice_words(run).startswith(said)


def test_advise_says_on_stderr_why_a_run_failed_before_its_first_checkpoint_has_none(workspace, make):
    ingest_uploads(workspace, [(f"p{i}.png", make.solid((40 * i, 0, 0))) for i in range(6)], name="few", size=16)
    run = jobs.create_run(workspace, TrainConfig(dataset="few", epochs=1.0))
    with sqlite3.connect(workspace.db_path) as conn:
        conn.execute("UPDATE runs SET status = 'failed', message = 'killed' WHERE id = ?", (run,))
    told = cli(workspace.root, "advise", "--run", run)
    assert told.returncode == 0 and json.loads(told.stdout) == []
    assert told.stderr.strip() == ("No advice: it failed before its first checkpoint, so there is nothing to check "
                                   "(killed).")


def test_a_completed_run_too_short_for_a_rule_is_not_said_to_pass_it():
    """An 18-step run's panel said 'no measurement ... triggered a rule (..., a loss still falling
    at the end)' under a loss that fell to its last step: that rule needs 40 losses."""
    steps = np.arange(1, 19)
    short = {"loss": (steps, np.linspace(6.5, 5.3, 18)), "knn_accuracy": (np.array([1, 18]), np.array([0.8, 0.9]))}
    said = no_advice_words(row("completed"), short)
    assert said.startswith("no measurement of this run triggered a rule (collapse, a batch too large for the data, "
                           "a colour, brightness or background shortcut).")
    assert said.endswith("It was too short to judge an online measure flat from the start (2 online measurements; "
                         "it needs 3) and a loss still falling at the end (18 loss values logged; it needs 40): a "
                         "longer run would be.")
    long = {"loss": (np.arange(1, 61), np.ones(60)), "knn_accuracy": (np.array([1, 25, 50, 60]), np.full(4, 0.9))}
    assert no_advice_words(row("completed"), long) == (
        "no measurement of this run triggered a rule (collapse, a batch too large for the data, a colour, brightness "
        "or background shortcut, an online measure flat from the start, a loss still falling at the end).")


def test_a_cue_whose_fix_the_recipe_holds_is_said_beside_no_advice(monkeypatch):
    """Walk 12: a SimCLR run on a stranger's fruit was told "no measurement of this run triggered a
    rule" while Evaluate named background texture (most) and its recipe already held the fix."""
    from dataclasses import asdict

    from ssl_core.evaluate import diagnose

    check = {"cue": "background_texture", "level": "most"}
    monkeypatch.setattr(diagnose, "run_shortcut", lambda ws, run: check)
    default = {**row("completed"), "config": json.dumps(asdict(TrainConfig(dataset="d")))}
    held = diagnose.held_words(None, default)
    assert held == ("The shortcut check names background texture (most), but the run's recipe already holds what "
                    "the advice would change for it (salient crop p 0.8, no blur), so there is no change to advise. "
                    + diagnose.IN_THE_PICTURES)
    # not also among the rules no measurement triggered (walk 12 read the two against each other)
    assert no_advice_words(default, None, held) == (
        "no measurement of this run triggered a rule (collapse, a batch too large for the data, an online measure "
        "flat from the start, a loss still falling at the end). " + held)
    byol = {**default, "config": json.dumps(asdict(TrainConfig(dataset="d", method="byol")))}
    assert diagnose.held_words(None, byol) == ""  # its recipe has no such fields: the rule would advise, or not
    check.update(cue="brightness", level="most")  # walk 48: after the swap, the swap went unnamed beside 'No advice'
    swapped = make_recipe("simclr_multicrop", jitter_p=1.0, swap_background_p=0.5).to_dict()
    after = {**default, "config": json.dumps(asdict(TrainConfig(dataset="d", recipe=swapped)))}
    assert diagnose.held_words(None, after) == (
        "The shortcut check names brightness (most), but the run's recipe already holds what the advice would change "
        "for it (jitter p 1, jitter strength 1), and the background swapped in 50% of the views (the advice that "
        "comes after it), so there is no change to advise. What is left to change is in the pictures: cut to their "
        "objects before the import, or taken on one background, they leave less background to group by.")
    check.update(cue="position", level="some")  # walk 25: no rule advises on it; the check's own fix is said
    assert diagnose.held_words(None, default) == (  # walk 26: not "untried": the default has flips and local crops
        "The shortcut check names where the picture stands out (some), a cue no rule here advises on, so no change "
        "is advised: the check suggests smaller random crops (a lower `crop_min`) and flips, so what stands out moves "
        "between two views of an image; this run's recipe has crop min 0.6, flip p 0.5, local crops 6.")
    check["cue"] = None
    assert diagnose.held_words(None, default) == ""


def test_a_probe_too_small_to_judge_a_flat_curve_is_said_so():
    """Walk 13's 18 labelled images: the flat rule could not judge it, and the panel says why."""
    steps = np.array([1, 25, 50, 69])
    series = {"knn_accuracy": (steps, np.array([0.389, 0.333, 0.333, 0.333])),
              "knn_untrained": (steps, np.full(4, 0.389)),
              "probe_size": (steps, np.full(4, 18.0)), "loss": (np.arange(1, 70), np.linspace(5, 1, 69)),
              MARKER: (steps, np.ones(4))}  # its untrained twin calibrated
    said = no_advice_words(row("completed"), series)
    assert "an online measure flat from the start" not in said.split(").")[0]  # not among the rules it passed
    assert said.endswith("It could not check for an online measure flat from the start (18 labelled images: noise alone "
                         "could move kNN accuracy by 42.8 points).")
    series = {**series, "probe_size": (steps, np.full(4, 150.0)), MAJORITY: (steps, np.full(4, 0.533))}
    said = no_advice_words(row("completed"), series)  # walk 15: oak held 53% of the leaves and the rule stood aside
    assert said.endswith("It could not check for an online measure flat from the start (the largest class holds 53% "
                         "of the 150 labelled images: a kNN curve near that share cannot tell an encoder that learned "
                         "nothing from one that learned the other classes).")
