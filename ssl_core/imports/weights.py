"""Weights from a file saved elsewhere, matched to a network's own state-dict keys.

`read_state_dict(path)` -> {key: tensor}: safetensors first; `.pt/.pth/.ckpt/.bin` only
through `torch.load(weights_only=True)` (tensors, numbers, strings and containers; a file
that needs anything else is refused, nothing in it runs). `match(tensors, wanted, head)`
finds where the network sits in the file: inside a Lightning checkpoint's `state_dict`,
under prefixes such as `backbone.`, `model.`, `encoder.`, `module.` (solo-learn, lightly,
DDP), or as an `nn.Sequential` of the network's children (lightly's examples); the head
and the SSL method's other parts (projector, predictor, momentum copies) are dropped.
Anything missing, left over inside the network's part or of the wrong shape is refused,
naming the first keys.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import torch

from . import ImportRefused
from .registry import SAFETENSORS, TORCH_FILES

CONTAINERS = ("state_dict", "model", "module")  # a checkpoint's dict holding the weights
FIRST = 3  # how many keys a message names
OPTIONAL = ("num_batches_tracked",)  # BatchNorm counters: not weights, often not saved

CONVERT = ("convert it where you trust it: python -c \"import torch; from safetensors.torch import save_file; "
           "c = torch.load('{name}', weights_only=False); sd = c.get('state_dict', c); "
           "save_file({{k: v.contiguous() for k, v in sd.items() if torch.is_tensor(v)}}, 'weights.safetensors')\"")


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """{key: tensor} of a weights file, never unpickling anything but tensors and plain data."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ImportRefused(f"{path}: no such file")
    if not path.stat().st_size:
        raise ImportRefused(f"{path.name}: the file is empty (0 bytes); give the saved weights")
    if suffix in SAFETENSORS:
        return _safetensors(path)
    if suffix in TORCH_FILES:
        return _flat_tensors(_torch_file(path), path)
    raise ImportRefused(f"{path.name}: unknown weights format {suffix or '(no extension)'}; "
                        f"give a .safetensors file (or {'/'.join(TORCH_FILES)} holding tensors only)")


def _safetensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise ImportRefused(f"{path.name}: not a readable safetensors file ({exc})") from None


def _torch_file(path: Path) -> object:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        detail = str(exc).strip().splitlines()[-1][:160] if str(exc).strip() else "objects beyond tensors"
        raise ImportRefused(
            f"{path.name}: refused: it needs full unpickling, which can run any code in the file "
            f"({detail}); only tensors are read here; {CONVERT.format(name=path.name)}") from None
    except Exception as exc:  # a damaged file fails in many ways (EOFError, IndexError, struct.error, ...)
        raise ImportRefused(f"{path.name}: not a readable PyTorch file ({first_line(exc)})") from None


def first_line(exc: BaseException, limit: int = 160) -> str:
    """The first line of `exc`'s message (at most `limit` characters), or its type's name
    when the message is empty (an empty file's EOFError has none)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:limit]


def _flat_tensors(obj: object, path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a loaded checkpoint: the dict itself, or its `state_dict`/`model`/`module`."""
    if not isinstance(obj, dict):
        raise ImportRefused(f"{path.name}: holds a {type(obj).__name__}, not a state dict")
    for key in CONTAINERS:
        if isinstance(obj.get(key), dict) and not any(torch.is_tensor(v) for v in obj.values()):
            return _flat_tensors(obj[key], path)
    tensors = {str(k): v for k, v in obj.items() if torch.is_tensor(v)}
    if not tensors:
        raise ImportRefused(f"{path.name}: no tensors found (keys: {', '.join(map(str, list(obj)[:FIRST]))})")
    return tensors


def match(tensors: dict[str, torch.Tensor], wanted: dict[str, torch.Tensor], head: str,
          children: list[str], name: str) -> dict[str, torch.Tensor]:
    """The tensors of `tensors` renamed to the keys of `wanted` (a network's state dict).
    `head` is the removed classifier's prefix, `children` the network's child names in
    order (for keys saved from nn.Sequential(*children)), `name` the file for messages."""
    best: dict[str, torch.Tensor] = {}
    for prefix in _prefixes(tensors):
        part = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        for candidate in (part, _by_position(part, children)):
            if _hits(candidate, wanted) > _hits(best, wanted):
                best = candidate
    if not _hits(best, wanted):
        raise ImportRefused(f"{name}: none of its keys fit this architecture (file has "
                            f"{_few(tensors)}; expected {_few(wanted)}); wrong --arch?")
    state = {k: v for k, v in best.items() if not k.startswith(head)
             and (k in wanted or not k.endswith(OPTIONAL))}
    missing = [k for k in wanted if k not in state and not k.endswith(OPTIONAL)]
    unexpected = [k for k in state if k not in wanted]
    if missing or unexpected:
        raise ImportRefused(f"{name}: does not fit this architecture: "
                            + "; ".join(filter(None, [missing and f"missing {_few(missing)}",
                                                      unexpected and f"unexpected {_few(unexpected)}"])))
    wrong = [f"{k} {tuple(v.shape)} (expected {tuple(wanted[k].shape)})" for k, v in state.items()
             if v.shape != wanted[k].shape]
    if wrong:
        raise ImportRefused(f"{name}: wrong shapes: {', '.join(wrong[:FIRST])}"
                            + (f" and {len(wrong) - FIRST} more" if len(wrong) > FIRST else ""))
    return state


def _prefixes(tensors: dict[str, torch.Tensor]) -> list[str]:
    """'' and every leading run of dotted segments (up to three) that some key has."""
    found = {""}
    for key in tensors:
        parts = key.split(".")
        found.update(".".join(parts[:i]) + "." for i in range(1, min(4, len(parts))))
    return sorted(found, key=len)


def _by_position(part: dict[str, torch.Tensor], children: list[str]) -> dict[str, torch.Tensor]:
    """Keys saved from nn.Sequential(*children)  ('4.0.conv1.weight') renamed by position
    ('layer1.0.conv1.weight'); keys that do not start with a child's position are kept."""
    out = {}
    for key, value in part.items():
        first, _, rest = key.partition(".")
        out[f"{children[int(first)]}.{rest}" if first.isdigit() and int(first) < len(children) else key] = value
    return out


def _hits(candidate: dict[str, torch.Tensor], wanted: dict[str, torch.Tensor]) -> int:
    return sum(k in wanted for k in candidate)


def _few(keys) -> str:
    keys = list(keys)
    return ", ".join(keys[:FIRST]) + (f" (+{len(keys) - FIRST} more)" if len(keys) > FIRST else "")
