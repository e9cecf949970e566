"""An encoder trained by lightly's own pipeline, saved as a lightly user saves it, imported
with `import-encoder` and looked at in the app (issue 15's real case).

1. lightly's SimCLR example as its documentation writes it: torchvision's resnet18 without
   its fc (`nn.Sequential(*list(resnet.children())[:-1])`), `SimCLRProjectionHead(512, 512,
   128)`, `NTXentLoss`, `SimCLRTransform(input_size=32)` on PIL images in a DataLoader, SGD
   (lr 0.06), for --steps steps on the demo shapes (2,000 labelled 32 px images);
2. `torch.save(model.state_dict(), "lightly_simclr.pth")`: keys `backbone.0.weight`, ...,
   `projection_head.layers...`, as lightly's examples leave them;
3. `python -m ssl_core import-encoder --name lightly-r18 --arch torchvision:resnet18
   --weights lightly_simclr.pth --image-size 32` (read with weights_only; the backbone found
   under `backbone.`, its Sequential positions renamed to resnet18's, the projection head dropped);
4. the kNN accuracy (leave-one-out, k 20, the shapes' hidden labels) of its embedding beside
   the same architecture untrained (seeded), and the command that opens the app on this
   workspace, where every encoder picker offers the import.

    .venv/bin/python bench/lightly_import.py [--workspace DIR] [--steps 60] [--batch 128] [--workers 2]

The last line is `ratio: X.XX`: the import's kNN accuracy over its untrained twin's. A few
CPU minutes of SimCLR: whether they beat random weights is measured here, not assumed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path

import torch
import torchvision
from lightly.loss import NTXentLoss
from lightly.models.modules import SimCLRProjectionHead
from lightly.transforms import SimCLRTransform
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pil_dataset import PilDataset  # noqa: E402
from ssl_core import embed  # noqa: E402
from ssl_core.cli import main as cli  # noqa: E402
from ssl_core.data.ingest import ingest_builtin  # noqa: E402
from ssl_core.evaluate.knn import knn_accuracy  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402

SIDE = 32
NAME = "lightly-r18"


class SimCLR(nn.Module):
    """lightly's SimCLR example model: backbone, then its projection head (Chen et al. 2020)."""

    def __init__(self, backbone: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone
        self.projection_head = SimCLRProjectionHead(512, 512, 128)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.projection_head(self.backbone(x).flatten(start_dim=1))


def train_with_lightly(images, steps: int, batch: int, workers: int) -> tuple[SimCLR, float, float]:
    """lightly's SimCLR on uint8 images (N, S, S, 3) for `steps` steps; (model, last loss, seconds)."""
    torch.manual_seed(0)
    resnet = torchvision.models.resnet18()
    model = SimCLR(nn.Sequential(*list(resnet.children())[:-1]))
    criterion = NTXentLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.06)
    loader = torch.utils.data.DataLoader(PilDataset(images, SimCLRTransform(input_size=SIDE)), batch_size=batch,
                                         shuffle=True, drop_last=True, num_workers=workers)
    model.train()
    start, done, loss = time.perf_counter(), 0, torch.tensor(float("nan"))
    while done < steps:
        for (x0, x1) in loader:
            loss = criterion(model(x0), model(x1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            done += 1
            if done == steps:
                break
    return model, loss.item(), time.perf_counter() - start


def save_and_import(model: SimCLR, weights: Path, root: Path) -> dict:
    """`model`'s state dict saved to `weights` as lightly's examples save it, then imported
    into the workspace at `root` as NAME by the `import-encoder` command; its JSON."""
    torch.save(model.state_dict(), weights)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = cli(["--workspace", str(root), "import-encoder", "--name", NAME, "--arch", "torchvision:resnet18",
                    "--weights", str(weights), "--image-size", str(SIDE)])
    if code != 0:
        raise SystemExit(f"import-encoder refused {weights.name} (exit {code})")
    return json.loads(printed.getvalue())


def knn_of(ws: Workspace, source: embed.EncoderSource, labels: list[str]) -> float:
    codes = {label: i for i, label in enumerate(sorted(set(labels)))}
    features = embed.embed(ws, "shapes", source).features
    return knn_accuracy(features, torch.tensor([codes[label] for label in labels]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", type=Path, help="a new folder (default: a temporary one, kept)")
    parser.add_argument("--steps", type=int, default=60, help="lightly SimCLR steps")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--workers", type=int, default=2, help="lightly's DataLoader workers")
    args = parser.parse_args()
    root = args.workspace or Path(tempfile.mkdtemp(prefix="lightly-import-")) / "workspace"
    ws = Workspace(root)
    ingest_builtin(ws, "shapes", size=SIDE)
    images = ws.images(ws.dataset("shapes"))
    labels = [row["label"] for row in ws.image_rows(ws.dataset("shapes"))]

    model, loss, seconds = train_with_lightly(images, args.steps, args.batch, args.workers)
    weights = root.parent / "lightly_simclr.pth"
    imported = save_and_import(model, weights, root)

    source = embed.from_name(ws, NAME)
    trained, untrained = knn_of(ws, source, labels), knn_of(ws, embed.baseline_of(source), labels)
    print(f"lightly SimCLR: {args.steps} steps of {args.batch} in {seconds:.0f} s, last loss {loss:.3f}; "
          f"saved {weights} ({len(model.state_dict())} tensors, projection head included)")
    print(f"imported: {imported['encoder']} = {imported['arch']}, {imported['num_features']} features "
          f"at {imported['image_size']} px, from {imported['source']}")
    print(f"see it: .venv/bin/streamlit run app/main.py -- --workspace {root}  (any encoder picker: "
          f"'{NAME} (torchvision:resnet18, imported from {weights.name})')")
    print(f"{'encoder on shapes (2,000, 5 classes)':40} {'kNN accuracy':>12}")
    print(f"{NAME + ' (lightly, imported)':40} {trained:12.3f}")
    print(f"{'resnet18 untrained (seeded)':40} {untrained:12.3f}")
    print(f"ratio: {trained / untrained:.2f}")


if __name__ == "__main__":
    main()
