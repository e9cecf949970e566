"""Builders of test inputs (images, archives) and checks shared by the ssl_core tests.
Every input is made in memory or under tmp_path; no fixture files are committed."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from ssl_core.data.ingest import IngestReport
from ssl_core.store import Workspace

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def encode(im: Image.Image, fmt: str = "PNG", **save) -> bytes:
    """`im` saved as `fmt` into bytes."""
    buffer = io.BytesIO()
    im.save(buffer, fmt, **save)
    return buffer.getvalue()


def solid(colour=RED, size=(16, 16), fmt: str = "PNG", **save) -> bytes:
    """A one-colour RGB image as `fmt` bytes."""
    return encode(Image.new("RGB", size, colour), fmt, **save)


def noise(size=(64, 64), fmt: str = "PNG", seed: int = 0, **save) -> bytes:
    """Random RGB pixels (incompressible) as `fmt` bytes."""
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    return encode(Image.fromarray(pixels, "RGB"), fmt, **save)


def zip_of(members, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of (name or ZipInfo, bytes) pairs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def goods() -> list[tuple[str, bytes]]:
    """Two good images that every bad-input test imports beside its bad file."""
    return [("good_red.png", solid(RED)), ("good_blue.jpg", solid(BLUE, fmt="JPEG", quality=95))]


def files_under(root: Path) -> set[Path]:
    """Every file and link under `root` (links not followed)."""
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def check_rejected(report: IngestReport, ws: Workspace, file: str, *reason_parts: str,
                   good: int = 2) -> None:
    """Exactly `file` was rejected, for a reason containing every one of `reason_parts`
    (case-insensitive), both in the report and in the workspace; `good` images went in."""
    assert report.images == good
    assert [r["file"] for r in report.rejected] == [file]
    reason = report.rejected[0]["reason"]
    for part in reason_parts:
        assert part.lower() in reason.lower(), reason
    info = ws.dataset(report.dataset)
    assert info.image_count == good
    assert ws.images(info).shape[0] == good
    assert ws.rejections(info) == report.rejected


def check_nothing_outside(before: set[Path], after: set[Path], ws: Workspace) -> None:
    """Files that appeared are only the database and the arrays of the workspace's datasets."""
    allowed = {ws.db_path, ws.db_path.with_name("ssl.db-wal"), ws.db_path.with_name("ssl.db-shm")}
    for info in ws.datasets():
        allowed |= {ws.dataset_dir(info) / "images.npy", ws.dataset_dir(info) / "thumbs.npy"}
    assert after - before <= allowed, sorted(map(str, after - before - allowed))


@pytest.fixture
def make() -> SimpleNamespace:
    """Builders: make.solid, make.noise, make.encode, make.zip, make.goods."""
    return SimpleNamespace(solid=solid, noise=noise, encode=encode, zip=zip_of, goods=goods,
                           files_under=files_under)


@pytest.fixture
def expect() -> SimpleNamespace:
    """Checks: expect.rejected(report, ws, file, *reason_parts), expect.nothing_outside(...)."""
    return SimpleNamespace(rejected=check_rejected, nothing_outside=check_nothing_outside)



@pytest.fixture(scope="session")
def trained_template(tmp_path_factory) -> tuple[Path, str]:
    """Made once: a workspace with a 40-image labelled dataset "tiny" (16 px, two classes of
    noise) and one completed run (SimCLR, small CNN, 2 epochs). Returns (root, run id)."""
    from ssl_core import jobs
    from ssl_core.data.ingest import ingest_uploads
    from ssl_core.engine import TrainConfig

    ws = Workspace(tmp_path_factory.mktemp("trained") / "ws")
    files = [(f"{'ab'[i % 2]}/{i}.png", noise((16, 16), seed=i)) for i in range(40)]
    ingest_uploads(ws, files, name="tiny", size=16)
    run = jobs.create_run(ws, TrainConfig(dataset="tiny", epochs=2, batch_size=8, image_size=16,
                                          checkpoint_every=100, monitor_every=100))
    assert jobs.execute(ws, run).status == "completed"
    return ws.root, run


@pytest.fixture
def trained(trained_template, tmp_path) -> SimpleNamespace:
    """A private copy of `trained_template`: `.ws`, `.dataset` ("tiny"), `.run` (id)."""
    root, run = trained_template
    shutil.copytree(root, tmp_path / "trained")
    return SimpleNamespace(ws=Workspace(tmp_path / "trained"), dataset="tiny", run=run)
