"""Background training jobs. The `runs` and `metrics` tables are the only channel: a
worker process writes status, progress and metrics; pages and the CLI read them.

A run is queued, then claimed by a worker process (`python -m ssl_core worker`) that
holds the device's lock (Workspace.lock) while it trains, so one run trains per device at a time
and the lock dies with the process. A claim is one UPDATE that only a queued run passes, so
a CLI `train` and the app's worker never both train one run. A run left `running` by a dead
process shows as `interrupted`; queuing it again resumes from its last checkpoint. A run
outlives its dataset (store.py): it keeps its checkpoint, and only training it needs the dataset.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .crashpoints import crash_point
from .detached import start_detached
from .machine_load import OTHER_CORES
from .store import Workspace, WorkspaceError, run_is_active, utc_now

if TYPE_CHECKING:
    from .engine import TrainConfig
    from .evaluate.verdict import Verdict

FINAL = ("completed", "failed", "cancelled")
FLUSH_SECONDS = 1.0


def runs_dir(ws: Workspace) -> Path:
    return ws.root / "runs"


def run_dir(ws: Workspace, run_id: str) -> Path:
    return runs_dir(ws) / run_id


def create_run(ws: Workspace, config: Any) -> str:
    """Queue a run of `config` (a TrainConfig); names are checked here, so a bad one fails
    at once with the valid choices."""
    from .engine import TrainConfig
    from .imports import start_from
    from .imports.architectures import is_architecture
    from .kinds import KINDS
    from .words import counted
    from .methods import get_method
    from .models import ENCODERS
    from .run_names import default_name

    if not isinstance(config, TrainConfig):
        raise TypeError("create_run takes a TrainConfig")
    dataset = ws.dataset(config.dataset)
    method = get_method(config.method)
    if dataset.kind not in method.kinds:
        raise ValueError(f"method {config.method!r} trains on {' or '.join(method.kinds)} datasets; "
                         f"{dataset.name!r} holds {dataset.kind}s")
    if dataset.image_count < 2:  # refused before a run exists, as the engine would refuse it after
        held = counted(dataset.image_count, KINDS[dataset.kind].evaluation().unit)
        raise ValueError(f"dataset {dataset.name!r} holds {held}: training needs at least two")
    if config.encoder not in ENCODERS and not is_architecture(config.encoder):
        raise KeyError(f"no encoder {config.encoder!r}; choose one of: {', '.join(ENCODERS)}, or an imported "
                       "architecture (timm:NAME, torchvision:NAME)")
    if method.encoders is not None and config.encoder not in method.encoders:
        raise ValueError(f"method {config.method!r} needs the encoder {' or '.join(method.encoders)}")
    _dry_step(config, dataset.size_px, dataset.kind)
    run_id = time.strftime("run-%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    if config.init:  # its starting weights, checked and kept in the run's folder
        start_from.write(ws, config, run_dir(ws, run_id))
    with ws.write() as conn:
        conn.execute(
            "INSERT INTO runs(id, dataset_id, dataset_name, classes, method, encoder, config, status, created, "
            "name) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)",
            (run_id, dataset.id, dataset.name, _classes(ws, dataset), config.method, config.encoder,
             json.dumps(config.to_json()), utc_now(), default_name(config.to_json())),
        )
    return run_id


def _classes(ws: Workspace, dataset: Any) -> int:
    """The classes a run's verdict counts chance by: those its kNN monitor reads (Evaluate's
    rule, two or more images each; `_dataset_arrays`), else every label there is (one class,
    or classes of one image each: said so when the run is not judged)."""
    from .evaluate.splits import labelled

    usable = labelled(ws.labels(dataset))
    return len(usable.classes) if usable is not None else len(ws.label_counts(dataset))


def _dry_step(config: Any, stored_size: int, kind: str) -> None:
    """One forward pass of the method on two blank items, so that settings which do not
    fit together (a recipe's patch size and the encoder's, say) fail before the run is queued."""
    import torch

    from .kinds import KINDS
    from .methods import build_method

    size = config.image_size or stored_size
    recipe = KINDS[kind].recipe(config, None)  # unknown recipe names or parameters fail here
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        method = build_method(config.method, config.encoder, size)
        views = recipe(KINDS[kind].blank_batch(stored_size), torch.Generator(), size)
        try:
            method.training_step(views)
        except (ValueError, RuntimeError, AssertionError) as exc:  # timm asserts its ViT's input side
            raise ValueError(f"these settings do not fit together: {str(exc) or type(exc).__name__}") from None


def reconcile(ws: Workspace) -> None:
    """Mark runs whose worker died (SIGKILL, crash, reboot) as interrupted."""
    with ws.write() as conn:
        for row in conn.execute("SELECT id, pid FROM runs WHERE status = 'running'").fetchall():
            if not run_is_active("running", row["pid"]):
                conn.execute("UPDATE runs SET status = 'interrupted', pid = NULL, message = "
                             "'the worker stopped unexpectedly; resume continues from the last "
                             "checkpoint' WHERE id = ?", (row["id"],))


def list_runs(ws: Workspace) -> list[dict[str, Any]]:
    """Every run, newest first, with its dataset's name as `dataset` (kept after the dataset
    is deleted or replaced; then `dataset_deleted` is true) and kind as `dataset_kind` (None
    once deleted), interrupted runs reconciled."""
    return _runs(ws)


def _runs(ws: Workspace, run_id: str | None = None) -> list[dict[str, Any]]:
    """list_runs' rows, or only run `run_id`'s (one indexed read: get_run read every run)."""
    reconcile(ws)
    where, args = ("WHERE runs.id = ? ", (run_id,)) if run_id is not None else ("", ())
    with ws.read() as conn:
        rows = conn.execute(
            "SELECT runs.*, COALESCE(datasets.name, runs.dataset_name) AS dataset, datasets.kind AS dataset_kind, "
            "datasets.id IS NULL AS dataset_deleted FROM runs LEFT JOIN datasets ON datasets.id = "
            f"runs.dataset_id {where}ORDER BY runs.created DESC, runs.rowid DESC", args).fetchall()
    return [{**row, "dataset_deleted": bool(row["dataset_deleted"])} for row in map(dict, rows)]


def waiting(ws: Workspace) -> int:
    """How many runs are queued, waiting for the worker."""
    with ws.read() as conn:
        return conn.execute("SELECT COUNT(*) FROM runs WHERE status = 'queued'").fetchone()[0]


def ahead_of(runs: list[dict[str, Any]], run_id: str) -> list[dict[str, Any]]:
    """Of `runs` (list_runs' rows, newest first), those the worker trains before queued run
    `run_id`, first first: the running ones, then those queued before it (the worker claims
    the oldest queued run: created, rowid); [] for a run that is not queued."""
    runs = runs[::-1]  # oldest first
    at = next((i for i, run in enumerate(runs) if run["id"] == run_id), None)
    if at is None or runs[at]["status"] != "queued":
        return []
    return [run for run in runs if run["status"] == "running"] + [run for run in runs[:at] if run["status"] == "queued"]


def get_run(ws: Workspace, run_id: str) -> dict[str, Any]:
    for run in _runs(ws, run_id):
        return run
    raise WorkspaceError(f"no run {run_id!r} (a run's id or its name, as the `runs` command lists them)")


def run_id_of(ws: Workspace, given: str) -> str:
    """The id of the run `given` names: its id, else the one run whose name is `given`, as the `runs`
    command lists it or as the pages tell alike names apart (walk 39: `advise --run 'SimCLR · 2 min'`
    answered "no run", the name being all the pages show); else `given`, which get_run refuses."""
    from .run_names import names_told_apart, run_name

    runs = list_runs(ws)
    if any(run["id"] == given for run in runs):
        return given
    apart = names_told_apart(runs)
    found = [run["id"] for run in runs if given in (run_name(run), apart[run["id"]])]
    if len(found) > 1:
        raise WorkspaceError(f"{len(found)} runs are named {given!r}: give one's id (the `runs` command lists them)")
    return found[0] if found else given


def metrics(ws: Workspace, run_id: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{name: (steps, values)} of a run, in step order, one value a step: the last written (a
    run's final measurement repeats the step of its last monitor when the run ends on one, and
    was counted as a second measurement: two in a row below the collapse line from one)."""
    with ws.read() as conn:
        rows = conn.execute("SELECT name, step, value FROM metrics WHERE run_id = ? ORDER BY name, step, rowid",
                            (run_id,)).fetchall()
    out: dict[str, tuple[list[int], list[float]]] = {}
    for name, step, value in rows:
        steps, values = out.setdefault(name, ([], []))
        if steps and steps[-1] == step:
            values[-1] = value
            continue
        steps.append(step)
        values.append(value)
    return {name: (np.array(s), np.array(v)) for name, (s, v) in out.items()}


def latest(series: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    """{name: its value at the last step} of `metrics`' series."""
    return {name: float(values[-1]) for name, (_, values) in series.items()}


def run_verdict(ws: Workspace, run_id: str) -> Verdict:
    """The verdict (evaluate/verdict.py) on run `run_id` from its latest metrics."""
    return verdict_of(ws, get_run(ws, run_id), latest(metrics(ws, run_id)))


def verdict_of(ws: Workspace, run: dict[str, Any], measured: dict[str, float]) -> Verdict:
    """The verdict on `run` (its row) from its latest `measured` metrics; never green once it
    failed; said to be what it learned by its step once it was cancelled or interrupted (and while it waits
    to go on), and a running run's "worse than untrained" to be so far (verdict.while_running)."""
    from .evaluate.verdict import UNCALIBRATED, after_failure, after_stop, from_metrics, while_running
    from .kind_words import verdict_words

    verdict = (UNCALIBRATED if uncalibrated_baseline(run, measured) else
               from_metrics(measured, run["classes"], **verdict_words(run_kind(run)), start=started_from(run)))
    if run["status"] == "running":
        return while_running(verdict, run["step"], run["total_steps"], run_config(run).monitor_every)
    if run["status"] == "failed":
        return after_failure(verdict, unjudgeable(ws, run))
    return after_stop(verdict, run["status"], run["step"], run["total_steps"])


def started_from(run: dict[str, Any]) -> str | None:
    """The imported encoder or run whose weights `run` (its row) started from (train --init),
    else None (random weights, or a config this version cannot read)."""
    try:
        return json.loads(run["config"]).get("init")
    except (KeyError, ValueError, TypeError, AttributeError):
        return None


def run_kind(run: dict[str, Any]) -> str:
    """The kind of data ('image', 'text') `run` (its row) trained on: its dataset's, else, the
    dataset gone, its method's (which imports every method: seconds)."""
    if run.get("dataset_kind"):
        return run["dataset_kind"]
    from .kinds import kind_of_method
    from .methods import get_method

    return kind_of_method(get_method(run["method"])).name


BASELINES = ("knn_untrained", "pixel_shared_untrained")  # the verdict's measures of the untrained twin


def uncalibrated_baseline(run: dict[str, Any], measured: dict[str, float]) -> bool:
    """Whether `run` (its row) measured its verdict's baseline, in `measured` (its metrics),
    on an untrained twin whose BatchNorm normalised nothing: an encoder with BatchNorm, trained
    before the twin was calibrated (models/calibration.py), so without its MARKER."""
    from .evaluate.verdict import MARKER

    if MARKER in measured or not set(BASELINES) & set(measured):
        return False
    from .models.calibration import has_batchnorm  # torch: only for a run measured before MARKER

    return has_batchnorm(run["encoder"], json.loads(run["config"]).get("encoder_options"))


def unjudgeable(ws: Workspace, run: dict[str, Any]) -> str:
    """Why Evaluate cannot judge `run` (its row), empty when its checkpoint opens."""
    from .checkpoint import WEIGHTS, opens

    if not run["checkpoint"]:
        return "before its first checkpoint"
    return "" if opens(run_dir(ws, run["id"]) / WEIGHTS) else "and its checkpoint cannot be read"


def request_cancel(ws: Workspace, run_id: str) -> None:
    """Ask a run to stop: a queued run is cancelled at once, a running one at its next step."""
    with ws.write() as conn:
        conn.execute("UPDATE runs SET status = 'cancelled', finished = ? WHERE id = ? AND status = 'queued'",
                     (utc_now(), run_id))
        conn.execute("UPDATE runs SET cancel_requested = 1 WHERE id = ? AND status = 'running'", (run_id,))


def interrupted_here(ws: Workspace, run_id: str, message: str) -> bool:
    """Record run `run_id`, stopped in this process (Ctrl-C) while queued or training here,
    as interrupted with `message`: it no longer holds its dataset and resumes when asked.
    False when it had ended, or another process had taken it, first."""
    with ws.write() as conn:
        return bool(conn.execute("UPDATE runs SET status = 'interrupted', pid = NULL, message = ? WHERE id = ? AND "
                                 "(status = 'queued' OR (status = 'running' AND pid = ?))",
                                 (message, run_id, os.getpid())).rowcount)


def requeue(ws: Workspace, run_id: str) -> None:
    """Queue an interrupted, cancelled or failed run again; it resumes from its checkpoint.
    Refused when the run's dataset has been deleted or replaced (it would train on other data)."""
    run = get_run(ws, run_id)  # reconciled
    if run["dataset_deleted"]:
        raise WorkspaceError(f"run {run_id!r} cannot resume: its dataset {run['dataset']!r} was deleted or "
                             "replaced since")
    kept = checkpoint_step_of(ws, run_id)
    with ws.write() as conn:
        changed = conn.execute(
            "UPDATE runs SET status = 'queued', cancel_requested = 0, message = NULL, finished = NULL "
            "WHERE id = ? AND status IN ('interrupted', 'cancelled', 'failed')", (run_id,)).rowcount
        if changed and kept is not None:  # what was measured on weights the resume throws away
            conn.execute("DELETE FROM metrics WHERE run_id = ? AND step > ?", (run_id, kept))
            conn.execute("UPDATE runs SET step = ?, progress = CASE WHEN total_steps > 0 THEN ? * 1.0 / total_steps "
                         "ELSE 0 END, loss = NULL, eta_s = NULL WHERE id = ?",
                         (max(kept, 0), max(kept, 0), run_id))  # and its progress goes back there too
    if changed and kept is not None:  # and the map in motion's frames of them
        from .snapshots import forget_after

        forget_after(run_dir(ws, run_id), kept)
    if not changed:
        raise WorkspaceError(f"run {run_id!r} is not interrupted, cancelled or failed")


def checkpoint_step_of(ws: Workspace, run_id: str) -> int | None:
    """The step run `run_id` resumes from: its checkpoint's, -1 with none (it starts again, its
    untrained baseline measured anew); None when its checkpoint's meta cannot be read (then
    nothing is removed: the resume fails and says why)."""
    from .checkpoint import read_meta

    if not get_run(ws, run_id)["checkpoint"]:
        return -1
    try:
        meta = read_meta(run_dir(ws, run_id))
        return None if meta is None else int(meta["step"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class JobReporter:
    """Writes a run's progress and metrics to the job table, at most once a second."""

    def __init__(self, ws: Workspace, run_id: str) -> None:
        self.ws, self.run_id = ws, run_id
        self.pending: list[tuple[str, int, str, float]] = []
        self.state: Any = None
        self.last_flush = 0.0
        self.cancel = False

    def on_step(self, state: Any) -> None:
        self.state = state
        if time.monotonic() - self.last_flush > FLUSH_SECONDS:
            self.flush()

    def on_metrics(self, step: int, values: dict[str, float]) -> None:
        self.pending += [(self.run_id, step, name, float(v)) for name, v in values.items()]

    def on_checkpoint(self, step: int, path: Path) -> None:
        with self.ws.write() as conn:
            conn.execute("UPDATE runs SET checkpoint = ? WHERE id = ?", (str(path), self.run_id))
        self.flush()

    def should_stop(self) -> bool:
        return self.cancel

    def flush(self) -> None:
        with self.ws.write() as conn:
            conn.executemany("INSERT INTO metrics VALUES (?, ?, ?, ?)", self.pending)
            if self.state is not None:
                s = self.state
                conn.execute("UPDATE runs SET step = ?, total_steps = ?, progress = ?, images_per_s = ?, "
                             "eta_s = ?, loss = ? WHERE id = ?",
                             (s.step, s.total_steps, s.progress, s.images_per_s, s.eta_s, s.loss, self.run_id))
            self.cancel = bool(conn.execute("SELECT cancel_requested FROM runs WHERE id = ?",
                                            (self.run_id,)).fetchone()[0])
        self.pending = []
        self.last_flush = time.monotonic()


class TeeReporter:
    """Sends every event to several reporters; stops when any asks to."""

    def __init__(self, *reporters: Any) -> None:
        self.reporters = reporters

    def on_step(self, state: Any) -> None:
        for r in self.reporters:
            r.on_step(state)

    def on_metrics(self, step: int, values: dict[str, float]) -> None:
        for r in self.reporters:
            r.on_metrics(step, values)

    def on_checkpoint(self, step: int, path: Path) -> None:
        for r in self.reporters:
            r.on_checkpoint(step, path)

    def should_stop(self) -> bool:
        return any(r.should_stop() for r in self.reporters)


def _dataset_arrays(ws: Workspace, run: dict[str, Any]) -> tuple[np.ndarray, np.ndarray | None]:
    info = next((d for d in ws.datasets() if d.id == run["dataset_id"]), None)
    if info is None:
        raise WorkspaceError(f"run {run['id']} cannot train: its dataset {run['dataset']!r} was deleted; "
                             "its checkpoint stays (export it, or evaluate it on another dataset)")
    from .evaluate.splits import labelled
    from .kinds import KINDS

    usable = labelled(ws.labels(info))  # Evaluate's rule: two classes of two (one class: any encoder scores 100%)
    codes = None
    if usable is not None:  # the images Evaluate judges with; the others -1, left out of the monitor's probe
        codes = np.full(info.image_count, -1, np.int64)
        codes[usable.indices] = usable.codes

    return KINDS[info.kind].training_data(ws, info, run_dir(ws, run["id"])), codes


def run_config(run: dict[str, Any]) -> TrainConfig:
    """The TrainConfig run `run` (a jobs row) was queued with."""
    from .engine import TrainConfig

    return TrainConfig(**json.loads(run["config"]))


def _trainer(ws: Workspace, run: dict[str, Any], reporter: Any) -> Any:
    """The Trainer of `run`, resumed from its checkpoint when it has one."""
    from .engine import Trainer

    images, labels = _dataset_arrays(ws, run)
    trainer = Trainer(run_config(run), images, labels, run_dir(ws, run["id"]), reporter)
    if (run_dir(ws, run["id"]) / "checkpoint.json").exists():
        trainer.resume()
    return trainer


def follow(ws: Workspace, run_id: str) -> Any:
    """Train run `run_id` as a process other than rank 0 of a torchrun job: the same steps,
    no job-table writes (rank 0 records the run)."""
    from .distributed import SilentReporter

    return _trainer(ws, get_run(ws, run_id), SilentReporter()).run()


def execute(ws: Workspace, run_id: str, extra_reporter: Any = None) -> Any:
    """Train run `run_id` in this process (resuming from its checkpoint if it has one)
    and record the outcome. Returns the TrainResult."""
    claim(ws, run_id)
    run = get_run(ws, run_id)
    reporter = JobReporter(ws, run_id)
    try:
        trainer = _trainer(ws, run, TeeReporter(reporter, extra_reporter) if extra_reporter else reporter)
        result = trainer.run()
    except Exception as exc:  # a crash is recorded, never lost
        with ws.write() as conn:
            conn.execute("UPDATE runs SET status = 'failed', message = ?, pid = NULL, finished = ?, "
                         "images_per_s = NULL WHERE id = ?",  # no whole-run speed: the run never returned
                         (f"{type(exc).__name__}: {exc}", utc_now(), run_id))
        raise
    reporter.flush()
    message = result.message or ("; ".join(result.warnings) if result.warnings else None)
    with ws.write() as conn:
        # the speed becomes the whole run's (images / its time, measurements and checkpoints included), as
        # `train`'s JSON says it; while running it was the training steps' moving average
        conn.execute("UPDATE runs SET status = ?, message = ?, pid = NULL, finished = ?, step = ?, "
                     "loss = ?, checkpoint = ?, progress = CASE WHEN ? = 'completed' THEN 1 ELSE progress END, "
                     "images_per_s = ? WHERE id = ?",
                     (result.status, message, utc_now(), result.steps, result.final_loss, result.checkpoint,
                      result.status, result.images_per_s or None, run_id))
    return result


CLAIM = "UPDATE runs SET status = 'running', pid = ?, started = COALESCE(started, ?), cancel_requested = 0 "


def claim(ws: Workspace, run_id: str) -> None:
    """Make run `run_id` this process's to train: one UPDATE that only a queued run (or one
    this process claimed already) passes, so of two processes asking at once exactly one
    wins; the other gets a WorkspaceError saying who has the run."""
    pid = os.getpid()
    with ws.write() as conn:
        won = conn.execute(CLAIM + "WHERE id = ? AND (status = 'queued' OR (status = 'running' AND pid = ?))",
                           (pid, utc_now(), run_id, pid)).rowcount
        row = conn.execute("SELECT status, pid FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise WorkspaceError(f"no run {run_id!r}")
    if not won:
        holder = f" in process {row['pid']}" if row["pid"] else ""
        raise WorkspaceError(f"run {run_id} is {row['status']}{holder}: only a queued run can be trained")
    crash_point("claim:committed")


def claim_next(ws: Workspace) -> str | None:
    """Take the oldest queued run for this process, in one UPDATE only one process can win."""
    with ws.write() as conn:
        rows = conn.execute(CLAIM + "WHERE id = (SELECT id FROM runs WHERE status = 'queued' ORDER BY created, "
                            "rowid LIMIT 1) AND status = 'queued' RETURNING id", (os.getpid(), utc_now())).fetchall()
    if not rows:
        return None
    crash_point("claim:committed")
    return rows[0][0]


def work(ws: Workspace, device: str) -> int:
    """Worker loop: train queued runs one after another while holding the device lock;
    returns how many ran. Exits at once if another process holds the device. A run queued
    after the queue looked empty but before the lock was let go (its own worker then found
    the lock held and left) is found once the lock is free, and trained."""
    done = 0
    while True:
        with ws.lock(device, wait=False) as held:
            if not held:
                return done
            while (run_id := claim_next(ws)) is not None:
                try:
                    execute(ws, run_id)
                except Exception:  # recorded as failed by execute; go on with the queue
                    pass
                done += 1
        if not waiting(ws):
            return done


def start_worker(ws: Workspace) -> None:
    """Start a detached worker process for the queue (it exits when the queue is empty);
    closing the browser or the app does not stop it, and its exit is reaped (detached.py)."""
    start_detached(["--workspace", str(ws.root), "worker"], ws.root / "worker.log")


TRAINING_S = "training_s"  # metric the trainer keeps at every checkpoint: seconds spent training, resumes included
# knn_majority: the verdict's floor on unequal classes (verdict.MAJORITY; walk 15: `runs` and the runs table judged
# against chance where the panel said largest class); the starting weights' score and rank (verdict.KNN_START,
# RANK_START: a run from other weights is read against them); the linear probe on the probe and its twin's (verdict.
# ONLINE_PROBE: a gain only it shows is judged by it, walk 33)
SUMMARY_METRICS = ("knn_accuracy", "embedding_std", "effective_rank", "knn_untrained", "pixel_shared",
                   "pixel_shared_untrained", "effective_rank_untrained", "probe_size", "untrained_calibrated",
                   "knn_majority", "knn_accuracy_start", "effective_rank_start", "linear_probe_accuracy",
                   "linear_probe_untrained", TRAINING_S, OTHER_CORES)


def final_metrics(ws: Workspace, run_ids: Sequence[str] | None = None) -> dict[str, dict[str, float]]:
    """{run id: {metric: its last value}} for the health, kNN and verdict metrics of every run, or
    of `run_ids` only (Evaluate's judged runs: not the whole metrics table on every rerun)."""
    only = "" if run_ids is None else f" AND run_id IN ({', '.join('?' * len(run_ids))})"
    with ws.read() as conn:
        rows = conn.execute(
            "SELECT m.run_id, m.name, m.value FROM metrics m JOIN (SELECT run_id, name, MAX(step) AS step "
            f"FROM metrics WHERE name IN ({', '.join('?' * len(SUMMARY_METRICS))}){only} GROUP BY run_id, name) last "
            "ON m.run_id = last.run_id AND m.name = last.name AND m.step = last.step",
            (*SUMMARY_METRICS, *(run_ids or ()))).fetchall()
    out: dict[str, dict[str, float]] = {}
    for run_id, name, value in rows:
        out.setdefault(run_id, {})[name] = value
    return out


def training_seconds(run: dict[str, Any], final: dict[str, float]) -> float | None:
    """Seconds `run` spent training (its last checkpoint's `training_s`: a pause before a resume
    is not counted; a run saved before it was kept: finished - started); None while it runs."""
    if not (run["finished"] and run["started"]):
        return None
    if TRAINING_S in final:
        return final[TRAINING_S]
    return (datetime.fromisoformat(run["finished"]) - datetime.fromisoformat(run["started"])).total_seconds()


def run_summary(ws: Workspace, run: dict[str, Any], final: dict[str, float]) -> dict[str, Any]:
    """The JSON a person or a script wants about a run (`final`: its last metrics); every
    run has the same keys, a metric it never measured (a run that failed first) null. Its
    checkpoint is named where it is in `ws` now: the row keeps the path it was written at,
    stale once the workspace moves (a copied workspace named the original's files)."""
    keys = ("dataset", "dataset_deleted", "method", "encoder", "status", "message", "created", "started",
            "finished", "step", "total_steps", "progress", "images_per_s", "loss")
    from .run_names import run_name

    saved = run.get("checkpoint")
    return {"run": run["id"], "name": run_name(run), "notes": run.get("notes"), **{key: run.get(key) for key in keys},
            "checkpoint": str(run_dir(ws, run["id"]) / Path(saved).name) if saved else None,
            **{name: final.get(name) for name in SUMMARY_METRICS}}

