"""The GPU path in one run: training, search, maps and features on CUDA, each beside its
baseline on the same machine. Run it through bench/gpu.sh.

1. SimCLR, ResNet-18 (CIFAR stem), batch 512, 25,000 photo patches (bench/augment.py) at
   32 and 96 px, images/s over 10 s after a 5 s warm-up (compilation happens there):
   ours is the engine's own step (`Trainer.train_step`: data and augmentation on the
   GPU, bf16 autocast, channels_last), torch.compile off and on; the baseline is lightly's
   example pipeline (bench/lightly_simclr.py: `SimCLRTransform` per image in DataLoader
   workers, one per CPU core up to 16, `NTXentLoss`) with the same model precision, so
   the ratio measures the data path. Both use the SimCLR paper's augmentations. At 32 px
   also a whole 20 s `Trainer.run()` at the engine's own cadence of checkpoints (every
   100 steps) and monitoring (every 25), start and final checkpoint included: what a
   user's run gets.
2. FAISS: our index (`index.build_index`, IVF with calibrated nprobe) of 1M clustered
   128-d vectors, 10,000 queries at once, k=10: queries/s on the GPU against the same
   index on the CPU (the GPU row needs faiss-gpu: requirements-gpu.txt).
3. UMAP of 100,000 points (`project.umap_map`: FAISS kNN graph, numba cache): seconds,
   numba's compilation apart.
4. Features of 10,000 images (`embed.compute_features`, ResNet-18 at 32 px): images/s on
   the GPU against the CPU (timed there on 2,000).

Every part runs in its own process with a time limit; the whole run keeps within
`--budget` seconds (a part past its limit shows as "timed out"; 96 px runs last). Without a CUDA GPU it
says so in one line and exits 0. `--device cpu --tiny` runs every part small on the CPU
(the smoke test of this script, tests/bench/test_gpu_bench.py).

    .venv/bin/python bench/gpu.py [--budget 450] [--device cpu --tiny]

One table; the last line is `ratio: X.XX`, ours (the faster of compile off and on) over
lightly's images/s at 32 px.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from augment import make_images  # noqa: E402  (photo patches, as bench/augment.py times them)


@dataclass(frozen=True)
class Sizes:
    encoder: str
    images: int  # training images per side
    batch: int
    sides: tuple[int, ...]  # the first one gives the headline ratio
    warmup_s: float  # each training loop runs this long before it is timed ...
    measure_s: float  # ... and is then timed over this long (at least MIN_STEPS steps)
    vectors: int  # FAISS database
    queries: int
    map_points: int  # UMAP
    embed_images: int
    embed_cpu_images: int
    run_s: float  # a whole Trainer.run() with the engine's own checkpoint and monitor cadence
    part_limits: bool  # each part within PART_LIMITS (else only within the run's budget)


FULL = Sizes(encoder="resnet18", images=25_000, batch=512, sides=(32, 96), warmup_s=5.0, measure_s=10.0,
             vectors=1_000_000, queries=10_000, map_points=100_000, embed_images=10_000, embed_cpu_images=2_000,
             run_s=20.0, part_limits=True)
TINY = Sizes(encoder="small_cnn", images=64, batch=16, sides=(16,), warmup_s=0.0, measure_s=0.0, vectors=25_000,
             queries=100, map_points=300, embed_images=64, embed_cpu_images=32, run_s=1.0, part_limits=False)
MIN_STEPS = 3
# part -> its time limit in seconds on a GPU machine
PART_LIMITS = {"ours": 150, "ours_compiled": 200, "lightly": 120, "faiss": 150, "umap": 200, "embed": 90}


# -- the parts, each run in a fresh process ----------------------------------------------------

def timed(step: Callable[[], int], sizes: Sizes, sync: Callable[[], None]) -> float:
    """Images/s of `step()` (which returns its batch's image count) after a warm-up of at
    least one step and `sizes.warmup_s`, over `sizes.measure_s` and at least MIN_STEPS."""
    start = time.perf_counter()
    step()
    while time.perf_counter() - start < sizes.warmup_s:
        step()
    sync()
    start, seen, steps = time.perf_counter(), 0, 0
    while steps < MIN_STEPS or time.perf_counter() - start < sizes.measure_s:
        seen, steps = seen + step(), steps + 1
    sync()
    return seen / (time.perf_counter() - start)


def part_ours(sizes: Sizes, device: str, side: int, compile: bool) -> dict:
    import torch

    from ssl_core.augment import make_recipe
    from ssl_core.engine import TrainConfig, Trainer
    from train import Quiet

    config = TrainConfig(dataset="bench", encoder=sizes.encoder, recipe=make_recipe("simclr").to_dict(),
                         image_size=side, epochs=1.0, batch_size=sizes.batch, device=device, compile=compile,
                         checkpoint_every=10**9, monitor_every=10**9)
    images = make_images(sizes.images, side)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(config, images, None, Path(tmp) / "steps", Quiet())

        def step() -> int:
            trainer.train_step(0.5)
            trainer.step += 1
            return trainer.batch_size

        out = {"images_per_s": timed(step, sizes, lambda: _sync(torch, device))}
        if compile or side != sizes.sides[0]:
            return out
        del trainer  # then a user's whole run: checkpoints and monitor at the engine's own cadence
        whole = replace(config, epochs=None, minutes=sizes.run_s / 60, checkpoint_every=TrainConfig.checkpoint_every,
                        monitor_every=TrainConfig.monitor_every)
        result = Trainer(whole, images, None, Path(tmp) / "run", Quiet()).run()
        return out | {"run_images_per_s": result.images_per_s, "run_steps": result.steps}


def part_lightly(sizes: Sizes, device: str, side: int) -> dict:
    import torch

    from lightly_simclr import LightlySimCLR

    workers = min(16, os.cpu_count() or 2)
    baseline = LightlySimCLR(make_images(sizes.images, side), encoder=sizes.encoder, side=side, batch=sizes.batch,
                             workers=workers, device=device, bf16=True)
    return {"images_per_s": timed(baseline.step, sizes, lambda: _sync(torch, device)), "workers": workers}


def part_faiss(sizes: Sizes) -> dict:
    import faiss

    from clustered import clustered
    from ssl_core import index

    vectors, _ = clustered(sizes.vectors + sizes.queries, seed=1)
    base, queries = vectors[: sizes.vectors], vectors[sizes.vectors :]
    start = time.perf_counter()
    built = index.build_index(base)  # on the GPU when FAISS sees one
    out = {"build_s": time.perf_counter() - start, "gpus": faiss.get_num_gpus()}
    on_cpu = faiss.index_gpu_to_cpu(built) if out["gpus"] else built
    for name, searched in (("cpu", on_cpu), ("gpu", built if out["gpus"] else None)):
        if searched is not None:
            index.search(searched, queries[:10], 10)  # warm-up
            start = time.perf_counter()
            index.search(searched, queries, 10)
            out[f"{name}_queries_per_s"] = len(queries) / (time.perf_counter() - start)
    return out


def part_umap(sizes: Sizes) -> dict:
    from clustered import clustered
    from ssl_core import project
    from ssl_core.numba_cache import default_numba_cache

    project.configure_numba_cache(default_numba_cache())
    start = time.perf_counter()
    project.warm_up()  # numba's compilation (or its disk cache), timed apart
    compiled = time.perf_counter()
    project.umap_map(clustered(sizes.map_points)[0])
    return {"compile_s": compiled - start, "fit_s": time.perf_counter() - compiled}


def part_embed(sizes: Sizes, device: str) -> dict:
    import torch

    from ssl_core.embed import compute_features
    from ssl_core.models import build_encoder

    images = make_images(sizes.embed_images, 32)
    encoder = build_encoder(sizes.encoder, 32).eval()
    out = {}
    for name, where, count in (("device", device, sizes.embed_images), ("cpu", "cpu", sizes.embed_cpu_images)):
        subset = images[:count]
        compute_features(encoder, subset[: sizes.batch], 32, device=where)  # warm-up
        _sync(torch, where)
        start = time.perf_counter()
        compute_features(encoder, subset, 32, device=where)
        out[f"{name}_images_per_s"] = len(subset) / (time.perf_counter() - start)
    return out


def _sync(torch, device: str) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def run_part(spec: dict) -> dict:
    sizes = Sizes(**{**spec["sizes"], "sides": tuple(spec["sizes"]["sides"])})
    name, device, side = spec["part"], spec["device"], spec.get("side")
    if name in ("ours", "ours_compiled"):
        return part_ours(sizes, device, side, compile=name == "ours_compiled")
    if name == "lightly":
        return part_lightly(sizes, device, side)
    if name == "faiss":
        return part_faiss(sizes)
    if name == "umap":
        return part_umap(sizes)
    return part_embed(sizes, device)


# -- the parent: parts in fresh processes, one table -------------------------------------------

class Runner:
    """Runs each part in a new Python process within the run's remaining budget."""

    def __init__(self, sizes: Sizes, device: str, budget: float) -> None:
        self.sizes, self.device = sizes, device
        self.deadline = time.monotonic() + budget

    def __call__(self, part: str, side: int | None = None) -> dict | str:
        """The part's result, or why there is none (a short reason for the table)."""
        limit = self.deadline - time.monotonic()
        limit = min(PART_LIMITS[part], limit) if self.sizes.part_limits else limit
        if limit < 5:
            return "skipped (budget spent)"
        spec = {"part": part, "side": side, "device": self.device, "sizes": asdict(self.sizes)}
        try:
            done = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=limit,
                                  env={**os.environ, "PYTHONWARNINGS": "ignore"})
        except subprocess.TimeoutExpired:
            return f"timed out ({limit:.0f} s)"
        if done.returncode:
            print(f"{part} {side or ''} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
            return "failed (stderr)"
        return json.loads(done.stdout.strip().splitlines()[-1])


def _cell(result: dict | str, key: str, unit: str = "") -> str:
    if isinstance(result, str):
        return result
    return f"{result[key]:,.0f}{unit}" if key in result else "n/a"


def _ratio(ours: dict | str, base: dict | str, key: str, base_key: str | None = None) -> float | None:
    base_key = base_key or key
    if isinstance(ours, str) or isinstance(base, str) or key not in ours or base_key not in base:
        return None
    return ours[key] / base[base_key]


def training_rows(runner: Runner, sizes: Sizes, side: int) -> list[tuple[str, str, str, float | None]]:
    """Rows for ours (compile off, on; a whole run where measured) against lightly at `side` px."""
    results = {part: runner(part, side) for part in ("ours", "lightly")}
    compiled = runner("ours_compiled", side) if runner.device == "cuda" else "n/a (CUDA only)"
    variants = [("ours", results["ours"], "images_per_s"), ("ours, torch.compile", compiled, "images_per_s")]
    if isinstance(results["ours"], dict) and "run_images_per_s" in results["ours"]:
        variants.append(("ours, a whole Trainer.run", results["ours"], "run_images_per_s"))
    lightly = _cell(results["lightly"], "images_per_s") + " lightly"
    return [(f"SimCLR {sizes.encoder} {side} px, img/s ({label})", _cell(result, key), lightly,
             _ratio(result, results["lightly"], key, "images_per_s")) for label, result, key in variants]


def measure(runner: Runner, sizes: Sizes) -> tuple[list[tuple[str, str, str, float | None]], float | None]:
    """(table rows (part, ours, baseline, ratio), ours over lightly at the first side). The
    first side's training runs first, the other sides' last, so a run short of time keeps
    the headline and every kind of part."""
    first = training_rows(runner, sizes, sizes.sides[0])
    ratios = [row[3] for row in first[:2] if row[3] is not None]  # the step, compile off and on
    found, mapped, embedded = runner("faiss"), runner("umap"), runner("embed")
    rows = first + [row for side in sizes.sides[1:] for row in training_rows(runner, sizes, side)]
    rows.append((f"FAISS IVF {sizes.vectors:,} x 128, {sizes.queries:,} queries, q/s",
                 _cell(found, "gpu_queries_per_s", " GPU"), _cell(found, "cpu_queries_per_s", " CPU"),
                 _ratio(found, found, "gpu_queries_per_s", "cpu_queries_per_s")))
    fit = mapped if isinstance(mapped, str) else f"{mapped['fit_s']:.1f} s (+{mapped['compile_s']:.0f} s numba)"
    rows.append((f"UMAP {sizes.map_points:,} points, seconds", fit, "", None))
    rows.append((f"embed {sizes.embed_images:,} images ({sizes.encoder} 32 px), img/s",
                 _cell(embedded, "device_images_per_s", f" {runner.device}"),
                 _cell(embedded, "cpu_images_per_s", " CPU"),
                 _ratio(embedded, embedded, "device_images_per_s", "cpu_images_per_s")))
    return rows, max(ratios) if ratios else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    parser.add_argument("--tiny", action="store_true", help="every part small (a smoke test)")
    parser.add_argument("--budget", type=float, default=450.0, help="seconds for the whole run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_part(json.loads(args.child))))
        return
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print("no CUDA GPU here (torch.cuda.is_available() is False): bench/gpu.sh measured nothing")
        return
    sizes = TINY if args.tiny else FULL
    start = time.monotonic()
    rows, headline = measure(Runner(sizes, args.device, args.budget), sizes)
    where = torch.cuda.get_device_name() if args.device == "cuda" else "CPU"
    print(f"GPU bench on {where}, torch {torch.__version__}, {os.cpu_count()} CPU cores, "
          f"batch {sizes.batch}, {time.monotonic() - start:.0f} s")
    print(f"{'part':60}{'ours':>24}{'baseline':>26}{'ratio':>8}")
    for what, ours, base, ratio in rows:
        print(f"{what:60}{ours:>24}{base:>26}{'' if ratio is None else f'{ratio:.2f}':>8}")
    print(f"ratio: {headline:.2f}" if headline is not None else "ratio: n/a")


if __name__ == "__main__":
    main()
