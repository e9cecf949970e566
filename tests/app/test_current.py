"""app/current.py in AppTest: one current dataset for every page, restored from the URL,
written back to it, nothing picked for the user while there is a choice to make."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from ssl_core.data.ingest import ingest_uploads
from ssl_core.store import Workspace

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    ws.set_meta("demo_seeded", "1")  # only the datasets a test makes
    monkeypatch.setenv("SSL_WORKSPACE", str(ws.root))
    return ws


def add(ws: Workspace, name: str) -> None:
    ingest_uploads(ws, [(f"{i}.png", png((40 * i, 0, 0))) for i in range(4)], name=name, size=16)


def app(**params: str) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_with_two_datasets_none_is_chosen_and_the_page_says_so(workspace):
    add(workspace, "one")
    add(workspace, "two")
    at = app()
    assert not at.exception, at.exception
    assert at.selectbox(key="sidebar_dataset").value is None and not at.image
    assert "dataset" not in at.query_params


def test_the_only_dataset_is_the_current_one(workspace):
    add(workspace, "one")
    at = app()
    assert at.selectbox(key="sidebar_dataset").value == "one"
    assert at.query_params["dataset"] in ("one", ["one"])


def test_a_link_opens_its_dataset_an_unknown_name_opens_none(workspace):
    add(workspace, "one")
    add(workspace, "two")
    assert app(dataset="two").selectbox(key="data_selected").value == "two"
    unknown = app(dataset="gone")
    assert unknown.selectbox(key="data_selected").value is None and "dataset" not in unknown.query_params


def test_a_dataset_picked_on_one_page_is_selected_on_the_next(workspace):
    add(workspace, "one")
    add(workspace, "two")
    at = app()
    at.selectbox(key="sidebar_dataset").set_value("two").run()
    assert at.selectbox(key="data_selected").value == "two"  # the page's own box follows the sidebar
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="train_dataset").value == "two"
    assert at.query_params["dataset"] in ("two", ["two"])


def test_the_sidebar_names_an_imported_embedding_set_on_its_own_dataset_only(workspace, tmp_path):
    import numpy as np

    from app.current import encoder_label
    from ssl_core.imports.embeddings import import_embeddings

    add(workspace, "a")
    add(workspace, "b")
    vectors = tmp_path / "clip.npy"
    np.save(vectors, np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32))
    import_embeddings(workspace, "a", "clip", vectors)
    assert encoder_label(workspace, "imported-clip", "a") == "clip (embeddings, imported from clip.npy)"
    assert encoder_label(workspace, "imported-clip", "b") is None  # another dataset's vectors
    assert encoder_label(workspace, "imported-gone", "a") is None


def test_the_sidebar_names_a_run_of_another_dataset_with_the_dataset_it_trained_on(workspace):
    """Walk 30: Evaluate on a labelled copy opened on the run of the pictures (trained on the
    unlabelled folder), and the sidebar said 'Encoder: pick one on the Explorer, ...'."""
    from app.current import encoder_label
    from ssl_core import jobs
    from ssl_core.engine import TrainConfig
    from ssl_core.run_names import run_name

    add(workspace, "a")
    add(workspace, "b")
    run = jobs.create_run(workspace, TrainConfig(dataset="a", epochs=1, batch_size=4, image_size=16,
                                                 monitor_every=100, snapshot_every=0))
    assert jobs.work(workspace, "cpu") == 1
    name = run_name(jobs.get_run(workspace, run))
    assert encoder_label(workspace, run, "a") == name
    assert encoder_label(workspace, run, "b") == f"{name} (trained on a)"
    from app.sources import source_name  # walk 31: Retrieval's header over its neighbours said the name alone
    from ssl_core import embed

    assert source_name(workspace, embed.from_run(workspace, jobs.get_run(workspace, run)),
                       workspace.dataset("b")) == f"{name} (trained on a)"
    workspace.delete_dataset("a")
    assert encoder_label(workspace, run, "b") == f"{name} (its dataset a deleted)"


def test_a_dataset_deleted_in_another_tab_is_named_once_where_the_page_lost_it(workspace):
    """The page went back to "Choose a dataset" without saying why (a review deleted the
    dataset in another tab, then clicked in this one)."""
    add(workspace, "one")
    add(workspace, "two")
    add(workspace, "three")
    at = app(dataset="two")
    at.switch_page("../pages/retrieval.py").run()
    workspace.delete_dataset("two")  # another tab
    at.run()
    assert not at.exception, at.exception
    said = [box.value for box in at.info if "is not in the workspace" in box.value]
    assert said and said[0].startswith("The dataset **two** is not in the workspace") and "choose another" in said[0]
    at.run()
    assert not [box for box in at.info if "is not in the workspace" in box.value]  # said once
    at.selectbox(key="sidebar_dataset").set_value("one").run()
    workspace.delete_dataset("one")
    at.run()
    said = [box.value for box in at.info if "is not in the workspace" in box.value]
    assert said and said[0].endswith("the pages now work on **three**, the only one.")
    workspace.delete_dataset("three")
    at.run()
    said = [box.value for box in at.info if "is not in the workspace" in box.value]
    assert said and said[0].endswith("add one on the Data page.")
