"""Getting a folder of photos into training tensors: ours vs the usual torchvision way.

Baseline: torchvision `ImageFolder` with Resize + CenterCrop + PILToTensor in a DataLoader
with 2 workers, which is what a user writes otherwise and which decodes every JPEG again
on every epoch. Ours: `ssl_core` ingest (decode once, JPEG draft decoding, uint8 array
in the workspace) followed by epochs read from the memory-mapped array.

    .venv/bin/python bench/ingest.py [--images 1000] [--epochs 3]

Prints a table and, last, `ratio: X.XX` = baseline time / our time for the same epochs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ssl_core.data.ingest import ingest_path  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402

SIDE = 64


def make_photos(folder: Path, count: int) -> None:
    """`count` 800x600 JPEGs cut from scikit-image's photographs, in two class folders."""
    import skimage.data

    sources = [skimage.data.astronaut(), skimage.data.coffee(), skimage.data.chelsea(),
               skimage.data.rocket()]
    rng = np.random.default_rng(0)
    for i in range(count):
        source = sources[i % len(sources)]
        h, w = source.shape[:2]
        side = int(rng.integers(min(h, w) // 3, min(h, w)))
        y, x = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
        crop = Image.fromarray(source[y : y + side, x : x + side]).resize((800, 600))
        target = folder / f"class{i % 2}"
        target.mkdir(parents=True, exist_ok=True)
        crop.save(target / f"photo_{i:05d}.jpg", quality=90)


def baseline(folder: Path, epochs: int) -> tuple[float, float]:
    """(seconds for the first epoch, seconds per later epoch) with torchvision."""
    import torch
    from torchvision import datasets, transforms

    transform = transforms.Compose([transforms.Resize(SIDE), transforms.CenterCrop(SIDE),
                                    transforms.PILToTensor()])
    loader = torch.utils.data.DataLoader(datasets.ImageFolder(folder, transform), batch_size=256,
                                         num_workers=2)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        total = sum(int(batch.shape[0]) for batch, _ in loader)
        times.append(time.perf_counter() - start)
    assert total == len(loader.dataset)
    return times[0], float(np.median(times[1:])) if epochs > 1 else times[0]


def ours(folder: Path, epochs: int) -> tuple[float, float]:
    """(seconds to ingest, seconds per epoch read from the memory-mapped array)."""
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(tmp)
        start = time.perf_counter()
        report = ingest_path(ws, [str(folder)], name="bench", size=SIDE)
        ingest_s = time.perf_counter() - start
        images = ws.images(ws.dataset(report.dataset))
        times = []
        for _ in range(epochs):
            start = time.perf_counter()
            total = 0
            for begin in range(0, len(images), 256):
                batch = torch.from_numpy(np.array(images[begin : begin + 256]))  # a real read
                total += int(batch.permute(0, 3, 1, 2).shape[0])
            times.append(time.perf_counter() - start)
        assert total == report.images
        return ingest_s, float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        make_photos(folder, args.images)
        base_first, base_epoch = baseline(folder, args.epochs)
        our_ingest, our_epoch = ours(folder, args.epochs)
    base_total = base_first + base_epoch * (args.epochs - 1)
    our_total = our_ingest + our_epoch * args.epochs
    print(f"{args.images} JPEGs of 800x600 -> {SIDE}x{SIDE} uint8, {args.epochs} epochs")
    print(f"{'':28}{'torchvision':>14}{'ssl_core':>14}{'ratio':>8}")
    print(f"{'first pass (decode), s':28}{base_first:14.2f}{our_ingest:14.2f}{base_first / our_ingest:8.2f}")
    print(f"{'later epoch, s':28}{base_epoch:14.3f}{our_epoch:14.4f}{base_epoch / our_epoch:8.0f}")
    print(f"{'all epochs, s':28}{base_total:14.2f}{our_total:14.2f}{base_total / our_total:8.2f}")
    print(f"ratio: {base_total / our_total:.2f}")


if __name__ == "__main__":
    main()
