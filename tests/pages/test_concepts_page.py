"""AppTest of the Concepts page: every idea has a button that opens the page where it
happens, on the chosen dataset; PCA and k-means of raw pixels stand beside the trained map."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import open_page, verdicts

from app.widgets import escape_markdown
from ssl_core import embed, jobs
from ssl_core.evaluate.clusters import agreements, comparison
from ssl_core.evaluate.pixels import raw_pixels
from ssl_core.run_names import run_name
from ssl_core.store import Workspace
from ssl_core.words import cut

CONCEPTS = "../pages/concepts.py"


@pytest.fixture
def concepts(shapes_run, monkeypatch) -> AppTest:
    return open_page(shapes_run[0], CONCEPTS, monkeypatch)


def test_raw_pixel_pca_and_kmeans_stand_beside_the_trained_map(concepts):
    assert len(concepts.get("plotly_chart")) == 3
    assert any("5 label classes; k-means was asked for 5 clusters" in c.value for c in concepts.caption)


def test_each_maps_clusters_are_scored_against_the_labels(concepts, shapes_run):
    """The caption's adjusted Rand indexes are the kept start's and the range over k-means starts on the
    raw pixels and on the run's features, measured again here, and its last sentence says
    how the two ranges lie (one start used to decide it)."""
    root, run = shapes_run
    ws = Workspace(root)
    dataset = ws.dataset("shapes")
    truth = [row["label"] or None for row in ws.image_rows(dataset)]
    pixels = agreements(raw_pixels(ws.images(dataset)), 5, truth)
    vectors = embed.cached(ws, dataset, embed.from_run(ws, run)).vectors  # the page embedded it; centred
    learned = agreements(vectors, 5, truth)
    name = escape_markdown(run_name(jobs.get_run(ws, run)))

    def said(found) -> str:
        kept, low, high = (cut(float(v), 3) for v in (found.kept, min(found.scores), max(found.scores)))
        return f"{kept} " + ("(the same from all 5 random starts)" if low == high else
                             f"(from 5 random starts: {low} to {high}; k-means keeps the tightest groups)")

    caption = next(c.value for c in concepts.caption if "adjusted Rand index" in c.value)
    assert (f"Against the labels, the k-means groups of the raw pixels score an adjusted Rand index of "
            f"{said(pixels)}; k-means on the features of {name}, {said(learned)} (0: no closer" in caption)
    assert caption.endswith(comparison(pixels, learned))
    assert "-0.00" not in caption


@pytest.mark.parametrize("button, title", [
    ("See the random changes", "Augmentation Lab"), ("Train one", "Train"),
    ("Find look-alikes with it", "Retrieval"), ("Compare the maps before and after training", "Embedding Explorer"),
    ("See the label-efficiency curve", "Evaluate"),
])
def test_each_button_opens_its_page_on_the_chosen_dataset(concepts, button, title):
    next(b for b in concepts.button if b.label == button).click().run()
    assert not concepts.exception, concepts.exception
    assert concepts.title[0].value == title


def test_masked_prediction_opens_the_lab_on_the_mae_recipe(concepts):
    next(b for b in concepts.button if b.label == "See pictures with hidden patches").click().run()
    assert not concepts.exception, concepts.exception
    assert concepts.selectbox(key="lab_recipe_name").value == "mae"
    assert any("grey squares are the hidden patches" in c.value for c in concepts.caption)


def test_the_map_concept_quotes_the_runs_measured_verdict(concepts, shapes_run):
    root, run = shapes_run
    verdict = jobs.run_verdict(Workspace(root), run)
    name = run_name(jobs.get_run(Workspace(root), run))
    assert verdicts(concepts) == [(verdict.colour, f"**{escape_markdown(name)}** on shapes: {verdict.text}")]
    assert not any("after, by what they show" in m.value for m in concepts.markdown)  # no claim unmeasured
    # the run it shows is the current encoder, which the sidebar names (it said "pick one on the Explorer ...")
    assert concepts.session_state["current_encoder"] == embed.from_run(Workspace(root), run).key
    picker = concepts.selectbox(key=f"concepts_encoder_{Workspace(root).dataset('shapes').id}")
    assert picker.value == run and picker.options == [name]  # walk 25: another run can be picked here


def test_an_untrained_current_encoder_gives_way_to_a_run_and_the_picker_names_it(shapes_run, monkeypatch):
    """An untrained network has no training to show: the newest run is shown, named in the picker
    and the sidebar, as it was before the picker."""
    root, run = shapes_run
    at = open_page(root, CONCEPTS, monkeypatch)
    at.session_state["current_encoder"] = "untrained-small_cnn-32"
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["current_encoder"] == run
    assert at.selectbox(key=f"concepts_encoder_{Workspace(root).dataset('shapes').id}").value == run


def test_a_run_whose_dataset_is_gone_is_not_reported_as_trained_here(shapes_run, monkeypatch, tmp_path):
    root, run = shapes_run
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    with Workspace(copy).write() as conn:  # as after its dataset was replaced by another of the same name
        conn.execute("UPDATE runs SET dataset_id = NULL WHERE id = ?", (run,))
    at = open_page(copy, CONCEPTS, monkeypatch)
    assert not at.exception, at.exception
    assert verdicts(at) == []  # its verdict was measured on the old data, not on this one
    assert any("was not trained here: no training on shapes was measured for it" in c.value for c in at.caption)


def test_a_batch_button_lands_on_the_labs_batch_not_its_top(concepts):
    """Walk 18: the button opened the Lab at its top, the batch two screens below; the
    browser's scroll itself is checked in tests/e2e/test_augment_lab_e2e.py."""
    next(b for b in concepts.button if b.label == "See a batch of pairs and its similarity heatmap").click().run()
    assert not concepts.exception, concepts.exception
    assert concepts.title[0].value == "Augmentation Lab"
    scripts = [element.proto.body for element in concepts.get("html")]
    assert any('getElementById("batch")' in body and "scrollIntoView" in body for body in scripts)
    assert "jump_to_section" not in concepts.session_state  # once: a rerun of the Lab stays where the visitor is
    concepts.run()
    assert not any("scrollIntoView" in element.proto.body for element in concepts.get("html"))


def test_an_unlabelled_dataset_is_told_what_has_no_colour_and_no_curve(shapes_run, monkeypatch, tmp_path):
    """Walk 20: 'the third map shows how far it got' over grey maps, and 'See the label-efficiency curve'
    opened Evaluate on a dataset that can have none."""
    from tests.pages.test_augment_lab import png_bytes

    from ssl_core.data.ingest import ingest_uploads

    copy = tmp_path / "ws"
    shutil.copytree(shapes_run[0], copy)
    ingest_uploads(Workspace(copy), [(f"frame_{i}.png", png_bytes((i * 9 % 256, 40, 200))) for i in range(24)],
                   name="frames", size=16)
    at = open_page(copy, CONCEPTS, monkeypatch, dataset="frames")
    said = [c.value for c in at.caption]
    assert any(s.startswith("frames has no labels: the first and third maps are one colour, and how far the "
                            "encoder got shows only in which pictures sit together (the Embedding Explorer's map "
                            "shows them on hover; here a dot shows only its number).") for s in said), said
    assert ("frames has no labels, so it has no such curve: Evaluate judges a run on it by label-free measures "
            "instead. Import labels with the pictures (a labels.csv or class folders, on the Data page), even a few, "
            "to draw it.") in said


def test_a_run_of_another_dataset_is_offered_and_not_reported_as_trained_here(shapes_run, monkeypatch, tmp_path):
    """Walk 27: trained on an unlabelled folder, judged on its labelled copy in Evaluate, and Concepts on the copy
    said 'No trained run on this dataset yet'. It offers such runs as Evaluate does, named with their dataset,
    and shows no verdict of them here (that was measured on the other dataset)."""
    from tests.pages.test_augment_lab import png_bytes

    from ssl_core.data.ingest import ingest_uploads

    root, run = shapes_run
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    ingest_uploads(Workspace(copy), [(f"{'ab'[i % 2]}/{i}.png", png_bytes((i * 9 % 256, 40, 200))) for i in range(24)],
                   name="copy", size=16)
    at = open_page(copy, CONCEPTS, monkeypatch, dataset="copy")
    picker = at.selectbox(key=f"concepts_encoder_{Workspace(copy).dataset('copy').id}")
    assert picker.value == run and picker.format_func(run).endswith("(trained on shapes)")
    assert verdicts(at) == []
    assert any("was not trained here: no training on copy was measured for it" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 3  # its map of these pictures, third


def test_a_run_of_the_same_pictures_comes_before_an_import(shapes_run, monkeypatch, tmp_path):
    """Walk 30: on a copy of the pictures a run trained on, Concepts opened on an imported encoder while Evaluate
    opened on that run; both open on the run now."""
    import timm
    from safetensors.torch import save_file

    from tests.pages.conftest import copy_of_shapes

    from ssl_core.imports.encoders import import_encoder

    root, run = shapes_run
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    ws = Workspace(copy)
    copy_of_shapes(ws, "again")
    model = timm.create_model("resnet10t", num_classes=0)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "r10.safetensors"))
    import_encoder(ws, "r10", "timm:resnet10t", tmp_path / "r10.safetensors", image_size=32)
    at = open_page(copy, CONCEPTS, monkeypatch, dataset="again")
    assert at.selectbox(key=f"concepts_encoder_{ws.dataset('again').id}").value == run


def test_the_rand_indices_say_how_many_labelled_pictures_they_are_scored_on(shapes_run, monkeypatch, tmp_path):
    """Walk 40: 'Some pictures have no label' beside indices scored on 20 labelled tiles of 300."""
    from tests.pages.test_augment_lab import png_bytes
    from tests.ssl_core.conftest import zip_of

    from ssl_core.data.ingest import ingest_uploads

    copy = tmp_path / "ws"
    shutil.copytree(shapes_run[0], copy)
    files = [(f"{'ab'[i % 2]}/{i}.png", png_bytes((i * 9 % 256, 40 * (i % 2), 200))) for i in range(20)]
    files += [(f"loose_{i}.png", png_bytes((i * 30 % 256, 90, 20))) for i in range(4)]
    ingest_uploads(Workspace(copy), [("part.zip", zip_of(files))], name="part", size=16)
    at = open_page(copy, CONCEPTS, monkeypatch, dataset="part")
    caption = next(c.value for c in at.caption if "adjusted Rand index" in c.value)
    assert caption.endswith(" The indices are scored on the 20 labelled pictures of 24; the other 4 have no label."), (
        caption)

