"""AppTest of the Embedding Explorer: maps of a run beside its untrained twin, every
colouring, PCA and 3-D, and the export zip. (Plotly selection is driven in tests/e2e.)"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import MAIN, open_page

from app.maps import PCA_NOTE
from ssl_core import embed, jobs
from ssl_core.run_names import run_name
from ssl_core.store import Workspace

EXPLORER = "../pages/explorer.py"


@pytest.fixture
def explorer(shapes_run, monkeypatch) -> AppTest:
    return open_page(shapes_run[0], EXPLORER, monkeypatch)


def charts(at: AppTest) -> list:
    """The maps of the embedding (not the run's map in motion, which has animation frames)."""
    return [chart for chart in at.get("plotly_chart") if '"frames"' not in chart.proto.spec]


def test_a_run_is_mapped_beside_its_untrained_twin(explorer, shapes_run):
    root, run = shapes_run
    ws = Workspace(root)
    dataset = ws.dataset("shapes")
    assert explorer.selectbox(key=f"explore_source_{dataset.id}").value.startswith(run)
    assert explorer.toggle(key=f"explore_compare_{run}").value is True
    assert len(charts(explorer)) == 2
    source = embed.from_run(ws, run)
    for shown in (source, embed.baseline_of(source)):
        emb = embed.cached(ws, dataset, shown)
        assert emb is not None and emb.features.shape[0] == 2000
        assert any(emb.folder.glob("*.npy")), "the map is cached beside the embedding"
    explorer.toggle(key=f"explore_compare_{run}").set_value(False).run()
    assert not explorer.exception and len(charts(explorer)) == 1


@pytest.mark.parametrize("colour", ["label", "cluster", "folder", "original size", "none"])
def test_every_colouring_draws(explorer, colour):
    explorer.selectbox(key="explore_colour").set_value(colour).run()
    assert not explorer.exception, explorer.exception
    assert len(charts(explorer)) == 2
    said = " ".join(c.value for c in explorer.caption)
    assert ("Cluster numbers are arbitrary and each map's k-means is its own" in said) == (colour == "cluster")
    if colour == "cluster":  # k-means starts at the number of labels (5 shapes): 10 split a 4-class set at random
        assert explorer.number_input(key="explore_k").value == 5
    one = "Every image had one size (64x64), so every dot has one colour." in said  # the demo's are all 64 px
    assert one == (colour == "original size")
    moving = [json.loads(c.proto.spec) for c in explorer.get("plotly_chart") if json.loads(c.proto.spec).get("frames")]
    traces = [trace["name"] for trace in moving[0]["data"]]  # the map in motion follows the picker (walk 14: by
    if colour in ("label", "cluster"):  # label whatever it said), by label where the picker's groups are the final
        assert len(traces) == 5 and "Coloured by label." in said  # embedding's k-means
    else:
        assert len(traces) == 1 and "Coloured by" not in said  # one folder, one size, none: one colour


def test_pca_and_3d_draw(explorer):
    assert PCA_NOTE not in [c.value for c in explorer.caption]
    explorer.segmented_control(key="explore_method").set_value("pca").run()
    assert not explorer.exception, explorer.exception
    assert PCA_NOTE in [c.value for c in explorer.caption]  # walk 19: a trained PCA blob read as learning undone
    explorer.toggle(key="explore_3d").set_value(True).run()
    assert not explorer.exception, explorer.exception
    assert len(charts(explorer)) == 2
    said = " ".join(c.value for c in explorer.caption)
    assert "to pick images, switch 3-D off" in said and "Click a point" not in said  # no invitation it cannot keep


def test_export_prepares_a_zip_of_the_chosen_parts(explorer, shapes_run):
    explorer.multiselect(key="explore_export_parts").set_value(["embeddings", "projector"]).run()
    explorer.button[[b.label for b in explorer.button].index("Prepare the download")].click().run()
    assert not explorer.exception, explorer.exception
    root, run = shapes_run
    ws = Workspace(root)
    made = embed.cached(ws, ws.dataset("shapes"), embed.from_run(ws, run)).made
    bundle = explorer.session_state[f"explore_export_{ws.dataset('shapes').id}_{run}_{made}_embeddings-projector"]
    names = set(zipfile.ZipFile(io.BytesIO(bundle)).namelist())
    assert names == {"embeddings.npy", "embeddings.csv", "embeddings.parquet", "vectors.tsv", "metadata.tsv",
                     "sprite.png", "projector_config.pbtxt", "README.txt"}
    features = np.load(io.BytesIO(zipfile.ZipFile(io.BytesIO(bundle)).read("embeddings.npy")))
    assert features.shape[0] == 2000


def test_a_run_of_a_deleted_dataset_names_its_dataset_in_motion_and_its_map_says_why(tmp_path, monkeypatch):
    """A review's fallback after a delete: "Beside it" held the encoder the first picker
    moved onto (one map under "Side by side", without a word); it is not offered there now,
    so it falls back to the run's twin. And the map in motion of the deleted dataset's run
    said "50 images of the dataset" on this one's page."""
    from ssl_core.data.ingest import ingest_uploads
    from ssl_core.engine import TrainConfig
    from tests.ssl_core.conftest import noise

    ws = Workspace(tmp_path / "ws")
    for name in ("gone", "kept"):
        ingest_uploads(ws, [(f"{'ab'[i % 2]}/{i}.png", noise((16, 16), seed=i)) for i in range(24)], name=name,
                       size=16)
    ws.set_meta("demo_seeded", "1")
    run = jobs.create_run(ws, TrainConfig(dataset="gone", epochs=1, batch_size=8, image_size=16, snapshot_every=1))
    assert jobs.work(ws, "cpu") == 1
    ws.delete_dataset("gone")
    kept = ws.dataset("kept")
    monkeypatch.setenv("SSL_WORKSPACE", str(ws.root))
    at = AppTest.from_file(str(MAIN), default_timeout=240)
    at.query_params.update(dataset="kept", encoder=run)
    at.session_state[f"explore_other_{kept.id}"] = run  # the second picker on what the first now shows
    at.run()
    at.switch_page(EXPLORER).run()
    assert not at.exception, at.exception
    beside = at.selectbox(key=f"explore_other_{kept.id}")  # not offered the run again (walk 21): its twin instead
    assert run_name(jobs.get_run(ws, run)) not in beside.options and beside.value == "untrained-small_cnn-16"
    assert len(charts(at)) == 2
    said = " ".join(c.value for c in at.caption)
    assert ("images of gone (since deleted or replaced: no thumbnails, no labels), the dataset the run trained "
            "on") in said, said


def test_beside_a_run_read_at_another_side_is_its_own_untrained_twin(tmp_path, monkeypatch):
    """A run whose whole images are read at 24 px (16 px views, FixRes's 1.5x): 'Beside it'
    starts on the untrained small CNN at 24 px, titled 'Before training', as its help says;
    the pickers offered the untrained encoders at 32 px only, so the map beside it was of
    another input side (review finding)."""
    from ssl_core.data.ingest import ingest_uploads
    from ssl_core.engine import TrainConfig
    from tests.ssl_core.conftest import noise

    ws = Workspace(tmp_path / "ws")
    ingest_uploads(ws, [(f"{'ab'[i % 2]}/{i}.png", noise((32, 32), seed=i)) for i in range(24)], name="n", size=32)
    ws.set_meta("demo_seeded", "1")
    run = jobs.create_run(ws, TrainConfig(dataset="n", epochs=1, batch_size=8, image_size=16))
    assert jobs.work(ws, "cpu") == 1
    twin = embed.baseline_of(embed.from_run(ws, run))
    assert twin.key == "untrained-small_cnn-24"
    at = open_page(ws.root, EXPLORER, monkeypatch, dataset="n")
    assert at.selectbox(key=f"explore_other_{ws.dataset('n').id}").value == twin.key
    titles = [chart.proto.spec for chart in charts(at)]
    assert len(titles) == 2 and any("Before training: " in spec for spec in titles)


def test_beside_it_follows_the_first_encoder_to_its_own_twin_and_keeps_a_pick_per_encoder(tmp_path, monkeypatch):
    """Walk 27: with a ResNet-18 run first, 'Beside it' showed untrained resnet18; switched to a small CNN run,
    it stayed there, beside a map of another network. Each first encoder starts beside its own twin, and a
    second encoder picked for one is kept for it."""
    from ssl_core.data.ingest import ingest_uploads
    from ssl_core.engine import TrainConfig
    from tests.ssl_core.conftest import noise

    ws = Workspace(tmp_path / "ws")
    ingest_uploads(ws, [(f"{i}.png", noise((32, 32), seed=i)) for i in range(24)], name="n", size=32)
    ws.set_meta("demo_seeded", "1")
    small = jobs.create_run(ws, TrainConfig(dataset="n", epochs=1, batch_size=8, image_size=16))
    wide = jobs.create_run(ws, TrainConfig(dataset="n", epochs=1, batch_size=8))
    assert jobs.work(ws, "cpu") == 2
    twins = {run: embed.baseline_of(embed.from_run(ws, run)).key for run in (small, wide)}
    assert len(set(twins.values())) == 2
    at = open_page(ws.root, EXPLORER, monkeypatch, dataset="n")
    first, beside = f"explore_source_{ws.dataset('n').id}", f"explore_other_{ws.dataset('n').id}"
    assert at.selectbox(key=first).value == wide and at.selectbox(key=beside).value == twins[wide]
    at.selectbox(key=first).set_value(small).run()
    assert at.selectbox(key=beside).value == twins[small]
    at.selectbox(key=beside).set_value(wide).run()  # the other run beside it, picked
    at.selectbox(key=first).set_value(wide).run()
    assert at.selectbox(key=beside).value == twins[wide]
    at.selectbox(key=first).set_value(small).run()
    assert not at.exception and at.selectbox(key=beside).value == wide
