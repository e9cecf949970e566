"""The first map on a fresh install: how long the first click on the Embedding Explorer waits.

A fresh clone of this repository (git clone of HEAD into a temporary folder; the packages
are this checkout's .venv, so installing is not timed), a new workspace and an empty numba
cache (`$SSL_NUMBA_CACHE`) for each of three app starts. In each, the browser (Debian's
headless Chromium) opens the Data page (the demo data is seeded there), then the Explorer on
`shapes`, and the time from that click to the drawn map is measured: the untrained encoder
embeds the 1,000 shapes and UMAP maps them.

- no warm-up: the baseline, what a UMAP app does; the cache is marked warm by hand so the
  app starts no compilation, and numba compiles UMAP's functions on the first click.
- ours, at once: the app starts `python -m ssl_core warmup` in the background when it starts
  (app/state.py); the user clicks as soon as the demo data is ready.
- ours, warmed: the same, the user clicks once that warm-up has finished (its duration from
  the app's start is printed).

    .venv/bin/python bench/first_map.py

Wall seconds on a shared 2-core machine: the load average is printed with the table. The
last line is `ratio: X.XX`, the baseline's first map over ours once warmed.

Measured 2026-12-01 (load 8.7 on 2 cores, other work running): healthy in 1.2-3.4 s; first
map without warm-up 89.0 s, ours clicked at once 84.5 s (the warm-up had barely started),
ours once warmed 18.8 s; the warm-up, at low priority, took 486.5 s from the app's start at
that load; `ratio: 4.74`. Again with the machine quiet (load 1.3): no warm-up 49.7 s, ours
at once 44.9 s, ours warmed 12.0 s, the warm-up done 39.7 s after the app's start; `ratio: 4.14`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from serve import CHROMIUM, CHROMIUM_FLAGS, free_port, start_app  # bench/ is this script's folder

ROOT = Path(__file__).resolve().parents[1]
SLOW_MS = 600_000


def start(clone: Path, workspace: Path, cache: Path, log: Path) -> tuple[subprocess.Popen, str, float]:
    """The app of `clone` on a free port with `cache` as its numba cache: (process, URL,
    seconds until it answered its health check)."""
    port = free_port()
    began = time.monotonic()
    process = start_app(workspace, port, log, root=clone, env={"SSL_NUMBA_CACHE": str(cache)})
    return process, f"http://localhost:{port}", time.monotonic() - began


def marker(cache: Path) -> Path:
    from importlib.metadata import version

    return cache / f"warmed-umap-{version('umap-learn')}"  # ssl_core.numba_cache.warmed_marker's name


def first_map(browser, url: str, wait_for_warm: Path | None, started: float) -> tuple[float, float | None]:
    """(seconds from opening the Explorer to its drawn map, seconds from the app's start to
    the end of its warm-up when `wait_for_warm` is the marker to wait for)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_role("heading", name="Datasets").wait_for(timeout=SLOW_MS)  # demo data seeded
    warmed = None
    if wait_for_warm is not None:
        while not wait_for_warm.exists():
            time.sleep(0.5)
        warmed = time.monotonic() - started
    clicked = time.monotonic()
    page.goto(f"{url}/explorer?dataset=shapes")
    chart = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").first
    chart.locator(".scattergl, canvas").first.wait_for(state="attached", timeout=SLOW_MS)
    seconds = time.monotonic() - clicked
    page.close()
    return seconds, warmed


def main() -> None:
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory(prefix="first-map-") as tmp, sync_playwright() as playwright:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for name, warm_up, wait in (("no warm-up", False, False), ("ours, at once", True, False),
                                    ("ours, warmed", True, True)):
            cache = Path(tmp) / name.replace(" ", "").replace(",", "") / "numba"
            cache.mkdir(parents=True)
            if not warm_up:
                marker(cache).touch()  # the app then believes the cache warm and compiles nothing at start
            began = time.monotonic()
            process, url, healthy = start(clone, cache.parent / "workspace", cache, cache.parent / "app.log")
            try:
                seconds, warmed = first_map(browser, url, marker(cache) if wait else None, began)
            finally:
                process.terminate()
                process.wait(timeout=30)
            rows.append((name, healthy, warmed, seconds))
            print(f"{name}: first map {seconds:.1f} s", file=sys.stderr, flush=True)
        browser.close()
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"{'start':16}{'healthy s':>11}{'warm-up s':>11}{'first map s':>13}")
    for name, healthy, warmed, seconds in rows:
        print(f"{name:16}{healthy:>11.1f}{'-' if warmed is None else f'{warmed:.1f}':>11}{seconds:>13.1f}")
    print(f"ratio: {rows[0][3] / rows[2][3]:.2f}")


if __name__ == "__main__":
    main()
