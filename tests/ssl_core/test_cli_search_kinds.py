"""`search` refuses an image file as the query of a text dataset, pointing at --query-text,
before it embeds anything."""

from __future__ import annotations

from ssl_core.cli import main
from ssl_core.data.ingest import ingest_path


def test_an_image_query_on_a_text_dataset_points_at_query_text(workspace, make, tmp_path, capsys):
    ingest_path(workspace, ["builtin:docstrings"])
    (tmp_path / "q.png").write_bytes(make.solid())
    status = main(["--workspace", str(workspace.root), "search", "--dataset", "docstrings", "--untrained",
                   "--encoder", "text_transformer", "--query", str(tmp_path / "q.png")])
    out, err = capsys.readouterr()
    assert (status, out) == (1, "")
    assert err == ("error: dataset 'docstrings' holds text, not images: search it with a sentence "
                   "(--query-text TEXT), not an image file (--query)\n")
    assert not (workspace.dataset_dir(workspace.dataset("docstrings")) / "embeddings").exists(), "it embedded first"
