"""torch.distributed on the CPU (gloo): two processes on halves of a global batch give the
same gradients as one process on the whole batch (SimCLR gathers the negatives across
processes), and `torchrun -m ssl_core train` trains one run with two processes."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from ssl_core.data.ingest import ingest_uploads

ROOT = Path(__file__).resolve().parents[2]

GRADIENTS = """
import sys
import numpy as np
import torch
sys.path.insert(0, {root!r})
from ssl_core import distributed
from ssl_core.augment import Views, make_recipe
from ssl_core.methods import build_method

distributed.init_from_env()
rank, world = distributed.world()
torch.manual_seed(0)
method = build_method("simclr", "vit_tiny", 16).eval()  # no batch statistics: the projection
# head's BatchNorm would otherwise see each process's half batch, as DDP without SyncBatchNorm
images = np.random.default_rng(0).integers(0, 256, (8, 16, 16, 3), dtype=np.uint8)
a, b = make_recipe("simclr")(torch.from_numpy(images), torch.Generator().manual_seed(0)).views
rows = slice(rank * 8 // world, (rank + 1) * 8 // world)
loss, _ = method.training_step(Views([a[rows], b[rows]]))
loss.backward()
distributed.average_gradients(method.parameters())
grads = torch.cat([p.grad.flatten() for p in method.encoder.parameters() if p.grad is not None])
np.save({out!r} + f"/grads-{{world}}-{{rank}}.npy", grads.numpy())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(script: Path, world: int) -> None:
    port = free_port()
    processes = [
        subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env={
            **os.environ, "RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": str(world),
            "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "OMP_NUM_THREADS": "1"})
        for rank in range(world)
    ]
    for process in processes:
        assert process.wait(timeout=300) == 0


def test_two_gloo_processes_match_one_process_on_the_global_batch(tmp_path):
    script = tmp_path / "grads.py"
    script.write_text(GRADIENTS.format(root=str(ROOT), out=str(tmp_path)))
    launch(script, world=1)
    launch(script, world=2)
    single = np.load(tmp_path / "grads-1-0.npy")
    rank0, rank1 = np.load(tmp_path / "grads-2-0.npy"), np.load(tmp_path / "grads-2-1.npy")
    assert np.array_equal(rank0, rank1)  # replicas stay identical
    assert np.abs(single).max() > 0
    np.testing.assert_allclose(rank0, single, rtol=1e-4, atol=1e-6)


def png(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def test_torchrun_trains_one_run_with_two_processes(workspace):
    ingest_uploads(workspace, [(f"{i}.png", png(i)) for i in range(40)], name="tiny", size=16)
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "-m", "ssl_core",
         "--workspace", str(workspace.root), "train", "--dataset", "tiny", "--epochs", "2", "--batch-size", "4"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout[result.stdout.index("{"):])
    assert summary["status"] == "completed" and summary["steps"] == 10  # 2 x 40 // (4 x 2)
    runs = json.loads(subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(workspace.root),
                                      "runs"], cwd=ROOT, capture_output=True, text=True).stdout)
    assert [(r["status"], r["step"]) for r in runs] == [("completed", 10)]  # one run, recorded once
