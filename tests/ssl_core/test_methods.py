"""Method-specific state: MoCo's queue of keys, DINO's teacher temperature schedule,
momentum schedules reaching 1 (or held constant)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ssl_core.augment import make_recipe
from ssl_core.methods import build_method

SIDE = 16


def views(recipe: str, n: int = 4, seed: int = 0):
    images = np.random.default_rng(seed).integers(0, 256, (n, SIDE, SIDE, 3), dtype=np.uint8)
    return make_recipe(recipe)(torch.from_numpy(images), torch.Generator().manual_seed(seed))


def test_moco_queue_takes_each_batch_of_keys():
    torch.manual_seed(0)
    method = build_method("moco_v2", "small_cnn", SIDE)
    bank = method.loss.memory_bank
    before = bank.bank.clone()
    method.training_step(views("moco_v2"))
    after = bank.bank.clone()
    assert after.shape == (4096, 128)  # one row per queued key
    changed = (before != after).any(dim=1)
    assert int(changed.sum()) == 8  # both directions put the 4 keys of this batch in the queue
    assert int(bank.bank_ptr) == 8


def test_moco_scores_both_directions_against_the_queue_before_the_step():
    torch.manual_seed(0)
    method = build_method("moco_v2", "small_cnn", SIDE)
    batch = views("moco_v2")
    bank = method.loss.memory_bank.bank.clone().double()  # (4096, 128) unit keys
    loss, _ = method.training_step(batch)
    with torch.no_grad():
        q_a, q_b = F.normalize(method.query(torch.cat(batch.views)), dim=1).double().chunk(2)
        k_a, k_b = F.normalize(method.key(torch.cat(batch.views)), dim=1).double().chunk(2)
    t = method.loss.temperature

    def naive(q, k):  # query i: its key among the queue's, as cross-entropy
        total = 0.0
        for i in range(len(q)):
            scores = [float(q[i] @ k[i]) / t] + (bank @ q[i] / t).tolist()
            total -= scores[0] - np.log(np.sum(np.exp(scores)))
        return total / len(q)

    assert loss.item() == pytest.approx(0.5 * (naive(q_a, k_b) + naive(q_b, k_a)), rel=1e-5)
    queued = method.loss.memory_bank.bank[:8].double()
    assert torch.allclose(queued, torch.stack([k_b, k_a], 1).flatten(0, 1), atol=1e-6)  # per image: b, a


def test_building_dino_warns_of_nothing_in_the_servers_log():
    """Walk 37: every DINO run put lightly's weight_norm FutureWarning in the log an operator watches."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_method("dino", "small_cnn", SIDE)


def test_dino_teacher_temperature_warms_up_then_holds():
    method = build_method("dino", "small_cnn", SIDE)
    temperatures = []
    for progress in (0.0, 0.15, 0.3, 0.9):
        method.progress = progress
        temperatures.append(method.temperature())
    assert temperatures == pytest.approx([0.04, 0.055, 0.07, 0.07])


@pytest.mark.parametrize("name", ["byol", "moco_v2", "moco_v3", "dino"])
def test_momentum_teachers_follow_the_cosine_schedule_to_one(name):
    method = build_method(name, "small_cnn", SIDE)
    teacher = getattr(method, "teacher", None) or method.key
    assert teacher.momentum(0.0) == pytest.approx(teacher.start)
    assert teacher.momentum(1.0) == pytest.approx(1.0)
    assert teacher.start < teacher.momentum(0.5) < 1.0


@pytest.mark.parametrize("momentum", [0.0, 1.0])
def test_a_constant_momentum_copies_the_student_each_step_or_never_moves(momentum):
    method = build_method("byol", "small_cnn", SIDE)
    method.teacher.start = method.teacher.end = momentum
    assert method.teacher.momentum(0.0) == method.teacher.momentum(0.5) == momentum
    before = [p.clone() for p in method.teacher.parameters()]
    with torch.no_grad():
        for p in method.student.parameters():
            p.add_(1.0)
    method.after_step(0.5)
    expected = before if momentum == 1.0 else list(method.student.parameters())
    assert all(torch.equal(t, e) for t, e in zip(method.teacher.parameters(), expected, strict=True))


def test_moco_v3_loss_matches_a_naive_cross_entropy():
    method = build_method("moco_v3", "small_cnn", SIDE)
    q, k = torch.randn(4, 8), torch.randn(4, 8)
    qn, kn = (q / q.norm(dim=1, keepdim=True)).double(), (k / k.norm(dim=1, keepdim=True)).double()
    t = method.temperature
    expected = 0.0
    for i in range(4):
        scores = [float(qn[i] @ kn[j]) / t for j in range(4)]
        expected -= scores[i] - np.log(sum(np.exp(s) for s in scores))
    assert float(method.contrast(q, k)) == pytest.approx(expected / 4 * 2 * t, rel=1e-5)
