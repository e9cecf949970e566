"""Embeddings computed elsewhere, matched to a dataset's images and stored as its embedding.

`import_embeddings(ws, dataset, name, file)`: an `.npy` (N, D) in the dataset's order, or
a Parquet/CSV table with a file-name column and the vector (one list column, or one
numeric column per dimension) -> float32 (N, D) in dataset order -> config.json under
`<workspace>/encoders/<name>/` (kind "embeddings"), then the dataset's cached embedding
`datasets/<id>/embeddings/imported-<name>/` (embed.py reads it like any other). Every image
needs a vector; table rows naming no image are reported; NaN/inf rows are refused by name.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from ..store import Workspace, utc_now
from . import ImportRefused, encoders
from .registry import check_regular
from .weights import first_line

NAME_COLUMNS = ("file", "filename", "file_name", "name", "path", "image", "image_path")
VECTOR_COLUMNS = ("vector", "embedding", "embeddings", "features", "feature")
NOT_DIMENSIONS = ("label", "labels", "index", "idx", "id", "class")
FIRST = 5  # names a message lists


def read_vectors(path: Path, image_names: list[str]) -> tuple[np.ndarray, list[str]]:
    """float32 (N, D) for the N `image_names` (dataset order) from `path`, and the names of
    the file's rows that match no image."""
    suffix = path.suffix.lower()
    check_regular(path)
    if suffix == ".npy":
        vectors, unmatched = _npy(path, len(image_names)), []
    elif suffix in (".parquet", ".csv"):
        vectors, unmatched = _table(path, image_names)
    else:
        raise ImportRefused(f"{path.name}: unknown format {suffix or '(no extension)'}; give .npy, .parquet or .csv")
    if not vectors.shape[1]:
        raise ImportRefused(f"{path.name}: its vectors have no dimensions (shape {vectors.shape}); "
                            f"expected (N, D) with D of at least 1")
    return vectors, unmatched


def _npy(path: Path, count: int) -> np.ndarray:
    try:
        vectors = np.load(path, allow_pickle=False)
    except Exception as exc:  # a damaged header fails in many ways (ValueError, EOFError, tokenize.TokenError, ...)
        raise ImportRefused(f"{path.name}: not a plain numeric .npy array ({first_line(exc, 120)})") from None
    if isinstance(vectors, np.lib.npyio.NpzFile):
        vectors.close()
        raise ImportRefused(f"{path.name}: an .npz archive, not one array; save one (N, D) array with np.save")
    if vectors.ndim != 2 or vectors.dtype.kind not in "iuf":
        raise ImportRefused(f"{path.name}: holds {vectors.dtype} of shape {vectors.shape}; expected integer or "
                            f"floating-point numbers (N, D)")
    if len(vectors) != count:
        raise ImportRefused(f"{path.name}: {len(vectors)} rows for a dataset of {count} images; an .npy must "
                            f"hold one row per image in the dataset's order (or use a table with file names)")
    _refuse_non_finite(vectors, [f"row {i}" for i in range(len(vectors))], path.name)
    return vectors.astype(np.float32)


def _table(path: Path, image_names: list[str]) -> tuple[np.ndarray, list[str]]:
    try:
        table = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    except (ValueError, OSError, ImportError, pd.errors.ParserError) as exc:
        raise ImportRefused(f"{path.name}: cannot read it as a table ({first_line(exc, 120)})") from None
    columns = {str(c).lower(): c for c in table.columns}
    name_column = next((columns[c] for c in NAME_COLUMNS if c in columns), None)
    if name_column is None:
        raise ImportRefused(f"{path.name}: no file-name column (one of {', '.join(NAME_COLUMNS)}); "
                            f"it has {', '.join(map(str, table.columns[:FIRST]))}")
    names = table[name_column].astype(str).tolist()
    vectors = _vector_part(table, columns, name_column, path.name)
    _refuse_non_finite(vectors, names, path.name)
    rows, unmatched = _match(names, image_names, path.name)
    return vectors[rows].astype(np.float32), unmatched


def _vector_part(table: pd.DataFrame, columns: dict, name_column, file: str) -> np.ndarray:
    """(R, D) floats: one list-valued column, else every numeric column but the name/label/index."""
    listed = next((columns[c] for c in VECTOR_COLUMNS if c in columns and table[columns[c]].dtype == object), None)
    try:
        if listed is not None:
            return np.stack([np.asarray(v, dtype=np.float64) for v in table[listed]])
        kept = [c for c in table.columns if c != name_column and str(c).lower() not in NOT_DIMENSIONS
                and pd.api.types.is_numeric_dtype(table[c])]
        if not kept:
            raise ImportRefused(f"{file}: no vector found: no numeric columns beside {name_column!r}")
        return table[kept].to_numpy(dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise ImportRefused(f"{file}: vectors of unequal length or not numbers ({exc})") from None


def _refuse_non_finite(vectors: np.ndarray, names: list[str], file: str) -> None:
    """Refuse vectors that are not finite as stored (float32: beyond about 3.4e38 is infinity)."""
    with np.errstate(over="ignore"):
        bad = np.flatnonzero(~np.isfinite(vectors.astype(np.float32)).all(axis=1))
    if len(bad):
        listed = ", ".join(names[i] for i in bad[:FIRST]) + (f" and {len(bad) - FIRST} more" if len(bad) > FIRST else "")
        raise ImportRefused(f"{file}: {len(bad)} vector(s) hold NaN, infinity or numbers beyond float32's range "
                            f"(about 3.4e38): {listed}")


def _match(names: list[str], image_names: list[str], file: str) -> tuple[np.ndarray, list[str]]:
    """For each image (dataset order) the row of the table naming it, by its full name or
    else by its base name when that is unique; and the rows naming no image."""
    by_name = {n: i for i, n in enumerate(image_names)}
    bases = pd.Series([Path(n).name for n in image_names])
    shared = bases.duplicated(keep=False).to_numpy()
    by_base = {b: i for i, b in enumerate(bases) if not shared[i]}
    row_of: dict[int, int] = {}
    unmatched, repeated = [], []
    for row, name in enumerate(names):
        image = by_name.get(name, by_base.get(Path(name).name))
        if image is None:
            unmatched.append(name)
        elif image in row_of:
            repeated.append(name)
        else:
            row_of[image] = row
    if repeated:
        raise ImportRefused(f"{file}: images named twice: {', '.join(repeated[:FIRST])}")
    missing = [n for i, n in enumerate(image_names) if i not in row_of]
    if missing:
        raise ImportRefused(f"{file}: no vector for {len(missing)} of the dataset's {len(image_names)} images "
                            f"(first: {', '.join(missing[:FIRST])}); {len(unmatched)} row(s) matched no image")
    return np.array([row_of[i] for i in range(len(image_names))]), unmatched


def import_embeddings(ws: Workspace, dataset_name: str, name: str, path: Path) -> dict:
    """Import the vectors of `path` as embedding set `name` of dataset `dataset_name`;
    returns {"encoder", "matched", "unmatched" (names of rows naming no image), "shape"}."""
    from .. import embed

    encoders.check_new_name(ws, name)
    dataset = ws.dataset(dataset_name)
    path = Path(path)
    vectors, unmatched = read_vectors(path, [row["name"] for row in ws.image_rows(dataset)])
    config = {"encoder": name, "kind": "embeddings", "dataset": dataset.name, "dataset_id": dataset.id,
              "num_features": int(vectors.shape[1]), "source": path.name, "created": utc_now()}
    encoders.write_folder(ws, name, config, lambda tmp: None)
    try:
        embed.store_features(ws, dataset, embed.from_imported(ws, name), vectors)
    except BaseException:
        shutil.rmtree(encoders.folder(ws, name), ignore_errors=True)  # nothing half-imported
        raise
    return {"encoder": name, "matched": int(len(vectors)), "unmatched": unmatched, "shape": list(vectors.shape)}
