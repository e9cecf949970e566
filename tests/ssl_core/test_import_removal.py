"""Deleting an import (`delete-import NAME`, the Data page's import table): its folder and
every dataset's cached embedding of it go; an embedding set's vectors go with it; refused,
naming the run and touching nothing, while a run started from it (`--init`) is queued.
Deleting or replacing a dataset takes its embedding sets with it, name and folder."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
import timm
from safetensors.torch import save_file

from ssl_core import embed, jobs
from ssl_core.cli import main
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.imports import registry
from ssl_core.imports.embeddings import import_embeddings
from ssl_core.imports.encoders import import_encoder
from ssl_core.store import Workspace


@pytest.fixture
def ws(workspace, make, tmp_path) -> Workspace:
    """Dataset "tiny" (4 noise images, 16 px) with timm resnet10t imported as "r10" (16 px,
    embedded once) and embedding set "vecs"."""
    ingest_uploads(workspace, [(f"{i}.png", make.noise((16, 16), seed=i)) for i in range(4)], name="tiny", size=16)
    model = timm.create_model("resnet10t", num_classes=0)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "r10.safetensors"))
    import_encoder(workspace, "r10", "timm:resnet10t", tmp_path / "r10.safetensors", image_size=16)
    embed.embed(workspace, "tiny", embed.from_name(workspace, "r10"))
    np.save(tmp_path / "vecs.npy", np.ones((4, 3)))
    import_embeddings(workspace, "tiny", "vecs", tmp_path / "vecs.npy")
    return workspace


def test_delete_import_takes_its_folder_and_cached_embeddings(ws, capsys):
    embeddings = ws.dataset_dir(ws.dataset("tiny")) / "embeddings"
    assert (embeddings / "imported-r10").is_dir() and (embeddings / "imported-vecs").is_dir()
    assert main(["--workspace", str(ws.root), "delete-import", "r10"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"deleted": "r10", "kind": "encoder",
                   "removed": ["encoders/r10", str((embeddings / "imported-r10").relative_to(ws.root))]}
    assert not (ws.root / "encoders" / "r10").exists() and not (embeddings / "imported-r10").exists()
    assert [c["encoder"] for c in registry.imported(ws)] == ["vecs"]
    assert sorted(p.name for p in (ws.root / "encoders").iterdir()) == ["vecs"], "no temporary folder left"
    assert main(["--workspace", str(ws.root), "delete-import", "vecs"]) == 0
    assert not (embeddings / "imported-vecs").exists(), "an embedding set's vectors go with it"
    assert main(["--workspace", str(ws.root), "delete-import", "vecs"]) == 1
    assert "no imported encoder or embedding set 'vecs'" in capsys.readouterr().err


def test_delete_import_is_refused_while_a_run_started_from_it_is_queued(ws, capsys):
    run = jobs.create_run(ws, TrainConfig(dataset="tiny", encoder="timm:resnet10t", image_size=16, init="r10"))
    assert main(["--workspace", str(ws.root), "delete-import", "r10"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"'r10' is in use: the run started from it is {run} (queued); cancel it or let it finish first" in err
    assert registry.exists(ws, "r10") and (ws.root / "encoders" / "r10" / "weights.safetensors").is_file()
    jobs.request_cancel(ws, run)
    assert main(["--workspace", str(ws.root), "delete-import", "r10"]) == 0
    assert (jobs.run_dir(ws, run) / "init.safetensors").is_file(), "the run keeps its own copy of the weights"


def test_a_run_left_running_by_a_dead_process_does_not_hold_its_import(ws, capsys):
    run = jobs.create_run(ws, TrainConfig(dataset="tiny", encoder="timm:resnet10t", image_size=16, init="r10"))
    dead = subprocess.Popen(["true"])
    dead.wait()  # a pid no process holds any more: the training was killed (Ctrl-C, SIGKILL)
    with ws.write() as conn:
        conn.execute("UPDATE runs SET status = 'running', pid = ? WHERE id = ?", (dead.pid, run))
    assert main(["--workspace", str(ws.root), "delete-import", "r10"]) == 0, capsys.readouterr().err
    assert not registry.exists(ws, "r10")


def only_vecs_gone(ws: Workspace, capsys) -> None:
    """Embedding set "vecs" went with its dataset: no folder, no temporary left, doctor ok,
    and the name is free for a new import."""
    assert [c["encoder"] for c in registry.imported(ws)] == ["r10"]
    assert sorted(p.name for p in (ws.root / "encoders").iterdir()) == ["r10"], "no folder or temporary left"
    capsys.readouterr()
    assert main(["--workspace", str(ws.root), "doctor"]) == 0, capsys.readouterr().out


def test_deleting_a_dataset_takes_its_embedding_sets_with_it(ws, make, tmp_path, capsys):
    assert main(["--workspace", str(ws.root), "delete", "tiny"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"deleted": "tiny", "runs_kept": [], "embedding_sets_deleted": ["vecs"]}
    assert "its imported embedding set went with it (its vectors belonged to its images): vecs" in captured.err
    only_vecs_gone(ws, capsys)
    ingest_uploads(ws, [(f"{i}.png", make.noise((16, 16), seed=i)) for i in range(4)], name="tiny", size=16)
    assert import_embeddings(ws, "tiny", "vecs", tmp_path / "vecs.npy")["shape"] == [4, 3], "the name is free"


def test_replacing_a_dataset_takes_its_embedding_sets_with_it(ws, make, capsys):
    report = ingest_uploads(ws, [(f"{i}.png", make.noise((16, 16), seed=10 + i)) for i in range(4)], name="tiny",
                            size=16, replace=True)
    assert "replacing 'tiny' removed its imported embedding set vecs: its vectors belonged to its old images" \
        in report.warnings
    only_vecs_gone(ws, capsys)


def test_a_damaged_import_does_not_keep_a_deleted_datasets_folder(ws):
    """Another import's unreadable config.json raised JSONDecodeError out of delete_dataset
    after its rows were gone, and left datasets/<id>/ on disk."""
    folder = ws.dataset_dir(ws.dataset("tiny"))
    (registry.folder(ws, "r10") / "config.json").write_text("{ not json")
    assert ws.delete_dataset("tiny") == []
    assert not folder.exists() and ws.datasets() == []
