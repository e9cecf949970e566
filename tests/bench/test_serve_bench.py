"""bench/serve.py splits sidebar visits by the first-load wave: a visit that started before the
last session's first load finished counts as during it, any later one as after."""

from __future__ import annotations

import importlib.util

import pytest

from tests.bench.running import ROOT


def load_serve_bench():
    spec = importlib.util.spec_from_file_location("serve_bench", ROOT / "bench" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sidebar_visits_are_split_at_the_end_of_the_last_first_load():
    serve = load_serve_bench()
    timeline = [("first load", 0.0, 9.0), ("first load", 0.0, 12.0), ("Train", 8.0, 20.0),
                ("Data", 11.9, 13.0), ("Retrieval", 12.0, 13.5), ("Evaluate", 30.0, 31.0)]
    during, after = serve.during_first_loads(timeline, "first load")
    assert during == pytest.approx([12.0, 1.1])
    assert after == [1.5, 1.0]


def test_without_a_finished_first_load_every_visit_counts_as_after():
    serve = load_serve_bench()
    assert serve.during_first_loads([("Data", 1.0, 2.0)], "first load") == ([], [1.0])
