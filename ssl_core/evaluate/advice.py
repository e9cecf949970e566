"""Advice that works: what the app measured about a run, turned into ranked changes.

Data flow: diagnose.py gathers a run's measurements into `Measured` (its TrainConfig, the
engine's stored metric series, the dataset's size and classes, the shortcut check of its
last checkpoint) -> each rule in RULES reads them and returns an `Advice` or None ->
`advise` keeps those that fired, in RULES order (the most basic problem first: too few
steps per pass, then a collapse, after which nothing else is read from the embedding) ->
`apply` makes the next run's TrainConfig
from one of them, with the same budget unless the advice is about the budget.

An Advice quotes the measurement that triggered it (`evidence`), says what to do in plain
words (`advice`), and gives the TrainConfig fields to set (`change`; a recipe as a whole
Recipe.to_dict()). Changes touch only what the Train page's form shows (method, encoder,
recipe, budget, batch size, learning rate), so its button can pre-fill that form.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..augment import make_recipe, recipe_from_dict
from ..engine import COLLAPSE_FALL, NON_FINITE_STOP, TrainConfig
from ..methods import METHODS
from ..methods.dino import OUTPUT_DIM
from ..words import agreeing, counted, noun, pace
from ..jobs import latest
from .grey_split import grey_split_words, kept_apart
from .verdict import (COLLAPSED_RANK, KNN_SPREAD, LEARNED, LOW_RANK_MEASUREMENTS, MAJORITY, ONLINE_PROBE, below_twin,
                      coarse, floor, from_metrics, margin, needed_gain, no_room, rank_reference,
                      too_few_for_neighbours)

Series = dict[str, tuple[np.ndarray, np.ndarray]]  # jobs.metrics: {name: (steps, values)}

MIN_LOSS_STEPS = 40  # fewer steps say nothing about the loss's trend
LOSS_SHARE = 0.1  # the last quarter's fall must be at least this share of the whole fall
MIN_MEASUREMENTS = 3  # online kNN measurements before "flat from the start" can be said
UNIFORM_NEAR = 0.01  # a DINO loss this near ln(its head's outputs), as a share of it: its outputs are uniform
HALF = 0.5  # a largest class of this share of the probe or more holds kNN accuracy near it: no flat curve judged
# fewer steps per pass over the data: the batch is too large for it. bench/tune.py on 450 images (5 CPU minutes):
# 3 steps per pass (batch 128) learn less than 7 (batch 64), and 14 (batch 32) less again: clutter_shapes' 0.342,
# 0.362, 0.327, letters 0.531, 0.560, 0.500; at 8 this rule sent such sets to batch 32
MIN_STEPS_PER_PASS = 4
BATCHES = (16, 32, 64, 128, 256, 512)  # the Train page's batch sizes
LR_CUT = 3  # a collapsed run's learning rate is divided by this
CLIMBING = 2.0  # a last effective rank this many times the one before: still coming out of the first steps' dip
LR_DIVERGED = 10  # that of a run whose numbers became NaN or inf at its method's default learning rate or below
CPU_DEFAULT = ("simclr", "simclr_multicrop")  # the tuned CPU default (README, bench/tune.py)
TUNED_MINUTES = 5.0  # the CPU budget the default was tuned for
# recipe fields per cue: (field, value at "some", value at "most"); the recipe's own value is kept when larger.
# Colour: grayscale alone, not stronger jitter: on colour_shapes with small objects, gray_p 0.9 with jitter
# strength 2.0 and jitter_p 1.0 took the default's kNN from 0.62 to 0.36 (2 CPU minutes), as strong colour
# changes erase small objects (README, the supervised augmentation study). Brightness: jitter on more views, at
# SimCLR's strength 1 at most: from 1.25 brightness and contrast factors reach 0, and on walk 18's product photos
# (white backgrounds) views left blank (grey spread under a tenth of the picture's) rose from 7% (strength 1, p 1) to
# 21% (1.5, p 1; 1.5 and 2.0 were this rule's values until then)
CUE_FIELDS = {
    "colour": (("gray_p", 0.8, 0.9),),
    "brightness": (("jitter_p", 0.9, 1.0), ("jitter_strength", 1.0, 1.0)),
}
# the background (its texture, or the whole scene): crops centred where the picture stands out and no blur, the
# recipe fields that made the cluttered sets learn: on clutter_shapes (small objects on photos) kNN 0.239 -> 0.366
# in the same 5 CPU minutes, untrained 0.214 (README, bench/tune.py)
BACKGROUND_CUES = ("background_texture", "background_scene")
ON_THE_OBJECT = {"salient_crop_p": 0.8, "blur_p": 0.0}
# the fields the layout and position cues' fix names (cues.CUES: smaller crops, flips), which no rule changes: said
# beside "No advice" with the run's values (diagnose.held_words; walk 26)
CROPS_AND_FLIPS = ("crop_min", "flip_p", "local_crops")
NO_NEGATIVES = ("byol", "simsiam", "dino")  # methods kept from collapse by an asymmetry alone
AFTER_COLLAPSE = ("batch_too_large",)  # rules still read after a collapse: about the data, not the embedding
COLLAPSED = ("collapse", "too_few_steps")  # advice on an embedding too collapsed (or too young) to read further


@dataclass(frozen=True)
class Measured:
    """What a rule may read about one run."""

    config: TrainConfig
    images: int  # images in its dataset
    classes: int  # label classes; 0 without labels
    series: Series  # the engine's stored metrics (loss every step, monitor metrics every monitor_every)
    shortcut: dict | None  # shortcut.shortcut_check of its last checkpoint, None if not measured
    # (name, config, judged without labels) of the newest finished run of the CPU default on the same dataset whose
    # verdict is not "learned", if any
    default_flat: tuple[str, TrainConfig, bool] | None = None
    failure: str | None = None  # the message of a run that failed (its jobs row), None for any other run
    steps: int | None = None  # the steps it made (its jobs row); None: as many as its losses logged
    images_per_s: float | None = None  # its whole-run pace (its jobs row), as the Train page's pace note reads it


@dataclass(frozen=True)
class Advice:
    rule: str  # diverged, collapse, too_few_steps, batch_too_large, colour_shortcut, brightness_shortcut,
    # background_shortcut, background_swap, flat_from_start, loss_still_falling
    evidence: str  # the measurement that triggered it, with its numbers
    advice: str  # what to do and why, in plain words
    change: dict[str, Any]  # TrainConfig fields to set
    label_free: bool = False  # read without labels (flat_from_start on pixel_shared): labels elsewhere may overrule it

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "evidence": self.evidence, "advice": self.advice, "change": self.change}


def recipe_dict(config: TrainConfig) -> dict[str, Any]:
    """The run's recipe in full (its method's default when the config names none)."""
    return config.resolved_recipe().to_dict()


def diverged(m: Measured) -> Advice | None:
    """The run failed as its loss, weights or features became NaN or inf (the engine's
    NON_FINITE_STOP), as steps too large make them. Fix: the method's default learning rate
    where the run's was above it, else a tenth of it (walk 25: lr 1e12, a NaN loss at step 2,
    and no advice)."""
    if not m.failure or NON_FINITE_STOP not in m.failure:
        return None
    method = METHODS[m.config.method]
    lr, default = m.config.resolved_lr(), method.default_lr
    above, name = lr > default, method.title or method.__name__
    cut = default if above else float(f"{lr / LR_DIVERGED:.2g}")
    what = m.failure.split(f"; {NON_FINITE_STOP}")[0]
    return Advice("diverged", f"The run failed: {what}, at a learning rate of {lr:.2g}.",
                  "The run's numbers grew past what a float holds (NaN or infinity), as they do when its steps are "
                  "too large. Train again with "
                  + (f"{name}'s default learning rate" if above else "a tenth of the learning rate")
                  + f" ({lr:.2g} -> {cut:.2g}).",
                  {"lr": cut})


def collapse(m: Measured) -> Advice | None:
    """The encoder or projection collapsed (`fallen`). Fix: a third of the learning rate; in a
    run of fewer than MIN_LOSS_STEPS steps whose effective rank was still climbing (`climbing`),
    a budget of about that many steps instead."""
    fallen = _fallen(m)
    if fallen is None:
        return None
    part, evidence = fallen
    if rose := climbing(m):
        return rose
    method = m.config.method
    cause = (f"{method} keeps its outputs apart by an asymmetry alone (no negatives); a learning rate too high "
             f"lets the two branches agree by mapping every image to the same point"
             if method in NO_NEGATIVES else
             f"{method}'s loss should keep the features spread; when they still fall together, the steps are "
             f"too large for it")
    lr = m.config.resolved_lr()
    cut = float(f"{lr / LR_CUT:.2g}")  # as the advice says it: 0.0033, not 0.0033333333333333335
    return Advice("collapse", evidence,
                  f"The {part} collapsed: {cause}.{uniform_outputs(m)} Train again with a third of the learning rate "
                  f"({lr:.2g} -> {cut:.2g}).",
                  {"lr": cut})


def climbing(m: Measured) -> Advice | None:
    """A run of fewer than MIN_LOSS_STEPS steps whose encoder's effective rank rose to CLIMBING
    times its measurement before or more at its last: still coming out of the dip a network's
    first steps make (the default on shapes: about 1 at step 1, 13-14 by step 25), which so few
    steps cannot tell from a collapse. Walk 27: a 12-step ResNet-18 run (1.65 at step 3, 13.5 at
    step 12, its twin's 164) was told to cut its learning rate. Fix: a budget of about
    MIN_LOSS_STEPS steps at the run's pace."""
    steps = _steps(m)
    if "effective_rank" not in m.series or not 0 < steps < MIN_LOSS_STEPS:
        return None
    at, ranks = m.series["effective_rank"]
    if len(ranks) < 2 or ranks[-1] < CLIMBING * ranks[-2]:
        return None
    return _about_enough_steps(
        m, f"The encoder's effective rank rose from {ranks[-2]:.3g} at step {at[-2]} to {ranks[-1]:.3g} at step "
           f"{at[-1]}, the last of the run's {counted(steps, 'steps')}.",
        f"The run ended while its effective rank still climbed out of the dip a network's first steps make: "
        f"{counted(steps, 'steps')} {agreeing(steps, 'is', 'are')} too few to tell that dip from a collapse, "
        "or to learn much.")


def few_steps(m: Measured) -> Advice | None:
    """A run of fewer than MIN_LOSS_STEPS steps that did not collapse: too few to learn much, or
    for a cue its embedding groups by to be told from its starting weights' (walk 29: 2 steps of
    a ResNet-18 at 1.6 images/s were told to strengthen grayscale for a colour shortcut; walk 30:
    a run of 0.3 minutes whose first step had not ended made none, and was told so too). Fix: a
    budget of about MIN_LOSS_STEPS steps at the run's pace; read after it, no cue is advised on."""
    steps = _steps(m)
    if steps >= MIN_LOSS_STEPS or _fallen(m) is not None or m.failure:  # a failure is short for its own reason
        return None
    budget, now = m.config.budget()
    if steps == 0:
        if m.steps != 0:  # no step counted, no loss logged: nothing said of its steps
            return None
        longer = _up(now * MIN_LOSS_STEPS)
        return Advice("too_few_steps", f"The run made no step in its {now:g} {noun(now, budget)}: its first step "
                                       "had not ended when its budget did.",
                      f"A run that made no step holds its starting weights: it learned nothing, and what its "
                      f"embedding groups by is theirs. Train again with at least {MIN_LOSS_STEPS} times the budget "
                      f"({now:g} -> {longer:g} {budget}), for about {MIN_LOSS_STEPS} steps.",
                      {budget: longer})
    return _about_enough_steps(
        m, f"The run made {counted(steps, 'steps')} in its {now:g} {noun(now, budget)}, fewer than the "
           f"{MIN_LOSS_STEPS} the rules that read what a run learned need.",
        f"{counted(steps, 'steps').capitalize()} {agreeing(steps, 'is', 'are')} too few to learn much, or to tell "
        "what the embedding groups by from what its starting weights grouped by.")


def _steps(m: Measured) -> int:
    """The steps the run made: its row's count where given, else its losses, logged every step."""
    return m.steps if m.steps is not None else len(m.series["loss"][1]) if "loss" in m.series else 0


def steps_a_minute(images_per_s: float, batch: int) -> float:
    """Steps of `batch` a minute at a whole-run pace of `images_per_s`: the one pace both the
    Train page's note (steps a budget holds) and the advice (a budget for steps) read."""
    return 60 * images_per_s / batch


def minutes_for(steps: int, images_per_s: float, batch: int) -> float:
    """Minutes that hold `steps` steps of `batch` at a whole-run pace of `images_per_s`, rounded
    up to two digits, so the budget advised is one the Train page's note does not call too short
    (walk 30: '1 -> 20 minutes' at 2 steps a minute, and the note under it: '20 minutes hold
    about 30 steps' at 1.6 images/s)."""
    return _up(steps / steps_a_minute(images_per_s, batch))


def _up(value: float) -> float:
    """`value` rounded up to two significant digits (26.7 -> 27, 5.0 -> 5.0)."""
    step = 10 ** (math.floor(math.log10(value)) - 1)
    return float(f"{math.ceil(value / step - 1e-9) * step:.2g}")


def _about_enough_steps(m: Measured, evidence: str, why: str) -> Advice:
    """too_few_steps: `why`, then a budget of about MIN_LOSS_STEPS steps at the run's pace (its
    images a second for a minutes budget, where measured; else its steps per unit of budget)."""
    budget, now = m.config.budget()
    paced = budget == "minutes" and m.images_per_s
    longer = (minutes_for(MIN_LOSS_STEPS, m.images_per_s, min(m.config.batch_size, m.images))
              if paced else _up(now * MIN_LOSS_STEPS / _steps(m)))
    # walk 31: '1 step in its 0.2 minutes' then '0.2 -> 16 minutes' read as 8 minutes' worth: the pace is said
    rate = f"{pace(m.images_per_s)} images/s over its whole run, start-up included: " if paced else ""
    return Advice("too_few_steps", evidence,
                  f"{why} Train again with a budget of about {MIN_LOSS_STEPS} steps at this run's pace ({rate}{now:g} "
                  f"-> {longer:g} {budget}).",
                  {budget: longer})


def _fallen(m: Measured) -> tuple[str, str] | None:
    """(part, evidence) of the first health metric of the last monitor that collapsed: below
    COLLAPSE_FALL of its best (the engine's collapse warning: embedding_std or effective_rank
    of the encoder, output_std of the projection BYOL and SimSiam compare), or the encoder's
    effective rank below COLLAPSED_RANK of its untrained twin's at its last
    LOW_RANK_MEASUREMENTS measurements (what the verdict calls collapsed; a collapse within
    the first step has no better best to fall from)."""
    for name, part in (("output_std", "projection"), ("embedding_std", "encoder"), ("effective_rank", "encoder")):
        if name not in m.series:
            continue
        steps, values = m.series[name]
        best = int(np.argmax(values))
        if values[-1] < COLLAPSE_FALL * values[best]:
            return part, (f"The {part}'s {name.replace('_', ' ')} fell to {values[-1]:.3g} at step {steps[-1]}, "
                          f"{values[-1] / values[best]:.0%} of its best {values[best]:.3g} (step {steps[best]}); "
                          f"below {COLLAPSE_FALL:.0%} of its best counts as collapse.")
    twin, whose = rank_reference({name: float(values[-1]) for name, (_, values) in m.series.items()})
    if "effective_rank" in m.series and twin:  # a run from other weights: against theirs (walk 23)
        steps, values = m.series["effective_rank"]
        if len(values) >= LOW_RANK_MEASUREMENTS and (values[-LOW_RANK_MEASUREMENTS:] < COLLAPSED_RANK * twin).all():
            return "encoder", (f"The encoder's effective rank is {values[-1]:.3g} at step {steps[-1]}, "
                               f"{below_twin(values[-1], twin, whose)}.")
    return None


def batch_for(images: int, wanted: int = TrainConfig.batch_size) -> int:
    """`wanted` where one pass over `images` is at least MIN_STEPS_PER_PASS steps of it (the
    engine's batch is at most the images), else the largest of the Train page's BATCHES
    that makes that many, else the smallest where it makes more steps than `wanted` (a tiny
    set: `wanted`, when no batch makes more)."""
    steps = images // min(wanted, images)
    if steps >= MIN_STEPS_PER_PASS:
        return wanted
    smaller = max([b for b in BATCHES if images // b >= MIN_STEPS_PER_PASS] or [BATCHES[0]])
    return smaller if images // smaller > steps else wanted


def batch_too_large(m: Measured) -> Advice | None:
    """Fewer than MIN_STEPS_PER_PASS steps per pass over the data: `batch_for` the data (none
    when no batch gives more steps than now: a tiny set)."""
    batch = min(m.config.batch_size, m.images)  # the engine's batch: at most the images
    per_pass = m.images // batch
    smaller = batch_for(m.images, batch)
    if smaller == batch:
        return None
    most = ("" if m.images // smaller >= MIN_STEPS_PER_PASS else
            f", the most the Train page's smallest batch makes of {m.images} images")
    return Advice("batch_too_large",
                  f"{m.images} images at batch {batch}: one pass over the data is {counted(per_pass, 'steps')}, fewer "
                  f"than {MIN_STEPS_PER_PASS}.",
                  f"Too few images for this batch: the network is updated only {counted(per_pass, 'times')} "
                  f"per pass over the data. Train again at batch {smaller} ({m.images // smaller} steps per "
                  f"pass{most}).",
                  {"batch_size": smaller})


def stronger(recipe: dict[str, Any], cue: str, level: str) -> dict[str, Any]:
    """The recipe's fields CUE_FIELDS names for `cue`, raised to their value at `level`
    (some or most) where the recipe has them and is below it: {field: new value}."""
    column = 2 if level == "most" else 1
    return {spec[0]: spec[column] for spec in CUE_FIELDS[cue] if spec[0] in recipe and recipe[spec[0]] < spec[column]}


def background_texture(check: dict) -> dict:
    """The shortcut `check`'s background texture score where it reaches some or more beside the cue named, so that
    a colour or brightness named may be the background's; else {}."""
    texture = (check.get("scores") or {}).get("background_texture") or {}
    return texture if texture.get("level") in ("some", "most") else {}


def colour_or_brightness(m: Measured) -> Advice | None:
    """The shortcut check names colour or brightness: that augmentation, stronger (CUE_FIELDS)."""
    check = m.shortcut
    if not check or check.get("cue") not in CUE_FIELDS:
        return None
    cue, recipe = check["cue"], recipe_dict(m.config)
    raised = stronger(recipe, cue, check["level"])
    if not raised:  # the recipe has no such augmentation, or it is already at its strongest
        return None
    amounts = ", ".join(f"{name.replace('_', ' ')} {recipe[name]:g} -> {value:g}" for name, value in raised.items())
    what = ("stronger grayscale" if cue == "colour" else "brightness and contrast jitter on more views (no stronger "
            "than SimCLR's strength 1: stronger jitter blanks whole views of light pictures)")
    labelled = any(score and score.get("by_class") is not None for score in check.get("scores", {}).values())
    # walk 40: 'colour says little of what an image shows', without labels, of satellite tiles whose land cover
    # colour told apart; with labels the check scores a cue beyond what the classes share
    lead = (f"The encoder puts images of like {cue} near each other, and {cue} says little of what an image shows. "
            "Train" if labelled else
            f"The encoder puts images of like {cue} near each other. Without labels the check cannot tell whether "
            f"{cue} is a shortcut or what tells these images apart (land cover, a stain). Where it is a shortcut, "
            "train")
    split = check.get("grey_split")  # walk 41: night frames apart from day ones, behind a brightness cue, unsaid
    texture = background_texture(check)
    # walks 46 and 48: photos on a white or a dark table; jitter on every view left brightness at 0.67 and 0.68
    background = (f" The background's texture scores {texture['level']} too ({texture['score']:.2f}): where the "
                  f"{cue} is the background's (a white or a dark table), more jitter left it in place on two such "
                  f"sets of photos (brightness 0.67 and 0.68 before and after); the background swap advised once this "
                  f"is held moved it on one (0.67 to 0.59)." if texture else "")
    return Advice(f"{cue}_shortcut",
                  f"Shortcut check: {check['words'].split(' Try ')[0]}"  # its numbers are in its words
                  + (f" {grey_split_words(split)}" if kept_apart(split) else ""),
                  f"{lead} again with {what} in the run's recipe ({recipe['name']}), so that two views of an image "
                  f"differ in {cue} and cannot be matched by it: {amounts}."
                  + background + ("" if labelled else f" Where {cue} tells them apart, keep the recipe."),
                  {"recipe": recipe_from_dict({**recipe, **raised}).to_dict()})


def on_the_object(recipe: dict[str, Any]) -> dict[str, float]:
    """The fields of ON_THE_OBJECT that `recipe` has and differs in: {field: new value}."""
    return {name: value for name, value in ON_THE_OBJECT.items() if name in recipe and recipe[name] != value}


def fix_held(recipe: dict[str, Any], cue: str | None, level: str | None) -> str:
    """Where `recipe` (Recipe.to_dict()) already holds what the advice would change for the
    shortcut check's `cue` at `level` (colour, brightness: CUE_FIELDS; the background:
    ON_THE_OBJECT), those fields in words ('salient crop p 0.8, no blur'); empty where the
    advice would change something, the recipe lacks a field, or the cue has none (layout,
    position)."""
    if cue in CUE_FIELDS:
        fields, changed = [spec[0] for spec in CUE_FIELDS[cue]], stronger(recipe, cue, level or "some")
    elif cue in BACKGROUND_CUES:
        fields, changed = list(ON_THE_OBJECT), on_the_object(recipe)
    else:
        return ""
    if changed or not all(name in recipe for name in fields):
        return ""
    return ", ".join(f"no {name.removesuffix('_p').replace('_', ' ')}" if name.endswith("_p") and not recipe[name]
                     else f"{name.replace('_', ' ')} {recipe[name]:g}" for name in fields)  # walk 17 read "blur p 0"


def fix_lacking(recipe: dict[str, Any], cue: str | None) -> str:
    """The fields the fix of `cue` changes (CUE_FIELDS, ON_THE_OBJECT) that `recipe` lacks, in
    backticks ('`gray_p`'); empty where it has them all or the cue's fix needs none (walk 21: an
    MAE run, one masked view and no colour changes, was told to raise its `gray_p`)."""
    fields = ([spec[0] for spec in CUE_FIELDS[cue]] if cue in CUE_FIELDS else
              list(ON_THE_OBJECT) if cue in BACKGROUND_CUES else [])
    return ", ".join(f"`{name}`" for name in fields if name not in recipe)


def background(m: Measured) -> Advice | None:
    """The shortcut check names the background: views centred on the object, without blur
    (ON_THE_OBJECT), where the recipe has those fields and differs."""
    check = m.shortcut
    if not check or check.get("cue") not in BACKGROUND_CUES:
        return None
    recipe = recipe_dict(m.config)
    change = on_the_object(recipe)
    if not change:  # the recipe has no such fields, or is there already
        return None
    amounts = ", ".join(f"{name.replace('_', ' ')} {recipe[name]:g} -> {value:g}" for name, value in change.items())
    return Advice("background_shortcut", f"Shortcut check: {check['words'].split(' Try ')[0]}",
                  f"The encoder puts images with like backgrounds near each other, not by what sits on them. Train "
                  f"again with crops centred where the picture stands out and no blur (blur erases a small object; "
                  f"{amounts}): on the built-in clutter_shapes (small objects on photos) that took kNN accuracy "
                  f"from 0.239 to 0.366 in the same 5 CPU minutes (untrained 0.214).",
                  {"recipe": recipe_from_dict({**recipe, **change}).to_dict()})


SWAP = {"swap_background_p": 0.5}  # the background taken from another picture of the batch in half the views
# walk 46: 400 product photos on white or wood; its default run grouped them by background (95% of a photo's 10 nearest
# on its kind, the untrained network's 90%), the check named brightness (0.67, background texture 0.57); the advised
# jitter on every view left brightness at 0.67 (kNN 69.3%, probe 80.5%, 5-fold). That run again with SWAP (3 minutes,
# `train --advice`): 88% on its kind, brightness 0.59 (some), texture 0.36, kNN 66.0%, probe 74.2%; at 2 CPU minutes
# from the default's recipe 89% and kNN 74.3% against 95% and 76.5%, a swap in every view 91% and 61.0%. Not where the
# check names the background's texture or scene, whose fix the default holds: there the backgrounds are busy photos,
# where what stands out is often not the object, and a swap took clutter_shapes' kNN from 0.230 to 0.186 (README)


def background_swap(m: Measured) -> Advice | None:
    """The shortcut check names colour or brightness (CUE_FIELDS), the recipe already holds that fix (fix_held),
    and background texture scores some or more beside it, so the colour or brightness may be the background's:
    the background swapped in half the views (SWAP), where the recipe has the field at 0 (walk 46 was told there
    was no change to advise)."""
    check = m.shortcut
    if not check or check.get("cue") not in CUE_FIELDS:
        return None
    recipe = recipe_dict(m.config)
    held = fix_held(recipe, check["cue"], check["level"])
    texture = background_texture(check)
    if not held or recipe.get("swap_background_p") != 0 or not texture:
        return None
    return Advice("background_swap", f"Shortcut check: {check['words'].split(' Try ')[0]}",  # it says `held`
                  f"The background's texture scores {texture['level']} too ({texture['score']:.2f}), so the "
                  f"{check['cue']} it groups by may be the background's. Train again with the background around "
                  f"what stands out taken from another picture of the batch in half the views (swap background p 0 -> "
                  f"{SWAP['swap_background_p']:g}; Ryali et al. 2021), so that two views of an image share the "
                  f"object and not the background. It trades some accuracy for that: on 400 product photos on "
                  f"white or wood (walk 46), a photo's 10 nearest shared its background 95% of the time before and "
                  f"88% after (the untrained network's 90%), brightness fell from 0.67 to 0.59, and kNN accuracy "
                  f"from 69.3% to 66.0%. Where what stands out is not the object (small objects on busy photos), the "
                  f"swap pastes the wrong part: on clutter_shapes it took kNN from 0.230 to 0.186.",
                  {"recipe": recipe_from_dict({**recipe, **SWAP}).to_dict()})


# name: (its untrained baseline, the sign of learning)
FLAT = {"knn_accuracy": ("knn_untrained", 1), "pixel_shared": ("pixel_shared_untrained", -1)}


def coarse_probe(series: Series) -> str | None:
    """Why the online measure cannot judge a flat curve: a kNN probe so small that noise alone
    moves it by verdict.COARSE or more (walk 13: 18 labelled images, 44.8 points, and "Nothing
    was learned at any point of the run"), or without labels, too few images for any run to
    be called learned (verdict.too_few_for_neighbours: 5 images); None otherwise."""
    if "probe_size" not in series:
        return None
    probe = int(series["probe_size"][1][-1])
    if "pixel_shared_untrained" in series:
        return too_few_for_neighbours(probe, float(series["pixel_shared_untrained"][1][-1]))
    if not {"knn_accuracy", "knn_untrained"} <= set(series):
        return None
    noise = coarse(float(series["knn_accuracy"][1][-1]), float(series["knn_untrained"][1][-1]), probe)
    return noise and (f"{counted(probe, 'labelled images')}: noise alone could move kNN accuracy by "
                      f"{100 * noise:.1f} points")


def flat_unjudged(series: Series) -> str | None:
    """Why the flat-curve rule cannot judge a run's `series`: a `coarse_probe`, or one class
    holding half the probe or more (MAJORITY), whose share kNN accuracy stays near whatever the
    encoder learns of the others (walk 10: 200 images of one class among seven of 5 stayed at
    85.1% and were told to drop the local crops); said where no rule fired (walk 15: the leaves'
    oak held 53% and the rule stood aside unsaid); None where it can judge."""
    if reason := coarse_probe(series):
        return reason
    if "knn_accuracy" in series and MAJORITY in series and (largest := float(series[MAJORITY][1][-1])) >= HALF:
        probe = f" of the {int(series['probe_size'][1][-1]):,} labelled images" if "probe_size" in series else ""
        return (f"the largest class holds {largest:.0%}{probe}: a kNN curve near that share cannot tell an encoder "
                "that learned nothing from one that learned the other classes")  # walk 17: 'stays near that share
        # whatever the encoder learns' under 81.8% against 63.6%
    return None


def learned_by_probe(series: Series, classes: int) -> bool:
    """Whether the run's verdict on its last metrics is learned: with a flat kNN curve, only by its linear probe
    (verdict.by_probe), and no flat curve is then told 'Nothing was learned' (walk 33)."""
    return ONLINE_PROBE[0] in series and from_metrics(latest(series), classes).code == LEARNED


def flat_from_start(m: Measured) -> Advice | None:
    """Every online measurement of the verdict's metric (kNN accuracy with labels, else the
    neighbours shared with raw pixels) stayed within noise (verdict.margin) of the untrained
    network's, over at least MIN_MEASUREMENTS: a different recipe, or the CPU default. Not
    where it cannot judge (`flat_unjudged`: a coarse probe, a class of half the probe)."""
    if flat_unjudged(m.series) or learned_by_probe(m.series, m.classes):
        return None
    for name, (baseline, sign) in FLAT.items():
        if name not in m.series or baseline not in m.series:
            continue
        steps, values = m.series[name]
        untrained = float(m.series[baseline][1][-1])
        probe = int(m.series["probe_size"][1][-1]) if "probe_size" in m.series else 1000
        largest = float(m.series[MAJORITY][1][-1]) if sign > 0 and MAJORITY in m.series else None
        least, chance = floor(largest, m.classes) if m.classes else ("chance", 0.0)
        bar = max(untrained, chance) if sign > 0 and m.classes else untrained
        best = float(values.max() if sign > 0 else values.min())
        spread = KNN_SPREAD if name == "knn_accuracy" else 1.0
        noise = margin(best, bar, probe, spread)
        if len(values) < MIN_MEASUREMENTS or sign * (best - bar) > noise:
            return None
        if sign > 0 and no_room(bar, probe) is not None:  # no score could show a gain (the verdict says so)
            return None
        change, what = _next_try(m)
        label = "online kNN accuracy" if name == "knn_accuracy" else "share of neighbours shared with raw pixels"
        worst = float(values.min() if sign > 0 else values.max())  # walk 18: 40.0% read as "never beyond" 66.7%
        fell = sign * (untrained - worst) > margin(worst, untrained, probe, spread)
        needed = needed_gain(bar, probe, spread, sign)  # the score that passes, as the verdict says it
        passing = round(100 * bar, 1) + sign * round(100 * needed, 1)  # of the rounded numbers the sentence shows
        return Advice("flat_from_start",
                      f"The {label} stayed between {values.min():.1%} and {values.max():.1%} over its {len(values)} "
                      f"measurements (steps {steps[0]} to {steps[-1]}); its {'best' if sign > 0 else 'lowest'}, "
                      f"{best:.1%}, did not pass {passing:.1f}%: "  # walk 22 misread "never above ... by more than"
                      + (f"{least} ({bar:.1%}; the untrained network on the same probe: {untrained:.1%})"
                         if bar > untrained else f"the untrained network's {untrained:.1%} on the same probe")
                      + f" {'plus' if sign > 0 else 'less'} the {100 * needed:.1f} points that noise alone could give "
                        f"there.",
                      (f"Its online kNN check saw nothing learned at any point of the run's {steps[-1]} steps"
                       if name == "knn_accuracy"  # walk 33: beside Evaluate's verdict by the linear probe
                       else f"Its neighbours stayed as near the pixels' as the untrained network's at every point of "
                            f"the run's {steps[-1]} steps (without labels only this is read: what the pixels already "
                            f"group does not show)")  # walk 20: 'Nothing was learned' of frames it grouped by scene
                      + (_fell_words(steps, values, worst) if fell else "") + f".{uniform_outputs(m)} Try {what}.",
                      change, label_free=name != "knn_accuracy")
    return None


def uniform_outputs(m: Measured) -> str:
    """Where a DINO run's loss over the last quarter of its steps sat within UNIFORM_NEAR of
    ln OUTPUT_DIM, the words that name why ("" elsewhere): a student that spreads every image
    evenly over its head's outputs has exactly that loss, whatever its teacher says (walk 39: a
    DINO run settled at 6.933 beside ln 1024 = 6.931, and nothing named it)."""
    if m.config.method != "dino" or "loss" not in m.series or len(m.series["loss"][1]) < MIN_LOSS_STEPS:
        return ""
    values = m.series["loss"][1]
    last, uniform = float(values[-(len(values) // 4):].mean()), math.log(OUTPUT_DIM)
    if abs(last - uniform) > UNIFORM_NEAR * uniform:
        return ""
    return (f" Its loss sat at {last:.3f} over the last quarter of its steps, beside ln {OUTPUT_DIM:,} = "
            f"{uniform:.3f}: the loss of a student that spreads every image evenly over its head's {OUTPUT_DIM:,} "
            f"outputs, which then tell no image from another (DINO's uniform collapse, Caron et al. 2021).")


def _fell_words(steps, values, worst: float) -> str:
    """Where a run's kNN curve (`steps`, `values`) fell below the untrained network's by more than noise: when,
    and where it ended. Walk 33: "..., and it fell to 24.7%, worse than the untrained network" read as the end
    of a run whose one dip came at step 40 and which ended at 45.4%, above the untrained network's 37.8%."""
    at = int(steps[list(values).index(worst)])
    if at == steps[-1]:
        return f", and it ended at {worst:.1%}, worse than the untrained network"
    return f"; at step {at} it fell to {worst:.1%}, worse than the untrained network, and it ended at {values[-1]:.1%}"


def _next_try(m: Measured, whose: str = "now") -> tuple[dict[str, Any], str]:
    """(change, its words) after a flat run: the CPU default; for the default run shorter than
    the TUNED_MINUTES it was tuned for, those minutes (`whose` says whose minutes the run's are); else its two
    views alone. Where a run of the CPU default on the same pictures showed no gain either (`m.default_flat`),
    the try after that one (walk 21: a flat BYOL run was told to try the default beside its flat run; walk 37 read
    that run's "(0.5 now)" as its own 1.5 minutes)."""
    method, recipe = m.config.method, recipe_dict(m.config)
    if (method, recipe["name"]) != CPU_DEFAULT and m.default_flat is not None:
        name, tried, label_free = m.default_flat
        change, what = _next_try(replace(m, config=tried, default_flat=None), whose=f"in {name}")
        lr = tried.lr if tried.lr is not None else METHODS[tried.method].default_lr
        setting = {"method": tried.method, "recipe": recipe_dict(tried), "lr": lr, "encoder": tried.encoder}
        # walk 39: 'which learned nothing on these pictures either' of a run whose gain its label-free check did not
        # show, and whose linear probe on a labelled copy read 100.0% against the untrained network's 73.3%
        showed = ("whose gain did not show without labels either (its neighbours stayed as near the pixels' as the "
                  "untrained network's; labels may show one)" if label_free else
                  "whose online kNN check showed no gain on these pictures either")
        return setting | change, f"the CPU default as {name} ran it, {showed}, with one change to that run: {what}"
    if (method, recipe["name"]) != CPU_DEFAULT or not recipe.get("local_crops"):  # already without: the default
        change = {"method": CPU_DEFAULT[0], "recipe": make_recipe(CPU_DEFAULT[1]).to_dict(),
                  "lr": METHODS[CPU_DEFAULT[0]].default_lr}  # said, not None (walk 18: `advise` read "lr": null)
        if METHODS[CPU_DEFAULT[0]].encoders and m.config.encoder not in METHODS[CPU_DEFAULT[0]].encoders:
            change["encoder"] = METHODS[CPU_DEFAULT[0]].encoders[0]
        return change, (f"the CPU default ({CPU_DEFAULT[0]} with the {CPU_DEFAULT[1]} recipe), the setting that "
                        f"learned most on the built-in sets in a CPU's minutes (README, bench/tune.py)")
    if m.config.minutes is not None and m.config.minutes < TUNED_MINUTES:
        return {"minutes": TUNED_MINUTES}, (
            f"the same setting for the {TUNED_MINUTES:g} minutes it was tuned for ({m.config.minutes:g} {whose}): "
            f"in {TUNED_MINUTES:g} minutes it learned a set the tuning never saw, 450 pictures of the letters A, H "
            f"and O at random places on striped noise (kNN accuracy 53% to 60% against the untrained network's 31% "
            f"to 32%; README, bench/letters.py), on which 1 minute stayed within noise")
    # its two views alone: 1.3x the steps in the same minutes (at batch 128 about 860 against 610-650 in
    # 5 CPU minutes at 32 px, bench/tune.py), and a cue that small local crops miss is in both views
    return {"recipe": recipe_from_dict({**recipe, "local_crops": 0}).to_dict()}, (
        "the same recipe without its small local crops (local_crops 0): the same two views, about 1.3 times the "
        "steps in the same minutes, and what a small crop misses is still in both views")


def loss_still_falling(m: Measured) -> Advice | None:
    """The loss's mean over the last quarter of the steps is below the third quarter's by
    more than twice the standard error of the difference and by LOSS_SHARE of the fall
    since the first quarter: twice the budget."""
    if "loss" not in m.series or len(m.series["loss"][1]) < MIN_LOSS_STEPS:
        return None
    steps, values = m.series["loss"]
    quarter = len(values) // 4
    first, third, last = values[:quarter], values[-2 * quarter : -quarter], values[-quarter:]
    fall, whole = third.mean() - last.mean(), first.mean() - last.mean()
    noise = 2 * math.sqrt((third.var() + last.var()) / quarter)
    if fall <= noise or whole <= 0 or fall < LOSS_SHARE * whole:
        return None
    budget, now = m.config.budget()
    return Advice("loss_still_falling",
                  f"The loss still fell in the last quarter of the run: mean {third.mean():.4f} over steps "
                  f"{steps[-2 * quarter]}-{steps[-quarter - 1]}, {last.mean():.4f} over steps {steps[-quarter]}-"
                  f"{steps[-1]}, a fall of {fall:.4f} ({fall / whole:.0%} of its fall since the first quarter; "
                  f"noise {noise:.4f}).",
                  f"The run stopped while its loss still fell: it was still learning its task. Train again with "
                  f"twice the budget ({now:g} -> {2 * now:g} {budget}).",
                  {budget: 2 * now})


RULES: dict[str, Callable[[Measured], Advice | None]] = {
    "diverged": diverged,  # a run that failed so: whatever else it measured came before the numbers broke
    # the batch first: a run of 1-3 steps per pass barely trained, and its rank may still sit low after its
    # first steps (48 noise images, 2 steps: 1.37 against the twin's 7.21), which the collapse rule reads
    "batch_too_large": batch_too_large,
    "collapse": collapse,
    "too_few_steps": few_steps,  # after a collapse, which it leaves to its rule; before the cues, which it holds back
    # before the cues: a network that learned nothing groups by colour as an untrained one does, so
    # its "shortcut" was not learned (clutter_shapes, paper's recipe: flat, and the check named colour)
    "flat_from_start": flat_from_start,
    "shortcut": colour_or_brightness,
    "background": background,
    "background_swap": background_swap,  # after the shortcut rule: only where its fix is held
    "loss_still_falling": loss_still_falling,
}


WHOLE_BUDGET = ("flat_from_start", "loss_still_falling", "too_few_steps")  # rules that judge what a run did with its
# whole budget


BUDGETS = ("minutes", "epochs")  # the TrainConfig fields of a budget


def advise(m: Measured) -> list[Advice]:
    """Every rule that fires on `m`, most basic first (RULES order); after a collapse only
    AFTER_COLLAPSE (a cue, a flat curve or a falling loss read from a collapsed embedding
    says nothing about what the run learned). A budget change is said once, by the first
    rule that makes one (walk 10: a 0.3-minute default run was told both "the 5 minutes it
    was tuned for" and "twice the budget (0.3 -> 0.6 minutes)")."""
    fired = [advice for rule in RULES.values() if (advice := rule(m)) is not None]
    if any(advice.rule in COLLAPSED for advice in fired):
        return [advice for advice in fired if advice.rule in (*COLLAPSED, *AFTER_COLLAPSE)]
    budgeted = [advice for advice in fired if set(advice.change) & set(BUDGETS)]
    return [advice for advice in fired if advice not in budgeted[1:]]


def apply(config: TrainConfig, advice: Advice) -> TrainConfig:
    """`config` with the advice's change: same dataset, seed and budget unless it changes them."""
    return replace(config, **advice.change)


def too_short(series: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, str]:
    """The rules a run's metric `series` are too short to judge, each with why: {rule name:
    '18 loss values logged; it needs 40'}. A short run passes them without being checked."""
    out = {}
    losses = len(series["loss"][1]) if "loss" in series else 0
    if losses < MIN_LOSS_STEPS:
        out["loss_still_falling"] = f"{counted(losses, 'loss values')} logged; it needs {MIN_LOSS_STEPS}"
    measured = max((len(series[name][1]) for name in FLAT if name in series), default=0)
    if measured < MIN_MEASUREMENTS:
        out["flat_from_start"] = f"{counted(measured, 'online measurements')}; it needs {MIN_MEASUREMENTS}"
    return out
