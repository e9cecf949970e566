"""In a real browser: while a run trains, the Train page's map in motion grows (a new frame
arrives and the drawn map changes); once it is done, the Explorer plays its animation
(Play moves the points through the frames). Screenshots are kept."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest

from ssl_core import jobs
from ssl_core.engine import TrainConfig
from ssl_core.store import Workspace
from tests.e2e.test_train_e2e import SLOW, poll, workers_of

pytestmark = pytest.mark.e2e

MOTION = "[data-testid='stPlotlyChart']:has(.updatemenu-container)"  # the chart with Play / Pause


def frame_title(page) -> str:
    return page.locator(f"{MOTION} .gtitle").first.text_content()


def points(page) -> list[str]:
    """The drawn points' positions, as plotly's SVG places them."""
    return page.eval_on_selector_all(f"{MOTION} .scatterlayer .point", "ps => ps.map(p => p.getAttribute('transform'))")


def test_the_map_moves_while_a_run_goes_and_the_explorer_plays_it(page, app_url, screenshot):
    page.get_by_role("heading", name="Datasets").wait_for(timeout=SLOW)
    workspace = Path(page.locator("[data-testid='stSidebar'] code").first.inner_text().strip())
    ws = Workspace(workspace)
    # 31 steps of 64, a frame every 10 steps: frames at 0, 10, 20, 30 and the last, 31
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1, batch_size=64, monitor_every=5,
                                             snapshot_every=10))
    jobs.start_worker(ws)
    try:
        page.goto(f"{app_url}/train?dataset=shapes")
        page.locator(MOTION).first.wait_for(timeout=240_000)  # two frames kept: the map appears
        first_title, first_points = frame_title(page), points(page)
        assert re.fullmatch(r"step \d+ · kNN accuracy \d+\.\d%", first_title), first_title
        live_shot(page, "motion-train-first.png")
        poll(lambda: frame_title(page) != first_title, 300, "a later frame", interval_s=1)
        page.wait_for_timeout(1500)
        assert points(page) != first_points  # the live map moved with the new frame
        live_shot(page, "motion-train-later.png")
        poll(lambda: jobs.get_run(ws, run_id)["status"] == "completed", 300, "the run completing", interval_s=1)

        page.goto(f"{app_url}/explorer?dataset=shapes&encoder={run_id}")
        page.get_by_role("heading", name="The map in motion").wait_for(timeout=SLOW)
        chart = page.locator(MOTION).first
        chart.wait_for(timeout=SLOW)
        chart.scroll_into_view_if_needed()
        assert frame_title(page).startswith("step 31 ")  # a finished run opens on its last frame
        page.locator(f"{MOTION} .slider-step-groups, {MOTION} .slider-container").first.wait_for()
        chart.locator(".updatemenu-button").filter(has_text="Play").click()  # plays from the start
        poll(lambda: not frame_title(page).startswith("step 31 "), 10,
             "an earlier frame while playing", interval_s=0.1)
        poll(lambda: frame_title(page).startswith("step 31 "), 30, "the last frame again", interval_s=0.2)
        screenshot(page, "explorer-map-in-motion")
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        for pid in workers_of(workspace):
            os.kill(pid, signal.SIGTERM)


def live_shot(page, name: str) -> None:
    """A screenshot of the live map: the Train page's panel redraws it every 2 s (and once when
    the run ends), so the chart can be replaced between finding and shooting it; tried again
    on the new one (a fresh clone's suite met "Element is not attached to the DOM")."""
    from playwright.sync_api import Error

    for attempt in range(3):
        try:
            page.locator(MOTION).first.screenshot(path=str(screenshot_dir() / name), timeout=20_000)
            return
        except Error:
            if attempt == 2:
                raise
            page.wait_for_timeout(500)


def screenshot_dir() -> Path:
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
