"""The workspace: one folder holding everything the app knows.

Layout::

    <root>/ssl.db                   SQLite (WAL): datasets, images, rejections, import warnings, meta
    <root>/datasets/<id>/images.npy uint8 (N, S, S, 3), memory-mapped for training
    <root>/datasets/<id>/thumbs.npy uint8 (N, T, T, 3), thumbnails for the UI
    <root>/runs/<id>/checkpoint.*   a run's last checkpoint (safetensors + JSON)

Metadata lives in SQLite, arrays in files. Every file is written under a temporary
name, fsynced and renamed, so a crash never leaves a half-written file behind a real
name. A dataset folder appears under its final name only inside the same write
transaction that inserts its rows, so the folder and its rows come and go together.
Deleting or replacing a dataset never deletes a run: its runs keep their rows, metrics
and checkpoints, with the dataset's name kept and its reference set to NULL. What a
crash can still leave (a dead process's temporary file or folder, a folder whose rows
were deleted) is swept on opening or found and repaired by `doctor.py`.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .crashpoints import crash_point
from .words import agreeing, counted
from .data.trim import kept_shape, parse_trim

WORKSPACE_ENV = "SSL_WORKSPACE"
DEFAULT_WORKSPACE = "workspace"
BUSY_TIMEOUT_MS = 15_000
TMP_PREFIX = ".tmp-"

# Ordered schema migrations; the list index + 1 is the schema version they bring.
# Later features append a migration here (runs, jobs, metrics, artefacts).
MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE datasets(
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,          -- where the images came from, as the user gave it
        image_count INTEGER NOT NULL,
        size_px INTEGER NOT NULL,      -- side of the stored square images
        bytes INTEGER NOT NULL,        -- bytes on disk for the dataset's arrays
        has_labels INTEGER NOT NULL,
        created TEXT NOT NULL          -- ISO 8601, UTC
    );
    CREATE TABLE images(
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,          -- row in images.npy; the image's generated id
        name TEXT NOT NULL,            -- original file name, as text, never a path used
        width INTEGER NOT NULL,        -- original size, before resizing
        height INTEGER NOT NULL,
        label TEXT,                    -- optional; for judging and colouring only
        PRIMARY KEY(dataset_id, idx)
    );
    CREATE TABLE rejections(
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE INDEX rejections_by_dataset ON rejections(dataset_id);
    """,
    """
    CREATE TABLE runs(
        id TEXT PRIMARY KEY,
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        method TEXT NOT NULL,
        encoder TEXT NOT NULL,
        config TEXT NOT NULL,          -- TrainConfig as JSON
        status TEXT NOT NULL,          -- queued, running, completed, failed, cancelled, interrupted
        message TEXT,                  -- why it failed, or what to watch
        created TEXT NOT NULL,
        started TEXT,
        finished TEXT,
        step INTEGER NOT NULL DEFAULT 0,
        total_steps INTEGER,
        progress REAL NOT NULL DEFAULT 0,
        images_per_s REAL,
        eta_s REAL,
        loss REAL,
        checkpoint TEXT,               -- the last good .safetensors
        pid INTEGER,                   -- the worker process while running
        cancel_requested INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE metrics(
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        name TEXT NOT NULL,
        value REAL NOT NULL
    );
    CREATE INDEX metrics_by_run ON metrics(run_id, name, step);
    """,
    """
    ALTER TABLE runs ADD COLUMN name TEXT;   -- what people call the run; NULL: run_names.default_name
    ALTER TABLE runs ADD COLUMN notes TEXT;  -- the user's own words about it
    """,
    # A run outlives its dataset (until version 3 runs went with it, ON DELETE CASCADE).
    """
    CREATE TABLE runs_kept(
        id TEXT PRIMARY KEY,
        dataset_id TEXT REFERENCES datasets(id) ON DELETE SET NULL,  -- NULL once the dataset is gone
        dataset_name TEXT NOT NULL,    -- the dataset's name when the run was queued, kept after it goes
        classes INTEGER NOT NULL DEFAULT 0,  -- distinct labels of that dataset (the verdict's chance level)
        method TEXT NOT NULL,
        encoder TEXT NOT NULL,
        config TEXT NOT NULL,
        status TEXT NOT NULL,
        message TEXT,
        created TEXT NOT NULL,
        started TEXT,
        finished TEXT,
        step INTEGER NOT NULL DEFAULT 0,
        total_steps INTEGER,
        progress REAL NOT NULL DEFAULT 0,
        images_per_s REAL,
        eta_s REAL,
        loss REAL,
        checkpoint TEXT,
        pid INTEGER,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        name TEXT,
        notes TEXT
    );
    INSERT INTO runs_kept
        SELECT r.id, r.dataset_id, COALESCE(d.name, r.dataset_id),
               (SELECT COUNT(DISTINCT label) FROM images i WHERE i.dataset_id = r.dataset_id),
               r.method, r.encoder, r.config, r.status, r.message, r.created, r.started, r.finished,
               r.step, r.total_steps, r.progress, r.images_per_s, r.eta_s, r.loss, r.checkpoint, r.pid,
               r.cancel_requested, r.name, r.notes
        FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id;
    DROP TABLE runs;
    ALTER TABLE runs_kept RENAME TO runs;
    CREATE INDEX runs_by_dataset ON runs(dataset_id);
    """,
    # Text datasets (ssl_core/text): for kind 'text' texts.json holds the examples, an images
    # row is one example (width: its characters before truncation, height 1) and size_px is
    # the character cap an example was truncated to.
    """
    ALTER TABLE datasets ADD COLUMN kind TEXT NOT NULL DEFAULT 'image';  -- 'image' or 'text'
    """,
    # What an import said beside its rejections (lines skipped, labels not used, ...): until
    # version 8 gone with the page's import report (walk 13).
    """
    CREATE TABLE import_warnings(
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        said TEXT NOT NULL
    );
    CREATE INDEX import_warnings_by_dataset ON import_warnings(dataset_id);
    """,
    # How a picture became its stored square (decode.FITS): until version 9 always its centre
    # square, which cut off objects near a long side (walk 21: 32 of 610 wholly).
    """
    ALTER TABLE datasets ADD COLUMN fit TEXT NOT NULL DEFAULT 'crop';  -- 'crop': centre square; 'pad': whole, padded
    """,
    # Bands cut off each picture's edges before it was fitted (data/trim.py): before this
    # column none, so that a microscope's info banner stayed in every picture (walk 45).
    """
    ALTER TABLE datasets ADD COLUMN trim TEXT NOT NULL DEFAULT '';  -- percent of top,right,bottom,left; '' none
    """,
    # How pictures of more than 8 bits per sample became 8 (decode.DEPTHS): before this column by
    # their type's range, which stored 16-bit sky frames nearly black (walk 49).
    """
    ALTER TABLE datasets ADD COLUMN depth TEXT NOT NULL DEFAULT 'range';  -- 'stretch': own percentiles; 'range'
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = ("meta", "datasets", "images", "rejections", "import_warnings", "runs", "metrics")  # what a workspace's ssl.db holds
ACTIVE_RUN_STATUSES = ("queued", "running")  # a dataset is in use while a run on it has one of these


@dataclass(frozen=True)
class DatasetInfo:
    """One row of the datasets table."""

    id: str
    name: str
    source: str
    image_count: int
    size_px: int
    bytes: int
    has_labels: bool
    created: str
    kind: str = "image"  # what one item is: 'image' (images.npy) or 'text' (texts.json)
    fit: str = "crop"  # how a picture became its stored square (decode.FITS): its centre square, or whole and padded
    trim: str = ""  # the bands cut off its edges before (trim.trim_text: '0,0,10,0' percent of top,right,bottom,left)
    depth: str = "range"  # how pictures of more than 8 bits per sample became 8 (decode.DEPTHS); the column's default


class WorkspaceError(Exception):
    """A workspace operation that cannot be done; the message says why."""


def default_workspace_path() -> Path:
    """`$SSL_WORKSPACE` when set, else `./workspace`."""
    return Path(os.environ.get(WORKSPACE_ENV) or DEFAULT_WORKSPACE)


def name_taken(name: str) -> str:
    """The message for a dataset name already in use."""
    return (f"a dataset named {name!r} already exists; choose another name or replace it (the Data page's "
            f"'Replace same name', or --replace on the command line)")


def utc_now(timespec: str = "seconds") -> str:
    """Now in UTC, ISO 8601 to `timespec` ("microseconds" where the stamp orders things made
    within one second)."""
    return datetime.now(timezone.utc).isoformat(timespec=timespec)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """A temporary sibling of `path` to write; on success it is fsynced and renamed onto
    `path` (then the folder is fsynced), on failure removed. Readers never see a half file."""
    tmp = path.with_name(f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex}-{path.name}")
    try:
        yield tmp
        fsync_file(tmp)
        crash_point(f"write:{path.name}")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
    remove_dead_temporaries(path)


def temporary_owner(name: str) -> int | None:
    """The process id in a temporary name (`.tmp-<pid>-...`), or None for other names."""
    if not name.startswith(TMP_PREFIX):
        return None
    pid = name[len(TMP_PREFIX) :].split("-", 1)[0]
    return int(pid) if pid.isdigit() else None


def is_dead_temporary(name: str) -> bool:
    """Whether `name` is a temporary file or folder whose writing process is gone."""
    pid = temporary_owner(name)
    return pid is not None and not _pid_alive(pid)


def remove_dead_temporaries(path: Path) -> None:
    """Remove temporaries of `path` that killed processes left beside it (a SIGKILL skips
    atomic_file's clean-up), so writing a file again also clears what a crash left of it."""
    for sibling in path.parent.iterdir():
        if sibling.name.endswith(f"-{path.name}") and is_dead_temporary(sibling.name):
            sibling.unlink(missing_ok=True)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (see atomic_file)."""
    with atomic_file(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_json(path: Path, obj: object) -> None:
    atomic_write_bytes(path, json.dumps(obj, indent=2, sort_keys=True).encode())


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _pid_alive(pid: int) -> bool:
    """Whether process `pid` runs. A zombie (dead, not yet reaped by its parent, e.g. a
    worker the app started) counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: trust the signal check
    return state not in ("Z", "X")


def run_is_active(status: str, pid: int | None) -> bool:
    """Whether a run row with `status` and `pid` holds its dataset: queued, or running in a
    process that is alive. A 'running' row whose process died (SIGKILL, Ctrl-C, a crash)
    holds nothing: jobs.reconcile marks it interrupted when runs are next listed."""
    if status == "running":
        return pid is not None and _pid_alive(pid)
    return status in ACTIVE_RUN_STATUSES


class Workspace:
    """Handle on a workspace folder. Cheap to create; safe across threads and processes
    (each operation opens its own SQLite connection, except reads inside `shared_reads`,
    which share one per thread)."""

    def __init__(self, root: str | os.PathLike[str] | None = None, sweep: bool = True) -> None:
        """Open (creating or migrating) the workspace at `root`; `sweep=False` leaves the
        leftovers of crashes where they are (doctor.py reports them first). A root that is
        not a folder, or an ssl.db that is damaged or another program's, fails with one
        WorkspaceError naming it."""
        self.root = Path(root) if root is not None else default_workspace_path()
        self.root = self.root.expanduser().resolve()
        self._shared = threading.local()  # the connection of `shared_reads`, per thread
        try:
            self.datasets_dir.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise WorkspaceError(f"{self.root} is not a folder: a workspace is a folder "
                                 "(choose another --workspace)") from None
        except OSError as exc:
            raise WorkspaceError(f"{self.root}: cannot use it as a workspace ({exc.strerror or exc})") from None
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if not all(os.access(path, os.W_OK) for path in (self.root, self.db_path) if path.exists()):
                raise WorkspaceError(f"{self.root} is read-only here ({exc}): SSL Lens keeps its database, runs and "
                                     "caches in the workspace, so it needs one it may write to (copy this one, or "
                                     "choose another --workspace)") from None
            raise WorkspaceError(f"{self.db_path} is damaged or not an SSL Lens database ({exc}); "
                                 "move it away to start a new workspace there") from None
        if sweep:
            self.sweep()

    @property
    def db_path(self) -> Path:
        return self.root / "ssl.db"

    @property
    def datasets_dir(self) -> Path:
        return self.root / "datasets"

    # -- SQLite -------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reading (autocommit): this thread's shared one inside
        `shared_reads`, else a new one."""
        shared = getattr(self._shared, "conn", None)
        if shared is not None:
            yield shared
            return
        conn = self._open()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def shared_reads(self) -> Iterator[None]:
        """Within it, this thread's `read`s share one connection (autocommit, so each
        statement still sees every committed write): a page's rerun makes tens of reads,
        and opening a connection for each was a fifth of the Train page's server CPU."""
        if getattr(self._shared, "conn", None) is not None:
            yield
            return
        self._shared.conn = self._open()
        try:
            yield
        finally:
            self._shared.conn.close()
            self._shared.conn = None

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken at once (BEGIN IMMEDIATE); commits on success,
        rolls back on any exception."""
        conn = self._open()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _migrate(self) -> None:
        """Bring ssl.db to SCHEMA_VERSION. Foreign keys are off meanwhile: a migration that
        rebuilds a table drops the old one, which with them on would delete the rows that
        reference it (ON DELETE CASCADE); the result is checked before it is committed."""
        conn = self._open()
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._check_ours(conn)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                    for statement in _statements(script):
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {number}")
                dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    raise WorkspaceError(f"{self.db_path}: {counted(len(dangling), 'rows')} of {dangling[0][0]} "
                                         f"{agreeing(len(dangling), 'refers', 'refer')} to rows that do not exist: "
                                         "the database is damaged")
                missing = set(TABLES) - set(_tables(conn))
                if missing:
                    raise WorkspaceError(f"{self.db_path} is damaged: it has no table {sorted(missing)[0]}")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _check_ours(self, conn: sqlite3.Connection) -> None:
        """Refuse an ssl.db that a newer app wrote, or that another program made (no schema
        version, yet tables), before anything is written into it."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise WorkspaceError(f"{self.db_path} has schema version {version}, newer than this app's "
                                 f"{SCHEMA_VERSION}; update the app")
        tables = _tables(conn)
        if version == 0 and tables:
            raise WorkspaceError(f"{self.db_path} is not an SSL Lens database (it holds tables "
                                 f"{', '.join(sorted(tables)[:3])}); choose another --workspace")

    def schema_version(self) -> int:
        with self.read() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    # -- key/value meta -----------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self.read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as conn:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    @contextmanager
    def lock(self, name: str, wait: bool = True) -> Iterator[bool]:
        """Hold the lock file `locks/<name>.lock` across processes. Yields False when `wait`
        is false and another process holds it. The OS frees it if the holder dies."""
        locks = self.root / "locks"
        locks.mkdir(exist_ok=True)
        with open(locks / f"{name}.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- housekeeping ---------------------------------------------------------------
    def new_temp_dir(self) -> Path:
        """A private folder for building a dataset; removed by `sweep` if its process dies."""
        path = self.datasets_dir / f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex}"
        path.mkdir()
        return path

    def sweep(self) -> None:
        """Remove what a crashed import or delete left behind: temporary folders of dead
        processes and dataset folders that have no row. Holds the write lock, so it never
        races an import that is moving its folder into place."""
        with self.write() as conn:
            for child in self.stray_dataset_folders(conn):
                shutil.rmtree(child, ignore_errors=True)

    def stray_dataset_folders(self, conn: sqlite3.Connection) -> list[Path]:
        """Folders under datasets/ that `sweep` removes: a dead process's temporary folder,
        or a folder with no dataset row (a crash between a delete's commit and its rmtree)."""
        known = {row[0] for row in conn.execute("SELECT id FROM datasets")}
        stray = []
        for child in sorted(self.datasets_dir.iterdir()):
            if temporary_owner(child.name) is not None:
                if is_dead_temporary(child.name):
                    stray.append(child)
            elif child.name not in known:
                stray.append(child)
        return stray

    # -- datasets -------------------------------------------------------------------
    def datasets(self) -> list[DatasetInfo]:
        with self.read() as conn:
            rows = conn.execute("SELECT * FROM datasets ORDER BY created, rowid").fetchall()
        return [_dataset_info(row) for row in rows]

    def dataset(self, name: str) -> DatasetInfo:
        """The dataset called `name`; unknown names fail with the list of known ones."""
        with self.read() as conn:
            row = conn.execute("SELECT * FROM datasets WHERE name = ?", (name,)).fetchone()
        if row is None:
            known = ", ".join(d.name for d in self.datasets()) or "none yet"
            raise WorkspaceError(f"no dataset named {name!r}; known datasets: {known}")
        return _dataset_info(row)

    def dataset_dir(self, info: DatasetInfo) -> Path:
        return self.datasets_dir / info.id

    def images(self, info: DatasetInfo) -> np.ndarray:
        """The dataset's images, uint8 (N, S, S, 3), memory-mapped read-only."""
        _needs_images(info)
        return _mapped(self.dataset_dir(info) / "images.npy", info)

    def thumbnails(self, info: DatasetInfo) -> np.ndarray:
        """Thumbnails for the UI, uint8 (N, T, T, 3), memory-mapped read-only."""
        _needs_images(info)
        return _mapped(self.dataset_dir(info) / "thumbs.npy", info)

    def image_rows(self, info: DatasetInfo, offset: int = 0, limit: int = -1) -> list[sqlite3.Row]:
        """Rows (idx, name, width, height, label) ordered by idx."""
        with self.read() as conn:
            return conn.execute(
                "SELECT idx, name, width, height, label FROM images WHERE dataset_id = ? "
                "ORDER BY idx LIMIT ? OFFSET ?",
                (info.id, limit, offset),
            ).fetchall()

    def labels(self, info: DatasetInfo) -> list[str | None]:
        """Label of every image in row order (None where unlabelled)."""
        return [row["label"] for row in self.image_rows(info)]

    def label_counts(self, info: DatasetInfo) -> dict[str, int]:
        with self.read() as conn:
            rows = conn.execute(
                "SELECT label, COUNT(*) FROM images WHERE dataset_id = ? AND label IS NOT NULL "
                "GROUP BY label ORDER BY label",
                (info.id,),
            ).fetchall()
        return {row[0]: row[1] for row in rows}

    def same_items(self, info: DatasetInfo, other: DatasetInfo) -> bool:
        """Whether two datasets hold items of the same names (the same folder imported again,
        e.g. with labels) or images of the same stored pixels, in any order under any names
        (walk 34: a renamed flat copy with a CSV): what a run trained on one has seen of the other."""
        if (info.kind, info.image_count) != (other.kind, other.image_count):
            return False
        query = "SELECT name FROM images WHERE dataset_id = ? ORDER BY name"
        with self.read() as conn:
            if conn.execute(query, (info.id,)).fetchall() == conn.execute(query, (other.id,)).fetchall():
                return True
        return (info.kind == "image" and info.size_px == other.size_px
                and np.array_equal(np.sort(_pixel_digests(self.dataset_dir(info), info)),
                                   np.sort(_pixel_digests(self.dataset_dir(other), other))))

    def copied(self, info: DatasetInfo, labelled: bool = False) -> int:
        """How many of image dataset `info`'s images share their stored pixels with another of them (0 for text);
        where `labelled`, of its labelled images with another labelled one (what a kNN vote over labels reads:
        walk 39's 3 copies each had one labelled side, and Evaluate said its kNN scored higher for them)."""
        if info.kind != "image":
            return 0
        digests = _pixel_digests(self.dataset_dir(info), info)
        if labelled:
            digests = digests[np.array([label is not None for label in self.labels(info)], dtype=bool)]
        digests = np.sort(digests)  # copies stand side by side
        same = digests[1:] == digests[:-1]
        return int(np.count_nonzero(np.r_[same, False] | np.r_[False, same]))

    def kept_shapes(self, info: DatasetInfo) -> list[tuple[int, int]]:
        """(width, height) of each picture of `info` as imported, once its trim's bands were cut off
        (data/trim.py): what became its stored square."""
        trim = parse_trim(info.trim)
        with self.read() as conn:
            rows = conn.execute("SELECT width, height FROM images WHERE dataset_id = ? ORDER BY idx", (info.id,))
            return [kept_shape(width, height, trim) for width, height in rows]

    def centre_square_cuts(self, info: DatasetInfo) -> tuple[int, float, float]:
        """What storing centre squares cut from the pictures of `info` as imported and trimmed
        (kept_shapes): (how many are not square, the mean share of such a picture cut away, the
        largest share); (0, 0, 0) where all are square (walk 31: a timestamp in a corner cut from 108
        of 124 pictures, unsaid)."""
        cuts = [1 - min(shape) / max(shape) for shape in self.kept_shapes(info) if shape[0] != shape[1]]
        return len(cuts), (sum(cuts) / len(cuts) if cuts else 0.0), max(cuts, default=0.0)

    def rejections(self, info: DatasetInfo) -> list[dict[str, str]]:
        with self.read() as conn:
            rows = conn.execute(
                "SELECT name, reason FROM rejections WHERE dataset_id = ? ORDER BY rowid", (info.id,)
            ).fetchall()
        return [{"file": row[0], "reason": row[1]} for row in rows]

    def import_warnings(self, info: DatasetInfo) -> list[str]:
        """What the import of `info` warned of, in its words, in order."""
        with self.read() as conn:
            rows = conn.execute("SELECT said FROM import_warnings WHERE dataset_id = ? ORDER BY rowid",
                                (info.id,)).fetchall()
        return [row[0] for row in rows]

    def publish_dataset(
        self,
        built_dir: Path,
        *,
        name: str,
        source: str,
        size_px: int,
        images: list[tuple[str, int, int, str | None]],
        rejected: list[tuple[str, str]],
        warnings: Sequence[str] = (),
        replace: bool = False,
        kind: str = "image",
        fit: str = "crop",
        trim: str = "",
        depth: str = "range",
    ) -> DatasetInfo:
        """Move a fully written dataset folder into place and insert its rows, atomically.

        `images` holds (name, width, height, label) per row of the folder's arrays; `warnings`
        what the import said beside its `rejected` (file, reason) pairs.
        With `replace`, a dataset of the same name is removed in the same transaction (its
        runs stay, see `delete_dataset`); without it, an existing name is an error and
        nothing changes.
        """
        crash_point("import:publish")
        dataset_id = "ds-" + uuid.uuid4().hex[:12]
        size_bytes = sum(p.stat().st_size for p in built_dir.iterdir())
        info = DatasetInfo(
            id=dataset_id,
            name=name,
            source=source,
            image_count=len(images),
            size_px=size_px,
            bytes=size_bytes,
            has_labels=any(label is not None for *_, label in images),
            created=utc_now(),
            kind=kind,
            fit=fit,
            trim=trim,
            depth=depth,
        )
        with self.write() as conn:
            old = conn.execute("SELECT id FROM datasets WHERE name = ?", (name,)).fetchone()
            if old is not None and not replace:
                raise WorkspaceError(name_taken(name))
            if old is not None:
                _release_runs(conn, old[0], name)
                conn.execute("DELETE FROM datasets WHERE id = ?", (old[0],))
            conn.execute(
                "INSERT INTO datasets(id, name, source, image_count, size_px, bytes, has_labels, created, kind, fit, "
                "trim, depth) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (info.id, info.name, info.source, info.image_count, info.size_px, info.bytes,
                 int(info.has_labels), info.created, info.kind, info.fit, info.trim, info.depth),
            )
            conn.executemany(
                "INSERT INTO images VALUES (?, ?, ?, ?, ?, ?)",
                ((dataset_id, idx, *row) for idx, row in enumerate(images)),
            )
            conn.executemany(
                "INSERT INTO rejections VALUES (?, ?, ?)",
                ((dataset_id, file, reason) for file, reason in rejected),
            )
            conn.executemany("INSERT INTO import_warnings VALUES (?, ?)", ((dataset_id, said) for said in warnings))
            final_dir = self.datasets_dir / dataset_id
            os.rename(built_dir, final_dir)
            fsync_dir(self.datasets_dir)
            crash_point("import:renamed")
        if old is not None:
            crash_point("replace:committed")
            self._remove_files(old[0])
        return info

    def describe_run(self, run_id: str, name: str | None, notes: str | None) -> None:
        """Set a run's name (None or blank: its default name again) and notes."""
        with self.write() as conn:
            found = conn.execute("UPDATE runs SET name = ?, notes = ? WHERE id = ?",
                                 ((name or "").strip() or None, (notes or "").strip() or None, run_id)).rowcount
        if not found:
            raise WorkspaceError(f"no run {run_id!r}")

    def runs_of(self, name: str) -> list[dict[str, str | None]]:
        """The runs trained on dataset `name`, oldest first, as {"run", "name", "method",
        "status", "checkpoint" (whether it wrote one)}: what deleting or replacing it would
        leave without their dataset."""
        info = self.dataset(name)
        with self.read() as conn:
            rows = conn.execute("SELECT id, name, method, status, checkpoint FROM runs WHERE dataset_id = ? "
                                "ORDER BY created, rowid", (info.id,)).fetchall()
        return [{"run": row["id"], "name": row["name"], "method": row["method"], "status": row["status"],
                 "checkpoint": bool(row["checkpoint"])} for row in rows]

    def delete_dataset(self, name: str) -> list[str]:
        """Remove a dataset's rows and files; other datasets are untouched. Its runs stay,
        with their metrics and checkpoints (exportable, or evaluated on another dataset),
        their dataset's name kept; returns their ids. Refused while a run on it is queued
        or running."""
        info = self.dataset(name)
        with self.write() as conn:
            kept = _release_runs(conn, info.id, name)
            conn.execute("DELETE FROM datasets WHERE id = ?", (info.id,))
        crash_point("delete:committed")
        self._remove_files(info.id)
        return kept

    def _remove_files(self, dataset_id: str) -> None:
        """After its rows are deleted: the imported embedding sets of dataset `dataset_id`
        (their vectors are rows of its images), then its folder. A crash before the sets
        go, or one that cannot be read, leaves them naming a deleted dataset, which doctor
        --repair removes; the dataset's folder goes in any case."""
        from .imports.removal import remove_embedding_sets  # the imports read the workspace through this module

        try:
            remove_embedding_sets(self, dataset_id)
        except (OSError, ValueError, KeyError):  # a damaged or vanishing import: doctor finds what is left
            pass
        finally:
            shutil.rmtree(self.datasets_dir / dataset_id, ignore_errors=True)


def _release_runs(conn: sqlite3.Connection, dataset_id: str, name: str) -> list[str]:
    """The ids of the runs on dataset `dataset_id`, about to lose it in this transaction
    (ON DELETE SET NULL); a WorkspaceError if one of them is still queued or running (in a
    live process: `run_is_active`)."""
    rows = conn.execute("SELECT id, status, pid FROM runs WHERE dataset_id = ? ORDER BY created, rowid",
                        (dataset_id,)).fetchall()
    for row in rows:
        if run_is_active(row["status"], row["pid"]):
            raise WorkspaceError(f"dataset {name!r} is in use: run {row['id']} is {row['status']} on it; "
                                 "cancel it or let it finish first")
    return [row["id"] for row in rows]


@functools.lru_cache(maxsize=32)
def _pixel_digests(folder: Path, info: DatasetInfo) -> np.ndarray:
    """8-byte digests (N,) uint64 of dataset `info`'s stored images (in its `folder`), in row order,
    one per image, kept per dataset (a replaced one has a new id and folder): about 1 s per GB of
    images, read once."""
    images = _mapped(folder / "images.npy", info)
    return np.fromiter((int.from_bytes(hashlib.blake2b(image.tobytes(), digest_size=8).digest(), "little")
                        for image in images), dtype=np.uint64, count=len(images))


def _mapped(path: Path, info: DatasetInfo) -> np.ndarray:
    """The array file `path` of dataset `info`, memory-mapped read-only; a damaged one (cut
    short, not an array) is a WorkspaceError naming the dataset and the file."""
    try:
        return np.load(path, mmap_mode="r")
    except ValueError as exc:
        raise WorkspaceError(f"dataset {info.name!r}: its {path.name} cannot be read ({exc}); `doctor` checks "
                             "the workspace") from None


def _needs_images(info: DatasetInfo) -> None:
    """A WorkspaceError naming the dataset when it holds no images (a text dataset)."""
    if info.kind != "image":
        raise WorkspaceError(f"dataset {info.name!r} holds {info.kind}, not images: this step works on "
                             "images only for now")


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of `script`, split where sqlite says a statement is complete
    (so a ';' inside a comment or a string does not split)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""
    if buffer.strip():
        raise WorkspaceError(f"incomplete SQL in a migration: {buffer.strip()[:60]}")


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def _dataset_info(row: sqlite3.Row) -> DatasetInfo:
    return DatasetInfo(
        id=row["id"],
        name=row["name"],
        source=row["source"],
        image_count=row["image_count"],
        size_px=row["size_px"],
        bytes=row["bytes"],
        has_labels=bool(row["has_labels"]),
        created=row["created"],
        kind=row["kind"],
        fit=row["fit"],
        trim=row["trim"],
        depth=row["depth"],
    )
