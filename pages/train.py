"""Train page: one click starts a real run in a background worker; watch it live."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
import streamlit as st

from app import access
from app.batch_note import batch_note
from app.current import STARTED_HERE, bound_selectbox, pick_dataset, run_to_watch, set_encoder
from app.diagnosis import FILLED, diagnosis_panel
from app.maps import FrozenFigure, frozen
from app.motion import motion_panel
from app.paintings import paintings_panel
from app.recipe_form import LAB, LAB_RECIPE, RECIPE_FROM
from app.sources import start_choices
from app.state import workspace
from app.widgets import escape_markdown, verdict_box
from ssl_core import jobs, machine_load
from ssl_core.augment import make_recipe
from ssl_core.engine import RECOVERED, TrainConfig
from ssl_core.evaluate.advice import BATCHES, batch_for
from ssl_core.evaluate.verdict import COLLAPSED_RANK, MAJORITY, floor, rank_reference
from ssl_core.imports.registry import start_side
from ssl_core.kind_words import UNITS
from ssl_core.kinds import encoders_for, kind_of_method, methods_for, recipe_class
from ssl_core.methods import METHODS
from ssl_core.models import ENCODERS
from ssl_core.pace_note import pace_note
from ssl_core.run_files import delete_run
from ssl_core.run_names import names_told_apart, run_name, told_apart
from ssl_core.store import WorkspaceError
from ssl_core.words import counted

WATCH = "train_watch"  # widget key: the "Watch run" select box
# session key: the run this session watches. The select box's own state is its option's label as the browser last
# sent it, stale once a label changes (a second run named alike makes both carry their time and id): walk 25's two
# students each started a run, and when the second finished, the first student's page showed it as theirs
WATCHING = "train_watching"
CANCELLED_HERE = "train_cancelled_here"  # session key: the ids of the runs this session cancelled
ACTIVE = ("queued", "running")
MAX_BUDGET = {"minutes": 24 * 60.0, "epochs": 10_000.0}  # a day; a visitor's typo of 1e9 minutes is refused
SHORT = {"embedding_std": "std", "output_std": "std", "effective_rank": "rank"}  # the two panels' axis titles
HEALTH_HEIGHT = 440  # the loss and the collapse monitor side by side; the monitor in two panels (spread, rank)
SHARED_QUEUE = 10  # runs a shared app lets wait for its one worker (30 queued in 15 s held it for years)
# of them, runs one visitor (a browser session) may have waiting: walk 37's audience member queued 3 and the speaker's
# Start was shut for the room, the whole queue being 3
VISITOR_QUEUE = 3


def queue_words(ws, mine: set[str]) -> str | None:
    """Why a shared app's Start is shut, or None: the visitor (this session, `mine` its run ids) has VISITOR_QUEUE
    runs waiting, or the worker's queue holds SHARED_QUEUE."""
    waiting = [run["id"] for run in jobs.list_runs(ws) if run["status"] == "queued"]
    if (own := sum(run_id in mine for run_id in waiting)) >= VISITOR_QUEUE:
        return (f"You have {own} runs waiting for the one worker, the most one visitor of a shared app queues: Start "
                "opens again when one of them begins (or is cancelled).")
    if len(waiting) >= SHARED_QUEUE:
        return (f"{len(waiting)} runs are waiting for the one worker, the most a shared app queues: Start opens again "
                "when one of them begins (or is cancelled).")
    return None


ws = workspace()
st.title("Train")
st.caption("Pick a dataset and a method and press Start. Training runs in a separate worker "
           "process: you can close the tab or switch pages and come back; nothing is lost.")

filled_notice = st.empty()  # walk 10: "minutes 2 -> 5" filled in 5.00, the default, and nothing said so
if filled := st.session_state.get(FILLED):
    filled_notice.info(f"Filled in from the Diagnosis: `{filled}`. Press Start training to train it.",
                       icon=":material/replay:")  # the change as its card wrote it
left, right = st.columns(2, gap="large")
dataset = pick_dataset(left, ws, "train_dataset", required=False)
method_name = left.selectbox("Method", methods_for(dataset.kind if dataset else "image"), key="train_method",
                             format_func=lambda n: f"{n}: {METHODS[n].description}")
method = METHODS[method_name]
encoders = encoders_for(method)
encoder_box = left.container()  # above Start from, which decides it when it names weights
starts = start_choices(ws, encoders)
init = left.selectbox("Start from", list(starts), key=f"train_init_{method_name}", format_func=lambda k: starts[k][0],
                      help="Random weights, or continue self-supervised training from an imported encoder or an "
                           "earlier run (its architecture is then the encoder).")
if init is None:
    encoder = encoder_box.selectbox("Encoder", encoders, key=f"train_encoder_{method_name}",
                                    format_func=lambda n: f"{n}: {ENCODERS[n][1]}")
else:  # walk 23: the box still said small_cnn under a start from a ResNet-18's weights
    encoder = starts[init][1]
    encoder_box.selectbox("Encoder", [encoder], key=f"train_encoder_of_start_{method_name}", disabled=True,
                          format_func=lambda n: f"{n}: {ENCODERS[n][1]}" if n in ENCODERS else n,
                          help="The architecture of the weights the run starts from (Start from).")
    left.caption(escape_markdown(f"Trains {encoder} (its architecture), starting from its weights; the verdict still "
                                 "compares with the untrained network, then says how the run moved from the "
                                 "starting weights' own score."))
def use_default(recipe_key: str, default: str) -> None:
    """Drop the recipe handed over and set the Recipe box to the method's default, before the
    rerun draws it: popping the box's state after it was drawn left the browser's value (the
    handed-over recipe) in place, so the run trained with it."""
    st.session_state.pop(LAB_RECIPE, None)
    st.session_state[recipe_key] = default


lab = st.session_state.get(LAB_RECIPE)  # only what was changed in the Lab (app.recipe_form)
recipe_names = list(method.recipes)
lab_fits = bool(lab) and lab["name"] in recipe_names
recipe_key = f"train_recipe_{method_name}"  # dropped when the page is left: back from the Lab, its recipe shows
recipe_name = left.selectbox("Recipe", recipe_names, key=recipe_key,
                             index=recipe_names.index(lab["name"] if lab_fits else method.default_recipe),
                             format_func=lambda n: f"{n}: {recipe_class(n).description}")
use_lab = lab_fits and lab["name"] == recipe_name
if use_lab:
    changes = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in lab.items() if key != "name")
    left.info(f"From {st.session_state.get(RECIPE_FROM, LAB)}: recipe **{recipe_name}**"
              + (f" (the method's default is {method.default_recipe})" if recipe_name != method.default_recipe else "")
              + (f", changed there: {changes}" if changes else "") + ".", icon=":material/auto_awesome:")
    left.button("Use the default instead", icon=":material/restart_alt:", key="train_use_default",
                on_click=use_default, args=(recipe_key, method.default_recipe))
else:
    left.caption("With the recipe's default settings" + (
        " (tune them in the Augmentation Lab)." if "image" in method.kinds else "; the Lab shows them on a sentence."))
left.caption(f"Method from {escape_markdown(method.paper)}.")

# defaults through the state, which "Train again with this" may have filled (a widget's own default beside a value
# set so is warned of); required: a second click on "minutes" left no budget kind at all
st.session_state.setdefault("train_budget", "minutes")
budget_kind = right.segmented_control("Budget", ["minutes", "epochs"], required=True, key="train_budget")
st.session_state.setdefault(f"train_budget_{budget_kind}", 5.0 if budget_kind == "minutes" else 20.0)
budget = right.number_input(f"Budget ({budget_kind})", min_value=0.1, max_value=MAX_BUDGET[budget_kind], step=1.0,
                            key=f"train_budget_{budget_kind}")
# per dataset, at least MIN_STEPS_PER_PASS steps per pass: the default's 64 on 240 images made 3, and the run's
# Diagnosis then advised batch 32 first
fitting = TrainConfig.batch_size if dataset is None else batch_for(dataset.image_count)
batch_key = f"train_batch_{dataset.name}" if dataset else "train_batch"
batch_size = right.select_slider("Batch size", BATCHES, key=batch_key,  # a value set by advice: no default beside it
                                 value=None if batch_key in st.session_state else fitting)
unit = UNITS[dataset.kind] if dataset else UNITS["image"]
if dataset is not None and (note := batch_note(dataset.image_count, batch_size, fitting, unit)):
    right.caption(note)
if dataset is not None and budget_kind == "minutes" and (
        slow := pace_note(ws, dataset.name, method_name, encoder, budget, int(batch_size), unit)):
    right.caption(slow)
# steps of a tenth of the default: Streamlit's 0.01 made "-" dead at every default (0.01 - 0.01 is under the
# minimum) and "+" multiply a 0.002 by six
lr_key = f"train_lr_{method_name}"
lr = right.number_input("Learning rate (at batch 256)", min_value=1e-5, max_value=1.0,
                        value=None if lr_key in st.session_state else method.default_lr,  # as the batch: walk 11's log
                        step=method.default_lr / 10, format="%.5f", key=lr_key,
                        help=f"The method's default is {method.default_lr:g}; the buttons step by "
                             f"a tenth of it. The engine scales it by the batch size over 256.")

full = queue_words(ws, st.session_state.get(STARTED_HERE, set())) if access.gate() is not None else None
queue_full = full is not None  # shared: one visitor cannot fill the worker's day, nor shut it for the room
if dataset is None:
    st.caption("Choose the dataset to train on first.")
elif queue_full:
    st.caption(full)
if (st.button("Start training", type="primary", icon=":material/play_arrow:", disabled=dataset is None or queue_full)
        and not queue_full):
    config = TrainConfig(dataset=dataset.name, method=method_name, encoder=encoder,
                         recipe=make_recipe(**lab).to_dict() if use_lab else recipe_class(recipe_name)().to_dict(),
                         batch_size=int(batch_size), lr=float(lr), init=init,
                         **{budget_kind: float(budget)}, **start_side(ws, init))
    try:
        st.session_state[WATCHING] = jobs.create_run(ws, config)
        st.session_state.pop(FILLED, None)
        filled_notice.empty()
        st.session_state.setdefault(STARTED_HERE, set()).add(st.session_state[WATCHING])
        set_encoder(st.session_state[WATCHING])  # walk 48: the link still named the run a Diagnosis came from,
        jobs.start_worker(ws)  # and the page reloaded showed that run, not the new one
    except (KeyError, ValueError) as exc:
        st.error(escape_markdown(str(exc.args[0] if exc.args else exc)))


def curve(series: dict, names: list[str], title: str, below: str | None = None, height: int = 260) -> go.Figure:
    """Lines of the metrics in `names` the run has, against step, on one y axis; `below`, a
    metric on another scale, in a panel of its own under them, on the same steps (walks 10
    and 18: on a right-hand axis beside the stds, its collapse band was read as theirs)."""
    lower = below in series
    figure = (make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1, row_heights=[0.55, 0.45])
              if lower else go.Figure())
    shown = [name for name in names if name in series]
    for name in shown + ([below] if lower else []):
        steps, values = series[name]
        trace = go.Scatter(x=steps, y=values, mode="lines+markers" if len(steps) < 30 else "lines",
                           name=name.replace("_", " "))
        figure.add_trace(trace, **({"row": 2 if name == below else 1, "col": 1} if lower else {}))
    last = max((int(series[name][0][-1]) for name in shown if len(series[name][0])), default=0)
    ticks = {"dtick": 1} if last < 10 else {}  # no step 0.5, 1.5
    figure.update_layout(title=title, height=height, margin=dict(l=10, r=10, t=40, b=10),
                         xaxis=dict(title=None if lower else "step", **ticks), legend=dict(orientation="h", y=-0.3))
    if lower:  # short axis titles, the legend names the lines: two long ones ran into each other in a half-width chart
        figure.update_layout(yaxis=dict(title=" / ".join(sorted({SHORT.get(name, name) for name in shown}))),
                             xaxis2=dict(title="step", **ticks),
                             yaxis2=dict(title=SHORT.get(below, below), tickmode="auto", nticks=5))
    return figure


def against_untrained(series: dict, name: str, title: str, levels: dict[str, float],
                      least: tuple[str, float] | None = None, top: float = 1.0) -> go.Figure:
    """The curve of metric `name` (a share, 0..1) with dotted lines at `levels` {label: y}, the
    untrained network's value, and a grey one at the floor `least` (its words, its level) where
    there is one: walk 15's untrained 52.0% and largest class 53.3% ran together as one line."""
    figure = curve(series, [name], title)
    lines = [*([(least[0].removeprefix("the "), least[1], "grey")] if least else []),
             *((label, y, "#31333F") for label, y in levels.items())]
    # labels above their lines at opposite ends: the lines may be close, and a curve along the floor ran through a
    # label set under its line (walk 15)
    for i, (label, y, colour) in enumerate(lines):
        figure.add_hline(y=y, line_dash="dot", line_color=colour, annotation_text=label,
                         annotation_font_color=colour, annotation_position=("top right", "top left")[i % 2])
    figure.update_layout(yaxis=dict(range=[0, top], tickformat=".0%"))
    return figure


def axis_top(series: dict, names: list[str], levels: list[float]) -> float:
    """The top of a share's axis: a tenth or more above the highest point of the metrics `names` and of the
    `levels` drawn, at most 100%, one for the charts drawn side by side (walk 34: 17-30% ran flat at the foot of a
    0-100% axis, the chance and untrained labels on each other)."""
    highest = max([*levels, *(value for name in names if name in series for value in series[name][1])], default=0.9)
    return min(1.0, (math.ceil(round(10 * highest, 6)) + 1) / 10)


@st.cache_resource(show_spinner=False, max_entries=32)
def run_charts(run_id: str, stamp: tuple, classes: int, method: str) -> tuple[dict, dict[str, FrozenFigure]]:
    """A run's latest metrics and its curves as drawn ({"loss", "health", and "knn", "probe" and
    "shared" where it has them}), built once per step and status (`stamp`), not on every
    rerun of the page or of the live panel's 2 s tick; `method` names what its kind's cheap
    neighbours are found from (pixels and colour, or TF-IDF)."""
    series = jobs.metrics(ws, run_id)
    latest = jobs.latest(series)
    # output std: the spread of the projections BYOL and SimSiam compare, where a run reports it
    figures = {"loss": curve(series, ["loss"], "Training loss", height=HEALTH_HEIGHT),
               "health": curve(series, ["embedding_std", "output_std"], "Collapse monitor (falling = warning)",
                               below="effective_rank", height=HEALTH_HEIGHT)}
    # each from 0, the stds up to 1 (spread over the sphere): scaled to their own lines, two rising lines fell
    # on one another, and a std of 0.2 looked as healthy as one of 1
    figures["health"].update_layout(yaxis=dict(range=[0, 1.05]), yaxis2=dict(rangemode="tozero"))
    # a falling rank alarms only below this, in the rank's own panel (walks 10 and 18 read a std line running inside
    # a band on the rank's right-hand axis as a collapse); in the legend: a label in the band hid a dip
    reference, whose = rank_reference(latest)  # a run from other weights: theirs (walk 23)
    if "effective_rank" in series and reference:
        figures["health"].add_hrect(y0=0, y1=COLLAPSED_RANK * reference, row=2, col=1,
                                    fillcolor="#d62728", opacity=0.08, line_width=0, showlegend=True,
                                    name=f"collapse: effective rank under {COLLAPSED_RANK:.0%} of {whose}")
    stale = jobs.uncalibrated_baseline(jobs.get_run(ws, run_id), latest)  # the verdict does not judge against it
    twin = "untrained, BatchNorm not calibrated" if stale else "untrained"
    untrained = {twin: latest[name] for name in jobs.BASELINES if name in latest}
    least = floor(latest.get(MAJORITY), classes)  # the verdict's floor (walk 14: 'chance' at 33.3% under a verdict
    probe_twin = {twin: latest["linear_probe_untrained"]} if "linear_probe_untrained" in latest else {}  # judged
    top = axis_top(series, ["knn_accuracy", "linear_probe_accuracy"],  # against 65.7%); one top for the pair
                   [least[1], *untrained.values(), *probe_twin.values()])
    if "knn_accuracy" in series:
        figures["knn"] = against_untrained(series, "knn_accuracy", "Online kNN accuracy (labels used only here)",
                                           untrained, least, top)
    if "linear_probe_accuracy" in series:  # as the verdict reads it too (walk 33: kNN within noise, the probe 24
        figures["probe"] = against_untrained(series, "linear_probe_accuracy", "Online linear probe, 5-fold (labels "
                                             "used only here)", probe_twin, least, top)  # points up)
    if "pixel_shared" in series:
        cheap = kind_of_method(METHODS[method]).evaluation().cheap_name
        figures["shared"] = against_untrained(series, "pixel_shared", f"Neighbours shared with {cheap} "
                                              f"(lower: grouped by more than {cheap})", untrained)
    return latest, {name: frozen(figure) for name, figure in figures.items()}


def live_panel(run_id: str, ticking: bool) -> None:
    """Status, progress and live curves of one run; reruns itself while the run is active."""
    run = jobs.get_run(ws, run_id)
    status = run["status"]
    if ticking and status not in ACTIVE:
        st.rerun(scope="app")  # finished: stop ticking, refresh the runs table
    st.subheader(escape_markdown(run_name(run)))
    st.caption(f"{run['method']} · {run['encoder']} · dataset {escape_markdown(run['dataset'])} · "
               f"status **{status}** · run {run_id}")
    eta = f" · about {run['eta_s']:.0f} s left" if run["eta_s"] and status == "running" else ""
    st.progress(float(run["progress"] or 0), text=f"step {run['step']}"
                + (f" of ~{run['total_steps']}" if run["total_steps"] else "") + eta)
    every_run = jobs.list_runs(ws) if status == "queued" else []
    if ahead := jobs.ahead_of(every_run, run_id):  # walk 25: a second student's run said "queued", nothing more
        names = names_told_apart(every_run)
        st.caption(escape_markdown(f"Waiting for {counted(len(ahead), 'runs')} ahead of it ("
                                   + "; ".join(f"{names[r['id']]}, {r['status']}" for r in ahead[:3])
                                   + ("; ..." if len(ahead) > 3 else "") + "): this server trains one run at a time, "
                                   "and a run's budget starts when it begins."))
    cells = st.columns([1.5, 1, 1, 1])  # "interrupted" fits at 1024 px
    stopping = status == "running" and bool(run["cancel_requested"])  # walk 32: 'running' and Cancel, as before
    cells[0].metric("Status", "stopping" if stopping else status)
    unit = UNITS[jobs.run_kind(run)]
    speed, speed_help = speed_words(status, unit)
    cells[1].metric(speed, f"{run['images_per_s']:.0f}" if run["images_per_s"] else "-", help=speed_help)
    cells[2].metric("Loss", f"{run['loss']:.4f}" if run["loss"] is not None else "-")
    cells[3].metric("ETA", f"{run['eta_s']:.0f} s" if run["eta_s"] and status == "running" else "-")
    if stopping:
        st.info("Cancel asked: the run stops once its current step ends and keeps its last checkpoint; Resume "
                "continues it from there.", icon=":material/stop:")
    else:
        run_controls(ws, run)
    if run["message"]:  # a dip the run recovered from alone is news, not a warning (walk 20: a yellow box)
        recovered = run["message"].startswith(RECOVERED) and "; " not in run["message"]
        (st.error if status == "failed" else st.info if recovered else st.warning)(escape_markdown(run["message"]))
    if elsewhere := cancelled_elsewhere(run):
        st.warning(elsewhere, icon=":material/group:")
    classes = run["classes"]  # kept with the run: its dataset may be gone
    latest, figures = run_charts(run_id, (run["step"], status, run["finished"], run["loss"]), classes, run["method"])
    verdict = jobs.verdict_of(ws, run, latest)
    verdict_box(verdict.colour, verdict.text, active=status in ACTIVE)
    if busy := machine_load.busy_note(latest.get(machine_load.OTHER_CORES), unit):
        st.caption(f"{busy} Closing the page does not stop a run.")
    if "loss" in latest:
        charts = st.columns(2)
        charts[0].plotly_chart(figures["loss"], key=f"loss_{run_id}")
        if set(latest) & {"embedding_std", "effective_rank", "output_std"}:
            charts[1].plotly_chart(figures["health"], key=f"health_{run_id}")
        else:  # a run that failed at its first step measured a loss and nothing else
            charts[1].caption("The collapse monitor is drawn from the run's first online measurement on."
                              if status in ACTIVE else "The run stopped before its first online measurement: no "
                                                       "collapse monitor.")
    else:  # empty axes from step -1 to 6 said nothing
        st.caption("The training loss and the collapse monitor are drawn from the run's first step on."
                   if status in ACTIVE else "The run measured no training step: it has no curves.")
    # an ended run without a step: its one measurement before it (walk 30) is no curve
    judged = [name for name in ("knn", "probe", "shared") if name in figures and ("loss" in latest or status in ACTIVE)]
    for column, name in zip(st.columns(len(judged)) if judged else [], judged):
        column.plotly_chart(figures[name], key=f"{name}_{run_id}")
    motion_panel(ws, run, jobs.run_dir(ws, run_id), f"motion_{run_id}")
    paintings_panel(jobs.run_dir(ws, run_id))


def speed_words(status: str, unit: str) -> tuple[str, str]:
    """(label, help) of the run's stored speed: the steps' moving average while it trains and
    where its worker stopped without ending it (interrupted), the whole run's once it ended
    (jobs.execute writes it then)."""
    moving = "the training steps' own speed, a moving average (the online measurements and checkpoints between " \
             "them not counted)"
    if status in ACTIVE:
        return f"{unit.capitalize()} / s", moving.capitalize()
    if status == "interrupted":
        return f"{unit.capitalize()} / s, when it stopped", f"At the interruption: {moving}"
    return (f"{unit.capitalize()} / s, whole run", f"{unit.capitalize()} trained on divided by the run's time, its "
            "online measurements and checkpoints included (`train`'s JSON gives the same)")


def run_controls(ws, run: dict) -> None:
    """Cancel while the run is queued or running, Resume once it stopped with a checkpoint: one
    button under its status, where a stranger looked for it (it sat indented under the map). A
    shared app asks first: everyone signed in sees every run, and in a room walk a student's
    click stopped the teacher's run for the whole room."""
    run_id, status = run["id"], run["status"]
    confirm = f"confirm_cancel_{run_id}"
    if status in ACTIVE and st.session_state.get(confirm):
        st.warning("Stop this run for everyone? Others signed in to this app may be watching it; Resume continues "
                   "it later from its last checkpoint.", icon=":material/group:")
        yes, no = st.columns([1, 5])
        if yes.button("Yes, stop it", type="primary", key=f"cancel_yes_{run_id}"):
            cancel_here(ws, run_id)
        no.button("Keep it running", key=f"cancel_no_{run_id}", on_click=lambda: st.session_state.pop(confirm, None))
    elif status in ACTIVE and st.button("Cancel", icon=":material/stop:", key=f"cancel_{run_id}"):
        if access.gate() is None:  # this machine only: nobody else is watching
            cancel_here(ws, run_id)
        st.session_state[confirm] = True
        st.rerun()
    stopped = status in ("interrupted", "cancelled", "failed") and run["checkpoint"]
    if stopped and run["dataset_deleted"]:
        st.caption(f"Its dataset {escape_markdown(run['dataset'])} was deleted or replaced: it cannot be resumed.")
    elif stopped and st.button("Resume", icon=":material/replay:", key=f"resume_{run_id}",
                               help="Continue from its last checkpoint, with its own settings, to its budget's end."):
        jobs.requeue(ws, run_id)
        jobs.start_worker(ws)
        st.rerun()


def cancel_here(ws, run_id: str) -> None:
    """Ask the worker to stop `run_id`, remembering that this session did (`cancelled_elsewhere`)."""
    jobs.request_cancel(ws, run_id)
    st.session_state.setdefault(CANCELLED_HERE, set()).add(run_id)
    st.session_state.pop(f"confirm_cancel_{run_id}", None)
    st.rerun()


def cancelled_elsewhere(run: dict) -> str | None:
    """What this session should be told of its own run cancelled from another browser, tab or
    the command line (a room's teacher saw their run stop at step 5 without a word)."""
    mine = run["id"] in st.session_state.get(STARTED_HERE, set())
    if run["status"] != "cancelled" or not mine or run["id"] in st.session_state.get(CANCELLED_HERE, set()):
        return None
    return (f"You started this run here, and it was cancelled elsewhere (another browser, tab or the command line) "
            f"at step {run['step']:,}." + (" Resume continues it from its last checkpoint." if run["checkpoint"]
                                           else " It had written no checkpoint, so it cannot be resumed."))


def shown_runs(runs: list[dict], dataset_name: str | None, every: bool) -> list[dict]:
    """Of `runs` (newest first), those on the current dataset; all when asked or none is current."""
    return runs if every or dataset_name is None else [r for r in runs if r["dataset"] == dataset_name]


def percent(share: float | None) -> float | None:
    """A share in percent to 0.1, as the verdict writes it; None where unmeasured."""
    return None if share is None else round(100 * share, 1)


def runs_table(ticking: bool, dataset_name: str | None, every: bool) -> None:
    """The shown runs by name; redrawn every 2 s with the live panel while one is queued or
    running, so the table and the panel tell the same status and step."""
    runs = shown_runs(jobs.list_runs(ws), dataset_name, every)  # read again: this fragment reruns alone
    if ticking and not any(r["status"] in ACTIVE for r in runs):
        st.rerun(scope="app")  # all finished: stop ticking
    final = jobs.final_metrics(ws)
    one_dataset = not every and dataset_name is not None  # the heading names it: no column repeats it
    names = told_apart(runs, [run_name(r) for r in runs])  # as the pickers: walk 13 saw two "SimCLR · 0.5 min" rows
    st.dataframe(pd.DataFrame([{
        "name": name, "status": r["status"], "steps": r["step"],  # what matters first: 1024 px shows ~6
        "kNN accuracy": percent(final.get(r["id"], {}).get("knn_accuracy")),  # 98.1, as the verdict, not 98.13
        "verdict": jobs.verdict_of(ws, r, final.get(r["id"], {})).headline,  # the panel's words, not the JSON's code
        **({} if one_dataset else {"dataset": r["dataset"]}), "encoder": r["encoder"],
        "training": jobs.training_seconds(r, final.get(r["id"], {})),
        "final loss": r["loss"],  # a text run's speed is of examples: each row says its unit
        "speed": f"{r['images_per_s']:,.0f} {UNITS[jobs.run_kind(r)]}/s" if r["images_per_s"] else "",
        "embedding std": final.get(r["id"], {}).get("embedding_std"),
        "notes": r["notes"] or "", "run": r["id"],  # empty, not "None", before a run has them
    } for r, name in zip(runs, names)]), hide_index=True, width="stretch",
        placeholder="–",  # walk 9 read "None" for unmeasured cells
        # a long name ("... from elsewhere-r18") was cut at medium's 200 px (walk 18)
        column_config={"name": st.column_config.TextColumn(width="large" if max(map(len, names), default=0) > 28
                                                            else "medium"),
                       "training": st.column_config.NumberColumn("training (s)", format="%.0f"),
                       "final loss": st.column_config.NumberColumn(format="%.4f"),
                       # one decimal on every row, as the verdict says it (walk 24: "percent" gave "82%" beside "87.7%")
                       "kNN accuracy": st.column_config.NumberColumn(format="%.1f%%"),
                       "embedding std": st.column_config.NumberColumn(format="%.3f")})
    st.caption("The table scrolls sideways to its last columns: speed, embedding std, notes and the run's id.")


def describe_or_delete(run: dict) -> None:
    """The watched run's name and notes, editable; and its deletion, confirmed first."""
    with st.expander("Name, notes, delete", icon=":material/edit:"):
        with st.form(f"describe_{run['id']}", border=False):
            name = st.text_input("Name", run_name(run), max_chars=120,
                                 help="What every picker and table shows. Empty: the name made from its settings.")
            notes = st.text_area("Notes", run["notes"] or "", max_chars=2000, height=80)
            if st.form_submit_button("Save"):
                ws.describe_run(run["id"], name, notes)
                st.rerun()
        confirm = f"train_confirm_delete_{run['id']}"
        if not st.session_state.get(confirm):
            st.button("Delete this run", icon=":material/delete:", disabled=run["status"] in ACTIVE,
                      help="Cancel it first." if run["status"] in ACTIVE else None,
                      on_click=lambda: st.session_state.update({confirm: True}), key=f"delete_{run['id']}")
            return
        st.warning(f"Delete **{escape_markdown(run_name(run))}** with its checkpoints, metrics and the embeddings, "
                   "maps and reports made from it? This cannot be undone.")
        yes, no = st.columns([1, 6])
        if yes.button("Yes, delete", type="primary", key=f"delete_yes_{run['id']}"):
            try:
                delete_run(ws, run["id"])
            except WorkspaceError as exc:
                st.error(escape_markdown(str(exc)))
                return
            st.session_state.pop(WATCHING, None)
            st.rerun()
        no.button("Keep it", key=f"delete_no_{run['id']}", on_click=lambda: st.session_state.pop(confirm, None))


current = dataset.name if dataset else None
all_runs = jobs.list_runs(ws)
others = [r for r in all_runs if r["dataset"] != current] if current else []
every = bool(others) and st.toggle(f"Show the runs on every dataset ({len(others)} on others)",
                                   key="train_every_dataset")
runs = shown_runs(all_runs, current, every)
if runs:
    ids = [run["id"] for run in runs]
    mine = st.session_state.get(STARTED_HERE, set())
    if st.session_state.get(WATCHING) not in ids:  # none yet, deleted, or of another dataset
        st.session_state[WATCHING] = run_to_watch(runs)
    described = dict(zip(ids, told_apart(runs, [f"{run_name(r)} · on {r['dataset']}" for r in runs])))
    here = {run_id: " · started here" if run_id in mine else "" for run_id in ids}
    watched = bound_selectbox(st, "Watch run", ids, WATCHING, WATCH,
                              format_func=lambda run_id: described[run_id] + here[run_id])
    active = jobs.get_run(ws, watched)["status"] in ACTIVE
    access.fragment(live_panel, run_every=2 if active else None)(watched, active)  # gated reruns
    diagnosis_panel(ws, watched)
    describe_or_delete(jobs.get_run(ws, watched))
    st.subheader("All runs" if every or current is None else f"All runs on {escape_markdown(current)}")
    any_active = any(r["status"] in ACTIVE for r in runs)
    access.fragment(runs_table, run_every=2 if any_active else None)(any_active, current, every)
else:  # the form's own defaults for this kind of data, what it holds, and what will judge the run
    first = methods_for(dataset.kind if dataset else "image")[0]
    defaults = f"{first} with {encoders_for(METHODS[first])[0]}, 5 minutes"
    held = f"{method_name} with {encoder}, {budget:g} {budget_kind[:-1] if budget == 1 else budget_kind}"
    # walk 35: 'starts at the defaults (mlm_simcse ...)' over a form that held simcse for 1 minute
    st.info(f"No runs {'on this dataset ' if others else ''}yet. "
            + (f"The form starts at the defaults ({defaults})" if held == defaults else
               f"The form holds {held}, not the defaults ({defaults})")
            + "; once it runs, the verdict beside it says whether it learned something on this data.")
