"""Which encoder a page looks through (a run's checkpoint, an import or an untrained
encoder), and its embedding of a dataset, computed with a progress bar the first time.

Pickers list sources by their key (a run id or `untrained-<encoder>-<side>`) and show the
run's name (ssl_core.run_names); the first encoder picker of a page is bound to the current
encoder (app.current), so the Explorer, Retrieval and Evaluate look through the same one.
"""

from __future__ import annotations

import streamlit as st

from app import current
from app.widgets import escape_markdown, escape_plotly, progress_bar
from ssl_core import embed, jobs
from ssl_core.evaluate.advice import MIN_LOSS_STEPS
from ssl_core.imports import encoders as imports
from ssl_core.kinds import encoders_of
from ssl_core.run_names import names_told_apart, run_name, told_apart, where_trained
from ssl_core.store import DatasetInfo, Workspace, WorkspaceError

def source_choices(ws: Workspace, dataset: DatasetInfo, elsewhere: bool = False, copies: bool = False
                   ) -> dict[str, tuple[str, embed.EncoderSource]]:
    """{source key: (name shown, source)}: runs of `dataset` (and runs whose dataset was
    deleted) that have a checkpoint, completed ones first (in_offered_order; then the cancelled,
    failed or running ones, which a page would otherwise open on: a room's 5-step run that a
    visitor cancelled became every page's encoder), then imported encoders (named with where
    their weights came from), then, with `elsewhere`, the completed runs of the other datasets
    of its kind, named with the one each trained on (Evaluate: a run judged on a labelled copy
    of the pictures it trained on, or on other data), or with `copies` those of the other
    datasets of the same items only (Workspace.same_items: the Explorer and Retrieval; walk 31's
    labelled copy offered its pictures' runs on Evaluate alone), then an untrained encoder of every
    architecture. Runs of the same name are told apart by the time they were created. An
    imported embedding set is offered on its own dataset only (it has vectors for those
    images and no network; pages check `source.has_network` before embedding anything new)."""
    every = jobs.list_runs(ws)
    choices = _run_choices(ws, *_runs_of(every, dataset))
    choices |= imported_choices(ws, dataset)
    if elsewhere or copies:
        others = in_offered_order([run for run in every if run["dataset"] != dataset.name and not run["dataset_deleted"]
                                   and run["status"] == "completed" and run["checkpoint"]
                                   and jobs.run_kind(run) == dataset.kind])
        if not elsewhere:
            same = _copies(ws, dataset, {run["dataset"] for run in others})
            others = [run for run in others if run["dataset"] in same]
        choices |= _run_choices(ws, others, [run_name(run) + where_trained(run, dataset.name) for run in others])
    for name in encoders_of(dataset.kind):
        source = embed.untrained_for(dataset, name)  # the default run's twin
        choices[source.key] = (source.label, source)
    return choices


def trained_on_copies(ws: Workspace, dataset: DatasetInfo, choices: dict[str, tuple[str, embed.EncoderSource]]
                      ) -> list[str]:
    """Keys of the runs in `choices` (source_choices with `elsewhere`) trained on another
    dataset of the same items as `dataset` (Workspace.same_items: walk 27 trained on an
    unlabelled folder and judged it on its labelled copy), in their order."""
    trained_on = {run["id"]: run["dataset"] for run in jobs.list_runs(ws) if not run["dataset_deleted"]}
    copies = _copies(ws, dataset, {trained_on[source.run_id] for _, source in choices.values()
                                   if source.run_id in trained_on})
    return [key for key, (_, source) in choices.items() if trained_on.get(source.run_id) in copies]


def _copies(ws: Workspace, dataset: DatasetInfo, names: set[str]) -> set[str]:
    """Of the datasets `names`, those other than `dataset` that hold the same items
    (Workspace.same_items: the same folder imported again, e.g. with labels)."""
    return {name for name in names - {dataset.name} if ws.same_items(dataset, ws.dataset(name))}


def in_offered_order(runs: list[dict]) -> list[dict]:
    """`runs` (rows, newest first) in the order the pickers offer them and a page opens on the
    first: completed ones first, newest first, those of fewer than MIN_LOSS_STEPS steps after
    them and those of none last (a run of a few steps holds about its starting weights: walk 30's
    0.3-minute ResNet-18 made none; walk 31's of 0.2 minutes made 1, and every page opened on it,
    not on a 65-step run); then the cancelled, failed or running ones."""
    return sorted(runs, key=lambda run: (run["status"] != "completed", (run["step"] or 0) < MIN_LOSS_STEPS,
                                         not run["step"]))


def _runs_of(every: list[dict], dataset: DatasetInfo) -> tuple[list[dict], list[str]]:
    """(runs, their names before they are told apart) that source_choices offers first on
    `dataset`, from `every` run (jobs.list_runs)."""
    runs = in_offered_order([run for run in every  # a run whose dataset was deleted: offered on every dataset
                             if (run["dataset"] == dataset.name or run["dataset_deleted"]) and run["checkpoint"]])
    return runs, [run_name(run) + where_trained(run, dataset.name) for run in runs]


def _run_choices(ws: Workspace, runs: list[dict], names: list[str]) -> dict[str, tuple[str, embed.EncoderSource]]:
    """{source key: (name shown, source)} of `runs` (rows) named `names`, told apart by the
    time they were created where two are alike; a run whose checkpoint is being replaced is
    left out now."""
    choices = {}
    for run, name in zip(runs, told_apart(runs, names)):
        try:
            source = embed.from_run(ws, run)  # the row: no second look-up per run
        except (WorkspaceError, OSError, ValueError):  # its checkpoint is being replaced: skip it now
            continue
        choices[source.key] = (name, source)  # no status: it changes while the name is selected
    return choices


def imported_choices(ws: Workspace, dataset: DatasetInfo) -> dict[str, tuple[str, embed.EncoderSource]]:
    """{source key: (name shown, source)} of every imported encoder that reads `dataset`'s kind
    (walk 29: a torchvision ResNet offered on a text dataset broke every page it was picked on)
    and of the embedding sets imported for `dataset`, oldest first, each named with where it came from."""
    choices = {}
    for config in imports.imported(ws):
        if config["kind"] == "encoder" or config["dataset_id"] == dataset.id:
            source = embed.from_imported(ws, config["encoder"])
            if embed.source_kind(source) in (None, dataset.kind):
                choices[source.key] = (imports.describe(config), source)
    return choices


@st.cache_resource(show_spinner="Loading the encoder...", max_entries=4)
def loaded_encoder(key: str, stamp: str, dataset_id: str, _ws: Workspace, _source: embed.EncoderSource,
                   _dataset: DatasetInfo):
    """The source's encoder (views in [0, 1] -> features) for the dataset `dataset_id` (an
    untrained one has its BatchNorm statistics from it), loaded once per `key` and `stamp`
    (what it was made from, e.g. its embedding fingerprint)."""
    return embed.load_encoder(_ws, _source, _dataset)


def start_choices(ws: Workspace, encoders: list[str]) -> dict[str | None, tuple[str, str | None]]:
    """What the Train page can start a run from: {init name: (name shown, the encoder it
    trains)}: random weights (None: the picked encoder), imported encoders when any encoder
    fits the method, then runs with a checkpoint whose encoder is one of `encoders` (or an
    imported architecture, as `train --init RUN` takes, when any encoder fits)."""
    from ssl_core.imports.architectures import is_architecture

    choices: dict[str | None, tuple[str, str | None]] = {None: ("random weights (from scratch)", None)}
    any_encoder = set(encoders) >= set(encoders_of("image"))  # the method takes any image encoder, imported too
    if any_encoder:
        choices |= {c["encoder"]: (imports.describe(c), c["arch"]) for c in imports.imported(ws)
                    if c["kind"] == "encoder"}
    trained = [run for run in jobs.list_runs(ws) if run["checkpoint"]]
    named = names_told_apart(trained)
    choices |= {run["id"]: (f"run {named[run['id']]}", run["encoder"]) for run in trained
                if run["encoder"] in encoders or any_encoder and is_architecture(run["encoder"])}
    return choices


def pick_source(container, ws: Workspace, dataset: DatasetInfo, label: str, key: str,
                help: str | None = None, other_than: embed.EncoderSource | None = None) -> embed.EncoderSource:
    """A select box of `source_choices`. Without `other_than` it is the current encoder's
    (the newest run when none is current yet); with it, a second encoder other than it,
    starting on its untrained twin (offered at its side when the untrained 32 px choices are
    not it; else the first other choice), so a comparison starts as before/after."""
    choices = source_choices(ws, dataset, copies=True)
    twin = embed.baseline_of(other_than) if other_than is not None else None
    if twin is not None and twin.key not in choices:  # untrained encoders are offered at 32 px; a run read at 48 px
        choices[twin.key] = (source_name(ws, twin, dataset), twin)  # has its twin at 48 px
    keys = list(choices)
    name_of = {k: name for k, (name, _) in choices.items()}
    if other_than is None:
        current.restore_fallen(keys)
        if current.encoder_key() not in choices:
            gone = current.gone_encoder(ws, current.encoder_key())
            if gone or current.encoder_key() is None:
                current.set_encoder(current.first_choice(keys))
            else:  # a run of another dataset, offered there again
                current.fall_back(keys)
            if gone:  # not a run of another dataset: deleted (here or by another session); said below the pickers
                st.info(f"{escape_markdown(gone)} is no longer in the workspace, so this page now looks through "
                        f"**{escape_markdown(name_of[current.encoder_key()])}**.", icon=":material/info:")
        chosen = current.bound_selectbox(container, label, keys, current.ENCODER, f"{key}_{dataset.id}",
                                         help=help, format_func=name_of.get)
    else:  # the first picker's encoder is not offered again (walk 21); an embedding set has no twin
        keys = sorted((k for k in keys if choices[k][1] != other_than), key=lambda k: choices[k][1] != twin) or keys
        widget = f"{key}_{dataset.id}"
        # not the widget's state: its label as the browser sent it goes stale (walk 25); one per first encoder,
        # so another first encoder starts beside its own twin (walk 27: a small CNN run beside untrained resnet18)
        held = f"{widget}_kept_{other_than.key}"
        if st.session_state.get(held) not in keys:  # none yet, or what the first picker now shows: the twin
            st.session_state[held] = keys[0]
        chosen = current.bound_selectbox(container, label, keys, held, widget, help=help, format_func=name_of.get)
        if choices[chosen][1] == other_than:  # nothing else to offer
            container.caption("The same encoder as the first: shown once.")
    if choices[chosen][1].run_id and (training := still_training(ws, choices[chosen][1].run_id)):
        container.caption(training)
    return choices[chosen][1]


def still_training(ws: Workspace, run_id: str) -> str | None:
    """Where run `run_id` still trains, that its features are its last checkpoint's and will change; else None.
    Walk 38: Retrieval's neighbours of one query moved from 0.836 to 0.909 between two visits, nothing said why (a
    run's name carries no status: it would change while the name is selected)."""
    run = jobs.get_run(ws, run_id)
    if run["status"] != "running":
        return None
    step = jobs.checkpoint_step_of(ws, run_id)
    at = f"its checkpoint of step {step:,}" if step is not None and step >= 0 else "its last checkpoint"
    of = f" of about {run['total_steps']:,}" if run["total_steps"] and step is not None and step >= 0 else ""
    return f"Still training: read at {at}{of}; what it shows changes as the run saves later checkpoints."


@st.cache_resource(show_spinner=False, max_entries=4)
def _kept(folder: str, made: float, _emb: embed.Embedding) -> embed.Embedding:
    """The first Embedding seen for the features in `folder` made at `made`: what it computes
    once (its mean, its centred vectors) then lasts across reruns instead of being redone on
    each (Retrieval's neighbours and near-duplicates centred all N features per rerun)."""
    return _emb


def embedding(ws: Workspace, dataset: DatasetInfo, source: embed.EncoderSource) -> embed.Embedding:
    """`source`'s features of `dataset`; the first time, a progress bar while they are computed."""
    hit = embed.cached(ws, dataset, source)
    if hit is not None:
        return _kept(str(hit.folder), hit.made, hit)
    slot = st.empty()
    with slot.container():
        try:
            working = f"Embedding {dataset.name} with {source_name(ws, source, dataset)}"
            result = embed.embed(ws, dataset.name, source, progress=progress_bar(working))
        except WorkspaceError as exc:
            if current.gone_encoder(ws, source.key):  # deleted meanwhile: the rerun says so (app/vanished.py)
                raise
            st.error(escape_markdown(str(exc)))  # e.g. features that are not finite: refused, said in words
            st.stop()
    slot.empty()
    return result


def source_name(ws: Workspace, source: embed.EncoderSource, dataset: DatasetInfo) -> str:
    """What people call `source` on `dataset`: the name the pickers give it there (a run's,
    told apart from runs of the same name; walk 21's Retrieval header read 'SimCLR · 1.5 min'
    under a picker's 'SimCLR · 1.5 min · 23:24:33'); one they do not offer by its run's name, or as
    'untrained small_cnn (32 px)': a twin added beside a run (walk 22: the picker said
    '(32 px)', the gallery above its neighbours did not); a run of another dataset named with it."""
    if source.run_id:  # the names alone, not every run's encoder read from its checkpoint as the pickers do
        runs, names = _runs_of(jobs.list_runs(ws), dataset)
        shown = dict(zip([run["id"] for run in runs], told_apart(runs, names)))
        if source.run_id in shown:
            return shown[source.run_id]
        run = jobs.get_run(ws, source.run_id)  # of another dataset: named with it, as the pickers name it (walk 31)
        return run_name(run) + where_trained(run, dataset.name)
    if source.imported:
        return imported_choices(ws, dataset).get(source.key, (source.label,))[0]
    offered = source.encoder in encoders_of(dataset.kind) and embed.untrained_for(dataset, source.encoder) == source
    return source.label if offered else f"{source.label} ({source.image_size} px)"


def side_by_side(ws: Workspace, dataset: DatasetInfo, source: embed.EncoderSource,
                 other: embed.EncoderSource | None) -> list[tuple[embed.EncoderSource, str]]:
    """The maps a page draws, left to right, each with its title (escaped for plotly):
    `other` beside `source` ('Before training: ...' when `other` is the untrained twin of a
    run; 'Random weights: ...' of an imported encoder, never trained here, or of a run that started
    from other weights), or `source`
    alone when there is no other or it is the same encoder. An import is titled by its own
    name: the picker's, with where it came from, ran past a map's width (walk 24: "rand18
    (torchvision:resnet18, imported from r18_random.safeter")."""
    shown = [source] if other is None or other == source else [other, source]
    # a review: a run from other weights (train --init) held them before training, not the twin's random ones
    never_random = source.imported or (source.run_id and jobs.started_from(jobs.get_run(ws, source.run_id)))
    twin = "Random weights: " if never_random else "Before training: "
    return [(s, (twin if s != source and s == embed.baseline_of(source) else "")
             + escape_plotly(s.label if s.imported else source_name(ws, s, dataset))) for s in shown]
