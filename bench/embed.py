"""Embedding a dataset with an imported encoder: ssl_core's path against the loop a user writes.

Data: the demo shapes (ingest_builtin, 2,000 labelled images), also written as PNG files in
class folders, as a user holding the images would have them. Model: a timm architecture
(default ResNet-50) with weights saved on the spot as safetensors, at its native input side.

- ours: `import-encoder` of those weights, then `embed.embed` (the uint8 array decoded once
  at ingest, read in batches of 256, resized on the tensor, one forward per batch);
- baseline: torchvision `ImageFolder` + `Resize`/`ToTensor`/`Normalize` + `DataLoader`
  (2 workers, batch 64), the same network in eval mode under `torch.no_grad`.

Both see the same images and weights; the mean cosine between the two feature sets checks
that they computed the same thing (the resizers differ slightly). Import and ingest are not
timed: each side is timed from "embed this folder/dataset" to the (N, D) array.

    .venv/bin/python bench/embed.py [--images 2000] [--arch timm:resnet50] [--workers 2]

The last line is `ratio: X.XX`: our images/s over the baseline's.

Measured 2026-12-01, --images 512, 2 torch threads, the machine nearly quiet: ours 52.7 s
(9.7 images/s, the ResNet-50 traced and frozen for inference, ssl_core/inference.py) vs
91.3 s (5.6 images/s), mean cosine 1.0000, ratio 1.73. Below 512 images ours stays eager
(128 images: 21.7 s vs 21.0 s, ratio 0.97); eager at 256 images the last stop measured 1.08.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssl_core import embed  # noqa: E402
from ssl_core.data.ingest import ingest_builtin, ingest_path  # noqa: E402
from ssl_core.imports import architectures  # noqa: E402
from ssl_core.imports.encoders import import_encoder  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402


def image_folder(ws: Workspace, dataset: str, root: Path, count: int) -> None:
    """The first `count` stored images as PNG files under root/<label>/<index>.png."""
    info = ws.dataset(dataset)
    images, rows = ws.images(info), ws.image_rows(info)
    for i in range(count):
        folder = root / (rows[i]["label"] or "none")
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.asarray(images[i])).save(folder / f"{i:05d}.png")


@torch.no_grad()
def baseline(net: torch.nn.Module, root: Path, side: int, mean, std, workers: int,
             batch: int) -> tuple[np.ndarray, list[int]]:
    """(N, D) features by the usual loop (ImageFolder + transforms + DataLoader + forward),
    and the image index of each row (ImageFolder orders by class, then file)."""
    transform = torchvision.transforms.Compose([
        torchvision.transforms.Resize((side, side)), torchvision.transforms.ToTensor(),
        torchvision.transforms.Normalize(mean, std)])
    folder = torchvision.datasets.ImageFolder(str(root), transform=transform)
    loader = torch.utils.data.DataLoader(folder, batch_size=batch, num_workers=workers)
    features = torch.cat([net(x).flatten(1) for x, _ in loader]).numpy()
    return features, [int(Path(path).stem) for path, _ in folder.samples]


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=2000, help="images embedded (the first N of the shapes)")
    parser.add_argument("--arch", default="timm:resnet50")
    parser.add_argument("--workers", type=int, default=2, help="the baseline's DataLoader workers")
    parser.add_argument("--batch", type=int, default=64, help="the baseline's batch size")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-embed-") as tmp:
        tmp = Path(tmp)
        ws = Workspace(tmp / "ws")
        ingest_builtin(ws, "shapes")
        image_folder(ws, "shapes", tmp / "folder", args.images)
        ingest_path(ws, [str(tmp / "folder")], name="files", size=ws.dataset("shapes").size_px)
        files = ws.dataset("files")
        index_of = [int(Path(row["name"]).stem) for row in ws.image_rows(files)]

        torch.manual_seed(0)
        encoder, native = architectures.build(args.arch)
        save_file({k: v.contiguous() for k, v in encoder.net.state_dict().items()}, str(tmp / "weights.safetensors"))
        import_encoder(ws, "imported", args.arch, tmp / "weights.safetensors")

        start = time.perf_counter()
        ours = np.asarray(embed.embed(ws, "files", embed.from_name(ws, "imported"), device="cpu").features)
        ours_s = time.perf_counter() - start
        start = time.perf_counter()
        theirs, theirs_index = baseline(encoder.net.eval(), tmp / "folder", native.image_size, native.mean,
                                        native.std, args.workers, args.batch)
        theirs_s = time.perf_counter() - start

    row_of = {index: row for row, index in enumerate(index_of)}
    cosine = float(np.mean(np.sum(unit(ours[[row_of[i] for i in theirs_index]]) * unit(theirs), axis=1)))
    n = len(ours)
    print(f"{args.arch} at {native.image_size} px, {n} images of {files.size_px} px, "
          f"{torch.get_num_threads()} torch threads")
    print(f"{'':36}{'seconds':>9}{'images/s':>10}")
    print(f"{'ours (import-encoder + embed)':36}{ours_s:9.1f}{n / ours_s:10.1f}")
    print(f"{f'ImageFolder + DataLoader ({args.workers} workers)':36}{theirs_s:9.1f}{n / theirs_s:10.1f}")
    print(f"mean cosine between the two feature sets: {cosine:.4f}")
    print(f"ratio: {theirs_s / ours_s:.2f}")


if __name__ == "__main__":
    main()
