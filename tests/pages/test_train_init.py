"""AppTest of the Train page's "Start from": an imported encoder is offered, and Start queues
a run of its architecture that starts from its weights (init in the run's config)."""

from __future__ import annotations

import json

import timm
from safetensors.torch import save_file
from streamlit.testing.v1 import AppTest

from ssl_core import jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.imports.encoders import import_encoder
from ssl_core.imports.start_from import INIT
from ssl_core.store import Workspace
from tests.pages.test_data_import import MAIN, noise_png


def test_start_from_an_imported_encoder(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    ingest_uploads(ws, [(f"{'ab'[i % 2]}/{i}.png", noise_png(i)) for i in range(8)], name="tiny", size=16)
    ws.set_meta("demo_seeded", "1")
    save_file({k: v.contiguous() for k, v in timm.create_model("resnet10t", num_classes=0).state_dict().items()},
              str(tmp_path / "r10.safetensors"))
    import_encoder(ws, "r10", "timm:resnet10t", tmp_path / "r10.safetensors", image_size=32)
    monkeypatch.setenv("SSL_WORKSPACE", str(ws.root))
    monkeypatch.setattr(jobs, "start_worker", lambda ws: None)
    app = AppTest.from_file(str(MAIN), default_timeout=120)
    app.query_params["dataset"] = "tiny"
    app.run()
    app.switch_page("../pages/train.py").run()
    picker = app.selectbox(key="train_init_simclr")
    assert picker.options == ["random weights (from scratch)", "r10 (timm:resnet10t, imported from r10.safetensors)"]
    picker.set_value("r10").run()
    assert any("Trains timm" in caption.value for caption in app.caption)
    app.segmented_control(key="train_budget").set_value("epochs").run()
    app.number_input(key="train_budget_epochs").set_value(0.2)
    next(b for b in app.button if b.label == "Start training").click().run()
    assert not app.exception and not app.error
    (run,) = jobs.list_runs(ws)
    config = json.loads(run["config"])
    assert (run["encoder"], config["init"]) == ("timm:resnet10t", "r10")
    assert (jobs.run_dir(ws, run["id"]) / INIT).is_file()
