"""Workspaces the page tests share, each made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssl_core import jobs
from ssl_core.data.ingest import ingest_builtin
from ssl_core.engine import TrainConfig
from ssl_core.store import Workspace


@pytest.fixture(scope="session")
def shapes_run(tmp_path_factory) -> tuple[Path, str]:
    """A workspace with the demo shapes (32 px, 2,000 images, labelled) and one finished
    short SimCLR run on them; the app will not seed more demo data. Returns (root, run id)."""
    root = tmp_path_factory.mktemp("shapes-run") / "ws"
    ws = Workspace(root)
    ingest_builtin(ws, "shapes", size=32)
    run = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=0.5))
    assert jobs.work(ws, "cpu") == 1 and jobs.get_run(ws, run)["status"] == "completed"
    ws.set_meta("demo_seeded", "1")
    return root, run
