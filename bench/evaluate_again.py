"""A second encoder evaluated on the same data: every curve fitted again (what evaluation did
before, the baseline) against the curves beside it taken from kept_curves.py (ours).

Data flow: a fresh workspace with the built-in shapes (2,000 labelled images) -> the untrained
small CNN evaluated once (its raw-pixel and from-scratch curves are kept) -> a second encoder
(the untrained small CNN at 24 px) evaluated with the kept file removed (baseline) and with it
(ours), each on the same process and settings, the reports compared. Prints each one's seconds,
whether the two reports match, and last `ratio: X.XX` (baseline over ours).

    .venv/bin/python bench/evaluate_again.py [--workspace DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssl_core.data.ingest import ingest_builtin  # noqa: E402
from ssl_core.embed import embed, untrained  # noqa: E402
from ssl_core.evaluate.kept_curves import FILE  # noqa: E402
from ssl_core.evaluate.report import report  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402


def timed(ws: Workspace, source) -> tuple[float, dict]:
    start = time.perf_counter()
    out = report(ws, "shapes", source)
    out.pop("seconds")
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", help="a new folder (default: a temporary one)")
    args = parser.parse_args()
    root = Path(args.workspace or tempfile.mkdtemp(prefix="ssl-evaluate-again-"))
    ws = Workspace(root)
    ingest_builtin(ws, "shapes")
    second = untrained(image_size=24)
    embed(ws, "shapes", second)  # both timings start from its features on disk
    first_s, _ = timed(ws, untrained())
    kept = ws.dataset_dir(ws.dataset("shapes")) / FILE
    saved = kept.read_bytes()
    kept.unlink()
    before_s, before = timed(ws, second)  # fits all three curves again (and keeps them anew)
    kept.write_bytes(saved)
    ours_s, ours = timed(ws, second)
    print(f"{'evaluation':44}{'seconds':>8}")
    print(f"{'first encoder (every curve fitted)':44}{first_s:>8.1f}")
    print(f"{'second encoder, every curve fitted again':44}{before_s:>8.1f}")
    print(f"{'second encoder, curves beside it kept':44}{ours_s:>8.1f}")
    print(f"same report: {ours == before}")
    print(f"ratio: {before_s / ours_s:.2f}")


if __name__ == "__main__":
    main()
