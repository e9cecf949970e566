"""embed refuses an encoder of another kind than its dataset (an image CNN read a text
dataset's token ids (N, 32) as one picture, gave one row of features, and the other rows of
features.npy were left uninitialised); a text encoder still embeds text."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from ssl_core import embed
from ssl_core.cli import main
from ssl_core.data.ingest import ingest_uploads

SENTENCES = [f"the {animal} sees the {thing}" for animal in ("cat", "dog", "bird") for thing in ("ball", "tree")]


@pytest.fixture
def texts(workspace):
    """`workspace` with a text dataset "txt" of six sentences."""
    ingest_uploads(workspace, [("a.txt", "\n".join(SENTENCES).encode())], name="txt")
    return workspace


@pytest.mark.parametrize("source", [embed.untrained("small_cnn", 32),
                                    embed.EncoderSource("small_cnn", 16, run_id="run-image")])
def test_an_image_encoder_is_refused_on_a_text_dataset_naming_the_text_encoders(texts, source):
    with pytest.raises(ValueError, match=r"'small_cnn' reads image datasets and 'txt' is a text dataset.*"
                                         r"text_transformer"):
        embed.embed(texts, "txt", source)
    assert not (texts.dataset_dir(texts.dataset("txt")) / embed.EMBEDDINGS).exists(), "no features were stored"


def test_the_cli_says_why_and_exits_1(texts, capsys):
    assert main(["--workspace", str(texts.root), "embed", "--dataset", "txt", "--untrained",
                 "--encoder", "small_cnn"]) == 1
    assert "text_transformer" in capsys.readouterr().err


def test_the_cli_s_untrained_encoder_follows_the_dataset_s_kind(texts, capsys):
    assert main(["--workspace", str(texts.root), "embed", "--dataset", "txt", "--untrained"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["source"] == "untrained text_transformer" and out["shape"] == [len(SENTENCES), 128]


def test_a_text_encoder_embeds_the_text_dataset(texts):
    features = embed.embed(texts, "txt", embed.untrained("text_transformer")).features
    assert features.shape[0] == len(SENTENCES) and np.isfinite(features).all()


def test_an_encoder_giving_fewer_rows_than_items_is_refused():
    one_row = torch.nn.Sequential(torch.nn.Flatten(0), torch.nn.Unflatten(0, (1, -1)))  # (N, 3, s, s) -> (1, N*3*s*s)
    images = np.zeros((4, 8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match="1 feature rows for 4 items"):
        embed.compute_features(one_row, images, 8)


def test_evaluate_names_the_encoder_asked_for_not_its_twin_on_labelled_text(workspace):
    """Labelled text: Evaluate fitted the untrained twin's baseline first, and the refusal
    named "untrained small_cnn" instead of the run asked for."""
    files = [(f"{'ab'[i % 2]}/{i}.txt", SENTENCES[i].encode()) for i in range(len(SENTENCES))]
    ingest_uploads(workspace, files, name="labelled")
    from ssl_core.evaluate.report import report

    with pytest.raises(ValueError, match=r"^run-image: encoder 'small_cnn' reads image datasets"):
        report(workspace, "labelled", embed.EncoderSource("small_cnn", 16, run_id="run-image"))
