"""Deleting a run: its row, metrics, run folder and embeddings go; never while it is queued or running."""

import pytest

from ssl_core import embed, jobs
from ssl_core.data.ingest import ingest_builtin
from ssl_core.engine import TrainConfig
from ssl_core.run_files import delete_run
from ssl_core.store import Workspace, WorkspaceError


def test_a_run_is_deleted_with_its_folders_and_never_while_active(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ingest_builtin(ws, "shapes", size=32)
    run = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=0.05))
    with pytest.raises(WorkspaceError, match="queued: cancel it"):
        delete_run(ws, run)
    assert jobs.work(ws, "cpu") == 1
    made = embed.embed(ws, "shapes", embed.from_run(ws, run))
    assert made.folder.is_dir() and jobs.run_dir(ws, run).is_dir()
    assert delete_run(ws, run) == 2
    assert not made.folder.exists() and not jobs.run_dir(ws, run).exists()
    assert jobs.list_runs(ws) == [] and jobs.metrics(ws, run) == {}
    with pytest.raises(WorkspaceError, match="no run"):
        delete_run(ws, run)
