"""app.sources offers a dataset's completed runs before its cancelled or failed ones: a page
opens on the first, and in a room a visitor's cancel of a fresh run made its 5-step encoder
every page's default (Retrieval: 2 of 12 neighbours sharing the query's label)."""

from __future__ import annotations

import io
import sqlite3

import numpy as np
import pytest
from PIL import Image

from app.sources import side_by_side, source_choices, source_name
from ssl_core import embed, jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.store import Workspace


def png_bytes(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def two_runs(tmp_path) -> tuple[Workspace, list[str]]:
    """A workspace with two completed one-epoch runs of 32 noise images ('few'), oldest first."""
    ws = Workspace(tmp_path / "ws")
    rng = np.random.default_rng(0)
    ingest_uploads(ws, [(f"{i}.png", png_bytes(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)))
                        for i in range(32)], name="few", size=16)
    runs = [jobs.create_run(ws, TrainConfig(dataset="few", epochs=1, batch_size=16, image_size=16,
                                            monitor_every=100, snapshot_every=0)) for _ in range(2)]
    assert jobs.work(ws, "cpu") == 2
    return ws, runs


def test_a_completed_run_comes_before_a_newer_cancelled_one(tmp_path):
    ws, runs = two_runs(tmp_path)
    with sqlite3.connect(ws.db_path) as conn:  # the newer one, as a visitor's cancel leaves it (checkpoint kept)
        conn.execute("UPDATE runs SET status = 'cancelled' WHERE id = ?", (runs[1],))
    assert [run["id"] for run in jobs.list_runs(ws)][:2] == [runs[1], runs[0]]  # newest first
    keys = [source.run_id for _, source in source_choices(ws, ws.dataset("few")).values() if source.run_id]
    assert keys == [runs[0], runs[1]]


@pytest.mark.parametrize("steps", [0, 1])
def test_a_run_of_fewer_steps_comes_after_one_that_trained_more(tmp_path, steps):
    """Walk 30: a 0.3-minute ResNet-18 run ended before its first step did; its checkpoint is
    its starting weights, and as the newest completed run it became every page's encoder.
    Walk 31: a 0.2-minute one made 1 step, and every page opened on it, not on a 65-step run."""
    ws, runs = two_runs(tmp_path)
    with sqlite3.connect(ws.db_path) as conn:  # the older one trained longer; the newer one, as a short budget left it
        conn.execute("UPDATE runs SET step = 65 WHERE id = ?", (runs[0],))
        conn.execute("UPDATE runs SET step = ? WHERE id = ?", (steps, runs[1]))
    keys = [source.run_id for _, source in source_choices(ws, ws.dataset("few")).values() if source.run_id]
    assert keys == [runs[0], runs[1]]


def test_an_untrained_encoder_at_another_side_than_the_offered_one_is_named_with_its_side(tmp_path):
    """Walk 22: Retrieval's second picker said 'untrained small_cnn (32 px)' (a BYOL run's twin,
    beside the 48 px one offered on a 64 px set) and the header over its neighbours 'untrained
    small_cnn'; both come from one name now, the offered one's without a side."""
    ws = Workspace(tmp_path / "ws")
    rng = np.random.default_rng(0)
    ingest_uploads(ws, [(f"{i}.png", png_bytes(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)))
                        for i in range(4)], name="wide", size=64)
    dataset = ws.dataset("wide")
    offered = embed.untrained_for(dataset, "small_cnn")
    other = embed.untrained("small_cnn", 32 if offered.image_size != 32 else 48)
    assert source_name(ws, offered, dataset) == "untrained small_cnn"
    assert source_name(ws, other, dataset) == f"untrained small_cnn ({other.image_size} px)"
    assert [title for _, title in side_by_side(ws, dataset, offered, other)][0] == source_name(ws, other, dataset)


def test_a_renamed_copy_of_the_pictures_is_offered_their_runs_by_the_explorer_and_retrieval(tmp_path):
    """Walk 34: a flat copy of a folder's pictures under other names with a CSV fell back to the
    untrained network on the Explorer and Retrieval (Evaluate offered the run)."""
    ws, runs = two_runs(tmp_path)
    few = ws.dataset("few")
    pictures = list(zip(ws.image_rows(few), ws.images(few)))
    ingest_uploads(ws, [(f"renamed_{row['name']}", png_bytes(image)) for row, image in reversed(pictures)],
                   name="renamed", size=16)
    offered = {source.run_id for _, source in source_choices(ws, ws.dataset("renamed"), copies=True).values()}
    assert set(runs) <= offered
    ingest_uploads(ws, [(f"other_{row['name']}", png_bytes(255 - image)) for row, image in pictures],
                   name="other", size=16)
    other = source_choices(ws, ws.dataset("other"), copies=True)
    assert not set(runs) & {source.run_id for _, source in other.values()}
