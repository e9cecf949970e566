"""The Diagnosis panel (app/diagnosis.py): the session keys it writes are the ones the Train
page's form reads, so an advice's settings show there; the panel draws on a finished run."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from app.diagnosis import change_words, train_form
from ssl_core.augment import make_recipe
from ssl_core.engine import TrainConfig
from ssl_core.store import Workspace
from tests.pages.conftest import open_page

ADVISED = TrainConfig(dataset="shapes", method="byol", epochs=3.0, batch_size=32, lr=1e-3,
                      recipe=make_recipe("byol", gray_p=0.8).to_dict())


def test_the_train_page_shows_what_the_button_writes(shapes_run, monkeypatch):
    root, run = shapes_run
    at = open_page(root, "../pages/train.py", monkeypatch)
    for key, value in train_form(ADVISED).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="train_dataset").value == "shapes"  # bound to the current dataset, which it sets
    assert at.selectbox(key="train_method").value == "byol"
    assert at.selectbox(key="train_recipe_byol").value == "byol"
    assert at.number_input(key="train_budget_epochs").value == 3.0
    assert at.select_slider(key="train_batch_shapes").value == 32  # not the page's default (64)
    assert at.number_input(key="train_lr_byol").value == 1e-3
    assert at.session_state["lab_recipe"] == {"name": "byol", "gray_p": 0.8}  # what the page trains with
    assert "From the Diagnosis: recipe **byol**, changed there: gray p 0.8." in [i.value for i in at.info]
    assert [h.value for h in at.subheader].count("Diagnosis") == 1  # the finished run's panel


def test_change_words_name_what_moves():
    before = TrainConfig(dataset="shapes", minutes=5.0)
    words = change_words(before, {"batch_size": 16, "recipe": make_recipe("simclr_small", gray_p=0.8).to_dict()})
    assert words == ("batch_size 64 -> 16; recipe simclr_multicrop -> simclr_small: crop_min 0.6 -> 0.3, "
                     "gray_p 0.5 -> 0.8")
    # a learning rate left to the method is the method's: walk 10's collapse advice read "lr None -> 0.00067"
    assert change_words(TrainConfig(dataset="shapes", method="byol", minutes=5.0), {"lr": 0.002 / 3}) == (
        "lr 0.002 -> 0.00067")
    # the flat run's advice to go back to the CPU default leaves the learning rate to it (None): a BYOL run on
    # the stranger's fruit drew an error box under its Diagnosis ("lr 0.002 -> {None:.2g}")
    back = {"method": "simclr", "recipe": make_recipe("simclr_multicrop").to_dict(), "lr": None}
    words = change_words(TrainConfig(dataset="shapes", method="byol", minutes=5.0), back)
    assert words == ("method byol -> simclr; recipe byol -> simclr_multicrop: crop_min 0.08 -> 0.6, gray_p 0.2 -> "
                     "0.5; lr 0.002 -> 0.01")  # not "blur_p None -> 0.0": the old recipe has no blur
    # walk 37: "encoder small_cnn -> small_cnn" among the changes of a flat VICReg run's advice
    assert change_words(TrainConfig(dataset="shapes", method="vicreg", minutes=1.5),
                        {"method": "simclr", "encoder": "small_cnn", "minutes": 5.0}) == (
        "method vicreg -> simclr; minutes 1.5 -> 5.0")


def test_the_default_recipe_hands_nothing_over_from_the_lab():
    assert train_form(TrainConfig(dataset="shapes", minutes=5.0))["lab_recipe"] is None  # the page's own default
    assert train_form(TrainConfig(dataset="shapes", minutes=5.0, recipe=make_recipe("simclr").to_dict()))[
        "lab_recipe"] == {"name": "simclr"}


@pytest.mark.parametrize("status, message, said", [
    ("failed", "out of memory at step 40", "No advice: none of its measurements up to where it failed triggered a "
                                           "rule (out of memory at step 40)."),
    ("cancelled", None, "No advice: none of its measurements up to where it was cancelled triggered a rule. It was "
                        "cancelled at step 7 of about 50: whether it learned nothing (a flat curve) or stopped while "
                        "still learning (a falling loss) is judged once it has spent its budget. Resume it to finish."),
])
def test_a_run_that_did_not_finish_gets_no_check_mark_when_no_rule_fires(shapes_run, monkeypatch, tmp_path, status,
                                                                         message, said):
    root, run = shapes_run
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    with sqlite3.connect(Workspace(copy).db_path) as conn:
        conn.execute("UPDATE runs SET status = ?, message = ?, step = 7, total_steps = 50 WHERE id = ?",
                     (status, message, run))
    monkeypatch.setattr("app.diagnosis.diagnose", lambda ws, run_id: [])  # no rule fires
    at = open_page(copy, "../pages/train.py", monkeypatch)
    assert [h.value for h in at.subheader].count("Diagnosis") == 1
    assert said in [c.value for c in at.caption]
    assert not any(i.value.startswith("No advice") for i in at.info)  # the check-marked box is a finished run's


@pytest.mark.parametrize("code, boxed", [("learned", True), ("not_yet", False), ("worse_than_untrained", False)])
def test_the_check_marked_no_advice_box_is_only_beside_a_green_verdict(shapes_run, monkeypatch, code, boxed):
    """A completed run no rule fires on but whose verdict is orange or red (a flat curve of too few
    readings for the flat rule, say) gets the words in a caption, not a check mark."""
    from ssl_core.evaluate.verdict import COLOURS, Verdict

    root, run = shapes_run
    monkeypatch.setattr("app.diagnosis.diagnose", lambda ws, run_id: [])
    monkeypatch.setattr("ssl_core.jobs.run_verdict", lambda ws, run_id: Verdict(code, "…", COLOURS[code]))
    at = open_page(root, "../pages/train.py", monkeypatch)
    said = "No advice: no measurement of this run triggered a rule (collapse, "
    assert any(i.value.startswith(said) for i in at.info) == boxed
    assert any(c.value.startswith(said) for c in at.caption) != boxed


def test_a_checkpoint_that_cannot_be_read_is_said_under_diagnosis_not_an_error_box(shapes_run, monkeypatch):
    root, run = shapes_run
    said = "ckpt.safetensors: the run's checkpoint cannot be read (invalid header length); `doctor` checks the workspace"

    def unreadable(ws, run_id):
        raise ValueError(said)
    monkeypatch.setattr("app.diagnosis.diagnose", unreadable)
    at = open_page(root, "../pages/train.py", monkeypatch)  # no exception: open_page asserts it
    assert any(c.value.startswith("No advice: ckpt") and "cannot be read" in c.value for c in at.caption)


def test_a_cancelled_run_is_not_told_it_learned_nothing_or_to_train_twice_as_long(shapes_run, monkeypatch, tmp_path):
    """A run cancelled at step 54 of about 262 was told 'Nothing was learned at any point of the run's 54 steps'
    and to train again with twice the budget: the rules of a whole budget wait until it has spent its own."""
    from ssl_core.evaluate import diagnose as diagnosing
    from ssl_core.evaluate.advice import Advice

    root, run = shapes_run
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    fired = [Advice(rule, "evidence", "advice", {}) for rule in ("collapse", "flat_from_start", "loss_still_falling")]
    monkeypatch.setattr(diagnosing, "measure", lambda ws, run_id: None)
    monkeypatch.setattr(diagnosing, "advise", lambda measured: fired)
    ws = Workspace(copy)
    assert [a.rule for a in diagnosing.diagnose(ws, run)] == ["collapse", "flat_from_start", "loss_still_falling"]
    with sqlite3.connect(ws.db_path) as conn:
        conn.execute("UPDATE runs SET status = 'cancelled', step = 54, total_steps = 262 WHERE id = ?", (run,))
    assert [a.rule for a in diagnosing.diagnose(ws, run)] == ["collapse"]
    at = open_page(copy, "../pages/train.py", monkeypatch)
    assert any(c.value.endswith("It was cancelled at step 54 of about 262: whether it learned nothing (a flat curve) "
                                "or stopped while still learning (a falling loss) is judged once it has spent its "
                                "budget. Resume it to finish.") for c in at.caption)


def test_a_run_whose_loss_became_nan_before_its_first_checkpoint_is_advised(shapes_run, monkeypatch, tmp_path):
    """Walk 25: lr 1e12, a NaN loss at step 2, no checkpoint, and no Diagnosis at all. Its advice and button now
    show; the button fills the form with the smaller learning rate."""
    root, run = shapes_run
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    with sqlite3.connect(Workspace(copy).db_path) as conn:
        conn.execute("UPDATE runs SET status = 'failed', checkpoint = NULL, message = ? WHERE id = ?",
                     ("the loss became nan at step 2; training stopped. Last good checkpoint: none yet.", run))
    at = open_page(copy, "../pages/train.py", monkeypatch)
    assert [h.value for h in at.subheader].count("Diagnosis") == 1
    card = next(m.value for m in at.markdown if m.value.startswith("**1. The run's numbers grew past"))
    assert "a tenth of the learning rate" in card
    assert any(c.value.startswith("Evidence: The run failed") and "nan at step 2" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Train again with this").click().run()
    assert not at.exception, at.exception
    assert at.session_state["train_filled_from_advice"].startswith("lr ")


def _panel(root: str, run: str, learned_here: bool) -> None:
    """The Evaluate page's Diagnosis of `run`, shown on another dataset whose labels judged it."""
    from app.diagnosis import diagnosis_panel
    from ssl_core.store import Workspace

    diagnosis_panel(Workspace(root), run, "Diagnosis: the run", "a labelled copy", learned_here)


@pytest.mark.parametrize("learned_here", [True, False])
def test_a_flat_label_free_check_gives_no_advice_under_labels_that_show_a_gain(shapes_run, monkeypatch, learned_here):
    """Walk 38: "Its neighbours stayed as near the pixels' ... Try the same setting for the 5 minutes" ranked first
    under Evaluate's "Learned something: kNN accuracy 90.8% against 49.7%" on a labelled copy of the pictures."""
    from streamlit.testing.v1 import AppTest

    from app.diagnosis import LABEL_FREE_FLAT
    from ssl_core.evaluate.advice import Advice

    root, run = shapes_run
    fired = [Advice("flat_from_start", "stayed near the pixels'", "Try 5 minutes.", {"minutes": 5.0}, label_free=True),
             Advice("loss_still_falling", "the loss fell", "Train twice as long.", {"minutes": 10.0})]
    monkeypatch.setattr("app.diagnosis.diagnose", lambda ws, run_id: fired)
    at = AppTest.from_function(_panel, args=(str(root), run, learned_here), default_timeout=60).run()
    assert not at.exception, at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert ("Try 5 minutes" in shown) != learned_here and "Train twice as long" in shown
    assert any(c.value == LABEL_FREE_FLAT for c in at.caption) == learned_here
