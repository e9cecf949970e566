"""In a real browser: the Evaluate page judges the untrained encoder on the demo shapes and
draws the label-efficiency curve beside raw pixels and a network trained from scratch."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

SLOW = 60_000
EVALUATION = 400_000  # ms: embedding, probes, 3 curves x 13 fits, supervised training, on 2 cores


def test_evaluate_draws_the_label_efficiency_curve(page, app_url, screenshot):
    page.get_by_role("heading", name="Datasets").wait_for(timeout=SLOW)  # demo data seeded
    page.goto(f"{app_url}/evaluate?dataset=shapes&encoder=untrained-small_cnn-48")  # not the newest run
    page.get_by_role("heading", name="Evaluate").wait_for(timeout=SLOW)
    page.get_by_role("button", name="Evaluate 1 encoder").click(timeout=SLOW)
    chart = page.locator("[data-testid='stPlotlyChart']").filter(has_text="Label efficiency")
    chart.wait_for(timeout=EVALUATION)
    chart.locator(".scatterlayer .trace").first.wait_for(state="attached", timeout=SLOW)
    legend = chart.locator(".legendtext").evaluate_all("texts => texts.map(t => t.textContent)")
    assert {"untrained small_cnn", "raw pixels", "supervised from scratch"} <= set(legend)
    assert chart.locator(".scatterlayer .trace").count() == 3
    assert chart.locator(".scatterlayer .point").count() == 15  # 3 curves x 5 shares of the labels
    page.get_by_role("heading", name="Shortcut check").wait_for(timeout=SLOW)  # drawn after the chart
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "evaluate")
