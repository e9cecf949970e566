"""An archive or folder with nothing in it is named as the reason an import stored
nothing, instead of 'see the rejected files' beside an empty list."""

from __future__ import annotations

import zipfile

import pytest

from ssl_core.cli import main
from ssl_core.data.ingest import IngestError, ingest_path, ingest_uploads


def refused(call, *args, **kwargs) -> tuple[str, list[dict]]:
    """The message and rejections of the IngestError that `call(*args, **kwargs)` raises."""
    with pytest.raises(IngestError) as failed:
        call(*args, **kwargs)
    return str(failed.value), failed.value.rejected


@pytest.mark.parametrize("members, reason", [
    ([], "the archive holds no files"),
    ([("photos/", b""), ("__MACOSX/._a.png", b"x")], "the archive holds no files (only folders or system files)"),
])
def test_an_archive_without_files_is_the_reason(workspace, make, members, reason):
    message, rejected = refused(ingest_uploads, workspace, [("empty.zip", make.zip(members))], name="e")
    assert rejected == [{"file": "empty.zip", "reason": reason}]
    assert message == f"no image could be imported: empty.zip: {reason}"
    assert workspace.datasets() == []


def test_a_folder_without_files_is_the_reason(workspace, tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / ".DS_Store").write_bytes(b"clutter")
    message, rejected = refused(ingest_path, workspace, [str(tmp_path / "empty")])
    reason = "the folder holds no files (its subfolders included)"
    assert rejected == [{"file": str(tmp_path / "empty"), "reason": reason}]
    assert message == f"no image could be imported: {tmp_path / 'empty'}: {reason}"


def test_an_empty_archive_beside_images_is_listed_and_the_images_kept(workspace, make):
    report = ingest_uploads(workspace, [*make.goods(), ("empty.zip", make.zip([]))], name="mixed")
    assert report.images == 2
    assert report.rejected == [{"file": "empty.zip", "reason": "the archive holds no files"}]


def test_nothing_given_says_so(workspace):
    assert refused(ingest_uploads, workspace, [], name="none") == (
        "no image could be imported: no files were given", [])


def test_cli_names_the_empty_archive(tmp_path, capsys):
    zipfile.ZipFile(tmp_path / "empty.zip", "w").close()
    assert main(["--workspace", str(tmp_path / "ws"), "ingest", str(tmp_path / "empty.zip")]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "error: no image could be imported: empty.zip: the archive holds no files"
