"""One escaping rule (issue 13.5): hostile file names, dataset names and labels go through
every page (AppTest) and no link, image, directive or raw HTML comes out of them, neither
in Markdown-rendered text (markdown, captions, alerts, labels, help, progress text, image
captions, expander labels) nor in plotly legends, hovers, titles and axis labels.

A string counts when it carries a marker word of the hostile inputs (letters are never
escaped, so escaping keeps them). Markdown is judged twice, as Streamlit renders it
(measured in Chromium): with every backslash-escaped character taken out, no `](`, `<tag`
or `:red[` directive may remain; with them kept, no autolink (`www.`, `http:`, `a@b.c`) nor
`:material/...:` icon, which escapes do not stop. Plotly text, a subset of HTML, must hold
no tag but the `<extra>` of hover templates. HTML the app writes itself (st.html, where
Markdown is not rendered) must hold no link, bold, script or frame, no image but a data URI
and no event handler: escaped names stay text there."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from google.protobuf.json_format import MessageToDict
from PIL import Image
from streamlit.testing.v1 import AppTest

from app.widgets import escape_html, escape_markdown, escape_plotly
from ssl_core import embed, jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.evaluate.stored import evaluate
from ssl_core.store import Workspace
from tests.pages.conftest import open_page

DATASET = "[click me](http://x) ![t](http://x/t.png) <img src=x onerror=alert(1)>"
FILE = "[click me](javascript:alert(1)) ![t](t.png) <img src=x onerror=alert(1)> evil@www.evil.example"
LABELS = ("**bold** [click me](http://x) <b>onerror</b>", "<img src=x onerror=alert(1)> :red[evil] :material/home: ![t](x.png)")
MARKERS = ("click me", "onerror", "evil")
PAGES = ("data", "augment_lab", "train", "explorer", "retrieval", "evaluate", "concepts")
MARKDOWN_FIELDS = {"body", "label", "help", "caption", "text"}  # proto fields Streamlit renders as Markdown
ESCAPE_PAIR = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: a backslash before ASCII punctuation
LIVE_STRUCTURE = re.compile(r"\]\(|<[A-Za-z/!?]|:[a-z-]+\[")  # link or image, raw HTML, :red[...]
LIVE_ANYWAY = re.compile(r"(?i)www\.|\b(?:https?|mailto|xmpp|javascript):|[\w.+-]@[\w-]+\.\w|:material/\w+:")
LIVE_PLOTLY = re.compile(r"<(?!/?extra>)[A-Za-z/!]")


def png(colour: tuple[int, int, int], circle: bool) -> bytes:
    image = np.full((32, 32, 3), 255 - np.array(colour) // 2, np.uint8)
    yy, xx = np.mgrid[:32, :32]
    inside = (yy - 16) ** 2 + (xx - 16) ** 2 < 100 if circle else (abs(yy - 16) < 9) & (abs(xx - 16) < 9)
    image[inside] = colour
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG")
    return buffer.getvalue()


def hostile_files(count: int) -> tuple[list[tuple[str, bytes]], bytes]:
    """`count` images named FILE plus a number, and a labels CSV giving them LABELS."""
    rng = np.random.default_rng(0)
    files = [(f"{FILE} {i:02d}.png", png(tuple(int(c) for c in rng.integers(40, 255, 3)), i % 2 == 1))
             for i in range(count)]
    csv = "filename,label\n" + "".join(f'"{name}",{LABELS[i % 2]}\n' for i, (name, _) in enumerate(files))
    return files, csv.encode()


@pytest.fixture(scope="module")
def hostile_workspace(tmp_path_factory):
    """A workspace whose only dataset has a hostile name, file names and labels, one short
    SimCLR run on it and that run's evaluation report."""
    root = tmp_path_factory.mktemp("hostile") / "ws"
    ws = Workspace(root)
    ws.set_meta("demo_seeded", "1")
    files, labels_csv = hostile_files(128)  # the Explorer asks for at least 100
    ingest_uploads(ws, files, name=DATASET, size=32, labels_csv=labels_csv)
    run = jobs.create_run(ws, TrainConfig(dataset=DATASET, epochs=1, batch_size=32))
    assert jobs.work(ws, "cpu") == 1 and jobs.get_run(ws, run)["status"] == "completed"
    evaluate(ws, DATASET, embed.from_run(ws, run))
    return root


def markdown_texts(message: dict) -> list[str]:
    """Every string under a Markdown-rendered field of a proto (as a dict), at any depth."""
    found = []
    for key, value in message.items():
        if isinstance(value, dict):
            found += markdown_texts(value)
        elif isinstance(value, list):
            found += [t for v in value if isinstance(v, dict) for t in markdown_texts(v)]
            if key in MARKDOWN_FIELDS:
                found += [v for v in value if isinstance(v, str)]
        elif isinstance(value, str) and key in MARKDOWN_FIELDS:
            found.append(value)
    return found


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def shown_texts(at: AppTest) -> tuple[list[str], list[str]]:
    """(Markdown-rendered strings, plotly figure strings) of everything on the page but st.html."""
    markdown, plotly = [], []
    stack = [at._tree]
    while stack:
        node = stack.pop()
        stack += list(getattr(node, "children", {}).values())
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        message = MessageToDict(proto, preserving_proto_field_name=False)
        if "spec" in message and getattr(node, "type", "") == "plotly_chart":
            plotly += strings(json.loads(message["spec"]))
        elif getattr(node, "type", "") != "html":  # HTML the app writes: judged as HTML (live_html)
            markdown += markdown_texts(message)
    return markdown, plotly


def hostile(text: str) -> bool:
    return any(marker in text for marker in MARKERS)


def live_markdown(text: str) -> list[str]:
    return LIVE_STRUCTURE.findall(ESCAPE_PAIR.sub("", text)) + LIVE_ANYWAY.findall(ESCAPE_PAIR.sub(r"\1", text))


class _Elements(HTMLParser):
    """The start tags of an HTML text, with their attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def live_html(body: str) -> list[tuple[str, dict]]:
    """Elements of HTML the app wrote (st.html) that hostile text could have made: a link,
    script, bold or an image not from a data URI, or any element with an event handler."""
    parser = _Elements()
    parser.feed(body)
    return [(tag, attrs) for tag, attrs in parser.found
            if tag in ("a", "b", "script", "iframe") or any(name.startswith("on") for name in attrs)
            or (tag == "img" and not (attrs.get("src") or "").startswith("data:image/"))]


def assert_nothing_live(at: AppTest, page: str) -> int:
    """Assert, and return how many hostile strings were checked."""
    assert not at.exception, at.exception
    markdown, plotly = shown_texts(at)
    markdown, plotly = [t for t in markdown if hostile(t)], [t for t in plotly if hostile(t)]
    assert not [(t, live_markdown(t)) for t in markdown if live_markdown(t)], page
    assert not [t for t in plotly if LIVE_PLOTLY.search(t)], page
    html = [h.proto.body for h in at.get("html") if hostile(h.proto.body)]
    assert not [(body, live_html(body)) for body in html if live_html(body)], page
    return len(markdown) + len(plotly) + len(html)


def test_the_checks_catch_the_raw_names():
    for raw in (DATASET, FILE, *LABELS):
        assert live_markdown(raw) and not live_markdown(escape_markdown(raw))
        assert LIVE_PLOTLY.search(raw) and not LIVE_PLOTLY.search(escape_plotly(raw))
        assert live_html(f"<span>{raw}</span>") and not live_html(f"<span>{escape_html(raw)}</span>")
    breakout = '" onmouseover="alert(1)'  # out of a quoted attribute value
    assert live_html(f'<span title="{breakout}">') and not live_html(f'<span title="{escape_html(breakout)}">')


@pytest.mark.slow
def test_hostile_names_come_out_inert_on_every_page(hostile_workspace, monkeypatch):
    checked = {}
    for page in PAGES:
        at = open_page(hostile_workspace, f"../pages/{page}.py", monkeypatch)
        if page == "augment_lab":  # its only name is in the dataset picker: an own image that fails names itself
            at.file_uploader(key="lab_upload").set_value([(f"{FILE}.png", b"not an image", "image/png")]).run()
        checked[page] = assert_nothing_live(at, page)
    assert all(checked.values()), checked  # every page showed some hostile text


def test_hostile_import_report_comes_out_inert(tmp_path, monkeypatch):
    """The Data page's import: the report (success, warnings, rejected files) and, importing
    again under the same name, the error naming it."""
    Workspace(tmp_path / "ws").set_meta("demo_seeded", "1")
    files, _ = hostile_files(3)
    files += [files[0], (f"{FILE} broken.png", b"not an image")]  # a duplicate name, a rejected file
    at = open_page(tmp_path / "ws", "../pages/data.py", monkeypatch)
    for attempt in ("first", "again"):
        at.file_uploader[0].set_value([(name, data, "image/png") for name, data in files])
        at.text_input(key="data_upload_name").input(DATASET)
        at.run()  # the button is enabled once files are there
        [import_button] = [b for b in at.button if b.label == "Import upload"]
        at = import_button.click().run()
        assert (at.success and at.warning) if attempt == "first" else at.error
        assert assert_nothing_live(at, f"data import {attempt}")
