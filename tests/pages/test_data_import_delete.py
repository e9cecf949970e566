"""AppTest of deleting an import from the Data page's import table: an encoder that a queued
run started from is refused with the run named (only Cancel is offered); an embedding set
is deleted after a confirmation that says its vectors cannot be computed again."""

from __future__ import annotations

import numpy as np
import timm
from safetensors.torch import save_file
from streamlit.testing.v1 import AppTest

from ssl_core import jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.imports import registry
from ssl_core.imports.embeddings import import_embeddings
from ssl_core.imports.encoders import import_encoder
from ssl_core.imports.removal import delete_import
from ssl_core.store import Workspace
from tests.pages.conftest import MAIN
from tests.ssl_core.conftest import noise


def workspace_with_import(tmp_path, count: int) -> Workspace:
    """Dataset "tiny" of `count` noise images (16 px) and timm resnet10t imported as "r10"."""
    ws = Workspace(tmp_path / "ws")
    ingest_uploads(ws, [(f"{i}.png", noise((16, 16), seed=i)) for i in range(count)], name="tiny", size=16)
    ws.set_meta("demo_seeded", "1")
    model = timm.create_model("resnet10t", num_classes=0)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "r10.safetensors"))
    import_encoder(ws, "r10", "timm:resnet10t", tmp_path / "r10.safetensors", image_size=16)
    return ws


def looking_through_r10(ws: Workspace, monkeypatch, page: str) -> AppTest:
    """The app on `ws`'s dataset "tiny" with the import r10 as its encoder, at pages/`page`.py, drawn."""
    monkeypatch.setenv("SSL_WORKSPACE", str(ws.root))
    app = AppTest.from_file(str(MAIN), default_timeout=120)
    app.query_params["dataset"] = "tiny"
    app.query_params["encoder"] = registry.source_key("r10")
    app.run()
    app.switch_page(f"../pages/{page}.py").run()
    assert not app.exception, app.exception
    return app


def test_an_import_is_deleted_after_confirmation_and_refused_while_a_run_starts_from_it(tmp_path, monkeypatch):
    ws = workspace_with_import(tmp_path, 4)
    np.save(tmp_path / "vecs.npy", np.ones((4, 3)))
    import_embeddings(ws, "tiny", "vecs", tmp_path / "vecs.npy")
    run = jobs.create_run(ws, TrainConfig(dataset="tiny", encoder="timm:resnet10t", image_size=16, init="r10"))
    monkeypatch.setenv("SSL_WORKSPACE", str(ws.root))
    app = AppTest.from_file(str(MAIN), default_timeout=120)
    app.query_params["dataset"] = "tiny"
    app.run()

    app.selectbox(key="import_delete_pick").set_value("r10").run()
    app.button(key="import_delete_button").click().run()
    refusal = next(w.value for w in app.warning if "cannot be deleted" in w.value)  # beside the import's warnings
    assert "cannot be deleted now" in refusal and f"{run} (queued)" in refusal.replace("\\", "")
    assert not [b for b in app.button if b.key == "import_delete_yes"]
    app.button(key="import_delete_cancel").click().run()

    app.selectbox(key="import_delete_pick").set_value("vecs").run()
    app.button(key="import_delete_button").click().run()
    assert any("cannot be computed again" in w.value for w in app.warning)
    app.button(key="import_delete_yes").click().run()
    assert not app.exception and "Deleted" in app.success[-1].value
    assert list(app.dataframe[0].value["name"]) == ["r10"]
    assert [c["encoder"] for c in registry.imported(ws)] == ["r10"]
    assert not (ws.dataset_dir(ws.dataset("tiny")) / "embeddings" / "imported-vecs").exists()


def test_a_page_says_so_when_the_encoder_it_looked_through_was_deleted_meanwhile(tmp_path, monkeypatch):
    """Another session deletes the import this one looks through: Retrieval names it and the
    encoder it shows instead (it switched without a word)."""
    ws = workspace_with_import(tmp_path, 12)
    app = looking_through_r10(ws, monkeypatch, "retrieval")
    assert not [box for box in app.info if "no longer in the workspace" in box.value]

    delete_import(ws, "r10")  # by another session
    app.run()
    assert not app.exception, app.exception
    said = [box.value for box in app.info if "no longer in the workspace" in box.value]
    assert said and said[0].startswith("The imported encoder r10 is no longer"), said
    assert "looks through **untrained small" in said[0].replace("\\", ""), said
    app.run()  # said once, where the switch happened
    assert not [box for box in app.info if "no longer in the workspace" in box.value]


def test_an_encoder_deleted_while_the_page_draws_it_reruns_the_page_not_an_error_box(tmp_path, monkeypatch):
    """Another tab deletes the encoder while this one is drawing its map (between the
    picker and the embedding): the rerun says so, where an error box ("no run ...",
    redacted for visitors) stood until the next click."""
    ws = workspace_with_import(tmp_path, 12)
    from ssl_core import embed

    looked_up = embed.cached

    def deleted_meanwhile(ws_, dataset, source):
        if source.imported == "r10" and registry.exists(ws_, "r10"):
            delete_import(ws_, "r10")
            raise FileNotFoundError("encoders/r10/weights.safetensors")  # what reading it then meets
        return looked_up(ws_, dataset, source)

    monkeypatch.setattr(embed, "cached", deleted_meanwhile)
    app = looking_through_r10(ws, monkeypatch, "explorer")
    said = [box.value for box in app.info if "no longer in the workspace" in box.value]
    assert said and said[0].startswith("The imported encoder r10 is no longer"), said


def test_an_embedding_refused_by_the_core_is_said_in_words_not_an_error_box(tmp_path, monkeypatch):
    """embed refuses features that are not finite; the page showed Streamlit's redacted error box."""
    from ssl_core import embed
    from ssl_core.store import WorkspaceError

    said = "imported encoder 'r10' gave features that are not finite (NaN or infinite) for 12 of the 12 images"

    def refused(*args, **kwargs):
        raise WorkspaceError(said)

    monkeypatch.setattr(embed, "embed", refused)
    ws = workspace_with_import(tmp_path, 12)
    app = looking_through_r10(ws, monkeypatch, "explorer")
    assert [e.value.replace("\\", "") for e in app.error] == [said]
