"""Every metric of one encoder on one dataset, as one JSON-ready dict: what the Evaluate
page shows and `python -m ssl_core evaluate` prints.

Flow: the dataset's kind gives its evaluation hooks (kinds.py: `KINDS[kind].evaluation()`;
evaluate/image_hooks.py, text/evaluation.py): the items an encoder reads (images, token
ids), the baseline without an encoder (raw pixels, TF-IDF), positive pairs for alignment,
the shortcut check and the network from scratch where the kind has them. Everything else
here works on the features (N, D) alone. The label-efficiency curves beside the encoder's
(its untrained twin, the baseline, the network from scratch) are fitted once per dataset and
settings and kept (kept_curves.py): a second encoder evaluated on the same data reuses them."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..embed import EncoderSource, baseline_of, calibrated, check_kind, compute_features, embed, from_name, load_encoder
from ..kinds import KINDS
from ..store import DatasetInfo, Workspace, WorkspaceError
from ..words import counted
from .departure import shared
from .health import alignment, effective_rank, neighbour_stability, normalised_std, uniformity
from .label_efficiency import (FRACTIONS, Learner, drawn_fractions, fit_workers, fits_per_learner, label_efficiency,
                               linear_learner)
from .knn import fold_scores, knn_cv, voters
from .linear_probe import confusion, linear_probe_predict, per_class_accuracy, probe_accuracy, standardise
from .splits import Labelled, labelled, stratified_folds
from .supervised import SupervisedConfig
from .image_hooks import ImageEvaluation
from .kept_curves import curve_key, keep, kept
from .cues import sentence
from .verdict import (COLOURS, LEARNED, NOT_YET, UNTRAINED_WEIGHTS, Verdict, by_probe, floor, from_knn, from_neighbours,
                      from_start, itself, never_estimated_words)

Progress = Callable[[float, int, str], None]  # (units done, of total, what is under way in words)
# of the report's keys and baselines (4: the untrained twin's BatchNorm statistics estimated on the data; 5: the
# shortcut check's with_classes; 6: its fix offered to a network trained here for an embedding set; 7: to what made
# the embedding (an imported encoder, a run whose recipe holds it already), the label-free verdict's bar in numbers; 8:
# the largest class as the floor of the verdict on unequal classes; 9: no two label-efficiency shares drawing alike;
# 10: an untrained network's verdict says it is the baseline, a held fix's words; 11: no kNN vote reads more
# neighbours than a class can fill, knn.voters; a probe too small for a modest gain, or too few images for the
# label-free rule, said; 12: the floor, what always answering the largest class or chance scores; 13: a score below
# its bar said as one a gain must clear, the background scene by the parts that reach 'most' (walk 15); 14: an
# imported encoder judged against the same network untrained, never 'nothing learned yet' (walk 16); 15: a fix held
# said 'no blur', not 'blur p 0' (walk 17); 16: the largest class the floor from 1.2 times an even share, not 1.5
# (walk 18); 17: no gain without labels 'Not shown without labels', not 'Nothing learned yet', and a cue named
# without labels said to be maybe what the images show (walk 20); 18: the position cue 'where the picture stands
# out', not 'the object's position', said of scenes with no object (walk 20); 19: a run's recipe lacking the fields
# a fix changes told so, not to change them (walk 21));
# a kept report of another format is made again (stored.py); 21: a run from other weights headed by what training did
# to them; 22: an import whose BatchNorm layers were never estimated says so, with its score once they are, and a run
# from one is judged against that score (walk 23); 23: without labels, a run from other weights collapsed against
# their effective rank, not a random network's, and a cue of 0.3 or more as a whole but less beyond the classes said
# (walk 30); 24: a run of fewer than 40 steps told to train longer, not to change its augmentation, for a cue
# (walk 31); 25: a named cue said with the other cues that reach 'most' beside it (walk 32); 26: with labels, a gain
# beyond noise in the linear probe where kNN shows none is a verdict of learned, by the probe (walk 33); 27: a kNN
# gain beside a linear probe fallen below the twin's beyond noise, said so and orange (walk 35); 28: and a probe
# below the twin's within noise said beside a kNN gain (walk 36); 29: an import whose BatchNorm layers were never
# estimated judged with them estimated (walk 38); 30: the margin of noise with one success and one failure added to
# each score, 'No gain beyond noise yet' of a gain within it, 'too easy or too few' labels, the network from scratch
# trained 100 steps or more (walk 40); 31: the shortcut check reads whether grey pictures are kept apart from colour
# ones (walk 41); 32: the label-efficiency curves' largest class scored on their held-out images, and unequal
# classes that leave no room said so (walk 42); 33: where no cue is named, a grey-or-colour split kept apart said in
# the shortcut sentence (walk 43); 34: the edges a cue, colour and brightness read inside them (walk 43); 35: edge
# colour at 'most' beside the named cue points to cutting it off at import (walk 47); 36: nearly black or flat grey
# pictures on neither side of the grey-or-colour split, not in colour (walk 49), and the edge cue said as how the
# edges' colour differs from the rest of the picture (walk 50))
FORMAT = 36
ON_VIEWS = ("alignment", "neighbour_stability")  # measures of augmented views: None without a network to embed them
RAW_PIXELS = ImageEvaluation.baseline_name
SUPERVISED = "supervised from scratch"
LABEL_KEYS = ("knn_accuracy", "knn_accuracy_std", "knn_k", "linear_probe_accuracy", "linear_probe_accuracy_std",
              "folds", "floor", "confusion", "per_class", "label_efficiency")  # None when the dataset has no labels


@dataclass(frozen=True)
class EvaluateConfig:
    """What `report` computes and how; saved in the report."""

    k: int = 20  # neighbours in the kNN vote
    folds: int = 5  # stratified cross-validation folds of the kNN and linear probes
    fractions: tuple[float, ...] = FRACTIONS  # shares of the labels on the label-efficiency curve
    draws: int = 3  # random labelled subsets per fraction (the whole pool is drawn once)
    test_fraction: float = 0.3  # labelled images held out to score the curve
    recipe: str = "simclr"  # augmentation making the views of alignment and neighbour stability
    sample: int = 1000  # images used by alignment, uniformity, neighbour stability, the shortcut check
    neighbours: int = 10  # k of neighbour stability and the shortcut check
    baselines: bool = True  # untrained, raw-pixel (text: TF-IDF) and supervised curves beside the encoder's
    pixel_side: int = 16  # side of the raw-pixel baseline
    supervised: SupervisedConfig = field(default_factory=SupervisedConfig)
    seed: int = 0


class Stages:
    """Counts finished units of work into progress(done, total, doing) and times each stage:
    a stage is one unit, each label-efficiency fit another; a stage that embeds moves `done`
    within its unit as its items are embedded. `doing` says in words what is under way. Until
    `total` is set, work is told with done 0 of 1: its words move, the bar does not."""

    def __init__(self, progress: Progress | None) -> None:
        self.total: int | None = None
        self.done, self.progress = 0, progress
        self.seconds: dict[str, float] = {}
        self.started = time.perf_counter()

    def tell(self, done: float, doing: str) -> None:
        if self.progress is not None:
            self.progress(done if self.total else 0, self.total or 1, doing)

    def within(self, doing: str) -> Callable[[int, int], None]:
        """A (done, total) callback for the items of the stage under way, `doing` them."""
        return lambda done, total: self.tell(self.done + done / max(total, 1), f"{doing} ({done:,} / {total:,})")

    def step(self, doing: str) -> None:
        self.done += 1
        self.tell(self.done, doing)

    def finish(self, name: str, then: str) -> None:
        """The stage called `name` is done: record its time, count one unit; `then`: the next."""
        now = time.perf_counter()
        self.seconds[name] = round(now - self.started, 3)
        self.started = now
        self.step(then)


def sample_of(count: int, config: EvaluateConfig) -> np.ndarray:
    """The sorted rows (config.sample or fewer) of `count` images the sampled metrics use."""
    rng = np.random.default_rng(config.seed)
    return np.sort(rng.choice(count, size=min(config.sample, count), replace=False))


def label_free(ws: Workspace, info: DatasetInfo, items: np.ndarray, features: np.ndarray, source: EncoderSource,
               config: EvaluateConfig, device: str, hooks: Any, progress: Callable[[int, int], None] | None = None
               ) -> dict:
    """The label-free metrics of `features` (N, D) of `items` (N, ...: uint8 images, token
    ids), positive pairs by the kind's `hooks` (`progress(done, total)` counts the sampled
    items embedded); an imported embedding set has no network to embed views with:
    alignment and neighbour stability are None."""
    sample = sample_of(len(items), config)
    if not source.has_network:
        return {"uniformity": uniformity(features[sample]), "effective_rank": effective_rank(features),
                "embedding_std": normalised_std(features), **dict.fromkeys(ON_VIEWS)}
    first, second = hooks.view_pairs(load_encoder(ws, source, info), items[sample], source, config, device, progress)
    return {"alignment": alignment(first, second), "uniformity": uniformity(features[sample]),
            "effective_rank": effective_rank(features), "embedding_std": normalised_std(features),
            "neighbour_stability": neighbour_stability(features, first, sample, config.neighbours)}


def recipe_fit(ws: Workspace, run_id: str, check: dict) -> dict:
    """How run `run_id` meets the fix of the cue its shortcut `check` names, as cues.sentence's
    keywords: "young", its steps where fewer than advice.MIN_LOSS_STEPS (walk 31: a
    1-step run told to try more grayscale beside a Diagnosis saying it made too few steps to
    tell what it groups by from its starting weights); "held", the fields its recipe already holds
    (advice.fix_held; walk 9's run was told to try the salient crops and no blur it trained
    with); "lacks", those it lacks (advice.fix_lacking; walk 21's MAE run was told to raise a
    `gray_p` it has not); "recipe", its recipe's name. Each empty (None) where none."""
    from .. import jobs
    from .advice import MIN_LOSS_STEPS, fix_held, fix_lacking, recipe_dict

    run = jobs.get_run(ws, run_id)
    recipe = recipe_dict(jobs.run_config(run))
    return {"young": run["step"] if run["step"] < MIN_LOSS_STEPS else None,
            "held": fix_held(recipe, check["cue"], check["level"]), "lacks": fix_lacking(recipe, check["cue"]),
            "recipe": recipe["name"]}


def probes(features: np.ndarray, labels: Labelled, config: EvaluateConfig) -> dict:
    """kNN and linear-probe accuracy (mean, std over folds), the neighbours each kNN vote had
    (`knn_k`: config.k, or fewer where a class's images in the other folds are fewer: knn.voters), the probe's confusion
    matrix and per-class accuracy, from features (L, D) of the labelled images."""
    folds = stratified_folds(labels.codes, config.folds, config.seed)
    knn = knn_cv(features, labels.codes, folds, config.k)
    predicted = linear_probe_predict(standardise(features), labels.codes, folds, config.seed)
    probe = fold_scores(labels.codes, predicted, folds)
    matrix = confusion(labels.codes, predicted, len(labels.classes))
    least, level = floor(labels.largest_share(), len(labels.classes))
    return {"knn_accuracy": knn["mean"], "knn_accuracy_std": knn["std"],
            "knn_k": voters(config.k, labels.codes, folds),  # as knn_predict caps it
            "linear_probe_accuracy": probe["mean"], "linear_probe_accuracy_std": probe["std"],
            "folds": len(probe["folds"]),
            "floor": {"name": least.removeprefix("the "), "accuracy": level},  # what knowing nothing scores
            "confusion": {"classes": labels.classes, "matrix": matrix.tolist()},
            "per_class": dict(zip(labels.classes, per_class_accuracy(matrix).tolist()))}


def too_few_labels(given: Sequence[str | None], unit: str) -> str | None:
    """What the labels `given` (N,), None where unlabelled, hold, to say why they are too few
    to probe (`splits.labelled` found no two classes of two); None when there are none."""
    counts = Counter(label for label in given if label is not None)
    return labels_held(counts, unit) if counts else None


def labels_held(counts: Mapping[str, int], unit: str) -> str:
    """What label `counts` ({class: labelled items}) hold, in words: '40 labelled images in 2
    classes, 1 with two or more'."""
    twice = sum(count >= 2 for count in counts.values())
    return (f"{sum(counts.values()):,} labelled {unit} in {len(counts):,} class{'es' if len(counts) != 1 else ''}, "
            f"{twice:,} with two or more")


def protocol_of(folds: np.ndarray) -> str:
    """How a verdict's kNN was measured over fold ids (N,) (splits.stratified_folds): '5-fold cross-validation'."""
    return f"{int(folds.max()) + 1}-fold cross-validation"


def judge(untrained: np.ndarray, items: np.ndarray, features: np.ndarray, labels: Labelled | None,
          found: dict, config: EvaluateConfig, twin: bool = True, hooks: Any = ImageEvaluation(),
          given: Sequence[str | None] = (), imported: bool = False,
          start: tuple[str, np.ndarray] | None = None) -> dict:
    """The verdict (verdict.py) on `features` (N, D) against its untrained twin's
    `untrained` (N, D), on the same items: the kNN accuracy `found` in the report against
    the twin's over the same folds with labels, else `pixel_shared` over the same sample
    (images only: the kind's `hooks` give no cheap neighbours for text, which is then not
    judged without labels, its sentence saying whether the dataset's labels `given` (N,),
    None where unlabelled, are absent or too few). Without a `twin` (an imported embedding
    set) `untrained` is the baseline's (raw pixels), and only labels can judge. An `imported`
    encoder's weights were trained elsewhere: its sentence compares them with UNTRAINED_WEIGHTS
    and never says "nothing learned yet" (walk 16), there being no run to wait for. A run from
    other weights (`start`: their name and features (N, D)) is headed, with labels, by what
    training did to them on the same folds (verdict.from_start; walk 24: "Worse than its
    starting weights" on the Train page, "Nothing learned yet" here); without labels, its collapse
    is read against their effective rank. Keys: verdict,
    verdict_text, verdict_colour, verdict_basis {metric, value, untrained, images, start; probe, probe_untrained
    where the kNN found a gain or none (not worse, not from other weights): the linear probe's accuracy and the
    twin's on the same folds, which by_probe reads}."""
    if labels is not None:
        folds = stratified_folds(labels.codes, config.folds, config.seed)
        basis = {"metric": "knn_accuracy", "value": found["knn_accuracy"],
                 "untrained": knn_cv(untrained[labels.indices], labels.codes, folds, config.k)["mean"],
                 "images": len(labels)}
        words = {"unit": hooks.unit, "protocol": protocol_of(folds),
                 **({"baseline": UNTRAINED_WEIGHTS} if imported else {} if twin else {"baseline": hooks.baseline_name})}
        verdict = from_knn(basis["value"], basis["untrained"], basis["images"], len(labels.classes), **words,
                           majority=labels.largest_share())
        if verdict.code in (NOT_YET, LEARNED) and start is None:  # a gain only a linear probe shows, or its fall
            basis["probe"] = found["linear_probe_accuracy"]
            basis["probe_untrained"] = probe_accuracy(untrained[labels.indices], labels.codes, config.folds,
                                                      config.seed)  # on the folds `probes` used
            verdict = by_probe(verdict, (basis["value"], basis["untrained"]),
                               (basis["probe"], basis["probe_untrained"]), basis["images"], len(labels.classes),
                               **words, majority=labels.largest_share())
        if start is not None:
            basis["start"] = knn_cv(start[1][labels.indices], labels.codes, folds, config.k)["mean"]
            verdict = from_start(verdict, basis["value"], basis["start"], basis["images"], start[0],
                                 f"on the same {words['protocol']}")
    elif not twin:
        return {**Verdict(NOT_YET, "Nothing to judge against: an imported embedding set has no untrained twin, and "
                                   "without labels its neighbours cannot be checked against raw pixels' (that "
                                   "rule is calibrated on untrained twins).", COLOURS[NOT_YET]).to_json(),
                "verdict_basis": None}
    elif (cheap := hooks.cheap_neighbours(items, config.neighbours, sample := sample_of(len(items), config))) is None:
        few = too_few_labels(given, hooks.unit)
        said = ("Not judged: without labels only images have a calibrated rule (neighbours moving away from the "
                "pixels'); add a label column to judge this text encoder against its untrained twin." if few is None
                else f"Not judged: the labels are too few to judge this text encoder against its untrained twin "
                     f"({few}; the kNN check needs two classes with two {hooks.unit} each), and without them only "
                     f"images have a calibrated rule: label more {hooks.unit}.")
        return {**Verdict(NOT_YET, said, COLOURS[NOT_YET]).to_json(), "verdict_basis": None}
    else:
        basis = {"metric": "pixel_shared", "value": shared(features, cheap, sample),
                 "untrained": shared(untrained, cheap, sample), "images": len(sample)}
        # a run from other weights collapsed against theirs, not a random network's (walk 30: a run that made no step
        # from an import at 5% of its random twin's rank was called collapsed; walk 23 on the Train page)
        reference, whose = ((effective_rank(start[1]), "its starting weights'") if start is not None
                            else (effective_rank(untrained), "the untrained network's"))
        verdict = from_neighbours(basis["value"], basis["untrained"], basis["images"], found["effective_rank"],
                                  reference, config.neighbours, imported, whose)
    return {**verdict.to_json(), "verdict_basis": basis}


ESTIMATED_WORDS = "embedding the images with its BatchNorm statistics estimated on them"


def never_estimated_norms(ws: Workspace, info: DatasetInfo, items: np.ndarray, source: EncoderSource,
                          labels: Labelled | None, config: EvaluateConfig, device: str,
                          progress: Callable[[int, int], None] | None = None) -> dict | None:
    """Where imported encoder `source` has BatchNorm layers with a new layer's statistics
    (calibration.never_estimated), {"layers": how many, "knn_accuracy": its kNN accuracy on the
    same folds with them estimated on `info`'s images (`items`) as its untrained twin's are
    (None without labels)}; else None. Its own features stay the file's."""
    layers, features = estimated(ws, info, items, source, device, progress, measure=labels is not None)
    if not layers:
        return None
    if features is None:
        return {"layers": layers, "knn_accuracy": None}
    folds = stratified_folds(labels.codes, config.folds, config.seed)
    return {"layers": layers, "knn_accuracy": knn_cv(features[labels.indices], labels.codes, folds, config.k)["mean"]}


def judged_estimated(found: dict, norms: dict, labels: Labelled | None, config: EvaluateConfig, unit: str) -> dict:
    """The verdict keys of an imported encoder whose BatchNorm layers never saw data (`norms`, never_estimated_norms):
    with labels, judged on its kNN accuracy with them estimated, as its untrained twin's are, against the twin's on
    the same folds (the report's `found` basis), its score as saved said beside; without, `found`'s verdict with a
    sentence on them. verdict_basis keeps the score as saved as its value, the judged one under norms_estimated."""
    basis = {**(found["verdict_basis"] or {}), "norms_estimated": norms}
    if norms["knn_accuracy"] is None or basis.get("metric") != "knn_accuracy":
        return {"verdict_basis": basis,
                "verdict_text": found["verdict_text"] + never_estimated_words(norms["layers"], unit, None)}
    verdict = from_knn(norms["knn_accuracy"], basis["untrained"], basis["images"], len(labels.classes),
                       baseline=UNTRAINED_WEIGHTS, unit=unit,
                       protocol=protocol_of(stratified_folds(labels.codes, config.folds, config.seed)),
                       majority=labels.largest_share())
    said = verdict.to_json()
    return {**said, "verdict_text": said["verdict_text"] + never_estimated_words(norms["layers"], unit, basis["value"]),
            "verdict_basis": basis}


def estimated(ws: Workspace, info: DatasetInfo, items: np.ndarray, source: EncoderSource, device: str,
              progress: Callable[[int, int], None] | None = None, measure: bool = True
              ) -> tuple[int, np.ndarray | None]:
    """(how many of imported encoder `source`'s BatchNorm layers never saw data (calibration.
    never_estimated), its features (N, D) of `info`'s `items` with them estimated there as an
    untrained twin's are: None where there are none, or not to `measure`)."""
    from ..models.calibration import never_estimated

    encoder = load_encoder(ws, source)
    layers = never_estimated(encoder)
    if not layers or not measure:
        return layers, None
    return layers, compute_features(calibrated(ws, encoder, source, info), items, source.image_size, device=device,
                                    progress=progress)


def start_of(ws: Workspace, info: DatasetInfo, items: np.ndarray, source: EncoderSource, device: str,
             progress: Callable[[int, int], None] | None = None) -> tuple[str, np.ndarray] | None:
    """(name, features (N, D) of `info`'s `items`, embedded with `progress`) of the weights run
    `source` started from (train --init), else None: a run from random weights, or a start
    since deleted. An import whose BatchNorm layers never saw data is read with them estimated,
    as the engine measured it before the run's first step."""
    from .. import jobs

    name = jobs.started_from(jobs.get_run(ws, source.run_id)) if source.run_id else None
    try:
        start = from_name(ws, name) if name else None
    except WorkspaceError:  # the import or run it started from is gone
        return None
    if start is None:
        return None
    if start.imported is not None and (found := estimated(ws, info, items, start, device, progress))[0]:
        return name, found[1]
    return name, np.array(embed(ws, info.name, start, progress=progress, device=device).features)


def baseline_keys(ws: Workspace, info: DatasetInfo, source: EncoderSource, config: EvaluateConfig, device: str,
                  hooks: Any = ImageEvaluation(), progress: Callable[[int, int], None] | None = None
                  ) -> dict[str, str]:
    """{curve name: kept_curves key} of the curves beside the encoder's, in the order drawn:
    its untrained twin (unless it is its own; embedded here, `progress(done, total)` counting
    its items), the kind's baseline (raw pixels, TF-IDF) and the network from scratch where
    the kind has one; none without config.baselines."""
    if not config.baselines:
        return {}
    keys, baseline = {}, baseline_of(source)
    if baseline != source:
        twin = embed(ws, info.name, baseline, progress=progress, device=device)
        keys[baseline.label] = curve_key(info, config, device, baseline.label, (baseline.key, twin.made))
    for name in [hooks.baseline_name, *([SUPERVISED] if hooks.from_scratch else [])]:
        keys[name] = curve_key(info, config, device, name)
    return keys


def learners(ws: Workspace, dataset_name: str, items: np.ndarray, features: np.ndarray, source: EncoderSource,
             labels: Labelled, config: EvaluateConfig, device: str, hooks: Any = ImageEvaluation(),
             beside: Collection[str] = ()) -> dict[str, Learner]:
    """The label-efficiency learners: a linear probe on this source, then one for each curve
    named in `beside` (names `baseline_keys` gives, less those kept_curves.py has): a linear
    probe on the untrained twin or on the kind's baseline (raw pixels, TF-IDF), or the
    network from scratch (images)."""
    codes, rows = labels.codes, labels.indices
    out = {source.label: linear_learner(features[rows], codes, config.seed)}
    for name in beside:
        if name == SUPERVISED:
            out[name] = hooks.supervised(items[rows], codes, config)
        elif name == hooks.baseline_name:
            baseline = hooks.baseline(ws, ws.dataset(dataset_name), items, config)
            out[name] = linear_learner(baseline[rows], codes, config.seed)
        else:  # the untrained twin
            untrained = np.array(embed(ws, dataset_name, baseline_of(source), device=device).features)
            out[name] = linear_learner(untrained[rows], codes, config.seed)
    return out


def report(ws: Workspace, dataset_name: str, source: EncoderSource, progress: Progress | None = None,
           config: EvaluateConfig | None = None, device: str = "auto") -> dict:
    """Every metric of encoder `source` on dataset `dataset_name`, JSON-serialisable.

    Keys: format, dataset, source {label, key, encoder, image_size, run_id}, images, labelled,
    config; verdict, verdict_text, verdict_colour, verdict_basis (see `judge`); label-free:
    alignment, uniformity, effective_rank, embedding_std, neighbour_stability, shortcut (see
    shortcut.shortcut_check; None for text); with labels (else None): knn_accuracy, knn_accuracy_std,
    linear_probe_accuracy, linear_probe_accuracy_std, folds, confusion {classes, matrix},
    per_class {class: accuracy}, label_efficiency (see label_efficiency.label_efficiency;
    curves named by source label, then the kind's baseline ("raw pixels", "TF-IDF"), then
    "supervised from scratch" for images); seconds {stage:
    wall time}. `progress(done, total, doing)` is called after each stage, each
    label-efficiency fit and each batch embedded (Stages).
    """
    from ..devices import pick_device

    config = config or EvaluateConfig()
    device_name = pick_device(device).type
    info = ws.dataset(dataset_name)
    check_kind(info, source)  # before the twin's baseline keys: an error names the encoder asked for
    hooks = KINDS[info.kind].evaluation()
    if info.image_count < 2:  # neighbours, pairs and spreads need two
        raise ValueError(f"dataset {info.name!r} holds {counted(info.image_count, hooks.unit)}: evaluation "
                         f"compares {hooks.unit} with each other and needs at least two")
    given = ws.labels(info)
    labels = labelled(given)
    stages = Stages(progress)
    untrained_words = f"embedding the {hooks.unit} with the untrained network"
    keys = ({} if labels is None else
            baseline_keys(ws, info, source, config, device_name, hooks, stages.within(untrained_words)))
    known = kept(ws, info, keys)  # curves an earlier evaluation on this dataset fitted
    stages.total = 4 if labels is None else 6 + (1 + len(keys) - len(known)) * fits_per_learner(
        drawn_fractions(labels.codes, config.fractions, config.test_fraction, config.seed), config.draws)
    features = np.array(embed(ws, dataset_name, source, stages.within(f"embedding the {hooks.unit}"),
                              device=device_name).features)
    items = hooks.items(ws, info, source)
    stages.finish("embed", "the label-free measures")
    out: dict = {"format": FORMAT, "dataset": dataset_name,
                 "source": {"label": source.label, "key": source.key, **asdict(source)}, "images": len(items),
                 "labelled": 0 if labels is None else len(labels), "config": asdict(config)}
    out.update(label_free(ws, info, items, features, source, config, device_name, hooks,
                          stages.within(f"embedding two augmented views of sampled {hooks.unit}")))
    stages.finish("label_free", "the shortcut check")
    made_by = ("run" if source.run_id else "vectors" if not source.has_network else
               "imported" if source.imported else "untrained")
    out["shortcut"] = hooks.shortcut(features, items, labels, config, made_by)  # None for text
    named = made_by == "run" and out["shortcut"] and out["shortcut"]["cue"]  # a cue, and a fix to offer for it
    fit = recipe_fit(ws, source.run_id, out["shortcut"]) if named else {}
    if fit.get("young") is not None or fit.get("held") or fit.get("lacks"):
        out["shortcut"]["words"] = out["shortcut"]["verdict"] = sentence(
            out["shortcut"]["cue"], out["shortcut"]["scores"], made_by, labelled=labels is not None, **fit)
    stages.finish("shortcut", "the verdict" if labels is None else "kNN and the linear probe")
    out.update(dict.fromkeys(LABEL_KEYS))
    if labels is not None:
        out.update(probes(features[labels.indices], labels, config))
        stages.finish("probes", "the label-efficiency curves")
        curves = learners(ws, dataset_name, items, features, source, labels, config, device_name, hooks,
                          [name for name in keys if name not in known])
        fitted = label_efficiency(curves, labels.codes, config.fractions, config.draws, config.test_fraction,
                                  config.seed, workers=fit_workers(),
                                  progress=lambda done, total: stages.step(f"the label-efficiency curves: fit "
                                                                           f"{done:,} of {total:,}"))
        keep(ws, info, keys, {name: points for name, points in fitted["curves"].items() if name in keys})
        fitted["curves"] = {name: known[name] if name in known else fitted["curves"][name]
                            for name in [source.label, *keys]}  # the source's first, as drawn
        fitted["supervised"] = asdict(config.supervised) if SUPERVISED in fitted["curves"] else None
        out["label_efficiency"] = fitted
        stages.finish("label_efficiency", "the verdict")
    twin = source.has_network
    untrained = (np.array(embed(ws, dataset_name, baseline_of(source), stages.within(untrained_words),
                                device=device_name).features) if twin
                 else hooks.baseline(ws, info, items, config))
    out.update(judge(untrained, items, features, labels, out, config, twin, hooks, given, made_by == "imported",
                     start_of(ws, info, items, source, device_name, stages.within(f"embedding the {hooks.unit} "
                                                                                       "with its starting weights"))))
    if made_by == "imported" and (norms := never_estimated_norms(ws, info, items, source, labels, config, device_name,
                                                                  stages.within(ESTIMATED_WORDS))):
        out.update(judged_estimated(out, norms, labels, config, hooks.unit))
    if made_by == "untrained":  # its twin is itself: the basis stays, as the bar a run of it must clear
        out["verdict_text"] = itself(out["verdict_basis"])
    stages.finish("verdict", "done")
    out["seconds"] = stages.seconds
    return out
