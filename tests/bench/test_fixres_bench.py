"""bench/fixres.py runs end to end: one short training, whole images read at two sides, a
row per side for the trained network and its untrained copy, and the ratio last."""

from __future__ import annotations

import re

import pytest

from tests.bench.running import run_bench


@pytest.mark.slow
def test_the_bench_reads_whole_images_at_each_side_and_prints_the_ratio(tmp_path):
    stdout = run_bench("fixres.py", "--datasets", "shapes", "--sides", "32,48", "--minutes", "0.02",
                       "--workspace", str(tmp_path / "ws"))
    rows = re.findall(r"^shapes\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([+-][\d.]+)", stdout, re.M)
    assert [int(side) for side, *_ in rows] == [32, 48]
    for _, trained, untrained, gain in rows:  # each printed to 3 decimals: 0.0015 of rounding at most
        assert abs(float(trained) - float(untrained) - float(gain)) <= 0.002
    ratio = float(stdout.strip().splitlines()[-1].removeprefix("ratio: "))  # 2 decimals, of rounded kNNs
    assert ratio == pytest.approx(float(rows[1][1]) / float(rows[0][1]), abs=0.015)
