"""The imports' part of `doctor` (doctor.py): imported encoders and embedding sets.

    import_problems(ws)          each `encoders/<name>/`: its config readable, an encoder's
                                 weights loading with safetensors, an embedding set's vectors
                                 present under its dataset; dead temporary folders (a killed
                                 import or delete) removed; a dataset's `embeddings/imported-<name>/`
                                 whose import is gone removed when it was computed by an encoder
    irreplaceable(ws, folder)    whether a dataset's embedding folder may hold an imported
                                 embedding set's vectors: their only copy, never removed as
                                 "derived" (nothing can compute them again)

Nothing a user made is removed: an import that does not verify is reported with the command
that replaces it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from .doctor_problem import Problem
from .imports.registry import CONFIG, SOURCE_PREFIX, WEIGHTS, encoders_dir, exists, read_config, source_key
from .store import Workspace, is_dead_temporary, temporary_owner

EMBEDDING_SET = "embeddings"  # embed.EMBEDDING_SET: the `encoder` of an embedding set's fingerprint
AGAIN = "import it again (python -m ssl_core delete-import {name}, then {command})"


def irreplaceable(ws: Workspace, folder: Path) -> bool:
    """True unless `folder` (datasets/<id>/embeddings/<key>/) is known to be computed by a
    network: a run's, an untrained one's, or an imported encoder's (its config, else the
    fingerprint in its embedding.json, says so)."""
    if not folder.name.startswith(SOURCE_PREFIX):
        return False
    name = folder.name[len(SOURCE_PREFIX):]
    if exists(ws, name):
        try:
            return read_config(ws, name).get("kind") != "encoder"
        except ValueError:
            return True
    try:
        made_from = json.loads((folder / "embedding.json").read_text())["fingerprint"]
        return made_from["encoder"] == EMBEDDING_SET
    except (OSError, ValueError, KeyError, TypeError):
        return True  # cannot tell: keep it


def import_problems(ws: Workspace) -> Iterator[Problem]:
    root = encoders_dir(ws)
    for folder in sorted(root.iterdir()) if root.is_dir() else ():
        where = str(folder.relative_to(ws.root))
        if temporary_owner(folder.name) is not None:
            if is_dead_temporary(folder.name):
                yield Problem("leftovers", where, "the temporary folder of an import or delete whose process died",
                              lambda folder=folder: shutil.rmtree(folder, ignore_errors=True), "removed")
            continue
        yield from _one_import(ws, folder, where)
    yield from _orphans(ws)


def _one_import(ws: Workspace, folder: Path, where: str) -> Iterator[Problem]:
    try:
        config = json.loads((folder / CONFIG).read_text())
        kind, name = config["kind"], config["encoder"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        yield Problem("imports", where, f"no readable {CONFIG} ({exc}); import it again under a new name")
        return
    if kind == "encoder":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            load_file(str(folder / WEIGHTS))
        except (OSError, ValueError, SafetensorError) as exc:
            yield Problem("imports", where, f"its weights do not load ({exc}); "
                          + AGAIN.format(name=name, command="import-encoder"))
        return
    dataset = next((info for info in ws.datasets() if info.id == config.get("dataset_id")), None)
    if dataset is None:  # a crash between a delete's commit and the removal of its sets
        yield Problem("imports", where, f"embedding set of dataset {config.get('dataset')!r}, which was deleted "
                      f"with its vectors", lambda: shutil.rmtree(folder, ignore_errors=True), "removed")
    elif not (ws.dataset_dir(dataset) / "embeddings" / source_key(name)).is_dir():
        yield Problem("imports", where, f"its vectors are missing from dataset {dataset.name!r}; "
                      + AGAIN.format(name=name, command="import-embeddings"))


def _orphans(ws: Workspace) -> Iterator[Problem]:
    """Embedding folders of imports that are gone: an encoder's are derived (removed); an
    embedding set's may be the only copy of its vectors (reported)."""
    for info in ws.datasets():
        for folder in sorted((ws.dataset_dir(info) / "embeddings").glob(f"{SOURCE_PREFIX}*")):
            if not folder.is_dir() or exists(ws, folder.name[len(SOURCE_PREFIX):]):
                continue
            where = str(folder.relative_to(ws.root))
            if irreplaceable(ws, folder):
                yield Problem("imports", where, "vectors of an embedding set whose import is gone; kept (they "
                              "cannot be computed again): move them out, or remove the folder by hand")
            else:
                yield Problem("artefacts", where, "features of an imported encoder that was deleted",
                              lambda folder=folder: shutil.rmtree(folder, ignore_errors=True), "removed")
