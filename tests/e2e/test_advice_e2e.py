"""In a real browser: a finished run's Diagnosis panel on the Train page shows its first
advice with the measurement behind it; "Train again with this" fills the Train page's form
with the run's settings and the change, and Start queues exactly that run."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from ssl_core import jobs
from ssl_core.engine import TrainConfig
from ssl_core.evaluate.advice import apply
from ssl_core.evaluate.diagnose import diagnose
from ssl_core.methods import METHODS
from ssl_core.store import Workspace
from tests.e2e.conftest import settled
from tests.e2e.test_train_e2e import SLOW, poll, workers_of

pytestmark = pytest.mark.e2e


def test_advice_button_opens_a_prefilled_train_page(page, app_url, screenshot):
    code = page.locator("[data-testid='stSidebar'] code").first
    code.wait_for(timeout=SLOW)
    workspace = Path(code.inner_text().strip())
    ws = Workspace(workspace)
    poll(lambda: "shapes" in {d.name for d in ws.datasets()}, 300, "the demo shapes")  # seeded by the app
    # BYOL, 1 epoch at batch 512 on the 2,000 demo shapes: 3 steps per pass, too few for the batch; 256 makes 7
    ran = TrainConfig(dataset="shapes", method="byol", epochs=1.0, batch_size=512)
    run_id = jobs.create_run(ws, ran)
    assert jobs.execute(ws, run_id).status == "completed"
    first = diagnose(ws, run_id)[0]
    assert first.rule == "batch_too_large" and first.change == {"batch_size": 256}

    page.goto(f"{app_url}/train?dataset=shapes")
    page.get_by_role("heading", name="Diagnosis").wait_for(timeout=240_000)  # the page under a busy CPU
    card = page.locator("[data-testid='stVerticalBlock']").filter(has_text="Evidence: 2000 images")
    card.last.get_by_role("button", name="Train again with this").wait_for(timeout=SLOW)  # the card's last part
    assert "batch_size 512 -> 256" in card.last.inner_text()
    screenshot(page, "train-diagnosis")
    before = {run["id"] for run in jobs.list_runs(ws)}
    try:
        card.last.get_by_role("button", name="Train again with this").click()
        budget = page.get_by_label("Budget (epochs)")
        page.locator("[data-testid='stAlert']").filter(has_text="Filled in from the Diagnosis").wait_for(timeout=SLOW)
        settled(page)  # the form drawn whole: the batch slider comes after the budget
        assert budget.input_value() == "1.00"  # the same budget
        batch = page.locator("[data-testid='stSlider']").filter(has_text="Batch size")
        assert batch.locator("[data-testid='stSliderThumbValue']").inner_text() == "256"
        filled = page.locator("[data-testid='stAlert']").filter(has_text="Filled in from the Diagnosis")
        assert "batch_size 512 -> 256" in filled.inner_text()  # said, even where a value equals a default
        screenshot(page, "train-prefilled-by-advice")

        page.get_by_role("button", name="Start training").click()
        page.get_by_role("heading", name="Diagnosis").wait_for(state="detached", timeout=SLOW)  # a new run shown
        assert filled.count() == 0  # gone once it is trained
        (new_id,) = {run["id"] for run in jobs.list_runs(ws)} - before
        jobs.request_cancel(ws, new_id)  # what was queued is what counts, not its training
        queued = TrainConfig(**json.loads(jobs.get_run(ws, new_id)["config"]))
        wanted = apply(ran, first)
        assert (queued.dataset, queued.method, queued.encoder, queued.epochs, queued.minutes, queued.batch_size) == (
            wanted.dataset, wanted.method, wanted.encoder, wanted.epochs, wanted.minutes, wanted.batch_size)
        assert queued.resolved_recipe().to_dict() == wanted.resolved_recipe().to_dict()
        assert queued.lr == METHODS["byol"].default_lr  # the page writes the method's default out
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        for pid in workers_of(workspace):  # only the ones this test's app started
            os.kill(pid, signal.SIGTERM)
