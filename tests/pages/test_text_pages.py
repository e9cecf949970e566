"""AppTests of the pages that judge and search a text run (issue 16): the Explorer maps
sentences (hover shows each one, escaped) beside the untrained twin's map; Retrieval finds
a typed sentence's nearest sentences for the run and its twin (a sentence of the dataset
finds itself first, at cosine 1); Evaluate judges the run with a TF-IDF baseline curve
and no shortcut check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.maps import PCA_NOTE
from app.widgets import escape_markdown

from tests.pages.conftest import open_page
from tests.ssl_core.evaluate.test_evaluate_text import ROWS, csv_bytes

from ssl_core import jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.store import Workspace

HOSTILE = ("<b>bold</b> <a href='x'>link</a> cat", "pets")  # must hover as text, not HTML


@pytest.fixture(scope="module")
def text_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("textpages") / "ws"
    ws = Workspace(root)
    ws.set_meta("demo_seeded", "1")
    ingest_uploads(ws, [("topics.csv", csv_bytes([*ROWS, HOSTILE]))], name="topics")
    run_id = jobs.create_run(ws, TrainConfig(dataset="topics", method="mlm", encoder="text_transformer", epochs=1,
                                             batch_size=12, monitor_every=100, snapshot_every=0))
    assert jobs.execute(ws, run_id).status == "completed"
    return root


def open_text_page(root: Path, page: str, monkeypatch) -> AppTest:
    return open_page(root, page, monkeypatch, dataset="topics")


def test_explorer_maps_sentences_beside_the_untrained_twin(text_root, monkeypatch):
    at = open_text_page(text_root, "../pages/explorer.py", monkeypatch)
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert len(charts) == 2 and charts[0]["layout"]["title"]["text"].startswith("Before training")
    hovers = [text for trace in charts[1]["data"] for text in trace["hovertext"]]
    assert len(hovers) == len(ROWS) + 1 and any(ROWS[0][0] in h for h in hovers)
    assert any("&lt;b&gt;bold&lt;/b&gt;" in h for h in hovers) and not any("<b>" in h for h in hovers)
    assert sorted(trace["name"] for trace in charts[1]["data"]) == ["food", "pets", "weather"]
    at.segmented_control(key="explore_text_method").set_value("pca").run()
    assert not at.exception and PCA_NOTE in [c.value for c in at.caption]


def test_explorer_exports_a_text_run_s_vectors_with_their_sentences(text_root, monkeypatch):
    """A stranger found no Export under a text run's maps: the page stopped after them."""
    import io
    import zipfile

    at = open_text_page(text_root, "../pages/explorer.py", monkeypatch)
    assert "Export" in [s.value for s in at.subheader]
    at.multiselect(key="explore_export_parts").set_value(["embeddings", "projector"]).run()
    at.button[[b.label for b in at.button].index("Prepare the download")].click().run()
    assert not at.exception, at.exception
    from ssl_core import embed

    ws = Workspace(text_root)
    run = jobs.list_runs(ws)[0]["id"]
    made = embed.cached(ws, ws.dataset("topics"), embed.from_run(ws, run)).made
    files = zipfile.ZipFile(io.BytesIO(at.session_state[
        f"explore_export_{ws.dataset('topics').id}_{run}_{made}_embeddings-projector"]))
    assert {"embeddings.npy", "vectors.tsv", "metadata.tsv"} <= set(files.namelist())
    assert "sprite.png" not in files.namelist() and ROWS[0][0] in files.read("metadata.tsv").decode()


def test_retrieval_finds_a_typed_sentence_for_the_run_and_its_twin(text_root, monkeypatch):
    at = open_text_page(text_root, "../pages/retrieval.py", monkeypatch)
    at.number_input(key="retrieval_k").set_value(3).run()
    box = next(box for box in at.text_input if box.label == "A sentence to search for")
    assert box.value == ROWS[0][0]  # this dataset's first sentence, not the docstrings demo's example
    box.set_value(ROWS[4][0]).run()
    assert not at.exception, at.exception
    tables = [frame.value for frame in at.table]  # static tables: a long sentence wraps, not cut at the edge
    assert len(tables) == 2 and all(len(table) == 3 for table in tables)
    for table in tables:  # walk 35: a sentence of the dataset, its own nearest, left out as a dataset image is
        scores = [float(score) for score in table["score"]]
        assert escape_markdown(ROWS[4][0]) not in list(table["sentence"]) and scores[0] < 1 - 1e-3
        assert scores == sorted(scores, reverse=True)
    topic = ROWS[4][1]  # the query is the dataset's own labelled sentence: its label is counted, itself left out
    shared = [m.value for m in at.markdown if "share the query's label" in m.value]
    assert len(shared) == 2 and all(m.endswith(f"of 3** share the query's label ({topic}), the query itself left out")
                                    for m in shared)
    assert sum(c.value.startswith("By chance: about ") for c in at.caption) == 2
    box.set_value("a sentence that is not in the dataset").run()
    assert not [m for m in at.markdown if "share the query's label" in m.value]  # no label to share
    mixes = [c.value for c in at.caption if c.value.startswith("Labels of these 3: ")]
    assert len(mixes) == 2 and all(sum(int(part.rsplit(" ", 1)[1]) for part in mix[len("Labels of these 3: "):-1]
                                       .split(", ")) == 3 for mix in mixes)


def test_retrieval_says_which_words_of_the_query_no_sentence_holds(text_root, monkeypatch):
    """A query of made-up words found neighbours at ordinary scores, without a word on it."""
    at = open_text_page(text_root, "../pages/retrieval.py", monkeypatch)
    box = next(box for box in at.text_input if box.label == "A sentence to search for")
    assert not at.warning and not [c for c in at.caption if "in none of" in c.value]  # the dataset's own sentence
    box.set_value("Zorblax quimble, 42!").run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [
        f"No word of the query occurs in this dataset's {len(ROWS) + 1} sentences ('zorblax' and 'quimble'). "
        "A run's encoder sees a word it never read only as the pieces it is spelled with, so neighbours found for it follow "
        "its spelling, not a meaning learned from the sentences."]
    box.set_value(f"the zorblax {ROWS[0][0].split()[1]}").run()
    assert not at.warning
    assert [c.value for c in at.caption if "in none of" in c.value][0].startswith(
        f"1 of the query's 3 words occurs in none of this dataset's {len(ROWS) + 1} sentences ('zorblax').")


def test_evaluate_judges_a_text_run_against_tfidf(text_root, monkeypatch):
    at = open_text_page(text_root, "../pages/evaluate.py", monkeypatch)
    next(b for b in at.button if b.label.startswith("Evaluate 1 encoder")).click().run()
    assert not at.exception, at.exception
    assert "Shortcut check" not in [s.value for s in at.subheader]
    assert any(c.value.startswith("Shortcut check: does not apply to text") for c in at.caption)  # not "not checked"
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    curves = next(f["data"] for f in figures if f["layout"]["title"]["text"].startswith("Label efficiency"))
    assert {trace["name"] for trace in curves} == {"MLM · batch 12 · 1 epoch", "untrained text_transformer", "TF-IDF"}
    said = next(c.value for c in at.caption if c.value.startswith("Accuracy when only a few labels"))
    assert "above TF-IDF and the untrained encoder." in said and said.endswith("labelled examples.")
    assert "raw pixels" not in said and "from scratch" not in said and "images" not in said
    assert next(m.value for m in at.markdown if m.value.startswith("MLM")).endswith(r"held\-out examples\.")


def test_a_text_run_without_labels_charts_its_neighbours_against_tfidf_not_pixels(tmp_path, monkeypatch):
    """Without labels the engine compares a text run's neighbours with TF-IDF's (text/kind.py):
    the chart says so, not 'raw pixels and colour'."""
    ws = Workspace(tmp_path / "ws")
    ws.set_meta("demo_seeded", "1")
    sentences = "".join(f"{text}\n" for text, _ in ROWS).encode()
    ingest_uploads(ws, [("plain.txt", sentences)], name="plain")
    before = open_page(ws.root, "../pages/train.py", monkeypatch, dataset="plain")  # the form's text defaults
    assert [i.value for i in before.info] == [
        "No runs yet. The form starts at the defaults (mlm_simcse with text_transformer, 5 minutes); once it runs, "
        "the verdict beside it says whether it learned something on this data."]
    assert "With the recipe's default settings; the Lab shows them on a sentence." in [c.value for c in before.caption]
    run_id = jobs.create_run(ws, TrainConfig(dataset="plain", method="mlm", encoder="text_transformer", epochs=1,
                                             batch_size=12, monitor_every=1, snapshot_every=0))
    assert jobs.execute(ws, run_id).status == "completed"
    at = open_page(ws.root, "../pages/train.py", monkeypatch, dataset="plain")
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]
    assert "Neighbours shared with TF-IDF word weights (lower: grouped by more than TF-IDF word weights)" in titles
    assert not any("pixels" in title for title in titles)
    advice = next(c.value for c in at.caption if c.value.startswith("No advice"))  # under the run's own name
    assert advice.startswith(r"No advice: the run trained on text \(the dataset plain\)") and run_id not in advice
    explorer = open_page(ws.root, "../pages/explorer.py", monkeypatch, dataset="plain")
    hint = next(c.value for c in explorer.caption if c.value.startswith("Hover a dot to read its sentence."))
    assert hint.endswith("This dataset has no labels: every dot has one colour.") and "hidden labels" not in hint


def test_concepts_set_the_runs_map_beside_tfidf_and_score_both_against_the_labels(text_root, monkeypatch):
    at = open_text_page(text_root, "../pages/concepts.py", monkeypatch)
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 3
    said = next(c.value for c in at.caption if "adjusted Rand index" in c.value)
    assert said.startswith("3 label classes; k-means was asked for 3 clusters. Against the labels, the k-means groups of the "
                           "TF-IDF word weights score an adjusted Rand index of ")
    assert "raw pixels" not in said and "pictures" not in said
