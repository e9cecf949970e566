"""The word before a run on a minutes budget too short at the pace measured here
(ssl_core/pace_note.py), as the CLI's `train` prints it on stderr (walk 29: its 1-minute
ResNet-18 run made 2 steps at 1.6 images/s, unsaid; the Train page said it)."""

from __future__ import annotations

from ssl_core import jobs
from ssl_core.cli import _pace_words
from ssl_core.data.ingest import ingest_builtin
from ssl_core.engine import TrainConfig
from ssl_core.store import Workspace


def test_the_cli_says_how_few_steps_a_minutes_budget_holds_at_the_pace_measured(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ingest_builtin(ws, "shapes", size=32)
    ran = jobs.create_run(ws, TrainConfig(dataset="shapes", encoder="resnet18", minutes=1.0))
    with ws.write() as conn:  # as walk 29's run ended
        conn.execute("UPDATE runs SET status = 'completed', images_per_s = 1.6 WHERE id = ?", (ran,))
    again = jobs.create_run(ws, TrainConfig(dataset="shapes", encoder="resnet18", minutes=1.0, batch_size=64))
    said = _pace_words(ws, again)
    assert said and "(1.6 images/s), 1 minute holds about 2 steps of 64: too few to learn much" in said
    assert _pace_words(ws, jobs.create_run(ws, TrainConfig(dataset="shapes", encoder="resnet18", epochs=1.0))) is None
    assert _pace_words(ws, jobs.create_run(ws, TrainConfig(dataset="shapes", minutes=1.0))) is None  # no pace known
