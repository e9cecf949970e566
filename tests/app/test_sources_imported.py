"""app.sources lists imported encoders on every dataset, named with where their weights came
from; an imported embedding set on its own dataset only (it has vectors for no other)."""

from __future__ import annotations

import io

import numpy as np
import timm
from PIL import Image
from safetensors.torch import save_file

from app.sources import side_by_side, source_choices
from ssl_core import embed
from ssl_core.data.ingest import ingest_uploads
from ssl_core.imports.embeddings import import_embeddings
from ssl_core.imports.encoders import import_encoder
from ssl_core.store import Workspace


def test_imports_are_offered_with_their_origin(tmp_path):
    ws = Workspace(tmp_path / "ws")
    pixels = np.random.default_rng(0).integers(0, 256, (4, 8, 8, 3), dtype=np.uint8)
    def png(i: int) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(pixels[i]).save(buffer, "PNG")
        return buffer.getvalue()

    for name in ("one", "two"):
        ingest_uploads(ws, [(f"{i}.png", png(i)) for i in range(4)], name=name, size=8)
    model = timm.create_model("resnet10t", num_classes=0)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "r10.safetensors"))
    import_encoder(ws, "r10", "timm:resnet10t", tmp_path / "r10.safetensors", image_size=32)
    np.save(tmp_path / "vectors.npy", np.ones((4, 3)))
    import_embeddings(ws, "one", "vecs", tmp_path / "vectors.npy")

    one = {key: name for key, (name, _) in source_choices(ws, ws.dataset("one")).items()}
    two = {key: name for key, (name, _) in source_choices(ws, ws.dataset("two")).items()}
    assert one["imported-r10"] == two["imported-r10"] == "r10 (timm:resnet10t, imported from r10.safetensors)"
    assert one["imported-vecs"] == "vecs (embeddings, imported from vectors.npy)" and "imported-vecs" not in two
    # walk 29: an image network offered on a text dataset broke every page it was picked on
    ingest_uploads(ws, [("lines.txt", "\n".join(f"sentence number {i} here" for i in range(12)).encode())],
                   name="words")
    assert not [key for key in source_choices(ws, ws.dataset("words"), elsewhere=True) if key.startswith("imported")]
    # beside its random-weights twin, an import is not said to be 'before training': it was never trained here
    r10 = source_choices(ws, ws.dataset("one"))["imported-r10"][1]
    titles = [title for _, title in side_by_side(ws, ws.dataset("one"), r10, embed.baseline_of(r10))]
    assert titles[0].startswith("Random weights: ") and not titles[1].startswith(("Random", "Before"))
    # a review: nor is a run from the import's weights (train --init) said to have had random ones before training
    from ssl_core import jobs
    from ssl_core.engine import TrainConfig

    run = jobs.create_run(ws, TrainConfig(dataset="one", encoder="timm:resnet10t", init="r10", epochs=0.1))
    mine = embed.EncoderSource("timm:resnet10t", 32, run_id=run)
    titles = [title for _, title in side_by_side(ws, ws.dataset("one"), mine, embed.baseline_of(mine))]
    assert titles[0].startswith("Random weights: ") and not titles[1].startswith(("Random", "Before"))
