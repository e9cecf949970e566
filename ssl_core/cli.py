"""Command line: `python -m ssl_core COMMAND ...`.

Every command prints JSON on stdout; progress and errors go to stderr; a failure exits
non-zero with a message that says what went wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict

from .data.ingest import DEFAULT_SIZE, IngestError, ingest_path
from .store import Workspace, WorkspaceError


class StderrProgress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str) -> None:
        self.label, self.start, self.last = label, time.monotonic(), 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        width = 30
        filled = int(width * done / max(total, 1))
        rate = done / max(now - self.start, 1e-9)
        eta = (total - done) / rate if rate > 0 else 0.0
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                         f"{done}/{total} {rate:.0f}/s ETA {eta:.0f}s")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _print(obj: object) -> None:
    print(json.dumps(obj, indent=2))


def cmd_ingest(ws: Workspace, args: argparse.Namespace) -> int:
    try:
        report = ingest_path(ws, args.paths, name=args.name, labels_path=args.labels, size=args.size,
                             replace=args.replace, progress=StderrProgress("decoding"))
    except IngestError as exc:
        _print({"dataset": None, "images": 0, "rejected": exc.rejected, "error": str(exc)})
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if report.rejected:
        print(f"{len(report.rejected)} file(s) rejected; see \"rejected\"", file=sys.stderr)
    _print(report.to_json())
    return 0


def cmd_datasets(ws: Workspace, args: argparse.Namespace) -> int:
    _print([asdict(info) for info in ws.datasets()])
    return 0


def cmd_delete(ws: Workspace, args: argparse.Namespace) -> int:
    ws.delete_dataset(args.name)
    _print({"deleted": args.name})
    return 0


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
    ingest.set_defaults(run=cmd_ingest)

    datasets = commands.add_parser("datasets", help="list datasets as JSON")
    datasets.set_defaults(run=cmd_datasets)

    delete = commands.add_parser("delete", help="delete a dataset")
    delete.add_argument("name")
    delete.set_defaults(run=cmd_delete)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        ws = Workspace(args.workspace)
        return args.run(ws, args)
    except WorkspaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ncancelled; nothing was stored", file=sys.stderr)
        return 130
