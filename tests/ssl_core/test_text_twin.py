"""A text run trained at another size than the encoder's defaults (TrainConfig.encoder_options):
its checkpoint keeps the size, its untrained twin is built at the same size (its own key,
label and tokenizer of as many pieces), and both embed the dataset. The same run (no
labels) is judged in a text run's words: `advise` says in one line that no rule is
calibrated on text, and the verdict does not judge it without labels."""

from __future__ import annotations

import json

import pytest

from ssl_core import embed, jobs
from ssl_core.cli import main
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.evaluate.verdict import from_metrics
from ssl_core.store import Workspace

SENTENCES = [f"the {animal} {verb} the {thing}" for animal in ("cat", "dog", "bird", "fish")
             for verb in ("sees", "likes", "eats") for thing in ("ball", "tree", "food")]
SMALL = {"width": 32, "layers": 1, "heads": 2, "vocab_size": 64}


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> tuple[Workspace, str]:
    ws = Workspace(tmp_path_factory.mktemp("twin") / "ws")
    ingest_uploads(ws, [("a.txt", "\n".join(SENTENCES).encode())], name="tiny")
    config = TrainConfig(dataset="tiny", method="simcse", encoder="text_transformer", epochs=1, batch_size=12,
                         monitor_every=1, checkpoint_every=100, snapshot_every=0, encoder_options=SMALL)
    run_id = jobs.create_run(ws, config)
    assert jobs.execute(ws, run_id).status == "completed"
    return ws, run_id


def test_the_twin_of_a_small_text_run_is_built_at_its_size(small_run):
    ws, run_id = small_run
    run = embed.from_run(ws, run_id)
    assert dict(run.shape) == SMALL
    twin = embed.baseline_of(run)
    default_twin = embed.untrained("text_transformer", run.image_size)
    assert twin.key != default_twin.key and twin.label.startswith("untrained text_transformer (")
    assert embed.load_encoder(ws, twin).num_features == 32
    trained = embed.embed(ws, "tiny", run).features
    untrained = embed.embed(ws, "tiny", twin).features
    assert trained.shape == untrained.shape == (len(SENTENCES), 32)
    assert embed.embed(ws, "tiny", default_twin).features.shape == (len(SENTENCES), 128)


def test_a_text_run_is_advised_in_one_line_and_judged_in_its_words(small_run, capsys):
    ws, run_id = small_run
    capsys.readouterr()
    assert main(["--workspace", str(ws.root), "advise", "--run", run_id]) == 0  # walk 19: it exited 1 with "error:"
    told = capsys.readouterr()
    err = told.err.strip()
    assert json.loads(told.out) == [] and len(err.splitlines()) == 1 and err.startswith("No advice: the run trained on")
    assert "no advice for a text run" in err and "Traceback" not in err
    verdict = jobs.run_verdict(ws, run_id).text
    assert verdict.startswith("Not judged") and "image" not in verdict.replace("only images have", "")
    labelled = from_metrics({"probe_size": 36, "knn_accuracy": 0.9, "knn_untrained": 0.5}, 3, unit="examples")
    assert "36 labelled examples" in labelled.text
