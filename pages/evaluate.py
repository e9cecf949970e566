"""Evaluate: does self-supervision pay off on this data? Label efficiency against the
baselines, probes, label-free health, the shortcut check; several runs side by side."""

from __future__ import annotations

import hashlib
import json
from functools import partial

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import access, current
from app import evaluation_queue as evaluations
from app.class_floor import floor_words
from app.collapse_note import one_direction_note
from app.current import pick_dataset
from app.diagnosis import diagnosis_panels
from app.eval_curves import efficiency_figure, sides_words, twin_key, twin_names
from app.sources import source_choices, trained_on_copies
from app.state import workspace
from app.training_spent import spent_words
from app.maps import built_once
from app.section_jump import LABEL_EFFICIENCY, section
from app.widgets import (cancel_button, cancelled, escape_markdown, escape_plotly, framed, kept_multiselect, png_uri,
                         verdict_box)
from ssl_core import embed, jobs
from ssl_core.data.labels import too_few_to_probe
from ssl_core.evaluate.cue_view import cue_pictures, evidence_title, shown_cue
from ssl_core.evaluate.cues import CUES, cue_name
from ssl_core.evaluate.explanations import explained
from ssl_core.evaluate.grey_split import grey_split_words, kept_apart
from ssl_core.evaluate.payoff import payoff_words
from ssl_core.evaluate.report import ON_VIEWS, labels_held
from ssl_core.evaluate.stored import evaluate, stored_report
from ssl_core.evaluate.verdict import LEARNED, judged_by_probe, reads_probe
from ssl_core.kind_words import LABELS_FROM
from ssl_core.kinds import KINDS
from ssl_core.words import agreeing, counted, listed

HEALTH = ("alignment", "uniformity", "effective_rank", "embedding_std", "neighbour_stability")
CANCEL_KEY = "evaluate_cancel"
# session key: the current encoder as this page last left it; one picked on another page since opens this page on it
SEEN = "evaluate_encoder_seen"
SWATCH = 24  # px of a colour or brightness swatch under each evidence thumbnail
COLUMNS = {"knn_accuracy": "kNN accuracy", "linear_probe_accuracy": "linear probe",
           **{name: name.replace("_", " ") for name in HEALTH}}

ws = workspace()
st.title("Evaluate")
st.caption("Self-supervised learning exists to need fewer labels. Here the labels (if the dataset has any) "
           "are used for the first time, to judge the encoders: how accurate a classifier on their "
           "features is with 1% to 100% of the labels, against a baseline without an encoder (raw pixels; for "
           "text, TF-IDF word weights), the untrained encoder and (images) a network trained from scratch. "
           "Without labels, label-free health metrics still judge them.")

top = st.columns([1, 3])
dataset = pick_dataset(top[0], ws, "evaluate_dataset")
hooks = KINDS[dataset.kind].evaluation()  # the kind's words: what it counts, its baselines
by_key = source_choices(ws, dataset, elsewhere=True)  # runs of other datasets too, judged on these pictures
choices = dict(by_key.values())  # {name: source}
here = {run["id"]: run for run in jobs.list_runs(ws) if run["dataset"] == dataset.name or run["dataset_deleted"]}
trained = [label for label, source in choices.items() if source.run_id in here]
picked = f"evaluate_sources_{dataset.id}"
key_of = {name: key for key, (name, _) in by_key.items()}
copies = trained_on_copies(ws, dataset, by_key)
default = ([current.encoder_key()] if current.encoder_key() in by_key  # the encoder the other pages show
           else [current.first_choice([key_of[label] for label in trained])] if trained
           else [current.first_choice(copies)] if copies
           else [key for key, (_, source) in by_key.items() if source.run_id is None][:1])
moved = st.session_state.get(SEEN, current.encoder_key()) != current.encoder_key()  # picked on another page
chosen = [by_key[key][0] for key in kept_multiselect(  # walk 25: a run's name changes when another is named alike
    top[1], "Encoders to judge", list(by_key), picked, default, fresh=moved, format_func=lambda key: by_key[key][0],
    wrap=True,
    help="Pick two or more runs to compare methods or settings on the same data. Runs trained on another dataset "
         "are offered too, named with it: a run judged on a labelled copy of the pictures it trained on, or on "
         "other data.")]
if not chosen:
    st.info("Pick at least one encoder.")
    st.stop()
first = key_of[chosen[0]]
if by_key[first][1].run_id in {*here, None} or first in copies:  # the other pages follow; of other datasets they
    current.set_encoder(first)  # offer the runs of the same pictures only
st.session_state[SEEN] = current.encoder_key()
if not dataset.has_labels:
    st.warning("This dataset has no labels: only the label-free metrics can be computed. Labels come from "
               f"{LABELS_FROM[dataset.kind]} at import (Data page).")
elif too_few_to_probe(counts := ws.label_counts(dataset)):
    st.warning(f"The labels are too few to judge with ({labels_held(counts, hooks.unit)}): kNN accuracy and the "
               f"linear probe need two classes with two {hooks.unit} each, so only the label-free metrics are "
               "computed.")

reports = {label: stored_report(ws, dataset.name, choices[label]) for label in chosen}
missing = [label for label, found in reports.items() if found is None]
if missing:
    keys = {label: (str(ws.root), dataset.name, choices[label].key) for label in missing}
    if cancelled(CANCEL_KEY):  # the evaluations shown, queued or running, stop at their next progress report
        for label in missing:
            if job := evaluations.active(keys[label]):
                job.cancel.set()
        st.info("Evaluation cancelled: an encoder's report is stored only once its evaluation has finished.",
                icon=":material/cancel:")
    under_way = [job for label in missing if (job := evaluations.active(keys[label]))]
    large = (", minutes with a large imported one (a ResNet-18 reading 224 px took 3 minutes for the 2,000 shapes)"
             if dataset.kind == "image" else "")  # measured in walk 8: 183 s, most of it embedding at 224 px
    asking, pressed = st.empty(), False  # the count and the button, gone once pressed (walk 24: both stayed)
    if not under_way:
        with asking.container():
            st.caption(f"{counted(len(missing), 'encoders')} not evaluated yet: about a minute each on a CPU for a "
                       f"few thousand {hooks.unit} with the app's own small encoders{large}.")
            pressed = st.button(f"Evaluate {counted(len(missing), 'encoders')}", type="primary",
                                icon=":material/analytics:")
    if under_way or pressed:
        asking.empty()
        st.caption("The server evaluates these encoders, asked here or by another visitor, and keeps each report: "
                   "closing this page does not stop it.")
        cancel_button(CANCEL_KEY, "Each encoder's report is stored when it is done. Cancel stops the evaluations "
                                  "shown here for every visitor waiting on them.")
        jobs_waited = under_way or [evaluations.submit(keys[label], label, partial(evaluate, ws, dataset.name,
                                                                                 choices[label]))
                                    for label in missing]
        evaluations.wait(jobs_waited)
        failed = [job for job in jobs_waited if job.state == evaluations.FAILED]
        for job in failed:
            if not isinstance(job.error, ValueError):  # not data it cannot judge: as a failure on the page was
                raise job.error
            st.error(escape_markdown(str(job.error)))  # data it cannot judge (a single image): said, reports kept
        if not failed:
            st.rerun()
done = {label: report for label, report in reports.items() if report is not None}
if not done:
    st.stop()
offered = {choices[label].encoder: (label, choices[label].image_size) for label in done  # untrained ones judged
           if choices[label].has_network and not (choices[label].run_id or choices[label].imported)}
for label, report in done.items():  # the overall verdict first, one per encoder
    verdict_box(report["verdict_colour"], f"**{escape_markdown(label)}**: {report['verdict_text']}")
    source = choices[label]
    if source.run_id and (beside := offered.get(source.encoder)) and beside[1] != source.image_size:
        st.caption(f"{escape_markdown(label)} is judged against its own untrained twin, reading images at "
                   f"{source.image_size} px as the run does; {escape_markdown(beside[0])}, judged here, reads them at "
                   f"{beside[1]} px as the default run does, so the two untrained scores differ.")  # walk 12: BYOL
    start = jobs.started_from(here[source.run_id]) if source.run_id in here else None
    if start and not any(choices[other].label == start for other in done):  # walk 16: judged from random weights only
        pickable = any(other.label == start for other in choices.values())
        st.caption(escape_markdown(f"It started from the weights of {start}: " + (  # under its verdict
            f"judge {start} beside it (Encoders to judge) to see what the run changed on these labels." if pickable
            else f"{start} is no longer in the workspace, so only the untrained network is judged beside it.")))
    if source.run_id in here and (online := jobs.run_verdict(ws, source.run_id)).code != report["verdict"]:
        st.caption(f"The Train page said otherwise, from the run's own check during training: {online.text} That "
                   + ("one reads kNN alone; the gain shows here in the linear probe, not in the neighbours."
                      if judged_by_probe(report)
                      else "one is leave-one-out on the run's probe; this page cross-validates the saved checkpoint, "
                           "so a gain close to the margin of noise can pass one and not the other."))

@st.cache_data(show_spinner=False, max_entries=16)
def copies_among_labelled(dataset_id: str, _dataset) -> tuple[int, int]:
    """(labelled images with an exact copy among the labelled ones, labelled images) of a dataset, once per dataset
    id (its pixels and labels are fixed at import), not on every rerun: every row's label read, the digests sorted."""
    return ws.copied(_dataset, labelled=True), sum(ws.label_counts(_dataset).values())


copied, labelled_count = copies_among_labelled(dataset.id, dataset) if any(r["labelled"] for r in done.values()) \
    else (0, 0)
if copied:
    # walk 38: 30 exact copies among 600 pictures in a kNN of 90.8%, unsaid here (the import had warned of them);
    # walk 39: copies whose other side is unlabelled are no vote, and were counted
    st.caption(f"{copied:,} of the dataset's {labelled_count:,} labelled images have "
               "an exact copy among them (the same stored pixels): kNN finds an image's copy first among the "
               "labelled images it votes with, the untrained network's kNN too, so both score higher than they would "
               "without copies.")

judged_runs = {label: here[choices[label].run_id] for label in done if choices[label].run_id in here}
if len(judged_runs) > 1:  # what each run's minutes bought (walk 21: 175 to 1,180 steps in 1.5 minutes, unsaid)
    final = jobs.final_metrics(ws, [run["id"] for run in judged_runs.values()])
    if said := spent_words({label: jobs.run_summary(ws, run, final.get(run["id"], {}))
                            for label, run in judged_runs.items()}):
        st.caption(escape_markdown(said))


def digest(reports: dict) -> str:
    """What a figure of `reports` depends on, in 64 hex digits."""
    return hashlib.sha256(json.dumps(reports, sort_keys=True, default=str).encode()).hexdigest()


def metrics_table(found: dict[str, dict]) -> pd.DataFrame:
    """One row per measure, one column per judged encoder: it fits a 1024 px window (a
    column per measure did not: the last ones scrolled out of view)."""
    return pd.DataFrame([{"measure": column, **{label: r[name] for label, r in found.items()}}
                         for name, column in COLUMNS.items()])


def short(label: str) -> str:
    """The picker's `label` without what an import says of itself ("r10", not "r10 (timm:resnet10t,
    imported from r10.safetensors)"); a run keeps its name, not its id (walk 17 read the id)."""
    return choices[label].imported or label


def shortcut_word(report: dict) -> str:
    """The cue the shortcut check found ("groups by colour (some)"), none, or that it could not
    tell the cues that go with the classes from them (cues.with_classes): "no cue beyond the
    classes (colour ...)"."""
    shortcut = report["shortcut"]
    if not shortcut or shortcut["level"] is None:  # none for text, tiny or uniform sets
        return "not checked"
    if shortcut["flagged"]:  # in words: walk 12 read "background_texture"; walk 25 a cue's name alone, no verb
        return f"groups by {cue_name(shortcut['flagged'])} ({shortcut['level']})"
    tied = [CUES[name].short for name in shortcut["with_classes"]]
    said = (f"no cue beyond the classes ({listed(tied)} {agreeing(len(tied), 'goes', 'go')} with them)" if tied
            else "no cheap cue explains its neighbours")
    # walk 43: 'no cheap cue explains its neighbours' of a scan-style embedding, 90% of grey pictures' neighbours grey
    return said + ("; it keeps the grey pictures apart" if kept_apart(shortcut.get("grey_split")) else "")


st.subheader("Metrics")
st.dataframe(metrics_table(done), hide_index=True, width="stretch", placeholder="–",  # not "None": not measured
             column_config={"measure": st.column_config.TextColumn(width="medium"),  # headed by the short name (walk
                            **{label: st.column_config.NumberColumn(short(label), help=label, format="%.3f")
                               for label in done}})  # 16: the third of three pickers' labels was off the right edge)
if len(done) > 2:  # walk 18: four encoders, the last column cut at "untrained sma", unsaid (Train's table says it)
    st.caption("Where its last columns are cut, the table scrolls sideways; hover a column's name for the whole of it.")
if said := floor_words(done, hooks.unit):
    st.caption(said)
twins = {label: next((name for name, other in choices.items() if other.encoder == choices[label].encoder  # its
                      and other.has_network and not (other.run_id or other.imported)), None)  # network untrained
         for label in done if choices[label].run_id or choices[label].imported}
if (missing := sorted({twin for twin in twins.values() if twin and twin not in done})) and not said:
    st.caption(escape_markdown(  # walk 20: alignment 0.147, uniformity -0.843 ... with nothing to read them against
        f"Without labels these numbers read best beside the same network untrained: add {listed(missing)} in "
        "Encoders to judge, and its column shows what training changed."))
for label in done if dataset.kind == "image" else ():  # walk 46: Retrieval said an imported encoder's features
    if (emb := embed.cached(ws, dataset, choices[label])) is not None:  # lay along one line, Evaluate did not
        one_direction_note(emb, label, "its scores on Retrieval")
for label, r in done.items():  # an embedding set: vectors of the dataset's images only, no network to embed views
    if names := [COLUMNS[name] for name in ON_VIEWS if r.get(name, 0) is None]:
        compare = agreeing(len(names), "it compares", "they compare")
        st.caption(f"**{escape_markdown(label)}**: no {listed(names)}: {compare} two augmented views of each image, "
                   "which an embedding set (vectors only, no network) cannot embed.")
if dataset.kind == "text":  # "not checked" read as if it could have been
    st.caption("Shortcut check: does not apply to text; it looks for picture cues (colour, texture, layout, "
               "position) that explain an image embedding's neighbours.")
else:
    st.caption("Shortcut check: " + "; ".join(f"**{escape_markdown(short(label))}** – {shortcut_word(r)}"
                                              for label, r in done.items()))  # short names, as the table's; a
    # dash, not a colon, after them: walk 26 read "SimCLR · 1 min · 04:56:05: groups by"
with st.expander("What good looks like", icon=":material/help:"):
    for name in ("knn_accuracy", "linear_probe_accuracy", *HEALTH, "shortcut"):
        st.markdown(f"**{COLUMNS.get(name, name)}**: {explained(name, hooks)}")  # "kNN accuracy", as the table


MANY_CLASSES = 10  # walk 10's 24-class matrix, 170 px square in half the page, named every other class


@access.fragment  # not st.fragment: its reruns pass the sign-in too
def confusions(labelled: dict[str, dict]) -> None:
    """The encoder picker and its confusion matrix and per-class accuracy: a new pick
    reruns this panel only."""
    focus = st.selectbox("Encoder", list(labelled), key="evaluate_focus")
    confusion, per_class = labelled[focus]["confusion"], labelled[focus]["per_class"]
    classes = len(confusion["classes"])  # beyond MANY_CLASSES: one figure under the other, full width, taller
    left, right = (st.container(), st.container()) if classes > MANY_CLASSES else st.columns(2)
    height = max(420, 22 * classes + 140)
    matrix = np.array(confusion["matrix"], dtype=float)
    shares = matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    focus_key = digest({focus: labelled[focus]})
    left.plotly_chart(built_once("confusion", focus_key, lambda: go.Figure(go.Heatmap(
        z=shares, x=list(map(escape_plotly, confusion["classes"])), y=list(map(escape_plotly, confusion["classes"])),
        colorscale="Blues", zmin=0, zmax=1, colorbar=dict(title="share of its row", tickformat=".0%"),
        text=matrix.astype(int), texttemplate="%{text}",  # counts written, shares coloured: a row of 400 read as %
        hovertemplate="true %{y}, predicted %{x}: %{text} (%{z:.0%} of its row)<extra></extra>"),
        layout=dict(title=f"Confusion matrix of the linear probe<br><sup>rows: true class; counts of "
                          f"{int(matrix.sum()):,} cross-validated predictions</sup>", height=height,
                    xaxis=dict(dtick=1, title="predicted class"),  # every class named
                    yaxis=dict(autorange="reversed", dtick=1, title="true class"),
                    margin=dict(l=10, r=10, t=50, b=10)))),
        key="evaluate_confusion")
    right.plotly_chart(built_once("per_class", focus_key, lambda: go.Figure(
        go.Bar(x=list(map(escape_plotly, per_class)), y=list(per_class.values()), marker_color="#5B5BD6"),
        layout=dict(title="Accuracy per class", height=420, xaxis=dict(dtick=1),
                    yaxis=dict(tickformat=".0%", range=[0, 1]),
                    margin=dict(l=10, r=10, t=50, b=10)))),
                       key="evaluate_per_class")


labelled = {label: r for label, r in done.items() if r["label_efficiency"] is not None}
if labelled:
    section("Label efficiency", LABEL_EFFICIENCY)
    twins = twin_names(labelled)
    st.plotly_chart(built_once("efficiency", digest([labelled, twins]), lambda: efficiency_figure(labelled, twins)),
                    key="evaluate_efficiency")
    drawn = any(choices[label].has_network for label in labelled)  # an embedding set has no untrained twin
    st.caption(explained("label_efficiency", hooks, untrained=drawn) + " Thick lines: the encoders judged; dotted: "
               f"the baselines. Bars: spread over random draws of the labelled {hooks.unit}."
               + (" " + sides_words(labelled, dataset.size_px) if hooks.from_scratch else ""))
    for label, report in labelled.items():  # what each curve measured, in words
        twin = twin_key(report)
        st.markdown(escape_markdown(payoff_words(report["label_efficiency"], report["source"]["label"],
                                                 {report["source"]["label"]: label, twin: twins[label]}, hooks.unit,
                                                 report["floor"], twin)))
    first = next(iter(labelled.values()))  # walk 17: "within noise of the best baseline" under a green verdict
    probed = any(reads_probe(report) for report in labelled.values())  # walk 34: 'read kNN' under a verdict
    st.caption(f"These read the curves: a linear probe trained on the labels drawn and scored on "
               f"{first['label_efficiency']['test']:,} held-out {hooks.unit}; the verdicts above read kNN accuracy "
               + ("(and the linear probe, where the two disagree) " if probed else "")
               + f"over all {first['labelled']:,} labelled {hooks.unit}, cross-validated, so the two can differ.")

    st.subheader("Which classes it confuses")
    confusions(labelled)


JUDGED = "beyond the classes"  # with labels, the score the level grades: what grouping by class alone does not give
WITH_CLASSES = "score, classes included"


def cue_table(scores: dict[str, dict | None]) -> pd.DataFrame:
    """Every cue measured: the score its level grades, then the level; with labels the graded
    score is the one beyond grouping by class alone (JUDGED), shown first, and the whole score
    and what grouping by class alone gives follow as plain numbers. A bar of 0.70 beside
    'little' read as a contradiction where only the score beyond the classes (0.02) was graded.
    Highest graded score first (walk 32: in CUES' order, background texture sat above the named
    brightness)."""
    rows = sorted(((CUES[name].words, s) for name, s in scores.items() if s is not None), key=lambda r: -r[1]["judged"])
    if all(s["by_class"] is None for _, s in rows):
        return pd.DataFrame([{"cue": words, "score": s["score"], "level": s["level"]} for words, s in rows])
    return pd.DataFrame([{"cue": words, JUDGED: s["judged"], "level": s["level"], WITH_CLASSES: s["score"],
                          "by class alone": s["by_class"]} for words, s in rows])


@st.cache_resource(show_spinner=False, max_entries=32)
def evidence_tiles(dataset_id: str, key: str, cue: str, _shortcut: dict, _dataset) -> list[list[str]]:
    """Per evidence example of a shortcut check (digest `key`): the query and its first 8
    neighbours, each thumbnail over what `cue` reads in it (cue_view.cue_pictures), framed, as
    PNG data URIs; encoded once, not on every rerun."""
    thumbnails, images = ws.thumbnails(_dataset), ws.images(_dataset)
    shown = []
    for example in _shortcut["evidence"]:
        rows = [example["query"], *example["neighbours"][:8]]
        distinct = sorted(set(rows))
        below = dict(zip(distinct, cue_pictures(images[distinct], cue, thumbnails.shape[2], SWATCH)))
        tiles = [np.concatenate([np.asarray(thumbnails[row]), below[row]]) for row in rows]
        shown.append([png_uri(tile) for tile in framed(tiles)])
    return shown


# none for text: its cues are pixel statistics
checked = {label: report for label, report in done.items() if report["shortcut"]}
if checked:
    st.subheader("Shortcut check")
    st.caption(explained("shortcut", hooks))
for label, report in checked.items():
    shortcut = report["shortcut"]
    st.markdown(f"**{escape_markdown(label)}**")
    # green only beside a measured gain, and where no cue goes with the classes (the check cannot tell those apart):
    # cues explaining little of an untrained or collapsed embedding is no success
    clear = (report["verdict"] == LEARNED and shortcut["level"] and not shortcut["with_classes"]
             and not kept_apart(shortcut.get("grey_split")))
    (st.warning if shortcut["cue"] else st.success if clear else st.info)(shortcut["words"])
    if shortcut["level"] is None:  # not checked: its words say why
        continue
    if split := shortcut.get("grey_split"):  # walk 41: night frames apart from day ones, 96%, unsaid
        st.caption(grey_split_words(split))
    st.dataframe(cue_table(shortcut["scores"]), hide_index=True, width="stretch",
                 column_config={**{name: st.column_config.ProgressColumn(name, format="%.2f", min_value=0,
                                                                          max_value=1)
                                   for name in ("score", JUDGED)},  # the graded score, beside its level
                                **{name: st.column_config.NumberColumn(format="%.2f")
                                   for name in (WITH_CLASSES, "by class alone")}})
    with st.expander(evidence_title(cue := shown_cue(shortcut))):
        for tiles in evidence_tiles(dataset.id, digest(shortcut), cue, shortcut, dataset):
            st.image(tiles, caption=["query"] + [f"neighbour {i}" for i in range(1, len(tiles))], width=80)

diagnosis_panels(ws, {label: choices[label] for label in done}, dataset.name,
                 learned=[label for label, report in done.items() if report["verdict"] == LEARNED])
