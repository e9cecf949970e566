"""bench/verdict_calibration.py runs end to end: one short training with its monitor, a row
per tick with both verdicts, the set's summary, and the ratio last."""

from __future__ import annotations

import re

import pytest

from ssl_core.evaluate.verdict import LEARNED_SHARE
from tests.bench.running import run_bench
VERDICTS = "learned|not_yet|worse_than_untrained"


@pytest.mark.slow
def test_the_bench_judges_every_tick_both_ways_and_prints_the_ratio(tmp_path):
    stdout = run_bench("verdict_calibration.py", "--datasets", "shapes", "--minutes", "0.05", "--every", "5",
                       "--workspace", str(tmp_path / "ws"))
    rows = re.findall(rf"^shapes\s+(\d+)\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+({VERDICTS})\s+({VERDICTS})$",
                      stdout, re.M)
    assert len(rows) >= 2 and rows[0][0] == "1"
    for _, shared, untrained, share, *_ in rows:  # the share is shared over the untrained network's
        assert float(share) == pytest.approx(float(shared) / float(untrained), abs=0.02)
    summary = re.search(r"^shapes: lowest share not learned ([\d.]+|inf); called learned wrongly (\d+), missed (\d+) "
                        r"of (\d+) ticks$", stdout, re.M)
    assert summary and int(summary[4]) == len(rows)
    last = stdout.strip().splitlines()[-1]
    if summary[1] != "inf":
        assert float(last.removeprefix("ratio: ")) == pytest.approx(float(summary[1]) / LEARNED_SHARE, abs=0.03)
