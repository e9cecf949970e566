"""Label-efficiency curves that do not depend on the encoder being evaluated, kept per dataset.

The curves beside an encoder's (its untrained twin's, raw pixels', the network trained from
scratch's) are the same for every run evaluated on one dataset, yet fitting them is most of
an evaluation (on the built-in shapes, 2,000 images: about 25 s of 35 s, the network from
scratch trained 13 times). Flow: report.py asks `kept` for each baseline curve by its key
(dataset id, the evaluation config, the device, the curve's name and, for the twin, its
embedding's time) -> fits only those missing -> `keep` stores the new ones in
`<dataset folder>/baseline_curves.json`, so the next encoder evaluated on this data gets
them at once. The subsets each curve is fitted on are drawn from the labels and the seed
alone (label_efficiency.py), so a kept curve equals one fitted beside the new encoder.
A replaced dataset has a new id (a new folder); an unreadable file is as good as empty.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from typing import Any

from ..store import DatasetInfo, Workspace, atomic_write_json

FILE = "baseline_curves.json"
LIMIT = 32  # curves kept per dataset (evaluation settings and twins come and go)
POINTS = 2  # part of every key: bump when the points a curve holds change (2: no two shares drawing alike)


def curve_key(info: DatasetInfo, config: Any, device: str, name: str, twin: tuple[str, float] | None = None) -> str:
    """What one baseline curve depends on, hashed: the dataset, the whole evaluation config
    (a dataclass), the device, the curve's name and, for an untrained twin, its (key, made)."""
    parts = {"points": POINTS, "dataset": info.id, "config": asdict(config), "device": device, "name": name,
             "twin": twin}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _read(ws: Workspace, info: DatasetInfo) -> dict[str, Any]:
    try:
        kept = json.loads((ws.dataset_dir(info) / FILE).read_text())
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}


def kept(ws: Workspace, info: DatasetInfo, keys: dict[str, str]) -> dict[str, list]:
    """{curve name: its kept points} for each of `keys` ({name: curve_key}) found."""
    stored = _read(ws, info)
    found = {name: stored.get(key) for name, key in keys.items()}
    return {name: entry["points"] for name, entry in found.items()
            if isinstance(entry, dict) and isinstance(entry.get("points"), list)}


def keep(ws: Workspace, info: DatasetInfo, keys: dict[str, str], curves: dict[str, list]) -> None:
    """Store `curves` ({name: points}, those named in `keys`); the LIMIT newest stay."""
    if not curves:
        return
    stored = _read(ws, info)
    stored.update({keys[name]: {"points": points, "at": time.time()} for name, points in curves.items()})
    newest = sorted(stored, key=lambda key: stored[key].get("at", 0) if isinstance(stored[key], dict) else 0)
    atomic_write_json(ws.dataset_dir(info) / FILE, {key: stored[key] for key in newest[-LIMIT:]})
