"""Tuning the CPU default: every candidate setting, the same compute, every data set.

For each data set (built-ins, hard cluttered sets included) and each variant (a method,
encoder, view size, batch, learning rate and recipe), the engine trains for the same
budget and the learnt features are judged by kNN accuracy (k=20, cosine, leave-one-out,
all images, read at the side the app reads them: engine.embed_side) beside the same
network untrained. The budget is CPU time: the engine's clock
is swapped for the process's CPU seconds on one thread (no thread spins on a busy machine),
scaled by CPU_PER_QUIET_SECOND, so a variant run while the shared machine is busy gets the
compute it would get in the same minutes on a quiet 2-core one.

    .venv/bin/python bench/tune.py [--minutes 5] [--datasets clutter_shapes,digits] \
        [--variants default,previous,small_mean,mc4+temp02] [--workspace DIR] [--subset 450] [--turned]

--subset N trains and judges on the same seeded random N images of each set (a small set's
batch advice is measured this way). --turned gives every image one of the square's 8 turns
and mirrorings at random: a set with no up, on which the `turns` variant is measured. A
variant with `oracle` (cluttered sets only) replaces the saliency that steers crops and
background swaps by where the generator put the object: what a perfect object finder would
give, the most a better mask could win. The table has one row per (data set, variant):
steps, images/s, kNN trained, untrained and the gain. The last line is `ratio: X.XX`: the
default's kNN over the previous default's, on the data set where the previous default did worst
against its untrained twin.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssl_core import engine  # noqa: E402
from ssl_core.augment import make_recipe, ops  # noqa: E402
from ssl_core.data.builtins import clutter  # noqa: E402
from ssl_core.data.ingest import ingest_builtin  # noqa: E402
from ssl_core.engine import TrainConfig, Trainer  # noqa: E402
from ssl_core.evaluate import knn_accuracy  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402

CPU_PER_QUIET_SECOND = 1.6  # one-thread CPU seconds that one quiet 2-thread second does
MEAN = {"pooling": "mean"}  # the small CNN's pooling before GeM
PREVIOUS = dict(method="simclr", encoder="small_cnn", recipe={"name": "simclr_small", "blur_p": 0.5,
                "salient_crop_p": 0.0}, image_size=32, batch_size=128, lr=5e-3, encoder_options=MEAN,
                patches=("temp02",))  # before this round's tuning

# name -> TrainConfig fields; "recipe" is a partial recipe dict (name plus overrides), "patches" PATCHES names
# applied to the built method (SimCLR's temperature, say)
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "previous": PREVIOUS,
    "size48": dict(PREVIOUS, image_size=48),
    "size64": dict(PREVIOUS, image_size=64),
    "crop08": dict(PREVIOUS, recipe={"name": "simclr_small", "crop_min": 0.08}),
    "crop50": dict(PREVIOUS, recipe={"name": "simclr_small", "crop_min": 0.5}),
    "multicrop": dict(PREVIOUS, recipe={"name": "simclr_multicrop", "local_crops": 4}),
    "multicrop48": dict(PREVIOUS, recipe={"name": "simclr_multicrop", "local_crops": 4}, image_size=48),
    "salient": dict(PREVIOUS, recipe={"name": "simclr_small", "salient_crop_p": 0.8}),
    "salient48": dict(PREVIOUS, recipe={"name": "simclr_small", "salient_crop_p": 0.8}, image_size=48),
    "swap": dict(PREVIOUS, recipe={"name": "simclr_small", "salient_crop_p": 0.8, "swap_background_p": 0.5}),
    "swap48": dict(PREVIOUS, recipe={"name": "simclr_small", "salient_crop_p": 0.8, "swap_background_p": 0.5},
                   image_size=48),
    "noblur": dict(PREVIOUS, recipe={"name": "simclr_small", "blur_p": 0.0}),
    "noblur_gray2": dict(PREVIOUS, recipe={"name": "simclr_small", "blur_p": 0.0, "gray_p": 0.2}),
    "noblur_salient": dict(PREVIOUS, recipe={"name": "simclr_small", "blur_p": 0.0, "salient_crop_p": 0.8}),
    "mild": dict(PREVIOUS, recipe={"name": "simclr_small", "blur_p": 0.0, "jitter_strength": 0.5, "gray_p": 0.2}),
    "mild_salient": dict(PREVIOUS, recipe={"name": "simclr_small", "blur_p": 0.0, "jitter_strength": 0.5,
                                           "gray_p": 0.2, "salient_crop_p": 0.8}),
    "mild_salient_c2": dict(PREVIOUS, recipe={"name": "simclr_small", "blur_p": 0.0, "jitter_strength": 0.5,
                                              "gray_p": 0.2, "salient_crop_p": 0.8, "crop_min": 0.2}),
    "vicreg": dict(PREVIOUS, method="vicreg", lr=None, patches=()),  # their losses keep their own settings
    "dino": dict(PREVIOUS, method="dino", lr=None, recipe=None, patches=()),
    "byol": dict(PREVIOUS, method="byol", lr=None, recipe=None, patches=()),
    "rotation": dict(method="rotation", lr=None, recipe=None),  # RotNet: only the object is upright on textures
    "batch128": dict(batch_size=128),  # the default before batch 64
    "batch32": dict(batch_size=32),
    # the defaults this round replaced, in order (the README's table)
    "small_mean": dict(recipe={"name": "simclr_small"}, encoder_options=MEAN, lr=5e-3, patches=("temp02",),
                       batch_size=128),
    "multicrop_gem": dict(recipe={"name": "simclr_multicrop", "local_crops": 4}, lr=5e-3, patches=("temp02",),
                          batch_size=128),
    # the default with one change
    "mc4": dict(recipe={"name": "simclr_multicrop", "local_crops": 4}),
    "mc_wide": dict(recipe={"name": "simclr_multicrop", "local_crop_min": 0.1, "local_crop_max": 0.5}),
    "lr5e3": dict(lr=5e-3),
    "lr2e2": dict(lr=2e-2),
    "mc8": dict(recipe={"name": "simclr_multicrop", "local_crops": 8}),
    "w12": dict(encoder_options={"width": 12}),
    "w24": dict(encoder_options={"width": 24}),
    "w32": dict(encoder_options={"width": 32}),
    "views40": dict(image_size=40),  # the default's views at 40 px (read at 60, capped at the stored 64)
    "views48": dict(image_size=48),  # read at 64, the stored side
    "views40_w12": dict(image_size=40, encoder_options={"width": 12}),
    "mean": dict(encoder_options=MEAN),
    "crop30": dict(recipe={"name": "simclr_multicrop", "crop_min": 0.3}),  # the default before crops from 60%
    "local15": dict(recipe={"name": "simclr_multicrop", "local_crop_min": 0.15, "local_crop_max": 0.5}),
    "jitter05": dict(recipe={"name": "simclr_multicrop", "jitter_strength": 0.5}),
    "crop80": dict(recipe={"name": "simclr_multicrop", "crop_min": 0.8}),
    "local0": dict(recipe={"name": "simclr_multicrop", "local_crops": 0}),
    # other methods with their own recipes and learning rates on the default's encoder and batch, read at 48 px
    "dino48": dict(method="dino", lr=None, recipe=None, embed_size=48),
    "byol48": dict(method="byol", lr=None, recipe=None, embed_size=48),
    "vicreg48": dict(method="vicreg", lr=None, recipe=None, embed_size=48),
    "moco48": dict(method="moco_v2", lr=None, recipe=None, embed_size=48),
    "barlow48": dict(method="barlow_twins", lr=None, recipe=None, embed_size=48),
    # the same methods on the default's views (its crops and colour, no local crops: they take two views)
    "byol_views": dict(method="byol", lr=None, recipe={"name": "simclr_multicrop", "local_crops": 0}, embed_size=48),
    "moco_views": dict(method="moco_v2", lr=None, recipe={"name": "simclr_multicrop", "local_crops": 0},
                       embed_size=48),
    "oracle": dict(oracle=True),  # salient crops centred on the true object
    "oracle_swap": dict(recipe={"name": "simclr_multicrop", "swap_background_p": 0.5}, oracle=True),
    "zoom": dict(recipe={"name": "simclr_multicrop", "crop_min": 0.15, "salient_crop_p": 1.0}),  # views close on it
    "gray1": dict(recipe={"name": "simclr_multicrop", "gray_p": 1.0}),  # colour (shuffled per picture) never told
    "oracle_swap_gray": dict(recipe={"name": "simclr_multicrop", "swap_background_p": 1.0, "gray_p": 1.0}, oracle=True),
    "oracle_zoom": dict(recipe={"name": "simclr_multicrop", "crop_min": 0.15, "salient_crop_p": 1.0}, oracle=True),
    # views with no up (ops.resized_crop_flip's turn_p), for pictures that have none: measured with --turned
    "turns": dict(recipe={"name": "simclr_multicrop", "turn_p": 1.0}),
}
ORACLE_MASKS = {"clutter_shapes": clutter.shapes_with_masks, "clutter_digits": clutter.digits_with_masks}


# name -> change to the built method that no TrainConfig field makes (the loss's temperature, max pooling
# of the small CNN); the untrained kNN is measured after it, so both sides pool the same way
PATCHES: dict[str, Any] = {
    "temp02": lambda m: setattr(m.loss, "temperature", 0.2),
    "temp05": lambda m: setattr(m.loss, "temperature", 0.5),
    "maxpool": lambda m: setattr(m.encoder, "features", lambda x: m.encoder.body(x).amax(dim=(2, 3))),
}


class Quiet:
    def on_step(self, state): ...
    def on_metrics(self, step, values): ...
    def on_checkpoint(self, step, path): ...
    def should_stop(self): return False


def cpu_clock() -> float:
    """Seconds of quiet 2-core wall time this one-thread process's CPU use amounts to."""
    return time.process_time() / CPU_PER_QUIET_SECOND


def load(ws: Workspace, name: str, subset: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, S, S, 3) uint8, label codes (N,)) of built-in `name`, imported once; with
    `subset`, a random `subset` of them (seed 0: the same images for every variant)."""
    if name not in {d.name for d in ws.datasets()}:
        ingest_builtin(ws, name)
    info = ws.dataset(name)
    labels = ws.labels(info)
    classes = sorted(set(labels))
    images, codes = np.array(ws.images(info)), np.array([classes.index(label) for label in labels])
    if subset is None or subset >= len(images):
        return images, codes
    chosen = np.sort(np.random.default_rng(0).choice(len(images), subset, replace=False))
    return images[chosen], codes[chosen]


def without_up(images: np.ndarray) -> np.ndarray:
    """(N, S, S, 3) -> the same, each image given one of the square's 8 turns and mirrorings at random (seed 0)."""
    draws = np.random.default_rng(0).integers(0, 8, len(images))
    return np.stack([np.rot90(image[:, ::-1] if k >= 4 else image, k % 4) for image, k in zip(images, draws)])


@torch.no_grad()
def knn_of(method: torch.nn.Module, images: np.ndarray, labels: np.ndarray, side: int) -> float:
    method.eval()
    data = torch.from_numpy(images)
    feats = torch.cat([method.features(ops.to_float_side(data[i : i + 256], side))
                       for i in range(0, len(data), 256)])
    return knn_accuracy(feats, torch.from_numpy(labels))


def config_of(variant: dict[str, Any], minutes: float, seed: int = 0) -> TrainConfig:
    """The variant's TrainConfig; its "recipe" ({"name": ..., overrides}) resolved in full."""
    settings = dict(variant)
    recipe = settings.pop("recipe", None)
    settings.pop("patches", None)  # not a TrainConfig field: trial applies them
    settings.pop("oracle", None)  # nor this: main swaps the saliency
    return TrainConfig(dataset="bench", minutes=minutes, checkpoint_every=10**9, monitor_every=10**9, seed=seed,
                       recipe=None if recipe is None else make_recipe(**recipe).to_dict(), **settings)


def trial(images: np.ndarray, labels: np.ndarray, name: str, minutes: float, run_dir: Path,
          seed: int = 0) -> dict[str, float]:
    """One variant: a VARIANTS or PATCHES name, or VARIANT+PATCH (e.g. mc4+temp02)."""
    base, *patches = name.split("+")
    if base in PATCHES:  # a PATCHES name alone: the default, patched
        base, patches = "default", [base, *patches]
    config = config_of(VARIANTS[base], minutes, seed)
    trainer = Trainer(config, images, None, run_dir, Quiet())
    for patch in [*VARIANTS[base].get("patches", ()), *patches]:
        PATCHES[patch](trainer.method)
    trainer.calibrate_untrained()  # its BatchNorm statistics from the data, as the app's untrained twin has them
    untrained = knn_of(trainer.method, images, labels, trainer.embed_size)  # whole images at the side the app reads
    trainer.method.train()
    result = trainer.run()
    return {"steps": result.steps, "images_per_s": result.images_per_s,
            "knn": knn_of(trainer.method, images, labels, trainer.embed_size), "untrained": untrained}


@contextlib.contextmanager
def oracle_saliency(dataset: str, grid: int = 16) -> Iterator[None]:
    """Within it, ops.saliency (N, 3, H, W) -> (N, grid, grid) is the fraction of each cell the
    object covers, found by the image's pixels among the generator's; an image it does not know
    (another set, a resized batch) is a KeyError, never a silent fallback."""
    cell = clutter.SIDE // grid
    known = {image.tobytes(): torch.from_numpy(alpha.reshape(grid, cell, grid, cell).mean((1, 3)))
             for _, image, _, alpha in ORACLE_MASKS[dataset]()}
    measured = ops.saliency

    def truth(x: torch.Tensor, grid: int = grid) -> torch.Tensor:
        return torch.stack([known[image.numpy().tobytes()] for image in ops.to_uint8(x)]).to(x.device, x.dtype)

    ops.saliency = truth
    try:
        yield
    finally:
        ops.saliency = measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="CPU budget of each trial")
    parser.add_argument("--datasets", default="clutter_shapes,clutter_digits,shapes,digits,textures")
    parser.add_argument("--variants", default="default,previous")
    parser.add_argument("--workspace", default="/tmp/ssl-tune-ws", help="built-ins are imported here once")
    parser.add_argument("--seed", type=int, default=0, help="the runs' seed (weights, views, batches)")
    parser.add_argument("--subset", type=int, help="train and judge on this many images of each set")
    parser.add_argument("--turned", action="store_true", help="each image turned and mirrored at random (one of "
                        "the square's 8 symmetries, seed 0): a set whose pictures have no up, as cells or aerial tiles")
    args = parser.parse_args()
    torch.set_num_threads(1)
    engine.time = types.SimpleNamespace(monotonic=cpu_clock)  # the budget is CPU time
    ws = Workspace(Path(args.workspace))
    unknown = {part for v in args.variants.split(",") for part in v.split("+")} - set(VARIANTS) - set(PATCHES)
    if unknown:
        parser.error(f"no variant {', '.join(sorted(unknown))}; choose from {', '.join([*VARIANTS, *PATCHES])}")
    results: dict[tuple[str, str], dict[str, float]] = {}
    print(f"{'dataset':16}{'variant':12}{'steps':>7}{'img/s':>7}{'kNN':>7}{'untr.':>7}{'gain':>7}", flush=True)
    for name in args.datasets.split(","):
        images, labels = load(ws, name, args.subset)
        if args.turned:
            images = without_up(images)
        for variant in args.variants.split(","):
            oracle = VARIANTS.get(variant.split("+")[0], {}).get("oracle", False)
            if oracle and name not in ORACLE_MASKS:
                parser.error(f"{variant} needs where the objects are: only {', '.join(ORACLE_MASKS)} have it")
            with oracle_saliency(name) if oracle else contextlib.nullcontext():
                r = trial(images, labels, variant, args.minutes, Path(args.workspace) / "runs" / variant, args.seed)
            results[name, variant] = r
            print(f"{name:16}{variant:12}{r['steps']:>7.0f}{r['images_per_s']:>7.0f}{r['knn']:>7.3f}"
                  f"{r['untrained']:>7.3f}{r['knn'] - r['untrained']:>+7.3f}", flush=True)
    if {"default", "previous"} <= set(args.variants.split(",")):
        worst = min(args.datasets.split(","), key=lambda n: results[n, "previous"]["knn"] - results[n, "previous"]["untrained"])
        print(f"ratio: {results[worst, 'default']['knn'] / results[worst, 'previous']['knn']:.2f}")


if __name__ == "__main__":
    main()
