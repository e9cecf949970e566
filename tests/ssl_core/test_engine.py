"""The training engine: every method with every encoder it accepts takes a real step;
resume equals not stopping (MoCo's queue included; an older checkpoint without the queue
resumes with a fresh one) and keeps the untrained network's measure taken before step 1;
NaN stops the run with its reason; out of memory halves the batch; losses match naive
references."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from ssl_core import checkpoint
from ssl_core.augment import make_recipe
from ssl_core.engine import TrainConfig, Trainer, learning_rate
from ssl_core.methods import METHODS, build_method
from ssl_core.models import ENCODERS
from ssl_core.models.calibration import MARKER

SIDE = 16


class Recorder:
    """A reporter that keeps everything and can ask to stop after a given step."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.steps, self.metrics, self.checkpoints = [], [], []
        self.stop_after = stop_after

    def on_step(self, state):
        self.steps.append(state)

    def on_metrics(self, step, values):
        self.metrics.append((step, values))

    def on_checkpoint(self, step, path):
        self.checkpoints.append(step)

    def should_stop(self):
        return self.stop_after is not None and len(self.steps) >= self.stop_after


def tiny_images(n: int = 24, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, SIDE, SIDE, 3), dtype=np.uint8)
    images[: n // 2, 4:12, 4:12] = (255, 0, 0)
    return images


def config(**overrides) -> TrainConfig:
    values = dict(dataset="tiny", method="simclr", encoder="small_cnn", epochs=2, batch_size=8,
                  image_size=SIDE, checkpoint_every=2, monitor_every=2)
    values.update(overrides)
    return TrainConfig(**values)


COMBOS = [(m, e) for m in METHODS for e in ENCODERS  # image methods here; text ones in test_text.py
          if "image" in METHODS[m].kinds and ENCODERS[e].kind == "image"
          and (METHODS[m].encoders is None or e in METHODS[m].encoders)]


@pytest.mark.parametrize("method_name,encoder_name", COMBOS)
def test_one_step_of_every_method_and_encoder(method_name, encoder_name):
    torch.manual_seed(0)
    method = build_method(method_name, encoder_name, SIDE)
    recipe = make_recipe(METHODS[method_name].default_recipe, **({"patch_size": 8} if method_name == "mae" else {}))
    views = recipe(torch.from_numpy(tiny_images(4)), torch.Generator().manual_seed(0))
    teacher = getattr(method, "teacher", None)
    before = [p.clone() for p in teacher.parameters()] if teacher is not None else None
    loss, metrics = method.training_step(views)
    assert loss.ndim == 0 and torch.isfinite(loss)
    assert all(isinstance(v, float) for v in metrics.values())
    loss.backward()
    grads = [p.grad for p in method.encoder.parameters() if p.requires_grad]
    assert grads and all(g is not None for g in grads)
    assert sum(float(g.abs().sum()) for g in grads) > 0
    torch.optim.SGD(method.parameters(), lr=0.1).step()
    method.after_step(0.5)
    if before is not None:  # the EMA teacher moved toward the student
        assert any(not torch.equal(a, b) for a, b in zip(before, teacher.parameters()))


@pytest.mark.parametrize("method_name", [m for m in METHODS if METHODS[m].encoders])
def test_methods_refuse_encoders_they_cannot_use(method_name):
    wrong = next(e for e in ENCODERS if e not in METHODS[method_name].encoders)
    with pytest.raises(ValueError, match="needs one of the encoders"):
        build_method(method_name, wrong, SIDE)


def test_simclr_loss_matches_a_naive_nt_xent():
    torch.manual_seed(0)
    method = build_method("simclr", "small_cnn", SIDE)
    z_a, z_b = torch.randn(5, 8), torch.randn(5, 8)
    z = F.normalize(torch.cat([z_a, z_b]), dim=1).numpy().astype(np.float64)
    t = method.loss.temperature
    total = 0.0
    for i in range(10):
        partner = (i + 5) % 10
        others = [math.exp(z[i] @ z[j] / t) for j in range(10) if j != i]
        total -= math.log(math.exp(z[i] @ z[partner] / t) / sum(others))
    assert float(method.loss(z_a, z_b)) == pytest.approx(total / 10, rel=1e-4)


def test_byol_loss_is_the_symmetric_negative_cosine():
    torch.manual_seed(0)
    method = build_method("byol", "small_cnn", SIDE)
    views = make_recipe("byol")(torch.from_numpy(tiny_images(4)), torch.Generator().manual_seed(0))
    loss, _ = method.training_step(views)
    both = torch.cat(views.views)  # one batch, as the method runs it (BatchNorm statistics)
    p_a, p_b = method.predictor(method.student(both)).chunk(2)
    t_a, t_b = method.teacher(both).chunk(2)
    expected = -0.5 * (F.cosine_similarity(p_a, t_b).mean() + F.cosine_similarity(p_b, t_a).mean())
    assert loss.item() == pytest.approx(expected.item(), abs=1e-5)


def test_learning_rate_warms_up_then_decays_to_zero():
    assert learning_rate(1.0, 0.0, 0.1) == 0.0
    assert learning_rate(1.0, 0.05, 0.1) == pytest.approx(0.5)
    assert learning_rate(1.0, 0.1, 0.1) == pytest.approx(1.0)
    assert learning_rate(1.0, 1.0, 0.1) == pytest.approx(0.0, abs=1e-12)


def test_a_run_completes_with_metrics_and_a_checkpoint(tmp_path):
    labels = np.array([0] * 12 + [1] * 12)
    recorder = Recorder()
    result = Trainer(config(), tiny_images(), labels, tmp_path, recorder).run()
    assert result.status == "completed" and result.steps == 6  # 2 epochs x 24 // 8
    assert (tmp_path / "checkpoint.safetensors").exists() and (tmp_path / "checkpoint.json").exists()
    names = set().union(*(values for _, values in recorder.metrics))
    assert {"loss", "lr", "embedding_std", "effective_rank", "knn_accuracy"} <= names
    assert recorder.steps[-1].progress == 1.0 and recorder.steps[-1].eta_s == 0.0


def test_a_minutes_budget_s_total_follows_the_pace_since_its_startup():
    """Walk 9 read "step 28 of ~94", "75 of ~165", "178 of ~238" for a 186-step run: the pace
    of the whole run, its slow start included, extrapolated."""
    from types import SimpleNamespace

    run = SimpleNamespace(step=100, config=SimpleNamespace(minutes=2.0))  # 100 steps after 60 s of 120
    assert Trainer.extrapolated(run, 60.0, 0.5, (20, 30.0)) == 100 + 160  # 80 steps in the last 30 s: 160 to come
    assert Trainer.extrapolated(run, 60.0, 0.5, None) is None
    assert Trainer.extrapolated(SimpleNamespace(step=20, config=run.config), 30.0, 0.25, (20, 30.0)) == 80


def test_a_minutes_budget_gives_no_total_before_its_steps_can_estimate_one(tmp_path):
    """Step 1 carries the untrained baseline's measurement: a stranger's 2-minute run read 'step 1 of ~48', then
    'of ~262'. The total of a minutes budget is extrapolated from ESTIMATE_AFTER steps on."""
    from ssl_core.engine import ESTIMATE_AFTER

    recorder = Recorder(stop_after=ESTIMATE_AFTER + 2)
    Trainer(config(epochs=None, minutes=10.0, monitor_every=100), tiny_images(), None, tmp_path, recorder).run()
    assert [state.total_steps for state in recorder.steps[: ESTIMATE_AFTER - 1]] == [None] * (ESTIMATE_AFTER - 1)
    assert all(state.total_steps and state.total_steps > state.step for state in recorder.steps[ESTIMATE_AFTER - 1:])
    assert all(state.eta_s is not None for state in recorder.steps)  # the time left is known from the start


@pytest.mark.parametrize("labels, judged", [(np.array([0] * 12 + [1] * 12), "knn"), (None, "pixel_shared")])
def test_the_untrained_network_is_measured_once_before_the_first_step_and_kept_through_resume(tmp_path, labels,
                                                                                           judged):
    expected = Trainer(config(), tiny_images(), labels, tmp_path / "fresh", Recorder()).measure_untrained()
    # with labels, the largest class's share of the probe: the floor of the verdict on unequal classes
    assert set(expected) == {f"{judged}_untrained", "effective_rank_untrained", "probe_size", MARKER,
                             *(["knn_majority", "linear_probe_untrained"] if labels is not None else [])}
    assert expected["probe_size"] == 24 and expected.get("knn_majority", 0.5) == 0.5
    first = Recorder(stop_after=3)
    assert Trainer(config(), tiny_images(), labels, tmp_path, first).run().status == "cancelled"
    assert first.metrics[0] == (0, expected)  # before step 1, and only then
    assert [step for step, values in first.metrics if f"{judged}_untrained" in values] == [0]
    assert ({"knn_accuracy", "linear_probe_accuracy"} if labels is not None else {"pixel_shared"}) <= set(
        first.metrics[1][1])  # the probe judged as Evaluate judges it (walk 33)

    again = Recorder()
    resumed = Trainer(config(), tiny_images(), labels, tmp_path, again)
    resumed.resume()
    assert resumed.untrained == expected  # from the checkpoint: the trained network is never measured as untrained
    assert resumed.run().status == "completed"
    assert again.metrics[0][0] == 4 and not any(f"{judged}_untrained" in values for _, values in again.metrics)
    assert checkpoint.read_meta(tmp_path)["untrained"] == expected


@pytest.mark.parametrize("method_name", ["simclr", "byol", "moco_v2"])
def test_resume_gives_the_same_state_as_not_stopping(tmp_path, method_name):
    whole = Trainer(config(method=method_name), tiny_images(), None, tmp_path / "whole", Recorder())
    assert whole.run().status == "completed"

    stopped = Trainer(config(method=method_name), tiny_images(), None, tmp_path / "split", Recorder(stop_after=3))
    assert stopped.run().status == "cancelled"
    resumed = Trainer(config(method=method_name), tiny_images(), None, tmp_path / "split", Recorder())
    resumed.resume()
    assert resumed.step == 3
    assert resumed.run().status == "completed"
    for (name, a), (_, b) in zip(whole.method.state_dict().items(), resumed.method.state_dict().items()):
        assert torch.allclose(a.float(), b.float(), atol=1e-6), name


def test_a_moco_checkpoint_without_the_queue_resumes_with_a_fresh_queue(tmp_path):
    stopped = Trainer(config(method="moco_v2"), tiny_images(), None, tmp_path, Recorder(stop_after=3))
    assert stopped.run().status == "cancelled"
    weights = tmp_path / "checkpoint.safetensors"
    tensors = load_file(weights)
    assert int(tensors["model.loss.memory_bank.bank_ptr"]) == 3 * 16  # 3 steps of 8 images, 2 keys each
    old = {k: v for k, v in tensors.items() if not k.startswith("model.loss.memory_bank.")}
    save_file(old, weights)  # as written before the queue was saved

    resumed = Trainer(config(method="moco_v2"), tiny_images(), None, tmp_path, Recorder())
    queue = resumed.method.loss.memory_bank
    fresh = queue.bank.clone()
    resumed.resume()
    assert resumed.step == 3
    assert torch.equal(queue.bank, fresh) and int(queue.bank_ptr) == 0
    for (name, a), (_, b) in zip(stopped.method.query.state_dict().items(), resumed.method.query.state_dict().items()):
        assert torch.equal(a, b), name
    assert resumed.run().status == "completed"

    encoder_weight = next(k for k in old if k.startswith("model.encoder."))
    save_file({k: v for k, v in old.items() if k != encoder_weight}, weights)
    with pytest.raises(ValueError, match="lacks"):  # any other missing state still fails
        Trainer(config(method="moco_v2"), tiny_images(), None, tmp_path, Recorder()).resume()


def test_a_nan_stops_the_run_with_its_reason_and_keeps_the_last_checkpoint(tmp_path):
    trainer = Trainer(config(), tiny_images(), None, tmp_path, Recorder())
    step = trainer.method.training_step

    def poisoned(views):  # a NaN pixel in the batch of step 3
        if trainer.step == 3:
            views.views[0][0, 0, 0, 0] = float("nan")
        return step(views)

    trainer.method.training_step = poisoned
    result = trainer.run()
    assert result.status == "failed" and result.steps == 3
    assert "nan at step 3" in result.message and "Last good checkpoint: step 2" in result.message
    assert result.checkpoint.endswith("checkpoint.safetensors")


def test_weights_gone_non_finite_under_a_finite_loss_fail_the_run_and_are_never_kept(tmp_path):
    """A learning rate of 1e6 can leave the loss finite and the weights or features not: the
    monitor's rank (an SVD of NaN) raised a traceback and a checkpoint could keep them."""
    trainer = Trainer(config(), tiny_images(), None, tmp_path, Recorder())
    update = trainer.optimizer.step

    def blown(*args, **kwargs):  # from step 4 on, one weight is infinite
        update(*args, **kwargs)
        if trainer.step >= 3:
            weight = next(trainer.method.encoder.parameters()).data
            weight[(0,) * weight.ndim] = float("inf")

    trainer.optimizer.step = blown
    recorder = trainer.reporter
    result = trainer.run()
    assert result.status == "failed", result
    assert "became non-finite at step 4" in result.message and "Last good checkpoint: step 2" in result.message
    step, values = recorder.metrics[-1]  # the failed step's loss is on the curve (a failed run's was empty)
    assert step == 4 and "loss" in values and "embedding_std" not in values
    meta = checkpoint.read_meta(tmp_path)
    assert meta["step"] == 2


def test_out_of_memory_halves_the_batch_and_goes_on(tmp_path):
    trainer = Trainer(config(min_batch_size=4), tiny_images(), None, tmp_path, Recorder())
    step = trainer.method.training_step
    calls = []

    def flaky(views):
        calls.append(views.views[0].shape[0])
        if len(calls) == 1:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return step(views)

    trainer.method.training_step = flaky
    result = trainer.run()
    assert result.status == "completed"
    assert calls[:2] == [8, 4] and trainer.batch_size == 4
    assert any("batch size halved to 4" in w for w in result.warnings)


def test_out_of_memory_at_the_floor_fails_clearly(tmp_path):
    trainer = Trainer(config(min_batch_size=8), tiny_images(), None, tmp_path, Recorder())

    def always(views):
        raise torch.OutOfMemoryError("CUDA out of memory (simulated)")

    trainer.method.training_step = always
    result = trainer.run()
    assert result.status == "failed" and "out of memory even at batch size 8" in result.message


def test_the_default_reads_whole_images_larger_than_its_views_and_a_resume_keeps_that_side(tmp_path, monkeypatch):
    """FixRes (engine.embed_side): the small CNN with multi-crop reads whole images 1.5x its
    views' side, at most the stored side; the monitor reads them there, the checkpoint keeps it."""
    stored = np.repeat(np.repeat(tiny_images(), 2, 1), 2, 2)  # 32 px
    assert config().resolved_recipe().name == "simclr_multicrop"
    trainer = Trainer(config(epochs=1), stored, None, tmp_path, Recorder())
    assert (trainer.image_size, trainer.embed_size) == (SIDE, 24)
    sides = []
    model_input = trainer.kind.model_input
    monkeypatch.setattr(trainer.kind, "model_input", lambda batch, side: sides.append(side) or model_input(batch, side))
    assert trainer.run().status == "completed" and set(sides) == {24}
    assert checkpoint.read_meta(tmp_path)["embed_size"] == 24
    assert Trainer(config(image_size=24), stored, None, tmp_path / "b", Recorder()).embed_size == 32  # not above 32
    assert Trainer(config(), tiny_images(), None, tmp_path / "c", Recorder()).embed_size == SIDE  # stored at 16
    assert Trainer(config(method="rotation"), stored, None, tmp_path / "d", Recorder()).embed_size == SIDE
    resumed = Trainer(config(embed_size=20), stored, None, tmp_path, Recorder())
    resumed.resume()
    assert resumed.embed_size == 24  # as it was trained


def test_a_checkpoint_from_before_the_embedding_side_reads_at_its_views_side(tmp_path):
    stored = np.repeat(np.repeat(tiny_images(), 2, 1), 2, 2)
    assert Trainer(config(epochs=1), stored, None, tmp_path, Recorder()).run().status == "completed"
    meta = checkpoint.read_meta(tmp_path)
    del meta["embed_size"]
    (tmp_path / checkpoint.META).write_text(json.dumps(meta))
    resumed = Trainer(config(), stored, None, tmp_path, Recorder())
    resumed.resume()
    assert resumed.embed_size == SIDE


def test_a_partly_labelled_probe_reads_knn_on_its_labelled_rows_and_a_resume_keeps_how_it_measured(tmp_path):
    """Walks 39 and 40: the probe of a partly labelled set was its labelled images alone (30
    cells of 383 on the map in motion, the rank read on them). Now unlabelled images fill it,
    kNN reads its labelled rows and probe_size counts them; a run begun without labels
    resumes without them on the probe its snapshots name: its map in motion and series stay one run."""
    labels = np.array([0, 1] * 5 + [-1] * 14)
    fresh = Trainer(config(snapshot_every=1), tiny_images(), labels, tmp_path / "fresh", Recorder())
    assert fresh.labels is not None and fresh.probe.tolist() == list(range(24))
    assert fresh.scored.tolist() == list(range(10))
    measured = fresh.measure_untrained()
    assert measured["probe_size"] == 10.0 and measured["knn_majority"] == 0.5
    assert "knn_untrained" in measured
    begun = Trainer(config(), tiny_images(), None, tmp_path / "old", Recorder(stop_after=3))
    assert begun.run().status == "cancelled"  # measured without labels, checkpointed at step 2
    resumed = Trainer(config(), tiny_images(), labels, tmp_path / "old", Recorder())
    assert resumed.labels is None and resumed.probe.tolist() == begun.probe.tolist()
    none_labelled = Trainer(config(), tiny_images(), np.full(24, -1), tmp_path / "none", Recorder())
    assert none_labelled.labels is None and len(none_labelled.probe) == 24  # kNN on an empty probe, before


@pytest.mark.parametrize("method,unit", [("simclr", "images"), ("simcse", "examples")])
def test_one_item_is_refused_in_the_words_of_its_kind(tmp_path, method, unit):
    """A one-example text set was told 'training needs at least two images'."""
    with pytest.raises(ValueError, match=f"^training needs at least two {unit}; the dataset has 1$"):
        Trainer(config(method=method), tiny_images(1), None, tmp_path, Recorder())
