"""AppTest of the Lab on a text dataset: a sentence shown with BERT's masking, and fill in
the blank with a real mlm run's guesses (probabilities in order, at most 1 in all); a
sentence without [MASK] gets a warning, not an exception; SimCSE's two dropout views of a
batch as a similarity heatmap whose caption counts the rows led by their positive. The
Data page lists the sentences."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app.widgets import escape_markdown

from ssl_core import jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.store import Workspace
from ssl_core.data.text_ingest import load_texts
from ssl_core.text.fill import frequent_pieces
from ssl_core.text.tokenizer import SPECIAL_TOKENS, load_tokenizer

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"
LAB = "../pages/augment_lab.py"
SENTENCES = [f"the {a} {v} the {t}" for a in ("cat", "dog", "bird") for v in ("sees", "eats") for t in ("ball", "food")]
PRICED = "the **ball** costs $5 and the food $10"  # shown as written: no emphasis, no math


@pytest.fixture(scope="module")
def workspace_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("textlab") / "ws"
    ws = Workspace(root)
    ws.set_meta("demo_seeded", "1")  # no image demo: this workspace holds one text dataset
    ingest_uploads(ws, [("words.txt", "\n".join([*SENTENCES, PRICED]).encode())], name="words")
    run_id = jobs.create_run(ws, TrainConfig(dataset="words", method="mlm", encoder="text_transformer", epochs=1,
                                             batch_size=6, monitor_every=100, snapshot_every=0))
    assert jobs.execute(ws, run_id).status == "completed"
    return root


def test_the_lab_masks_a_sentence_and_fills_in_the_blank(workspace_dir, monkeypatch):
    monkeypatch.setenv("SSL_WORKSPACE", str(workspace_dir))
    at = AppTest.from_file(str(MAIN), default_timeout=120)
    at.query_params["dataset"] = "words"
    at.run()
    at.switch_page(LAB).run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == ["What masked prediction hides", "Fill in the blank",
                                              "Two dropout views of each sentence (SimCSE)"]
    heatmap = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    similarity = np.array(heatmap["z"])  # view a (rows) against view b (columns) of the untrained encoder
    assert similarity.shape == (8, 8) and not np.allclose(np.diag(similarity), 1)  # dropout made the views differ
    brightest = int((similarity.argmax(1) == np.arange(8)).sum())
    assert f"In {brightest} of 8 rows" in next(c.value for c in at.caption if "diagonal" in c.value)
    batch = next(t.value for t in at.table if "sentence" in t.value.columns)  # static: long sentences wrap whole
    assert len(batch) == 8 and set(batch["sentence"]) <= {*SENTENCES, escape_markdown(PRICED)}  # never emphasis
    at.slider(key="text_lab_ratio").set_value(0.5).run()
    chips = next(h.proto.body for h in at.get("html") if "<span" in h.proto.body)
    assert "<s>" in chips and "&rarr;" in chips and "Share hidden" in [s.label for s in at.slider]
    assert not [m for m in at.markdown if "<span" in m.value]  # drawn as HTML, never through markdown
    at.number_input(key="text_lab_row").set_value(len(SENTENCES)).run()
    chips = next(h.proto.body for h in at.get("html") if "<span" in h.proto.body)
    assert chips.count("$") >= 2 and chips.count("*") >= 4, chips  # each piece as written (a random one may add)
    blank = next(box for box in at.text_input if box.label == "A sentence with [MASK]")
    assert blank.value == "the cat [MASK] the ball"  # this dataset's first sentence, its longest word hidden
    blank.set_value("the [MASK] eats the [MASK]").run()
    assert not at.exception, at.exception
    tables = [d.value for d in at.dataframe if "guess" in d.value.columns]
    assert len(tables) == 2 and all(len(t) == 5 for t in tables)
    for table in tables:
        probabilities = list(table["probability"])
        assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1.0001
    ws = Workspace(workspace_dir)  # what a model of word frequencies alone guesses, what the guesses are read against
    tokenizer = load_tokenizer(jobs.run_dir(ws, jobs.list_runs(ws)[0]["id"]))
    pieces = tokenizer.get_vocab_size() - len(SPECIAL_TOKENS)
    said = next(c.value for c in at.caption if c.value.startswith("Each blank is guessed"))
    assert said.startswith(f"Each blank is guessed among the run's {pieces:,} word pieces\\. A model that learned only "
                           "how often each piece occurs in ")  # walk 19: 'the' 0.13 read against a random 0.0013
    common = frequent_pieces(tokenizer, load_texts(ws, ws.dataset("words")))
    assert common[0][0] == "the" and common[0][1] > 0.3  # two words in five of most sentences
    assert escape_markdown("would guess the same in every blank: " + ", ".join(
        f"'{piece}' {share:.3f}" for piece, share in common) + ";") in said
    assert said.endswith(escape_markdown(f"(At random, every piece would get {1 / pieces:.4f}.)"))
    next(box for box in at.text_input if box.label == "A sentence with [MASK]").set_value("no blank here").run()
    assert not at.exception and at.warning[0].value.startswith("The text has no \\[MASK\\]")
    at.switch_page("../pages/data.py").run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "text" in d.value.columns)
    assert list(table["text"])[:2] == SENTENCES[:2] and list(table["from"])[0] == "words.txt:1"
    at.switch_page("../pages/concepts.py").run()  # the ideas in words about sentences, maps of TF-IDF beside
    assert not at.exception, at.exception
    assert any("hide some of its words and guess them back" in m.value for m in at.markdown)
    assert "pictures" not in " ".join(m.value for m in at.markdown if m.value.startswith("Nobody labels"))
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]
    assert titles[:2] == ["PCA of TF-IDF", "k-means clusters of TF-IDF"]
    assert titles[2].startswith("UMAP of the trained encoder<br><sup>MLM") and len(titles) == 3
    assert any(c.value.startswith("PCA and k-means only rearrange the TF-IDF word weights: they group sentences "
                                  "that *share words*") for c in at.caption)
    # walk 35: 'trained ... to ignore which words were used, keeping what they say' beside TF-IDF's groups at 0.97
    # against its 0.29, and a UMAP beside two PCA maps, unsaid
    assert any("trained, by the puzzles, to guess a hidden word from the words around it and tell each sentence from "
               "the others; the third map shows what the chosen run made of these sentences, by UMAP, which draws "
               "groups further apart than PCA does" in c.value for c in at.caption)
    assert any("No labels; k-means was asked for 10 clusters of the TF-IDF word weights." in c.value
               for c in at.caption)
    assert ("words has no labels, so it has no such curve: without labels Evaluate cannot judge an encoder on "
            "sentences. Import labels with the sentences (a label column of its CSV or JSONL, or class folders in a "
            "zip, on the Data page), even a few, to draw it.") in [c.value for c in at.caption]  # a review: 'judges it'
    at.switch_page("../pages/evaluate.py").run()  # walk 35: told of 'a labels.csv', where a label column labels text
    assert not at.exception, at.exception
    assert at.warning[0].value == ("This dataset has no labels: only the label-free metrics can be computed. Labels "
                                   "come from a label column of its CSV or JSONL, or class folders in a zip at "
                                   "import (Data page).")
