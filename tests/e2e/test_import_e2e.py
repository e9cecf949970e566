"""In a real browser, on an app of its own (a 60-image labelled set and a 2-step SimCLR run
trained in the fixture, no demo data): a resnet10t's weights saved on the spot as
safetensors are imported on the Data page; the Explorer draws the import's map (offered
named with where its weights came from) beside the run's; Evaluate judges both, each with
its kNN accuracy. Screenshots are kept."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
import timm
from PIL import Image
from safetensors.torch import save_file

from ssl_core import jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.run_names import run_name
from ssl_core.store import Workspace
from tests.e2e.conftest import running_app, settled, tab

pytestmark = pytest.mark.e2e

SLOW = 60_000
FIRST_MAP = 240_000  # ms: embedding 60 images, then the first UMAP of the process
EVALUATION = 240_000  # ms: two encoders' probes, curves and the supervised baseline on 60 images
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
    """(URL, weights file, run id, run name): the app over a workspace holding dataset "tiny"
    (red and blue) and a finished 2-step SimCLR run on it."""
    root = tmp_path_factory.mktemp("import-e2e")
    ws = Workspace(root / "ws")
    colours = {"red": np.array([200, 40, 40]), "blue": np.array([40, 40, 200])}
    ingest_uploads(ws, [(f"{name}/{i}.png", png(colour, i)) for name, colour in colours.items() for i in range(30)],
                   name="tiny", size=32)
    ws.set_meta("demo_seeded", "1")
    run_id = jobs.create_run(ws, TrainConfig(dataset="tiny", epochs=1, batch_size=30, monitor_every=100,
                                             snapshot_every=0))
    assert jobs.execute(ws, run_id).status == "completed"
    model = timm.create_model("resnet10t", num_classes=0)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(root / "r10.safetensors"))
    with running_app(ws.root, root) as url:
        yield url, root / "r10.safetensors", run_id, run_name(jobs.get_run(ws, run_id))


@pytest.fixture
def page(browser, request):
    """A new tab (conftest's `page` opens the shared app; this test has its own)."""
    with tab(browser, request) as page:
        page.set_default_timeout(SLOW)
        yield page


def pick(page, key_part: str, option: str) -> None:
    """Choose `option` in the select box or multiselect whose key starts with `key_part`."""
    page.locator(f"[class*='st-key-{key_part}'] input[role='combobox']").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_an_imported_encoder_is_mapped_beside_a_run_and_both_are_evaluated(page, import_app, screenshot):
    url, weights, run_id, run_shown = import_app
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
    page.wait_for_timeout(5000)  # let the side's rerun start: a file set while the form redraws is dropped
    settled(page)
    with page.expect_response(lambda r: "/_stcore/upload_file/" in r.url and r.request.method == "PUT",
                              timeout=120_000):  # sent, not only shown in the browser
        page.locator(".st-key-import_weights input[type='file']").set_input_files(str(weights))
    page.locator(".st-key-import_weights").get_by_text("r10.safetensors").wait_for()
    settled(page)
    page.locator(".st-key-import_encoder_button button").click()
    page.get_by_text("It is in every encoder picker now").wait_for()
    screenshot(page, "data-import-encoder")

    page.goto(f"{url}/explorer?dataset=tiny&encoder={run_id}")  # the run, compared by default (with its twin)
    page.locator("[class*='st-key-explore_other_'] input[role='combobox']").wait_for(timeout=FIRST_MAP)
    pick(page, "explore_other_", SHOWN)  # the import beside the run
    plots = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot")
    for title in ("r10", run_shown):
        page.locator(".js-plotly-plot .gtitle", has_text=title).wait_for(timeout=FIRST_MAP)
    titles = plots.locator(".gtitle").all_text_contents()
    assert titles[:2] == ["r10", run_shown]  # the import's map beside (left of) the run's, no "Before training"
    for plot in (plots.nth(0), plots.nth(1)):
        plot.locator(".scattergl, canvas").first.wait_for(state="attached")
        assert plot.locator(".legendtext").count() == 2  # the labels red and blue colour each map
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "explorer-imported-beside-run")

    page.goto(f"{url}/evaluate?dataset=tiny&encoder={run_id}")  # the run is chosen; the import is added
    pick(page, "evaluate_sources_", SHOWN)
    page.keyboard.press("Escape")  # close the multiselect's list, which covers the page
    page.get_by_role("button", name="Evaluate 2 encoders").click()
    page.wait_for_function("""names => {  // the metrics grid's accessible cells, drawn after its canvas
        const grid = document.querySelector("[data-testid='stDataFrame']");
        const headers = grid ? [...grid.querySelectorAll("[role=columnheader]")].map(h => h.textContent) : [];
        return names.every(name => headers.includes(name)) && grid.querySelector("[role=gridcell]");
    }""", arg=[run_shown, "r10"], timeout=EVALUATION)  # an import's column by its own name (walk 16)
    table = page.locator("[data-testid='stDataFrame']").first
    assert table.locator("[role=columnheader]").all_text_contents() == ["measure", run_shown, "r10"]
    knn = table.locator("[role=row]").filter(has_text="kNN accuracy").locator("[role=gridcell]").all_inner_texts()
    assert knn[0] == "kNN accuracy" and all(0 <= float(cell) <= 1 for cell in knn[1:]) and len(knn) == 3
    boxes = [box.replace("\u2060", "")  # escape_markdown joins "timm:" with a word joiner (no :emoji:)
             for box in page.locator("[data-testid^='stAlertContent']").all_text_contents()]
    for name in (run_shown, SHOWN):  # one verdict box per encoder, with its measured kNN accuracy
        assert any(re.search(re.escape(name) + r": .*kNN accuracy \d+\.\d%", box) for box in boxes), boxes
    legend = page.locator("[data-testid='stPlotlyChart']").filter(has_text="Label efficiency").locator(".legendtext")
    legend.first.wait_for()
    assert {run_shown, SHOWN} <= set(legend.all_text_contents())  # both curves beside the baselines
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "evaluate-import-and-run")
