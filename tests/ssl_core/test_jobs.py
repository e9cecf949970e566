"""Background jobs: a worker process trains queued runs; SIGKILL leaves an interrupted
run that resumes from its checkpoint; cancel stops a run; the CLI trains (its JSON with the verdict) and lists."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ssl_core import jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.store import Workspace, WorkspaceError
from tests.ssl_core.conftest import noise, zip_of

ROOT = Path(__file__).resolve().parents[2]


def png(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def tiny(workspace):
    ingest_uploads(workspace, [(f"{i}.png", png(i)) for i in range(40)], name="tiny", size=16)
    return workspace


def tiny_config(**overrides) -> TrainConfig:
    values = dict(dataset="tiny", epochs=100, batch_size=8, image_size=16, checkpoint_every=5,
                  monitor_every=50)
    values.update(overrides)
    return TrainConfig(**values)


def start_worker(ws) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ssl_core", "--workspace", str(ws.root), "worker"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(predicate, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError("condition not met in time")


def test_sigkill_leaves_an_interrupted_run_that_resumes(tiny):
    run_id = jobs.create_run(tiny, tiny_config(epochs=40))  # 200 steps: killed near step 10, the rest resumed
    worker = start_worker(tiny)
    try:
        run = wait_for(lambda: (r := jobs.get_run(tiny, run_id))["checkpoint"] and r["step"] >= 10 and r)
        assert run["status"] == "running" and run["pid"] == worker.pid
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        worker.kill()
    interrupted = jobs.get_run(tiny, run_id)
    assert interrupted["status"] == "interrupted"
    saved_step = json.loads((jobs.run_dir(tiny, run_id) / "checkpoint.json").read_text())["step"]
    assert saved_step >= 5 and saved_step % 5 == 0

    jobs.requeue(tiny, run_id)
    assert jobs.work(tiny, "cpu") == 1
    done = jobs.get_run(tiny, run_id)
    assert done["status"] == "completed" and done["step"] == 200  # 40 epochs x 40 // 8
    steps, _ = jobs.metrics(tiny, run_id)["loss"]
    assert set(steps.tolist()) == set(range(1, 201))
    assert len(steps) - 200 < 5 + 5  # at most one checkpoint interval (plus one flush) redone


def test_cancel_stops_a_running_run_and_it_can_resume(tiny):
    run_id = jobs.create_run(tiny, tiny_config())
    worker = start_worker(tiny)
    try:
        wait_for(lambda: jobs.get_run(tiny, run_id)["step"] >= 3)
        jobs.request_cancel(tiny, run_id)
        wait_for(lambda: jobs.get_run(tiny, run_id)["status"] == "cancelled")
        worker.wait(timeout=60)
    finally:
        worker.kill()
    run = jobs.get_run(tiny, run_id)
    assert 3 <= run["step"] < 500 and run["checkpoint"]


def test_the_time_spent_training_is_kept_at_each_checkpoint_and_shown_without_a_pause(tiny):
    """The runs table's duration was finished - started, and a resumed run keeps its first start:
    a 5-minute run resumed the next morning read about a day. Each checkpoint now keeps the
    seconds spent training (`training_s`), which the table and `runs` show."""
    import sqlite3

    run_id = jobs.create_run(tiny, tiny_config(epochs=2))  # 40 images at batch 8: 10 steps, a checkpoint every 5
    assert jobs.work(tiny, "cpu") == 1
    steps, seconds = jobs.metrics(tiny, run_id)["training_s"]
    assert steps.tolist() == [5, 10] and 0 < seconds[0] < seconds[1] < 600  # one reading per step
    with sqlite3.connect(tiny.db_path) as conn:  # as a run resumed a day after its first start reads
        conn.execute("UPDATE runs SET started = '2020-01-01T00:00:00+00:00' WHERE id = ?", (run_id,))
    run, final = jobs.get_run(tiny, run_id), jobs.final_metrics(tiny)[run_id]
    assert jobs.training_seconds(run, final) == pytest.approx(seconds[1])
    assert jobs.run_summary(tiny, run, final)["training_s"] == pytest.approx(seconds[1])
    assert jobs.run_summary(tiny, run, final)["other_cores"] >= 0  # measured at the end (/proc/stat)
    assert jobs.training_seconds(run, {}) > 3600  # a run saved before it was kept: finished - started
    moved = Workspace(shutil.copytree(tiny.root, tiny.root.parent / "moved"))  # a workspace copied elsewhere
    named = Path(jobs.run_summary(moved, jobs.get_run(moved, run_id), final)["checkpoint"])
    assert named.is_relative_to(moved.root) and named.is_file(), "its own copy, not the original's (walk 24)"
    assert jobs.final_metrics(tiny, [run_id]) == jobs.final_metrics(tiny)  # one run asked for: that run alone
    assert jobs.final_metrics(tiny, ["run-not-there"]) == {}


def test_a_run_ending_on_a_monitor_step_reads_as_one_measurement_there(tiny):
    """Its monitor and its final measurement both write at the last step: two values of one
    measurement, which the advice counted as two in a row below the collapse line."""
    run_id = jobs.create_run(tiny, tiny_config(epochs=2, monitor_every=5))  # 10 steps: monitors at 1, 5 and 10
    assert jobs.work(tiny, "cpu") == 1
    steps, ranks = jobs.metrics(tiny, run_id)["effective_rank"]
    assert steps.tolist() == [1, 5, 10] and len(ranks) == 3


def test_the_runs_summary_holds_every_metric_the_verdict_reads():
    """Walk 15: `runs` and the Train page's runs table judged against chance (33.3%) where the
    run's panel judged against the largest class (53.3%): the summary lacked its share."""
    from ssl_core.evaluate.verdict import MAJORITY, MARKER, WITH_LABELS, WITHOUT_LABELS

    assert {*WITH_LABELS, *WITHOUT_LABELS, MAJORITY, MARKER} <= set(jobs.SUMMARY_METRICS)


def test_a_queued_run_is_cancelled_at_once_and_one_worker_per_device(tiny):
    first = jobs.create_run(tiny, tiny_config(epochs=1))
    second = jobs.create_run(tiny, tiny_config(epochs=1))
    jobs.request_cancel(tiny, second)
    assert jobs.get_run(tiny, second)["status"] == "cancelled"
    with tiny.lock("cpu", wait=False) as held:
        assert held
        assert jobs.work(tiny, "cpu") == 0  # another holder: this worker leaves at once
    assert jobs.get_run(tiny, first)["status"] == "queued"
    assert jobs.work(tiny, "cpu") == 1
    assert jobs.get_run(tiny, first)["status"] == "completed"


def test_a_run_queued_while_the_worker_finished_its_queue_is_trained(tiny, monkeypatch):
    """A run queued after the worker's queue looked empty, before it let go of the device: the run's own
    worker found the device held and left, so this one trains it once the lock is free."""
    first = jobs.create_run(tiny, tiny_config(epochs=1))
    late: list[str] = []
    claim = jobs.claim_next

    def claim_then_queue(ws):
        taken = claim(ws)
        if taken is None and not late:  # the queue looked empty: a visitor presses Start now
            late.append(jobs.create_run(ws, tiny_config(epochs=1)))
            with ws.lock("cpu", wait=False) as held:
                assert not held  # the worker holds it: the visitor's worker would leave at once
        return taken
    monkeypatch.setattr(jobs, "claim_next", claim_then_queue)
    assert jobs.work(tiny, "cpu") == 2
    assert [jobs.get_run(tiny, run)["status"] for run in (first, *late)] == ["completed", "completed"]


def test_a_run_queued_while_the_command_line_trained_gets_a_worker(tiny, monkeypatch):
    """Walk 28: the CLI's `train` held the device, the app's Start queued a run whose worker left at once, and
    it stayed queued after the CLI's run ended. The CLI starts a worker when it lets go of the device."""
    from ssl_core import cli as command_line

    mine = jobs.create_run(tiny, tiny_config(epochs=1))
    queued = jobs.create_run(tiny, tiny_config(epochs=1))
    started: list = []
    monkeypatch.setattr(jobs, "start_worker", started.append)
    result, _ = command_line._train_here(tiny, mine)
    assert result.status == "completed" and jobs.get_run(tiny, queued)["status"] == "queued" and started == [tiny]
    started.clear()
    assert jobs.work(tiny, "cpu") == 1
    command_line._train_here(tiny, jobs.create_run(tiny, tiny_config(epochs=1)))
    assert started == []  # nothing queued: no worker


def test_bad_names_fail_when_the_run_is_created(tiny):
    with pytest.raises(KeyError, match="choose one of: simclr"):
        jobs.create_run(tiny, tiny_config(method="nope"))
    with pytest.raises(ValueError, match="vit_tiny"):
        jobs.create_run(tiny, tiny_config(method="mae"))
    assert jobs.list_runs(tiny) == []


def cli(ws, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(ws.root), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_cli_train_prints_a_json_summary_and_runs_lists_it(tiny):
    result = cli(tiny, "train", "--dataset", "tiny", "--epochs", "2", "--batch-size", "8")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["status"] == "completed" and summary["steps"] == 10
    assert summary["images_per_s"] > 0 and np.isfinite(summary["final_loss"])
    assert summary["other_cores"] >= 0 and ("note: Other work kept" in result.stderr) == (summary["other_cores"] >= 0.5)
    assert summary["checkpoint"].endswith(".safetensors") and Path(summary["checkpoint"]).exists()
    assert "step 10/10" in result.stderr  # the progress bar
    # the verdict: unlabelled, from the neighbours shared with pixels, against the untrained network's
    assert {"pixel_shared_untrained", "effective_rank_untrained"} <= set(jobs.latest(jobs.metrics(tiny, summary["run"])))
    verdict = jobs.run_verdict(tiny, summary["run"])
    assert summary["verdict"] == verdict.code in ("learned", "not_yet", "worse_than_untrained")
    assert summary["verdict_text"] == verdict.text and not verdict.text.startswith("Nothing to judge yet")

    runs = json.loads(cli(tiny, "runs").stdout)
    assert [(r["run"], r["status"], r["method"], r["dataset"]) for r in runs] == [
        (summary["run"], "completed", "simclr", "tiny")]
    assert 0 < runs[0]["embedding_std"] and 1 <= runs[0]["effective_rank"]
    assert runs[0]["knn_accuracy"] is None  # unlabelled: the key is there, null, as for a run that failed first
    assert runs[0]["images_per_s"] == pytest.approx(summary["images_per_s"], abs=0.05)  # one speed: the whole run's
    failed = jobs.create_run(tiny, tiny_config())
    with tiny.write() as conn:
        conn.execute("UPDATE runs SET status = 'failed', message = 'the loss became nan at step 1' WHERE id = ?",
                     (failed,))
    both = json.loads(cli(tiny, "runs").stdout)
    assert len({tuple(sorted(r)) for r in both}) == 1  # the same keys for every run


def test_cli_train_refuses_bad_input_clearly(tiny):
    result = cli(tiny, "train", "--dataset", "nope", "--epochs", "1")
    assert result.returncode == 1 and "no dataset named 'nope'" in result.stderr
    result = cli(tiny, "train", "--dataset", "tiny", "--method", "mae", "--encoder", "small_cnn", "--epochs", "1")
    assert result.returncode == 1 and "vit_tiny" in result.stderr


# -- one run, one trainer (issue 13.6) -------------------------------------------------------------
CLAIMER = """
import json, os, sys, time
from ssl_core import jobs
from ssl_core.store import Workspace, WorkspaceError
ws, named, go = Workspace(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
while not os.path.exists(go):
    time.sleep(0.001)
won = []
for run_id in named:  # both processes ask for the same runs, in the same order
    try:
        jobs.claim(ws, run_id)
        won.append(run_id)
    except WorkspaceError as exc:
        assert "is running in process" in str(exc), exc
while (run_id := jobs.claim_next(ws)) is not None:  # both take the oldest queued run
    won.append(run_id)
print(json.dumps(won))
"""


def queue_raw(ws, ids: list[str]) -> None:
    """Queued runs on "tiny" (rows only: claiming does not look at the config)."""
    info = ws.dataset("tiny")
    with ws.write() as conn:
        conn.executemany("INSERT INTO runs(id, dataset_id, dataset_name, method, encoder, config, status, created) "
                         "VALUES (?, ?, 'tiny', 'simclr', 'small_cnn', '{}', 'queued', ?)",
                         [(run_id, info.id, f"2026-01-01T00:00:{i:02d}") for i, run_id in enumerate(ids)])


def test_two_processes_never_claim_the_same_run(tiny, tmp_path):
    named, oldest_first = [f"run-named-{i:02d}" for i in range(25)], [f"run-queue-{i:02d}" for i in range(25)]
    queue_raw(tiny, named + oldest_first)
    go = tmp_path / "go"
    processes = [subprocess.Popen([sys.executable, "-c", CLAIMER, str(tiny.root), json.dumps(named), str(go)],
                                  cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    time.sleep(2)  # both importing and waiting
    go.touch()
    won = [json.loads(p.communicate(timeout=120)[0]) for p in processes]
    assert all(p.returncode == 0 for p in processes)
    assert sorted(won[0] + won[1]) == sorted(named + oldest_first)  # each run exactly once
    assert not set(won[0]) & set(won[1])
    with tiny.read() as conn:
        pids = dict(conn.execute("SELECT id, pid FROM runs"))
    for process, runs in zip(processes, won):
        assert {pids[run_id] for run_id in runs} <= {process.pid}


def test_a_run_another_process_trains_is_not_trained_again(tiny):
    queue_raw(tiny, ["run-a"])
    with tiny.write() as conn:  # taken by a live process that is not this one
        conn.execute("UPDATE runs SET status = 'running', pid = ?, loss = 0.5 WHERE id = 'run-a'", (os.getppid(),))
    with pytest.raises(Exception, match=f"run run-a is running in process {os.getppid()}: only a queued run"):
        jobs.execute(tiny, "run-a")
    run = jobs.get_run(tiny, "run-a")
    assert (run["status"], run["pid"], run["loss"]) == ("running", os.getppid(), 0.5)
    assert jobs.claim_next(tiny) is None


def test_a_run_outlives_its_dataset_and_is_evaluated_on_another(trained, make):
    from ssl_core import embed

    ws = trained.ws
    ingest_uploads(ws, [(f"{i}.png", png(100 + i)) for i in range(12)], name="other", size=16)
    before = jobs.metrics(ws, trained.run)
    assert ws.delete_dataset("tiny") == [trained.run]
    run = jobs.get_run(ws, trained.run)
    assert (run["dataset"], run["dataset_deleted"], run["status"]) == ("tiny", True, "completed")
    assert jobs.metrics(ws, trained.run).keys() == before.keys()
    assert jobs.run_verdict(ws, trained.run).code  # judged from its kept metrics
    features = embed.embed(ws, "other", embed.from_run(ws, trained.run)).features
    assert features.shape[0] == 12 and np.isfinite(features).all()
    with ws.write() as conn:
        conn.execute("UPDATE runs SET status = 'interrupted' WHERE id = ?", (trained.run,))
    with pytest.raises(WorkspaceError, match="cannot resume: its dataset 'tiny' was deleted or replaced since"):
        jobs.requeue(ws, trained.run)  # it would train on other data, or on none
    assert jobs.get_run(ws, trained.run)["status"] == "interrupted"


def test_labels_of_one_class_feed_no_knn_monitor(workspace):
    """Every image labelled "a": a kNN check among one class says nothing (100% for any
    encoder), so the run is judged as an unlabelled one, as with a class of one image (the
    rule Evaluate probes by: two classes of two); two classes feed the monitor."""
    one_zip = zip_of([(f"{i}.png", noise((16, 16), seed=i)) for i in range(12)]
                     + [("labels.csv", "".join(f"{i}.png,a\n" for i in range(12)).encode())])
    two_zip = zip_of([(f"{'ab'[i % 2]}/{i}.png", noise((16, 16), seed=i)) for i in range(12)])
    lone_zip = zip_of([(f"{'b' if i == 0 else 'a'}/{i}.png", noise((16, 16), seed=i)) for i in range(12)])
    ingest_uploads(workspace, [("lone.zip", lone_zip)], name="lone", size=16)
    lone = jobs.get_run(workspace, jobs.create_run(workspace, tiny_config(dataset="lone")))
    assert jobs._dataset_arrays(workspace, lone)[1] is None  # b has one image: Evaluate's rule, two classes of two
    ingest_uploads(workspace, [("one.zip", one_zip)], name="one", size=16)
    ingest_uploads(workspace, [("two.zip", two_zip)], name="two", size=16)
    one = jobs.get_run(workspace, jobs.create_run(workspace, tiny_config(dataset="one")))
    two = jobs.get_run(workspace, jobs.create_run(workspace, tiny_config(dataset="two")))
    assert one["classes"] == 1 and jobs._dataset_arrays(workspace, one)[1] is None
    assert jobs._dataset_arrays(workspace, two)[1].tolist() == [0, 1] * 6


def test_a_few_unlabelled_images_leave_the_knn_monitor_on_the_labelled_ones(workspace):
    """12 images in class folders a and b, 2 beside them unlabelled: the run was judged
    without labels (a label-free rule that errs towards "not yet") while Evaluate judged
    its 12 labelled images by kNN. Now the monitor's kNN reads the labelled images, the
    unlabelled ones filling its probe (walks 39 and 40)."""
    files = [(f"{'ab'[i % 2]}/{i}.png", noise((16, 16), seed=i)) for i in range(12)]
    files += [(f"stray{i}.png", noise((16, 16), seed=50 + i)) for i in range(2)]
    ingest_uploads(workspace, [("mixed.zip", zip_of(files))], name="mixed", size=16)
    run_id = jobs.create_run(workspace, tiny_config(dataset="mixed", epochs=2, monitor_every=1))
    codes = jobs._dataset_arrays(workspace, jobs.get_run(workspace, run_id))[1]
    assert (codes == -1).sum() == 2 and sorted(set(codes.tolist())) == [-1, 0, 1]
    assert jobs.work(workspace, "cpu") == 1
    measured = jobs.metrics(workspace, run_id)
    assert "knn_accuracy" in measured and "pixel_shared" not in measured
    probe = np.load(jobs.run_dir(workspace, run_id) / "snapshots" / "probe.npy")
    assert probe.tolist() == list(range(14)) and measured["probe_size"][1][0] == 12


def test_the_classes_a_run_counts_chance_by_are_those_its_monitor_reads(workspace):
    """Classes a and b of 6 images, c of one: the monitor reads a and b (Evaluate's rule),
    so chance is 50%; the run counted 3 classes and said 'chance 33.3%'."""
    files = [(f"{'ab'[i % 2]}/{i}.png", noise((16, 16), seed=i)) for i in range(12)] + [("c/x.png", noise((16, 16)))]
    ingest_uploads(workspace, [("three.zip", zip_of(files))], name="three", size=16)
    run = jobs.get_run(workspace, jobs.create_run(workspace, tiny_config(dataset="three")))
    assert run["classes"] == 2 and sorted(set(jobs._dataset_arrays(workspace, run)[1].tolist())) == [-1, 0, 1]


def test_resuming_forgets_what_was_measured_after_the_checkpoint_it_resumes_from(tiny):
    """A run that failed at step 15 with its last checkpoint at step 10: the readings of steps
    11-15 measured weights the resume throws away, so the verdict must not read them (it would be
    green from them while queued, and the curves would hold two values per step)."""
    import sqlite3

    run_id = jobs.create_run(tiny, tiny_config(epochs=2, monitor_every=5))  # 40 images at batch 8: 10 steps
    assert jobs.work(tiny, "cpu") == 1
    assert jobs.checkpoint_step_of(tiny, run_id) == 10
    before = jobs.metrics(tiny, run_id)
    with sqlite3.connect(tiny.db_path) as conn:
        conn.execute("UPDATE runs SET status = 'failed', message = 'loss is NaN', step = 15, progress = 0.75 "
                     "WHERE id = ?", (run_id,))
        conn.executemany("INSERT INTO metrics VALUES (?, ?, ?, ?)",
                         [(run_id, 15, "knn_accuracy", 0.99), (run_id, 15, "loss", 9.0)])
    snapshots = jobs.run_dir(tiny, run_id) / "snapshots"
    kept_frames = sorted(f.name for f in snapshots.glob("step-*.npy"))
    (snapshots / "step-000015.npy").write_bytes((snapshots / kept_frames[-1]).read_bytes())  # a frame of step 15
    jobs.requeue(tiny, run_id)
    assert sorted(f.name for f in snapshots.glob("step-*.npy")) == kept_frames  # the map forgets step 15 too
    after = jobs.metrics(tiny, run_id)
    assert {name: list(steps) for name, (steps, _) in after.items()} == {
        name: list(steps) for name, (steps, _) in before.items()}  # step 15 gone, steps 0-10 kept
    run = jobs.get_run(tiny, run_id)
    assert run["status"] == "queued"
    assert (run["step"], run["progress"], run["loss"]) == (10, 10 / run["total_steps"], None)  # it said step 15


def test_a_run_resumed_without_a_checkpoint_starts_its_measurements_again(tiny):
    import sqlite3

    run_id = jobs.create_run(tiny, tiny_config())
    with sqlite3.connect(tiny.db_path) as conn:
        conn.execute("UPDATE runs SET status = 'interrupted' WHERE id = ?", (run_id,))
        conn.execute("INSERT INTO metrics VALUES (?, 0, 'knn_untrained', 0.3)", (run_id,))
    jobs.requeue(tiny, run_id)
    assert jobs.metrics(tiny, run_id) == {}


def test_one_image_is_refused_before_a_run_exists_and_evaluate_says_why(workspace, capsys):
    """Training and evaluation need two images: a run that could only fail is not queued, and
    evaluate names the dataset and the reason (it printed 'math domain error')."""
    from ssl_core.cli import main

    ingest_uploads(workspace, [("only.png", png(0))], name="one", size=16)
    with pytest.raises(ValueError, match="^dataset 'one' holds 1 image: training needs at least two$"):
        jobs.create_run(workspace, tiny_config(dataset="one"))
    assert jobs.list_runs(workspace) == []
    capsys.readouterr()
    assert main(["--workspace", str(workspace.root), "evaluate", "--dataset", "one", "--untrained"]) == 1
    assert capsys.readouterr().err.strip() == ("error: dataset 'one' holds 1 image: evaluation compares images with "
                                               "each other and needs at least two")


def test_a_failed_run_is_sent_to_evaluate_only_when_its_checkpoint_opens(tiny):
    """A resume that failed on a cut-short checkpoint was told to 'judge its last good checkpoint
    on Evaluate', the checkpoint its own message had just called unreadable."""
    import sqlite3

    from ssl_core.checkpoint import WEIGHTS

    run_id = jobs.create_run(tiny, tiny_config(epochs=2, monitor_every=5))  # 10 steps, a checkpoint every 5
    assert jobs.work(tiny, "cpu") == 1
    with sqlite3.connect(tiny.db_path) as conn:
        conn.execute("UPDATE runs SET status = 'failed', message = 'loss is NaN' WHERE id = ?", (run_id,))
    assert jobs.run_verdict(tiny, run_id).text.startswith("The run failed; judge its last good checkpoint on Evaluate.")
    weights = jobs.run_dir(tiny, run_id) / WEIGHTS
    weights.write_bytes(weights.read_bytes()[:5000])
    assert jobs.run_verdict(tiny, run_id).headline == "The run failed and its checkpoint cannot be read"


def test_a_run_is_found_by_its_name_as_well_as_its_id(tiny):
    """Walk 39: `advise --run 'SimCLR · 2 min'` answered "no run", the name being all the pages show."""
    from ssl_core.cli import main
    from ssl_core.run_names import names_told_apart

    first, second = (jobs.create_run(tiny, tiny_config(method=method)) for method in ("simclr", "byol"))
    names = names_told_apart(jobs.list_runs(tiny))
    assert jobs.run_id_of(tiny, first) == first and jobs.run_id_of(tiny, names[second]) == second
    assert jobs.run_id_of(tiny, "nothing") == "nothing"  # which get_run refuses, saying what it takes
    with pytest.raises(WorkspaceError, match=r"no run 'nothing' \(a run's id or its name, as the `runs` command"):
        jobs.get_run(tiny, "nothing")
    twin = jobs.create_run(tiny, tiny_config(method="simclr"))  # named as `first` in the `runs` command
    with pytest.raises(WorkspaceError, match="2 runs are named"):
        jobs.run_id_of(tiny, jobs.run_summary(tiny, jobs.get_run(tiny, twin), {})["name"])
    assert main(["--workspace", str(tiny.root), "advise", "--run", names[second]]) == 0  # queued: no advice, said
