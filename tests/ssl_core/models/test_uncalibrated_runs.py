"""A run trained before the untrained twin was calibrated (models/calibration.py) measured its
verdict's baseline on a network that normalised nothing, too low to judge against: such a run
(an encoder with BatchNorm, no MARKER among its metrics) is not judged on it, by the verdict,
the advice rules or the Diagnosis panel's "no advice" sentence; a new run carries MARKER, and
a run of an encoder without BatchNorm was never affected."""

from __future__ import annotations

import sqlite3

import pytest

from ssl_core import jobs
from ssl_core.evaluate.diagnose import measure, no_advice_words
from ssl_core.evaluate.verdict import UNCALIBRATED
from ssl_core.models.calibration import MARKER, has_batchnorm


@pytest.mark.parametrize("encoder, options, expected", [
    ("small_cnn", None, True), ("small_cnn", {"width": 8}, True), ("resnet18", None, True),
    ("vit_tiny", None, False), ("text_transformer", None, False),
    ("no_such_encoder", None, True)])  # cannot be built: the cautious answer
def test_which_encoders_have_batchnorm_statistics_to_estimate(encoder, options, expected):
    assert has_batchnorm(encoder, options) is expected


def test_a_run_measured_before_calibration_is_not_judged_on_its_old_baseline(trained):
    ws, run = trained.ws, trained.run
    measured = jobs.latest(jobs.metrics(ws, run))
    assert measured[MARKER] == 1.0 and "knn_untrained" in measured
    assert jobs.run_verdict(ws, run) != UNCALIBRATED
    with sqlite3.connect(ws.db_path) as conn:  # as a run trained before 2026-12-04 stored its metrics
        conn.execute("DELETE FROM metrics WHERE run_id = ? AND name = ?", (run, MARKER))
    verdict = jobs.run_verdict(ws, run)
    assert verdict == UNCALIBRATED and verdict.to_json()["verdict"] == "not_yet"
    assert verdict.headline == "Not judged here"
    assert "knn_untrained" not in measure(ws, run).series and "knn_accuracy" in measure(ws, run).series
    said = no_advice_words(jobs.get_run(ws, run), jobs.metrics(ws, run))
    passed = said.split(").")[0]
    assert "flat from the start" not in passed and "collapse" in passed
    assert said.endswith("It could not check for an online measure flat from the start (its untrained baseline was "
                         "measured before BatchNorm was calibrated on the data).")


def test_a_run_of_an_encoder_without_batchnorm_keeps_its_verdict():
    old_vit = {"encoder": "vit_tiny", "config": "{}"}
    assert not jobs.uncalibrated_baseline(old_vit, {"knn_untrained": 0.3, "knn_accuracy": 0.6})
    assert jobs.uncalibrated_baseline({**old_vit, "encoder": "small_cnn"}, {"knn_untrained": 0.3})
    assert not jobs.uncalibrated_baseline({**old_vit, "encoder": "small_cnn"}, {"knn_accuracy": 0.6})
