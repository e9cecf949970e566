"""The demo datasets are imported on first start in a thread of their own, not in the page's
script run: a click elsewhere during the first start stopped that run and the import began
again (measured: shapes at 1,118 of 2,000 went back to 318). The import finishes without any
page waiting on it, once per workspace; a failure is kept for the page to say."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from app import state
from app.state import DEMO_DATASETS, DEMO_SEEDED, DemoSeeding
from ssl_core.data.ingest import ingest_builtin
from ssl_core.store import Workspace
from tests.pages.conftest import MAIN


def test_the_import_finishes_in_its_own_thread_once_per_workspace(tmp_path):
    ws = Workspace(tmp_path / "ws")
    seeding = DemoSeeding(ws)
    assert seeding.thread.name == "demo-seed" and seeding.thread.daemon
    seeding.thread.join(120)  # no page waits on it
    assert seeding.failure is None and ws.get_meta(DEMO_SEEDED) == "1"
    assert sorted(d.name for d in ws.datasets()) == sorted(DEMO_DATASETS)
    assert seeding.doing == ("docstrings", seeding.doing[2], seeding.doing[2]) and seeding.doing[2] > 0
    ws.delete_dataset("digits")
    again = DemoSeeding(ws)  # a second process, or a restart: seeded, so nothing comes back
    again.thread.join(60)
    assert sorted(d.name for d in ws.datasets()) == ["docstrings", "shapes"]


def test_a_failure_is_kept_for_the_page_and_leaves_the_workspace_unseeded(tmp_path, monkeypatch):
    def broken(ws, name, progress):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state, "ingest_builtin", broken)
    ws = Workspace(tmp_path / "ws")
    seeding = DemoSeeding(ws)
    seeding.thread.join(60)
    assert seeding.failure == "OSError: [Errno 28] No space left on device"
    assert ws.get_meta(DEMO_SEEDED) is None and ws.datasets() == []


def test_the_page_waits_on_the_import_and_says_why_it_failed(tmp_path, monkeypatch):
    def broken(ws, name, progress):
        progress(3, 10)
        time.sleep(1)  # a moment's work, as a real import takes: failing at once, it could end before the page
        raise OSError(28, "No space left on device")  # looked (a CI run saw no status box, the thread already done)

    monkeypatch.setattr(state, "ingest_builtin", broken)
    monkeypatch.setenv("SSL_WORKSPACE", str(tmp_path / "ws"))
    at = AppTest.from_file(str(MAIN), default_timeout=120).run()
    assert not at.exception and [s.label for s in at.status] == ["Demo datasets not prepared"]
    said = at.error[0].value  # markdown-escaped
    assert said.startswith("The demo datasets could not be prepared: OSError") and "No space left on device. " in said
    assert said.endswith("Import your own pictures on the Data page.")
    assert at.title[0].value == "Data"  # the page still drawn
    monkeypatch.setattr(state, "ingest_builtin", ingest_builtin)  # the disk freed: the next page run tries again
    at.run()
    assert not at.exception and not at.error and Workspace(tmp_path / "ws").get_meta(DEMO_SEEDED) == "1"
