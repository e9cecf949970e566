"""What a user points the CLI at that it must not take as it is: an --out that is a device
or a FIFO, a --query that is not a readable image file of sane size, an --image-size no
batch could hold, a stdout that closed early, and embeddings with nothing to map."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ssl_core.cli import build_parser
from ssl_core.data.ingest import ingest_uploads
from ssl_core.data.sources import MAX_FILE_BYTES
from ssl_core.imports.registry import MAX_SIDE, MIN_SIDE
from ssl_core.store import Workspace
from tests.ssl_core.conftest import noise
from tests.ssl_core.test_cli import cli

COUNT = 40


@pytest.fixture
def good(workspace: Workspace) -> Workspace:
    """`workspace` with dataset "good": COUNT images of noise, 16 px."""
    ingest_uploads(workspace, [(f"{i}.png", noise((16, 16), seed=i)) for i in range(COUNT)], name="good", size=16)
    return workspace


def import_vectors(ws: Workspace, tmp_path: Path, name: str, vectors: np.ndarray) -> None:
    """Import `vectors` (COUNT, D) as embedding set `name` of "good", through the CLI."""
    np.save(tmp_path / f"{name}.npy", vectors.astype(np.float32))
    done = cli(ws.root, "import-embeddings", "--dataset", "good", "--name", name, str(tmp_path / f"{name}.npy"))
    assert done.returncode == 0, done.stderr


def refused_in_one_line(done: subprocess.CompletedProcess, *parts: str) -> None:
    """The command failed with one `error:` line on stderr holding every one of `parts`, no traceback."""
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    for part in parts:
        assert part in errors[0], errors[0]


def test_project_out_refuses_a_fifo_and_leaves_it_one(good, tmp_path):
    fifo = tmp_path / "map.csv"
    os.mkfifo(fifo)
    done = cli(good.root, "project", "--dataset", "good", "--untrained", "--method", "pca", "--out", str(fifo))
    refused_in_one_line(done, str(fifo), "cannot write there", "not a regular file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device file needs root")
def test_project_out_refuses_a_device_and_leaves_it_one(good, tmp_path):
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    done = cli(good.root, "project", "--dataset", "good", "--untrained", "--method", "pca", "--out", str(device))
    refused_in_one_line(done, str(device), "not a regular file")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_project_out_still_replaces_a_regular_file(good, tmp_path):
    out = tmp_path / "map.csv"
    out.write_text("old\n")
    done = cli(good.root, "project", "--dataset", "good", "--untrained", "--method", "pca", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert len(pd.read_csv(out)) == COUNT


def test_search_refuses_a_fifo_unread(good, tmp_path):
    fifo = tmp_path / "query.png"
    os.mkfifo(fifo)  # nobody writes: reading it would wait forever
    done = cli(good.root, "search", "--dataset", "good", "--untrained", "--query", str(fifo))
    refused_in_one_line(done, str(fifo), "not a regular file")


def test_search_refuses_a_device_unread(good):
    done = cli(good.root, "search", "--dataset", "good", "--untrained", "--query", os.devnull)
    refused_in_one_line(done, os.devnull, "not a regular file")


def test_search_refuses_a_file_over_the_cap(good, tmp_path):
    huge = tmp_path / "huge.png"
    with open(huge, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    done = cli(good.root, "search", "--dataset", "good", "--untrained", "--query", str(huge))
    refused_in_one_line(done, str(huge), "too large", f"{MAX_FILE_BYTES:,}")


def test_search_names_a_missing_query_file(good, tmp_path):
    missing = tmp_path / "missing.png"
    done = cli(good.root, "search", "--dataset", "good", "--untrained", "--query", str(missing))
    refused_in_one_line(done, str(missing), "cannot be read")


SIDE_COMMANDS = [
    ["embed", "--dataset", "d", "--untrained"],
    ["project", "--dataset", "d", "--untrained"],
    ["search", "--dataset", "d", "--untrained", "--query", "q.png"],
    ["export", "--dataset", "d", "--untrained", "--out", "o"],
    ["evaluate", "--dataset", "d", "--untrained"],
    ["import-encoder", "--name", "n", "--arch", "timm:a"],
]


@pytest.mark.parametrize("command", SIDE_COMMANDS, ids=lambda c: c[0])
def test_an_image_size_over_the_import_bound_is_a_usage_error(capsys, command):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([*command, "--image-size", "100000"])
    assert exited.value.code == 2
    assert f"between {MIN_SIDE} and {MAX_SIDE}" in capsys.readouterr().err.splitlines()[-1]


@pytest.mark.parametrize("command", SIDE_COMMANDS, ids=lambda c: c[0])
def test_image_sizes_within_the_bound_are_taken(command):
    assert build_parser().parse_args([*command, "--image-size", str(MAX_SIDE)]).image_size == MAX_SIDE
    assert build_parser().parse_args([*command, "--image-size", str(MIN_SIDE)]).image_size == MIN_SIDE


def test_a_reader_that_went_away_ends_the_command_quietly(good):
    env = {k: v for k, v in os.environ.items() if k != "SSL_WORKSPACE"}
    reader, writer = os.pipe()
    os.close(reader)  # as `| head` that has stopped reading: every write to the pipe fails with EPIPE
    try:
        done = subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(good.root), "doctor"],
                              cwd=Path(__file__).resolve().parents[2], env=env, stdout=writer,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(writer)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.returncode == 141


@pytest.mark.parametrize("method", ["umap", "pca"])
def test_a_map_of_identical_embeddings_puts_every_point_at_the_origin(good, tmp_path, method):
    import_vectors(good, tmp_path, "e-const", np.ones((COUNT, 8)))
    out = tmp_path / "m.csv"
    done = cli(good.root, "project", "--dataset", "good", "--run", "e-const", "--method", method, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["shape"] == [COUNT, 2]
    table = pd.read_csv(out)
    assert len(table) == COUNT and (table[["x", "y"]].to_numpy() == 0).all()


def test_a_map_with_unplaced_points_is_refused_not_written(good, tmp_path):
    # after centring, 39 equal rows and the odd one out point exactly away from each other:
    # UMAP finds the odd one disconnected from all its neighbours and leaves it at NaN
    import_vectors(good, tmp_path, "e-odd", np.vstack([np.ones((COUNT - 1, 8)), np.arange(8)[None]]))
    out = tmp_path / "m.csv"
    done = cli(good.root, "project", "--dataset", "good", "--run", "e-odd", "--out", str(out))
    refused_in_one_line(done, f"1 of {COUNT} points", "--method pca")
    assert not out.exists()


def test_a_failed_ingest_prints_every_key_of_a_report(good, tmp_path):
    """Scripts read the same keys whether an import stored something or not."""
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_bytes(b"not an image")
    (tmp_path / "fine.png").write_bytes(noise((16, 16), seed=99))
    failed = cli(good.root, "ingest", str(tmp_path / "empty.png"), str(tmp_path / "text.png"), "--name", "bad")
    stored = cli(good.root, "ingest", str(tmp_path / "fine.png"), "--name", "fine")
    assert failed.returncode == 1 and stored.returncode == 0, stored.stderr
    said = json.loads(failed.stdout)
    assert set(said) == set(json.loads(stored.stdout)) | {"error"} and said["rejected_count"] == 2


def test_a_folder_the_workspace_cannot_write_is_one_line_not_a_traceback(good, tmp_path, monkeypatch, capsys):
    """chattr +i on the workspace's datasets folder: ingest raised PermissionError's traceback."""
    from ssl_core import cli as cli_module

    def refused(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted", str(good.root / "datasets" / ".tmp-x"))

    monkeypatch.setattr(cli_module, "ingest_path", refused)
    (tmp_path / "fine.png").write_bytes(noise((16, 16), seed=1))
    assert cli_module.main(["--workspace", str(good.root), "ingest", str(tmp_path / "fine.png")]) == 1
    said = capsys.readouterr().err.strip()
    assert said == (f"error: {good.root / 'datasets' / '.tmp-x'}: Operation not permitted (the workspace, or a "
                    f"path given, cannot be used here)")
