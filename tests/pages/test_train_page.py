"""AppTest of the Train page: the pickers come from the registries, "Start training" queues
a run and starts a worker, the live panel shows a run through queued, running, completed,
cancelled, interrupted (Resume) and failed, with its verdict against the untrained network
(never green unless it beat it), and a bad choice is an error, not a traceback.

`run_every` fragments do not tick in AppTest, and the real worker is a detached process:
here `jobs.start_worker` is replaced by a recorder and queued runs are trained in this
process with `jobs.work`; each `at.run()` is what the next tick would show.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app.widgets import escape_markdown
from tests.pages.conftest import VERDICT_ICONS, verdicts

from ssl_core import jobs, machine_load
from ssl_core.augment import make_recipe
from ssl_core.engine import TrainConfig
from ssl_core.evaluate.verdict import MAJORITY
from ssl_core.methods import METHODS
from ssl_core.models import ENCODERS
from ssl_core.models.calibration import MARKER
from ssl_core.run_names import names_told_apart, run_name
from ssl_core.store import Workspace

RUN_TIMEOUT = 120
MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"
TRAIN = "../pages/train.py"  # relative to app/main.py, as in st.navigation
LAB = "../pages/augment_lab.py"
DEFAULT_RECIPE = "With the recipe's default settings (tune them in the Augmentation Lab)."
NO_RUNS = ("No runs yet. The form starts at the defaults (simclr with small_cnn, 5 minutes); once it runs, the "
           "verdict beside it says whether it learned something on this data.")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A workspace the app has seeded with its demo data (shapes, digits), made once per
    module; every test trains in its own copy."""
    root = tmp_path_factory.mktemp("train") / "seeded"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SSL_WORKSPACE", str(root))
        at = AppTest.from_file(str(MAIN), default_timeout=RUN_TIMEOUT)
        at.run()
        assert not at.exception, at.exception
    assert [d.name for d in Workspace(root).datasets()] == ["shapes", "digits", "docstrings"]
    return root


@pytest.fixture
def ws(seeded, tmp_path, monkeypatch) -> Workspace:
    root = tmp_path / "ws"
    shutil.copytree(seeded, root)
    monkeypatch.setenv("SSL_WORKSPACE", str(root))
    return Workspace(root)


@pytest.fixture
def started(monkeypatch) -> list[Path]:
    """Roots of the workspaces the page asked a worker for (no process is spawned)."""
    calls: list[Path] = []
    monkeypatch.setattr(jobs, "start_worker", lambda ws: calls.append(ws.root))
    return calls


def open_app() -> AppTest:
    """The app as a link to shapes opens it (?dataset=shapes): the seeded workspace has two
    datasets, and with none picked the Train page starts nothing."""
    at = AppTest.from_file(str(MAIN), default_timeout=RUN_TIMEOUT)
    at.query_params["dataset"] = "shapes"
    return at


@pytest.fixture
def page(ws, started) -> AppTest:
    at = open_app()
    at.run()
    assert not at.exception, at.exception
    at.switch_page(TRAIN).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Train"
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


RUN_ADMIN = ("Save", "Delete this run",  # in the watched run's "Name, notes, delete" expander
             "Make a GIF for slides")  # under its map in motion


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.label not in RUN_ADMIN]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def progress(at: AppTest):
    (bar,) = at.get("progress")
    return bar


def array(values) -> list:
    """A plotly JSON array: a list, or numpy's typed form {"dtype", "bdata" (base64)}."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def figures(at: AppTest) -> dict[str, dict]:
    """Plotly figures on the page (their JSON) by title."""
    out = {}
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        out[figure["layout"]["title"]["text"]] = figure
    return out


def name_width(at: AppTest) -> str:
    """The width of the runs table's name column."""
    return json.loads(at.dataframe[0].proto.columns)["name"]["width"]


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly figures on the page by title: {title: {trace name: x values}}."""
    return {title: {trace["name"]: array(trace["x"]) for trace in figure["data"]}
            for title, figure in figures(at).items()}


def levels(figure: dict) -> dict[str, float]:
    """{label: y} of the horizontal lines drawn on a figure (chance, untrained)."""
    layout = figure["layout"]
    return {note["text"]: shape["y0"] for note, shape in zip(layout.get("annotations", []), layout.get("shapes", []))}


def set_run(ws: Workspace, run_id: str, **values) -> None:
    columns = ", ".join(f"{name} = ?" for name in values)
    with ws.write() as conn:
        conn.execute(f"UPDATE runs SET {columns} WHERE id = ?", (*values.values(), run_id))


def test_page_without_runs_lists_the_registries(page):
    assert [i.value for i in page.info] == [NO_RUNS]
    page.selectbox(key="train_method").set_value("byol")
    page.number_input(key="train_budget_minutes").set_value(1.0).run()
    assert [i.value for i in page.info] == [  # walk 35: 'starts at the defaults' over simcse, 1 minute
        "No runs yet. The form holds byol with small_cnn, 1 minute, not the defaults (simclr with small_cnn, 5 "
        "minutes); once it runs, the verdict beside it says whether it learned something on this data."]
    page.selectbox(key="train_method").set_value("simclr")
    page.number_input(key="train_budget_minutes").set_value(5.0).run()
    assert labels(page) == ["Start training"]
    assert not page.get("progress") and not page.metric and not page.dataframe
    assert page.selectbox(key="train_dataset").options == ["shapes", "digits", "docstrings"]

    method = page.selectbox(key="train_method")
    assert method.value == "simclr"
    images = [name for name, m in METHODS.items() if "image" in m.kinds]  # mlm, simcse: for text datasets
    assert method.options == [f"{name}: {METHODS[name].description}" for name in images]
    assert [option.split(":")[0] for option in method.options] == images
    assert page.selectbox(key="train_encoder_simclr").options == [
        f"{name}: {entry.description}" for name, entry in ENCODERS.items() if entry.kind == "image"]
    assert page.selectbox(key="train_encoder_simclr").value == "small_cnn"
    recipe = page.selectbox(key="train_recipe_simclr")
    assert [o.split(":")[0] for o in recipe.options] == list(METHODS["simclr"].recipes)
    assert recipe.value == METHODS["simclr"].default_recipe
    assert page.segmented_control(key="train_budget").value == "minutes"
    assert page.number_input(key="train_budget_minutes").value == 5.0
    assert page.select_slider(key="train_batch_shapes").value == TrainConfig.batch_size
    assert page.number_input(key="train_lr_simclr").value == METHODS["simclr"].default_lr

    method.set_value("mae").run()
    assert not page.exception, page.exception
    encoder = page.selectbox(key="train_encoder_mae")
    assert encoder.options == [f"vit_tiny: {ENCODERS['vit_tiny'][1]}"]
    assert encoder.value == "vit_tiny"
    assert [o.split(":")[0] for o in page.selectbox(key="train_recipe_mae").options] == ["mae"]
    assert page.number_input(key="train_lr_mae").value == METHODS["mae"].default_lr
    # its "-" steps down by a tenth (Streamlit's step of 0.01 left no room under 0.0015 and was refused)
    page.number_input(key="train_lr_mae").decrement().run()
    assert page.number_input(key="train_lr_mae").value == pytest.approx(0.9 * METHODS["mae"].default_lr)
    assert any(c.value.startswith("Method from He et al") for c in page.caption)
    assert DEFAULT_RECIPE in [c.value for c in page.caption]


def test_the_batch_fits_the_dataset_and_one_larger_is_said_to_take_all_of_it(ws, started):
    """Walk 7: 64 on 240 images made 3 steps per pass, and the run's Diagnosis first advised
    batch 32; walk 8: the slider offered 512 on 300 sentences, and the engine quietly took 300."""
    from ssl_core.data.ingest import ingest_uploads
    from tests.pages.test_augment_lab import png_bytes

    for name, count in (("thirty", 30), ("few", 240)):
        ingest_uploads(ws, [(f"{i}.png", png_bytes((i % 250, 90, 200))) for i in range(count)], name=name, size=16)
    page = open_app()
    page.query_params["dataset"] = "few"
    page.run()
    page.switch_page(TRAIN).run()
    assert not page.exception, page.exception
    assert page.select_slider(key="train_batch_few").value == 32
    assert ("Batch 32, not 64: 240 images make 7 steps per pass at 32, 3 at 64; fewer than 4 steps per pass "
            "learned less in tuning.") in [c.value for c in page.caption]
    page.select_slider(key="train_batch_few").set_value(128).run()  # walk 19: too few steps, unsaid
    assert ("Batch 128 makes 1 step per pass over 240 images: fewer than 4 steps per pass learned less in tuning; "
            "batch 32 makes 7.") in [c.value for c in page.caption]
    page.select_slider(key="train_batch_few").set_value(512).run()
    assert ("This dataset holds 240 images: each batch takes all of them, 1 step per pass (fewer than 4 steps per "
            "pass learned less in tuning; batch 32 makes 7), and the learning rate is scaled by 240 / 256.") in [
        c.value for c in page.caption]
    page.selectbox(key="train_dataset").set_value("thirty").run()
    assert page.select_slider(key="train_batch_thirty").value == 64  # no batch makes more than one step of 30
    whole = ("This dataset holds 30 images: each batch takes all of them, 1 step per pass, and the learning rate is "
             "scaled by 30 / 256.")  # no batch makes more steps of 30: nothing to advise
    assert whole in [c.value for c in page.caption]
    page.select_slider(key="train_batch_thirty").set_value(16).run()
    assert whole not in [c.value for c in page.caption]
    button(page, "Start training").click().run()
    assert json.loads(jobs.list_runs(ws)[0]["config"])["batch_size"] == 16


def test_start_queues_a_text_run_on_the_forms_defaults(page, ws, started):
    """A stranger pressed Start on a text dataset with the form untouched and read "no recipe
    'bert_mask'; choose one of: simclr, ..." (the run's name was made from image recipes only)."""
    page.selectbox(key="train_dataset").set_value("docstrings").run()
    button(page, "Start training").click().run()
    assert not page.exception, page.exception
    assert not page.error, [e.value for e in page.error]
    (run,) = jobs.list_runs(ws)
    assert (run["status"], run["dataset"], run["method"]) == ("queued", "docstrings", "mlm_simcse")
    assert json.loads(run["config"])["recipe"]["name"] == "bert_mask" and run_name(run) == "MLM+SimCSE · 5 min"


def test_start_queues_a_run_and_the_panel_follows_it_to_completed(page, ws, started):
    page.segmented_control(key="train_budget").set_value("epochs").run()
    assert page.number_input(key="train_budget_epochs").value == 20.0
    page.number_input(key="train_budget_epochs").set_value(0.2)
    page.select_slider(key="train_batch_shapes").set_value(64)
    button(page, "Start training").click().run()
    assert not page.exception, page.exception
    assert not page.error

    (run,) = jobs.list_runs(ws)
    assert run["status"] == "queued" and run["dataset"] == "shapes"
    assert (run["method"], run["encoder"]) == ("simclr", "small_cnn")
    config = json.loads(run["config"])
    assert (config["epochs"], config["minutes"], config["batch_size"]) == (0.2, None, 64)
    assert config["lr"] == METHODS["simclr"].default_lr
    assert config["recipe"] == make_recipe(METHODS["simclr"].default_recipe).to_dict()
    assert started == [ws.root]  # one worker asked for, on this workspace

    assert page.selectbox(key="train_watch").value == run["id"]
    assert escape_markdown(run_name(run)) in [s.value for s in page.subheader]
    assert run_name(run) == "SimCLR · 0.2 epochs"  # batch 64 is the default: not in the name
    assert metrics(page) == {"Status": "queued", "Images / s": "-", "Loss": "-", "ETA": "-"}
    assert (progress(page).value, progress(page).text) == (0, "step 0")
    assert "Cancel" in labels(page) and "Resume" not in labels(page)
    assert page.dataframe[0].value["status"].tolist() == ["queued"]
    assert page.dataframe[0].value["final loss"].isna().all() and page.dataframe[0].proto.placeholder == "–"
    assert verdicts(page) == [("orange", "Nothing to judge yet: the run has not measured its encoder against the "
                                         "untrained network.")]
    assert "Training loss" not in figures(page)  # no empty axes from step -1 to 6: a line says when they come
    assert "The training loss and the collapse monitor are drawn from the run's first step on." in [
        c.value for c in page.caption]

    assert jobs.work(ws, "cpu") == 1  # what the worker process would do
    done = jobs.get_run(ws, run["id"])
    steps = round(0.2 * (ws.dataset("shapes").image_count // 64))
    assert ws.dataset("shapes").image_count == 2000 and steps == 6
    assert done["status"] == "completed" and done["step"] == steps

    page.run()  # the next tick of the panel
    assert not page.exception, page.exception
    shown = metrics(page)
    assert shown["Status"] == "completed"
    assert shown["Loss"] == f"{done['loss']:.4f}" and 0 < float(shown["Loss"]) < 20
    assert shown["Images / s, whole run"] == f"{done['images_per_s']:.0f}" and done["images_per_s"] > 0
    assert shown["ETA"] == "-"
    assert (progress(page).value, progress(page).text) == (100, "step 6 of ~6")
    assert f"simclr · small_cnn · dataset shapes · status **completed** · run {run['id']}" in [
        c.value for c in page.caption]
    assert "Cancel" not in labels(page) and "Resume" not in labels(page)
    motion = next(c.value for c in page.caption if "the dataset the run trained on" in c.value)
    assert motion.endswith("PCA keeps only the two directions of widest spread: groups the encoder tells apart in "
                           "all its dimensions (the kNN accuracy above the map) may overlap here; UMAP, the "
                           "Explorer's map by default, draws them apart. Coloured by label.")  # a text run's map read
    # kNN 1.000 over four mixed topics; it says what its colours are (walk 14)
    verdict = jobs.run_verdict(ws, run["id"])  # 6 steps: kNN against the untrained network's, on the probe
    assert verdicts(page) == [(verdict.colour, verdict.text)]
    assert [box.value for box in [*page.success, *page.warning, *page.error]] == [verdict.text]  # the only box

    curves = charts(page)
    assert curves["Training loss"] == {"loss": [1, 2, 3, 4, 5, 6]}
    assert curves["Collapse monitor (falling = warning)"] == {"embedding std": [1, 6], "effective rank": [1, 6]}
    assert curves["Online kNN accuracy (labels used only here)"] == {"knn accuracy": [1, 6]}
    series = jobs.metrics(ws, run["id"])
    assert series["knn_untrained"][0].tolist() == [0]  # measured before the first step
    assert levels(figures(page)["Online kNN accuracy (labels used only here)"]) == {
        "chance": 0.2, "untrained": pytest.approx(series["knn_untrained"][1][0])}
    (loss,) = figures(page)["Training loss"]["data"]
    assert array(loss["y"]) == pytest.approx(series["loss"][1].tolist())
    health = figures(page)["Collapse monitor (falling = warning)"]["data"]
    assert [trace.get("yaxis", "y") for trace in health] == ["y", "y2"]  # rank on its own scale
    axes = figures(page)["Collapse monitor (falling = warning)"]["layout"]
    assert axes["yaxis"]["range"] == [0, 1.05] and axes["yaxis2"]["rangemode"] == "tozero"  # not one on the other
    # the rank in a panel of its own under the stds (walks 10, 18: on a right-hand axis its band was read as theirs)
    assert axes["yaxis2"]["domain"][1] < axes["yaxis"]["domain"][0] and "overlaying" not in axes["yaxis2"]
    assert axes["xaxis2"]["title"]["text"] == "step" and axes["xaxis"]["matches"] == "x2"  # one step axis
    # where a falling rank becomes collapse: the verdict's line, on the rank's axis (a rank halving alarmed a stranger)
    (zone,) = axes["shapes"]
    assert zone["yref"] == "y2" and (zone["y0"], zone["y1"]) == (0, pytest.approx(
        0.3 * series["effective_rank_untrained"][1][0]))
    assert zone["showlegend"] and zone["name"] == ("collapse: effective rank under 30% of the untrained "
                                                  "network's")  # named in the legend, where no dip runs under it

    table = page.dataframe[0].value
    assert table["run"].tolist() == [run["id"]]
    row = table.iloc[0]
    assert (row["name"], row["status"], row["encoder"], row["steps"]) == (run_name(run), "completed", "small_cnn", 6)
    assert "dataset" not in table  # the heading names it: "All runs on shapes"
    assert "The table scrolls sideways to its last columns" in " ".join(c.value for c in page.caption)
    assert row["final loss"] == pytest.approx(done["loss"])
    assert row["speed"] == f"{done['images_per_s']:,.0f} images/s"
    assert row["training"] == pytest.approx(series["training_s"][1][-1]) and 0 < row["training"] < 600
    assert row["kNN accuracy"] == round(100 * series["knn_accuracy"][1][-1], 1)  # to 0.1%, as the verdict says it
    assert row["verdict"] == verdict.headline  # the panel's verdict, in the table too
    assert 0 <= row["kNN accuracy"] <= 100
    assert row["embedding std"] == pytest.approx(series["embedding_std"][1][-1])


def test_the_recipe_tuned_in_the_lab_is_offered_first_and_trained(page, ws, started):
    page.switch_page(LAB).run()
    page.selectbox(key="lab_recipe_name").set_value("byol").run()
    page.slider(key="lab_byol_gray_p").set_value(0.6).run()
    assert not page.exception, page.exception
    lab = page.session_state["lab_recipe"]
    assert lab == {"name": "byol", "gray_p": 0.6}  # only what was changed in the Lab

    page.switch_page(TRAIN).run()
    assert not page.exception, page.exception
    recipe = page.selectbox(key="train_recipe_simclr")
    assert recipe.value == "byol"
    assert [o.split(":")[0] for o in recipe.options] == list(METHODS["simclr"].recipes)
    assert [i.value for i in page.info][0] == ("From the Augmentation Lab: recipe **byol** (the method's default "
                                               "is simclr_multicrop), changed there: gray p 0.6.")
    button(page, "Start training").click().run()
    assert not page.exception, page.exception
    with_lab = page.session_state["train_watch"]

    page.selectbox(key="train_recipe_simclr").set_value("simclr_multicrop").run()
    assert DEFAULT_RECIPE in [c.value for c in page.caption]
    button(page, "Start training").click().run()
    assert not page.exception, page.exception
    with_default = page.session_state["train_watch"]

    assert with_lab != with_default and len(jobs.list_runs(ws)) == 2 and len(started) == 2
    assert json.loads(jobs.get_run(ws, with_lab)["config"])["recipe"] == make_recipe("byol", gray_p=0.6).to_dict()
    names = {run["id"]: run_name(run) for run in jobs.list_runs(ws)}
    assert names == {with_lab: "SimCLR · byol recipe · gray p 0.6 · 5 min", with_default: "SimCLR · 5 min"}
    assert json.loads(jobs.get_run(ws, with_default)["config"])["recipe"] == make_recipe("simclr_multicrop").to_dict()

    page.selectbox(key="train_method").set_value("rotation").run()  # the Lab's byol does not fit
    assert [o.split(":")[0] for o in page.selectbox(key="train_recipe_rotation").options] == ["rotation"]
    assert DEFAULT_RECIPE in [c.value for c in page.caption]


def test_running_run_shows_progress_eta_and_cancel_asks_the_worker(page, ws, started):
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    # what a live worker (this process stands in for it) has written after 3 of 10 steps
    set_run(ws, run_id, status="running", pid=os.getpid(), started="2026-01-01T00:00:00", step=3,
            total_steps=10, progress=0.3, images_per_s=123.4, eta_s=42.0, loss=4.5)
    page.run()
    assert not page.exception, page.exception
    assert metrics(page) == {"Status": "running", "Images / s": "123", "Loss": "4.5000", "ETA": "42 s"}
    assert (progress(page).value, progress(page).text) == (30, "step 3 of ~10 · about 42 s left")
    assert labels(page) == ["Start training", "Cancel"]
    row = page.dataframe[0].value.iloc[0]  # the table tells what the panel tells (both redrawn every 2 s)
    assert (row["status"], row["steps"]) == ("running", 3)

    button(page, "Cancel").click().run()
    assert not page.exception, page.exception
    run = jobs.get_run(ws, run_id)
    assert (run["status"], run["cancel_requested"]) == ("running", 1)  # stops at its next step
    assert started == []
    # walk 32: the page went on saying 'running' beside the same Cancel button until the worker stopped
    assert metrics(page)["Status"] == "stopping" and labels(page) == ["Start training"]
    assert any(i.value.startswith("Cancel asked: the run stops once its current step ends") for i in page.info)
    set_run(ws, run_id, status="cancelled", finished="2026-01-01T00:01:00")  # the worker stopped it
    page.run()
    assert metrics(page)["Status"] == "cancelled" and not any(i.value.startswith("Cancel asked") for i in page.info)


def test_an_interrupted_run_s_speed_is_said_to_be_the_one_when_it_stopped(page, ws):
    """Only a run that ended stores its whole-run speed (jobs.execute); a killed worker leaves the
    moving average of its last steps, which the panel had labelled "whole run"."""
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    set_run(ws, run_id, status="interrupted", started="2026-01-01T00:00:00", step=3, total_steps=10, progress=0.3,
            images_per_s=123.4, loss=4.5)
    page.run()
    assert not page.exception, page.exception
    assert metrics(page)["Images / s, when it stopped"] == "123"


@pytest.mark.parametrize("others, told", [(1.3, True), (0.2, False)])
def test_a_run_that_shared_a_busy_machine_is_told_so(page, ws, others, told):
    """A 1.5-minute run that took only 17 steps on a busy machine was not told why: the trainer
    now keeps how many cores other programs kept busy (other_cores) and the panel says so."""
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    set_run(ws, run_id, status="completed", started="2026-01-01T00:00:00", finished="2026-01-01T00:01:30",
            step=17, progress=1.0, images_per_s=98.0)
    writer = jobs.JobReporter(ws, run_id)
    writer.on_metrics(17, {"loss": 4.0, machine_load.OTHER_CORES: others})
    writer.flush()
    page.run()
    assert not page.exception, page.exception
    notes = [c.value for c in page.caption if "Other work kept" in c.value]
    assert notes == ([f"Other work kept about {others:.1f} cores of this machine busy while it trained (other "
                      "programs, and this app's own pages and a browser showing them on this machine count too): it "
                      "shared them, so it trained more slowly than it would alone (fewer images a second; a minutes "
                      "budget then holds fewer steps). Closing the page does not stop a run."] if told else [])


def test_a_run_that_failed_at_its_first_step_shows_its_loss_and_no_empty_monitor(page, ws):
    """A run at learning rate 1000 failed at step 1 with a loss and no online measurement: the
    collapse monitor was drawn as empty axes from step -1 to 6."""
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    set_run(ws, run_id, status="failed", started="2026-01-01T00:00:00", finished="2026-01-01T00:00:05", step=1,
            message="the encoder's features became non-finite at step 1")
    writer = jobs.JobReporter(ws, run_id)
    writer.on_metrics(1, {"loss": 7.28})
    writer.flush()
    page.run()
    assert not page.exception, page.exception
    assert "Training loss" in figures(page) and "Collapse monitor (falling = warning)" not in figures(page)
    assert "The run stopped before its first online measurement: no collapse monitor." in [
        c.value for c in page.caption]


def test_a_run_that_made_no_step_draws_no_curve_under_its_words_that_it_has_none(page, ws):
    """Walk 30: a 0.3-minute run whose first step had not ended read "The run measured no training step: it has no
    curves." over an online kNN chart of one point, its starting weights' measurement at step 0."""
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", minutes=0.3))
    set_run(ws, run_id, status="completed", started="2026-01-01T00:00:00", finished="2026-01-01T00:00:40", step=0)
    writer = jobs.JobReporter(ws, run_id)
    writer.on_metrics(0, {"knn_accuracy": 0.43, "knn_untrained": 0.36, "probe_size": 300})
    writer.flush()
    page.run()
    assert not page.exception, page.exception
    assert "The run measured no training step: it has no curves." in [c.value for c in page.caption]
    assert not figures(page)


def test_the_collapse_monitor_shows_the_spread_of_the_projections_where_a_run_reports_it(page, ws):
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", method="byol", epochs=1))
    set_run(ws, run_id, status="running", pid=os.getpid(), started="2026-01-01T00:00:00", step=4, total_steps=10)
    writer = jobs.JobReporter(ws, run_id)  # what BYOL's worker writes: output_std every step
    for step in range(1, 5):
        writer.on_metrics(step, {"loss": -1.0, "output_std": 1.0 - step / 10}
                          | ({"embedding_std": 0.9, "effective_rank": 20.0} if step % 2 == 0 else {}))
    writer.flush()
    page.run()
    assert not page.exception, page.exception
    title = "Collapse monitor (falling = warning)"
    assert charts(page)[title] == {"embedding std": [2, 4], "output std": [1, 2, 3, 4], "effective rank": [2, 4]}
    health = figures(page)[title]
    assert [trace.get("yaxis", "y") for trace in health["data"]] == ["y", "y", "y2"]  # both spreads on one scale
    assert array(health["data"][1]["y"]) == pytest.approx([0.9, 0.8, 0.7, 0.6])
    assert health["layout"]["yaxis"]["title"]["text"] == "std"  # the legend names its two lines


def test_on_unequal_classes_the_knn_chart_draws_the_largest_class_the_verdict_judges_against(page, ws):
    """Walk 14: 'chance' was drawn at 33.3% under a curve at 70% while the verdict's floor, the
    largest class, was 65.7%: the curve looked far above what knowing nothing scores."""
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    set_run(ws, run_id, status="completed", pid=os.getpid(), started="2026-01-01T00:00:00", step=50, total_steps=50)
    writer = jobs.JobReporter(ws, run_id)
    writer.on_metrics(0, {"knn_untrained": 0.45, "effective_rank_untrained": 13.5, "probe_size": 1024.0,
                          MAJORITY: 0.5, MARKER: 1.0})
    for step in (1, 25, 50):
        writer.on_metrics(step, {"loss": 5.0, "embedding_std": 0.5, "effective_rank": 20.0, "knn_accuracy": 0.52})
    writer.flush()
    page.run()
    assert not page.exception, page.exception
    ((_, text),) = verdicts(page)
    assert "(always answering the largest class scores 50.0%" in text
    assert levels(figures(page)["Online kNN accuracy (labels used only here)"]) == {"largest class": 0.5,
                                                                                   "untrained": 0.45}


@pytest.mark.parametrize("status, knn, colour, opening", [
    ("completed", 0.20, "orange", "Nothing learned yet"),  # flat on the chance line (5 classes)
    ("running", 0.25, "orange", "No gain beyond noise yet"),  # 3 points up: within 2 SE on 1024 images
    ("completed", 0.74, "green", "Learned something"),
    ("failed", 0.10, "red", "The run failed before its first checkpoint; Evaluate has nothing of it to judge. "
                            "Its last measurement: Worse"),  # no checkpoint: nothing to send to Evaluate
    ("failed", 0.74, "orange", "The run failed before its first checkpoint; Evaluate has nothing of it to judge. "
                               "Its last measurement: Learned"),
    ("cancelled", 0.20, "orange", "Nothing learned yet"),  # and said where it stopped (walk 32)
    ("running", 0.10, "red", "Worse than untrained"),  # said to be so far (walk 33)
])
def test_the_verdict_compares_the_knn_with_the_untrained_network_and_chance(page, ws, status, knn, colour, opening):
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    set_run(ws, run_id, status=status, pid=os.getpid(), started="2026-01-01T00:00:00", step=50, total_steps=100)
    writer = jobs.JobReporter(ws, run_id)  # what the worker writes: the untrained network at step 0, then kNN
    writer.on_metrics(0, {"knn_untrained": 0.22, "effective_rank_untrained": 13.5, "probe_size": 1024.0, MARKER: 1.0})
    for step in (1, 25, 50):
        writer.on_metrics(step, {"loss": 5.0, "embedding_std": 0.5, "effective_rank": 20.0, "knn_accuracy": knn})
    writer.flush()
    page.run()
    assert not page.exception, page.exception
    ((shown, text),) = verdicts(page)
    assert shown == colour and text.startswith(opening)
    assert f"kNN accuracy {knn:.1%} against 22.0% for the untrained network (chance 20.0%, 1024 labelled" in text
    assert ("It was cancelled at step 50 of about 100: this is what it had learned by then." in text) == (
        status == "cancelled")
    assert text.endswith("So far: the run is at step 50 of about 100 and goes on, and this is checked again every 25 "
                         "steps.") == (status == "running" and colour == "red")
    assert levels(figures(page)["Online kNN accuracy (labels used only here)"]) == {"chance": 0.2, "untrained": 0.22}
    headline = opening.split(";")[0]  # 'Nothing learned yet', 'The run failed before its first checkpoint'
    assert page.dataframe[0].value["verdict"].tolist() == [headline]  # the table says it too
    waiting = next(box.icon for box in [*page.success, *page.warning, *page.error] if box.value == text)
    assert (waiting == ":material/hourglass_empty:") == (status == "running" and colour == "orange")


@pytest.mark.parametrize("shared, colour, opening", [
    (0.039, "green", "Learned something beyond pixels and colour"),  # shapes after 450 steps
    (0.105, "orange", "Nothing shown yet"),  # shapes after 50 steps: moved away, not below a quarter
])
def test_without_knn_the_verdict_and_chart_use_the_neighbours_shared_with_the_pixels(page, ws, shared, colour,
                                                                                    opening):
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    set_run(ws, run_id, status="completed", step=50, total_steps=50, progress=1.0)
    writer = jobs.JobReporter(ws, run_id)  # an unlabelled run's metrics, as measured on shapes
    writer.on_metrics(0, {"pixel_shared_untrained": 0.197, "effective_rank_untrained": 13.5, "probe_size": 1024.0,
                          MARKER: 1.0})
    writer.on_metrics(50, {"loss": 5.0, "embedding_std": 0.573, "effective_rank": 23.3, "pixel_shared": shared})
    writer.flush()
    page.run()
    assert not page.exception, page.exception
    ((shown, text),) = verdicts(page)
    assert shown == colour and text.startswith(opening)
    assert f"share {shared:.1%} with its nearest by raw pixels and colour, against 19.7% for the untrained" in text
    title = "Neighbours shared with raw pixels and colour (lower: grouped by more than raw pixels and colour)"
    assert charts(page)[title] == {"pixel shared": [50]}
    assert levels(figures(page)[title]) == {"untrained": 0.197}
    assert "Online kNN accuracy (labels used only here)" not in figures(page)


def test_use_the_default_instead_of_the_labs_recipe(ws, started):
    page = open_app().run()
    page.session_state["lab_recipe"] = {"name": "simclr", "crop_min": 0.5}  # as the Lab leaves it
    page.switch_page(TRAIN).run()
    assert page.selectbox(key="train_recipe_simclr").value == "simclr"
    button(page, "Use the default instead").click().run()
    assert not page.exception, page.exception
    assert "lab_recipe" not in page.session_state
    assert page.selectbox(key="train_recipe_simclr").value == "simclr_multicrop"
    assert DEFAULT_RECIPE in [c.value for c in page.caption]


def test_a_run_is_renamed_noted_and_deleted_with_its_files(page, ws, started):
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=0.05))
    assert jobs.work(ws, "cpu") == 1
    page.run()
    (name,) = [t for t in page.text_input if t.label == "Name"]
    assert name.value == "SimCLR · 0.05 epochs"
    name.input("crop test")
    page.text_area[0].input("crops kept at 30%")
    button(page, "Save").click().run()
    assert not page.exception, page.exception
    row = page.dataframe[0].value.iloc[0]
    assert (row["name"], row["notes"]) == ("crop test", "crops kept at 30%")
    assert page.selectbox(key="train_watch").format_func(run_id) == "crop test · on shapes"
    assert name_width(page) == "medium"
    [t for t in page.text_input if t.label == "Name"][0].input("SimCLR with six small crops at batch 64 for 5 minutes")
    button(page, "Save").click().run()
    assert name_width(page) == "large"  # walk 18: a long name was cut at 200 px

    button(page, "Delete this run").click().run()
    assert any("Delete **SimCLR with six small crops at batch 64 for 5 minutes**" in w.value for w in page.warning)
    button(page, "Yes, delete").click().run()
    assert not page.exception, page.exception
    assert jobs.list_runs(ws) == [] and not jobs.run_dir(ws, run_id).exists()
    assert [i.value for i in page.info] == [NO_RUNS]


def test_cancel_a_queued_run(page, ws, started):
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    page.run()
    assert page.selectbox(key="train_watch").value == run_id
    assert metrics(page)["Status"] == "queued"
    button(page, "Cancel").click().run()
    assert not page.exception, page.exception
    run = jobs.get_run(ws, run_id)
    assert run["status"] == "cancelled" and run["finished"] is not None
    assert metrics(page)["Status"] == "cancelled"
    assert page.dataframe[0].value["status"].tolist() == ["cancelled"]
    # nothing trained, so there is no checkpoint to resume from
    assert labels(page) == ["Start training"]
    assert started == []


def test_resume_requeues_an_interrupted_run(page, ws, started):
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=0.1, batch_size=64))
    assert jobs.work(ws, "cpu") == 1
    assert jobs.get_run(ws, run_id)["checkpoint"]
    message = "the worker stopped unexpectedly; resume continues from the last checkpoint"
    set_run(ws, run_id, status="interrupted", message=message, finished=None)
    page.run()
    assert not page.exception, page.exception
    assert metrics(page)["Status"] == "interrupted"
    assert not_verdicts(page.warning) == [message]
    assert labels(page) == ["Start training", "Resume"]

    button(page, "Resume").click().run()
    assert not page.exception, page.exception
    run = jobs.get_run(ws, run_id)
    assert (run["status"], run["message"], run["step"]) == ("queued", None, 3)
    assert started == [ws.root]
    assert metrics(page)["Status"] == "queued"
    assert labels(page) == ["Start training", "Cancel"]
    assert not not_verdicts(page.warning)


def not_verdicts(boxes) -> list[str]:
    """The texts of `boxes` other than the run's verdict (app.widgets.verdict_box, known by its icon)."""
    return [box.value for box in boxes if box.icon not in VERDICT_ICONS]


@pytest.mark.parametrize("error, shown", [
    (ValueError("boom"), "boom"),
    (KeyError("no method 'x'; choose one of: simclr"), "no method 'x'; choose one of: simclr"),
])
def test_a_bad_choice_is_an_error_not_an_exception(page, ws, started, monkeypatch, error, shown):
    def refuse(ws, config):
        raise error

    monkeypatch.setattr(jobs, "create_run", refuse)
    button(page, "Start training").click().run()
    assert not page.exception, page.exception
    assert [e.value for e in page.error] == [escape_markdown(shown)]  # shown literally
    assert jobs.list_runs(ws) == [] and started == []
    assert [i.value for i in page.info] == [NO_RUNS]


def test_mae_with_a_lab_patch_size_that_does_not_fit_tells_the_user(page, ws, started):
    """The Lab checks the patch size against the stored side (64), training renders at 32:
    patch 16 gives 4 patches where the ViT expects 16. The user must see why, as an error:
    at Start (if the library refuses the run) or in the panel of the failed run."""
    page.session_state["lab_recipe"] = {"name": "mae", "patch_size": 16}
    page.selectbox(key="train_method").set_value("mae").run()
    assert page.selectbox(key="train_recipe_mae").value == "mae"
    assert "From the Augmentation Lab: recipe **mae**, changed there: patch size 16." in [i.value for i in page.info]
    page.segmented_control(key="train_budget").set_value("epochs").run()
    page.number_input(key="train_budget_epochs").set_value(0.1)
    page.select_slider(key="train_batch_shapes").set_value(16)
    button(page, "Start training").click().run()
    assert not page.exception, page.exception
    runs = jobs.list_runs(ws)
    if not runs:  # refused at Start, with the reason
        (error,) = page.error
        assert "patch" in error.value and started == []
        return
    assert json.loads(runs[0]["config"])["recipe"]["patch_size"] == 16
    assert jobs.work(ws, "cpu") == 1  # accepted: the worker fails at the first step
    assert jobs.get_run(ws, runs[0]["id"])["status"] == "failed"
    page.run()
    assert not page.exception, page.exception
    assert metrics(page)["Status"] == "failed"
    (error,) = page.error
    assert error.value == ("ValueError: the recipe's patches (4) do not match the encoder's (16): "
                           "use patch size 8")
    assert labels(page) == ["Start training"]  # no checkpoint: nothing to resume


def test_runs_started_in_the_same_second_are_listed_newest_first(ws, started):
    first = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    second = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    with ws.write() as conn:  # two clicks within one second
        conn.execute("UPDATE runs SET created = '2026-01-01T00:00:00+00:00'")
    at = open_app()
    at.run()
    at.switch_page(TRAIN).run()
    assert not at.exception, at.exception
    assert at.dataframe[0].value["run"].tolist() == [second, first]
    assert at.selectbox(key="train_watch").value == second  # a new session watches the newest


def test_a_gain_only_the_linear_probe_shows_is_drawn_and_judged_by_it(page, ws):
    """Walk 33: 'Nothing learned yet' from a kNN curve within noise, where the run's features held a linear probe
    24 points above the untrained network's: the probe's curve is drawn beside the kNN's, and the verdict reads it."""
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    set_run(ws, run_id, status="completed", step=50, total_steps=50)
    writer = jobs.JobReporter(ws, run_id)
    writer.on_metrics(0, {"knn_untrained": 0.30, "linear_probe_untrained": 0.30, "effective_rank_untrained": 13.5,
                          "probe_size": 1024.0, MARKER: 1.0})
    for step, probe in ((1, 0.3), (25, 0.5), (50, 0.6)):
        writer.on_metrics(step, {"loss": 5.0, "embedding_std": 0.5, "effective_rank": 20.0, "knn_accuracy": 0.31,
                                 "linear_probe_accuracy": probe})
    writer.flush()
    page.run()
    assert not page.exception, page.exception
    ((shown, text),) = verdicts(page)
    assert shown == "green" and text.startswith("Learned something, by its linear probe: linear-probe accuracy 60.0% "
                                                "against 30.0% for the untrained network")
    drawn = figures(page)["Online linear probe, 5-fold (labels used only here)"]
    assert levels(drawn) == {"chance": 0.2, "untrained": 0.3} and drawn["data"][0]["name"] == "linear probe accuracy"
    assert "Online kNN accuracy (labels used only here)" in figures(page)
    # walk 34: 17-30% ran flat at the foot of a 0-100% axis; now up to a tenth or more above the highest line or
    # point of either chart, the same for the two side by side
    assert drawn["layout"]["yaxis"]["range"] == [0, 0.7]
    assert figures(page)["Online kNN accuracy (labels used only here)"]["layout"]["yaxis"]["range"] == [0, 0.7]


def test_a_new_session_watches_the_run_its_link_names_else_the_newest_completed(ws, started):
    """Walk 33: a teacher's second tab, opened from a link naming her completed run, watched the newer run she had
    cancelled."""
    completed, failed, cancelled = (jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1)) for _ in range(3))
    for run_id, status in ((completed, "completed"), (failed, "failed"), (cancelled, "cancelled")):
        set_run(ws, run_id, status=status)
    watched = {}
    for link in (None, failed):
        at = open_app()
        if link:
            at.query_params.update(dataset="shapes", encoder=link)
        at.run()
        at.switch_page(TRAIN).run()
        assert not at.exception, at.exception
        watched[link] = at.selectbox(key="train_watch").value
    assert watched == {None: completed, failed: failed}


def test_a_run_started_from_a_link_naming_another_becomes_the_one_the_link_names(ws, started):
    """Walk 48: the Diagnosis's button opened the Train page on a link naming the run it advised on; after Start,
    the page reloaded showed that old run, not the new one."""
    old = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    set_run(ws, old, status="completed")
    at = open_app()
    at.query_params.update(dataset="shapes", encoder=old)
    at.run()
    at.switch_page(TRAIN).run()
    button(at, "Start training").click().run()
    assert not at.exception, at.exception
    new = at.selectbox(key="train_watch").value
    assert new != old and at.query_params["encoder"] in (new, [new])
    again = open_app()  # the page reloaded: a new session on the link as it reads now
    again.query_params.update(dataset="shapes", encoder=new)
    again.run()
    again.switch_page(TRAIN).run()
    assert again.selectbox(key="train_watch").value == new


def test_a_student_keeps_watching_their_own_run_and_is_told_what_it_waits_for(page, ws, started):
    """Walk 25: two students started a run each; one page then showed the other's run, named as
    its own, and the run waiting its turn said only "queued"."""
    running = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    set_run(ws, running, status="running", pid=os.getpid())
    page.segmented_control(key="train_budget").set_value("epochs").run()
    page.number_input(key="train_budget_epochs").set_value(1.0)
    button(page, "Start training").click().run()
    mine = page.session_state["train_watch"]
    later = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))  # another student's, newer, named alike
    page.run()
    assert not page.exception, page.exception
    watch = page.selectbox(key="train_watch")
    assert watch.value == mine and watch.format_func(mine).endswith(" · started here")
    assert not watch.format_func(later).endswith(" · started here")
    (waiting,) = [c.value for c in page.caption if c.value.startswith("Waiting for")]
    ahead = names_told_apart(jobs.list_runs(ws))[running]
    assert waiting == escape_markdown(f"Waiting for 1 run ahead of it ({ahead}, running): this server trains one run "
                                      f"at a time, and a run's budget starts when it begins.")
    assert jobs.ahead_of(jobs.list_runs(ws), later) == [jobs.get_run(ws, r) for r in (running, mine)]
    assert jobs.ahead_of(jobs.list_runs(ws), running) == []  # running: nothing ahead


def test_a_killed_worker_started_by_the_page_shows_as_interrupted(ws):
    at = open_app()
    at.run()
    at.switch_page(TRAIN).run()
    at.select_slider(key="train_batch_shapes").set_value(16)
    button(at, "Start training").click().run()  # the real start_worker: a detached process
    assert not at.exception, at.exception
    run_id = at.session_state["train_watch"]
    pid = None
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            run = jobs.get_run(ws, run_id)
            if run["status"] == "running" and run["checkpoint"]:
                pid = run["pid"]
                break
            time.sleep(0.5)
        assert pid, f"the worker did not start training: {jobs.get_run(ws, run_id)}"
        os.kill(pid, signal.SIGKILL)
        time.sleep(2)
        at.run()
        assert metrics(at)["Status"] == "interrupted"
        assert "Resume" in labels(at)
    finally:
        jobs.request_cancel(ws, run_id)  # queued: cancelled at once; running: stops at its next step
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def shared_train_page(monkeypatch, mine: set[str] = frozenset()) -> AppTest:
    """The Train page of a shared app, signed in, in a session that started the runs `mine`."""
    from app.current import STARTED_HERE

    monkeypatch.setattr("sys.argv", ["app/main.py", "--share"])
    monkeypatch.setenv("SSL_ACCESS_SECRET", "s" * 32)
    shared = open_app()
    shared.query_params["token"] = "s" * 32  # signs in
    shared.session_state[STARTED_HERE] = set(mine)
    shared.run().switch_page(TRAIN).run()
    assert not shared.exception, shared.exception
    return shared


def test_a_shared_app_queues_at_most_a_few_runs_and_budgets_stay_within_a_day(ws, started, monkeypatch):
    queued = [jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1)) for _ in range(3)]
    at = open_app()
    at.run().switch_page(TRAIN).run()
    assert not button(at, "Start training").disabled  # localhost: the owner may queue a sweep
    assert at.number_input(key="train_budget_minutes").max == 24 * 60

    # walk 37: one audience member's 3 queued runs shut Start for the speaker and the whole room
    assert not button(shared_train_page(monkeypatch), "Start training").disabled
    own = shared_train_page(monkeypatch, mine=set(queued))  # a visitor's clicks (30 in 15 s queued 1e9 minutes)
    assert button(own, "Start training").disabled
    assert any("You have 3 runs waiting for the one worker, the most one visitor" in c.value for c in own.caption)

    queued += [jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1)) for _ in range(7)]
    full = shared_train_page(monkeypatch)
    assert button(full, "Start training").disabled
    assert any("10 runs are waiting for the one worker, the most a shared app queues" in c.value
               for c in full.caption)
    assert jobs.waiting(ws) == 10 and started == []


def test_a_new_session_watches_the_run_training_now_not_a_newer_queued_one(ws, started):
    """Walk 37: the room's fresh tabs opened on an audience member's queued run, not the speaker's run training."""
    training = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    set_run(ws, training, status="running", pid=os.getpid(), started="2026-01-01T00:00:00", step=3, total_steps=10)
    jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))  # newer, queued
    at = open_app()
    at.run().switch_page(TRAIN).run()
    assert at.session_state["train_watching"] == training


def test_a_shared_app_asks_before_a_run_is_stopped_for_everyone(ws, started, monkeypatch):
    """In a room walk a student's one click on Cancel stopped the teacher's run for the whole room."""
    from app import access, session_guard

    monkeypatch.setattr(access, "gate", lambda: "secret")  # served to others, this session signed in
    monkeypatch.setattr(session_guard, "install", lambda: None)
    monkeypatch.setattr(session_guard, "admit", lambda session: None)
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    set_run(ws, run_id, status="running", pid=os.getpid(), started="2026-01-01T00:00:00", step=3, total_steps=10)
    at = open_app()
    at.session_state[access.SIGNED_IN] = True
    at.run()
    at.switch_page(TRAIN).run()
    assert not at.exception, at.exception
    button(at, "Cancel").click().run()
    assert jobs.get_run(ws, run_id)["cancel_requested"] == 0  # not yet: it asks
    assert any(w.value.startswith("Stop this run for everyone?") for w in at.warning)
    button(at, "Keep it running").click().run()
    assert jobs.get_run(ws, run_id)["cancel_requested"] == 0 and "Cancel" in labels(at)
    button(at, "Cancel").click().run()
    button(at, "Yes, stop it").click().run()
    assert not at.exception, at.exception
    assert jobs.get_run(ws, run_id)["cancel_requested"] == 1


def test_a_run_started_here_and_cancelled_elsewhere_says_so(page, ws, started):
    """The teacher's run, stopped from a student's browser, showed 'cancelled' without a word; and
    the second of two runs named alike stays watched after its Cancel (the picker matched its
    label to the first, and the panel jumped to the other run)."""
    button(page, "Start training").click().run()
    run_id = page.session_state["train_watch"]
    jobs.request_cancel(ws, run_id)  # from another session: queued, so it ends at once
    page.run()
    assert not page.exception, page.exception
    assert any(w.value.startswith("You started this run here, and it was cancelled elsewhere (another browser, tab "
                                  "or the command line) at step 0.") for w in page.warning)
    button(page, "Start training").click().run()
    other = page.session_state["train_watch"]
    assert other != run_id
    button(page, "Cancel").click().run()  # started and cancelled here: nothing to tell
    assert jobs.get_run(ws, other)["status"] == "cancelled"
    assert not any(w.value.startswith("You started this run here") for w in page.warning)


def test_runs_named_alike_are_told_apart_in_the_table(page, ws, started):
    """Walk 13: two 'SimCLR · 0.5 min' rows, told apart in the pickers but not in the table."""
    alike = [jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=0.05)) for _ in range(2)]
    while jobs.work(ws, "cpu"):
        pass
    page.run()
    assert not page.exception, page.exception
    names = dict(zip(page.dataframe[0].value["run"], page.dataframe[0].value["name"]))
    assert len({names[run] for run in alike}) == 2
    assert all(names[run].startswith("SimCLR · 0.05 epochs · ") for run in alike)


def test_a_set_too_small_for_four_steps_is_said_to_get_the_most_it_can():
    """Walk 19: 'Batch 16, not 64: 40 examples make 2 steps per pass at 16, 1 at 64; fewer than 4
    learned less in tuning' left 16's own 2 steps unexplained."""
    from app.batch_note import batch_note

    assert batch_note(40, 16, 16, "examples") == (
        "Batch 16, the smallest here, not 64: 40 examples make 2 steps per pass at 16, 1 at 64; fewer than 4 steps "
        "per pass learned less in tuning, more than a set this small can give.")
    assert batch_note(3000, 64, 64, "images") is None  # the default, fitting: nothing to say


def test_a_dip_the_run_recovered_from_is_news_not_a_warning(page, ws):
    """Walk 20: 'no collapse at the end ...' sat in a yellow warning box; beside another warning it stays one."""
    run_id = jobs.create_run(ws, TrainConfig(dataset="shapes", epochs=1))
    recovered = ("no collapse at the end (effective rank 40.8, back above 30% of its best): at step 50 effective "
                 "rank 8.83 (its best until then 40.1) was a dip it recovered from")
    set_run(ws, run_id, status="completed", step=50, total_steps=50, progress=1.0, message=recovered)
    page.run()
    assert not page.exception, page.exception
    assert [box.value for box in page.info] == [escape_markdown(recovered)] and not not_verdicts(page.warning)
    set_run(ws, run_id, message=f"{recovered}; out of memory: batch size halved to 32")
    page.run()
    assert len(not_verdicts(page.warning)) == 1


def test_the_budget_typed_stays_after_a_visit_to_another_page(page):
    """Walk 26: a student typed 0.4 minutes, looked at the Data page, and came back to 5.00."""
    page.number_input(key="train_budget_minutes").set_value(0.4).run()
    page.switch_page("../pages/data.py").run()
    page.switch_page(TRAIN).run()
    assert not page.exception, page.exception
    assert page.number_input(key="train_budget_minutes").value == 0.4
