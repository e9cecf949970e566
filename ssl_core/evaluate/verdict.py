"""The one verdict on an encoder: it learned something, nothing yet, or it is worse than
its untrained twin; a plain sentence quoting the numbers, and a colour to draw it in.

Two kinds of evidence, judged by one rule:

* with labels: kNN accuracy on n labelled images against the untrained twin's on the
  same images, and against chance (a curve on the chance line is never a result);
* without labels: `shared`, the share of an image's nearest neighbours in the embedding
  that are also its nearest by cheap descriptors (raw-pixel thumbnail, colour
  statistics; see `departure.py`), against the untrained twin's share. An untrained
  network's neighbours largely follow the pixels; learning moves them away, but so does
  learning another cheap cue (background texture), so only a fall below LEARNED_SHARE
  of the twin's share counts as learned. An embedding that collapsed (effective rank
  below COLLAPSED_RANK of the twin's) is never called learned: a point has no neighbours.

Calibration of LEARNED_SHARE (SimCLR, small CNN; `shared` over the untrained share on
the engine's 1,024-image probe, truth from the kNN verdict on the hidden labels), first
with the probe read at 32 px:

    data set          steps   kNN (untrained)   shared / untrained   kNN verdict
    shapes              50    0.326 (0.265)     0.105 / 0.197 = 0.53  learned
    shapes             200    0.638 (0.265)     0.048 / 0.197 = 0.24  learned
    shapes             450    0.786 (0.265)     0.039 / 0.197 = 0.20  learned
    clutter_shapes   ~230     0.242 (0.228)     0.055 / 0.174 = 0.32  not yet (lowest of 14 such runs:
    clutter_digits   ~240     0.099 (0.084)     0.065 / 0.197 = 0.33  not yet  bench/tune.py variants)
    clutter_shapes    812     0.273 (0.228)     0.059 / 0.174 = 0.34  learned (just)
    clutter_shapes    857     0.346 (0.228)     0.059 / 0.174 = 0.34  learned

then again with the default reading whole images at 48 px (`bench/verdict_calibration.py`:
the default for 5 CPU minutes on each set, both verdicts at every 100th step, 106 ticks):
no tick called learned without labels was not learned with them; the lowest share of a
tick not learned was 0.38 (`clutter_digits`, 300 steps; 0.57 `digits`, 0.76 `textures`,
0.87 `shapes` at step 1, 0.96 `clutter_shapes` at step 1), 1.51 times LEARNED_SHARE;
`shapes` was called learned from step 300 (share 0.22, kNN 0.926), the cluttered sets never
(their shares stay at 0.32-0.33 while kNN reaches 0.55 and 0.19).

Every run that learned nothing kept at least 0.32 of its twin's share, so 0.25 calls
none of them learned; it also misses runs that did learn (shapes at 50 steps, cluttered
sets): without labels the verdict errs towards "not yet", never towards green.

A difference counts only beyond `margin`: two standard errors of the difference of two
proportions measured on n images, at least MIN_MARGIN; for kNN accuracy KNN_SPREAD times
wider, as its votes are shared between neighbours. A per-image share of k neighbours
varies no more than a 0/1 outcome, so the binomial bound is kept for `shared`.

The codes are a contract of the CLI's JSON ("verdict"): scripts depend on these words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

LEARNED, NOT_YET, WORSE = "learned", "not_yet", "worse_than_untrained"
COLOURS = {LEARNED: "green", NOT_YET: "orange", WORSE: "red"}
ONLINE = "the run's probe, leave-one-out"  # how the online monitor measures kNN (engine.judged)
# the engine's linear probe on the run's probe and its untrained twin's, each cross-validated (engine.judged; walk 33)
ONLINE_PROBE = ("linear_probe_accuracy", "linear_probe_untrained")
ONLINE_PROBE_PROTOCOL = "the run's probe, 5-fold cross-validation"
MIN_MARGIN = 0.03  # no difference below this counts, however many images
# kNN accuracy varies more than a 0/1 outcome per image: neighbours share their votes. Random features,
# k=20, 120-300 draws each: its standard deviation was 1.14-1.36 times the binomial one (leave-one-out and
# 5-fold, 40-1,024 images, 2-10 classes), and 2 binomial standard errors called 4-8% of such pairs "worse
# than untrained" where 2.3% was meant; 1.4 covers the largest (tests/ssl_core/evaluate/test_knn_noise.py). The
# linear probe's 5-fold accuracy, measured the same way (random features with and without class signal, 100-600
# images, 2-5 classes, 120 draws each): 1.14-1.29 times the binomial one, so the same bound serves it
KNN_SPREAD = 1.4
COLLAPSED_RANK = 0.3  # an effective rank below this share of the untrained network's: collapsed
# measurements in a row with the encoder's rank below COLLAPSED_RANK of its twin's before that is called collapse: a
# healthy run's first steps dip there (the default on shapes: rank about 1 at step 1, 13-14 by step 25), and a run
# cancelled at step 2 was told to cut its learning rate
LOW_RANK_MEASUREMENTS = 2


def collapsed_words(measured: Mapping[str, float]) -> str | None:
    """Where a run's last `measured` metrics (jobs.final_metrics) hold an effective rank below
    COLLAPSED_RANK of rank_reference's, it in words ("effective rank 13.5, 8% of the untrained
    network's 164 (below 30% of it counts as collapse)"); else None."""
    rank, (twin, whose) = measured.get("effective_rank"), rank_reference(measured)
    if rank is None or not twin or rank >= COLLAPSED_RANK * twin:
        return None
    return f"effective rank {rank:.3g}, {below_twin(rank, twin, whose)}"


def below_twin(rank: float, twin: float, whose: str = "the untrained network's") -> str:
    """An effective rank `rank` against `twin`, the rank of `whose` (rank_reference), as the collapse rule reads it."""
    return f"{rank / twin:.0%} of {whose} {twin:.3g} (below {COLLAPSED_RANK:.0%} of it counts as collapse)"


def rank_reference(measured: Mapping[str, float]) -> tuple[float | None, str]:
    """(the effective rank the collapse rule reads a run's against, whose it is) from `measured`
    metrics: its starting weights' where a run from other weights measured them (RANK_START),
    else the untrained network's. Walk 23: supervised weights sit at 8% of a random ResNet-18's
    rank, so a run that kept them was a 'collapse' against the random network."""
    if RANK_START in measured:
        return measured[RANK_START], "its starting weights'"
    return measured.get("effective_rank_untrained"), "the untrained network's"
# a metric the trainer logs (1.0) with its baseline at step 0: the twin was calibrated (models/calibration.py). A
# run of an encoder with BatchNorm measured before 2026-12-04 lacks it, and its baseline is the twin that
# normalised nothing (UNCALIBRATED)
MARKER = "untrained_calibrated"
LEARNED_SHARE = 0.25  # without labels, `shared` must fall below this share of the untrained network's
WITH_LABELS = ("probe_size", "knn_accuracy", "knn_untrained")  # the engine's metrics each verdict reads
# a margin of noise from which the probe is too small to see any but a large gain (kNN points): 18 labelled images of
# 3 classes gave 44.8 (walk 13); about 60 labelled images at 40% accuracy give this, 100 give 0.19
COARSE = 0.25
UNTRAINED_WEIGHTS = "the same network untrained"  # an imported encoder's baseline in from_knn: its twin, said so
NEIGHBOURS = 10  # k of the label-free measure: the nearest images whose share it counts (departure.shared)
# a largest class this many times an even share sets chance (a 10-class set's 10.2% does not; walk 18's 70/50/30
# products, 1.4 times, were judged against "chance 33.3%" where always answering mugs scored 46.7%)
UNEQUAL = 1.2
MAJORITY = "knn_majority"  # the probe's largest class's share, logged at step 0 (none in a run made before it)
START = "_start"  # the suffix of `judged`'s metrics measured on a run's starting weights (train --init), at step 0
KNN_START = f"knn_accuracy{START}"
RANK_START = f"effective_rank{START}"
WITHOUT_LABELS = ("probe_size", "pixel_shared", "pixel_shared_untrained", "effective_rank", "effective_rank_untrained")


@dataclass(frozen=True)
class Verdict:
    code: str  # one of LEARNED, NOT_YET, WORSE
    text: str  # one plain sentence that quotes the numbers it rests on
    colour: str  # green, orange or red (Streamlit's colour names)

    @property
    def headline(self) -> str:
        """The sentence's opening words, before its numbers: 'Learned something', 'Not judged',
        'No room to show a gain', 'The run failed' (a table's cell)."""
        return self.text.split(":")[0].split(";")[0]

    def to_json(self) -> dict[str, str]:
        """{"verdict": code, "verdict_text", "verdict_colour", "verdict_headline"}: the keys of the
        CLI's JSON; the headline tells a script a "not_yet" that was judged ("Nothing learned yet")
        from one that was not ("Not judged", "Nothing to judge yet", "No room to show a gain")."""
        return {"verdict": self.code, "verdict_text": self.text, "verdict_colour": self.colour,
                "verdict_headline": self.headline}


def never_estimated_words(layers: int, unit: str, as_saved: float | None) -> str:
    """What an imported encoder's `layers` BatchNorm layers with a new layer's statistics do to
    its score (calibration.never_estimated), appended to its verdict: where labels measured it,
    the verdict judges it with them estimated on the dataset's `unit`, as its untrained twin's
    are, and `as_saved` is its kNN accuracy as the file holds them (None: not measured, no labels).
    Walk 23: a random ResNet-18 saved as built, 'Scores below the same network untrained' at
    65.8% against 78.0% (estimated, 78.2%); walk 38: another, 'Scores above' at 48.0% against
    34.5% (estimated, 35.8%), green over weights no better than random."""
    held = (f"{layers} BatchNorm {'layer holds' if layers == 1 else 'layers hold'} a new layer's statistics (mean 0, "
            f"variance 1: never estimated on data), which normalise nothing")
    if as_saved is None:
        return f" Its {held}, where {UNTRAINED_WEIGHTS} has them estimated on these {unit}."
    return (f" It is judged with its BatchNorm statistics estimated on these {unit}, as {UNTRAINED_WEIGHTS} has "
            f"them: as saved, its {held}, and it scores {as_saved:.1%} so, a difference its weights do not make.")


def _verdict(code: str, text: str) -> Verdict:
    return Verdict(code, text, COLOURS[code])


WAITING = _verdict(NOT_YET, "Nothing to judge yet: the run has not measured its encoder against the untrained "
                            "network.")  # from_metrics before the monitor's first measurement

# a run that measured its baseline before the twin's BatchNorm statistics were estimated (jobs.uncalibrated_baseline)
UNCALIBRATED = _verdict(NOT_YET, "Not judged here: this run measured the untrained network before its BatchNorm "
                                 "statistics were estimated on the data, a baseline that normalised nothing and so "
                                 "scored too low (on 259 photo crops 0.656 against 0.861 once estimated); Evaluate "
                                 "judges its checkpoint against the estimated one.")


def margin(p: float, q: float, n: int, spread: float = 1.0) -> float:
    """The smallest difference between proportions `p` and `q`, each measured on `n`
    images, that noise alone rarely gives: max(MIN_MARGIN, 2 spread sqrt((p'(1-p') + q'(1-q')) / (n + 2))),
    p' = (pn + 1) / (n + 2) and q' alike (Agresti & Caffo 2000: one success and one failure added to each,
    so that scores at 0 or 1 on few images keep their noise; walk 40: 100.0% against 100.0% on 20 images had
    '3.0% that noise alone could give', where one image is 5 points), `spread` the measure's standard deviation
    over a binomial one's (KNN_SPREAD for kNN)."""
    m = max(n, 1)
    p, q = ((share * m + 1) / (m + 2) for share in (p, q))
    return max(MIN_MARGIN, 2 * spread * math.sqrt((p * (1 - p) + q * (1 - q)) / (m + 2)))


def needed_gain(bar: float, n: int, spread: float = 1.0, sign: int = 1) -> float:
    """The least difference d from `bar` (above it, or below with `sign` -1) that a score on `n`
    images must pass to count beyond noise: the fixed point d = margin(bar + sign d, bar), the
    margin at the score that just passes, as `margin` grows with the score it is measured at
    (walk 21's Train page, looked at again, said "above 33.1%" under its verdict at 22.5% and
    "33.3%" under its diagnosis at 27.0%, and a score of 33.2% would not have counted)."""
    d = margin(bar, bar, n, spread)
    for _ in range(40):  # a contraction: the margin changes far slower than the score
        d = margin(min(max(bar + sign * d, 0.0), 1.0), bar, n, spread)
    return d


def coarse(p: float, q: float, n: int) -> float | None:
    """The kNN margin of noise (`margin`, KNN_SPREAD) between `p` and `q` on `n` images where it
    is COARSE or more, a probe too small to see any but a large gain; else None."""
    noise = margin(p, q, n, KNN_SPREAD)
    return noise if noise >= COARSE else None


def unequal(majority: float | None, classes: int) -> bool:
    """Whether the largest class's share `majority` is so far above an even share of `classes`
    (UNEQUAL times it) that always answering it, not one class in `classes`, is chance."""
    return majority is not None and classes > 0 and majority >= UNEQUAL / classes


def floor(majority: float | None, classes: int) -> tuple[str, float]:
    """(its words, its level) of the score that knows nothing: always answering the largest
    class where the classes are `unequal`, else chance (one class in `classes`)."""
    if unequal(majority, classes):
        return "the largest class", float(majority)  # type: ignore[arg-type]
    return "chance", 1 / max(classes, 1)


def no_room(bar: float, n: int) -> float | None:
    """The least kNN gain over `bar` (on `n` images) that noise alone rarely gives, when even a
    perfect score would not reach it (labels too easy to show learning); else None."""
    least = margin(1.0, bar, n, KNN_SPREAD)
    return least if bar + least > 1 else None


def _knn_words(baseline: str | None) -> dict[str, str]:
    """The headline of each code ("within": of a gain within noise), and what a loss beyond noise
    is ({drop}: its points), in from_knn's sentences: of training against the untrained twin (`baseline` None), else of
    scores against `baseline` (an imported embedding set was never trained here; an imported
    encoder's weights were trained elsewhere: UNTRAINED_WEIGHTS)."""
    if baseline is None:
        return {LEARNED: "Learned something", NOT_YET: "Nothing learned yet", WORSE: "Worse than untrained",
                "within": "No gain beyond noise yet", "loss": "training lost {drop} points",
                "ceiling": "to show what training added"}
    return {LEARNED: f"Scores above {baseline}", NOT_YET: "No gain beyond noise", WORSE: f"Scores below {baseline}",
            "within": "No gain beyond noise", "loss": "{drop} points below it",
            "ceiling": f"to show a gain over {baseline}"}


def points(share: float, other: float = 0.0) -> str:
    """The difference of proportions `share` and `other` in percentage points, of their rounded
    percentages as the sentence shows them (42.1% against 25.8%: '16.3', not the 16.2 of the
    unrounded ones); without `other`, `share` itself (a margin of noise) in points."""
    return f"{abs(round(share * 100, 1) - round(other * 100, 1)):.1f}"


def _scored(metric: str, score: float, untrained: float, n: int, classes: int, against: str, unit: str,
            protocol: str, majority: float | None) -> tuple[str, float, str]:
    """(the numbers a verdict sentence shows of `metric`'s `score` against `untrained`'s, unclosed: 'kNN accuracy
    42.7% against 33.1% for the untrained network (chance 25.0%, ...'; the bar a gain must clear: the untrained
    score, or chance or the largest class where higher; what that bar is called)."""
    least, chance = floor(majority, classes)  # the largest class where unequal, not one class in `classes`
    numbers = (f"{metric} {score:.1%} against {untrained:.1%} for {against} "
               + (f"(always answering {least} scores {chance:.1%}" if least != "chance" else f"(chance {chance:.1%}")
               + f", {n} labelled {unit}, {protocol}")
    return numbers, max(untrained, chance), (least if chance >= untrained else against)


def _why_no_room(n: int, classes: int, majority: float | None, unit: str, ceiling: str) -> str:
    """Why `n` labelled `unit` leave no room (from_knn): where the largest class's share `majority` alone leaves
    none, that few are outside it (walk 42: 35 of 40 parts 'ok' and 5 'defect' were called labels "too easy", of "a
    harder distinction" than ok or defect, the one that engineer needed), else labels too easy or too few."""
    if unequal(majority, classes) and no_room(majority, n) is not None:  # the largest class alone leaves none
        others = round(n * (1 - majority))  # type: ignore[operator]
        return (f"the classes are too unequal {ceiling}: only {others} of the {n} are outside the largest class, "
                f"whose share alone leaves no room; more labelled {unit} of the smaller classes narrow the noise")
    return (f"these labels are too easy or too few {ceiling}: more labelled {unit} narrow the noise, and labels of a "
            "harder distinction leave room")


def from_knn(knn: float, untrained: float, n: int, classes: int, baseline: str | None = None,
             unit: str = "images", protocol: str = "leave-one-out", majority: float | None = None) -> Verdict:
    """Verdict from kNN accuracy `knn` against the untrained twin's `untrained`, both on
    the same `n` labelled images (`unit`: what the dataset holds) of `classes` classes,
    measured by `protocol` (said, so that the Train page's online figure and Evaluate's
    cross-validated one on the same run are not read as one measurement disagreeing).
    `baseline` names what `untrained` was measured on when there is no twin (an imported
    embedding set: "raw pixels", "TF-IDF"); the sentence then compares scores and says
    nothing of training. The codes stay the same. The gain and the margin of noise are
    said in percentage points (a margin in % was read as an accuracy: 42.1% against 11.9%).
    `majority`, where known, is the largest class's share of the `n` images: what always
    answering it scores, the floor a gain must clear where the classes are unequal (walk 10:
    one class of 200 images among seven of 5, "kNN 85.1% against 85.1% (chance 12.5%)")."""
    words = _knn_words(baseline)
    against = baseline or "the untrained network"
    numbers, bar, above = _scored("kNN accuracy", knn, untrained, n, classes, against, unit, protocol, majority)
    gain, loss = margin(knn, bar, n, KNN_SPREAD), margin(knn, untrained, n, KNN_SPREAD)
    if knn >= bar + gain:
        return _verdict(LEARNED, f"{words[LEARNED]}: {numbers}), {points(knn, bar)} points above {above}, more "
                                 f"than the {points(gain)} that noise alone could give.")
    if knn <= untrained - loss:
        return _verdict(WORSE, f"{words[WORSE]}: {numbers}); {words['loss'].format(drop=points(untrained, knn))}, "
                               f"more than the {points(loss)} that noise alone could explain.")
    if (least := no_room(bar, n)) is not None:
        # walk 40: 'so these labels are too easy' of 20 labelled tiles, where too few labels made the noise 18.8%
        return _verdict(NOT_YET, f"No room to show a gain: {numbers}); {against} is {1 - bar:.1%} short of a "
                                 f"perfect score, less than the {least:.1%} that noise alone could give on {n} "
                                 f"labelled {unit}, so {_why_no_room(n, classes, majority, unit, words['ceiling'])}.")
    few = (f" With {n} labelled {unit} only a large gain can show: more labels would measure smaller ones."
           if coarse(knn, bar, n) else "")
    apart = points(knn, bar)
    where = f"level with {above}" if apart == "0.0" else f"{apart} points {'above' if knn >= bar else 'below'} {above}"
    least = needed_gain(bar, n, KNN_SPREAD)  # the score that passes, whatever this one is
    needed = round(bar * 100, 1) + float(points(least))  # the sum of the numbers the sentence shows
    # walks 15 and 22 misread "not above it by more than" and "which a gain must clear by more than": the bar, a number
    # walk 39: 'Nothing learned yet: kNN accuracy 86.7% against 60.0% ..., 26.7 points above' on 30 labelled cells
    headline = words[NOT_YET] if knn <= bar else words["within"]
    return _verdict(NOT_YET, f"{headline}: {numbers}), {where}; a gain shows only above {needed:.1f}%: "
                             f"{above} ({bar:.1%}) plus the {points(least)} points that noise alone could give "
                             f"there.{few}")


BY_PROBE = ", by its linear probe"  # by_probe's headlines: learned by the probe where kNN showed no gain,
NEIGHBOURS_ONLY = ", by its nearest neighbours only"  # by kNN where the probe fell below the untrained network's


def by_probe(knn_verdict: Verdict, knn: tuple[float, float], probe: tuple[float, float], n: int, classes: int,
             baseline: str | None = None, unit: str = "images", protocol: str = "leave-one-out",
             majority: float | None = None) -> Verdict:
    """`knn_verdict` (from_knn on `knn`: (score, the untrained twin's)), or where it found no gain beyond noise
    and the linear probe's cross-validated accuracy `probe` (score, the twin's, on the same folds) clears the
    same bar by more than noise (KNN_SPREAD covers the probe's spread too), the verdict of the probe: learned,
    with the kNN's figures said beside it. Walk 33: a 3-minute run was "Nothing learned yet" at kNN 42.7% against
    33.1% on 202 labelled photos, beside a probe at 64.4% against 38.6% and a label curve above every baseline.
    Where kNN found a gain and the probe fell below the twin's beyond noise, that is said (_probe_fell)."""
    if knn_verdict.code == LEARNED:
        return _probe_fell(knn_verdict, probe, n, baseline, protocol)
    if knn_verdict.code != NOT_YET or no_room(max(knn[1], floor(majority, classes)[1]), n) is not None:
        return knn_verdict
    words, against = _knn_words(baseline), baseline or "the untrained network"
    numbers, bar, above = _scored("linear-probe accuracy", *probe, n, classes, against, unit, protocol, majority)
    gain = margin(probe[0], bar, n, KNN_SPREAD)
    if probe[0] < bar + gain:
        return knn_verdict
    knn_bar = _scored("kNN accuracy", *knn, n, classes, against, unit, protocol, majority)[1]
    needed = round(knn_bar * 100, 1) + float(points(needed_gain(knn_bar, n, KNN_SPREAD)))
    return _verdict(LEARNED, f"{words[LEARNED]}{BY_PROBE}: {numbers}), {points(probe[0], bar)} points "
                             f"above {above}, more than the {points(gain)} that noise alone could give. Its kNN "
                             f"accuracy, {knn[0]:.1%} against {knn[1]:.1%}, stays within noise (a gain shows there "
                             f"only above {needed:.1f}%): a linear classifier tells the classes apart better on its "
                             f"features, though their nearest neighbours do not yet group them beyond noise.")


def _probe_fell(knn_verdict: Verdict, probe: tuple[float, float], n: int, baseline: str | None,
                protocol: str) -> Verdict:
    """`knn_verdict` (learned), or where the linear probe's accuracy `probe` (score, the untrained twin's) fell below
    the twin's by more than noise, the same code in orange, headed NEIGHBOURS_ONLY, with the fall said: what a
    kNN search gains is not what a linear classifier on the features gains (walk 35: a SimCSE run green at kNN
    96.7% against 83.7%, its probe at 73.9% against 88.2%, its label curve under the untrained network's). A probe
    lower than the twin's within noise is said beside the green verdict (walk 36: 86.3% against 92.3%, unsaid)."""
    loss = margin(probe[0], probe[1], n, KNN_SPREAD)
    against = baseline or "the untrained network"
    if probe[0] >= probe[1] or points(probe[1], probe[0]) == "0.0":
        return knn_verdict
    if probe[0] > probe[1] - loss:
        return replace(knn_verdict, text=f"{knn_verdict.text} Its linear-probe accuracy, {probe[0]:.1%} against "
                                         f"{probe[1]:.1%} for {against} ({protocol}), is {points(probe[1], probe[0])} "
                                         f"points lower, within the {points(loss)} that noise alone could give.")
    head, numbers = knn_verdict.text.split(": ", 1)
    return Verdict(LEARNED, f"{head}{NEIGHBOURS_ONLY}: {numbers} Its linear-probe accuracy went the other way: "
                            f"{probe[0]:.1%} against {probe[1]:.1%} for {against} ({protocol}), "
                            f"{points(probe[1], probe[0])} points below it, more than the {points(loss)} that noise "
                            f"alone could explain: on its features nearest neighbours share their labels more "
                            f"often, but a linear classifier tells the classes apart less well than on {against}'s.",
                   COLOURS[NOT_YET])


def judged_by_probe(report: Mapping) -> bool:
    """Whether an evaluation `report`'s verdict is learned by the linear probe (by_probe), not by kNN."""
    return report["verdict"] == LEARNED and report["verdict_text"].split(":")[0].endswith(BY_PROBE)


def reads_probe(report: Mapping) -> bool:
    """Whether an evaluation `report`'s verdict reads the linear probe too (by_probe: a gain only it shows, or its
    fall beside kNN's gain), not kNN alone."""
    return report["verdict_text"].split(":")[0].endswith((BY_PROBE, NEIGHBOURS_ONLY))


NOT_SHOWN = "Not shown without labels"  # the label-free headline of no gain beyond noise: not "nothing learned"
LABELS_SETTLE = ("Labels settle it: import the same pictures with a labels CSV (Data page) and judge this encoder "
                 "on them in Evaluate.")


def too_few_for_neighbours(n: int, untrained: float, k: int = NEIGHBOURS) -> str | None:
    """Where neighbours unrelated to the pixels would share, by chance alone (k of the n - 1
    others), a quarter of the untrained network's `untrained` share or more, so that no run of
    `n` images could be called learned without labels, the words that say how many it counts
    ("with 5 images the 4 nearest it counts for an image are all 4 others"); else None."""
    by_chance = min(1.0, k / max(n - 1, 1))
    if by_chance < LEARNED_SHARE * untrained:
        return None
    counted = min(k, n - 1)
    part = f"all {n - 1} others" if counted == n - 1 else f"{by_chance:.0%} of the other {n - 1}"
    return f"with {n} images the {counted} nearest it counts for an image are {part}"


COLLAPSED = "Nothing learned"  # the headline of a collapsed embedding's verdict without labels


def from_neighbours(shared: float, untrained: float, n: int, rank: float, untrained_rank: float,
                    k: int = NEIGHBOURS, imported: bool = False, whose: str = "the untrained network's") -> Verdict:
    """Verdict without labels, from `shared` (see the module doc) against the untrained
    twin's `untrained`, both over the same `n` images, and the effective ranks of both
    embeddings (health.effective_rank; `untrained_rank` is `whose`: rank_reference); `k`
    nearest images counted. Where nothing could be called learned (too_few_for_neighbours),
    it says so. An `imported` encoder's weights were trained elsewhere: no gain is "no gain
    beyond noise", not "nothing learned yet"."""
    numbers = (f"an image's nearest neighbours share {shared:.1%} with its nearest by raw pixels and colour, "
               f"against {untrained:.1%} for the untrained network ({n} images")
    if rank < COLLAPSED_RANK * untrained_rank:
        return _verdict(NOT_YET, f"{COLLAPSED}: the embedding has collapsed (effective rank {rank:.1f} "
                                 f"against {whose} {untrained_rank:.1f}), so its neighbours cannot show anything "
                                 f"it learned.")
    tolerance = margin(shared, untrained, n)
    if shared >= untrained + tolerance:
        return _verdict(WORSE, f"Worse than untrained: {numbers}); the embedding follows cheap "
                               f"pixel and colour cues more than the untrained network does.")
    if few := too_few_for_neighbours(n, untrained, k):  # walk 13: 5 images, "100.0% against 100.0%"
        return _verdict(NOT_YET, f"Too few images to judge without labels: {numbers}); {few}, so even "
                                 f"neighbours unrelated to the pixels would share about that much, not the quarter "
                                 f"of the untrained network's ({LEARNED_SHARE * untrained:.1%}) that counts as "
                                 f"learned. {LABELS_SETTLE}")
    if shared <= min(untrained - tolerance, LEARNED_SHARE * untrained):
        return _verdict(LEARNED, f"Learned something beyond pixels and colour: {numbers}), below a "
                                 f"quarter of it.")
    if shared <= untrained - tolerance:
        return _verdict(NOT_YET, f"Nothing shown yet: {numbers}); they moved away from the pixels, but runs "
                                 f"that learned nothing on cluttered pictures moved as far (down to a third of "
                                 f"it), so without labels only a fall below a quarter of it "
                                 f"({LEARNED_SHARE * untrained:.1%}) counts, and smaller gains go unseen. "
                                 f"{LABELS_SETTLE}")
    if imported:
        return _verdict(NOT_YET, f"{_knn_words(UNTRAINED_WEIGHTS)[NOT_YET]}: {numbers}), within the "
                                 f"{points(tolerance)} points that noise alone could give.")
    # walk 20: camera frames, grouped by their scene as well by the pixels as by the trained encoder (kNN on the hidden
    # scenes 0.882 untrained, 0.964 trained), read "Nothing learned yet"
    return _verdict(NOT_YET, f"{NOT_SHOWN}: {numbers}), within the {points(tolerance)} points that noise alone could "
                             f"give. Without labels only this is read, how far its neighbours moved from the pixels' "
                             f"own: what an encoder learned of what the pixels already group (frames of a few scenes) "
                             f"does not show here. {LABELS_SETTLE}")


def after_failure(measured: Verdict, unjudgeable: str = "") -> Verdict:
    """The verdict on a run that failed (its message says why), from what it `measured`
    before: never green (its last measurement may be later than its last good checkpoint).
    `unjudgeable` says why Evaluate cannot judge it instead ("before its first checkpoint"),
    empty when its checkpoint can be."""
    if measured == WAITING:
        return _verdict(NOT_YET, "Not judged: the run failed before it measured its encoder against the "
                                 "untrained network.")
    where = (f"The run failed {unjudgeable}; Evaluate has nothing of it to judge." if unjudgeable else
             "The run failed; judge its last good checkpoint on Evaluate.")
    return _verdict(NOT_YET if measured.code == LEARNED else measured.code,
                    f"{where} Its last measurement: {measured.text}")


STOPPED_WORDS = {"cancelled": "It was cancelled at step {step}{of}",
                 "interrupted": "It was interrupted at step {step}{of} (queue it again on the Train page to go on)",
                 "queued": "It waits in the queue to go on from step {step}{of}"}  # a stopped run queued again


def after_stop(measured: Verdict, status: str, step: int, total: int | None) -> Verdict:
    """The verdict on a run stopped at `step` (of about `total`) before its end, `status` one of
    STOPPED_WORDS, from what it `measured` by then, said to be that (walk 32: "Nothing learned yet ...
    6.8 points below the untrained network" over a run cancelled at step 20 of 54, and only the
    Diagnosis said it was cancelled; an interrupted run's red box read as its result on Concepts)."""
    if measured == WAITING or status not in STOPPED_WORDS or (status == "queued" and not step):
        return measured
    of = f" of about {total:,}" if total else ""
    stopped = STOPPED_WORDS[status].format(step=f"{step:,}", of=of)
    return replace(measured, text=f"{measured.text} {stopped}: this is what it had learned by then.")


def while_running(measured: Verdict, step: int, total: int | None, every: int) -> Verdict:
    """A running run's verdict: where it is worse than untrained or collapsed, said to be so far, at `step` (of
    about `total`), checked again every `every` steps. Walk 33: a red "Worse than untrained" at step 57 of a
    678-step run, which ended above the untrained network, read to a class as the run's result; walk 40: "Nothing
    learned: the embedding has collapsed" at step 182 of a BYOL run whose dip recovered by its end."""
    if measured.code != WORSE and measured.headline != COLLAPSED:
        return measured
    of = f" of about {total:,}" if total else ""
    return replace(measured, text=f"{measured.text} So far: the run is at step {step:,}{of} and goes on, and this is "
                                  f"checked again every {every} steps.")


def moved(knn: float, start: float, n: int) -> tuple[int, float]:
    """(1 above, 0 within noise, -1 below; the margin of noise) of kNN accuracy `knn` against
    `start`, both on the same `n` probe images."""
    noise = margin(knn, start, n, KNN_SPREAD)
    return (0 if abs(knn - start) < noise else 1 if knn > start else -1), noise


ON_THE_PROBE = "on the same probe before its first step"  # where the engine measured the start (KNN_START)


def since_start(knn: float, start: float, n: int, name: str, where: str = ON_THE_PROBE) -> str:
    """What a run started from `name`'s weights (train --init) did to them: its kNN accuracy
    `knn` against theirs, `start`, measured `where` on the same `n` images (walk 16: 54.2%
    there, 44.2% after 13 steps, while the verdict spoke of the untrained network only); a
    sentence to follow the verdict."""
    side, noise = moved(knn, start, n)
    change = (f"within the {points(noise)} points that noise alone could give" if not side else
              f"{points(knn, start)} points {'above' if side > 0 else 'below'} them, more than the "
              f"{points(noise)} that noise alone could give")
    return f"It started from the weights of {name}, which scored {start:.1%} {where}: {knn:.1%} is {change}."


def from_start(verdict: Verdict, knn: float, start: float, n: int, name: str, where: str = ON_THE_PROBE) -> Verdict:
    """`verdict` (from_knn's, against the untrained network) on a run started from `name`'s
    weights, which scored `start` where it scores `knn` (on the same `n` images): headed by
    what training did to them (FROM_START; its code kept) and followed by `since_start`."""
    side, _ = moved(knn, start, n)
    if verdict.headline in KNN_HEADLINES and (done := FROM_START.get((verdict.code, side))):
        verdict = replace(verdict, text=done[0] + verdict.text[len(verdict.headline):], colour=done[1])
    return replace(verdict, text=f"{verdict.text} {since_start(knn, start, n, name, where)}")


# a run from other weights: the headline says what training did to them, the code stays the untrained comparison's
# (walk 23: a 5-step run from weights at 90.5% read "Learned something"; one that lost 8 points "Nothing learned yet")
# (its headline, its colour: green only where training added something)
FROM_START = {(LEARNED, 1): ("Learned something beyond its starting weights", COLOURS[LEARNED]),
              (LEARNED, 0): ("No change beyond noise from its starting weights", COLOURS[NOT_YET]),
              (LEARNED, -1): ("Below its starting weights, above the untrained network", COLOURS[NOT_YET]),
              (NOT_YET, -1): ("Worse than its starting weights", COLOURS[NOT_YET])}
# of training: FROM_START's to replace
KNN_HEADLINES = tuple(_knn_words(None)[code] for code in (LEARNED, NOT_YET, "within"))


def from_metrics(metrics: Mapping[str, float], classes: int, unit: str = "images",
                 without_labels: bool = True, start: str | None = None) -> Verdict:
    """The verdict from a run's latest monitor metrics (the engine's names: knn_accuracy and
    knn_untrained with labels, else pixel_shared, pixel_shared_untrained, effective_rank
    and effective_rank_untrained; probe_size); not yet while they are not all measured.
    `unit` and `without_labels` are the run's kind's (kind_words.verdict_words): what its
    dataset holds, and whether the label-free rule is calibrated on it (images only); a run
    of another kind measured without labels (the engine had no usable labels) is not judged.
    `start` names the weights a run started from (its config's init): where the engine measured
    them (KNN_START), the verdict against the untrained network is followed by `since_start`; else
    where it measured the linear probe (ONLINE_PROBE), a gain only that shows is judged `by_probe`."""
    if set(WITH_LABELS) <= set(metrics):
        n, knn, untrained = (metrics[name] for name in WITH_LABELS)
        verdict = from_knn(knn, untrained, int(n), classes, unit=unit, protocol=ONLINE,
                           majority=metrics.get(MAJORITY))
        if not start and set(ONLINE_PROBE) <= set(metrics):  # as Evaluate judges (report.judge)
            verdict = by_probe(verdict, (knn, untrained), tuple(metrics[name] for name in ONLINE_PROBE), int(n),
                               classes, unit=unit, protocol=ONLINE_PROBE_PROTOCOL, majority=metrics.get(MAJORITY))
        started = start and KNN_START in metrics
        return from_start(verdict, knn, metrics[KNN_START], int(n), start) if started else verdict
    if not without_labels and (not classes or "pixel_shared_untrained" in metrics):  # no kNN will come
        found = ("its labels name one class" if classes == 1 else
                 f"its labels ({classes} classes) hold fewer than two classes of two {unit}")
        needed = ("add a label column" if not classes else
                  f"{found}, and the kNN check while training needs two classes of two or more")
        return _verdict(NOT_YET, f"Not judged: without labels only images have a calibrated rule; {needed} "
                                 f"to judge these {unit} against the untrained twin.")
    if set(WITHOUT_LABELS) <= set(metrics):
        n, shared, untrained, rank, untrained_rank = (metrics[name] for name in WITHOUT_LABELS)
        reference, whose = rank_reference(metrics)  # a run from other weights: theirs (walk 23)
        return from_neighbours(shared, untrained, int(n), rank, reference or untrained_rank, whose=whose)
    return WAITING


BASES = {"knn_accuracy": "kNN accuracy", "pixel_shared": "neighbours shared with raw pixels"}  # verdict_basis metrics


def itself(basis: dict | None) -> str:
    """The verdict's words on an untrained network, whose twin is itself: its score on the
    verdict's `basis` (report.judge's), said as the bar a run of it must clear (walk 11 read
    "Nothing learned yet: 37.5% against 37.5%")."""
    score = "" if basis is None else f" ({BASES[basis['metric']]} {basis['value']:.1%})"
    return (f"Nothing to judge: this is the untrained network itself{score}, the baseline that runs of it are "
            f"judged against.")
