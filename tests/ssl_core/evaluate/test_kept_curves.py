"""The curves beside an encoder's are fitted once per dataset and settings: a second encoder
evaluated on the same data reuses them (the same numbers as fitting them again), and other
settings, another dataset or a damaged file fit them anew."""

from __future__ import annotations

import dataclasses

import pytest

from ssl_core.data.ingest import ingest_builtin
from ssl_core.embed import untrained
from ssl_core.evaluate import image_hooks
from ssl_core.evaluate.kept_curves import FILE
from ssl_core.evaluate.report import RAW_PIXELS, SUPERVISED, report
from tests.ssl_core.evaluate.test_evaluate_report import SMALL


@pytest.fixture
def shapes(workspace):
    ingest_builtin(workspace, "shapes")
    return workspace


@pytest.fixture
def from_scratch(monkeypatch):
    """How many times the network from scratch is set up to be fitted."""
    made = []
    real = image_hooks.ImageEvaluation.supervised
    monkeypatch.setattr(image_hooks.ImageEvaluation, "supervised", lambda *a: made.append(1) or real(*a))
    return made


def fitted_learners(calls: list[tuple[float, int, str]]) -> int:
    """Curves fitted, from the progress total: 6 stages + 3 fits per curve (SMALL: 2 draws at 5%, 1 at 100%)."""
    return (calls[-1][1] - 6) // 3


@pytest.mark.slow
def test_a_second_encoder_on_the_same_data_fits_only_its_own_curve(shapes, from_scratch):
    first = report(shapes, "shapes", untrained(), config=SMALL)
    assert len(from_scratch) == 1 and (shapes.dataset_dir(shapes.dataset("shapes")) / FILE).exists()
    calls = []
    wider = untrained(image_size=24)  # another encoder: its twin is itself
    second = report(shapes, "shapes", wider, progress=lambda *told: calls.append(told), config=SMALL)
    assert len(from_scratch) == 1 and fitted_learners(calls) == 1  # raw pixels and from scratch were kept
    assert calls[-1][0] == calls[-1][1]  # the bar still ends full
    curves = second["label_efficiency"]["curves"]
    assert list(curves) == ["untrained small_cnn", RAW_PIXELS, SUPERVISED]
    assert curves[RAW_PIXELS] == first["label_efficiency"]["curves"][RAW_PIXELS]
    assert curves[SUPERVISED] == first["label_efficiency"]["curves"][SUPERVISED]
    (shapes.dataset_dir(shapes.dataset("shapes")) / FILE).write_text("{not json")  # damaged: fitted again
    again = report(shapes, "shapes", wider, config=SMALL)
    assert len(from_scratch) == 2 and again["label_efficiency"] == second["label_efficiency"]


@pytest.mark.slow
def test_other_settings_fit_their_own_curves(shapes, from_scratch):
    report(shapes, "shapes", untrained(), config=SMALL)
    report(shapes, "shapes", untrained(), config=dataclasses.replace(SMALL, draws=1))
    assert len(from_scratch) == 2
