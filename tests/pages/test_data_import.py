"""AppTest of the Data page's import panel: a timm architecture shows its own input side and
normalisation, weights uploaded as safetensors import and are listed; a damaged weights file
and an .npy of the wrong length are refused naming the file; a right .npy imports."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import timm
from PIL import Image
from safetensors.torch import save
from streamlit.testing.v1 import AppTest

from app.widgets import escape_markdown
from ssl_core.data.ingest import ingest_uploads
from ssl_core.imports import registry
from ssl_core.store import Workspace

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"
IMAGES = 8


def noise_png(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 256, (16, 16, 3), dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def test_import_panel_imports_and_refuses_by_file(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    ingest_uploads(ws, [(f"{i}.png", noise_png(i)) for i in range(IMAGES)], name="tiny", size=16)
    ws.set_meta("demo_seeded", "1")
    monkeypatch.setenv("SSL_WORKSPACE", str(ws.root))
    app = AppTest.from_file(str(MAIN), default_timeout=120)
    app.query_params["dataset"] = "tiny"
    app.run()

    app.text_input(key="import_arch").set_value("timm:resnet10t").run()
    facts = escape_markdown("176 px inputs, normalised with mean (0.485, 0.456, 0.406)")
    assert any(facts in caption.value for caption in app.caption)
    app.text_input(key="import_encoder_name").set_value("r10")
    app.file_uploader(key="import_weights").set_value(("bad.safetensors", b"not weights", "application/x")).run()
    app.button(key="import_encoder_button").click().run()
    assert "Nothing was imported" in app.error[0].value and escape_markdown("bad.safetensors") in app.error[0].value

    # a .pt is a pickle: an upload is never unpickled, not even by torch's restricted loader (the CLI reads one)
    assert any("A .pt file? Convert it where you trust it" in caption.value for caption in app.caption)
    [command] = [block.value for block in app.code]  # as written: a copy of it runs (escaped Markdown's invisible
    assert command.isascii() and command.startswith('python -c "')  # word joiners made Python refuse it)
    compile(command.removeprefix('python -c "').removesuffix('"'), "<convert>", "exec")
    # walk 16: uploading one met Streamlit's own "files are not allowed"; it is taken to be refused in words, unread
    assert ".pt" in app.file_uploader(key="import_weights").proto.type
    app.file_uploader(key="import_weights").set_value(("mine.pt", b"\x80\x02never read", "application/x")).run()
    assert escape_markdown("mine.pt: named as a PyTorch file (.pt), a format read by unpickling") in app.error[0].value
    assert not any("Nothing was imported" in e.value for e in app.error)  # walk 38: bad.safetensors' outcome stayed
    assert "torch.load('mine.pt'" in app.code[0].value and app.button(key="import_encoder_button").disabled

    weights = save({k: v.contiguous() for k, v in timm.create_model("resnet10t", num_classes=0).state_dict().items()})
    app.file_uploader(key="import_weights").set_value(("r10.safetensors", weights, "application/octet-stream")).run()
    app.button(key="import_encoder_button").click().run()
    assert not app.exception and not app.error
    assert escape_markdown("r10 (timm:resnet10t, imported from r10.safetensors)") in app.success[-1].value
    table = app.dataframe[0].value
    assert table.loc[0, "name"] == "r10" and table.loc[0, "input"] == "176 px" and table.loc[0, "features"] == 512

    app.segmented_control(key="import_kind").set_value("Embeddings").run()
    short = io.BytesIO()
    np.save(short, np.ones((IMAGES - 1, 4)))
    app.text_input(key="import_vectors_name").set_value("vecs")
    app.file_uploader(key="import_vectors").set_value(("short.npy", short.getvalue(), "application/octet-stream")).run()
    app.button(key="import_vectors_button").click().run()
    assert escape_markdown("short.npy: 7 rows for a dataset of 8 images") in app.error[0].value
    right = io.BytesIO()
    np.save(right, np.ones((IMAGES, 4)))
    app.file_uploader(key="import_vectors").set_value(("right.npy", right.getvalue(), "application/octet-stream")).run()
    app.button(key="import_vectors_button").click().run()
    assert not app.error and f"{IMAGES:,} vectors of 4 dimensions" in app.success[-1].value
    assert list(app.dataframe[0].value["name"]) == ["r10", "vecs"]


def test_an_architecture_the_lookup_fails_on_leaves_the_page_standing(tmp_path, monkeypatch):
    from ssl_core.imports import architectures

    ws = Workspace(tmp_path / "ws")
    ws.set_meta("demo_seeded", "1")
    monkeypatch.setenv("SSL_WORKSPACE", str(ws.root))
    app = AppTest.from_file(str(MAIN), default_timeout=120)
    app.run()
    app.text_input(key="import_arch").set_value("timm:resnet18.nosuchtag").run()
    assert not app.exception
    assert any("no pretrained tag" in caption.value for caption in app.caption)

    def breaks(arch):
        raise RuntimeError("the zoo broke")

    monkeypatch.setattr(architectures, "native_input", breaks)
    app.text_input(key="import_arch").set_value("timm:resnet10t").run()
    assert not app.exception
    assert any("the zoo broke" in caption.value for caption in app.caption)
    assert app.button(key="import_encoder_button")  # the form is still drawn below


def test_weights_on_the_server_are_read_from_safetensors_only(tmp_path, monkeypatch):
    """A visitor of a shared app picks the file: a .pt inside the data roots went to torch's
    restricted unpickler; now it is refused in words, with the conversion."""
    ws = Workspace(tmp_path / "ws")
    ingest_uploads(ws, [(f"{i}.png", noise_png(i)) for i in range(IMAGES)], name="tiny", size=16)
    ws.set_meta("demo_seeded", "1")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "model.pt").write_bytes(b"\x80\x04pickled")
    (tmp_path / "data" / "model.safetensors").write_bytes(b"{}")
    monkeypatch.setenv("SSL_WORKSPACE", str(ws.root))
    monkeypatch.setenv("SSL_DATA_ROOTS", str(tmp_path / "data"))
    app = AppTest.from_file(str(MAIN), default_timeout=120)
    app.query_params["dataset"] = "tiny"
    app.run()
    app.text_input(key="import_arch").set_value("timm:resnet10t")
    app.text_input(key="import_encoder_name").set_value("r10")
    app.segmented_control(key="import_origin").set_value("File on the server").run()
    app.text_input(key="import_weights_path").set_value(str(tmp_path / "data" / "model.pt")).run()
    assert not app.exception
    said = app.error[0].value.replace("\\", "").replace("\u2060", "")  # escape_markdown breaks auto-links
    assert "model.pt: the app reads weights from .safetensors files only" in said and "convert it" in said
    assert [block.value for block in app.code] == [registry.CONVERT_COMMAND.format(name="model.pt")]  # to copy
    assert app.button(key="import_encoder_button").disabled
    app.text_input(key="import_weights_path").set_value(str(tmp_path / "data" / "model.safetensors")).run()
    assert not app.error and not app.button(key="import_encoder_button").disabled


def test_an_embedding_table_says_which_columns_made_the_vectors(tmp_path, monkeypatch):
    """A label column read as a dimension leaks the labels into the vectors: the CLI named the
    columns it used, the app did not."""
    ws = Workspace(tmp_path / "ws")
    ingest_uploads(ws, [(f"{i}.png", noise_png(i)) for i in range(IMAGES)], name="tiny", size=16)
    ws.set_meta("demo_seeded", "1")
    table = "file,d0,d1,target\n" + "".join(f"{i}.png,{i},{i * 2},{i % 2}\n" for i in range(IMAGES))
    monkeypatch.setenv("SSL_WORKSPACE", str(ws.root))
    app = AppTest.from_file(str(MAIN), default_timeout=120)
    app.query_params["dataset"] = "tiny"
    app.run()
    app.segmented_control(key="import_kind").set_value("Embeddings").run()
    app.text_input(key="import_vectors_name").set_value("table")
    app.file_uploader(key="import_vectors").set_value(("t.csv", table.encode(), "text/csv")).run()
    app.button(key="import_vectors_button").click().run()
    said = app.success[-1].value.replace("\\", "").replace("\u2060", "")  # escape_markdown breaks auto-links
    assert "Columns used: d0, d1. Left out: target: named like a label or an index, not a dimension." in said
