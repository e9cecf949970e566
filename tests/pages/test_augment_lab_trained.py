"""The Lab with trained runs: the similarity heatmap can use a run's encoder, and an MAE
run paints the hidden patches back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import open_page

from ssl_core import jobs
from ssl_core.augment import make_recipe
from ssl_core.augment.preview import mae_reconstruction, pair_batch
from ssl_core.checkpoint import load_trained
from ssl_core.data.ingest import ingest_builtin
from ssl_core.engine import TrainConfig
from ssl_core.snapshots import load_paintings
from ssl_core.store import Workspace

LAB = "../pages/augment_lab.py"


@pytest.fixture(scope="module")
def trained_workspace(tmp_path_factory) -> tuple[Path, str, str]:
    """A workspace with textures (800 images) and a finished SimCLR and MAE run on it."""
    root = tmp_path_factory.mktemp("lab-trained") / "ws"
    ws = Workspace(root)
    ingest_builtin(ws, "textures", size=32)
    simclr = jobs.create_run(ws, TrainConfig(dataset="textures", epochs=0.2, batch_size=64))
    mae = jobs.create_run(ws, TrainConfig(dataset="textures", method="mae", encoder="vit_tiny", epochs=0.1,
                                          batch_size=64))
    assert jobs.work(ws, "cpu") == 2
    assert [jobs.get_run(ws, r)["status"] for r in (simclr, mae)] == ["completed", "completed"]
    ws.set_meta("demo_seeded", "1")  # keep the test on textures only
    return root, simclr, mae


@pytest.fixture
def lab(trained_workspace, monkeypatch) -> AppTest:
    return open_page(trained_workspace[0], LAB, monkeypatch, timeout=180)


def test_the_heatmap_opens_on_the_current_encoder_else_the_newest_run(trained_workspace, monkeypatch):
    """Walk 27: with two runs trained and one picked on other pages, the Lab showed the untrained encoder."""
    root, simclr, mae = trained_workspace
    lab = open_page(root, LAB, monkeypatch, timeout=180)
    assert lab.selectbox(key="lab_encoder").value == mae  # the newest run, none picked elsewhere
    lab.switch_page("../pages/retrieval.py").run()
    lab.selectbox(key=f"retrieval_source_{Workspace(root).dataset('textures').id}").set_value(simclr).run()
    lab.switch_page(LAB).run()
    assert not lab.exception and lab.selectbox(key="lab_encoder").value == simclr


def test_the_heatmap_can_use_a_trained_encoder(lab, trained_workspace):
    root, simclr, _ = trained_workspace
    box = lab.selectbox(key="lab_encoder")
    assert f"SimCLR · 0.2 epochs (completed)" in box.options  # runs by their names (batch 64 is the default)
    box.set_value(simclr).run()
    assert not lab.exception, lab.exception
    loss = next(m for m in lab.metric if m.label == "NT-Xent loss of this batch")
    ws = Workspace(root)
    images = np.array(ws.images(ws.dataset("textures")))
    rows = np.sort(np.random.default_rng(0).choice(len(images), size=8, replace=False))
    method, meta = load_trained(jobs.run_dir(ws, simclr))
    # the page's recipe: simclr_small's loss matched it to 3 decimals only while the run's features were flat
    recipe = make_recipe(lab.selectbox(key="lab_recipe_name").value)
    # at the run's own temperature (SimCLR's 0.1)
    expected = pair_batch(recipe, images[rows], 0, method.encoder, meta["image_size"], method.loss.temperature)
    assert method.loss.temperature == 0.1 and loss.value == f"{expected.loss:.3f}"
    assert "temperature 0.1, the run's" in loss.help and "not the run's own loss" in loss.help
    assert any(c.value.startswith("The softmax over the 15 candidates for a0, at temperature 0.1, the run's")
               for c in lab.caption)
    # walk 33: "16 of the 16 views" beside a Train page saying "Nothing learned yet", unexplained
    [found] = [c.value for c in lab.caption if c.value.startswith("Squares mark the positive pairs")]
    headline = jobs.run_verdict(ws, simclr).headline
    assert found.endswith(" Finding a view's partner is the task the run trained on; grouping pictures by what they "
                          f"show is another, which its verdict on the Train page reads: \"{headline}\"."), found


def test_an_mae_run_paints_the_hidden_patches_back(lab, trained_workspace):
    root, _, mae = trained_workspace
    lab.selectbox(key="lab_recipe_name").set_value("mae").run()
    assert not lab.exception, lab.exception
    assert lab.selectbox(key="lab_mae_run").value == mae
    captions = [c for image in lab.image for c in image.captions]
    assert {"what the model should see", "what it is shown", "what it paints back"} <= set(captions)


def test_reconstruction_keeps_the_visible_patches(trained_workspace):
    root, _, mae = trained_workspace
    ws = Workspace(root)
    method, _ = load_trained(jobs.run_dir(ws, mae))
    image = np.array(ws.images(ws.dataset("textures"))[0])
    view, masked, rebuilt = mae_reconstruction(method, make_recipe("mae"), image, 3)
    visible = (masked != 128).any(-1)
    assert visible.mean() == pytest.approx(0.25, abs=0.07)  # 75% hidden
    assert np.abs(view[visible].astype(int) - rebuilt[visible].astype(int)).max() <= 2
    assert np.abs(view[~visible].astype(int) - rebuilt[~visible].astype(int)).mean() > 0


def test_the_train_page_shows_what_an_mae_run_painted_at_each_snapshot(trained_workspace, monkeypatch):
    root, simclr, mae = trained_workspace
    at = open_page(root, "../pages/train.py", monkeypatch)
    at.selectbox(key="train_watch").set_value(mae).run()
    assert not at.exception, at.exception
    assert "What it paints back, step by step" in [h.value for h in at.subheader]
    steps = load_paintings(jobs.run_dir(Workspace(root), mae)).steps.tolist()
    labels = [c.value for c in at.caption]
    assert labels.count("hidden") == labels.count("original") == 1
    assert [int(label.split()[1]) for label in labels if label.startswith("step ")] == steps
    at.selectbox(key="train_watch").set_value(simclr).run()  # SimCLR paints nothing
    assert "What it paints back, step by step" not in [h.value for h in at.subheader]
