"""Command line: `python -m ssl_core COMMAND ...`.

Every command prints JSON on stdout; progress and errors go to stderr; a failure exits
non-zero with a message that says what went wrong.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from dataclasses import asdict

from .data.decode import DEPTHS, FITS
from .data.ingest import DEFAULT_SIZE, DEPTH_HELP, IngestError, folder_classes, ingest_path
from .data.rejections import rejected_total
from .data.trim import MOST, NONE, Trim, parse_trim
from .imports import ImportRefused
from .imports.registry import MAX_SIDE, MIN_SIDE, check_side
from .kind_words import UNITS
from .numba_cache import configure_numba_cache, default_numba_cache
from .store import Workspace, WorkspaceError, atomic_write_bytes
from .words import agreeing, counted, noun


LOG_EVERY_S = 5.0  # a redirected stderr (a log file, a cluster job) gets one line this often


def _progress_line(text: str, last: float, every: float, final: bool) -> float:
    """Write `text` on stderr: on a terminal redrawn in place at most every `every` s; else
    as its own line at most every LOG_EVERY_S s (no carriage returns in a log). Returns the
    time of the last write."""
    tty = sys.stderr.isatty()
    now = time.monotonic()
    if now - last < (every if tty else LOG_EVERY_S) and not final:
        return last
    sys.stderr.write(("\r" + text + ("\n" if final else "")) if tty else text + "\n")
    sys.stderr.flush()
    return now


class StderrProgress:
    """A one-line progress bar on stderr, redrawn at most ten times a second (a line every
    few seconds when stderr is not a terminal); `doing`, where given, replaces the count and
    the ETA (an evaluation's units are stages of unlike length)."""

    def __init__(self, label: str) -> None:
        self.label, self.start, self.last = label, time.monotonic(), 0.0

    def __call__(self, done: float, total: int, doing: str = "") -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        rate = done / max(time.monotonic() - self.start, 1e-9)
        eta = (total - done) / rate if rate > 0 else 0.0
        said = doing or f"{done:.0f}/{total} {rate:.0f}/s ETA {eta:.0f}s"
        self.last = _progress_line(f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {said}", self.last, 0.1,
                                   done >= total)


def _at_least(low: float, kind: type = int, above: bool = False):
    """An argparse type: a finite `kind` (int or float) of at least `low` (above it when
    `above`), so a value no command can use is a usage error naming its option."""
    wanted = f"{'an integer' if kind is int else 'a number'} {'above' if above else 'at least'} {low}"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or value < low or (above and value == low):
            raise argparse.ArgumentTypeError(f"expected {wanted}, not {text!r}")
        return value

    return parse


COUNT = _at_least(1)  # how many: neighbours, guesses, pixels
POSITIVE = _at_least(0, float, above=True)  # a budget or a learning rate


def _side(text: str) -> int:
    """An argparse type: an --image-size, bounded as an import bounds it (check_side), so a
    side no batch could hold is a usage error, not an allocator's traceback."""
    side = COUNT(text)
    try:
        check_side(side)
    except ImportRefused as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return side


def _print(obj: object) -> None:
    """`obj` as JSON on stdout. A reader that went away (`| head`) ends the command quietly
    with status 141, as a shell reports a writer stopped by SIGPIPE (Python's recipe,
    https://docs.python.org/3/library/signal.html#note-on-sigpipe)."""
    try:
        print(json.dumps(obj, indent=2), flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the flush at exit must not fail again
        raise SystemExit(141) from None


def cmd_ingest(ws: Workspace, args: argparse.Namespace) -> int:
    try:
        report = ingest_path(ws, args.paths, name=args.name, labels_path=args.labels, size=args.size,
                             replace=args.replace, progress=StderrProgress("decoding"), fit=args.fit,
                             folder_labels=not args.no_folder_labels, trim=args.trim, depth=args.depth)
    except IngestError as exc:
        _print(exc.to_json())  # a report's keys, nothing stored, and the error
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if classes := folder_classes(ws, report.dataset, report.labels_from):  # walk 27: sites read as classes
        print(f"note: the subfolders {classes} were taken as the images' classes (used only to judge, never to "
              "train); --no-folder-labels leaves the images unlabelled", file=sys.stderr)
    if report.rejected:
        print(f"{counted(rejected_total(report.rejected), 'files')} rejected; see \"rejected\"", file=sys.stderr)
    _print(report.to_json())
    return 0


def cmd_datasets(ws: Workspace, args: argparse.Namespace) -> int:
    _print([asdict(info) for info in ws.datasets()])
    return 0


def cmd_delete(ws: Workspace, args: argparse.Namespace) -> int:
    from .imports.registry import embedding_sets_of

    sets = embedding_sets_of(ws, ws.dataset(args.name).id)
    saved = {run["run"] for run in ws.runs_of(args.name) if run["checkpoint"]}
    kept = ws.delete_dataset(args.name)
    if with_checkpoint := [run for run in kept if run in saved]:
        keep = agreeing(len(with_checkpoint), "keeps its checkpoint", "keep their checkpoints")
        print(f"{counted(len(with_checkpoint), 'runs')} trained on it {keep}, without their dataset: "
              f"{', '.join(with_checkpoint)}", file=sys.stderr)
    if without := [run for run in kept if run not in saved]:
        print(f"{counted(len(without), 'runs')} trained on it had written no checkpoint and "
              f"{agreeing(len(without), 'keeps only its', 'keep only their')} metrics: "
              f"{', '.join(without)}", file=sys.stderr)
    if sets:
        print(f"its imported {noun(len(sets), 'embedding sets')} went with it "
              f"({agreeing(len(sets), 'its', 'their')} vectors belonged to its images): "
              f"{', '.join(sets)}", file=sys.stderr)
    _print({"deleted": args.name, "runs_kept": kept, "embedding_sets_deleted": sets})
    return 0


class TrainProgress:
    """The engine's step events as one redrawn line on stderr: bar, step, loss, speed, ETA. The
    speed is the steps' moving average, not counting the online measurements and checkpoints
    between them, which the JSON's whole-run `images_per_s` counts (walk 19 read 948 beside 92.8)."""

    def __init__(self, unit: str = "images") -> None:
        self.last, self.ended, self.unit = 0.0, False, unit  # unit: what the speed counts (kind_words.UNITS)

    def on_step(self, state) -> None:
        filled = int(30 * state.progress)
        total = f"/{state.total_steps}" if state.total_steps else ""
        eta = f"{state.eta_s:.0f}s" if state.eta_s is not None else "?"
        speed = f"{state.images_per_s:.0f} {self.unit}/s (steps only)"
        self.last = _progress_line(f"[{'#' * filled}{'.' * (30 - filled)}] step {state.step}{total} "
                                   f"loss {state.loss:.4f} {speed} ETA {eta}   ",
                                   self.last, 0.2, final=state.progress >= 1.0)  # the last step always shows
        self.ended = state.progress >= 1.0

    def on_metrics(self, step, values) -> None:
        pass

    def on_checkpoint(self, step, path) -> None:
        pass

    def should_stop(self) -> bool:
        return False


RUN_SETTINGS = ("dataset", "method", "encoder", "recipe", "epochs", "minutes", "batch_size", "lr", "init")  # of `train`


def _queue_run(ws: Workspace, args: argparse.Namespace) -> str:
    """The run this command trains: `--resume RUN` queued again, `--advice RUN`'s first
    advice applied to RUN's settings, or a new one."""
    from . import jobs
    from .augment import make_recipe
    from .engine import TrainConfig
    from .evaluate.advice import batch_for
    from .evaluate.diagnose import next_config
    from .imports import start_from
    from .imports.registry import start_side
    from .kinds import known_method, methods_for
    from .methods import get_method

    if args.resume or args.advice:  # the run's own settings: others given would be silently dropped
        if args.resume and args.advice:
            raise ValueError("give --resume RUN or --advice RUN, not both")
        given = [f"--{name.replace('_', '-')}" for name in RUN_SETTINGS if getattr(args, name) is not None]
        if given or args.seed:
            raise ValueError(f"{'--resume' if args.resume else '--advice'} trains with the run's own settings; "
                             f"drop {', '.join(given + ['--seed'] * bool(args.seed))}")
    if args.resume:
        jobs.requeue(ws, args.resume)
        return args.resume
    if args.advice:
        return jobs.create_run(ws, next_config(ws, args.advice))
    if not args.dataset:
        raise ValueError("--dataset is required (or --resume RUN, or --advice RUN)")
    budget = {"epochs": args.epochs} if args.epochs is not None else {"minutes": args.minutes or 5.0}
    recipe = make_recipe(args.recipe).to_dict() if args.recipe else None
    kind = ws.dataset(args.dataset).kind
    method = known_method(kind, args.method) if args.method else methods_for(kind)[0]  # as the Train page
    encoder = args.encoder or (start_from.encoder_of(ws, args.init) if args.init else
                               (get_method(method).encoders or (TrainConfig.encoder,))[0])
    config = TrainConfig(dataset=args.dataset, method=method, encoder=encoder, recipe=recipe,
                         lr=args.lr, seed=args.seed, init=args.init, **budget, **start_side(ws, args.init),
                         batch_size=args.batch_size or batch_for(ws.dataset(args.dataset).image_count))
    return jobs.create_run(ws, config)


def _pace_words(ws: Workspace, run_id: str) -> str | None:
    """ssl_core/pace_note.py's sentence for run `run_id`'s minutes budget, None where it has none."""
    from . import jobs
    from .pace_note import pace_note

    run = jobs.get_run(ws, run_id)
    config = jobs.run_config(run)
    if config.minutes is None:
        return None
    return pace_note(ws, config.dataset, config.method, config.encoder, config.minutes, config.batch_size,
                     UNITS[jobs.run_kind(run)])


def _train_here(ws: Workspace, run_id: str) -> tuple:
    """Claim run `run_id`, wait for the device and train the run in this process:
    (TrainResult, its TrainProgress)."""
    from . import jobs
    from .devices import pick_device

    device = pick_device("auto").type
    jobs.claim(ws, run_id)  # before waiting for the device, so the app's worker cannot take it meanwhile
    with ws.lock(device, wait=False) as held:
        if not held:
            print(f"waiting for the run on {device} to finish...", file=sys.stderr)
    try:
        with ws.lock(device, wait=True):
            progress = TrainProgress(UNITS[jobs.run_kind(jobs.get_run(ws, run_id))])
            return jobs.execute(ws, run_id, extra_reporter=progress), progress
    finally:  # a run queued meanwhile (the app's Start) found the device held and its worker left (walk 28)
        if jobs.waiting(ws):
            jobs.start_worker(ws)


def _mark_interrupted(ws: Workspace, run_id: str) -> str:
    """Record run `run_id`, stopped by Ctrl-C in this process while queued or training,
    as interrupted (so it no longer holds its dataset, and resumes when asked); returns
    what to tell the user: what was kept and how to resume."""
    from . import checkpoint, jobs

    meta = checkpoint.read_meta(jobs.run_dir(ws, run_id))
    kept = f"its checkpoint at step {meta['step']} is kept" if meta else "no checkpoint was written yet"
    if not jobs.interrupted_here(ws, run_id, f"stopped with Ctrl-C; {kept}"):  # it ended (or another process took it) before the Ctrl-C
        return f"run {run_id} is {jobs.get_run(ws, run_id)['status']}"
    again = "resume with" if meta else "it starts again from step 0 with"
    return f"run {run_id} interrupted; {kept}; {again}: python -m ssl_core train --resume {run_id}"


def cmd_train(ws: Workspace, args: argparse.Namespace) -> int:
    """Train in the foreground. Under torchrun every process runs this: rank 0 queues and
    records the run, the others train the same run with it (see ssl_core.distributed)."""
    from . import distributed, jobs, machine_load

    rank = int(os.environ.get("RANK", "0"))
    run_id, error = None, None
    if rank == 0:  # before joining the group: queuing does a dry step that must not gather
        try:
            run_id = _queue_run(ws, args)
        except (KeyError, ValueError, WorkspaceError) as exc:
            error = str(exc.args[0] if exc.args else exc)
    distributed.init_from_env()
    run_id, error = distributed.share((run_id, error))  # type: ignore[misc]
    if error:
        if rank == 0:
            print(f"error: {error}", file=sys.stderr)
        return 1
    if rank != 0:
        jobs.follow(ws, run_id)
        return 0
    if slow := _pace_words(ws, run_id):  # as the Train page says it above Start (walk 29: 2 steps in a minute)
        print(f"note: {slow}", file=sys.stderr)
    try:
        result, progress = _train_here(ws, run_id)
    except KeyboardInterrupt:
        print(f"\n{_mark_interrupted(ws, run_id)}", file=sys.stderr)
        return 130
    if sys.stderr.isatty() and not progress.ended:
        sys.stderr.write("\n")  # a run stopped early: end the bar redrawn in place
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.message:
        print(result.message, file=sys.stderr)
    others = jobs.latest(jobs.metrics(ws, run_id)).get(machine_load.OTHER_CORES)
    if busy := machine_load.busy_note(others, pages=False):  # as the Train page says it (walk 23: 4.9 images/s)
        print(f"note: {busy}", file=sys.stderr)
    _print({"run": run_id, "status": result.status, "steps": result.steps,
            "images_per_s": round(result.images_per_s, 1), "final_loss": result.final_loss,
            "checkpoint": result.checkpoint, "message": result.message, "other_cores": others,
            **jobs.run_verdict(ws, run_id).to_json()})
    return 0 if result.status == "completed" else 1


def cmd_advise(ws: Workspace, args: argparse.Namespace) -> int:
    """[{"rule", "evidence", "advice", "change"}]: evaluate/advice.py's rules on the run; where
    none fired, why (how far the run was checked) on stderr."""
    from . import jobs
    from .evaluate.diagnose import NotAdvised, diagnose, held_words, no_advice_words

    try:
        found = diagnose(ws, args.run)
    except NotAdvised as exc:  # a text run, a dataset gone: no advice, said as the README says (walk 19: exit 1)
        print(f"No advice: {exc}", file=sys.stderr)
        _print([])
        return 0
    if not found:
        run = jobs.get_run(ws, args.run)
        words = no_advice_words(run, jobs.metrics(ws, args.run), held_words(ws, run))
        print(f"No advice: {words}", file=sys.stderr)
    _print([advice.to_json() for advice in found])
    return 0


def cmd_runs(ws: Workspace, args: argparse.Namespace) -> int:
    from . import jobs

    final = jobs.final_metrics(ws)
    _print([{**jobs.run_summary(ws, run, final.get(run["id"], {})),
             **jobs.verdict_of(ws, run, final.get(run["id"], {})).to_json()} for run in jobs.list_runs(ws)])
    return 0


def cmd_worker(ws: Workspace, args: argparse.Namespace) -> int:
    from . import jobs
    from .devices import pick_device

    jobs.work(ws, pick_device("auto").type)
    return 0


@contextmanager
def _writing(out: str) -> Iterator[None]:
    """Writing the user's --out: a missing or read-only place fails naming it, no traceback."""
    try:
        yield
    except OSError as exc:
        raise _cannot_write(out, exc.strerror or str(exc)) from None


def _cannot_write(out: str, reason: str) -> ValueError:
    """The one-line refusal of the user's --out `out`."""
    return ValueError(f"{out}: cannot write there ({reason})")


def _check_out_file(out: str) -> None:
    """Refuse the file --out `out` when something other than a regular file is there (a
    device, a FIFO, a folder): writing a temporary file and renaming it would replace it."""
    if os.path.exists(out) and not os.path.isfile(out):
        raise _cannot_write(out, "not a regular file; a device, FIFO or folder is never replaced")


def _source(ws: Workspace, args: argparse.Namespace):
    """The encoder that --run R (a run, or an imported encoder or embedding set) or
    --untrained (with --encoder and --image-size) names."""
    from . import embed
    from .kinds import encoders_of

    if args.run:
        return embed.from_name(ws, args.run)
    dataset = ws.dataset(args.dataset)
    encoder = args.encoder or encoders_of(dataset.kind)[0]
    return embed.untrained(encoder, args.image_size) if args.image_size else embed.untrained_for(dataset, encoder)


def _embedding(ws: Workspace, args: argparse.Namespace):
    """The embedding of --dataset D by `_source` (computed if needed)."""
    from . import embed

    return embed.embed(ws, args.dataset, _source(ws, args), progress=StderrProgress("embedding"))


def cmd_embed(ws: Workspace, args: argparse.Namespace) -> int:
    emb = _embedding(ws, args)
    _print({"dataset": emb.dataset.name, "source": emb.source.label, "shape": list(emb.features.shape),
            "features": str(emb.folder / "features.npy")})
    return 0


def cmd_project(ws: Workspace, args: argparse.Namespace) -> int:
    import pandas as pd

    from . import project
    from .export import file_table
    from .spreadsheet import neutralise_text_columns

    if args.out:
        _check_out_file(args.out)  # before embedding, which can take a while
    emb = _embedding(ws, args)
    sys.stderr.write(f"{args.method.upper()} to {args.dims}-D...\n")
    coords = project.project(emb, args.method, dims=args.dims, **_map_params(args))
    _check_placed(coords, args.method)
    out = None
    if args.out:
        table = pd.concat([pd.DataFrame(coords, columns=["x", "y", "z"][: args.dims]), file_table(ws, emb)], axis=1)
        with _writing(args.out):
            atomic_write_bytes(Path(args.out), neutralise_text_columns(table).to_csv(index=False).encode())
        out = args.out
    _print({"dataset": emb.dataset.name, "source": emb.source.label, "method": args.method,
            "shape": list(coords.shape), "csv": out})
    return 0


def _check_placed(coords, method: str) -> None:
    """Refuse a map where some point has no place (UMAP leaves a point disconnected from all
    its neighbours at NaN): no empty coordinate is written or reported as a map."""
    from . import project

    unplaced = int((~project.placed(coords)).sum())
    if unplaced:
        raise ValueError(f"{unplaced:,} of {len(coords):,} points got no place on the {method.upper()} map "
                         f"(too far from all their neighbours); --method pca places every point")


def _map_params(args: argparse.Namespace) -> dict:
    return {"n_neighbors": args.neighbors, "min_dist": args.min_dist} if args.method == "umap" else {}


def _query_image(query: str, dataset):
    """The image file --query as a (1, side, side, 3) uint8 array, trimmed and fitted as `dataset`'s
    pictures were (decode.as_stored), read as an import reads a file on the server: a regular file of at most
    MAX_FILE_BYTES (a FIFO or a device is refused unread), then decoded; else a ValueError naming
    it and why."""
    from .data.decode import RejectedFile, as_stored
    from .data.roots import read_regular
    from .data.sources import MAX_FILE_BYTES

    try:
        return as_stored(read_regular(Path(query), MAX_FILE_BYTES), dataset)[None]
    except OSError as exc:
        raise ValueError(f"{query}: cannot be read ({exc.strerror or exc})") from None
    except (ValueError, RejectedFile) as exc:  # not a regular file, over the cap, not an image
        raise ValueError(f"{query}: {exc}") from None


def cmd_search(ws: Workspace, args: argparse.Namespace) -> int:
    from . import embed, index
    from .data.text_ingest import load_texts
    from .text.kind import text_query

    info = ws.dataset(args.dataset)
    if args.query is not None and info.kind != "image":  # before embedding: that can take a while
        raise ValueError(f"dataset {args.dataset!r} holds {info.kind}, not images: search it with a sentence "
                         f"(--query-text TEXT), not an image file (--query)")
    image = None if args.query is None else _query_image(args.query, info)  # before embedding too
    source = _source(ws, args)
    encoder = embed.load_encoder(ws, source, info)  # before embedding: an embedding set has none (walk 23: its bar ran)
    emb = embed.embed(ws, args.dataset, source, progress=StderrProgress("embedding"))
    item = image if args.query_text is None else text_query(ws, emb.dataset, emb.source, args.query_text)
    query = emb.centre(embed.compute_features(encoder, item, emb.source.image_size,
                                              kind=emb.dataset.kind))
    scores, ids = index.search(index.load_or_build(emb), query, args.k + 1)
    rows = ws.image_rows(emb.dataset)
    texts = load_texts(ws, emb.dataset) if emb.dataset.kind == "text" else None  # walk 19: a file:line and a score
    pixels = ws.images(emb.dataset) if texts is None else None
    itself = index.stored_copy(lambda i: texts[i] == args.query_text if texts is not None else
                               bytes(pixels[i]) == image[0].tobytes(), scores[0], ids[0])
    hits = [(s, i) for s, i in zip(scores[0], ids[0]) if i >= 0 and i != itself][:args.k]  # the query left out
    _print({"query": args.query if args.query_text is None else args.query_text,
            "dataset": emb.dataset.name, "source": emb.source.label,
            "query_in_dataset": None if itself is None else {"file": rows[itself]["name"], "index": itself},
            "neighbours": [{"file": rows[i]["name"], "index": int(i), "score": round(float(s), 6),
                            "label": rows[i]["label"], **({} if texts is None else {"text": texts[i]})}
                           for s, i in hits]}
           | ({} if args.query_text is None else {"unseen_words": _unseen_words(ws, emb.dataset, args.query_text)}))
    return 0


def _unseen_words(ws: Workspace, info, text: str) -> list[str]:
    """The words of a text query that occur in none of dataset `info`'s examples."""
    from .data.text_ingest import load_texts
    from .text.unseen import corpus_words, unseen_words

    return unseen_words(text, corpus_words(load_texts(ws, info)))


def cmd_fill(ws: Workspace, args: argparse.Namespace) -> int:
    """{"run", "text", "tokens", "masks": [{"position", "guesses": [{"token", "probability"}]}]}."""
    from . import jobs
    from .text.fill import fill, load_fill_model

    run_id = jobs.get_run(ws, args.run)["id"]
    method, tokenizer = load_fill_model(jobs.run_dir(ws, run_id))
    _print({"run": run_id, **fill(method, tokenizer, args.text, args.top)})
    return 0


def cmd_export(ws: Workspace, args: argparse.Namespace) -> int:
    from . import export

    named = None if args.parts is None else [p.strip() for p in args.parts.split(",") if p.strip()]
    if named == []:  # before the embedding is computed for nothing
        raise KeyError(f"--parts names no part; choose from: {', '.join(export.PARTS)}")
    emb = _embedding(ws, args)
    parts = named if named is not None else export.parts_for(emb.source)
    files = export.export(ws, emb, parts)
    with _writing(args.out):
        written = export.to_folder(files, Path(args.out))
    _print({"dataset": emb.dataset.name, "source": emb.source.label, "files": written})
    return 0


def _source_arguments(command: argparse.ArgumentParser) -> None:
    """--dataset and which encoder: --run R or --untrained (with its encoder and side)."""
    command.add_argument("--dataset", required=True, help="dataset name")
    which = command.add_mutually_exclusive_group(required=True)
    which.add_argument("--run", help="a run whose last checkpoint embeds the images, or an imported encoder "
                       "or embedding set (import-encoder, import-embeddings)")
    which.add_argument("--untrained", action="store_true", help="the seeded untrained encoder (the baseline)")
    command.add_argument("--encoder", help="with --untrained: the encoder (default: the first for the dataset's "
                         "kind, small_cnn for images, text_transformer for text)")
    command.add_argument("--image-size", type=_side,
                         help=f"with --untrained: input side, {MIN_SIDE} to {MAX_SIDE} (default: the side the app "
                              "offers it at, that of the default run's untrained twin: 48 for small_cnn on images "
                              "stored at 48 px or more, else 32)")


def cmd_evaluate(ws: Workspace, args: argparse.Namespace) -> int:
    """Every metric of the Evaluate page as JSON (label-based keys null without labels)."""
    from .evaluate.report import EvaluateConfig, report
    from .evaluate.stored import evaluate

    source = _source(ws, args)
    progress = StderrProgress("evaluating")
    if args.k == EvaluateConfig.k:  # the page's settings: the kept report serves both
        _print(evaluate(ws, args.dataset, source, progress=progress))
    else:
        _print(report(ws, args.dataset, source, progress=progress, config=EvaluateConfig(k=args.k)))
    return 0


def cmd_import_encoder(ws: Workspace, args: argparse.Namespace) -> int:
    """{"encoder", "kind", "arch", "image_size", "mean", "std", "num_features", "source", "created",
    "batchnorm_never_estimated"}; a note on stderr where that is not 0."""
    from .imports.encoders import import_encoder, never_estimated_note

    config = import_encoder(ws, args.name, args.arch, Path(args.weights) if args.weights else None,
                            args.image_size, args.mean, args.std)
    _print(config)
    if note := never_estimated_note(config):
        print(f"note: {note}", file=sys.stderr)
    return 0


def cmd_import_embeddings(ws: Workspace, args: argparse.Namespace) -> int:
    """{"encoder", "matched", "unmatched" (rows naming no image), "shape", "columns" (a table's:
    {"names", "used", "left_out": {column: why}}; null for an .npy)}."""
    from .imports.embeddings import import_embeddings

    result = import_embeddings(ws, args.dataset, args.name, Path(args.file))
    if result["unmatched"]:
        print(f"{counted(len(result['unmatched']), 'rows')} named no image of {args.dataset}; see \"unmatched\"",
              file=sys.stderr)
    _print(result)
    return 0


def cmd_delete_import(ws: Workspace, args: argparse.Namespace) -> int:
    """{"deleted", "kind", "removed" (folders)}; refused while a run started from it is queued or running."""
    from .imports.removal import delete_import

    _print(delete_import(ws, args.name))
    return 0


def cmd_doctor(ws: Workspace, args: argparse.Namespace) -> int:
    """{"ok", "problems", "repaired"} of the workspace check (doctor.py); exit 1 unless ok."""
    from .doctor import doctor

    result = doctor(ws, repair=args.repair)
    _print(result)
    return 0 if result["ok"] else 1


def _open_unswept(root: str | None) -> Workspace:
    from .doctor import open_unswept

    return open_unswept(root)


def cmd_warmup(ws: Workspace, args: argparse.Namespace) -> int:
    """Compile UMAP's numba functions into the disk cache (the app starts this in the background)."""
    from . import project
    from .numba_cache import warmed_marker

    start = time.monotonic()
    project.warm_up()
    warmed_marker(default_numba_cache()).touch()
    _print({"warmed": True, "seconds": round(time.monotonic() - start, 1),
            "cache": str(default_numba_cache())})
    return 0


def _trim_argument(text: str) -> Trim:
    """--trim's percentages (trim.parse_trim), refused by argparse with parse_trim's reason."""
    try:
        return parse_trim(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ssl_core", description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", help="workspace folder (default: $SSL_WORKSPACE or ./workspace)")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="import images as a dataset")
    ingest.add_argument("paths", nargs="+", metavar="PATH",
                        help="a folder, a zip, image files, or builtin:NAME")
    ingest.add_argument("--name", help="dataset name (default: from the path)")
    ingest.add_argument("--labels", metavar="CSV", help="optional CSV of filename,label")
    ingest.add_argument("--size", type=int, default=DEFAULT_SIZE, metavar="PX",
                        help=f"side of the stored square images (default {DEFAULT_SIZE})")
    ingest.add_argument("--replace", action="store_true", help="replace a dataset of the same name")
    ingest.add_argument("--fit", choices=FITS, default="crop",
                        help="how a picture becomes its stored square: its centre square (crop, the default), or the "
                             "whole picture padded with its mean colour (pad), so nothing near a long side is cut")
    ingest.add_argument("--depth", choices=DEPTHS, default="stretch", help=DEPTH_HELP)
    ingest.add_argument("--trim", type=_trim_argument, default=NONE, metavar="PERCENT",
                        help="cut a band off each picture's edges before it is stored: one percentage for every "
                             "side, four (top,right,bottom,left: 0,0,10,0 cuts a banner off the bottom tenth) or "
                             "sides by name ('bottom 10'), "
                             f"each at most {MOST}; queries read against the dataset are cut alike")
    ingest.add_argument("--no-folder-labels", action="store_true",
                        help="leave the images unlabelled where subfolders would name their classes (folders of "
                             "sites or dates, not of kinds of thing)")
    ingest.set_defaults(run_command=cmd_ingest)

    datasets = commands.add_parser("datasets", help="list datasets as JSON")
    datasets.set_defaults(run_command=cmd_datasets)

    delete = commands.add_parser("delete", help="delete a dataset")
    delete.add_argument("name")
    delete.set_defaults(run_command=cmd_delete)

    train = commands.add_parser("train", help="train an encoder (progress on stderr, JSON summary)")
    train.add_argument("--dataset", help="dataset name")
    train.add_argument("--method", help="SSL method (default: the first for the dataset's kind, simclr for images, "
                       "the CPU default)")
    train.add_argument("--encoder", help="encoder (default: the method's own, e.g. vit_tiny for mae; else small_cnn)")
    train.add_argument("--recipe", help="augmentation recipe (default: the method's own)")
    budget = train.add_mutually_exclusive_group()
    budget.add_argument("--epochs", type=POSITIVE, help="budget in passes over the data")
    budget.add_argument("--minutes", type=POSITIVE, help="budget in minutes (default 5)")
    train.add_argument("--batch-size", type=_at_least(2),  # vicreg and dino fail on one image a step
                       help="images per step and process, 2 or more (default: the Train page's, the CPU "
                       "default's 64, or the largest smaller one that makes at least 4 steps per pass over the "
                       "dataset)")
    train.add_argument("--lr", type=POSITIVE, help="learning rate (default: the method's)")
    train.add_argument("--seed", type=_at_least(0), default=0)
    train.add_argument("--init", metavar="ENCODER", help="start from the weights of an imported encoder (its name) "
                       "or a run (its id) instead of random ones; --encoder defaults to its architecture")
    train.add_argument("--resume", metavar="RUN", help="continue RUN from its last checkpoint")
    train.add_argument("--advice", metavar="RUN", help="train RUN again with its first advice applied, same budget")
    train.set_defaults(run_command=cmd_train)

    advise = commands.add_parser("advise", help="a run's diagnosis: ranked advice with its evidence, as JSON")
    advise.add_argument("--run", required=True, help="the run to diagnose")
    advise.set_defaults(run_command=cmd_advise)

    runs = commands.add_parser("runs", help="list runs as JSON")
    runs.set_defaults(run_command=cmd_runs)

    embed_ = commands.add_parser("embed", help="features of every image (cached in the workspace)")
    _source_arguments(embed_)
    embed_.set_defaults(run_command=cmd_embed)

    project_ = commands.add_parser("project", help="a 2-D or 3-D map of the embeddings (UMAP or PCA)")
    _source_arguments(project_)
    project_.add_argument("--method", choices=("umap", "pca"), default="umap")
    project_.add_argument("--dims", type=int, choices=(2, 3), default=2)
    project_.add_argument("--neighbors", type=_at_least(2), default=15, help="UMAP neighbours, 2 or more (default 15)")
    project_.add_argument("--min-dist", type=_at_least(0, float), default=0.1,
                          help="UMAP minimum distance (default 0.1)")
    project_.add_argument("--out", metavar="CSV", help="also write the coordinates (x, y[, z], file) here")
    project_.set_defaults(run_command=cmd_project)

    search = commands.add_parser("search", help="nearest neighbours of an image file in a dataset")
    _source_arguments(search)
    query = search.add_mutually_exclusive_group(required=True)
    query.add_argument("--query", metavar="IMAGE", help="an image file")
    query.add_argument("--query-text", metavar="TEXT", help="a sentence (for a text dataset)")
    search.add_argument("-k", type=COUNT, default=10, help="neighbours to return (default 10)")
    search.set_defaults(run_command=cmd_search)

    fill_ = commands.add_parser("fill", help="a masked-language-model run's top guesses for each [MASK] of a text")
    fill_.add_argument("--run", required=True, help="an mlm or mlm_simcse run")
    fill_.add_argument("--text", required=True, help='a sentence with [MASK] where words are hidden')
    fill_.add_argument("--top", type=COUNT, default=5, help="guesses per [MASK] (default 5)")
    fill_.set_defaults(run_command=cmd_fill)

    export_ = commands.add_parser("export", help="write the encoder, embeddings, index, map, projector files")
    _source_arguments(export_)
    export_.add_argument("--parts", default=None,
                         help="comma-separated: encoder, embeddings, index, map, projector (default all "
                              "the source has: an imported embedding set has no encoder)")
    export_.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    export_.set_defaults(run_command=cmd_export)

    evaluate = commands.add_parser("evaluate", help="kNN, linear probe, label efficiency, health, shortcut check")
    _source_arguments(evaluate)
    evaluate.add_argument("-k", type=COUNT, default=20, help="neighbours in the kNN vote (default 20; fewer where a "
                                                             "class has fewer labelled images, so that one can win "
                                                             "its vote: the JSON's knn_k is the k used)")
    evaluate.set_defaults(run_command=cmd_evaluate)

    import_encoder = commands.add_parser("import-encoder", help="bring in an encoder trained elsewhere "
                                         "(timm or torchvision architecture + weights file)")
    import_encoder.add_argument("--name", required=True, help="name to use it by (with --run NAME)")
    import_encoder.add_argument("--arch", required=True, metavar="timm:ARCH|torchvision:ARCH",
                                help="the architecture, e.g. timm:resnet50 or torchvision:resnet18")
    import_encoder.add_argument("--weights", metavar="FILE", help=".safetensors (or .pt/.pth/.ckpt holding "
                                "tensors only); without it, the zoo's pretrained weights (needs the internet)")
    import_encoder.add_argument("--image-size", type=_side,
                                help=f"input side, {MIN_SIDE} to {MAX_SIDE} (default: the model's own)")
    import_encoder.add_argument("--mean", type=float, nargs=3, help="input normalisation mean (default: the model's)")
    import_encoder.add_argument("--std", type=float, nargs=3, help="input normalisation std (default: the model's)")
    import_encoder.set_defaults(run_command=cmd_import_encoder)

    import_embeddings = commands.add_parser("import-embeddings", help="bring in embeddings computed elsewhere "
                                            "for a dataset's images")
    import_embeddings.add_argument("--dataset", required=True, help="dataset name")
    import_embeddings.add_argument("--name", required=True, help="name to use them by (with --run NAME)")
    import_embeddings.add_argument("file", metavar="FILE", help=".npy (N, D) in dataset order, or .parquet/.csv "
                                   "with a file-name column and the vector")
    import_embeddings.set_defaults(run_command=cmd_import_embeddings)

    delete_import = commands.add_parser("delete-import", help="delete an imported encoder or embedding set and "
                                        "its cached embeddings (refused while a run started from it is queued "
                                        "or running)")
    delete_import.add_argument("name", help="the import's name")
    delete_import.set_defaults(run_command=cmd_delete_import)

    warmup = commands.add_parser("warmup", help="compile UMAP once, so the first map of a new process is quick")
    warmup.set_defaults(run_command=cmd_warmup)

    worker = commands.add_parser("worker", help="train queued runs (started by the app)")
    worker.set_defaults(run_command=cmd_worker)

    doctor = commands.add_parser("doctor", help="check the workspace (schema, arrays, checkpoints, indexes, "
                                 "leftovers); JSON {ok, problems, repaired}")
    doctor.add_argument("--repair", action="store_true", help="also fix what can be fixed safely")
    doctor.set_defaults(run_command=cmd_doctor, open_workspace=_open_unswept)  # sees leftovers before a sweep
    return parser


def _runs_by_name(ws: Workspace, args: argparse.Namespace) -> None:
    """A run given by its name (`--run`, `--resume`, `--advice`) is read as its id; `--run` may name an import."""
    for option in ("run", "resume", "advice"):
        if given := getattr(args, option, None):
            from . import jobs
            from .imports.registry import exists  # not .encoders: torch, seconds

            if option != "run" or not exists(ws, given):
                setattr(args, option, jobs.run_id_of(ws, given))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_numba_cache(default_numba_cache())  # before anything imports umap
    try:
        ws = getattr(args, "open_workspace", Workspace)(args.workspace)
        _runs_by_name(ws, args)
        return args.run_command(ws, args)
    except (WorkspaceError, KeyError, ValueError) as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a folder of the workspace made read-only or immutable, a full disk: one line
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc} (the workspace, or a path given, cannot be used here)",
              file=sys.stderr)
        return 1

    except KeyboardInterrupt:
        print("\ncancelled; nothing was stored", file=sys.stderr)
        return 130


if __name__ == "__main__":  # `python -m ssl_core.cli`, as `python -m ssl_core` (walk 32: it printed nothing)
    raise SystemExit(main())
