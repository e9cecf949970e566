"""Exports of what the explore pipeline made, as {file name: bytes}, so the app can offer
one zip to download and the CLI can write the same files into a folder.

Parts (`PARTS`): the encoder (safetensors + JSON config + a loading snippet), the
embeddings (.npy, and CSV / Parquet with file names and labels), the FAISS index, the
2-D map (CSV), and the TensorBoard Projector set (vectors TSV, metadata TSV, sprite image,
projector config). What depends on the kind of data is asked of it (`KIND_PARTS`): an
image encoder reads views and the Projector shows thumbnails in a sprite; a text encoder
reads token ids and ships its tokenizer (text/export.py), and the Projector shows each
sentence, a metadata column, instead of a sprite. File names, labels and sentences in the
CSV and TSV files are neutralised for spreadsheets (spreadsheet.py: a cell starting with
= + - @ tab or CR gets a leading `'`); the .npy and Parquet files, read by programs, keep
them exactly.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from PIL import Image
from safetensors.torch import save as save_safetensors

from . import embed, index, project
from .export_readme import readme
from .spreadsheet import neutralise_text_columns
from .store import DatasetInfo, Workspace, atomic_write_bytes
from .text import export as text_export

SPRITE_LIMIT = 8192  # TensorBoard's sprite image is at most 8192 px a side
SPRITES = "sprites"  # a dataset's hover sprites, under its folder
LOADING_SNIPPET = '''"""Load the exported encoder (needs torch, safetensors and this project's ssl_core)."""
import json

from safetensors.torch import load_file

from ssl_core.imports.encoders import untrained
from ssl_core.models import ENCODERS, build_encoder

config = json.load(open("encoder.json"))
if config["encoder"] in ENCODERS:
    encoder = build_encoder(config["encoder"], config["image_size"], **config["options"])
else:  # an imported architecture such as "timm:resnet50" (needs timm or torchvision)
    encoder = untrained(config["encoder"], config["image_size"])
encoder.load_state_dict(load_file("encoder.safetensors"))
encoder.eval()
# views: float tensor (N, 3, S, S) in [0, 1] with S = config["image_size"]
# features = encoder(views)  # (N, config["num_features"])
'''


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def file_table(ws: Workspace, emb: embed.Embedding) -> pd.DataFrame:
    """One row per item of the embedding's dataset, in its order: file name, label (None: none)."""
    rows = ws.image_rows(emb.dataset)
    return pd.DataFrame({"file": [r["name"] for r in rows], "label": [r["label"] for r in rows]})


# walk 46: nothing said how a new picture becomes the encoder's input; resized without antialiasing, features
# differed by up to 0.04, by area by 0.16
READING_SNIPPET = '''
from types import SimpleNamespace

import torch

from ssl_core.augment.ops import to_float_side
from ssl_core.data.decode import as_stored


def read_picture(path):
    """A picture file as the app read the dataset's: decoded, its edges cut as the import cut them and fitted to
    the stored square (config["stored"]), then resized (bilinear, antialiased) to the encoder's side: float
    (1, 3, S, S) in [0, 1]."""
    square = as_stored(open(path, "rb").read(), SimpleNamespace(**config["stored"]))
    return to_float_side(torch.from_numpy(square.copy()[None]), config["image_size"])


# with torch.no_grad(): features = encoder(read_picture("my_picture.jpg"))  # as embeddings.npy's rows
'''


def image_reading(ws: Workspace, emb: embed.Embedding) -> tuple[dict, dict[str, bytes]]:
    """(encoder.json's fields on what an image encoder reads, among them how the dataset stored its pictures,
    which load_encoder.py's read_picture repeats; the files beside its weights)."""
    fields = {"kind": "image", "image_size": emb.source.image_size,
              "input": "float (N, 3, S, S) in [0, 1]; the encoder standardises it itself",
              "stored": {"size_px": emb.dataset.size_px, "fit": emb.dataset.fit, "trim": emb.dataset.trim,
                         "depth": emb.dataset.depth}}
    return fields, {"load_encoder.py": (LOADING_SNIPPET + READING_SNIPPET).encode()}


def encoder_files(ws: Workspace, emb: embed.Embedding) -> dict[str, bytes]:
    """The weights, encoder.json and, by the kind of data, a loading snippet (and a tokenizer)."""
    encoder = embed.load_encoder(ws, emb.source, emb.dataset)
    weights = {k: v.detach().cpu().contiguous() for k, v in encoder.state_dict().items()}
    reading, beside = KIND_PARTS[emb.dataset.kind].reading(ws, emb)
    config = {"encoder": emb.source.encoder, "num_features": int(encoder.num_features), "run": emb.source.run_id,
              "options": encoder.options(), **reading}
    return {"encoder.safetensors": save_safetensors(weights), "encoder.json": json.dumps(config, indent=2).encode(),
            **beside}


def embedding_files(ws: Workspace, emb: embed.Embedding) -> dict[str, bytes]:
    features = np.asarray(emb.features)
    table = file_table(ws, emb)
    wide = pd.concat([table, pd.DataFrame(features, columns=[f"f{i}" for i in range(features.shape[1])])],
                     axis=1)
    parquet = io.BytesIO()
    wide.to_parquet(parquet, index=False)
    csv = neutralise_text_columns(wide).to_csv(index=False)
    return {"embeddings.npy": _npy(features), "embeddings.csv": csv.encode(),
            "embeddings.parquet": parquet.getvalue()}


def index_files(ws: Workspace, emb: embed.Embedding) -> dict[str, bytes]:
    """The FAISS index of the centred, L2-normalised features (inner product = cosine) and
    the mean to subtract from a query's features before normalising it."""
    index.load_or_build(emb)
    return {index.INDEX_FILE: (emb.folder / index.INDEX_FILE).read_bytes(), "index_mean.npy": _npy(emb.mean)}


def map_files(ws: Workspace, emb: embed.Embedding) -> dict[str, bytes]:
    coords = project.project(emb, "umap", dims=2)
    table = file_table(ws, emb).assign(x=coords[:, 0], y=coords[:, 1])
    return {"map.csv": neutralise_text_columns(table).to_csv(index=False).encode()}


def thumbnail_grid(images: Sequence[np.ndarray], cell: int) -> tuple[Image.Image, int]:
    """Images (T, T, 3) uint8 resized to `cell` px and laid row-major on a square white grid
    of ceil(sqrt(N)) columns (TensorBoard's sprite layout; the app's hover sprite too).
    Returns the grid and its column count."""
    columns = int(np.ceil(np.sqrt(len(images)))) or 1
    grid = Image.new("RGB", (columns * cell, columns * cell), "white")
    for i, image in enumerate(images):
        tile = Image.fromarray(np.asarray(image)).resize((cell, cell), Image.Resampling.BILINEAR)
        grid.paste(tile, ((i % columns) * cell, (i // columns) * cell))
    return grid, columns


def hover_sprite(ws: Workspace, dataset: DatasetInfo, rows: Sequence[int], cell: int) -> tuple[bytes, int]:
    """The thumbnails of `rows` as one JPEG grid (`thumbnail_grid`) and its column count,
    made once and kept in the dataset's folder, whose thumbnails never change: at 200k
    images, gathering 10,000 thumbnails scattered over the 5.5 GB array took 7 s with a
    cold page cache, reading the kept 2 MB file a few milliseconds."""
    ids = np.asarray(rows, np.int64)
    key = hashlib.sha256(ids.tobytes() + f"/{cell}".encode()).hexdigest()[:16]
    path = ws.dataset_dir(dataset) / SPRITES / f"hover-{key}.jpg"
    columns = int(np.ceil(np.sqrt(len(ids)))) or 1
    if path.exists():
        return path.read_bytes(), columns
    thumbnails = ws.thumbnails(dataset)
    grid, columns = thumbnail_grid([thumbnails[row] for row in ids], cell)
    buffer = io.BytesIO()
    grid.save(buffer, "JPEG", quality=85)
    path.parent.mkdir(exist_ok=True)
    atomic_write_bytes(path, buffer.getvalue())
    return buffer.getvalue(), columns


def sprite(thumbnails: np.ndarray) -> tuple[bytes, int]:
    """Thumbnails (N, T, T, 3) as TensorBoard's sprite PNG, and the cell side used (shrunk
    so the sprite stays within TensorBoard's 8192 px)."""
    columns = int(np.ceil(np.sqrt(len(thumbnails)))) or 1
    cell = min(thumbnails.shape[1], SPRITE_LIMIT // columns)
    grid, _ = thumbnail_grid(thumbnails, cell)
    buffer = io.BytesIO()
    grid.save(buffer, "PNG")
    return buffer.getvalue(), cell


def image_looks(ws: Workspace, emb: embed.Embedding) -> tuple[dict[str, list[str]], dict[str, bytes], str]:
    """How the Projector shows images: (no more metadata columns, the sprite of their
    thumbnails, its lines of projector_config.pbtxt)."""
    image, cell = sprite(ws.thumbnails(emb.dataset))
    lines = (f"  sprite {{\n    image_path: \"sprite.png\"\n    single_image_dim: {cell}\n"
             f"    single_image_dim: {cell}\n  }}\n")
    return {}, {"sprite.png": image}, lines


def projector_files(ws: Workspace, emb: embed.Embedding) -> dict[str, bytes]:
    """The TensorBoard Projector set: open projector_config.pbtxt's folder as a logdir, or
    load vectors.tsv and metadata.tsv in projector.tensorflow.org. The vectors are centred
    (Embedding.vectors), so the Projector's cosine neighbours are the app's own."""
    features = np.asarray(emb.vectors)
    columns, shown, lines = KIND_PARTS[emb.dataset.kind].looks(ws, emb)
    table = file_table(ws, emb).assign(**columns).fillna("")
    vectors = "\n".join("\t".join(f"{v:.6g}" for v in row) for row in features) + "\n"
    clean = neutralise_text_columns(
        table.apply(lambda column: column.astype(str).str.replace(r"[\t\n\r]", " ", regex=True)))
    config = f"embeddings {{\n  tensor_path: \"vectors.tsv\"\n  metadata_path: \"metadata.tsv\"\n{lines}}}\n"
    return {"vectors.tsv": vectors.encode(), "metadata.tsv": clean.to_csv(sep="\t", index=False).encode(),
            **shown, "projector_config.pbtxt": config.encode()}


class KindParts(NamedTuple):
    """What the encoder and projector parts take from the kind of data (store.DatasetInfo.kind)."""

    reading: Callable[[Workspace, embed.Embedding], tuple[dict, dict[str, bytes]]]  # encoder.json fields, files
    looks: Callable[[Workspace, embed.Embedding], tuple[dict[str, list[str]], dict[str, bytes], str]]  # projector


KIND_PARTS: dict[str, KindParts] = {
    "image": KindParts(image_reading, image_looks),
    "text": KindParts(text_export.encoder_reading, text_export.projector_looks),
}


PARTS: dict[str, Callable[[Workspace, embed.Embedding], dict[str, bytes]]] = {
    "encoder": encoder_files,
    "embeddings": embedding_files,
    "index": index_files,
    "map": map_files,
    "projector": projector_files,
}


def parts_for(source: embed.EncoderSource) -> list[str]:
    """The parts `source` has: all but the encoder for an imported embedding set."""
    return [part for part in PARTS if part != "encoder" or source.has_network]


def export(ws: Workspace, emb: embed.Embedding, parts: list[str]) -> dict[str, bytes]:
    """The files of `parts` (names in PARTS) for one embedding, and a README.txt saying what each holds."""
    if not parts:
        raise KeyError(f"no export part named; choose from: {', '.join(PARTS)}")
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise KeyError(f"no export part {unknown[0]!r}; choose from: {', '.join(PARTS)}")
    if "encoder" in parts and not emb.source.has_network:
        raise KeyError(f"{emb.source.label!r} is an imported embedding set: it has no encoder to export; "
                       f"choose from: {', '.join(parts_for(emb.source))}")
    files: dict[str, bytes] = {}
    for part in parts:
        files.update(PARTS[part](ws, emb))
    return {**files, "README.txt": readme(files, emb.source.label, emb.dataset.name)}


def to_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def to_folder(files: dict[str, bytes], folder: Path) -> list[str]:
    """Write every file into `folder` (created if needed), atomically; returns the paths. A
    name taken by something other than a regular file (a device, a FIFO, a folder) refuses
    the whole export before anything is written: renaming over it would replace it."""
    taken = [name for name in files if (folder / name).exists() and not (folder / name).is_file()]
    if taken:
        raise ValueError(f"{folder / taken[0]}: not a regular file; a device, FIFO or folder is never replaced")
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        atomic_write_bytes(folder / name, data)
    return [str(folder / name) for name in files]
