"""AppTest of the Train page's "Start from": an imported encoder is offered, and Start queues
a run of its architecture that starts from its weights (init in the run's config), at the
side it was imported at; "Train again with this" (app/diagnosis) keeps the start."""

from __future__ import annotations

import json

import timm
from safetensors.torch import save_file
from streamlit.testing.v1 import AppTest

from app.diagnosis import train_form
from app.widgets import escape_markdown
from ssl_core import embed, jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.evaluate.stored import evaluate
from ssl_core.imports.encoders import import_encoder
from ssl_core.run_names import run_name
from ssl_core.imports.start_from import INIT
from ssl_core.store import Workspace
from tests.pages.test_data_import import MAIN, noise_png


def train_page(tmp_path, monkeypatch, name: str, model: str, side: int) -> tuple[Workspace, AppTest]:
    """A workspace with dataset "tiny" and timm's `model` imported as `name` at `side` px,
    and the app on its Train page (the worker not started)."""
    ws = Workspace(tmp_path / "ws")
    ingest_uploads(ws, [(f"{'ab'[i % 2]}/{i}.png", noise_png(i)) for i in range(8)], name="tiny", size=16)
    ws.set_meta("demo_seeded", "1")
    net = timm.create_model(model, num_classes=0, **({"img_size": side} if model.startswith("vit") else {}))
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(tmp_path / f"{name}.safetensors"))
    import_encoder(ws, name, f"timm:{model}", tmp_path / f"{name}.safetensors", image_size=side)
    monkeypatch.setenv("SSL_WORKSPACE", str(ws.root))
    monkeypatch.setattr(jobs, "start_worker", lambda ws: None)
    app = AppTest.from_file(str(MAIN), default_timeout=120)
    app.query_params["dataset"] = "tiny"
    app.run()
    app.switch_page("../pages/train.py").run()
    return ws, app


def start(app: AppTest) -> None:
    next(b for b in app.button if b.label == "Start training").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]


def test_start_from_an_imported_encoder(tmp_path, monkeypatch):
    ws, app = train_page(tmp_path, monkeypatch, "r10", "resnet10t", 32)
    picker = app.selectbox(key="train_init_simclr")
    assert picker.options == ["random weights (from scratch)", "r10 (timm:resnet10t, imported from r10.safetensors)"]
    picker.set_value("r10").run()
    assert any("Trains timm" in caption.value for caption in app.caption)
    shown = app.selectbox(key="train_encoder_of_start_simclr")  # walk 23: the box said small_cnn
    assert (shown.value, shown.disabled, shown.label) == ("timm:resnet10t", True, "Encoder")
    app.segmented_control(key="train_budget").set_value("epochs").run()
    app.number_input(key="train_budget_epochs").set_value(0.2)
    start(app)
    (run,) = jobs.list_runs(ws)
    config = json.loads(run["config"])
    assert (run["encoder"], config["init"]) == ("timm:resnet10t", "r10")
    assert (jobs.run_dir(ws, run["id"]) / INIT).is_file()
    assert jobs.execute(ws, run["id"]).status == "completed"
    app.run()  # a run trained from an import is a start in its turn, as `train --init RUN` takes it
    assert app.selectbox(key="train_init_simclr").options[-1] == f"run {run_name(jobs.get_run(ws, run['id']))}"
    # Evaluate says where the run started and offers its start beside it (walk 16: only the untrained was judged)
    report = evaluate(ws, "tiny", embed.from_name(ws, run["id"]))
    # judged against its start on the same folds too (walk 24: "Worse than its starting weights" on Train, "Nothing
    # learned yet" on Evaluate)
    began = report["verdict_basis"]["start"]
    assert f"It started from the weights of r10, which scored {began:.1%} on the same " in report["verdict_text"]
    assert "-fold cross-validation: " in report["verdict_text"]
    app.switch_page("../pages/evaluate.py").run()
    said = [c.value for c in app.caption if c.value.startswith(escape_markdown("It started from the weights of r10"))]
    assert said and said[0].endswith(escape_markdown("judge r10 beside it (Encoders to judge) to see what the run "
                                                     "changed on these labels.")), [c.value for c in app.caption]


def test_a_run_from_an_imported_vit_trains_at_its_side(tmp_path, monkeypatch):
    ws, app = train_page(tmp_path, monkeypatch, "vit", "vit_tiny_patch16_224", 48)
    app.selectbox(key="train_init_simclr").set_value("vit").run()
    app.selectbox(key="train_recipe_simclr").set_value("simclr").run()  # two views: no half-side local crops
    start(app)
    (run,) = jobs.list_runs(ws)
    assert json.loads(run["config"])["image_size"] == 48


def test_train_again_keeps_the_start_and_its_encoder(tmp_path, monkeypatch):
    ws, app = train_page(tmp_path, monkeypatch, "r10", "resnet10t", 32)
    advised = TrainConfig(dataset="tiny", encoder="timm:resnet10t", init="r10", image_size=32, epochs=0.2)
    fill = train_form(advised)
    assert fill["train_init_simclr"] == "r10"
    for key, value in fill.items():
        if value is not None:
            app.session_state[key] = value
    app.run()
    assert not app.exception, app.exception
    assert app.selectbox(key="train_init_simclr").value == "r10"
    start(app)
    (run,) = jobs.list_runs(ws)
    assert (run["encoder"], json.loads(run["config"])["init"]) == ("timm:resnet10t", "r10")
