"""`python -m ssl_core embed | project | search | export`, run as a user would."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from ssl_core.evaluate.cues import CUES, SCENE

ROOT = Path(__file__).resolve().parents[2]


def cli(ws, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SSL_WORKSPACE"}
    return subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(ws.root), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def test_embed_then_search_names_a_query_of_the_dataset_and_lists_k_others(trained, tmp_path):
    ws = trained.ws
    done = cli(ws, "embed", "--run", trained.run, "--dataset", "tiny")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["shape"][0] == 40 and Path(out["features"]).exists()
    assert "embedding" in done.stderr  # the progress bar
    row = ws.image_rows(ws.dataset("tiny"), offset=3, limit=1)[0]
    query = tmp_path / "query.png"
    Image.fromarray(np.asarray(ws.images(ws.dataset("tiny"))[3])).save(query)
    done = cli(ws, "search", "--run", trained.run, "--dataset", "tiny", "--query", str(query), "-k", "5")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    neighbours = found["neighbours"]  # walk 21: the query itself came first at 1.000, so -k 12 gave 11 others
    assert found["query_in_dataset"] == {"file": row["name"], "index": 3}
    assert len(neighbours) == 5 and 3 not in [n["index"] for n in neighbours]
    assert [n["score"] for n in neighbours] == sorted((n["score"] for n in neighbours), reverse=True)
    other = tmp_path / "other.png"  # a picture not in the dataset: nothing named, k neighbours
    Image.fromarray(255 - np.asarray(ws.images(ws.dataset("tiny"))[3])).save(other)
    done = cli(ws, "search", "--run", trained.run, "--dataset", "tiny", "--query", str(other), "-k", "5")
    assert json.loads(done.stdout)["query_in_dataset"] is None and len(json.loads(done.stdout)["neighbours"]) == 5


def test_search_with_a_bad_query_names_the_file_and_fails(trained, tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"nope")
    done = cli(trained.ws, "search", "--untrained", "--dataset", "tiny", "--query", str(bad))
    assert done.returncode == 1 and "bad.jpg" in done.stderr and "not a supported image" in done.stderr
    assert done.stdout == ""


def test_project_writes_a_csv_and_export_writes_every_part(trained, tmp_path):
    ws = trained.ws
    done = cli(ws, "project", "--untrained", "--dataset", "tiny", "--method", "pca", "--dims", "3",
               "--out", str(tmp_path / "map.csv"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["shape"] == [40, 3]
    written = pd.read_csv(tmp_path / "map.csv")
    assert list(written.columns) == ["x", "y", "z", "file", "label"]  # the label as export's map.csv has it
    assert sorted(set(written["label"])) == ["a", "b"] and written["file"][0].endswith("0.png")
    done = cli(ws, "export", "--run", trained.run, "--dataset", "tiny", "--out", str(tmp_path / "export"))
    assert done.returncode == 0, done.stderr
    files = {Path(f).name for f in json.loads(done.stdout)["files"]}
    assert {"encoder.safetensors", "load_encoder.py", "embeddings.parquet", "map.csv", "vectors.tsv",
            "metadata.tsv", "sprite.png"} <= files
    assert all((tmp_path / "export" / name).stat().st_size > 0 for name in files)


def test_a_run_or_untrained_is_required_and_unknown_parts_are_named(trained, tmp_path):
    done = cli(trained.ws, "embed", "--dataset", "tiny")
    assert done.returncode == 2 and "--run" in done.stderr
    done = cli(trained.ws, "export", "--untrained", "--dataset", "tiny", "--parts", "weights", "--out",
               str(tmp_path / "x"))
    assert done.returncode == 1 and "no export part 'weights'" in done.stderr
    assert not (tmp_path / "x").exists()
    done = cli(trained.ws, "export", "--untrained", "--dataset", "tiny", "--parts", " , ", "--out", str(tmp_path / "y"))
    assert done.returncode == 1 and "--parts names no part; choose from: encoder, " in done.stderr  # not files: []
    assert not (tmp_path / "y").exists()


def test_evaluate_prints_every_metric_and_keeps_the_report(trained):
    keys = {"knn_accuracy", "linear_probe_accuracy", "label_efficiency", "alignment", "uniformity", "effective_rank"}
    done = cli(trained.ws, "evaluate", "--run", trained.run, "--dataset", "tiny")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert keys <= set(report) and all(report[key] is not None for key in keys)
    assert 0 <= report["knn_accuracy"] <= 1 and report["source"]["run_id"] == trained.run
    assert report["verdict"] in ("learned", "not_yet", "worse_than_untrained") and report["verdict_text"]
    assert report["verdict_basis"]["metric"] == "knn_accuracy" and report["verdict_basis"]["images"] == 40
    assert report["knn_k"] == 16  # the default 20 capped at a class's 20 images less the 4 in the voter's fold
    shortcut = report["shortcut"]  # the cue it groups by (or none), in words, the fix, every cue's score
    assert shortcut["cue"] in {*CUES, SCENE, None} and shortcut["words"] and set(shortcut["scores"]) == set(CUES)
    assert (shortcut["fix"] is None) == (shortcut["cue"] is None)
    assert "evaluating" in done.stderr
    again = cli(trained.ws, "evaluate", "--run", trained.run, "--dataset", "tiny")
    assert json.loads(again.stdout) == report  # the kept report, not a new draw
    other_k = cli(trained.ws, "evaluate", "--untrained", "--image-size", "16", "--dataset", "tiny", "-k", "3")
    assert other_k.returncode == 0, other_k.stderr
    assert json.loads(other_k.stdout)["config"]["k"] == 3


def test_an_out_path_that_cannot_be_written_is_named_and_nothing_is_lost(trained, tmp_path):
    missing = tmp_path / "no" / "such" / "map.csv"
    done = cli(trained.ws, "project", "--untrained", "--dataset", "tiny", "--method", "pca", "--out", str(missing))
    assert done.returncode == 1 and f"{missing}: cannot write there" in done.stderr
    assert "Traceback" not in done.stderr and not missing.parent.exists()
    again = cli(trained.ws, "project", "--untrained", "--dataset", "tiny", "--method", "pca")
    assert again.returncode == 0 and json.loads(again.stdout)["shape"] == [40, 2]  # the cached map is intact


@pytest.mark.parametrize("damaged, cut", [("checkpoint.safetensors", 5000), ("checkpoint.json", 3)])
def test_a_damaged_checkpoint_is_named_in_one_line_not_a_traceback(trained, damaged, cut):
    """A cut-short checkpoint (a full disk, an interrupted copy): evaluate, export, search and advise
    name the file and point to doctor; safetensors' own error escaped as a traceback."""
    from ssl_core import jobs

    path = jobs.run_dir(trained.ws, trained.run) / damaged
    path.write_bytes(path.read_bytes()[:cut])
    for args in (["evaluate", "--dataset", "tiny", "--run", trained.run],
                 ["export", "--dataset", "tiny", "--run", trained.run, "--out", str(trained.ws.root.parent / "o")],
                 ["advise", "--run", trained.run]):
        done = cli(trained.ws, *args)
        assert done.returncode == 1 and "Traceback" not in done.stderr, (args, done.stderr)
        assert done.stderr.strip().endswith("`doctor` checks the workspace") and damaged in done.stderr, args


def test_a_damaged_images_file_is_named_with_its_dataset(trained):
    """A cut-short images.npy gave 'error: mmap length is greater than file size', naming nothing."""
    path = trained.ws.dataset_dir(trained.ws.dataset("tiny")) / "images.npy"
    path.write_bytes(path.read_bytes()[:1000])
    done = cli(trained.ws, "embed", "--dataset", "tiny", "--untrained")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: dataset 'tiny': its images.npy cannot be read (")
    assert done.stderr.strip().endswith("`doctor` checks the workspace")



def test_evaluate_says_how_many_neighbours_voted_when_k_asks_for_more_than_there_are(trained):
    done = cli(trained.ws, "evaluate", "--run", trained.run, "--dataset", "tiny", "-k", "1000")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["config"]["k"] == 1000 and report["knn_k"] == 16  # a class of 20, 4 of them in the voter's fold
