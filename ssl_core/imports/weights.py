"""Weights from a file saved elsewhere, matched to a network's own state-dict keys.

`read_state_dict(path)` -> {key: tensor}: safetensors first; `.pt/.pth/.ckpt/.bin` only
through `torch.load(weights_only=True)` (tensors, numbers, strings and containers; a file
that needs anything else is refused, nothing in it runs). `match(tensors, wanted, head)`
finds where the network sits in the file: inside a Lightning checkpoint's `state_dict`
(beside other tensors such as its step) or DINO's `teacher`, under prefixes such as
`backbone.`, `model.`, `encoder.`, `module.` (solo-learn, lightly, DDP), or as an
`nn.Sequential` of the network's children (lightly's examples); the head
and the SSL method's other parts (projector, predictor, momentum copies) are dropped.
Anything missing, left over inside the network's part, of the wrong shape or not finite
(NaN, inf) is refused, naming the first keys.
"""

from __future__ import annotations

import pickle
import re
import zipfile
from pathlib import Path

import torch

from . import ImportRefused
from .registry import CONVERT, SAFETENSORS, TORCH_FILES, check_regular

TIE_LAST = ("student.",)  # on a tie, DINO's student loses to its teacher (the one the paper evaluates)
FIRST = 3  # how many keys a message names
OPTIONAL = ("num_batches_tracked",)  # BatchNorm counters: not weights, often not saved
UNSUPPORTED = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")  # the class torch's refusal names


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """{key: tensor} of a weights file, never unpickling anything but tensors and plain data."""
    path = Path(path)
    suffix = path.suffix.lower()
    check_regular(path)
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
        if _pickled(path):  # walk 16: "header too large" for a torch.save file renamed .safetensors
            raise ImportRefused(f"{path.name}: not a safetensors file but a pickle (what torch.save writes) "
                                f"under a .safetensors name; nothing here is unpickled: "
                                f"{CONVERT.format(name=path.name)}, and give weights.safetensors") from None
        raise ImportRefused(f"{path.name}: not a readable safetensors file ({exc})") from None


PICKLES = tuple(b"\x80" + bytes([protocol]) for protocol in range(2, 6))  # how pickles of protocols 2 to 5 start


def _pickled(path: Path) -> bool:
    """Whether `path` is what torch.save writes: a zip archive holding `data.pkl`, or (its
    legacy format, pickle.dump) a pickle; read as bytes and names, nothing unpickled."""
    with open(path, "rb") as file:
        start = file.read(2)
    if start in PICKLES:
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.endswith("/data.pkl") or name == "data.pkl" for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _torch_file(path: Path) -> object:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:  # torch's own advice (its last line, a link) is not ours to pass on
        found = UNSUPPORTED.search(str(exc))
        detail = f"it holds a {found.group(1)} object" if found else "it holds objects beyond tensors"
        raise ImportRefused(
            f"{path.name}: refused: it needs full unpickling, which can run any code in the file "
            f"({detail}); only tensors are read here; {CONVERT.format(name=path.name)}") from None
    except Exception as exc:  # a damaged file fails in many ways (EOFError, IndexError, struct.error, ...)
        raise ImportRefused(f"{path.name}: not a readable PyTorch file: damaged, or not written by torch.save "
                            f"({first_line(exc)})") from None


def first_line(exc: BaseException, limit: int = 160) -> str:
    """The first line of `exc`'s message (at most `limit` characters), or its type's name
    when the message is empty (an empty file's EOFError has none); a message with no word
    in it (a KeyError's bare number) comes after its type's name."""
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:limit]
    return line if any(c.isalpha() for c in line) else f"{type(exc).__name__} {line}"


def _flat_tensors(obj: object, path: Path) -> dict[str, torch.Tensor]:
    """Every tensor of a loaded checkpoint, nested dicts' keys joined by dots
    ({"state_dict": {"conv.weight": t}, "global_step": t} -> "state_dict.conv.weight",
    "global_step"): match() then takes the part that fits best (a Lightning `state_dict`,
    a `model`, DINO's `teacher`)."""
    if not isinstance(obj, dict):
        raise ImportRefused(f"{path.name}: holds a {type(obj).__name__}, not a state dict")
    tensors = dict(_leaves(obj, ""))
    if not tensors:
        raise ImportRefused(f"{path.name}: no tensors found (keys: {', '.join(map(str, list(obj)[:FIRST]))})")
    return tensors


def _leaves(obj: dict, prefix: str):
    """(dotted key, tensor) of every tensor in `obj` and the dicts inside it."""
    for key, value in obj.items():
        if torch.is_tensor(value):
            yield f"{prefix}{key}", value
        elif isinstance(value, dict):
            yield from _leaves(value, f"{prefix}{key}.")


def match(tensors: dict[str, torch.Tensor], wanted: dict[str, torch.Tensor], head: tuple[str, ...],
          children: list[str], name: str) -> dict[str, torch.Tensor]:
    """The tensors of `tensors` renamed to the keys of `wanted` (a network's state dict).
    `head` holds the removed classifiers' prefixes, `children` the network's child names in
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
    integer = [f"{k} ({str(v.dtype).removeprefix('torch.')})" for k, v in state.items()
               if wanted[k].is_floating_point() and not (v.is_floating_point() or v.is_complex())]
    if integer:
        raise ImportRefused(f"{name}: whole numbers where the architecture has real-valued weights, in "
                            f"{_few(integer)}; a quantized or damaged file (save the float weights)")
    _check_finite(state, name)
    return state


def _check_finite(state: dict[str, torch.Tensor], name: str) -> None:
    """Refuse NaN or infinite floating-point weights: every feature computed with them would
    be NaN or meaningless (as import-embeddings refuses rows that are not finite)."""
    bad = [k for k, v in state.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if bad:
        raise ImportRefused(f"{name}: weights that are not finite (NaN or infinite) in {_few(bad)}; "
                            "the training that saved them diverged or the file is damaged")


def _prefixes(tensors: dict[str, torch.Tensor]) -> list[str]:
    """'' and every leading run of dotted segments (up to four) that some key has, shortest
    first (the first of equally good parts is kept), TIE_LAST's after others of their length."""
    found = {""}
    for key in tensors:
        parts = key.split(".")
        found.update(".".join(parts[:i]) + "." for i in range(1, min(5, len(parts))))
    return sorted(found, key=lambda p: (len(p), p.startswith(TIE_LAST), p))


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
