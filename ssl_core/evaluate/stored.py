"""Reports kept beside their embedding (`<embedding folder>/evaluation.json`): computed
once, shown again at once, and gone with the embedding when the checkpoint or the
dataset changes (embed.py empties a stale folder)."""

from __future__ import annotations

import json

from ..embed import EncoderSource, cached, embedding_dir
from ..store import Workspace, atomic_write_json
from .report import FORMAT, Progress, report

REPORT_FILE = "evaluation.json"


def stored_report(ws: Workspace, dataset_name: str, source: EncoderSource) -> dict | None:
    """The kept report of `source` on the dataset, if its embedding is still current."""
    dataset = ws.dataset(dataset_name)
    if cached(ws, dataset, source) is None:
        return None
    try:
        kept = json.loads((embedding_dir(ws, dataset, source) / REPORT_FILE).read_text())
    except (OSError, ValueError):
        return None
    return kept if kept.get("format") == FORMAT else None  # older keys: made again


def evaluate(ws: Workspace, dataset_name: str, source: EncoderSource, progress: Progress | None = None) -> dict:
    """The kept report, or a new one computed (see report.report) and kept."""
    kept = stored_report(ws, dataset_name, source)
    if kept is not None:
        return kept
    result = report(ws, dataset_name, source, progress=progress)
    atomic_write_json(embedding_dir(ws, ws.dataset(dataset_name), source) / REPORT_FILE, result)
    return result
