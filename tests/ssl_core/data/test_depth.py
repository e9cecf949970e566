"""More than 8 bits per sample (walk 49: 16-bit sky frames at 1,000 of 65,535 counts were stored at 4 of 255 by
their type's range, the galaxies 2-5 levels above the sky, and called "a covered lens or a failed exposure"):
stretched by each picture's own range unless asked otherwise, said at import, kept with the dataset, and a query
read as the import read it."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys

import numpy as np
from PIL import Image

from ssl_core.data.decode import as_stored
from ssl_core.data.ingest import ingest_uploads
from ssl_core.store import MIGRATIONS, Workspace


def sky_frame(seed: int, side: int = 32) -> bytes:
    """A 16-bit PNG: sky at 1,000 counts, noise of 200, a faint square galaxy 1,200 above it."""
    rng = np.random.default_rng(seed)
    counts = 1000 + 200 * rng.normal(size=(side, side))
    y, x = rng.integers(0, side - 10, 2)
    counts[y : y + 10, x : x + 10] += 1200
    out = io.BytesIO()
    Image.fromarray(np.clip(counts, 0, 65535).astype(np.uint16)).save(out, "PNG")
    return out.getvalue()


def test_16_bit_frames_are_stretched_said_so_and_read_again_alike(workspace):
    files = [(f"sky_{i}.png", sky_frame(i)) for i in range(4)]
    report = ingest_uploads(workspace, files, name="sky", size=32)
    info = workspace.dataset("sky")
    assert info.depth == "stretch" and workspace.images(info).mean() > 60  # by the type's range: 4 of 255
    assert any(w.startswith("4 of 4 images have more than 8 bits per sample (16-bit or floating point: sky_0.png, "
                            "sky_1.png, sky_2.png and sky_3.png): each was stretched from its own 0.5th to its 99.5th "
                            "percentile onto 0-255") and w.endswith("(More than 8 bits: 'By the type's range' on the "
                                                                   "Data page, ingest --depth range), 16-bit pictures "
                                                                   "keep it")
               for w in report.warnings), report.warnings
    assert np.array_equal(as_stored(files[2][1], info), workspace.images(info)[2])


def test_by_their_type_s_range_the_dark_ones_are_pointed_to_the_stretch(workspace):
    files = [(f"sky_{i}.png", sky_frame(i)) for i in range(4)]
    report = ingest_uploads(workspace, files, name="sky", size=32, depth="range")
    info = workspace.dataset("sky")
    assert info.depth == "range" and workspace.images(info).mean() < 6
    said = [w for w in report.warnings if "more than 8 bits" in w]
    assert said[0].endswith("scaled by their type's range (a 16-bit sample's 0-65,535 onto 0-255, which keeps how "
                            "bright they are against one another; floating point from each picture's least to its "
                            "largest value); 4 of them use so little of it that they are stored "
                            "nearly black: each stretched to its own range (More than 8 bits: 'Stretch each picture' on "
                            "the Data page, ingest --depth stretch), they would show what they hold")
    assert np.array_equal(as_stored(files[1][1], info), workspace.images(info)[1])
    eight_bit = io.BytesIO()
    Image.new("RGB", (32, 32), (40, 90, 200)).save(eight_bit, "PNG")
    plain = ingest_uploads(workspace, [("blue.png", eight_bit.getvalue())], name="blue", size=32)
    assert not any("8 bits" in w for w in plain.warnings)
    assert (workspace.images(workspace.dataset("blue"))[0] == (40, 90, 200)).all()


def test_the_command_line_takes_a_depth_and_the_dataset_keeps_it(tmp_path):
    folder = tmp_path / "sky"
    folder.mkdir()
    (folder / "sky_0.png").write_bytes(sky_frame(0))
    cli = [sys.executable, "-m", "ssl_core", "--workspace", str(tmp_path / "ws")]
    refused = subprocess.run([*cli, "ingest", str(folder), "--depth", "log"], capture_output=True, text=True)
    assert refused.returncode == 2 and "argument --depth: invalid choice: 'log'" in refused.stderr
    subprocess.run([*cli, "ingest", str(folder), "--depth", "range"], check=True, capture_output=True)
    listed = json.loads(subprocess.run([*cli, "datasets"], check=True, capture_output=True, text=True).stdout)
    assert [(d["name"], d["depth"]) for d in listed] == [("sky", "range")]


def test_a_dataset_imported_before_depth_keeps_its_type_s_range(tmp_path):
    """Its pictures were scaled by their type's range: a query read against it must be too."""
    root = tmp_path / "old"
    root.mkdir()
    conn = sqlite3.connect(root / "ssl.db")
    for script in MIGRATIONS[:-1]:
        conn.executescript(script)
    conn.executescript(f"PRAGMA user_version = {len(MIGRATIONS) - 1};"
                       "INSERT INTO datasets(id, name, source, image_count, size_px, bytes, has_labels, created) "
                       "VALUES ('ds-1', 'sky', 'upload', 1, 32, 10, 0, 'now');")
    conn.close()
    (root / "datasets" / "ds-1").mkdir(parents=True)
    assert Workspace(root).dataset("sky").depth == "range"
