"""Workspaces the page tests share, each made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.widgets import VERDICT_BOXES, WAITING_ICON
from ssl_core import jobs
from ssl_core.data.ingest import ingest_builtin
from ssl_core.engine import TrainConfig
from ssl_core.store import Workspace


@pytest.fixture(scope="session")
def shapes_run(tmp_path_factory) -> tuple[Path, str]:
    """A workspace with the demo shapes (32 px, 2,000 images, labelled) and one finished
    short SimCLR run on them; the app will not seed more demo data. Returns (root, run id)."""
    root = tmp_path_factory.mktemp("shapes-run") / "ws"
    ws = Workspace(root)
    ingest_builtin(ws, "shapes", size=32)
    run = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=0.5))
    assert jobs.work(ws, "cpu") == 1 and jobs.get_run(ws, run)["status"] == "completed"
    ws.set_meta("demo_seeded", "1")
    return root, run


MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"


def open_page(root: Path, page: str, monkeypatch, timeout: float = 300, dataset: str | None = None) -> AppTest:
    """The app over workspace `root` (at `?dataset=` when given), switched to `page` (e.g.
    "../pages/explorer.py", as st.navigation names it), drawn without an exception."""
    monkeypatch.setenv("SSL_WORKSPACE", str(root))
    at = AppTest.from_file(str(MAIN), default_timeout=timeout)
    if dataset is not None:
        at.query_params["dataset"] = dataset
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


VERDICT_ICONS = {icon: colour for colour, (_, icon) in VERDICT_BOXES.items()} | {WAITING_ICON: "orange"}


def verdicts(at: AppTest) -> list[tuple[str, str]]:
    """(colour, sentence) of every verdict box on the page (app.widgets.verdict_box): green
    ones first, then orange, then red."""
    return [(VERDICT_ICONS[box.icon], box.value) for box in [*at.success, *at.warning, *at.error]
            if box.icon in VERDICT_ICONS]


def copy_of_shapes(ws: Workspace, name: str) -> None:
    """The shapes of `ws` imported again as dataset `name`: the same pictures and file names, no labels
    (walk 27's unlabelled folder and its labelled copy)."""
    from tests.app.test_sources_order import png_bytes

    from ssl_core.data.ingest import ingest_uploads

    shapes = ws.dataset("shapes")
    pictures = zip(ws.image_rows(shapes), ws.images(shapes))
    ingest_uploads(ws, [(row["name"], png_bytes(image)) for row, image in pictures], name=name, size=32)
