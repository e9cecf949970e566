"""In a real browser, on an app of its own (a 60-image labelled set, no demo data): a
resnet10t's weights saved on the spot as safetensors are imported on the Data page, the
Explorer's encoder picker offers the import named with where its weights came from, and its
map draws. Screenshots are kept."""

from __future__ import annotations

import io

import numpy as np
import pytest
import timm
from PIL import Image
from safetensors.torch import save_file

from ssl_core.data.ingest import ingest_uploads
from ssl_core.store import Workspace
from tests.e2e.conftest import running_app, tab

pytestmark = pytest.mark.e2e

SLOW = 60_000
FIRST_MAP = 240_000  # ms: embedding 60 images, then the first UMAP of the process
SHOWN = "r10 (timm:resnet10t, imported from r10.safetensors)"


def png(colour: np.ndarray, seed: int) -> bytes:
    """A 32 px image of `colour` with noise."""
    rng = np.random.default_rng(seed)
    pixels = np.clip(colour + rng.normal(0, 30, (32, 32, 3)), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def import_app(tmp_path_factory):
    """(URL, weights file): the app over a workspace holding dataset "tiny" (red and blue)."""
    root = tmp_path_factory.mktemp("import-e2e")
    ws = Workspace(root / "ws")
    colours = {"red": np.array([200, 40, 40]), "blue": np.array([40, 40, 200])}
    ingest_uploads(ws, [(f"{name}/{i}.png", png(colour, i)) for name, colour in colours.items() for i in range(30)],
                   name="tiny", size=32)
    ws.set_meta("demo_seeded", "1")
    model = timm.create_model("resnet10t", num_classes=0)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(root / "r10.safetensors"))
    with running_app(ws.root, root) as url:
        yield url, root / "r10.safetensors"


@pytest.fixture
def page(browser, request):
    """A new tab (conftest's `page` opens the shared app; this test has its own)."""
    with tab(browser, request) as page:
        page.set_default_timeout(SLOW)
        yield page


def test_an_imported_encoder_is_offered_by_the_explorer_and_its_map_draws(page, import_app, screenshot):
    url, weights = import_app
    page.goto(f"{url}/?dataset=tiny")
    page.get_by_text("Bring your own encoder or embeddings").click()
    page.locator(".st-key-import_arch input").fill("timm:resnet10t")
    page.locator(".st-key-import_arch input").press("Enter")
    page.get_by_text("176 px inputs").wait_for()  # the model's own side and normalisation, before import
    page.locator(".st-key-import_encoder_name input").fill("r10")
    page.locator(".st-key-import_encoder_name input").press("Enter")
    side = page.locator(".st-key-import_side input")
    side.fill("32")
    side.press("Enter")
    page.wait_for_timeout(5000)  # let the side's rerun land: a file set while the form redraws is dropped
    page.locator(".st-key-import_weights input[type='file']").set_input_files(str(weights))
    page.locator(".st-key-import_weights").get_by_text("r10.safetensors").wait_for()
    page.locator(".st-key-import_encoder_button button").click()
    page.get_by_text("It is in every encoder picker now").wait_for()
    screenshot(page, "data-import-encoder")

    page.goto(f"{url}/explorer?dataset=tiny")
    picker = page.locator("[class*='st-key-explore_source_'] input[role='combobox']")
    picker.wait_for(timeout=FIRST_MAP)  # a new session's first run of the page imports the analysis stack
    picker.click()
    page.get_by_role("option", name=SHOWN, exact=True).click()
    plot = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").first
    page.locator(".js-plotly-plot .gtitle", has_text="r10").wait_for(timeout=FIRST_MAP)
    plot.locator(".scattergl, canvas").first.wait_for(state="attached")
    assert plot.locator(".legendtext").count() == 2  # the labels red and blue colour the map
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "explorer-imported-encoder")
