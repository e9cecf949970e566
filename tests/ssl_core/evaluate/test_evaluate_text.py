"""`evaluate` on a text dataset: the same JSON keys as images, a TF-IDF baseline curve
where images have raw pixels (and no network from scratch, no shortcut check), positive
pairs by masking, the verdict against the untrained twin with labels and none without."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ssl_core import jobs
from ssl_core.cli import main
from ssl_core.data.ingest import ingest_uploads
from ssl_core.embed import from_run
from ssl_core.engine import TrainConfig
from ssl_core.evaluate.report import EvaluateConfig, report
from ssl_core.evaluate.verdict import LEARNED, NOT_YET, WORSE
from ssl_core.text.evaluation import tfidf

TOPICS = {"pets": ("cat", "dog", "puppy", "kitten", "at home"), "food": ("bread", "soup", "apple", "cheese", "on a plate"),
          "weather": ("rain", "snow", "wind", "storm", "in the sky")}
ROWS = [(f"the {word} {verb} {words[-1]}", topic) for topic, words in TOPICS.items() for word in words[:-1]
        for verb in ("is", "came", "was")]
SMALL = EvaluateConfig(fractions=(0.1, 1.0), draws=2, sample=30)


def csv_bytes(rows) -> bytes:
    return ("text,label\n" + "".join(f"{text},{label}\n" for text, label in rows)).encode()


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    from ssl_core.store import Workspace

    ws = Workspace(tmp_path_factory.mktemp("evaltext") / "ws")
    ingest_uploads(ws, [("topics.csv", csv_bytes(ROWS))], name="topics")
    run_id = jobs.create_run(ws, TrainConfig(dataset="topics", method="simcse", encoder="text_transformer",
                                             epochs=1, batch_size=12, monitor_every=100, snapshot_every=0))
    assert jobs.execute(ws, run_id).status == "completed"
    return ws, run_id


def test_tfidf_rows_are_the_words_of_each_sentence():
    rows = tfidf(["the cat sat", "the dog sat", "a cat"])
    assert rows.shape == (3, 4) and rows.dtype.name == "float32"  # the, cat, sat, dog
    assert (abs((rows**2).sum(1) - 1) < 1e-5).all()  # L2-normalised
    assert (rows[0] > 0).sum() == 3 and (rows[2] > 0).sum() == 1  # 'a' is no token (one letter)
    assert tfidf(["the cat sat", "the dog sat", "a cat"], words=2).shape == (3, 2)  # the most frequent only


def test_cli_evaluate_on_text_gives_the_image_keys_and_a_tfidf_curve(text_run, capsys):
    ws, run_id = text_run
    capsys.readouterr()
    assert main(["--workspace", str(ws.root), "evaluate", "--dataset", "topics", "--run", run_id]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] in (LEARNED, NOT_YET, WORSE) and f"{len(ROWS)} labelled examples" in out["verdict_text"]
    assert out["verdict_basis"]["metric"] == "knn_accuracy" and out["verdict_basis"]["images"] == len(ROWS)
    assert out["shortcut"] is None and out["labelled"] == len(ROWS) == out["images"]
    assert out["alignment"] > 0 and 0 <= out["neighbour_stability"] <= 1  # two maskings move the features
    curves = out["label_efficiency"]["curves"]
    assert list(curves) == [run_id, "untrained text_transformer", "TF-IDF"]
    assert out["label_efficiency"]["supervised"] is None
    assert curves["TF-IDF"][-1]["mean"] >= 0.9  # each topic has its own words: a bag of words separates them
    assert sorted(out["confusion"]["classes"]) == sorted(TOPICS)


def test_text_without_labels_is_not_judged(text_run):
    ws, run_id = text_run
    ingest_uploads(ws, [("plain.txt", "\n".join(text for text, _ in ROWS).encode())], name="plain")
    out = report(ws, "plain", from_run(ws, run_id), config=SMALL)
    assert out["knn_accuracy"] is None and out["label_efficiency"] is None
    assert out["verdict"] == NOT_YET and out["verdict_text"].startswith("Not judged") and out["verdict_basis"] is None


def test_text_with_too_few_labels_is_not_judged_for_that_reason(text_run):
    ws, run_id = text_run
    rows = [(text, "pets" if i < 3 else f"only{i}") for i, (text, _) in enumerate(ROWS[:8])]
    ingest_uploads(ws, [("few.csv", csv_bytes(rows))], name="few")
    out = report(ws, "few", from_run(ws, run_id), config=SMALL)
    assert out["verdict"] == NOT_YET and out["verdict_basis"] is None and out["knn_accuracy"] is None
    said = out["verdict_text"]
    assert said.startswith("Not judged") and "add a label column" not in said
    assert "8 labelled examples in 6 classes, 1 with two or more" in said


def test_random_vectors_imported_for_text_score_below_tfidf_in_words_of_scores_not_training(text_run, tmp_path):
    """It said 'Worse than TF-IDF ... training lost more than the ...': nothing was trained."""
    from ssl_core.embed import from_name
    from ssl_core.imports.embeddings import import_embeddings

    ws, _ = text_run
    np.save(tmp_path / "noise.npy", np.random.default_rng(0).standard_normal((len(ROWS), 16)).astype(np.float32))
    import_embeddings(ws, "topics", "noise", tmp_path / "noise.npy")
    out = report(ws, "topics", from_name(ws, "noise"), config=SMALL)
    assert out["verdict"] == WORSE and out["verdict_text"].startswith("Scores below TF-IDF: kNN accuracy")
    assert "train" not in out["verdict_text"].lower() and "learn" not in out["verdict_text"].lower()
