"""Imports in the Lab's and the Concepts' encoders (issue 15): the Lab's batch seen through an
imported timm CNN (weights saved on the spot) with its similarity map of a pair, and an
embedding set refused there in words (it has no network to see new views); the Concepts
page draws an embedding set's map and says no training was measured for it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import timm
from safetensors.torch import save_file
from streamlit.testing.v1 import AppTest

from app.widgets import escape_markdown
from ssl_core.data.ingest import ingest_uploads
from ssl_core.imports.embeddings import import_embeddings
from ssl_core.imports.encoders import import_encoder
from ssl_core.store import Workspace
from tests.pages.conftest import MAIN
from tests.ssl_core.conftest import noise, zip_of

PER_CLASS = 6


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """Dataset "tiny" (classes a and b, 6 noise images each, 16 px), timm resnet10t imported
    as "r10" (32 px) and embedding sets "vecs" and "odd" of tiny."""
    folder = tmp_path_factory.mktemp("imports-pickers")
    ws = Workspace(folder / "ws")
    files = [(f"{kind}/{i}.png", noise((16, 16), seed=10 * c + i)) for c, kind in enumerate("ab")
             for i in range(PER_CLASS)]
    ingest_uploads(ws, [("set.zip", zip_of(files))], name="tiny", size=16)
    ws.set_meta("demo_seeded", "1")
    model = timm.create_model("resnet10t", num_classes=0)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(folder / "r10.safetensors"))
    import_encoder(ws, "r10", "timm:resnet10t", folder / "r10.safetensors", image_size=32)
    labels = [row["label"] for row in ws.image_rows(ws.dataset("tiny"))]
    np.save(folder / "vecs.npy", np.array([[3.0, 0.1] if label == "a" else [0.1, 3.0] for label in labels]))
    import_embeddings(ws, "tiny", "vecs", folder / "vecs.npy")
    np.save(folder / "odd.npy", np.vstack([np.ones((2 * PER_CLASS - 1, 8)), np.arange(8)[None]]))
    import_embeddings(ws, "tiny", "odd", folder / "odd.npy")  # centred, the odd one is cut off from the rest
    return ws.root


def page(root: Path, monkeypatch, name: str, encoder: str | None = None) -> AppTest:
    monkeypatch.setenv("SSL_WORKSPACE", str(root))
    at = AppTest.from_file(str(MAIN), default_timeout=240)
    at.query_params["dataset"] = "tiny"
    if encoder:
        at.query_params["encoder"] = encoder
    at.run()
    at.switch_page(f"../pages/{name}.py").run()
    assert not at.exception, at.exception
    return at


def test_the_lab_sees_a_batch_through_an_import_and_refuses_an_embedding_set_in_words(root, monkeypatch):
    lab = page(root, monkeypatch, "augment_lab")
    picker = lab.selectbox(key="lab_encoder")
    assert picker.options[-3:] == ["r10 (timm:resnet10t, imported from r10.safetensors)",
                                   "vecs (embeddings, imported from vecs.npy)",
                                   "odd (embeddings, imported from odd.npy)"], "oldest first"
    picker.set_value("imported-r10").run()
    assert not lab.exception, lab.exception
    assert [m.label for m in lab.metric] == ["NT-Xent loss of this batch"]
    assert any(c.value.startswith("Cosine ") and "share" in c.value for c in lab.caption), "the pair's map"
    lab.selectbox(key="lab_encoder").set_value("imported-vecs").run()
    assert not lab.exception, lab.exception
    assert any("is an embedding set" in box.value and "no network" in box.value for box in lab.info)
    assert not lab.metric


def test_concepts_maps_an_embedding_set_and_measures_no_training_for_it(root, monkeypatch):
    concepts = page(root, monkeypatch, "concepts", encoder="imported-vecs")
    assert len(concepts.get("plotly_chart")) == 3
    said = escape_markdown("vecs (embeddings, imported from vecs.npy)") + " was not trained here"
    assert any(said in c.value and c.value.endswith("; the Evaluate page measures it against raw pixels.")
               for c in concepts.caption)  # with labels: kNN against the pixels' (report.judge)
    assert any("the third map shows what the chosen import, trained elsewhere with or without labels, made of these "
               "pictures" in c.value for c in concepts.caption)  # a review: 'a self-supervised encoder' of an import


@pytest.mark.parametrize("name", ["explorer", "concepts"])
def test_a_map_that_leaves_a_point_out_says_so(root, monkeypatch, name):
    """UMAP leaves the one point cut off from all its neighbours at NaN: the map drew the
    rest without a word (and the Explorer's thumbnails collapsed to one)."""
    shown = page(root, monkeypatch, name, encoder="imported-odd")
    said = ("1 of 12 points got no place on the UMAP map (too far from all their neighbours) and are not drawn; "
            + ("the PCA map" if name == "explorer" else "the Embedding Explorer's PCA map") + " places every point")
    assert any(said in c.value for c in shown.caption), [c.value for c in shown.caption]
    if name == "explorer":  # a review: an embedding set's export offered 'the encoder (safetensors ...)'
        assert any(c.value.startswith("Take these vectors elsewhere: the embeddings (.npy, CSV") for c in shown.caption)


def test_evaluate_says_why_an_embedding_set_has_no_view_measures(root, monkeypatch):
    """Its alignment and neighbour stability read a bare "None": they need two augmented views
    of each image, which vectors without a network cannot embed."""
    evaluate = page(root, monkeypatch, "evaluate", encoder="imported-vecs")
    next(b for b in evaluate.button if b.label.startswith("Evaluate ")).click().run()
    assert not evaluate.exception, evaluate.exception
    said = escape_markdown("vecs (embeddings, imported from vecs.npy)")
    assert f"**{said}**: no alignment and neighbour stability: they compare two augmented views of each image, " \
           "which an embedding set (vectors only, no network) cannot embed." in [c.value for c in evaluate.caption]
