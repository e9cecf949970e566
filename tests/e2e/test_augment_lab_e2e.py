"""In a real browser: the Augmentation Lab draws the views, the batch of pairs, the
similarity heatmap (plotly, really rendered) and the loss; a screenshot is kept."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

SLOW = 60_000  # the first Lab render imports torch and builds an encoder


def test_lab_shows_pairs_heatmap_and_loss(page, app_url, screenshot):
    # let the first session finish seeding the demo data (the Data page's gallery shows
    # after it) before a second session opens the Lab
    page.get_by_role("heading", name="Datasets").wait_for(timeout=SLOW)
    page.goto(f"{app_url}/augment_lab?dataset=shapes")
    page.get_by_role("heading", name="Augmentation Lab").wait_for(timeout=SLOW)

    page.get_by_text("pair 0 · a", exact=True).first.wait_for(timeout=SLOW)
    page.get_by_text("pair 7 · b", exact=True).first.wait_for(timeout=SLOW)
    page.wait_for_function(  # original + 2x4 views + 8 pairs x 2 views, all decoded
        "() => [...document.querySelectorAll(\"[data-testid='stImage'] img\")]"
        ".filter(img => img.complete && img.naturalWidth > 0).length >= 25",
        timeout=SLOW,
    )

    charts = page.locator("[data-testid='stPlotlyChart']")
    charts.first.wait_for(timeout=SLOW)
    heatmap = charts.filter(has_text="Cosine similarity of every pair of views")
    heatmap.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=SLOW)
    # the heatmap trace is drawn (as an <image> in the svg or on a canvas), with its colour bar
    heatmap.locator(".heatmaplayer image, .heatmaplayer canvas, canvas").first.wait_for(
        state="attached", timeout=SLOW)
    assert heatmap.locator(".colorbar").count() == 1
    box = heatmap.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    charts.filter(has_text="Which view is a0's partner?").locator(".gtitle").wait_for(timeout=SLOW)  # after the heatmap
    assert charts.filter(has_text="Which view is a0's partner?").count() == 1

    metric = page.locator("[data-testid='stMetric']").filter(has_text="NT-Xent loss of this batch")
    value = metric.locator("[data-testid='stMetricValue']").inner_text()
    assert re.fullmatch(r"\d+\.\d{3}", value.strip()) and 0 < float(value) < 10
    assert page.locator("[data-testid='stException']").count() == 0

    screenshot(page, "augment-lab")


def test_the_concepts_batch_button_scrolls_to_the_batch(page, app_url):
    """Walk 18: "See a batch of pairs" opened the Lab at its top, the batch two screens below."""
    page.goto(f"{app_url}/concepts?dataset=shapes")
    page.get_by_role("button", name="See a batch of pairs and its similarity heatmap").click(timeout=SLOW)
    page.get_by_role("heading", name="A batch: find the partner").wait_for(timeout=SLOW)
    page.wait_for_function(  # the heading near the top of the window, the page scrolled down to it
        "() => { const top = document.getElementById('batch').getBoundingClientRect().top;"
        " return top >= 0 && top < 200; }", timeout=SLOW)
    assert page.locator("[data-testid='stException']").count() == 0
