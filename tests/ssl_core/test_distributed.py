"""torch.distributed on the CPU (gloo): two processes on halves of a global batch give the
same gradients as one process on the whole batch (SimCLR gathers the negatives across
processes, MoCo v3 the keys) and hold the same MoCo queue as it, and `torchrun -m ssl_core
train` trains one run with two processes.

The gradient and queue checks share one script (each part from seed 0), launched once in
one process and once in two: three interpreter starts instead of nine."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ssl_core.data.ingest import ingest_uploads
from ssl_core.methods import build_method

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import sys
import numpy as np
import torch
sys.path.insert(0, {root!r})
from ssl_core import distributed
from ssl_core.augment import Views, make_recipe
from ssl_core.methods import build_method

distributed.init_from_env()
rank, world = distributed.world()
"""

GRADIENTS = """
torch.manual_seed(0)
method = build_method({method!r}, "vit_tiny", 16).eval()  # no batch statistics: the projection
# head's BatchNorm would otherwise see each process's half batch, as DDP without SyncBatchNorm
images = np.random.default_rng(0).integers(0, 256, (8, 16, 16, 3), dtype=np.uint8)
views = make_recipe(method.default_recipe)(torch.from_numpy(images), torch.Generator().manual_seed(0)).views
rows = slice(rank * 8 // world, (rank + 1) * 8 // world)
loss, _ = method.training_step(Views([view[rows] for view in views]))  # local crops too (SimCLR's multi-crop)
loss.backward()
distributed.average_gradients(method.parameters())
grads = torch.cat([p.grad.flatten() for p in method.parameters() if p.grad is not None])  # encoder, heads
np.save({out!r} + f"/grads-{method}-{{world}}-{{rank}}.npy", grads.numpy())
"""

QUEUE = """
torch.manual_seed(0)
method = build_method("moco_v2", "small_cnn", 16).eval()  # BatchNorm on running statistics,
# the same for half a batch as for all of it: the queue is under test here, not SyncBatchNorm
optimizer = torch.optim.SGD(method.parameters(), lr=0.5)
images = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (24, 16, 16, 3), dtype=np.uint8))
rows = slice(rank * 8 // world, (rank + 1) * 8 // world)
for step in range(3):  # three global batches of 8 images, 16 keys each
    a, b = make_recipe("moco_v2")(images[8 * step : 8 * step + 8], torch.Generator().manual_seed(step)).views
    loss, _ = method.training_step(Views([a[rows], b[rows]]))
    optimizer.zero_grad()
    loss.backward()
    distributed.average_gradients(method.parameters())
    optimizer.step()
    method.after_step((step + 1) / 3)
np.save({out!r} + f"/queue-{{world}}-{{rank}}.npy", method.loss.memory_bank.bank.numpy())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


GATHERING = ("simclr", "moco_v3")  # methods whose loss needs every process's embeddings


def launch(tmp_path: Path, world: int) -> None:
    """Run PRELUDE, GRADIENTS of each GATHERING method and QUEUE in `world` processes joined
    by gloo; each writes its arrays to tmp_path."""
    script = tmp_path / "script.py"
    bodies = [GRADIENTS.format(method=method, out=str(tmp_path)) for method in GATHERING]
    script.write_text(PRELUDE.format(root=str(ROOT)) + "".join(bodies) + QUEUE.format(out=str(tmp_path)))
    port = free_port()
    processes = [
        subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env={
            **os.environ, "RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": str(world),
            "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "OMP_NUM_THREADS": "1"})
        for rank in range(world)
    ]
    for process in processes:
        assert process.wait(timeout=300) == 0


@pytest.fixture(scope="module")
def launched(tmp_path_factory) -> Path:
    """The folder of every array the script wrote, in one process and in two."""
    out = tmp_path_factory.mktemp("gloo")
    launch(out, world=1)
    launch(out, world=2)
    return out


@pytest.mark.parametrize("method", GATHERING)
def test_two_gloo_processes_match_one_process_on_the_global_batch(launched, method):
    single = np.load(launched / f"grads-{method}-1-0.npy")
    rank0, rank1 = np.load(launched / f"grads-{method}-2-0.npy"), np.load(launched / f"grads-{method}-2-1.npy")
    assert np.array_equal(rank0, rank1)  # replicas stay identical
    assert np.abs(single).max() > 0
    np.testing.assert_allclose(rank0, single, rtol=1e-4, atol=1e-6)


def test_moco_queue_is_the_same_on_every_process_and_as_one_process_on_the_global_batch(launched):
    single = np.load(launched / "queue-1-0.npy")
    rank0, rank1 = np.load(launched / "queue-2-0.npy"), np.load(launched / "queue-2-1.npy")
    assert np.array_equal(rank0, rank1)  # every process queued every process's keys
    torch.manual_seed(0)
    start = build_method("moco_v2", "small_cnn", 16).loss.memory_bank.bank.numpy()  # the random queue
    assert np.array_equal(single[48:], start[48:]) and not np.isclose(single[:48], start[:48]).all(axis=1).any()
    np.testing.assert_allclose(rank0, single, rtol=1e-4, atol=1e-5)  # the same keys, in the same order


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
