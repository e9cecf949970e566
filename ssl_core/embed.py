"""Features for every image of a dataset, from a run's checkpoint or an untrained encoder.

The first step of the analysis pipeline (embed -> project -> index -> evaluate). An
embedding is cached in the dataset's folder::

    datasets/<dataset id>/embeddings/<source key>/features.npy   float32 (N, D)
    datasets/<dataset id>/embeddings/<source key>/embedding.json  what it was made from

and reused while the dataset and the checkpoint are the ones it was made from (the
JSON's fingerprint); later steps (FAISS index, 2-D maps) write beside it, so everything
derived from a dataset goes when the dataset goes, and goes stale with its embedding.

The untrained encoder (same architecture, seeded initial weights) is the baseline every
trained one is compared against; a run whose encoder was built at another size than
its defaults (a checkpoint's `encoder_options`, e.g. 2 layers) carries that `shape`, and
its twin is built at the same size. An encoder or embedding set imported from elsewhere
(ssl_core.imports) is one more source, `imported=<name>`; an imported architecture's twin
is that architecture with seeded random weights.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np
import torch

from . import checkpoint, jobs
from .imports import registry
from .inference import for_inference
from .kinds import KINDS, encoders_of
from .models import ENCODERS, build_encoder, checkpoint_options
from .models.calibration import batches, calibrate, calibration_rows, norms_of
from .store import DatasetInfo, Workspace, WorkspaceError, atomic_file, atomic_write_json

EMBEDDINGS = "embeddings"
FEATURES = "features.npy"
META = "embedding.json"
UNTRAINED_SEED = 0  # the untrained baseline's initial weights
BATCH_SIZE = 256

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class EncoderSource:
    """Where the encoder comes from: a run's checkpoint, an import, or a fresh seeded encoder."""

    encoder: str  # name in ENCODERS, an imported architecture ("timm:resnet50"), or EMBEDDING_SET
    image_size: int  # side the images are resized to before the encoder (0 for an embedding set)
    run_id: str | None = None  # None: the untrained encoder (or an import)
    imported: str | None = None  # name of an imported encoder or embedding set (ssl_core.imports)
    shape: tuple[tuple[str, Any], ...] = ()  # encoder options unlike its defaults (a run's size), sorted

    @property
    def key(self) -> str:
        """Folder name of this source's artefacts under a dataset."""
        if self.imported:
            return registry.source_key(self.imported)
        return self.run_id or f"untrained-{self.encoder}-{self.image_size}" + "".join(f"-{k}{v}" for k, v in self.shape)

    @property
    def has_network(self) -> bool:
        """False for an imported embedding set: vectors of its dataset's images, no network
        to embed other images or views with."""
        return self.encoder != EMBEDDING_SET

    @property
    def label(self) -> str:
        """A short name for people: the run id, the import's name, or 'untrained small_cnn'."""
        shape = f" ({', '.join(f'{k} {v}' for k, v in self.shape)})" if self.shape else ""
        return self.run_id or self.imported or f"untrained {self.encoder}{shape}"


EMBEDDING_SET = "embeddings"  # the `encoder` of an imported embedding set: vectors, no network


def untrained(encoder: str = "small_cnn", image_size: int = 32, shape: tuple[tuple[str, Any], ...] = ()
              ) -> EncoderSource:
    """The seeded untrained `encoder` (a name in ENCODERS or an imported architecture), at
    its default size or at `shape` (options unlike the defaults, as `shape_of` gives them)."""
    from .imports.architectures import is_architecture

    if encoder not in ENCODERS and not is_architecture(encoder):
        raise KeyError(f"no encoder {encoder!r}; choose one of: {', '.join(ENCODERS)}, or timm:NAME, torchvision:NAME")
    return EncoderSource(encoder, int(image_size), shape=shape)


@cache
def _default_options(encoder: str, image_size: int) -> dict[str, Any]:
    with torch.random.fork_rng(devices=[]):  # building draws initial weights: the caller's seed stays
        return build_encoder(encoder, image_size).options()


def shape_of(encoder: str, image_size: int, options: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The (name, value) pairs of a checkpoint's encoder `options` that differ from the
    encoder's defaults, sorted; () for an encoder at its default size."""
    if not options or encoder not in ENCODERS:
        return ()
    defaults = _default_options(encoder, image_size)
    return tuple(sorted((k, v) for k, v in options.items() if defaults.get(k) != v))


def from_imported(ws: Workspace, name: str) -> EncoderSource:
    """The imported encoder or embedding set `name` (ssl_core.imports)."""
    from .imports import encoders

    config = encoders.read_config(ws, name)
    if config["kind"] == "embeddings":
        return EncoderSource(EMBEDDING_SET, 0, imported=name)
    return EncoderSource(config["arch"], int(config["image_size"]), imported=name)


def from_name(ws: Workspace, name: str) -> EncoderSource:
    """What `--run NAME` means: an imported encoder or embedding set of that name, else the run."""
    from .imports import encoders

    return from_imported(ws, name) if encoders.exists(ws, name) else from_run(ws, name)


def from_run(ws: Workspace, run: str | dict) -> EncoderSource:
    """The encoder of a run (its id, or its row from jobs.list_runs when the caller has it),
    as its last checkpoint has it."""
    row = jobs.get_run(ws, run) if isinstance(run, str) else run
    meta = checkpoint.read_meta(jobs.run_dir(ws, row["id"]))
    if meta is None:
        if row["status"] in ("queued", "running", "interrupted"):
            raise WorkspaceError(f"run {row['id']!r} has no checkpoint yet; wait for its first one")
        raise WorkspaceError(f"run {row['id']!r} {row['status']} before its first checkpoint, so it has no "
                             f"encoder to use" + (f" ({row['message']})" if row["message"] else ""))
    size = int(meta["image_size"])  # its views' side; whole images are read at checkpoint.embed_size
    return EncoderSource(row["encoder"], checkpoint.embed_size(meta), row["id"],
                         shape=shape_of(row["encoder"], size, checkpoint_options(row["encoder"], meta)))


def untrained_for(dataset: DatasetInfo, encoder: str) -> EncoderSource:
    """The untrained `encoder` that pages and `--untrained` offer on `dataset`, reading whole
    images at the side a run of the Train page's default method would (engine.embed_side: 48
    px for the small CNN on images stored at 48 px or more, FixRes), so that it is that run's
    untrained twin (walk 12: one Evaluate page showed 44.5% for the untrained small CNN offered
    at 32 px and 40.5% for the default run's twin at 48, both "the untrained network")."""
    from .engine import TrainConfig, embed_side
    from .kinds import methods_for
    from .methods import METHODS

    recipe = METHODS[methods_for(dataset.kind)[0]].default_recipe
    return untrained(encoder, embed_side(encoder, recipe, TrainConfig.image_size, dataset.size_px))


def baseline_of(source: EncoderSource) -> EncoderSource:
    """The untrained twin of `source`: same encoder, image side and size, no training. An
    embedding set has no network, hence no twin: it is its own."""
    if not source.has_network:
        return source
    return untrained(source.encoder, source.image_size, source.shape)


def source_kind(source: EncoderSource) -> str | None:
    """The kind of dataset `source`'s encoder reads (store.DatasetInfo.kind): its ENCODERS
    entry's, 'image' for an imported architecture (timm, torchvision); None for an
    embedding set, which has no network (its vectors are of its own dataset)."""
    if not source.has_network:
        return None
    return ENCODERS[source.encoder].kind if source.encoder in ENCODERS else "image"


def check_kind(dataset: DatasetInfo, source: EncoderSource) -> None:
    """Refuse to embed `dataset` with a source whose encoder reads another kind of data (an
    image CNN would read a text dataset's token ids (N, L) as one picture)."""
    kind = source_kind(source)
    if kind is not None and kind != dataset.kind:
        raise ValueError(f"{source.label}: encoder {source.encoder!r} reads {kind} datasets and {dataset.name!r} "
                         f"is a {dataset.kind} dataset; embed it with an encoder of {dataset.kind}: "
                         f"{', '.join(encoders_of(dataset.kind))} (untrained, or a run of one)")


def load_encoder(ws: Workspace, source: EncoderSource, dataset: DatasetInfo | None = None) -> torch.nn.Module:
    """A module mapping views (N, 3, s, s) in [0, 1] to features (N, D), in eval mode. An
    untrained network with BatchNorm layers has their statistics estimated on `dataset`, the
    one it reads (models/calibration.py; the same seeded rows every time, so a query read
    later meets the statistics its dataset's embedding was made with)."""
    from .imports import encoders

    if source.imported is not None:
        return encoders.load(ws, source.imported)
    if source.run_id is None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(UNTRAINED_SEED)
            encoder = (build_encoder(source.encoder, source.image_size, **dict(source.shape))
                       if source.encoder in ENCODERS
                       else encoders.untrained(source.encoder, source.image_size))
        return calibrated(ws, encoder.eval(), source, dataset)
    method, _ = checkpoint.load_trained(jobs.run_dir(ws, source.run_id))
    return method.encoder.eval()


def calibrated(ws: Workspace, encoder: torch.nn.Module, source: EncoderSource,
               dataset: DatasetInfo | None) -> torch.nn.Module:
    """`encoder` (of `source`) with its BatchNorm statistics estimated on `dataset`'s seeded
    calibration rows (models/calibration.py), as an untrained twin's are; one without BatchNorm
    as it is."""
    if not norms_of(encoder):
        return encoder
    if dataset is None:
        raise ValueError(f"{source.label} has BatchNorm statistics to estimate: name the dataset it reads")
    items = KINDS[dataset.kind].embedding_items(ws, dataset, source)
    read = KINDS[dataset.kind].model_input
    rows = calibration_rows(len(items))
    return calibrate(encoder, batches(items, rows, lambda batch: read(batch, source.image_size)))


def fingerprint(ws: Workspace, dataset: DatasetInfo, source: EncoderSource) -> dict:
    """What an embedding was made from, in the form META stores it (JSON: tuples become lists,
    and a tuple never equals a list); a cached one is reused only if this matches."""
    from .imports import encoders

    fields = asdict(source)
    for name in ("imported", "shape"):  # the fingerprints written before these existed stay valid
        if not fields[name]:
            del fields[name]
    out = {"dataset_id": dataset.id, "image_count": dataset.image_count, **fields}
    if source.run_id is None and source.imported is None and source.encoder in ENCODERS:
        # an untrained twin: its whole shape, so that one cached before a default changed (the
        # small CNN pooled by mean until GeM) is made again, not taken for today's
        options = _default_options(source.encoder, source.image_size) | dict(source.shape)
        if options:
            out["options"] = options
    if source.run_id is None and source.imported is None and source_kind(source) == "image":
        out["batchnorm"] = "calibrated"  # one made before the twin's statistics were estimated is made again
    if source.imported is not None:
        out["imported_created"] = encoders.read_config(ws, source.imported)["created"]
    if source.run_id is not None:
        meta = checkpoint.read_meta(jobs.run_dir(ws, source.run_id)) or {}
        weights = jobs.run_dir(ws, source.run_id) / checkpoint.WEIGHTS
        stat = weights.stat() if weights.exists() else None
        out["checkpoint"] = {"step": meta.get("step"), "mtime_ns": stat.st_mtime_ns if stat else None,
                             "bytes": stat.st_size if stat else None}
    return json.loads(json.dumps(out))


@torch.no_grad()
def compute_features(encoder: torch.nn.Module, images: np.ndarray, image_size: int,
                     batch_size: int = BATCH_SIZE, device: torch.device | str = "cpu",
                     progress: Progress | None = None, kind: str = "image") -> np.ndarray:
    """uint8 images (N, S, S, 3) -> float32 features (N, D), in batches on `device`,
    each batch resized to `image_size` as the trainer's monitor does (ops.to_float_side),
    through a CNN traced for inference on a CPU when there are many (inference.py);
    for `kind` 'text', token ids (N, L) go in as they are (kinds.py).
    Only one batch of `images` (which may be memory-mapped) is read at a time, and each
    batch's features go straight into the one (N, D) result; an encoder giving another number
    of rows than a batch has items (one of another kind) raises ValueError."""
    encoder = encoder.to(device)
    out = np.zeros((0, 0), np.float32)
    for start in range(0, len(images), batch_size):
        batch = torch.from_numpy(np.array(images[start : start + batch_size])).to(device)
        inputs = KINDS[kind].model_input(batch, image_size)
        if start == 0 and kind == "image":
            encoder = for_inference(encoder, inputs[:2], len(images))
        features = encoder(inputs).float().cpu().numpy()
        if len(features) != len(batch):
            raise ValueError(f"the encoder gave {len(features)} feature rows for {len(batch)} items of shape "
                             f"{tuple(batch.shape[1:])}: it does not read {kind} data")
        if start == 0:
            out = np.empty((len(images), features.shape[1]), np.float32)
        out[start : start + len(features)] = features
        if progress is not None:
            progress(min(start + batch_size, len(images)), len(images))
    return out


@dataclass(frozen=True)
class Embedding:
    """A dataset's features from one source, on disk."""

    dataset: DatasetInfo
    source: EncoderSource
    folder: Path  # where later steps keep what they derive from it

    @property
    def features(self) -> np.ndarray:
        """The encoder's outputs, float32 (N, D), memory-mapped read-only."""
        return np.load(self.folder / FEATURES, mmap_mode="r")

    @property
    def made(self) -> float:
        """When the features were written: with `folder`, a cache key for what is derived from them."""
        return (self.folder / FEATURES).stat().st_mtime

    def keep(self, made: float, save: Callable[[], None]) -> bool:
        """Run `save()`, which writes into `folder` (atomically) what was derived from these
        features as they were written at `made`; not when another session replaced them
        meanwhile (newer features, or the folder emptied): then False, nothing kept."""
        try:
            if self.made != made:
                return False
            save()
        except FileNotFoundError:  # the folder was emptied while the caller computed
            return False
        return True

    @cached_property
    def mean(self) -> np.ndarray:
        """float32 (D,): the dataset's mean feature (computed once per Embedding)."""
        return self.features.mean(axis=0, dtype=np.float64).astype(np.float32)

    @cached_property
    def vectors(self) -> np.ndarray:
        """The features centred on the dataset's mean, float32 (N, D): what maps, indexes
        and similarity scores use. Encoder outputs after a ReLU and pooling all point into
        one narrow cone (cosine 0.99+ between any two images of the demo shapes), so raw
        cosines say little; centred, they spread over [-1, 1] and keep the ranking's sense."""
        return self.centre(self.features)  # computed once per Embedding

    def centre(self, features: np.ndarray) -> np.ndarray:
        """Features of any images (Q, D) by this encoder, shifted as `vectors` are."""
        return (np.asarray(features, dtype=np.float32) - self.mean).astype(np.float32)


def embedding_dir(ws: Workspace, dataset: DatasetInfo, source: EncoderSource) -> Path:
    return ws.dataset_dir(dataset) / EMBEDDINGS / source.key


def cached(ws: Workspace, dataset: DatasetInfo, source: EncoderSource) -> Embedding | None:
    """The stored embedding if it is still current, else None."""
    folder = embedding_dir(ws, dataset, source)
    try:
        meta = json.loads((folder / META).read_text())
    except (OSError, ValueError):
        return None
    if meta.get("fingerprint") != fingerprint(ws, dataset, source) or not (folder / FEATURES).exists():
        return None
    return Embedding(dataset, source, folder)


def embed(ws: Workspace, dataset_name: str, source: EncoderSource, progress: Progress | None = None,
          device: str = "auto") -> Embedding:
    """The dataset's features from `source`, computed once and reused until the dataset or
    the checkpoint changes (a stale folder is emptied first: its index and maps go too)."""
    from .devices import pick_device

    dataset = ws.dataset(dataset_name)
    check_kind(dataset, source)
    with ws.lock(f"embed-{dataset.id}-{source.key}"):  # two sessions asking at once compute once
        hit = cached(ws, dataset, source)
        if hit is not None:
            if progress is not None:
                progress(dataset.image_count, dataset.image_count)
            return hit
        return _compute(ws, dataset, source, progress, pick_device(device))


def _compute(ws: Workspace, dataset: DatasetInfo, source: EncoderSource, progress: Progress | None,
             device: torch.device) -> Embedding:
    made_from = fingerprint(ws, dataset, source)  # before loading: a checkpoint replaced meanwhile makes it stale
    encoder = load_encoder(ws, source, dataset)
    items = KINDS[dataset.kind].embedding_items(ws, dataset, source)  # images, or token ids for text
    features = compute_features(encoder, items, source.image_size, device=device, progress=progress,
                                kind=dataset.kind)
    return store_features(ws, dataset, source, features, made_from)


def store_features(ws: Workspace, dataset: DatasetInfo, source: EncoderSource, features: np.ndarray,
                   made_from: dict | None = None) -> Embedding:
    """Write `features` float32 (N, D) as `dataset`'s embedding by `source` (replacing a
    stale one and all it derived); `made_from` is its fingerprint (default: the current one).
    Features that are not finite are refused (WorkspaceError) and nothing is written."""
    _check_finite(dataset, source, features)
    made_from = made_from or fingerprint(ws, dataset, source)
    folder = embedding_dir(ws, dataset, source)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    with atomic_file(folder / FEATURES) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, features)
    atomic_write_json(folder / META, {"fingerprint": made_from, "shape": list(features.shape)})
    return Embedding(dataset, source, folder)


def _check_finite(dataset: DatasetInfo, source: EncoderSource, features: np.ndarray) -> None:
    """Refuse features with NaN or infinite rows: nearest neighbours, maps and evaluation
    would all fail on them (an empty search, an SVD error), far from their cause."""
    bad = int((~np.isfinite(features).all(axis=1)).sum())
    if bad:
        raise WorkspaceError(f"{_named(source)} gave features that are not finite (NaN or infinite) for {bad} of "
                             f"the {len(features)} images of dataset {dataset.name!r}; nothing was stored: its "
                             "weights are broken (a training that diverged, or imported weights with, e.g., a "
                             "BatchNorm running_var below 0)")


def _named(source: EncoderSource) -> str:
    """`source` for a message: 'run <id>', "imported encoder 'x'", 'untrained small_cnn'."""
    if source.imported is not None:
        return f"imported {'encoder' if source.has_network else 'embedding set'} {source.imported!r}"
    return f"run {source.run_id}" if source.run_id else source.label
