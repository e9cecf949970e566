"""Advice rules (evaluate/advice.py): each has a measurement that triggers it and one that
does not; the advice names the TrainConfig fields to change and quotes its numbers; the
CLI's `advise --run` and `train --advice` on a real run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ssl_core.augment import make_recipe
from ssl_core.engine import TrainConfig
from ssl_core.evaluate.advice import Measured, advise, apply, background, background_swap, batch_too_large, \
    collapse, coarse_probe, colour_or_brightness, diverged, flat_from_start, loss_still_falling, minutes_for
from tests.ssl_core.test_cli import cli

DEFAULT = TrainConfig(dataset="d", minutes=5.0)


def measured(config: TrainConfig = DEFAULT, images: int = 2000, classes: int = 5, shortcut: dict | None = None,
             **series: list[float]) -> Measured:
    """A Measured whose series are the given values at monitor steps 1, 25, 50, ... (loss:
    every step from 1)."""
    def steps(name: str, count: int) -> np.ndarray:
        return np.arange(1, count + 1) if name == "loss" else np.array([1] + [25 * i for i in range(1, count)])

    return Measured(config, images, classes, {name: (steps(name, len(v)), np.array(v, float))
                                              for name, v in series.items()}, shortcut)


def check(cue: str | None, level: str = "most", judged: float = 0.7) -> dict:
    """The fields of a shortcut check that the rules read."""
    return {"cue": cue, "level": level, "words": f"The embedding groups images by {cue}.",
            "scores": {cue: {"judged": judged}} if cue else {}}


def test_collapse_of_the_projection_cuts_the_learning_rate_for_that_method():
    byol = TrainConfig(dataset="d", method="byol", minutes=5.0)
    found = collapse(measured(byol, output_std=[0.82, 0.6, 0.22], embedding_std=[0.9, 0.9, 0.9]))
    assert found and found.rule == "collapse"
    assert found.change == {"lr": 0.00067}  # a third, to the two digits the advice says
    assert "projection" in found.evidence and "0.22" in found.evidence and "27%" in found.evidence
    assert "no negatives" in found.advice
    assert collapse(measured(byol, output_std=[0.82, 0.6, 0.5], embedding_std=[0.9, 0.8, 0.7])) is None


def test_collapse_of_the_encoder_is_named_the_encoder():
    found = collapse(measured(embedding_std=[0.9, 0.8, 0.1]))
    assert found and "encoder" in found.evidence and found.change == {"lr": 0.0033}


def test_a_short_run_climbing_out_of_its_first_steps_dip_is_told_to_train_longer_not_slower():
    """Walk 27: a 12-step ResNet-18 run, effective rank 4.9, 1.65, 13.5 against its twin's 164, was told to cut its
    learning rate. Its rank was climbing: a budget of about 40 steps instead; nothing read from its embedding."""
    short = TrainConfig(dataset="d", encoder="resnet18", minutes=1.5)
    young = measured(short, classes=0, loss=[7.0] * 12, effective_rank=[4.9, 1.65, 13.5],
                     effective_rank_untrained=[164.2], pixel_shared=[0.23, 0.141, 0.245],
                     pixel_shared_untrained=[0.259], probe_size=[361])
    found = advise(young)
    assert [(a.rule, a.change) for a in found] == [("too_few_steps", {"minutes": 5.0})]
    assert found[0].evidence == ("The encoder's effective rank rose from 1.65 at step 25 to 13.5 at step 50, the last "
                                 "of the run's 12 steps.")
    assert "(1.5 -> 5 minutes)" in found[0].advice
    falling = measured(short, classes=0, loss=[7.0] * 12, effective_rank=[4.9, 13.5, 1.65],
                       effective_rank_untrained=[164.2])
    assert [a.rule for a in advise(falling)] == ["collapse"]  # falling: a collapse, as before
    long = measured(short, classes=0, loss=[7.0] * 60, effective_rank=[4.9, 1.65, 13.5],
                    effective_rank_untrained=[164.2])
    assert [a.rule for a in advise(long)] == ["collapse"]  # 60 steps: past the first steps' dip


def test_a_run_of_a_few_steps_is_told_to_train_longer_not_to_change_its_recipe():
    """Walk 29: 2 steps of a ResNet-18 in a minute (1.6 images/s) were told to strengthen grayscale for the colour
    its embedding grouped by: its starting weights' grouping, so few steps on. A budget of about 40 steps instead."""
    walk = TrainConfig(dataset="d", encoder="resnet18", minutes=1.0)
    found = advise(measured(walk, shortcut=check("colour"), loss=[6.2, 6.1], embedding_std=[0.9]))
    assert [(a.rule, a.change) for a in found] == [("too_few_steps", {"minutes": 20.0})]  # 2 steps a minute
    assert found[0].evidence == ("The run made 2 steps in its 1 minute, fewer than the 40 the rules that read what a "
                                 "run learned need.")
    assert found[0].advice.startswith("2 steps are too few to learn much") and "(1 -> 20 minutes)" in found[0].advice
    one = advise(measured(walk, shortcut=check("colour"), loss=[6.2], embedding_std=[0.9]))  # walk 31: "1 step are"
    assert one[0].advice.startswith("1 step is too few to learn much")
    assert [a.rule for a in advise(measured(walk, shortcut=check("colour"), loss=[6.0] * 60))] == ["colour_shortcut"]
    # walk 30: at the pace the Train page's note reads (1.6 images/s, start-up included), 20 minutes hold 30 steps
    paced = replace(measured(walk, shortcut=check("colour"), loss=[6.2, 6.1]), steps=2, images_per_s=1.6)
    assert [(a.rule, a.change) for a in advise(paced)] == [("too_few_steps", {"minutes": 27.0})]  # 40.5 steps
    # walk 31: '1 step in its 0.2 minutes', then '(0.2 -> 16 minutes)', read as 8 minutes' worth: the pace is said
    assert "(1.6 images/s over its whole run, start-up included: 1 -> 27 minutes)" in advise(paced)[0].advice
    assert minutes_for(40, 1.6, 64) == 27.0 and minutes_for(40, 452.0, 256) == 0.38


def test_a_run_that_made_no_step_is_told_so_and_given_at_least_40_times_its_budget():
    """Walk 30: a 0.3-minute run of a ResNet-18 at 224 px made no step (its first took longer), ended "completed" with
    its starting weights, and was told to strengthen grayscale for the colour they grouped by."""
    none = replace(measured(TrainConfig(dataset="d", encoder="resnet18", minutes=0.3), shortcut=check("colour")),
                   steps=0)
    found = advise(none)
    assert [(a.rule, a.change) for a in found] == [("too_few_steps", {"minutes": 12.0})]
    assert found[0].evidence == ("The run made no step in its 0.3 minutes: its first step had not ended when its "
                                 "budget did.")
    assert "(0.3 -> 12 minutes), for about 40 steps" in found[0].advice
    assert [a.rule for a in advise(measured(shortcut=check("colour")))] == ["colour_shortcut"]  # no count: unsaid


def test_too_few_images_for_the_batch_gives_a_smaller_batch():
    found = batch_too_large(measured(images=200))
    assert found and found.change == {"batch_size": 32}  # 200 // 32 = 6 steps per pass
    assert "200 images at batch 64" in found.evidence and "3 steps" in found.evidence and "3 times per pass" in found.advice
    smallest = batch_too_large(measured(images=40))  # the smallest the page offers: more steps, not 4
    assert smallest.change == {"batch_size": 16}
    assert "(2 steps per pass, the most the Train page's smallest batch makes of 40 images)" in smallest.advice
    assert batch_too_large(measured(images=2000)) is None


def test_450_images_keep_the_batch_measured_best_for_them():
    """bench/tune.py on 450 images: batch 64 (7 steps per pass) beat 128 (3) and 32 (14)."""
    assert batch_too_large(measured(images=450)) is None  # the default, 64
    at_128 = batch_too_large(measured(replace(DEFAULT, batch_size=128), images=450))
    assert at_128 and at_128.change == {"batch_size": 64}


@pytest.mark.parametrize("level, expected", [("most", {"gray_p": 0.9}), ("some", {"gray_p": 0.8})])
def test_colour_shortcut_raises_grayscale_by_level(level, expected):
    found = colour_or_brightness(measured(shortcut=check("colour", level)))
    assert found and found.rule == "colour_shortcut"
    assert found.change == {"recipe": make_recipe("simclr_multicrop", **expected).to_dict()}
    assert "gray p 0.5 -> " in found.advice and "groups images by colour" in found.evidence
    assert "in the run's recipe (simclr_multicrop)" in found.advice  # walk 11's VICReg read "in the byol recipe"
    # what the check measured (neighbours alike in colour), not how training matched its views
    assert found.advice.startswith("The encoder puts images of like colour near each other")
    # the check's own sentence, whose numbers it already quotes ('(judged score 0.50: some)' repeated them)
    assert found.evidence == "Shortcut check: The embedding groups images by colour."


def test_without_labels_the_colour_advice_says_colour_may_be_what_tells_the_images_apart():
    """Walk 40: 'colour says little of what an image shows', with a button to train it away, on satellite tiles whose
    land cover their colour told apart; without labels the check cannot tell a cue from what the images show."""
    unlabelled = colour_or_brightness(measured(shortcut=check("colour")))
    assert "says little" not in unlabelled.advice
    assert unlabelled.advice.startswith("The encoder puts images of like colour near each other. Without labels the "
                                        "check cannot tell whether colour is a shortcut or what tells these images "
                                        "apart (land cover, a stain). Where it is a shortcut, train again with ")
    assert unlabelled.advice.endswith("gray p 0.5 -> 0.9. Where colour tells them apart, keep the recipe.")
    labelled = check("colour")
    labelled["scores"]["colour"]["by_class"] = 0.4  # scored beyond what the classes share
    said = colour_or_brightness(measured(shortcut=labelled)).advice
    assert said.startswith("The encoder puts images of like colour near each other, and colour says little of what an "
                           "image shows. Train again with ") and said.endswith("gray p 0.5 -> 0.9.")


def test_brightness_shortcut_jitters_more_views_not_harder():
    """Walk 18: strength 1.5 left 21% of the views of white-background photos blank (7% at 1)."""
    found = colour_or_brightness(measured(shortcut=check("brightness", "some")))
    assert found and found.rule == "brightness_shortcut"
    assert found.change["recipe"]["jitter_p"] == 0.9 and found.change["recipe"]["jitter_strength"] == 1.0
    assert found.change["recipe"]["gray_p"] == 0.5  # brightness jitter only
    assert "jitter p 0.8 -> 0.9." in found.advice and "stronger jitter blanks whole views" in found.advice
    mild = make_recipe("moco_v2").to_dict()  # strength 0.5: raised to SimCLR's 1
    raised = colour_or_brightness(measured(TrainConfig(dataset="d", minutes=5.0, recipe=mild),
                                           shortcut=check("brightness", "most")))
    assert raised and "jitter p 0.8 -> 1, jitter strength 0.5 -> 1." in raised.advice


def test_a_brightness_cue_beside_grey_pictures_kept_apart_says_so_in_its_evidence():
    """Walk 41: behind 'brightness (some)' the run kept 118 night infrared frames apart from 234
    daylight ones, and the Diagnosis, whose jitter did not change that, never said so."""
    split = {"grey": 118, "colour": 234, "k": 10, "grey_share": 0.9, "grey_chance": 0.33, "colour_share": 0.97,
             "colour_chance": 0.66}
    found = colour_or_brightness(measured(shortcut=check("brightness", "some") | {"grey_split": split}))
    assert found.evidence.endswith(" Grey or colour: 90% of a grey picture's 10 nearest neighbours are grey (33% were "
                                   "they drawn at random), and 97% of a colour picture's are in colour (66%), over the "
                                   "118 grey pictures and 234 in colour: the embedding keeps the grey pictures apart "
                                   "from the colour ones.")
    mixed = split | {"grey_share": 0.4}
    assert "Grey or colour" not in colour_or_brightness(measured(shortcut=check("brightness", "some")
                                                                 | {"grey_split": mixed})).evidence


@pytest.mark.parametrize("shortcut", [None, check(None), check("background_texture")])
def test_no_colour_or_brightness_cue_no_augmentation_advice(shortcut):
    assert colour_or_brightness(measured(shortcut=shortcut)) is None


def test_a_recipe_already_at_its_strongest_gets_no_colour_advice():
    strongest = make_recipe("simclr_small", gray_p=1.0).to_dict()
    config = TrainConfig(dataset="d", minutes=5.0, recipe=strongest)
    assert colour_or_brightness(measured(config, shortcut=check("colour"))) is None


@pytest.mark.parametrize("cue", ["background_texture", "background_scene"])
def test_a_background_shortcut_centres_the_crops_on_the_object_without_blur(cue):
    paper = TrainConfig(dataset="d", minutes=5.0, recipe=make_recipe("simclr").to_dict())  # blur, no salient crops
    found = background(measured(paper, shortcut=check(cue)))
    assert found and found.rule == "background_shortcut" and f"groups images by {cue}" in found.evidence
    assert found.change == {"recipe": make_recipe("simclr", salient_crop_p=0.8, blur_p=0.0).to_dict()}
    assert "salient crop p 0 -> 0.8, blur p 0.5 -> 0" in found.advice
    assert found.advice.startswith("The encoder puts images with like backgrounds near each other")
    assert background(measured(shortcut=check(cue))) is None  # the default recipe is there already
    assert background(measured(paper, shortcut=check("colour"))) is None


def test_a_recipe_that_holds_the_fix_is_told_so_not_to_try_it():
    """Walk 9's run trained with salient crops and no blur, and Evaluate told it to try them."""
    from ssl_core.evaluate.advice import fix_held
    from ssl_core.evaluate.cues import CUES, remedy

    default = make_recipe("simclr_multicrop").to_dict()  # salient_crop_p 0.8, blur_p 0
    assert fix_held(default, "background_texture", "some") == "salient crop p 0.8, no blur"  # walk 17 read "blur p 0"
    assert fix_held(make_recipe("simclr").to_dict(), "background_scene", "most") == ""  # blur, no salient crops
    assert fix_held({**default, "gray_p": 0.8}, "colour", "some") == "gray p 0.8"
    assert fix_held({**default, "gray_p": 0.8}, "colour", "most") == ""  # the advice would raise it to 0.9
    assert fix_held(default, "layout", "most") == "" and fix_held(default, None, None) == ""
    said = remedy(CUES["background_texture"].fix, "run", "salient crop p 0.8, no blur")
    assert said == ("The run's recipe already holds the fix for it (salient crop p 0.8, no blur), yet the embedding "
                    "groups by it all the same.")  # walk 11 read "the cue stayed all the same" as unclear


def test_brightness_held_beside_a_background_texture_swaps_the_background_in_half_the_views():
    """Walk 46: product photos on white or wood grouped by background; the check named brightness (0.67) beside
    background texture (some, 0.59); jitter on every view changed nothing, and the Diagnosis said there was no
    change to advise."""
    jittered = TrainConfig(dataset="d", recipe=make_recipe("simclr_multicrop", jitter_p=1.0).to_dict())
    shortcut = {**check("brightness"), "scores": {"brightness": {"judged": 0.64},
                                                  "background_texture": {"level": "some", "score": 0.59}}}
    little = {**shortcut, "scores": {"background_texture": {"level": "little", "score": 0.2}}}
    found = background_swap(measured(jittered, shortcut=shortcut))
    assert found.rule == "background_swap" and found.change["recipe"]["swap_background_p"] == 0.5
    assert found.change["recipe"] == {**jittered.recipe, "swap_background_p": 0.5}  # nothing else changed
    assert found.advice.startswith("The background's texture scores some too (0.59), so the brightness it groups by "
                                   "may be the background's.")
    assert "swap background p 0 -> 0.5" in found.advice and "0.230 to 0.186" in found.advice  # where it cost
    assert [a.rule for a in advise(measured(jittered, shortcut=shortcut))] == ["background_swap"]
    assert background_swap(measured(jittered, shortcut=little)) is None  # nothing says the background carries it
    assert background_swap(measured(shortcut=shortcut)) is None  # jitter p 0.8: the brightness advice comes first
    first = colour_or_brightness(measured(shortcut=shortcut))  # walk 48: it promised what two sets did not show
    assert first.rule == "brightness_shortcut" and (
        "The background's texture scores some too (0.59): where the brightness is the background's (a white or a "
        "dark table), more jitter left it in place on two such sets of photos (brightness 0.67 and 0.68 before and "
        "after); the background swap advised once this is held moved it on one (0.67 to 0.59).") in first.advice
    assert "background's texture" not in colour_or_brightness(measured(shortcut=little)).advice
    swapped = TrainConfig(dataset="d", recipe={**jittered.recipe, "swap_background_p": 0.5})
    assert background_swap(measured(swapped, shortcut=shortcut)) is None  # followed already
    texture = {**shortcut, "cue": "background_texture"}  # busy backgrounds, where a swap cost (clutter_shapes)
    assert background_swap(measured(shortcut=texture)) is None


def test_a_recipe_without_the_fields_a_fix_changes_is_not_told_to_change_them():
    """Walk 21: an MAE run (one masked view, no colour changes) was told 'Try more random grayscale
    (a higher `gray_p`)'."""
    from ssl_core.evaluate.advice import fix_lacking
    from ssl_core.evaluate.cues import CUES, remedy

    mae = make_recipe("mae").to_dict()
    assert fix_lacking(mae, "colour") == "`gray_p`" and fix_lacking(mae, "layout") == ""  # it has crops and flips
    assert fix_lacking(mae, "background_texture") == "`salient_crop_p`, `blur_p`"
    assert fix_lacking(make_recipe("simclr").to_dict(), "colour") == "" and fix_lacking(mae, None) == ""
    assert remedy(CUES["colour"].fix, "run", lacks="`gray_p`", recipe="mae") == (
        f"The run's recipe (mae) has no `gray_p` to change; a run whose recipe has it (SimCLR's, say) could avoid "
        f"the cue with {CUES['colour'].fix}.")
    assert "a run whose recipe has them" in remedy("x", "run", lacks="`salient_crop_p`, `blur_p`", recipe="mae")


def test_flat_online_knn_on_the_default_tries_another_recipe():
    found = flat_from_start(measured(knn_accuracy=[0.25, 0.27, 0.24, 0.26], knn_untrained=[0.26], probe_size=[1024]))
    assert found and found.change == {"recipe": {**make_recipe("simclr_multicrop").to_dict(), "local_crops": 0}}
    assert "local_crops 0" in found.advice
    assert "between 24.0% and 27.0% over its 4 measurements" in found.evidence and "26.0%" in found.evidence
    below_chance = flat_from_start(measured(classes=3, knn_accuracy=[0.32, 0.39, 0.35], knn_untrained=[0.311],
                                            probe_size=[450]))  # letters: the bar is chance, not the twin
    assert below_chance.evidence.endswith(  # walk 22 misread "never above chance ... by more than"
        "its best, 39.0%, did not pass 42.3%: chance (33.3%; the untrained network on the same probe: 31.1%) plus "
        "the 9.0 points that noise alone could give there."), below_chance.evidence
    assert "worse than the untrained" not in below_chance.advice


def test_a_flat_run_beside_a_flat_run_of_the_default_is_told_what_comes_after_the_default():
    """Walk 21: a flat BYOL run was told to try the CPU default while the default's run on the
    same pictures, beside it, had learned nothing either."""
    byol = replace(DEFAULT, method="byol", recipe=None, minutes=1.5)
    flat = dict(knn_accuracy=[0.25, 0.27, 0.24, 0.26], knn_untrained=[0.26], probe_size=[1024])
    short = replace(DEFAULT, minutes=1.5)
    found = flat_from_start(replace(measured(byol, **flat), default_flat=("SimCLR · 1.5 min", short, False)))
    assert found.change["method"] == "simclr" and found.change["minutes"] == 5.0
    assert found.change["recipe"] == make_recipe("simclr_multicrop").to_dict() and found.change["lr"] is not None
    assert "Try the CPU default as SimCLR · 1.5 min ran it, whose online kNN check showed no gain on these pictures " \
           "either, with " \
           "one change to that run: the same setting for the 5 minutes it was tuned for (1.5 in SimCLR · 1.5 min): " \
           "in 5 minutes it learned a set the tuning never saw, 450 pictures" in found.advice, found.advice
    assert apply(byol, found) == replace(short, minutes=5.0, lr=found.change["lr"], recipe=found.change["recipe"])
    whole = flat_from_start(replace(measured(byol, **flat), default_flat=("SimCLR · 5 min", DEFAULT, False)))
    assert whole.change["recipe"]["local_crops"] == 0 and whole.change["method"] == "simclr"
    unlabelled = flat_from_start(replace(measured(byol, **flat), default_flat=("SimCLR · 1.5 min", short, True)))
    assert ("Try the CPU default as SimCLR · 1.5 min ran it, whose gain did not show without labels either (its "
            "neighbours stayed as near the pixels' as the untrained network's; labels may show one), with one change "
            "to that run") in unlabelled.advice  # walk 39: 'which learned nothing' of a run a probe read at 100.0%
    alone = flat_from_start(measured(byol, **flat))  # no such run: the default itself
    assert alone.change["recipe"] == make_recipe("simclr_multicrop").to_dict() and "minutes" not in alone.change


def test_a_flat_run_that_fell_below_the_untrained_network_says_so():
    """Walk 18: BYOL 'stayed between 40.0% and 73.3% ..., never beyond the 14.8 points that noise
    gives around the untrained network's 66.7%', 26.7 points under it, and 'Nothing was learned'."""
    found = flat_from_start(measured(classes=3, knn_accuracy=[0.667, 0.733, 0.52, 0.40], knn_untrained=[0.667],
                                     probe_size=[150]))
    assert "its best, 73.3%, did not pass 80.7%: the untrained network's 66.7% on the same probe plus the 14.0 " \
        in found.evidence, found.evidence
    assert found.advice.startswith("Its online kNN check saw nothing learned at any point of the run's 75 steps, and "
                                   "it ended at 40.0%, "
                                   "worse than the untrained network. Try "), found.advice


def test_a_flat_knn_curve_is_not_called_nothing_learned_where_the_linear_probe_shows_a_gain():
    """Walk 33: the Diagnosis said 'Nothing was learned at any point' of a run whose linear probe shows the gain."""
    flat = dict(knn_accuracy=[0.667, 0.68, 0.70, 0.70], knn_untrained=[0.667], probe_size=[150])
    assert flat_from_start(measured(classes=3, **flat)) is not None
    probe = dict(linear_probe_accuracy=[0.6, 0.7, 0.85, 0.9], linear_probe_untrained=[0.6])
    assert flat_from_start(measured(classes=3, **flat, **probe)) is None
    level = dict(linear_probe_accuracy=[0.6, 0.6, 0.62, 0.61], linear_probe_untrained=[0.6])
    assert flat_from_start(measured(classes=3, **flat, **level)) is not None


def test_a_flat_run_that_dipped_early_says_when_and_where_it_ended():
    """Walk 33: "..., and it fell to 24.7%, worse than the untrained network" read as the end of a run whose one
    dip came early and which ended above the untrained network."""
    found = flat_from_start(measured(classes=3, knn_accuracy=[0.667, 0.40, 0.70, 0.733], knn_untrained=[0.667],
                                     probe_size=[150]))
    assert found.advice.startswith("Its online kNN check saw nothing learned at any point of the run's 75 steps; at "
                                   "step 25 it fell to "
                                   "40.0%, worse than the untrained network, and it ended at 73.3%. Try "), found.advice


def test_a_flat_curve_held_by_one_large_class_is_not_advised_on():
    """Walk 10: 200 images of one class among seven of 5 stayed at 85.1% and were told to drop the local crops."""
    flat = dict(knn_accuracy=[0.851, 0.851, 0.851], knn_untrained=[0.851], probe_size=[235])
    assert flat_from_start(measured(classes=8, knn_majority=[200 / 235], **flat)) is None
    assert flat_from_start(measured(classes=8, **flat)) is not None  # a run logged before the share was


def test_a_flat_curve_at_a_near_perfect_untrained_score_is_no_sign_of_nothing_learned():
    assert flat_from_start(measured(knn_accuracy=[0.996, 1.0, 0.998], knn_untrained=[0.998], probe_size=[450])) is None


def test_a_flat_dino_run_whose_loss_sat_at_ln_1024_is_told_its_outputs_became_uniform():
    """Walk 39: a DINO run's loss settled at 6.933 beside ln 1024 = 6.931, unsaid. Measured on a
    1.5-minute DINO run on shapes (loss 6.969 over its last quarter): its student's outputs had
    99.3% of the most entropy 1,024 outputs can have, its largest 0.0027 (even: 0.001)."""
    dino, flat = TrainConfig(dataset="d", method="dino", minutes=1.5), dict(knn_accuracy=[0.25, 0.26, 0.25],
                                                                            knn_untrained=[0.26], probe_size=[1024])
    found = flat_from_start(measured(dino, loss=[7.1] * 50 + [6.969] * 50, **flat))
    assert (" Its loss sat at 6.969 over the last quarter of its steps, beside ln 1,024 = 6.931: the loss of a "
            "student that spreads every image evenly over its head's 1,024 outputs, which then tell no image from "
            "another (DINO's uniform collapse, Caron et al. 2021). Try the CPU default") in found.advice
    assert "uniform" not in flat_from_start(measured(dino, loss=[6.2] * 100, **flat)).advice  # its outputs differ
    assert "uniform" not in flat_from_start(measured(loss=[6.93] * 100, **flat)).advice  # SimCLR's loss: no such sign
    collapsed = collapse(measured(dino, loss=[6.94] * 100, embedding_std=[0.9, 0.8, 0.1]))  # a review: said only
    assert "(DINO's uniform collapse, Caron et al. 2021). Train again with a third" in collapsed.advice  # when flat


@pytest.mark.parametrize("config", [TrainConfig(dataset="d", method="byol", minutes=5.0),
                                    TrainConfig(dataset="d", minutes=5.0,  # the default's two views already alone
                                                recipe=make_recipe("simclr_multicrop", local_crops=0).to_dict())])
def test_flat_online_knn_off_the_default_goes_back_to_it(config):
    found = flat_from_start(measured(config, knn_accuracy=[0.25, 0.26, 0.25], knn_untrained=[0.26],
                                     probe_size=[1024]))
    assert found and found.change == {"method": "simclr", "recipe": make_recipe("simclr_multicrop").to_dict(),
                                      "lr": 0.01}  # the method's own, said (walk 18: `advise` printed "lr": null)


def test_a_flat_default_run_shorter_than_its_tuned_budget_is_given_that_budget():
    """On the walk a 1-minute run of the default on letters (never tuned on) stayed within noise and
    was told to drop its local crops; 5 minutes of the same learn letters (kNN 0.53-0.60)."""
    short = TrainConfig(dataset="d", minutes=1.0)
    found = flat_from_start(measured(short, classes=3, knn_accuracy=[0.32, 0.39, 0.35], knn_untrained=[0.311],
                                     probe_size=[450]))
    assert found.change == {"minutes": 5.0}
    assert "the same setting for the 5 minutes it was tuned for (1 now)" in found.advice
    assert ("(kNN accuracy 53% to 60% against the untrained network's 31% to 32%; README, bench/letters.py)"
            in found.advice)  # as %
    by_epochs = flat_from_start(measured(TrainConfig(dataset="d", epochs=2), knn_accuracy=[0.25, 0.26, 0.25],
                                         knn_untrained=[0.26], probe_size=[1024]))
    assert "local_crops" in by_epochs.change["recipe"]  # a budget in epochs is not read as minutes


def test_flat_without_labels_reads_the_pixel_share():
    found = flat_from_start(measured(classes=0, pixel_shared=[0.20, 0.19, 0.21], pixel_shared_untrained=[0.20],
                                     probe_size=[1024]))
    assert found and "shared with raw pixels" in found.evidence
    # walk 20: 'Nothing was learned' of frames the run grouped by scene, which the pixels group as well
    assert found.advice.startswith("Its neighbours stayed as near the pixels' as the untrained network's at every "
                                   "point of the run's 50 steps (without labels only this is read: what the pixels "
                                   "already group does not show). Try ")
    assert flat_from_start(measured(classes=0, pixel_shared=[0.20, 0.1, 0.05], pixel_shared_untrained=[0.20],
                                    probe_size=[1024])) is None


@pytest.mark.parametrize("knn", [[0.25, 0.4, 0.6], [0.25, 0.26]])  # learned; too few measurements to say
def test_knn_that_rose_or_was_barely_measured_is_not_flat(knn):
    assert flat_from_start(measured(knn_accuracy=knn, knn_untrained=[0.26], probe_size=[1024])) is None


def noisy(curve: np.ndarray, seed: int = 0) -> list[float]:
    return list(curve + 0.01 * np.random.default_rng(seed).standard_normal(len(curve)))


def test_loss_still_falling_doubles_the_budget():
    found = loss_still_falling(measured(loss=noisy(4 / (1 + 0.02 * np.arange(200)))))
    assert found and found.change == {"minutes": 10.0}
    assert "steps 101-150" in found.evidence and "steps 151-200" in found.evidence
    epochs = TrainConfig(dataset="d", epochs=3.0)
    assert loss_still_falling(measured(epochs, loss=noisy(4 / (1 + 0.02 * np.arange(200))))).change == {"epochs": 6.0}


@pytest.mark.parametrize("curve", [4 * np.exp(-np.arange(200) / 10) + 1, np.full(30, 4.0) - np.arange(30)])
def test_loss_that_levelled_off_or_is_too_short_asks_for_no_more_budget(curve):
    assert loss_still_falling(measured(loss=noisy(curve))) is None  # flat after step ~60; 30 steps say nothing


def test_advice_is_ranked_most_basic_first_and_applies_with_the_same_budget():
    found = advise(measured(images=200, shortcut=check("colour"), embedding_std=[0.9, 0.8, 0.7],
                            loss=noisy(4 / (1 + 0.02 * np.arange(200)))))
    assert [a.rule for a in found] == ["batch_too_large", "colour_shortcut", "loss_still_falling"]
    assert all(set(a.to_json()) == {"rule", "evidence", "advice", "change"} for a in found)
    again = apply(DEFAULT, found[1])
    assert again.minutes == DEFAULT.minutes and again.dataset == "d" and again.recipe["gray_p"] == 0.9



def test_after_a_collapse_only_the_data_is_advised_on_beside_it():
    """A cue, a flat curve or a falling loss read from a collapsed embedding says nothing."""
    found = advise(measured(images=200, shortcut=check("colour"), embedding_std=[0.9, 0.8, 0.1],
                            loss=noisy(4 / (1 + 0.02 * np.arange(200)))))
    assert [a.rule for a in found] == ["batch_too_large", "collapse"]


def test_a_collapse_within_the_first_step_is_found_against_the_untrained_network():
    """Rank 7.8 untrained, 1.6 after step 1, 2.3 later: no best to fall from, the verdict's rule."""
    found = collapse(measured(effective_rank=[1.63, 2.28], effective_rank_untrained=[7.82]))
    assert found and found.evidence == ("The encoder's effective rank is 2.28 at step 25, 29% of the untrained "
                                        "network's 7.82 (below 30% of it counts as collapse).")
    assert collapse(measured(effective_rank=[1.63, 2.5], effective_rank_untrained=[7.82])) is None


def test_a_run_from_other_weights_is_read_against_their_rank_not_a_random_networks():
    """Walk 23: supervised weights sit at 16.6, 8% of a random ResNet-18's 210: a run that kept
    them was a 'collapse' against the random network; against its start it is one only below
    30% of 16.6 (it fell to 2.15: 13%)."""
    kept = dict(effective_rank=[16.0, 16.5], effective_rank_untrained=[210.0], effective_rank_start=[16.6])
    assert collapse(measured(**kept)) is None
    fell = collapse(measured(**{**kept, "effective_rank": [2.3, 2.15]}))
    assert fell and fell.evidence == ("The encoder's effective rank is 2.15 at step 25, 13% of its starting "
                                      "weights' 16.6 (below 30% of it counts as collapse).")
    assert collapse(measured(effective_rank=[16.0, 16.5], effective_rank_untrained=[210.0]))  # no start: the random


def test_the_first_steps_dip_of_a_healthy_run_is_not_called_collapse():
    """The default on shapes: rank about 1 at step 1, 13-14 by step 25. A run cancelled at
    step 2 (one measurement) was told to cut its learning rate."""
    assert collapse(measured(effective_rank=[1.05], effective_rank_untrained=[7.82])) is None
    assert collapse(measured(effective_rank=[1.05, 13.6], effective_rank_untrained=[7.82])) is None


def test_a_collapse_advises_the_rounded_learning_rate_it_names():
    found = collapse(measured(TrainConfig(dataset="d", minutes=5.0, lr=0.01), embedding_std=[0.9, 0.8, 0.1]))
    assert found.change == {"lr": 0.0033} and "(0.01 -> 0.0033)" in found.advice  # not 0.0033333333333333335


def test_a_flat_run_whose_loss_still_falls_is_told_both_without_a_contradiction():
    """'Nothing was learned at any point of the run, so more of the same will not help' stood
    beside 'twice the budget': a 1-minute run on letters (never tuned on) was flat and still
    falling, and 5 minutes of the same learn it (kNN 0.60 against the twin's 0.31)."""
    found = advise(measured(knn_accuracy=[0.21, 0.22, 0.2, 0.21], knn_untrained=[0.21],
                            loss=noisy(4 / (1 + 0.02 * np.arange(200)))))
    assert [a.rule for a in found] == ["flat_from_start", "loss_still_falling"]
    assert "will not help" not in found[0].advice and "any point of the run's 75 steps" in found[0].advice
    assert found[1].advice.startswith("The run stopped while its loss still fell")


def test_a_budget_change_is_said_once_by_the_first_rule_that_makes_one():
    """Walk 10: a 0.3-minute default run was told "the 5 minutes it was tuned for (0.3 now)" and,
    two items down, "twice the budget (0.3 -> 0.6 minutes)"."""
    short = TrainConfig(dataset="d", minutes=0.3)
    found = advise(measured(short, knn_accuracy=[0.21, 0.22, 0.2, 0.21], knn_untrained=[0.21],
                            loss=noisy(4 / (1 + 0.02 * np.arange(200)))))
    assert [(a.rule, a.change) for a in found] == [("flat_from_start", {"minutes": 5.0})]


@pytest.mark.parametrize("images", [3, 11, 17])
def test_no_batch_advice_when_no_batch_of_the_page_makes_more_steps(images):
    """3 images ran at batch 3 (1 step per pass): batch 16 is no smaller and makes no more."""
    assert batch_too_large(measured(images=images)) is None


def test_a_run_that_learned_nothing_is_told_so_before_its_cues():
    found = advise(measured(shortcut=check("colour"), knn_accuracy=[0.21, 0.22, 0.2, 0.21], knn_untrained=[0.21]))
    assert [a.rule for a in found] == ["flat_from_start", "colour_shortcut"]


def few_noise_pictures(tmp_path) -> Path:
    """A workspace holding "few": 48 noise pictures of 16 px, ingested by the CLI."""
    folder = tmp_path / "pics"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(48):
        Image.fromarray(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)).save(folder / f"p{i}.png")
    ws = tmp_path / "ws"
    assert cli(ws, "ingest", str(folder), "--name", "few", "--size", "16").returncode == 0
    return ws


NAN = "the loss became nan at step 2; training stopped. Last good checkpoint: none yet."


def test_a_run_whose_numbers_broke_is_told_to_take_smaller_steps():
    """Walk 25: lr 1e12, the loss NaN at step 2, and no advice. Above the method's default: back to it; at or
    below it: a tenth. A failure of another kind, or no failure, is no divergence."""
    wild = replace(measured(TrainConfig(dataset="d", minutes=1.0, lr=1e12), loss=[5.5]), failure=NAN)
    found = diverged(wild)
    assert found.rule == "diverged" and found.change == {"lr": 0.01}  # SimCLR's own
    assert found.evidence == "The run failed: the loss became nan at step 2, at a learning rate of 1e+12."
    assert found.advice == ("The run's numbers grew past what a float holds (NaN or infinity), as they do when its "
                            "steps are too large. Train again with SimCLR's default learning rate (1e+12 -> 0.01).")
    assert [a.rule for a in advise(wild)] == ["diverged"]
    tame = replace(measured(loss=[5.5]), failure=NAN)
    assert diverged(tame).change == {"lr": 0.001} and "a tenth of the learning rate (0.01 -> 0.001)" in diverged(
        tame).advice
    assert diverged(replace(tame, failure="out of memory even at batch size 16; the floor is 16.")) is None
    assert diverged(measured(loss=[5.5])) is None


@pytest.mark.slow
def test_cli_advises_a_run_that_failed_before_its_first_checkpoint(tmp_path):
    """A real run at lr 1e12 fails on a NaN loss before any checkpoint; `advise` names it and `train --advice`
    trains again at the method's default learning rate, which completes."""
    ws = few_noise_pictures(tmp_path)
    first = cli(ws, "train", "--dataset", "few", "--epochs", "2", "--lr", "1e12")
    assert first.returncode == 1 and json.loads(first.stdout)["status"] == "failed"
    run = json.loads(first.stdout)["run"]
    advice = json.loads(cli(ws, "advise", "--run", run).stdout)
    assert advice[0]["rule"] == "diverged" and advice[0]["change"] == {"lr": 0.01}
    assert "became" in advice[0]["evidence"] and "1e+12" in advice[0]["evidence"]
    again = cli(ws, "train", "--advice", run)
    assert again.returncode == 0 and json.loads(again.stdout)["status"] == "completed", again.stderr


@pytest.mark.slow
def test_cli_advises_a_real_run_and_trains_again_with_its_first_advice(tmp_path):
    """48 images at batch 64 (so 48; without --batch-size `train` now takes 16 itself): the run's first advice
    is a smaller batch; `train --advice` trains with it, the same 2-epoch budget, and the new run's config has it."""
    ws = few_noise_pictures(tmp_path)
    first = cli(ws, "train", "--dataset", "few", "--epochs", "2", "--batch-size", "64")
    assert first.returncode == 0, first.stderr
    run = json.loads(first.stdout)["run"]
    told = cli(ws, "advise", "--run", run)
    assert told.returncode == 0, told.stderr
    advice = json.loads(told.stdout)
    assert advice[0]["rule"] == "batch_too_large" and advice[0]["change"] == {"batch_size": 16}
    assert "48 images at batch 48" in advice[0]["evidence"]
    again = cli(ws, "train", "--advice", run)
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert result["status"] == "completed" and result["steps"] == 2 * (48 // 16) and "verdict" in result
    runs = {r["run"]: r for r in json.loads(cli(ws, "runs").stdout)}
    assert set(runs) == {run, result["run"]}
    missing = cli(ws, "advise", "--run", "run-nope")
    assert missing.returncode == 1 and "no run 'run-nope'" in missing.stderr


def test_a_flat_curve_on_a_probe_too_small_to_see_it_is_not_called_nothing_learned():
    """Walk 13: 18 labelled images (noise 44.8 points) and 'Nothing was learned at any point of the run'."""
    tiny = dict(knn_accuracy=[0.389, 0.333, 0.333, 0.333], knn_untrained=[0.389])
    assert flat_from_start(measured(classes=3, probe_size=[18], **tiny)) is None
    assert coarse_probe(measured(classes=3, probe_size=[18], **tiny).series) == (
        "18 labelled images: noise alone could move kNN accuracy by 42.8 points")
    assert coarse_probe(measured(classes=3, probe_size=[450], **tiny).series) is None
    assert flat_from_start(measured(classes=3, probe_size=[450], **tiny)) is not None


def test_a_flat_label_free_curve_on_too_few_images_is_not_called_nothing_learned():
    """Walk 13: 5 unlabelled images, every neighbour shared at 100%, and 'Nothing was learned at any point'."""
    five = measured(classes=0, images=5, pixel_shared=[1.0, 1.0, 1.0], pixel_shared_untrained=[1.0], probe_size=[5])
    assert flat_from_start(five) is None
    assert coarse_probe(five.series) == "with 5 images the 4 nearest it counts for an image are all 4 others"
    many = measured(classes=0, pixel_shared=[0.20, 0.19, 0.21], pixel_shared_untrained=[0.20], probe_size=[1024])
    assert coarse_probe(many.series) is None and flat_from_start(many) is not None
