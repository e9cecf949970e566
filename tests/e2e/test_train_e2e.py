"""In a real browser: a half-epoch run (default batch) on the demo shapes starts from the Train
page, a real worker process trains it, the live panel ticks (step count, loss curve) without
a reload until the run completes, with its verdict in a box of its colour; a screenshot is
kept. The worker must not outlive the test."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest

from ssl_core import jobs
from ssl_core.engine import TrainConfig
from ssl_core.store import Workspace

pytestmark = pytest.mark.e2e

SLOW = 60_000  # ms: the first render of a page may import torch on this 2-core machine


def step_of(page) -> int:
    text = page.locator("[data-testid='stProgress']").first.inner_text()
    match = re.search(r"step (\d+)", text)
    return int(match.group(1)) if match else -1


def metric(page, label: str) -> str:
    cell = page.locator("[data-testid='stMetric']").filter(has_text=label)
    return cell.locator("[data-testid='stMetricValue']").inner_text().strip()


def poll(condition, timeout_s: float, what: str, interval_s: float = 0.5):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval_s)
    raise TimeoutError(f"{what} not seen in {timeout_s:.0f} s")


def workers_of(workspace: Path) -> list[int]:
    """Pids of live `python -m ssl_core --workspace <workspace> worker` processes."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in argv if a]
        if state != "Z" and args[-5:] == ["-m", "ssl_core", "--workspace", str(workspace), "worker"]:
            pids.append(int(entry.name))  # a zombie (exited, not yet reaped by the app) is gone
    return pids


def test_training_run_ticks_live_and_completes(page, app_url, screenshot):
    # let the first session finish seeding the demo data before the Train page reads it
    page.get_by_role("heading", name="Datasets").wait_for(timeout=SLOW)
    workspace = Path(page.locator("[data-testid='stSidebar'] code").first.inner_text().strip())
    assert (workspace / "ssl.db").exists()
    ws = Workspace(workspace)
    before = {run["id"] for run in jobs.list_runs(ws)}

    page.goto(f"{app_url}/train?dataset=shapes")
    page.get_by_role("heading", name="Train").first.wait_for(timeout=SLOW)
    start = page.get_by_role("button", name="Start training")
    start.wait_for(timeout=SLOW)
    page.get_by_text("epochs", exact=True).click()  # the Budget segmented control
    budget = page.get_by_label("Budget (epochs)")
    budget.wait_for(timeout=SLOW)
    budget.fill("0.5")  # 16 steps at batch 64: the loss curve keeps its markers (fewer than 30 points)
    budget.press("Enter")
    page.wait_for_timeout(1000)  # let the rerun with the new budget land before the click
    assert budget.input_value() == "0.50"

    try:
        start.click()
        page.get_by_role("heading", name="SimCLR · 0.5 epochs", exact=True).wait_for(timeout=SLOW)  # its name
        (run_id,) = {run["id"] for run in jobs.list_runs(ws)} - before
        queued = jobs.get_run(ws, run_id)
        assert (queued["dataset"], queued["method"], queued["encoder"]) == ("shapes", "simclr", "small_cnn")
        config = json.loads(queued["config"])
        assert (config["epochs"], config["minutes"], config["batch_size"]) == (0.5, None, TrainConfig.batch_size)
        steps = round(0.5 * (ws.dataset("shapes").image_count // config["batch_size"]))  # half of 2000 // 64 = 31
        # the caption under it may come in a later message than the heading (a fresh clone's suite on a busy machine)
        page.get_by_text(f"run {run_id}", exact=False).first.wait_for(timeout=SLOW)

        # the panel ticks by itself: the step count rises while the run is running
        first = poll(lambda: (n := step_of(page)) >= 1 and n, 180, "step 1")
        (worker,) = workers_of(workspace)  # one real worker process trains it
        assert poll(lambda: step_of(page) >= max(2, first + 1), 180, "a later step")
        assert metric(page, "Status") in ("running", "completed")
        # the runs table ticks with the panel: its status cell says running, not queued
        table = page.locator("[data-testid='stDataFrame']").first  # read through its accessible table
        status_cell = table.locator("[role='gridcell']").filter(has_text=re.compile(r"^(queued|running|completed)$"))
        poll(lambda: status_cell.first.inner_text() == "running", 60, "running in the runs table")

        # the loss curve has at least two points (markers while fewer than 30)
        points = f".st-key-loss_{run_id} .scatterlayer .point"  # this run's chart (another run's may linger)
        page.wait_for_function("s => document.querySelectorAll(s).length >= 2", arg=points, timeout=120_000)

        poll(lambda: metric(page, "Status") == "completed", 240, "status completed", interval_s=1)
        # the panel stopped ticking and the whole page reran: the rest of the old panel (its
        # Cancel button, the shorter curve) is replaced once that rerun has finished
        page.get_by_role("button", name="Cancel").wait_for(state="detached", timeout=SLOW)
        page.get_by_text(f"step {steps} of ~{steps}").wait_for(timeout=SLOW)
        page.wait_for_function("([s, n]) => document.querySelectorAll(s).length == n", arg=[points, steps],
                               timeout=SLOW)
        # that rerun goes on below the panel (the run's diagnosis); until it ends, the last tick's curves stay
        # beside the new ones, greyed as stale
        page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=SLOW)
        run = jobs.get_run(ws, run_id)
        assert (run["status"], run["step"], run["progress"]) == ("completed", steps, 1.0)
        assert metric(page, "Loss") == f"{run['loss']:.4f}"
        assert metric(page, "ETA") == "-"
        assert metric(page, "Images / s, whole run") == f"{run['images_per_s']:.0f}"  # as train's JSON says
        assert page.locator(points).count() == steps
        assert "Training loss" in page.locator(f".st-key-loss_{run_id}").inner_text()
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_text("All runs").is_visible()
        verdict = jobs.run_verdict(ws, run_id)  # the run's verdict, in a box of its colour
        kind = {"green": "Success", "orange": "Warning", "red": "Error"}[verdict.colour]
        page.locator(f"[data-testid='stAlertContent{kind}']").filter(has_text=verdict.text).wait_for(timeout=SLOW)
        screenshot(page, "train-page")

        # the worker leaves once its queue is empty
        poll(lambda: worker not in workers_of(workspace), 60, "the worker exiting")
    finally:
        for pid in workers_of(workspace):  # only the ones this test's app started
            os.kill(pid, signal.SIGTERM)
