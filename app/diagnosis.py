"""The Diagnosis panel: a finished run's ranked advice (ssl_core.evaluate.diagnose), each
with the measurement behind it and a "Train again with this" button.

The button writes the Train page's form (pages/train.py's widget keys, the current dataset
of app/current.py, and the recipe through the Lab's LAB_RECIPE, which the Train page uses
when its recipe is picked) from
the run's TrainConfig with the advice applied, then opens the Train page: the user sees
the new settings and presses Start. The keys are written in the button's callback, before
any widget of the page that reruns exists.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

import streamlit as st

from app import current
from app.recipe_form import LAB_RECIPE, RECIPE_FROM
from app.widgets import escape_markdown
from ssl_core import jobs
from ssl_core.augment import make_recipe
from ssl_core.engine import TrainConfig
from ssl_core.evaluate.advice import Advice, apply
from ssl_core.evaluate.diagnose import diagnose, held_words, no_advice_words, unspent
from ssl_core.evaluate.verdict import LEARNED
from ssl_core.methods import METHODS
from ssl_core.models import ENCODERS

TRAIN_PAGE = "../pages/train.py"
FILLED = "train_filled_from_advice"  # session key: the change an advice filled the Train page's form with


def train_form(config: TrainConfig) -> dict[str, Any]:
    """{session key: value} that shows `config` in the Train page's form (its Start from
    too, so a run from an import trains that import again); the recipe as
    the Lab hands it over, {"name", **parameters that differ from its defaults}, or None
    (no hand-over) for the method's default recipe unchanged."""
    budget, amount = config.budget()
    recipe = config.resolved_recipe()
    defaults = make_recipe(recipe.name).to_dict()
    lab = {k: v for k, v in recipe.to_dict().items() if k == "name" or v != defaults[k]}
    return {current.DATASET: config.dataset, "train_method": config.method,
            # an imported architecture is no Encoder choice: its Start from (init) brings it
            f"train_encoder_{config.method}": config.encoder if config.encoder in ENCODERS else None,
            f"train_init_{config.method}": config.init, f"train_recipe_{config.method}": recipe.name,
            LAB_RECIPE: None if lab == {"name": METHODS[config.method].default_recipe} else lab,
            RECIPE_FROM: "the Diagnosis",
            "train_budget": budget, f"train_budget_{budget}": float(amount),
            f"train_batch_{config.dataset}": config.batch_size,
            f"train_lr_{config.method}": float(config.resolved_lr())}


def fill_train_form(values: dict[str, Any]) -> None:
    """Write `values` (train_form) into the session; a None value removes its key."""
    for key, value in values.items():
        if value is None:
            st.session_state.pop(key, None)
        else:
            st.session_state[key] = value


def change_words(config: TrainConfig, change: dict[str, Any]) -> str:
    """'batch_size 64 -> 16; recipe simclr_small: gray_p 0.5 -> 0.8' (recipe fields that change); a field the change
    sets to what `config` holds is not said (walk 37: "encoder small_cnn -> small_cnn")."""
    parts = []
    for name, value in change.items():
        if name == "recipe":
            before = config.resolved_recipe().to_dict()  # fields the old recipe lacks are not said ("blur_p None")
            moved = [f"{k} {before[k]} -> {v}" for k, v in value.items()
                     if k != "name" and k in before and before[k] != v]
            named = value["name"] if before["name"] == value["name"] else f"{before['name']} -> {value['name']}"
            parts.append(f"recipe {named}" + (f": {', '.join(moved)}" if moved else ""))
        elif name == "lr":  # one left to the method (None) shows as the method's, before and after the change
            parts.append(f"lr {config.resolved_lr():.2g} -> {replace(config, **change).resolved_lr():.2g}")
        elif getattr(config, name) != value:
            parts.append(f"{name} {getattr(config, name)} -> {value}")
    return "; ".join(parts)


def advice_card(run_id: str, config: TrainConfig, number: int, advice: Advice) -> None:
    with st.container(border=True):
        st.markdown(f"**{number}. {escape_markdown(advice.advice)}**")
        st.caption(f"Evidence: {escape_markdown(advice.evidence)}")
        st.caption(f"Change: `{change_words(config, advice.change)}`")
        if st.button("Train again with this", key=f"diagnosis_{run_id}_{number}", icon=":material/replay:",
                     on_click=fill_train_form, args=(train_form(apply(config, advice))
                                                     | {FILLED: change_words(config, advice.change)},)):
            current.switch_page(TRAIN_PAGE)


def diagnosis_panel(ws, run_id: str, title: str = "Diagnosis", shown_on: str | None = None,
                    learned_here: bool = False) -> None:
    """The advice on run `run_id` once it has ended (nothing while it is queued or running, nor
    for one cancelled before its first checkpoint; one that failed so is told why, walk 25);
    on a page of another dataset (`shown_on`), said to be read on the one it trained on, where labels
    judged it to have learned (`learned_here`) without the advice of a flat label-free check (walk 38: "Its
    neighbours stayed as near the pixels' ... Try the same setting for 5 minutes" ranked first under "Learned
    something: kNN accuracy 90.8% against 49.7%")."""
    run = jobs.get_run(ws, run_id)
    if run["status"] not in jobs.FINAL or not (run["checkpoint"] or run["status"] == "failed"):
        return
    st.subheader(escape_markdown(title))
    if shown_on is not None and run["dataset"] != shown_on:  # walk 30: its class-based cue score read as this one's
        st.caption(escape_markdown(f"Read on {run['dataset']}, the dataset it trained on (its shortcut check and "
                                   f"labels there), not on {shown_on}: its cues and their scores can differ from this "
                                   "page's shortcut check, which reads them on these images and labels."))  # walk 39
    try:
        with st.spinner("Diagnosing the run (its shortcut check is computed once)..."):
            found = diagnose(ws, run_id)
    except ValueError as exc:  # NotAdvised, or a checkpoint that cannot be read: said, not an error box
        st.caption(f"No advice: {escape_markdown(str(exc).rstrip('.'))}.")
        return
    flat = [advice for advice in found if advice.rule == "flat_from_start" and advice.label_free]
    if learned_here and shown_on is not None and run["dataset"] != shown_on and flat:
        found = [advice for advice in found if advice not in flat]
        st.caption(LABEL_FREE_FLAT)
    if not found and (run["status"] != "completed" or jobs.run_verdict(ws, run_id).code != LEARNED):
        # no check mark beside a run that did not finish, nor one whose verdict is not green
        message = run["message"] and escape_markdown(run["message"])  # the failure's words, as written
        words = no_advice_words({**run, "message": message}, jobs.metrics(ws, run_id), held_words(ws, run))
        st.caption(f"No advice: {words}")
        return
    if not found:
        st.info(f"No advice: {no_advice_words(run, jobs.metrics(ws, run_id), held_words(ws, run))}",
                icon=":material/check_circle:")
        return
    st.caption("Ranked from the most basic problem. Each piece of advice quotes the measurement behind it; its "
               "button opens the Train page with the change filled in, and the same budget where the change names none."
               + (f" {waiting}" if (waiting := unspent(run)) else ""))  # our words and numbers only
    config = jobs.run_config(run)
    for number, advice in enumerate(found, start=1):
        advice_card(run_id, config, number, advice)


def diagnosis_panels(ws, sources: dict[str, Any], dataset: str, learned: Collection[str] = ()) -> None:
    """One diagnosis_panel per encoder source in `sources` ({label: EncoderSource}) that is a run,
    on the page of dataset `dataset`, whose labels judged those `learned` to have learned something."""
    for label, source in sources.items():
        if source.run_id:
            diagnosis_panel(ws, source.run_id, f"Diagnosis: {label}", dataset, label in learned)


LABEL_FREE_FLAT = ("Its label-free check while training saw its neighbours stay as near the pixels' as the untrained "
                   "network's (a check that errs towards 'not yet'), but the labels here show it learned something, so "
                   "the advice it gave, to train again as if nothing had been learned, is left out.")
