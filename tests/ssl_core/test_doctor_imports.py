"""`doctor --repair` and imports: an imported embedding set's vectors that do not verify are
reported and kept (nothing can compute them again), never removed as a derived artefact;
a deleted encoder's cached features and a killed import's temporary folder are removed; an
embedding set whose dataset is gone (a crash in the dataset's delete) is removed, its
vectors having gone with the dataset."""

from __future__ import annotations

import json
import shutil

import numpy as np

from ssl_core.cli import main
from ssl_core.data.ingest import ingest_uploads
from ssl_core.imports.embeddings import import_embeddings
from ssl_core.store import TMP_PREFIX, atomic_write_json
from tests.ssl_core.test_doctor import dead_pid


def test_doctor_repair_keeps_an_embedding_sets_vectors_and_removes_what_is_derived(workspace, make, tmp_path,
                                                                                     capsys):
    ws = workspace
    for name in ("tiny", "gone"):
        ingest_uploads(ws, [(f"{i}.png", make.noise((8, 8), seed=i)) for i in range(4)], name=name, size=8)
        np.save(tmp_path / "vecs.npy", np.arange(12.0).reshape(4, 3))
        import_embeddings(ws, name, f"vecs-{name}", tmp_path / "vecs.npy")
    left_behind = tmp_path / "vecs-gone"  # as a crash between the delete's commit and the removal of its sets leaves it
    shutil.copytree(ws.root / "encoders" / "vecs-gone", left_behind)
    ws.delete_dataset("gone")
    shutil.copytree(left_behind, ws.root / "encoders" / "vecs-gone")
    vectors = ws.dataset_dir(ws.dataset("tiny")) / "embeddings" / "imported-vecs-tiny"
    meta = json.loads((vectors / "embedding.json").read_text())
    atomic_write_json(vectors / "embedding.json", {**meta, "shape": [5, 3]})  # no longer matches features.npy
    deleted_encoder = vectors.parent / "imported-r50"  # features of an encoder import deleted since
    deleted_encoder.mkdir()
    np.save(deleted_encoder / "features.npy", np.ones((4, 2), np.float32))
    atomic_write_json(deleted_encoder / "embedding.json",
                      {"fingerprint": {"encoder": "timm:resnet50"}, "shape": [4, 2]})
    killed = ws.root / "encoders" / f"{TMP_PREFIX}{dead_pid()}-abc"
    killed.mkdir()

    assert main(["--workspace", str(ws.root), "doctor", "--repair"]) == 1  # not ok: the vectors are not fixable
    result = json.loads(capsys.readouterr().out)
    assert {r["where"] for r in result["repaired"]} == {str(deleted_encoder.relative_to(ws.root)),
                                                       str(killed.relative_to(ws.root)), "encoders/vecs-gone"}
    left = {p["where"]: p for p in result["problems"]}
    kept = left[str(vectors.relative_to(ws.root))]
    assert kept["check"] == "imports" and kept["repair"] is None and "cannot be computed again" in kept["detail"]
    assert np.load(vectors / "features.npy").tolist() == np.arange(12.0).reshape(4, 3).tolist()
    assert "encoders/vecs-gone" not in left  # its vectors went with its dataset: nothing is lost by removing it
    assert not deleted_encoder.exists() and not killed.exists() and not (ws.root / "encoders" / "vecs-gone").exists()
