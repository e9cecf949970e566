"""Checkpoints: weights and optimizer tensors as safetensors, everything else as JSON.

`<run>/checkpoint.safetensors` holds the method's state (encoder, heads, teachers), the
optimizer's tensors and the augmentation generator's state; `<run>/checkpoint.json`
holds the config, the step and the optimizer's hyper-parameters. Both are written
atomically, the JSON last, so the pair on disk is always a complete checkpoint. Loading
never unpickles anything, and fails on missing state except what the method names in
`optional_state` (state added after older checkpoints were written: it keeps its fresh value).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from .store import atomic_file, atomic_write_json

WEIGHTS = "checkpoint.safetensors"
META = "checkpoint.json"


def _optimizer_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    state = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, values in state["state"].items():
        for key, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optimizer.{index}.{key}"] = value.detach().cpu().contiguous()
            else:
                scalars[f"{index}.{key}"] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def save(run_dir: Path, method: torch.nn.Module, optimizer: torch.optim.Optimizer,
         generator: torch.Generator, meta: dict[str, Any]) -> Path:
    """Write the checkpoint pair; returns the .safetensors path."""
    run_dir.mkdir(parents=True, exist_ok=True)
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in _unique(method).items()}
    optimizer_tensors, optimizer_meta = _optimizer_tensors(optimizer)
    tensors.update(optimizer_tensors)
    tensors["generator"] = generator.get_state().cpu()
    with atomic_file(run_dir / WEIGHTS) as tmp:
        save_file(tensors, str(tmp))
    atomic_write_json(run_dir / META, {**meta, "optimizer": optimizer_meta})
    return run_dir / WEIGHTS


def _unique(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """State dict without aliases (a module reachable by two names is stored once)."""
    seen: set[int] = set()
    out = {}
    for key, value in module.state_dict(keep_vars=True).items():
        if id(value) in seen:
            continue
        seen.add(id(value))
        out[key] = value.data if isinstance(value, torch.nn.Parameter) else value
    return out


def embed_size(meta: dict[str, Any]) -> int:
    """The side a checkpoint's network reads whole images at (engine.embed_side); one written
    before that side was kept reads them at its views' side, as it was judged then."""
    return int(meta.get("embed_size", meta["image_size"]))


def read_meta(run_dir: Path) -> dict[str, Any] | None:
    """The checkpoint's JSON meta, None when there is none; a ValueError naming the file when
    it cannot be read (a damaged or cut-short checkpoint: `doctor` finds it)."""
    path = run_dir / META
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise _unreadable(path, exc) from None


def read_tensors(path: Path, what: str = "the run's checkpoint") -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file the workspace keeps (`what` it is, for the message); a
    ValueError naming the file when they cannot be read, not safetensors' own error."""
    from safetensors import SafetensorError

    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise _unreadable(path, exc, what) from None


def opens(path: Path) -> bool:
    """Whether the safetensors file at `path` opens: its header is read and checked to cover the
    file, so a cut-short or damaged checkpoint says no without its tensors being read."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), "pt"):
            return True
    except (SafetensorError, OSError, ValueError):
        return False


def _unreadable(path: Path, exc: Exception, what: str = "the run's checkpoint") -> ValueError:
    return ValueError(f"{path}: {what} cannot be read ({exc}); `doctor` checks the workspace")


def load(run_dir: Path, method: torch.nn.Module, optimizer: torch.optim.Optimizer | None,
         generator: torch.Generator | None) -> dict[str, Any]:
    """Restore what `save` wrote into the given objects; returns the JSON meta."""
    meta = read_meta(run_dir)
    if meta is None:
        raise FileNotFoundError(f"no checkpoint in {run_dir}")
    tensors = read_tensors(run_dir / WEIGHTS)
    model_state = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
    missing = set(_unique(method)) - set(model_state) - set(getattr(method, "optional_state", ()))
    if missing:
        raise ValueError(f"checkpoint in {run_dir} lacks {sorted(missing)[:3]}")
    method.load_state_dict(model_state, strict=False)
    if optimizer is not None:
        state: dict[int, dict[str, Any]] = {}
        for key, value in tensors.items():
            if key.startswith("optimizer."):
                _, index, name = key.split(".", 2)
                state.setdefault(int(index), {})[name] = value
        for key, value in meta["optimizer"]["scalars"].items():
            index, name = key.split(".", 1)
            state.setdefault(int(index), {})[name] = value
        optimizer.load_state_dict({"state": state, "param_groups": meta["optimizer"]["param_groups"]})
    if generator is not None:
        generator.set_state(tensors["generator"])
    return meta


def load_trained(run_dir: Path) -> tuple[torch.nn.Module, dict[str, Any]]:
    """The trained method (encoder and heads, eval mode, CPU) of a run folder, and its meta."""
    from .methods import build_method
    from .models import checkpoint_options

    meta = read_meta(run_dir)
    if meta is None:
        raise FileNotFoundError(f"no checkpoint in {run_dir}")
    config = meta["config"]
    method = build_method(config["method"], config["encoder"], int(meta["image_size"]),
                          **checkpoint_options(config["encoder"], meta))
    load(run_dir, method, None, None)
    return method.eval(), meta
