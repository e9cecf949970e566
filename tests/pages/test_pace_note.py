"""The Train page's word before Start on a minutes budget too short at the pace measured here
(ssl_core/pace_note.py): walk 27's ResNet-18 run made 12 steps in 1.5 minutes, unsaid until it ended."""

from __future__ import annotations

import shutil

from tests.pages.conftest import open_page

from ssl_core.store import Workspace


def test_a_budget_of_few_steps_at_the_measured_pace_is_said_before_start(shapes_run, monkeypatch, tmp_path):
    root, run = shapes_run
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    with Workspace(copy).write() as conn:  # as walk 27's ResNet-18 ran on two busy cores
        conn.execute("UPDATE runs SET images_per_s = 12 WHERE id = ?", (run,))
    at = open_page(copy, "../pages/train.py", monkeypatch, dataset="shapes")
    at.number_input(key="train_budget_minutes").set_value(1.5).run()
    said = [c.value for c in at.caption if c.value.startswith("At the pace ")]
    assert len(said) == 1 and "(12 images/s), 1.5 minutes hold about 17 steps of 64: too few to learn much" in said[0]
    at.number_input(key="train_budget_minutes").set_value(5.0).run()  # 56 steps: enough to judge, not said
    assert not [c for c in at.caption if c.value.startswith("At the pace ")]
    at.selectbox(key="train_encoder_simclr").set_value("resnet18").run()  # no run of it measured here: no claim
    at.number_input(key="train_budget_minutes").set_value(0.5).run()
    assert not at.exception and not [c for c in at.caption if c.value.startswith("At the pace ")]
