"""Where imported encoders and embedding sets live in the workspace and how they are named,
read without torch (the Data page lists them on its first paint): encoders.py writes them.

    <workspace>/encoders/<name>/config.json          kind, arch, input side, mean/std, D, source
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..store import Workspace
from . import ImportRefused

SAFETENSORS = (".safetensors",)
TORCH_FILES = (".pt", ".pth", ".ckpt", ".bin")  # read with torch.load(weights_only=True): the command line's only
CONVERT_COMMAND = ("python -c \"import torch; from safetensors.torch import save_file; "
                   "c = torch.load('{name}', weights_only=False); "
                   "sd = c.state_dict() if hasattr(c, 'state_dict') else c.get('state_dict', c); "
                   "save_file({{k: v.contiguous() for k, v in sd.items() if torch.is_tensor(v)}}, "
                   "'weights.safetensors')\"")  # a shell command; the app shows it in a code block, as written; a
# whole pickled model (torch.save(model)) has no .get (walk 23: AttributeError: 'ResNet' object has no attribute 'get')
CONVERT = "convert it where you trust it, in the file's folder: " + CONVERT_COMMAND
ENCODERS_DIR = "encoders"
CONFIG = "config.json"
WEIGHTS = "weights.safetensors"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
RUN_ID = re.compile(r"run-\d{8}-\d{6}-[0-9a-f]{6}")  # jobs.create_run's ids


MIN_SIDE, MAX_SIDE = 8, 1024  # an imported encoder's input side (px); 8 is data.ingest's MIN_SIZE, embed's least
SOURCE_PREFIX = "imported-"  # an import's source key (embed.EncoderSource.key), its embeddings' folder name


def source_key(name: str) -> str:
    """The key of import `name` as a source: its embeddings' folder under a dataset, the URL's
    `encoder=`."""
    return SOURCE_PREFIX + name


def encoders_dir(ws: Workspace) -> Path:
    return ws.root / ENCODERS_DIR


def folder(ws: Workspace, name: str) -> Path:
    return encoders_dir(ws) / name


def exists(ws: Workspace, name: str) -> bool:
    return NAME.fullmatch(name) is not None and (folder(ws, name) / CONFIG).is_file()


def read_config(ws: Workspace, name: str) -> dict:
    """config.json of the imported encoder or embedding set `name`."""
    if not exists(ws, name):
        raise ImportRefused(f"no imported encoder or embedding set {name!r}")
    return json.loads((folder(ws, name) / CONFIG).read_text())


def check_regular(path: Path) -> None:
    """Refuse `path` unless it is a regular file, naming what it is instead (missing, or a
    folder, a FIFO or a device: `is_file` alone called those 'no such file')."""
    if not path.is_file():
        raise ImportRefused(f"{path}: no such file" if not path.exists() else
                            f"{path}: not a regular file (a folder, FIFO or device); give the file itself")


def check_side(side: int | None) -> None:
    """Refuse an input side outside MIN_SIDE..MAX_SIDE (None: the model's own, always taken):
    smaller cannot be embedded, larger asks gigabytes of every batch."""
    if side is not None and not MIN_SIDE <= side <= MAX_SIDE:
        raise ImportRefused(f"input side {side} px: give one between {MIN_SIDE} and {MAX_SIDE}")


def start_side(ws: Workspace, init: str | None) -> dict:
    """TrainConfig's {"image_size": side} for a run started from the imported encoder `init`:
    the side it was imported at (a ViT is built for that side only); {} for any other start
    (random weights, a run, an embedding set), which keeps the run's default side."""
    config = read_config(ws, init) if init and exists(ws, init) else {}
    return {"image_size": config["image_size"]} if config.get("kind") == "encoder" else {}


def imported(ws: Workspace) -> list[dict]:
    """config.json of every import, oldest first (each with its "name"); imports stamp their
    "created" to the microsecond, so two made within one second keep their order."""
    root = encoders_dir(ws)
    names = sorted(p.name for p in root.iterdir() if exists(ws, p.name)) if root.is_dir() else []
    return sorted((read_config(ws, n) for n in names), key=lambda c: c["created"])


def embedding_sets_of(ws: Workspace, dataset_id: str) -> list[str]:
    """Names of the imported embedding sets holding vectors for the rows of dataset
    `dataset_id`: they are stored with its files and go when it is deleted or replaced."""
    return [c["encoder"] for c in imported(ws) if c["kind"] == "embeddings" and c.get("dataset_id") == dataset_id]


def describe(config: dict) -> str:
    """How people see an import: its name, architecture and where its weights came from,
    e.g. 'r50 (timm:resnet50, imported from r50.safetensors)', or for an embedding set
    'clip (embeddings imported from clip.npy)'."""
    what = config["arch"] if config["kind"] == "encoder" else "embeddings"
    return f"{config['encoder']} ({what}, imported from {config['source']})"


def check_new_name(ws: Workspace, name: str) -> None:
    """Refuse a name that is malformed, taken, or shaped like a run's id: `--run NAME` looks
    for an import first, so an import named after a run would hide it."""
    if NAME.fullmatch(name) is None:
        raise ImportRefused(f"name {name!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    if RUN_ID.fullmatch(name):
        raise ImportRefused(f"name {name!r} is shaped like a run's id, and `--run {name}` would then mean the import, "
                            f"not the run; choose another")
    if folder(ws, name).exists():
        raise ImportRefused(f"name {name!r} is taken by an earlier import; choose another")
