"""SimCLR two-view augmentation throughput: ssl_core's batched recipe vs lightly.

Baseline: lightly's `SimCLRTransform(input_size=S)` on PIL images, per image, in a
DataLoader with 2 workers and batches of 256, the way lightly's examples run it.
Ours: `make_recipe("simclr")` on uint8 batches of 256 on the same device (CPU here).
Both produce two float views of every image; the same 2,000 images at 32 and 96 px.

    .venv/bin/python bench/augment.py [--images 2000] [--repeats 3]

Prints images/s for both (and for plain kornia, for reference) and the ratio (ours over
lightly) per size; the last line is the smaller ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pil_dataset import PilDataset  # noqa: E402
from ssl_core.augment import make_recipe  # noqa: E402

BATCH = 256


def make_images(count: int, side: int) -> np.ndarray:
    """(count, side, side, 3) uint8 patches of scikit-image photographs."""
    import skimage.data

    from ssl_core.data.builtins.skimage_patches import random_patches

    source = skimage.data.astronaut()
    rng = np.random.default_rng(0)
    return np.stack([np.asarray(Image.fromarray(p).resize((side, side)))
                     for p in random_patches(source, count, rng)])


def lightly_rate(images: np.ndarray, repeats: int) -> float:
    from lightly.transforms import SimCLRTransform

    transform = SimCLRTransform(input_size=images.shape[1])
    loader = torch.utils.data.DataLoader(PilDataset(images, transform), batch_size=BATCH,
                                         num_workers=2, persistent_workers=True)
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        count = sum(int(views[0].shape[0]) for views in loader)
        rates.append(count / (time.perf_counter() - start))
    return float(np.median(rates))


def kornia_rate(images: np.ndarray, repeats: int) -> float:
    """The same SimCLR chain with plain kornia (per-sample parameters, batched): the library
    one would reach for first, measured to show why the costly ops are fused here."""
    import kornia.augmentation as K

    side = images.shape[1]
    kernel = max(3, (side // 10) | 1)
    chain = K.AugmentationSequential(
        K.RandomResizedCrop((side, side), scale=(0.08, 1.0)), K.RandomHorizontalFlip(),
        K.ColorJitter(0.8, 0.8, 0.8, 0.2, p=0.8), K.RandomGrayscale(p=0.2),
        K.RandomGaussianBlur((kernel, kernel), (0.1, 2.0), p=0.5))
    data = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255
    chain(data[:BATCH])  # warm-up
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for begin in range(0, len(data), BATCH):
            batch = data[begin : begin + BATCH]
            views = chain(batch), chain(batch)
            assert views[0].shape == batch.shape
        rates.append(len(data) / (time.perf_counter() - start))
    return float(np.median(rates))


def our_rate(images: np.ndarray, repeats: int) -> float:
    recipe = make_recipe("simclr")
    gen = torch.Generator().manual_seed(0)
    data = torch.from_numpy(images)
    recipe(data[:BATCH], gen)  # warm-up
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for begin in range(0, len(data), BATCH):
            views = recipe(data[begin : begin + BATCH], gen).views
            assert len(views) == 2
        rates.append(len(data) / (time.perf_counter() - start))
    return float(np.median(rates))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(2)
    print(f"SimCLR two views of {args.images} images, batches of {BATCH}, device cpu, "
          f"median of {args.repeats}")
    print(f"{'size':>6}{'lightly img/s':>16}{'kornia img/s':>15}{'ssl_core img/s':>17}{'ratio':>8}")
    ratios = []
    for side in (32, 96):
        images = make_images(args.images, side)
        base, plain = lightly_rate(images, args.repeats), kornia_rate(images, args.repeats)
        ours = our_rate(images, args.repeats)
        ratios.append(ours / base)
        print(f"{side:>6}{base:>16.0f}{plain:>15.0f}{ours:>17.0f}{ours / base:>8.2f}")
    print(f"ratio: {min(ratios):.2f}")


if __name__ == "__main__":
    main()
