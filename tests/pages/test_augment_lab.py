"""AppTest of the Augmentation Lab: the default SimCLR batch and its loss, sliders reach the
recipe, every recipe renders (MAE and rotation without the batch section), "New draw",
an own upload (good and bad), a patch size that does not fit, and the recipe kept across
pages."""

from __future__ import annotations

import base64
import io
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
import streamlit
from PIL import Image
from streamlit.testing.v1 import AppTest

from app.state import ASSETS
from ssl_core.augment import RECIPES, make_recipe
from ssl_core.augment.preview import is_pair_recipe, pair_batch, partners_found
from ssl_core.data.decode import decode_image, square
from ssl_core.store import Workspace

RUN_TIMEOUT = 120
MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"
LAB = "../pages/augment_lab.py"  # relative to app/main.py, as in st.navigation
LOSS_LABEL = "NT-Xent loss of this batch"
BATCH_TITLE = "A batch: find the partner"


@pytest.fixture(scope="module")
def workspace_dir(tmp_path_factory) -> Path:
    """One workspace for the module: the demo data is seeded by the first test only (the
    Lab never writes to it)."""
    return tmp_path_factory.mktemp("lab") / "ws"


@pytest.fixture
def lab(workspace_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("SSL_WORKSPACE", str(workspace_dir))
    at = AppTest.from_file(str(MAIN), default_timeout=RUN_TIMEOUT)
    at.query_params["dataset"] = "shapes"  # as a link to the Lab on shapes opens it
    at.run()
    assert not at.exception, at.exception
    at.switch_page(LAB).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def shown(monkeypatch) -> list[tuple[object, object]]:
    """Every (image, caption) the page passes to `st.image` (the views, not the batch
    columns), recorded on each run."""
    calls: list[tuple[object, object]] = []
    original = streamlit.image

    def spy(image, caption=None, *args, **kwargs):
        calls.append(([pixels(i) for i in image] if isinstance(image, list) else pixels(image), caption))
        return original(image, caption, *args, **kwargs)

    monkeypatch.setattr(streamlit, "image", spy)
    return calls


def pixels(image) -> object:
    """An image the page passed to `st.image`, as pixels where it is a data URI (the page
    encodes its views once, app.widgets.png_uri)."""
    if isinstance(image, str) and image.startswith("data:image/"):
        return np.asarray(Image.open(io.BytesIO(base64.b64decode(image.split(",", 1)[1]))))
    return image


def views_of(shown: list[tuple[object, object]]) -> list[object]:
    """The views among the spied `st.image` calls (not the original, nor a pair's maps)."""
    return [v for image, caption in shown if caption and caption[0].startswith(("view 1", "view 2")) for v in image]


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def captions(at: AppTest) -> list[str]:
    """All image captions on the page, flattened."""
    return [c for image in at.image for c in image.captions]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def png_bytes(colour: tuple[int, int, int], size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_lab_opens_with_simclr_views_and_a_batch(lab):
    assert lab.title[0].value == "Augmentation Lab"
    assert lab.selectbox(key="lab_dataset").value == "shapes"
    assert lab.selectbox(key="lab_recipe_name").value == "simclr_multicrop"  # SimCLR's default recipe
    assert "lab_recipe" not in lab.session_state  # untouched: nothing handed over to the Train page
    assert lab.number_input(key="lab_seed").value == 0
    assert lab.image[0].captions == ["original"]
    assert lab.image[1].captions == [f"view 1 · draw {d}" for d in (1, 2, 3, 4)]  # the Draws slider's 4
    assert lab.image[2].captions == [f"view 2 · draw {d}" for d in (1, 2, 3, 4)]
    assert [c for c in captions(lab) if c.startswith("pair")] == [
        f"pair {i} · {side}" for i in range(8) for side in "ab"]
    assert BATCH_TITLE in subheaders(lab)

    metric = next(m for m in lab.metric if m.label == LOSS_LABEL)
    loss = float(metric.value)
    assert 0 < loss < 10
    assert "ln(15) = 2.708" in metric.proto.help
    assert "At temperature 0.1, the default run's (SimCLR), on the encoder's features" in metric.proto.help
    # the number is the loss of the very batch the page describes: 8 images of shapes, seed 0
    ws = Workspace()
    images = ws.images(ws.dataset("shapes"))
    rows = np.sort(np.random.default_rng(0).choice(len(images), size=8, replace=False))
    batch = pair_batch(make_recipe('simclr_multicrop'), np.array(images[rows]), 0)
    assert metric.value == f"{batch.loss:.3f}"
    assert any(f"this untrained one does so for {partners_found(batch.similarity)} of the 16 views (guessing would "
               f"find about 1.1)" in c.value for c in lab.caption)
    assert lab.selectbox(key="lab_row").options == [f"a{i}" for i in range(8)] + [f"b{i}" for i in range(8)]


def test_slider_reaches_the_recipe(lab, shown):
    lab.slider(key="lab_simclr_multicrop_gray_p").set_value(1.0).run()
    assert not lab.exception, lab.exception
    assert lab.session_state["lab_recipe"]["gray_p"] == 1.0
    views = [np.asarray(v) for v in views_of(shown)]
    assert len(views) == 8
    for view in views:  # every view turned grey: R == G == B
        assert np.array_equal(view[..., 0], view[..., 1]) and np.array_equal(view[..., 1], view[..., 2])
    assert any(m.label == LOSS_LABEL for m in lab.metric)

    lab.slider(key="lab_batch").set_value(3).run()
    assert not lab.exception, lab.exception
    assert [c for c in captions(lab) if c.startswith("pair")][-1] == "pair 2 · b"
    assert lab.selectbox(key="lab_row").options == ["a0", "a1", "a2", "b0", "b1", "b2"]


def test_the_views_caption_names_what_the_settings_change(lab):
    """The default multi-crop recipe has no blur: the caption does not claim sharpness; with
    colour jitter and grayscale off it says colour is left alone."""
    caption = next(c.value for c in lab.caption if c.value.startswith("Each view is the same picture"))
    assert "here position and size, left-right direction and colour." in caption
    assert "sharpness" not in caption
    lab.slider(key="lab_simclr_multicrop_jitter_p").set_value(0.0).run()
    lab.slider(key="lab_simclr_multicrop_gray_p").set_value(0.0).run()
    assert not lab.exception, lab.exception
    caption = next(c.value for c in lab.caption if c.value.startswith("Each view is the same picture"))
    assert "here position and size and left-right direction." in caption
    assert "leave colour alone" in caption
    lab.slider(key="lab_simclr_multicrop_turn_p").set_value(0.5).run()  # walks 39 and 40: cells, aerial tiles
    caption = next(c.value for c in lab.caption if c.value.startswith("Each view is the same picture"))
    assert ("here position and size, left-right direction and which way is up. Turned views teach it that up does "
            "not matter: meant for pictures with no up, such as cells or tiles seen from above; where up tells kinds "
            "apart it merges them (a 6 turned is a 9). These settings leave colour alone") in caption


def test_every_recipe_renders(lab):
    for name in RECIPES:
        lab.selectbox(key="lab_recipe_name").set_value(name).run()
        assert not lab.exception, (name, lab.exception)
        recipe = make_recipe(name)
        slider_keys = {s.key for s in lab.slider}
        for field in fields(recipe):
            assert f"lab_{name}_{field.name}" in slider_keys, (name, field.name)
        view_captions = captions(lab)
        for view_name in recipe.view_names() if name != "rotation" else ():  # rotation's: without crops or flips
            assert [c for c in view_captions if c.startswith(f"{view_name} · draw ")] == [
                f"{view_name} · draw {d}" for d in (1, 2, 3, 4)], (name, view_name)
        has_batch = any(m.label == LOSS_LABEL for m in lab.metric)
        assert has_batch == is_pair_recipe(recipe) == (BATCH_TITLE in subheaders(lab)), name
        text = " ".join(c.value for c in lab.caption)
        intro = next(c.value for c in lab.caption if c.value.startswith("Self-supervised learning makes its own"))
        assert ("every other picture as *different*" in intro) == (name not in ("mae", "rotation", "byol", "dino"))
        if name == "mae":
            assert "paint the hidden patches back" in intro  # it spoke of two views and negatives
            assert view_captions[1:5] == [f"75% hidden · draw {d}" for d in (1, 2, 3, 4)]
            assert "hidden patches" in text
        elif name == "rotation":
            # walk 37: four identical draws of each turn (crop min 1, flip p 0), one picture said once
            assert view_captions[1:] == [f"{90 * k}° (label {k})" for k in range(4)]
            assert "The 4 draws of each of 0° (label 0), 90° (label 1), 180° (label 2) and 270° (label 3) were one " \
                   "picture, shown once: these settings leave nothing random in them." in text
            assert "the label under each" in text
        elif name in ("byol", "dino"):  # they were framed as contrastive, with negatives
            assert "A contrastive model" not in text and "trains without negatives" in text, name
            assert "the contrastive version of the puzzle (SimCLR, MoCo)" in text, name
        else:
            assert "A contrastive model" in text and "without negatives" not in text, name
    assert lab.session_state["lab_recipe"]["name"] == "rotation"


def test_new_draw_increments_the_seed_and_the_seed_reproduces(lab):
    first = [img.value for img in lab.image]
    button(lab, "New draw").click().run()
    assert not lab.exception, lab.exception
    assert lab.number_input(key="lab_seed").value == 1
    drawn = [img.value for img in lab.image]
    assert drawn[0] == first[0]  # the same original ...
    assert drawn[1] != first[1] and drawn[2] != first[2]  # ... new views
    button(lab, "New draw").click().run()
    assert lab.number_input(key="lab_seed").value == 2
    lab.number_input(key="lab_seed").set_value(0).run()
    assert [img.value for img in lab.image] == first  # seed 0 again: the same pictures


def test_own_upload_is_used(lab, shown):
    colour = (200, 40, 90)
    lab.file_uploader(key="lab_upload").set_value(("own.png", png_bytes(colour), "image/png")).run()
    assert not lab.exception, lab.exception
    assert not lab.error
    framed = next(np.asarray(image) for image, caption in shown if caption == "original")
    assert framed.shape == (66, 66, 3)  # squared to the dataset's side, plus a 1-pixel frame
    assert (framed[1:-1, 1:-1] == np.array(colour, dtype=np.uint8)).all()
    assert (framed[0] == 200).all()  # the frame
    views = [np.asarray(v)[1:-1, 1:-1] for v in views_of(shown)]
    assert len(views) == 8
    for view in views:  # views of a one-colour picture are one colour each
        assert (np.ptp(view.reshape(-1, 3), axis=0) <= 1).all()


def test_every_sample_photo_is_offered_and_drawn(lab, shown):
    samples = sorted((ASSETS / "samples").glob("*.jpg"))
    assert len(samples) >= 3 and lab.selectbox(key="lab_sample").options == [path.stem for path in samples]
    for path in samples:
        del shown[:]
        lab.selectbox(key="lab_sample").set_value(path.stem).run()
        assert not lab.exception and not lab.error, (lab.exception, lab.error)
        side = 64  # the demo shapes' stored side
        expected = square(decode_image(path.read_bytes(), draft_size=side), side)
        framed = next(np.asarray(image) for image, caption in shown if caption == "original")
        assert np.array_equal(framed[1:-1, 1:-1], expected), path.name
        assert len(views_of(shown)) == 8


def test_bad_upload_shows_an_error_and_the_page_still_renders(lab):
    before = [img.value for img in lab.image]
    lab.file_uploader(key="lab_upload").set_value(("x.png", b"not an image", "image/png")).run()
    assert not lab.exception, lab.exception
    assert len(lab.error) == 1
    message = lab.error[0].value
    assert message.startswith(r"x\.png: ") and "not a supported image" in message
    assert message.endswith("the views below are of the dataset's image #0.")  # said, not silently swapped in
    assert [img.value for img in lab.image] == before  # the dataset's image is shown instead
    assert any(m.label == LOSS_LABEL for m in lab.metric)


def test_patch_size_that_does_not_divide_the_side_is_an_error(lab):
    lab.selectbox(key="lab_recipe_name").set_value("mae").run()
    lab.slider(key="lab_mae_patch_size").set_value(5).run()
    assert not lab.exception, lab.exception
    assert "patch size 5 does not divide the image side 64" in lab.error[0].value
    lab.slider(key="lab_mae_patch_size").set_value(16).run()
    assert not lab.exception and not lab.error
    assert captions(lab)[1:] == [f"75% hidden · draw {d}" for d in (1, 2, 3, 4)]


def test_recipe_and_its_parameters_survive_a_page_change(lab):
    lab.selectbox(key="lab_recipe_name").set_value("byol").run()
    lab.slider(key="lab_byol_gray_p").set_value(0.6).run()
    lab.switch_page("../pages/data.py").run()
    assert not lab.exception, lab.exception
    lab.switch_page(LAB).run()
    assert not lab.exception, lab.exception
    assert lab.selectbox(key="lab_recipe_name").value == "byol"
    assert lab.slider(key="lab_byol_gray_p").value == pytest.approx(0.6)
    assert lab.session_state["lab_recipe"] == {"name": "byol", "gray_p": 0.6}  # what was changed, only


def test_other_dataset(lab):
    lab.selectbox(key="lab_dataset").set_value("digits").run()
    assert not lab.exception, lab.exception
    assert lab.number_input(key="lab_index").max == 1796
    assert any(m.label == LOSS_LABEL for m in lab.metric)


def lab_on(tmp_path: Path, monkeypatch, datasets: dict[str, list[tuple[str, bytes]]]) -> AppTest:
    """The Lab on the first of `datasets` ({name: uploads}, stored at 32 px), no demo data."""
    from ssl_core.data.ingest import ingest_uploads

    ws = Workspace(tmp_path / "ws")
    for name, uploads in datasets.items():
        ingest_uploads(ws, uploads, name=name, size=32)
    ws.set_meta("demo_seeded", "1")
    monkeypatch.setenv("SSL_WORKSPACE", str(ws.root))
    at = AppTest.from_file(str(MAIN), default_timeout=RUN_TIMEOUT)
    at.query_params["dataset"] = next(iter(datasets))
    at.run()
    at.switch_page(LAB).run()
    assert not at.exception, at.exception
    return at


def test_a_batch_needs_two_images_and_says_when_the_dataset_caps_it(tmp_path, monkeypatch):
    """One image: no negatives, so no batch to judge (it showed '2 of the 2 views' and a loss
    of 0.000 as if perfect); three images under a slider of 8: the batch says it holds all 3."""
    at = lab_on(tmp_path, monkeypatch, {"solo": [("one.png", png_bytes((200, 30, 30)))],
                                        "three": [(f"{i}.png", png_bytes((60 * i, 90, 200))) for i in range(3)]})
    assert not any(m.label == LOSS_LABEL for m in at.metric)
    assert any("needs at least two images" in box.value for box in at.info)
    at.selectbox(key="lab_dataset").set_value("three").run()
    assert not at.exception, at.exception
    assert any(m.label == LOSS_LABEL for m in at.metric)
    assert "three has 3 images, so the batch holds all 3." in [c.value for c in at.caption]


def test_on_a_grey_dataset_the_caption_speaks_of_tones_not_colour(tmp_path, monkeypatch):
    """Walk 17: microscope images were told "colour changes mattered most" while random
    grayscale changed nothing in them."""
    at = lab_on(tmp_path, monkeypatch, {"cells": [(f"{i}.png", png_bytes((40 * i,) * 3)) for i in range(1, 5)]})
    caption = next(c.value for c in at.caption if c.value.startswith("Each view is the same picture"))
    assert "left-right direction and tone (brightness and contrast). These pictures are grey: colour jitter changes " \
           "only their tone (brightness and contrast), and random grayscale changes nothing." in caption, caption


def test_on_a_colour_dataset_the_caption_says_a_colour_that_tells_kinds_apart_is_lost(tmp_path, monkeypatch):
    """Walk 39: green and magenta stains turned yellow, cyan and grey in the views, and the caption said only that
    the model learns to ignore colour."""
    at = lab_on(tmp_path, monkeypatch, {"stains": [(f"{i}.png", png_bytes((40 * i, 200, 30))) for i in range(1, 5)]})
    caption = next(c.value for c in at.caption if c.value.startswith("Each view is the same picture"))
    assert caption.endswith("Where a colour tells kinds apart in your pictures (a stain, a ripe fruit), lower jitter "
                            "and gray p here, or the model learns to ignore it."), caption


def test_settings_handed_over_by_the_diagnosis_are_said_and_stay_its(lab):
    """Walk 18: the Lab showed the Diagnosis's 'jitter p 0.9' as if they were the paper's
    defaults, and once opened, the Train page named the Lab as their source."""
    lab.switch_page("../pages/data.py").run()
    lab.session_state["lab_recipe"] = {"name": "simclr_multicrop", "jitter_p": 0.9}
    lab.session_state["lab_recipe_from"] = "the Diagnosis"
    lab.switch_page(LAB).run()
    assert not lab.exception, lab.exception
    assert lab.slider(key="lab_simclr_multicrop_jitter_p").value == pytest.approx(0.9)
    said = [c.value for c in lab.caption if c.value.startswith("Set by the Diagnosis")]
    assert said == ["Set by the Diagnosis: jitter p 0.9; the others are the recipe's defaults. The Train page will "
                    "use them; move a slider to change them."]
    assert lab.session_state["lab_recipe_from"] == "the Diagnosis"  # opening the Lab changed nothing
    lab.slider(key="lab_simclr_multicrop_blur_p").set_value(0.3).run()
    assert lab.session_state["lab_recipe_from"] == "the Augmentation Lab"  # changed here: the Lab's now
    assert not any(c.value.startswith("Set by") for c in lab.caption)
    assert lab.session_state["lab_recipe"] == {"name": "simclr_multicrop", "jitter_p": 0.9, "blur_p": 0.3}


def test_the_views_say_how_fine_a_detail_they_hold(tmp_path, monkeypatch):
    """Walk 42: a 2 px scratch on 128 px photos of parts was half a pixel of a 32 px training view, and local crops
    left a chipped edge out; the Lab showed its views at the stored side and said neither."""
    at = lab_on(tmp_path, monkeypatch, {"parts": [(f"{i}.png", png_bytes((40 * i, 90, 30), (128, 96)))
                                                  for i in range(1, 5)]})
    said = next(c.value for c in at.caption if c.value.startswith("How fine a detail a view holds"))
    assert "came in at 96 px (the median side that became the stored square) and are stored at 32 px" in said
    assert "training draws them at 32 px" in said and "holds is 3.0 of your pixels across" in said
    assert "A crop keeps as little as 5% of the picture here" in said  # the default recipe's local crops
