"""In a real browser, on an app of its own (37 labelled sentences and a 3-step mlm run, no
demo data): Retrieval takes a typed sentence and lists its nearest sentences for the run
and its untrained twin (the dataset's own sentence left out, as a dataset image is), and the Explorer's
sentence map draws with one legend entry per label. Screenshots are kept."""

from __future__ import annotations

import pytest

from ssl_core import jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.store import Workspace
from tests.e2e.conftest import running_app, tab
from tests.ssl_core.evaluate.test_evaluate_text import ROWS, TOPICS, csv_bytes

pytestmark = pytest.mark.e2e

SLOW = 120_000  # ms: the first embedding and UMAP of the process


@pytest.fixture(scope="module")
def text_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("text-e2e")
    ws = Workspace(root / "ws")
    ingest_uploads(ws, [("topics.csv", csv_bytes(ROWS))], name="topics")
    ws.set_meta("demo_seeded", "1")
    run_id = jobs.create_run(ws, TrainConfig(dataset="topics", method="mlm", encoder="text_transformer", epochs=1,
                                             batch_size=12, monitor_every=100, snapshot_every=0))
    assert jobs.execute(ws, run_id).status == "completed"
    with running_app(ws.root, root) as url:
        yield url


def test_a_typed_sentence_finds_its_neighbours_and_the_sentence_map_draws(browser, request, text_app, screenshot):
    with tab(browser, request) as page:  # a tab on this test's own app (conftest's `page` opens the shared one)
        page.set_default_timeout(SLOW)
        page.goto(f"{text_app}/retrieval?dataset=topics")
        box = page.get_by_label("A sentence to search for", exact=True).and_(page.get_by_test_id("stTextInputField"))
        query, topic = ROWS[20]  # of another topic than the first sentence, the box's own
        box.fill(query)
        box.press("Enter")
        tables = page.locator("[data-testid='stTable']")  # static tables: a long sentence wraps whole
        page.get_by_text("untrained text_transformer").first.wait_for()
        page.wait_for_function("""([sentence, topic]) => {  // both tables of this query's neighbours, itself left out
            const tables = [...document.querySelectorAll("[data-testid='stTable']")];
            const said = [...document.querySelectorAll("[data-testid='stMarkdown']")].filter(
                m => m.textContent.includes(`share the query's label (${topic}), the query itself left out`));
            return tables.length == 2 && said.length == 2 && tables.every(t => t.querySelectorAll("tbody tr").length
                && ![...t.querySelectorAll("tbody tr td:nth-child(3)")].some(td => td.textContent.trim() == sentence));
        }""", arg=[query, topic])
        for table in (tables.nth(0), tables.nth(1)):  # score, label, sentence per row; walk 35: the query left out
            cells = [cell.strip() for cell in table.locator("tbody tr").first.locator("td").all_inner_texts()]
            assert float(cells[0]) < 0.999 and cells[2] != query
        screenshot(page, "retrieval-text")
        assert not page.locator("[data-testid='stException']").count()
        page.goto(f"{text_app}/explorer?dataset=topics")
        page.locator(".js-plotly-plot").nth(1).wait_for()
        legend = page.locator(".js-plotly-plot").nth(1).locator(".legendtext")
        legend.first.wait_for()
        assert sorted(legend.all_text_contents()) == sorted(TOPICS)
        screenshot(page, "explorer-text")
        assert not page.locator("[data-testid='stException']").count()
