"""AppTest of the Data page's delete with runs on the dataset (issue 13.6): the warning
names the runs that lose their dataset, the runs stay after the delete, and a dataset
with a running run cannot be deleted, said before the click."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app.widgets import escape_markdown
from ssl_core import jobs
from ssl_core.evaluate.diagnose import NotAdvised, diagnose
from ssl_core.imports.embeddings import import_embeddings
from ssl_core.store import Workspace, WorkspaceError

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("SSL_WORKSPACE", str(tmp_path / "ws"))
    at = AppTest.from_file(str(MAIN), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def add_run(run_id: str, name: str | None, status: str) -> None:
    ws = Workspace()
    info = ws.dataset("digits")
    with ws.write() as conn:
        conn.execute("INSERT INTO runs(id, dataset_id, dataset_name, method, encoder, config, status, created, name) "
                     "VALUES (?, ?, 'digits', 'simclr', 'small_cnn', '{}', ?, '2026-01-01', ?)",
                     (run_id, info.id, status, name))


def click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def delete_prompt(at: AppTest) -> str:
    """The deletion's confirmation (the page's other warnings are the import's, in their expander)."""
    return next(w.value for w in at.warning if "cannot be undone" in w.value)


def test_delete_names_the_runs_it_leaves_and_keeps_them(app, tmp_path):
    add_run("run-a", "SimCLR [x](http://x)", "completed")
    add_run("run-b", None, "failed")  # before its first checkpoint
    with Workspace().write() as conn:
        conn.execute("UPDATE runs SET checkpoint = 'runs/run-a/checkpoint.safetensors' WHERE id = 'run-a'")
    np.save(tmp_path / "vecs.npy", np.ones((Workspace().dataset("digits").image_count, 3), np.float32))
    import_embeddings(Workspace(), "digits", "vecs", tmp_path / "vecs.npy")
    app.selectbox(key="data_selected").set_value("digits").run()
    click(app, "Delete this dataset")
    warning = delete_prompt(app)
    unnamed = escape_markdown("simclr · run-b")  # as the Train page names a run whose config it cannot read
    assert f"2 runs were trained on it ({escape_markdown('SimCLR [x](http://x)')}, {unnamed})" in warning
    assert (f"{escape_markdown('SimCLR [x](http://x)')} keeps its checkpoint and metrics (export it, or evaluate "
            f"it on another dataset); {unnamed} wrote no checkpoint and keeps only its metrics; "
            "none can be resumed.") in warning  # run-b never had a checkpoint to keep
    assert "Its imported embedding set vecs goes with it: its vectors belong to these images." in warning
    click(app, "Yes, delete")
    kept = {run["id"]: run for run in jobs.list_runs(Workspace())}
    assert kept.keys() == {"run-a", "run-b"} and all(r["dataset_deleted"] for r in kept.values())
    assert [d.name for d in Workspace().datasets()] == ["shapes", "docstrings"]


def test_a_run_whose_dataset_is_gone_is_neither_advised_nor_resumed(app):
    add_run("run-a", None, "failed")
    with Workspace().write() as conn:
        conn.execute("UPDATE runs SET checkpoint = 'runs/run-a/checkpoint.safetensors' WHERE id = 'run-a'")
    Workspace().delete_dataset("digits")
    with pytest.raises(NotAdvised, match="the dataset digits, deleted or replaced since"):
        diagnose(Workspace(), "run-a")
    with pytest.raises(WorkspaceError, match="cannot resume: its dataset 'digits' was deleted or replaced"):
        jobs.requeue(Workspace(), "run-a")
    app.switch_page("../pages/train.py").run()
    assert not app.exception, app.exception
    assert app.selectbox(key="train_watch").value == "run-a"
    captions = [c.value for c in app.caption]
    gone = escape_markdown("the run was trained on the dataset digits, deleted or replaced since")
    assert any(c.startswith("No advice: ") and gone in c for c in captions)
    assert any("Its dataset digits was deleted or replaced: it cannot be resumed." in c for c in captions)
    assert not [b for b in app.button if b.label == "Resume"]


def test_a_dataset_with_a_running_run_is_not_deleted(app):
    """The prompt said a running run 'wrote no checkpoint ... cannot be resumed', and the refusal after 'Yes,
    delete' named the run by its id: it now says so before, by name, and the button waits."""
    add_run("run-a", None, "queued")
    app.selectbox(key="data_selected").set_value("digits").run()
    click(app, "Delete this dataset")
    warning = delete_prompt(app)
    assert (f"{escape_markdown('simclr · run-a')} is still queued or running on it: it can be deleted once that run "
            "ends or is cancelled on the Train page.") in warning and "wrote no checkpoint" not in warning
    assert next(b for b in app.button if b.label == "Yes, delete").disabled
    with pytest.raises(WorkspaceError, match="in use: run run-a is queued on it"):  # and the store refuses anyway
        Workspace().delete_dataset("digits")
    assert [d.name for d in Workspace().datasets()] == ["shapes", "digits", "docstrings"]
