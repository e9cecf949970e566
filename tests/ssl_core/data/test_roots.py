"""Data roots and regular files: what the browser may read on the server (only inside the
operator's roots, one answer outside them whatever exists there) and what any import
opens (regular files only: a FIFO or /dev/zero never blocks or floods it)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ssl_core.data import ingest as ingest_module
from ssl_core.data.ingest import IngestError, ingest_path
from ssl_core.data.roots import (
    ENABLE_HINT, NotRegularFile, PathRefused, confine, data_roots, open_regular, read_regular,
)

QUICK = 10  # seconds: a test that blocks on a FIFO fails instead of hanging


@pytest.fixture
def root(tmp_path) -> Path:
    """A data root holding one folder of images, beside an `outside` folder with a secret."""
    root = tmp_path / "root"
    (root / "pics").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("a.png,secret\n")
    return root


def refusal(typed: str, roots) -> str:
    with pytest.raises(PathRefused) as caught:
        confine(typed, roots)
    return str(caught.value)


# -- naming the roots ------------------------------------------------------------------------
def test_roots_come_from_the_flag_and_the_environment_resolved_once_each(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    (tmp_path / "link").symlink_to(a)
    argv = ["--workspace", "ws", "--data-root", str(a), "--data-root", str(tmp_path / "link")]
    environ = {"SSL_DATA_ROOTS": f"{b}{os.pathsep}{a}{os.pathsep}"}
    assert data_roots(argv, environ) == (a, b)
    assert data_roots(["--workspace", "ws"], {}) == ()


def test_with_no_root_the_browser_reads_nothing_and_is_told_how_to_enable_it(root):
    assert refusal(str(root / "pics"), ()) == ENABLE_HINT
    assert "--data-root" in ENABLE_HINT and "SSL_DATA_ROOTS" in ENABLE_HINT


# -- inside or outside -----------------------------------------------------------------------
def test_paths_inside_a_root_resolve(root):
    assert confine(str(root / "pics"), [root]) == root / "pics"
    assert confine(f"  {root}/pics/../pics/  ", [root]) == root / "pics"
    assert confine("pics", [root]) == root / "pics"  # relative: inside the first root
    assert confine(str(root / "not-yet"), [root]) == root / "not-yet"  # missing inside: answered later


def test_outside_a_root_the_answer_is_the_same_whatever_exists_there(root, tmp_path):
    (root / "escape").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "loop").symlink_to(root / "loop")
    os.mkfifo(tmp_path / "outside" / "fifo.zip")
    typed = ["/etc", "/etc/passwd", "/no/such/path", "/dev/zero", str(tmp_path / "outside" / "fifo.zip"),
             str(root / "escape"), str(root / "escape" / "secret.csv"), str(root / ".." / "outside"),
             "../outside", "~", "~root", "/", str(tmp_path)]
    answers = {t: refusal(t, [root]) for t in typed}
    for t, answer in answers.items():
        assert answer == f"'{t}' is not inside a data root; the app may read files only under {root}", t
    assert "loop" in str(confine(str(root / "loop"), [root]))  # a loop inside: read (and refused) later


def test_tilde_is_the_server_users_home_and_checked_like_any_path(root, monkeypatch):
    monkeypatch.setenv("HOME", str(root / "pics"))
    assert confine("~", [root]) == root / "pics"
    monkeypatch.setenv("HOME", str(root.parent / "outside"))
    assert "not inside a data root" in refusal("~/secret.csv", [root])


def test_a_nul_in_a_typed_path_is_refused_and_escaped(root):
    assert refusal(f"{root}/pics\x00/etc", [root]).startswith(f"'{root}/pics\\x00/etc' is not inside")


# -- regular files only ----------------------------------------------------------------------
@pytest.mark.timeout(QUICK)
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "x.zip"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(NotRegularFile, match="not a regular file"):
        open_regular(fifo)
    with pytest.raises(NotRegularFile):
        read_regular(fifo, 100)
    assert time.monotonic() - start < 1


@pytest.mark.timeout(QUICK)
def test_devices_folders_and_links_are_refused_unread(tmp_path):
    with pytest.raises(NotRegularFile):
        read_regular(Path("/dev/zero"), 100)
    with pytest.raises(NotRegularFile):
        read_regular(tmp_path, 100)
    (tmp_path / "real.csv").write_text("a.png,cat\n")
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    assert read_regular(tmp_path / "link.csv", 100) == b"a.png,cat\n"  # a path the user gave
    with pytest.raises(NotRegularFile):
        read_regular(tmp_path / "link.csv", 100, follow_links=False)  # a link met inside a folder


def test_a_file_over_its_cap_is_refused(tmp_path):
    (tmp_path / "big.csv").write_bytes(b"x" * 101)
    with pytest.raises(ValueError, match="file too large \\(101 bytes; the limit is 100\\)"):
        read_regular(tmp_path / "big.csv", 100)
    assert read_regular(tmp_path / "big.csv", 101) == b"x" * 101


# -- imports ---------------------------------------------------------------------------------
@pytest.mark.timeout(60)
def test_a_fifo_named_zip_is_rejected_and_the_rest_imported(workspace, make, tmp_path):
    (tmp_path / "pics").mkdir()
    for name, data in make.goods():
        (tmp_path / "pics" / name).write_bytes(data)
    os.mkfifo(tmp_path / "pics" / "inside.zip")
    os.mkfifo(tmp_path / "x.zip")
    report = ingest_path(workspace, [str(tmp_path / "pics"), str(tmp_path / "x.zip")], name="t")
    assert report.images == 2
    assert {r["file"]: r["reason"] for r in report.rejected} == {
        "inside.zip": "not a regular file (links, FIFOs and devices are skipped)",
        "x.zip": "not a regular file (FIFOs, devices and sockets are not read)"}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("labels", ["/dev/zero", "FIFO", "FOLDER"])
def test_labels_that_are_no_regular_file_fail_at_once_with_a_clear_message(workspace, make, tmp_path,
                                                                           labels):
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.png").write_bytes(make.solid())
    if labels == "FIFO":
        labels = str(tmp_path / "labels.csv")
        os.mkfifo(labels)
    elif labels == "FOLDER":
        labels = str(tmp_path)
    with pytest.raises(IngestError, match="cannot read the labels file \\(not a regular file"):
        ingest_path(workspace, [str(tmp_path / "pics")], labels_path=labels)
    assert workspace.datasets() == []


def test_a_labels_file_over_its_cap_is_refused(workspace, make, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "MAX_LABELS_BYTES", 20)
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.png").write_bytes(make.solid())
    (tmp_path / "labels.csv").write_bytes(b"a.png,cat\n" * 3)
    with pytest.raises(IngestError, match="labels.csv: cannot read the labels file \\(file too large "
                                          "\\(30 bytes; the limit is 20\\)\\)"):
        ingest_path(workspace, [str(tmp_path / "pics")], labels_path=str(tmp_path / "labels.csv"))


def test_the_browser_imports_inside_a_root_and_nothing_outside(workspace, make, root, tmp_path):
    for name, data in make.goods():
        (root / "pics" / name).write_bytes(data)
    (root / "labels.csv").write_bytes(b"good_red.png,red\ngood_blue.jpg,blue\n")
    report = ingest_path(workspace, ["pics"], labels_path=str(root / "labels.csv"), roots=[root])
    assert report.dataset == "pics" and report.images == 2 and report.labelled == 2
    with pytest.raises(IngestError, match="is not inside a data root"):
        ingest_path(workspace, [str(tmp_path / "outside")], name="x", roots=[root])
    with pytest.raises(IngestError, match="'/etc/passwd' is not inside a data root"):
        ingest_path(workspace, ["pics"], name="y", labels_path="/etc/passwd", roots=[root])
    with pytest.raises(IngestError, match="Reading folders on the server is off"):
        ingest_path(workspace, ["/etc"], name="z", roots=())
    assert [d.name for d in workspace.datasets()] == ["pics"]


def test_the_command_line_keeps_full_access(workspace, make, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "pics").mkdir()
    for name, data in make.goods():
        (tmp_path / "pics" / name).write_bytes(data)
    assert ingest_path(workspace, ["~/pics"]).images == 2


def test_paths_no_file_system_can_hold_get_a_message_not_a_traceback(workspace, root):
    assert "not inside a data root" in refusal("/pics\ud800", [root])
    too_long = str(root / ("a" * 300))
    with pytest.raises(IngestError, match="not found: "):
        ingest_path(workspace, [too_long], roots=[root])
    with pytest.raises(IngestError, match="not found: "):
        ingest_path(workspace, ["/" + "b/" * 3000])
