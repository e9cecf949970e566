"""Run names: only what differs from a method's defaults, the budget, the user's own name;
the name and notes columns added to an existing ssl.db without losing its runs."""

import json
import sqlite3

import pytest

from ssl_core.augment import make_recipe
from ssl_core.engine import TrainConfig
from ssl_core.run_names import default_name, run_name
from ssl_core.store import MIGRATIONS, Workspace, WorkspaceError


def name_of(**settings) -> str:
    return default_name(TrainConfig(dataset="shapes", **settings).to_json())


def test_default_settings_name_the_method_and_budget_only():
    assert name_of(minutes=5.0) == "SimCLR · 5 min"
    assert name_of(recipe=make_recipe("simclr_multicrop").to_dict(), epochs=2.0) == "SimCLR · 2 epochs"
    assert name_of(method="mae", encoder="vit_tiny", epochs=1.0) == "MAE · 1 epoch"
    assert name_of(method="mlm_simcse", encoder="text_transformer", minutes=5.0) == "MLM+SimCSE · 5 min"


def test_what_differs_from_the_defaults_is_named():
    paper = name_of(recipe=make_recipe("simclr").to_dict(), minutes=5.0)
    tuned = name_of(recipe=make_recipe("simclr_multicrop", crop_min=0.5).to_dict(), minutes=5.0)
    assert paper == "SimCLR · simclr recipe · 5 min"
    assert tuned == "SimCLR · crop min 0.5 · 5 min"
    assert name_of(batch_size=256, lr=0.02, encoder="resnet18", minutes=5.0) == \
        "SimCLR · resnet18 · batch 256 · lr 0.02 · 5 min"


def test_a_given_name_wins_and_an_unreadable_config_still_has_one():
    row = {"id": "run-1", "method": "simclr", "config": json.dumps(TrainConfig(dataset="d", minutes=1.0).to_json())}
    assert run_name({**row, "name": None}) == "SimCLR · 1 min"
    assert run_name({**row, "name": "my baseline"}) == "my baseline"
    assert run_name({**row, "name": None, "config": "{}"}) == "simclr · run-1"


def test_an_old_workspace_gains_the_columns_and_keeps_its_runs(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    conn = sqlite3.connect(root / "ssl.db")  # a workspace made before names existed: schema 2
    for script in MIGRATIONS[:2]:
        conn.executescript(script)
    conn.execute("INSERT INTO datasets VALUES ('d1', 'shapes', 'x', 1, 32, 1, 0, 'now')")
    conn.execute("INSERT INTO runs(id, dataset_id, method, encoder, config, status, created) "
                 "VALUES ('run-1', 'd1', 'simclr', 'small_cnn', '{}', 'completed', 'now')")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    ws = Workspace(root)
    ws.describe_run("run-1", "  baseline ", "first try")
    with ws.read() as db:
        assert tuple(db.execute("SELECT name, notes FROM runs").fetchone()) == ("baseline", "first try")
    ws.describe_run("run-1", " ", "")
    with ws.read() as db:
        assert tuple(db.execute("SELECT name, notes FROM runs").fetchone()) == (None, None)
    with pytest.raises(WorkspaceError, match="no run 'run-9'"):
        ws.describe_run("run-9", "x", None)



def test_runs_named_alike_are_told_apart_by_their_time_then_their_id():
    from ssl_core.run_names import told_apart

    runs = [{"id": f"run-20261204-{time.replace(':', '')}-{tail}", "created": f"2026-12-04T{time}+00:00"}
            for tail, time in (("0b0b0b", "11:25:40"), ("0a0a0a", "11:25:40"), ("0c0c0c", "10:00:00"),
                               ("0d0d0d", "09:00:00"))]
    assert told_apart(runs, ["SimCLR · 2 min", "SimCLR · 2 min", "SimCLR · 2 min", "MAE · 1 epoch"]) == [
        "SimCLR · 2 min · 11:25:40 · 0b0b0b", "SimCLR · 2 min · 11:25:40 · 0a0a0a", "SimCLR · 2 min · 10:00:00",
        "MAE · 1 epoch"]  # walk 26: the id's random end, not the date and time again


def test_names_told_apart_map_each_run_id_to_its_name():
    """Walk 13: the Lab's run pickers offered 'MLM+SimCSE · 1.5 min' twice."""
    from ssl_core.run_names import names_told_apart

    runs = [{"id": f"run-{tail}", "created": f"2026-12-05T{time}+00:00", "name": "MLM+SimCSE · 1.5 min"}
            for tail, time in (("a", "01:36:16"), ("b", "01:44:29"))]
    assert names_told_apart(runs) == {"run-a": "MLM+SimCSE · 1.5 min · 01:36:16",
                                      "run-b": "MLM+SimCSE · 1.5 min · 01:44:29"}
    assert names_told_apart(runs[:1]) == {"run-a": "MLM+SimCSE · 1.5 min"}
