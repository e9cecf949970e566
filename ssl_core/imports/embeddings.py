"""Embeddings computed elsewhere, matched to a dataset's images and stored as its embedding.

`import_embeddings(ws, dataset, name, file)`: an `.npy` (N, D) in the dataset's order, or
a Parquet/CSV table with a file-name column and the vector (one list column, or one
numeric column per dimension) -> float32 (N, D) in dataset order -> config.json under
`<workspace>/encoders/<name>/` (kind "embeddings"), then the dataset's cached embedding
`datasets/<id>/embeddings/imported-<name>/` (embed.py reads it like any other). Every image
needs a vector; table rows naming no image are reported; NaN/inf rows are refused by name.
A table's columns named like labels or indexes (NOT_DIMENSIONS, pandas' `Unnamed: 0`) and
its text are no dimensions: the result says which columns were used and why others were
not; a column of numbers with a cell that is not one is refused by its row, never dropped.
The app's own CSV export (file names neutralised for spreadsheets) imports back.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from ..spreadsheet import FORMULA_STARTS
from ..store import Workspace, utc_now
from ..words import counted
from . import ImportRefused, encoders
from .registry import check_regular
from .weights import first_line

NAME_COLUMNS = ("file", "filename", "file_name", "name", "path", "image", "image_path")
VECTOR_COLUMNS = ("vector", "embedding", "embeddings", "features", "feature")
NOT_DIMENSIONS = ("label", "labels", "class", "classes", "category", "categories", "target", "targets",
                  "index", "idx", "id")  # a table's labels and row numbers, by name: never a dimension
UNNAMED = re.compile(r"unnamed: \d+")  # pandas' name for a column without a header (`to_csv` with its index)
FIRST = 5  # names a message lists
EXTRA_ROWS = 10_000  # rows a table may hold beyond its dataset's images (naming other images: reported)
MAX_TABLE_BYTES = 1000**3  # a Parquet table decoded (200,000 x 1,024 float32s is 0.8 GB)


def read_vectors(path: Path, image_names: list[str]) -> tuple[np.ndarray, list[str], dict | None]:
    """float32 (N, D) for the N `image_names` (dataset order) from `path`, the names of the
    file's rows that match no image, and for a table which columns made the vectors
    ({"names", "used", "left_out": {column: why}}; None for an .npy)."""
    suffix = path.suffix.lower()
    check_regular(path)
    if not path.stat().st_size:  # as an empty weights file is said (walk 23: "No data left in file")
        raise ImportRefused(f"{path.name}: the file is empty (0 bytes); give the saved vectors")
    if suffix == ".npy":
        vectors, unmatched, columns = _npy(path, len(image_names)), [], None
    elif suffix in (".parquet", ".csv"):
        vectors, unmatched, columns = _table(path, image_names)
    else:
        raise ImportRefused(f"{path.name}: unknown format {suffix or '(no extension)'}; give .npy, .parquet or .csv")
    if not vectors.shape[1]:
        raise ImportRefused(f"{path.name}: its vectors have no dimensions (shape {vectors.shape}); "
                            f"expected (N, D) with D of at least 1")
    return vectors, unmatched, columns


def _npy(path: Path, count: int) -> np.ndarray:
    try:
        vectors = np.load(path, allow_pickle=False)
    except Exception as exc:  # a damaged header fails in many ways (ValueError, EOFError, tokenize.TokenError, ...)
        if "pickle" in str(exc):  # numpy's own words would advise loading it "unsafely", which is never done here
            raise ImportRefused(f"{path.name}: not a plain numeric .npy array: it holds pickled Python objects, "
                                f"which are never loaded here (unpickling can run code); save one numeric (N, D) "
                                f"array with np.save") from None
        raise ImportRefused(f"{path.name}: not a plain numeric .npy array ({first_line(exc, 120)})") from None
    if isinstance(vectors, np.lib.npyio.NpzFile):
        vectors.close()
        raise ImportRefused(f"{path.name}: an .npz archive, not one array; save one (N, D) array with np.save")
    if vectors.dtype.kind not in "iuf":
        raise ImportRefused(f"{path.name}: holds {vectors.dtype} of shape {vectors.shape}; expected integer or "
                            f"floating-point numbers (N, D)")
    if vectors.ndim != 2:  # walk 16: "holds float32 of shape (120,); expected ... floating-point numbers"
        raise ImportRefused(f"{path.name}: a {vectors.ndim}-D array of shape {vectors.shape}; expected a 2-D array, "
                            f"one row of D numbers per image (N, D)")
    if len(vectors) != count:
        raise ImportRefused(f"{path.name}: {len(vectors)} rows for a dataset of {count} images; an .npy must "
                            f"hold one row per image in the dataset's order (or use a table with file names)")
    _refuse_non_finite(vectors, [f"row {i}" for i in range(len(vectors))], path.name)
    return vectors.astype(np.float32)


def _table(path: Path, image_names: list[str]) -> tuple[np.ndarray, list[str], dict]:
    most = max(2 * len(image_names), len(image_names) + EXTRA_ROWS)
    try:
        table = _read_table(path, most)
    except ImportRefused:  # a ValueError too: said as it is, not as a table that cannot be read
        raise
    except (ValueError, OSError, ImportError, pd.errors.ParserError) as exc:
        said = first_line(exc, 200).replace(str(path), path.name)  # not the server's temporary folder
        raise ImportRefused(f"{path.name}: cannot read it as a table ({said})") from None
    if len(table) > most:
        raise ImportRefused(f"{path.name}: more than {most:,} rows for a dataset of {len(image_names):,} images; "
                            "give one row per image")
    columns = {str(c).lower(): c for c in table.columns}
    name_column = next((columns[c] for c in NAME_COLUMNS if c in columns), None)
    if name_column is None:
        raise ImportRefused(f"{path.name}: no file-name column (one of {', '.join(NAME_COLUMNS)}); "
                            f"it has {', '.join(map(str, table.columns[:FIRST]))}")
    names = table[name_column].astype(str).tolist()
    listed = next((columns[c] for c in VECTOR_COLUMNS if c in columns and table[columns[c]].dtype == object), None)
    others = [c for c in table.columns if c not in (name_column, listed)]
    if listed is None:
        vectors, used, left_out = _dimension_columns(table, others, names, path.name)
    else:
        vectors, used = _list_column(table[listed], names, path.name), [listed]
        left_out = {str(c): f"the vectors are in column {listed!r}" for c in others}
    _refuse_non_finite(vectors, names, path.name)
    rows, unmatched = _match(names, image_names, path.name)
    report = {"names": str(name_column), "used": [str(c) for c in used], "left_out": left_out}
    return vectors[rows].astype(np.float32), unmatched, report


def _read_table(path: Path, most: int) -> pd.DataFrame:
    """The table at `path`, read no further than `most` + 1 rows (a CSV); a Parquet file is
    refused from its footer when it holds more rows, and while it is decoded batch by batch
    once its decoded size passes MAX_TABLE_BYTES (a footer counts a repeated string once: a
    24 KB file of one long name repeated 200,000 times took 480 MB to read)."""
    if path.suffix.lower() != ".parquet":
        return pd.read_csv(path, nrows=most + 1)
    import pyarrow as pa
    import pyarrow.parquet as pq

    file = pq.ParquetFile(path)
    if file.metadata.num_rows > most:
        raise ImportRefused(f"{path.name}: {file.metadata.num_rows:,} rows; at most {most:,} are read for a dataset "
                            "of this size: give one row per image")
    batches, decoded = [], 0
    for batch in file.iter_batches(batch_size=4096):
        decoded += batch.nbytes
        if decoded > MAX_TABLE_BYTES:
            raise ImportRefused(f"{path.name}: over {MAX_TABLE_BYTES / 1e6:,.0f} MB once decoded; file names this "
                                "long or vectors this wide are not read")
        batches.append(batch)
    return pa.Table.from_batches(batches, schema=file.schema_arrow).to_pandas()


def _dimension_columns(table: pd.DataFrame, others: list, names: list[str], file: str
                       ) -> tuple[np.ndarray, list, dict[str, str]]:
    """(R, D) floats from one column per dimension: the `others` (every column but the
    names) that `_left_out` keeps; with those columns and why each other one was left out."""
    left_out = {str(c): why for c in others if (why := _left_out(table[c], names, file))}
    used = [c for c in others if str(c) not in left_out]
    if not used:
        skipped = "; ".join(f"{c}: {why}" for c, why in left_out.items()) or "none"
        raise ImportRefused(f"{file}: no vector found: no column of numbers beside the file names (other columns: "
                            f"{skipped})")
    return table[used].apply(pd.to_numeric).to_numpy(dtype=np.float64), used, left_out


def _left_out(column: pd.Series, names: list[str], file: str) -> str | None:
    """Why `column` is no dimension (None: it is one): named like a label or an index, or
    not numbers. A column of numbers with a cell that is not one is refused, naming the row."""
    name = str(column.name).lower()
    if name in NOT_DIMENSIONS:
        return "named like a label or an index, not a dimension"
    if UNNAMED.fullmatch(name):
        return "an unnamed column: a row index the table was saved with"
    if column.isna().all():
        return "empty"
    if pd.api.types.is_numeric_dtype(column):
        return None
    if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
        return f"not numbers ({column.dtype})"
    try:
        numbers = pd.to_numeric(column, errors="coerce")
    except (TypeError, ValueError):
        return "not numbers (lists or other objects)"
    if numbers.isna().all():
        return "text, not numbers"
    _refuse_text_cells(column, numbers, names, file)
    return None


def _refuse_text_cells(column: pd.Series, numbers: pd.Series, names: list[str], file: str) -> None:
    """Refuse a column of numbers (`numbers`: its cells read as numbers, NaN where not) with
    cells that are not numbers: dropping the column would silently lose a dimension."""
    bad = np.flatnonzero(column.notna().to_numpy() & numbers.isna().to_numpy())
    if len(bad):
        first, cell = bad[0], str(column.iloc[bad[0]])[:40]
        more = f", and {counted(len(bad) - 1, 'more such cells')}" if len(bad) > 1 else ""
        raise ImportRefused(f"{file}: column {str(column.name)!r} holds numbers and also {cell!r} (row {first + 1}, "
                            f"{names[first]}), which is not a number{more}; every cell of a dimension must be a "
                            "number: correct it, or remove the column")


def _list_column(column: pd.Series, names: list[str], file: str) -> np.ndarray:
    """(R, D) floats from a column holding one list of numbers per row; a row without one,
    or with one of another length than the first row's, is refused by its row."""
    vectors = [_one_vector(cell, column.name, f"row {i + 1} ({names[i]})", file) for i, cell in enumerate(column)]
    width = len(vectors[0]) if vectors else 0
    odd = next((i for i, vector in enumerate(vectors) if len(vector) != width), None)
    if odd is not None:
        raise ImportRefused(f"{file}: column {column.name!r} holds {len(vectors[odd])} numbers in row {odd + 1} "
                            f"({names[odd]}) and {width} in row 1; every vector must have the same length")
    return np.stack(vectors) if vectors else np.zeros((0, 0))


def _one_vector(cell: object, column: str, where: str, file: str) -> np.ndarray:
    """A list cell as float64 (D,); `where` names its row in a refusal."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        raise ImportRefused(f"{file}: column {column!r} has no vector in {where}; every row needs one")
    try:
        vector = np.asarray(cell, dtype=np.float64)
    except (TypeError, ValueError):
        vector = None
    if vector is None or vector.ndim != 1:
        raise ImportRefused(f"{file}: column {column!r} in {where} is not one flat list of numbers (found "
                            f"{type(cell).__name__})")
    return vector


def _refuse_non_finite(vectors: np.ndarray, names: list[str], file: str) -> None:
    """Refuse vectors that are not finite as stored (float32: beyond about 3.4e38 is infinity)."""
    with np.errstate(over="ignore"):
        bad = np.flatnonzero(~np.isfinite(vectors.astype(np.float32)).all(axis=1))
    if len(bad):
        listed = ", ".join(names[i] for i in bad[:FIRST]) + (f" and {len(bad) - FIRST} more" if len(bad) > FIRST else "")
        raise ImportRefused(f"{file}: {counted(len(bad), 'vectors', ('holds', 'hold'))} NaN, "
                            "infinity or numbers beyond float32's range "
                            f"(about 3.4e38): {listed}")


def _match(names: list[str], image_names: list[str], file: str) -> tuple[np.ndarray, list[str]]:
    """For each image (dataset order) the row of the table naming it, by its full name or
    else by its base name when that is unique (a name an exported CSV neutralised is read
    back without its leading quote); and the rows naming no image."""
    by_name = {n: i for i, n in enumerate(image_names)}
    bases = pd.Series([Path(n).name for n in image_names])
    shared = bases.duplicated(keep=False).to_numpy()
    by_base = {b: i for i, b in enumerate(bases) if not shared[i]}
    row_of: dict[int, int] = {}
    unmatched, repeated = [], []
    for row, name in enumerate(names):
        key = name if name in by_name else _unneutralised(name)
        image = by_name.get(key, by_base.get(Path(key).name))
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
                            f"(first: {', '.join(missing[:FIRST])}); {counted(len(unmatched), 'rows')} "
                            "matched no image")
    return np.array([row_of[i] for i in range(len(image_names))]), unmatched


def _unneutralised(name: str) -> str:
    """`name` as it was before spreadsheet.neutralise wrote it into a CSV ("'=SUM(1).png" ->
    "=SUM(1).png": the app's own export), else `name` as it is."""
    quoted = name.startswith("'") and name[1:].startswith(FORMULA_STARTS)
    return name[1:] if quoted else name


def import_embeddings(ws: Workspace, dataset_name: str, name: str, path: Path) -> dict:
    """Import the vectors of `path` as embedding set `name` of dataset `dataset_name`;
    returns {"encoder", "matched", "unmatched" (names of rows naming no image), "shape",
    "columns" (a table's: {"names", "used", "left_out": {column: why}}; None for an .npy)}."""
    from .. import embed

    encoders.check_new_name(ws, name)
    dataset = ws.dataset(dataset_name)
    path = Path(path)
    vectors, unmatched, columns = read_vectors(path, [row["name"] for row in ws.image_rows(dataset)])
    config = {"encoder": name, "kind": "embeddings", "dataset": dataset.name, "dataset_id": dataset.id,
              "num_features": int(vectors.shape[1]), "source": path.name, "created": utc_now("microseconds")}
    encoders.write_folder(ws, name, config, lambda tmp: None)
    try:
        embed.store_features(ws, dataset, embed.from_imported(ws, name), vectors)
    except BaseException:
        shutil.rmtree(encoders.folder(ws, name), ignore_errors=True)  # nothing half-imported
        raise
    return {"encoder": name, "matched": int(len(vectors)), "unmatched": unmatched, "shape": list(vectors.shape),
            "columns": columns}
