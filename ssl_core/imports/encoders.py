"""Imported encoders and embedding sets in the workspace, by name (where they live and how
they are named: registry.py, read without torch).

    <workspace>/encoders/<name>/config.json          kind, arch, input side, mean/std, D, source
    <workspace>/encoders/<name>/weights.safetensors  the headless network's weights (kind "encoder")

`import_encoder` builds the architecture (architectures.build), reads and matches the
weights (weights.py), checks its forward pass (finite features, of one width at any side),
and writes the folder under a temporary name that is renamed into place: an import either
is complete or is not there.
"""

from __future__ import annotations

import errno
import math
import os
import shutil
import uuid
from pathlib import Path

import torch
from safetensors.torch import save_file

from ..checkpoint import read_tensors
from ..models.calibration import never_estimated
from ..store import TMP_PREFIX, Workspace, atomic_write_json, fsync_dir, fsync_file, utc_now
from . import ImportRefused, architectures, weights
from .registry import (CONFIG, ENCODERS_DIR, NAME, WEIGHTS, check_new_name, check_side,  # noqa: F401 (re-exported)
                       describe, encoders_dir, exists, folder, imported, read_config)


def import_encoder(ws: Workspace, name: str, arch: str, weights_file: Path | None = None,
                   image_size: int | None = None, mean=None, std=None) -> dict:
    """Import `arch` with the weights of `weights_file` (None: the zoo's own, from the hub)
    as encoder `name`; returns its config {encoder, kind, arch, image_size, mean, std,
    num_features, source, created, batchnorm_never_estimated (how many BatchNorm layers hold a
    new layer's statistics: calibration.never_estimated)}. Refuses (ImportRefused) without writing anything."""
    check_new_name(ws, name)
    check_side(image_size)
    _check_normalisation(mean, std)
    encoder, native = _encoder_with_weights(arch, weights_file, image_size)
    source = Path(weights_file).name if weights_file else "the hub (its pretrained weights)"
    architectures.check_finite_features(encoder, native.image_size, source)
    architectures.check_fixed_width(encoder, arch, native.image_size)
    config = {"encoder": name, "kind": "encoder", "arch": arch, "image_size": native.image_size,
              "mean": list(mean or native.mean), "std": list(std or native.std),
              "num_features": encoder.num_features, "source": source, "created": utc_now("microseconds"),
              "batchnorm_never_estimated": never_estimated(encoder.net)}
    state = {k: v.detach().contiguous() for k, v in encoder.net.state_dict().items()}
    write_folder(ws, name, config, lambda tmp: save_file(state, str(tmp / WEIGHTS)))
    return config


def never_estimated_note(config: dict) -> str | None:
    """What the import command and the Data page say of an import whose BatchNorm layers hold a
    new layer's statistics (its config's batchnorm_never_estimated), else None."""
    layers = config.get("batchnorm_never_estimated", 0)
    if not layers:
        return None
    return (f"{layers} of its BatchNorm layers hold a new layer's statistics (mean 0, variance 1: never estimated on "
            f"data), as a network saved before any training does; they normalise nothing, and its features are "
            f"the file's as they are. Evaluate compares it with the same network untrained, whose statistics are "
            f"estimated on the pictures it reads, and scores it so estimated too.")


def _check_normalisation(mean, std) -> None:
    """Refuse a mean that is not finite or a std that is not finite and > 0: inputs divided
    by them would be NaN or infinite, and so would every feature."""
    if mean is not None and not all(math.isfinite(m) for m in mean):
        raise ImportRefused(f"--mean {' '.join(map(str, mean))}: every mean must be a finite number")
    if std is not None and not all(math.isfinite(s) and s > 0 for s in std):
        raise ImportRefused(f"--std {' '.join(map(str, std))}: every std must be a finite number above 0 "
                            f"(inputs are divided by it)")


def _encoder_with_weights(arch: str, weights_file: Path | None, image_size: int | None):
    if weights_file is None:
        try:
            return architectures.build(arch, image_size, pretrained=True)
        except ImportRefused:
            raise
        except Exception as exc:  # the hub's failures are many (offline, gated, no weights)
            raise ImportRefused(f"{arch}: could not fetch its pretrained weights ({type(exc).__name__}); "
                                f"offline, give the weights with --weights FILE") from None
    tensors = weights.read_state_dict(Path(weights_file))
    encoder, native = architectures.build(arch, image_size)
    children = [n for n, _ in encoder.net.named_children()]
    state = weights.match(tensors, encoder.net.state_dict(), native.head, children, Path(weights_file).name)
    encoder.net.load_state_dict(state, strict=False)  # match() checked every key but BatchNorm counters
    return encoder, native


def write_folder(ws: Workspace, name: str, config: dict, write_files) -> None:
    """Make `<workspace>/encoders/<name>/` from `write_files(tmp_folder)` and `config`,
    renamed into place only when complete."""
    root = encoders_dir(ws)
    root.mkdir(exist_ok=True)
    tmp = root / f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        write_files(tmp)
        atomic_write_json(tmp / CONFIG, config)
        for path in tmp.iterdir():
            fsync_file(path)
        os.rename(tmp, folder(ws, name))  # fails if the name was taken meanwhile
        fsync_dir(root)
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):  # another import took the name meanwhile
            raise ImportRefused(f"name {name!r} is taken by an earlier import; choose another") from None
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load(ws: Workspace, name: str) -> torch.nn.Module:
    """The imported encoder `name`: views (N, 3, S, S) in [0, 1] -> (N, D), eval mode, CPU."""
    config = read_config(ws, name)
    if config["kind"] != "encoder":
        raise ImportRefused(f"{name!r} is an imported embedding set: it has vectors for the images of dataset "
                            f"{config['dataset']!r}, but no encoder to embed other images or views with")
    encoder = untrained(config["arch"], config["image_size"], config["mean"], config["std"])
    encoder.net.load_state_dict(read_tensors(folder(ws, name) / WEIGHTS, f"the imported encoder {name!r}'s weights"))
    return encoder.eval()


def untrained(arch: str, image_size: int, mean=None, std=None) -> architectures.ImportedEncoder:
    """`arch` with random initial weights (from torch's global generator), standardising
    with `mean`/`std` (default: the architecture's own)."""
    encoder, native = architectures.build(arch, image_size)
    if mean is not None:
        encoder.mean.copy_(torch.tensor(mean).view(1, 3, 1, 1))
        encoder.std.copy_(torch.tensor(std).view(1, 3, 1, 1))
    return encoder
