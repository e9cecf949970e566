"""Scale: N generated 64 px images through the command line, each step's time and memory.

Data: N PNGs (default 200,000) from the built-in shapes generator: a base of 2,000 drawn
shapes, each image one of them rolled, maybe mirrored, its colour channels permuted; in
class-named subfolders (the label is the shape), split over folders of 50,000 files (an
import reads at most 100,000 files from one folder: data/sources.py MAX_ENTRIES).

Steps, each a fresh `python -m ssl_core` process on one new workspace: ingest (decode
once into the uint8 array and thumbnails), embed (the untrained small CNN at 32 px),
project (UMAP, 2-D), index (`search`'s first call builds and saves the FAISS index),
search (one query against the saved index). Then the app in a fresh process (Streamlit's
AppTest): its first page, the Explorer opening that map (map and embedding on disk, the
process's caches cold; this first opening also makes the hover sprite) and its rerun;
then all of it again in another fresh process, everything cached. For each: wall seconds; peak RSS (from
`os.wait4`; it counts the pages of the memory-mapped dataset the process touched, which
the kernel can drop) and peak private memory (RssAnon, sampled every 20 ms: what the
process allocated itself), beside the dataset's bytes: a step holding the dataset twice
would show private memory of twice that.

    .venv/bin/python bench/scale.py [--count 200000] [--keep DIR]

The last line is `ratio: X.XX`: the Explorer's 10 s goal over its opening time once cached.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ssl_core.data.builtins.shapes import SHAPES, draw_shape  # noqa: E402

SIDE = 64
BASE = 2000  # drawn shapes the images are varied from
PER_FOLDER = 50_000
CHUNK = 5_000  # images per generating task; divides PER_FOLDER
EXPLORER_GOAL_S = 10.0
DATASET = "scale"


# -- the images --------------------------------------------------------------------------------

@functools.cache
def _base() -> list[np.ndarray]:
    """The BASE drawn shapes every image is varied from (drawn once per process)."""
    rng = np.random.default_rng(0)
    return [draw_shape(SHAPES[i % len(SHAPES)], rng, SIDE) for i in range(BASE)]


def _write_images(folder: Path, first: int, count: int) -> None:
    """Images first..first+count-1 as PNGs under folder/<shape>/."""
    rng = np.random.default_rng(first)
    for kind in SHAPES:
        (folder / kind).mkdir(parents=True, exist_ok=True)
    for i in range(first, first + count):
        b = i % BASE
        image = np.roll(_base()[b], tuple(rng.integers(-8, 9, 2)), axis=(0, 1))[:, :: rng.choice((-1, 1))]
        image = np.ascontiguousarray(image[:, :, rng.permutation(3)])
        Image.fromarray(image).save(folder / SHAPES[b % len(SHAPES)] / f"{i:06d}.png", compress_level=1)


def make_images(root: Path, count: int) -> list[Path]:
    """`count` PNGs in folders of at most PER_FOLDER (made on two processes); the folders."""
    folders = [root / f"part{k}" for k in range(-(-count // PER_FOLDER))]
    starts = range(0, count, CHUNK)
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_write_images, [folders[s // PER_FOLDER] for s in starts], starts,
                      [min(CHUNK, count - s) for s in starts]))
    return folders


# -- one measured step -------------------------------------------------------------------------

@dataclass
class Step:
    name: str
    seconds: float
    peak_rss_mb: float
    peak_private_mb: float
    output: str


def _private_kb(pid: int) -> int:
    """The process's RssAnon in kB (0 once it has exited)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("RssAnon:")), 0)
    except OSError:
        return 0


def run_step(name: str, command: list[str], log: Path) -> Step:
    """Run `command`; its wall time, peak RSS, peak private memory and stdout."""
    with tempfile.TemporaryFile("w+") as out, open(log, "a") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err,
                                   env={**os.environ, "PYTHONWARNINGS": "ignore"})
        peak, done = [0], threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _private_kb(process.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    if process.returncode:
        raise RuntimeError(f"{name} failed ({process.returncode}):\n{log.read_text()[-3000:]}")
    return Step(name, seconds, usage.ru_maxrss / 1024, peak[0] / 1024, output)


def cli(workspace: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ssl_core", "--workspace", str(workspace), *args]


# -- the Explorer, in a fresh process -----------------------------------------------------------

def explorer_child(workspace: str) -> None:
    """Open the app, then the Explorer, then rerun it; print the three times as JSON."""
    os.environ["SSL_WORKSPACE"] = workspace
    from streamlit.testing.v1 import AppTest

    times = {}
    start = time.perf_counter()
    app = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=1800).run()
    times["app_s"] = time.perf_counter() - start
    for name, action in (("explorer_s", lambda: app.switch_page("../pages/explorer.py").run()),
                         ("rerun_s", app.run)):
        start = time.perf_counter()
        action()
        times[name] = time.perf_counter() - start
        if app.exception:
            raise RuntimeError(app.exception[0].value)
    print(json.dumps(times))


# -- the run -----------------------------------------------------------------------------------

def measure(count: int, images: Path, workspace: Path, log: Path) -> tuple[list[Step], list[dict]]:
    """Every step on `count` images (made under `images` unless already there)."""
    from ssl_core.store import Workspace

    folders = sorted(images.glob("part*"))
    if sum(1 for f in folders for _ in f.rglob("*.png")) != count:
        folders = make_images(images, count)
    query = next(folders[0].rglob("*.png"))
    source = ("--dataset", DATASET, "--untrained")
    steps = [run_step("ingest", cli(workspace, "ingest", *map(str, folders), "--name", DATASET, "--size",
                                    str(SIDE)), log)]
    Workspace(workspace).set_meta("demo_seeded", "1")  # the app adds no demo data to this workspace
    steps += [run_step(name, cli(workspace, *args), log) for name, args in (
        ("embed", ("embed", *source)), ("project (UMAP)", ("project", *source)),
        ("index + search", ("search", *source, "--query", str(query))),
        ("search", ("search", *source, "--query", str(query))))]
    apps = [run_step(name, [sys.executable, __file__, "--explorer", str(workspace)], log)
            for name in ("app, Explorer", "again")]  # the first opening makes the hover sprite
    return steps + apps, [json.loads(app.output.strip().splitlines()[-1]) for app in apps]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000, help="images to generate and import")
    parser.add_argument("--keep", type=Path, help="make (or reuse) the images here instead of a temporary folder")
    parser.add_argument("--explorer", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.explorer:
        explorer_child(args.explorer)
        return
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        images = args.keep or Path(tmp) / "images"
        steps, (first, again) = measure(args.count, images, Path(tmp) / "ws", Path(tmp) / "steps.log")
    dataset_mb = args.count * SIDE * SIDE * 3 / 2**20
    print(f"{args.count:,} images of {SIDE} px through the CLI: the uint8 dataset is {dataset_mb:,.0f} MB "
          f"({os.cpu_count()} cores, load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)")
    print(f"{'step':18}{'seconds':>9}{'peak RSS MB':>13}{'peak private MB':>17}")
    for step in steps:
        print(f"{step.name:18}{step.seconds:>9.1f}{step.peak_rss_mb:>13,.0f}{step.peak_private_mb:>17,.0f}")
    print(f"app: first page {first['app_s']:.1f} s; Explorer opens the map in {first['explorer_s']:.1f} s the first "
          f"time, {again['explorer_s']:.1f} s in a new app process once cached, rerun {again['rerun_s']:.1f} s")
    print(f"ratio: {EXPLORER_GOAL_S / again['explorer_s']:.2f}")


if __name__ == "__main__":
    main()
