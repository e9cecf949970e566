"""The one training loop, for every method, encoder and recipe.

Data: the dataset's uint8 array, loaded once (onto the GPU when there is one), batches
drawn by a seeded permutation per epoch and augmented by the recipe on the device.
Schedule: AdamW, linear warm-up then cosine decay, both as functions of the fraction of
the budget (epochs or minutes) spent. Health: a non-finite loss stops the run at once
and keeps the last good checkpoint; a collapse monitor (normalised std, effective rank)
and, with labels, an online kNN accuracy (without, `pixel_shared`: how much the
neighbours still follow raw pixels and colour) run every `monitor_every` steps, that
metric measured once on the untrained network before the first step for the verdict
(evaluate/verdict.py); CUDA out of memory halves the batch down to a floor. Progress
leaves through a `Reporter`. The monitor's probe features are also kept every
`snapshot_every` steps, before the first and at the end (snapshots.py): the map in motion;
an MAE run keeps its painting of a few probe images at the same steps. The monitor reads
whole images at `embed_size` (embed_side: larger than the views for the default, FixRes),
as every embedding of the run will.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from . import checkpoint, distributed, machine_load
from .augment import Recipe, make_recipe, recipe_from_dict
from .augment.preview import mae_reconstructions
from .augment.recipes import MAE as MAERecipe
from .devices import pick_device
from .evaluate import effective_rank, knn_accuracy, normalised_std
from .evaluate.departure import shared
from .evaluate.linear_probe import probe_accuracy
from .evaluate.verdict import (COLLAPSED_RANK, LOW_RANK_MEASUREMENTS, MAJORITY, RANK_START, START, below_twin,
                               rank_reference)
from .imports import start_from
from .jobs import TRAINING_S
from .kind_words import UNITS
from .kinds import kind_of_method
from .methods import Method, build_method, get_method
from .models import checkpoint_options
from .models.calibration import MARKER, batches, calibrate, calibration_rows, never_estimated
from .snapshots import PAINTED_COUNT, SnapshotWriter, balanced_probe, kept_probe
from .thread_share import ThreadShare

PROBE_SIZE = 1024  # images embedded by the monitor
# steps into a process before a minutes budget's total is extrapolated (Trainer.extrapolated): step 1 carries the
# untrained baseline's measurement, and a stranger's 2-minute run read "step 1 of ~48", then "of ~262"
ESTIMATE_AFTER = 20
COLLAPSE_FALL = 0.3  # a health metric below this fraction of its best so far is a warning
RECOVERED = "no collapse at the end"  # how the warning of a dip the run came back from opens (an info, not a warning)
NON_FINITE_STOP = "training stopped"  # in a failed run's message where a loss, weights or features became NaN or inf
HEALTH = ("embedding_std", "effective_rank", "output_std")  # what the collapse warning watches


FIXRES_SCALE = 1.5  # whole images are read this much larger than the training views ...
FIXRES = {("small_cnn", "simclr_multicrop")}  # ... by these (encoder, recipe): the CPU default, where measured


def embed_side(encoder: str, recipe: str, view_side: int, stored_side: int) -> int:
    """The side a network trained on `view_side` px views reads whole images at: 1.5x for the
    default's small CNN and multi-crop, at most the stored side; else the views' side. Crops
    enlarge objects in training, so a whole image at the views' side shows them smaller than
    the network learned them (FixRes, Touvron et al. 2019; bench/fixres.py, README). A ViT's
    position grid fixes its side; rotation's views are whole images."""
    if (encoder, recipe) not in FIXRES:
        return view_side
    return max(view_side, min(round(FIXRES_SCALE * view_side), stored_side))


@dataclass
class TrainConfig:
    """Everything a run needs; saved beside every checkpoint as JSON."""

    dataset: str
    method: str = "simclr"
    encoder: str = "small_cnn"
    recipe: dict[str, Any] | None = None  # Recipe.to_dict(); None: the method's default
    image_size: int | None = 32  # side the views are rendered at; None: the stored size
    embed_size: int | None = None  # side the trained network reads whole images at (monitor, embeddings); None: embed_side
    epochs: float | None = None  # budget in passes over the data ...
    minutes: float | None = None  # ... or in wall-clock minutes (epochs wins if both)
    # the CPU default: more, smaller steps learn faster in minutes. bench/tune.py, 5 CPU minutes, batch 64 against
    # 128: clutter_shapes (2,000) three seeds 0.452 / 0.446 on average, its 900 and 450 images 0.436 / 0.420 and
    # 0.362 / 0.342, letters (450) 0.560 / 0.531; batch 32 lower again (450 images 0.327, letters 0.500)
    batch_size: int = 64
    lr: float | None = None  # None: the method's default, scaled by batch_size / 256
    weight_decay: float = 1e-4
    warmup: float = 0.05  # fraction of the budget spent warming the learning rate up
    seed: int = 0
    checkpoint_every: int = 100  # steps
    monitor_every: int = 25  # steps
    snapshot_every: int = 50  # steps between kept probe features (a multiple of monitor_every); 0: none
    min_batch_size: int = 16  # out of memory halves the batch down to this
    device: str = "auto"  # auto, cpu, cuda
    compile: bool = False  # torch.compile the encoder (CUDA)
    init: str | None = None  # start from this imported encoder's or run's weights (imports/start_from.py); None: random
    encoder_options: dict[str, Any] | None = None  # the encoder's shape, e.g. {"layers": 2}; None: its defaults

    def resolved_recipe(self) -> Recipe:
        if self.recipe is not None:
            return recipe_from_dict(self.recipe)
        return make_recipe(get_method(self.method).default_recipe)

    def budget(self) -> tuple[str, float]:
        """("epochs" or "minutes", its value): the budget the run was given."""
        return ("epochs", self.epochs) if self.epochs is not None else ("minutes", self.minutes)  # type: ignore

    def resolved_lr(self) -> float:
        """The learning rate at batch 256: the one given, else the method's default."""
        return self.lr or get_method(self.method).default_lr

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StepState:
    step: int
    total_steps: int | None  # None until a minutes budget can be estimated
    progress: float  # fraction of the budget spent, 0..1
    loss: float
    images_per_s: float
    eta_s: float | None
    lr: float
    batch_size: int


@dataclass
class TrainResult:
    status: str  # completed, failed, cancelled
    steps: int
    images_per_s: float
    final_loss: float | None
    checkpoint: str | None
    message: str | None = None
    warnings: list[str] = field(default_factory=list)


class Reporter(Protocol):
    """Where progress goes (job table, stderr). `should_stop` is polled every step."""

    def on_step(self, state: StepState) -> None: ...

    def on_metrics(self, step: int, metrics: dict[str, float]) -> None: ...

    def on_checkpoint(self, step: int, path: Path) -> None:
        """Called just before the checkpoint of `step` is written to `path`."""

    def should_stop(self) -> bool: ...


def compile_encoder(encoder: torch.nn.Module) -> None:
    """torch.compile what every method calls, `forward_features` (`Module.compile()` wraps
    only `__call__`, which SimCLR's and Barlow Twins' steps never go through)."""
    encoder.forward_features = torch.compile(encoder.forward_features)


def learning_rate(base: float, progress: float, warmup: float) -> float:
    """Linear warm-up over the first `warmup` of training, then cosine decay to 0."""
    if progress < warmup:
        return base * progress / warmup
    return base * 0.5 * (1 + math.cos(math.pi * min(1.0, (progress - warmup) / max(1e-9, 1 - warmup))))


def fall_words(fell: dict[str, tuple[float, float]], best: str) -> str:
    """'effective rank 8.83 (best 40.1)' for each {metric: (value, its best)} in `fell`, the best
    called `best`."""
    return ", ".join(f"{name.replace('_', ' ')} {value:.3g} ({best} {top:.3g})" for name, (value, top) in fell.items())


def measured_without_labels(meta: dict | None, probe_labels: np.ndarray) -> bool:
    """Whether the monitor measures without labels where some exist: its probe (`probe_labels`,
    -1 unlabelled) holds no labelled image, or a resumed run (its checkpoint's `meta`, None for
    a fresh start) began so, and goes on so: its untrained twin was measured by pixel_shared,
    or, in a checkpoint older than the kept twin, its probe held an unlabelled image, as only a
    probe drawn without labels then did."""
    if not (probe_labels >= 0).any() or meta is None:
        return not (probe_labels >= 0).any()
    untrained = meta.get("untrained", {})
    return "pixel_shared_untrained" in untrained if untrained else bool((probe_labels < 0).any())


class Trainer:
    """Trains `config.method` on `images` (N, S, S, 3) uint8. `labels` (N,) int (-1 where
    unlabelled: the monitor's probe takes the labelled images first, its kNN reads only them)
    or None feed only the online kNN monitor. Checkpoints go to `run_dir`."""

    def __init__(self, config: TrainConfig, images: np.ndarray, labels: np.ndarray | None,
                 run_dir: Path, reporter: Reporter) -> None:
        if config.epochs is None and config.minutes is None:
            raise ValueError("give a budget: epochs or minutes")
        if len(images) < 2:
            unit = UNITS[kind_of_method(get_method(config.method)).name]  # images, or a text method's examples
            raise ValueError(f"training needs at least two {unit}; the dataset has {len(images)}")
        self.rank, self.world = distributed.world()
        self.config, self.run_dir = config, run_dir
        self.reporter = reporter if self.rank == 0 else distributed.SilentReporter()
        self.device = pick_device(config.device)
        self.kind = kind_of_method(get_method(config.method))  # images or text: data hooks (kinds.py)
        self.recipe = self.kind.recipe(config, run_dir)
        torch.manual_seed(config.seed)
        self.image_size = config.image_size or images.shape[1]
        self.embed_size = config.embed_size or embed_side(config.encoder, getattr(self.recipe, "name", ""),
                                                          self.image_size, images.shape[1])
        meta = checkpoint.read_meta(run_dir)  # a resume keeps its shape
        kept = (config.encoder_options or {}) if meta is None else checkpoint_options(config.encoder, meta)
        # channels_last on every device: oneDNN's CPU convolutions run the small CNN's step 1.37x
        # faster with it (0.48 s vs 0.66 s of one-thread CPU at batch 128, 32 px), ResNet-18 and
        # ViT-tiny no slower; on CUDA it feeds the tensor cores.
        self.method: Method = build_method(config.method, config.encoder, self.image_size,
                                           **kept).to(self.device, memory_format=torch.channels_last)
        if self.device.type == "cuda" and config.compile:
            compile_encoder(self.method.encoder)
        self.data = torch.from_numpy(np.array(images)).to(self.device)  # into RAM once, its dtype kept
        if labels is not None and not (labels >= 0).any():
            labels = None  # no labelled image to probe with
        probe = kept_probe(run_dir)
        if probe is None or not len(probe) or probe.max() >= len(images):
            probe = balanced_probe(len(images), labels, PROBE_SIZE, config.seed)
        if labels is not None and measured_without_labels(meta, labels[probe]):
            labels = None  # a resumed run that began measuring without labels goes on so, on the same probe
        self.labels = None if labels is None else torch.as_tensor(labels, device=self.device)
        self.probe = torch.as_tensor(probe, device=self.device)
        # the probe's labelled rows, on which kNN and the linear probe are read (unlabelled ones fill the map and rank)
        self.scored = (None if labels is None
                       else torch.as_tensor(np.flatnonzero(labels[probe] >= 0), device=self.device))
        self.snapshots = (SnapshotWriter(run_dir, probe) if config.snapshot_every and self.rank == 0
                          else None)
        self.cheap = None if labels is not None else self.kind.cheap_neighbours(images[probe])
        self.batch_size = min(config.batch_size, len(images))
        self.base_lr = config.resolved_lr() * self.batch_size / 256
        self.optimizer = torch.optim.AdamW(self.method.parameters(), lr=self.base_lr,
                                           weight_decay=config.weight_decay)
        self.generator = torch.Generator(self.device).manual_seed(config.seed + self.rank)
        self.epoch_order: tuple[int, torch.Tensor] | None = None  # (epoch, its permutation, on the device)
        self.step = 0
        self.elapsed = 0.0  # training seconds before this session (resume)
        self.timed_step = -1  # the last step whose training time was reported (one reading per step)
        self.last_checkpoint: Path | None = None
        self.warnings: list[str] = []
        self.best: dict[str, float] = {}  # best health metrics so far, for the collapse warning
        self.dip: tuple[int, int, dict[str, tuple[float, float]]] | None = None  # the warning's place, step and
        # {metric that fell: (its value, its best until then)}
        self.untrained: dict[str, float] = {}  # the verdict's baseline, measured before step 1
        self.low_ranks = 0  # measurements in a row with the effective rank below COLLAPSED_RANK of the twin's
        self.monitored_at = -1  # the step last measured

    # -- budget -------------------------------------------------------------------------
    def steps_per_epoch(self) -> int:
        return max(1, len(self.data) // (self.batch_size * self.world))

    def total_steps(self) -> int | None:
        if self.config.epochs is not None:
            return max(1, round(self.config.epochs * self.steps_per_epoch()))
        return None

    def extrapolated(self, elapsed: float, progress: float, anchor: tuple[int, float] | None) -> int | None:
        """A minutes budget's total steps: those done, plus those the pace since `anchor`
        ((step, elapsed) ESTIMATE_AFTER steps into this process, the untrained baseline's
        measurement and the warm-up behind it) fits into the time left; at the anchor, the
        steps done over the budget's share gone. None before it. Walk 9 read "step 28 of ~94",
        then "75 of ~165", "178 of ~238" for a run of 186 steps: the whole run's pace, startup
        included."""
        if anchor is None or progress <= 0:
            return None
        steps, since = self.step - anchor[0], elapsed - anchor[1]
        if steps <= 0 or since <= 0:
            return round(self.step / progress)
        return self.step + round(steps / since * max(0.0, 60 * self.config.minutes - elapsed))  # type: ignore[operator]

    def progress(self, elapsed: float) -> float:
        total = self.total_steps()
        if total is not None:
            return min(1.0, self.step / total)
        return min(1.0, elapsed / (60 * self.config.minutes))  # type: ignore[operator]

    # -- data ----------------------------------------------------------------------------
    def batch_indices(self, step: int) -> torch.Tensor:
        """Rows of step `step`: a seeded permutation per epoch, so a resumed run sees
        exactly the batches it would have seen. The permutation is drawn and moved to the
        device once per epoch (per step it cost a host-to-device copy, which waits for the GPU)."""
        per_epoch = self.steps_per_epoch()
        epoch, offset = divmod(step, per_epoch)
        if self.epoch_order is None or self.epoch_order[0] != epoch:
            order = torch.randperm(len(self.data), generator=torch.Generator().manual_seed(
                self.config.seed * 1_000_003 + epoch))
            self.epoch_order = epoch, order.to(self.device)
        global_batch = self.batch_size * self.world  # each process takes its share
        start = offset * global_batch + self.rank * self.batch_size
        return self.epoch_order[1][start : start + self.batch_size]

    # -- checkpoints ------------------------------------------------------------------------
    def save(self, elapsed: float) -> Path:
        """Checkpoint now; `elapsed` is the training time spent so far, resume included."""
        meta = {"config": self.config.to_json(), "step": self.step, "elapsed": elapsed,
                "image_size": self.image_size, "embed_size": self.embed_size,
                "encoder_options": self.method.encoder.options(),
                "batch_size": self.batch_size, "recipe": self.recipe.to_dict(), "untrained": self.untrained}
        if not all(torch.isfinite(p).all() for p in self.method.parameters()):  # never kept as "good"
            raise FloatingPointError(f"the weights became non-finite at step {self.step}")
        if self.rank != 0:  # rank 0 writes; the replicas are identical
            return self.run_dir / checkpoint.WEIGHTS
        if self.step != self.timed_step:  # a pause before a resume is not counted
            self.reporter.on_metrics(self.step, {TRAINING_S: elapsed})
            self.timed_step = self.step
        # told first: what was reported up to this step is stored before a resume can start past it
        self.reporter.on_checkpoint(self.step, self.run_dir / checkpoint.WEIGHTS)
        path = checkpoint.save(self.run_dir, self.method, self.optimizer, self.generator, meta)
        self.last_checkpoint = path
        return path

    def resume(self) -> None:
        """Continue from the last checkpoint in `run_dir`."""
        meta = checkpoint.load(self.run_dir, self.method, self.optimizer, self.generator)
        self.step, self.elapsed = int(meta["step"]), float(meta["elapsed"])
        self.batch_size = int(meta["batch_size"])
        self.untrained = meta.get("untrained", {})  # absent from checkpoints written before it was kept
        self.embed_size = checkpoint.embed_size(meta)
        self.last_checkpoint = self.run_dir / checkpoint.WEIGHTS

    # -- monitor ---------------------------------------------------------------------------
    @torch.no_grad()
    def probe_features(self) -> torch.Tensor:
        """Features (PROBE, D) of the probe images, in eval mode."""
        self.method.eval()
        images = self.data[self.probe]
        features = torch.cat([self.method.features(self._prepare(self._resize(images[i : i + 256])))
                              for i in range(0, len(images), 256)])
        self.method.train()
        return features

    def judged(self, features: torch.Tensor) -> dict[str, float]:
        """What the verdict compares with the untrained network: the probe's kNN accuracy and
        linear-probe accuracy (5-fold) with labels, else `pixel_shared` (see evaluate/departure.shared)."""
        if self.labels is not None:
            codes, features = self.labels[self.probe[self.scored]], features[self.scored]
            probe = probe_accuracy(features, codes)  # 0.05-0.1 s on 1,024 features: judged as Evaluate judges
            return {"knn_accuracy": knn_accuracy(features, codes)} | ({} if probe is None else
                                                                      {"linear_probe_accuracy": probe})
        return {"pixel_shared": shared(features, self.cheap)}  # type: ignore[arg-type]

    def measure_untrained(self) -> dict[str, float]:
        """The verdict's baseline, before the first step: `judged` as knn_untrained and
        linear_probe_untrained, or pixel_shared_untrained; effective_rank_untrained (on the whole probe),
        probe_size (the images the verdict's metric is read on: with labels, the probe's labelled ones),
        MARKER (the twin was calibrated) and, with labels, MAJORITY (the largest class's share of them)."""
        names = {"knn_accuracy": "knn_untrained", "pixel_shared": "pixel_shared_untrained",
                 "linear_probe_accuracy": "linear_probe_untrained"}
        self.calibrate_untrained()
        features = self.probe_features()
        self.keep_snapshot(features, due=True)
        measured = {names[name]: value for name, value in self.judged(features).items()}
        scored = self.probe if self.scored is None else self.probe[self.scored]  # the images `judged` reads
        if self.labels is not None:  # what always answering the largest class scores on the probe
            measured[MAJORITY] = float(torch.bincount(self.labels[scored]).max()) / len(scored)
        return measured | {"effective_rank_untrained": effective_rank(features), "probe_size": float(len(scored)),
                           MARKER: 1.0}

    def calibrate_untrained(self) -> None:
        """The random network's BatchNorm statistics from the data, as the untrained twin of
        embeddings has them (models/calibration.py): without them its baseline was a network
        that normalises nothing. Training's own updates take over from the first step. Also a
        start whose BatchNorm layers never saw data (an import saved before training)."""
        rows = calibration_rows(len(self.data))
        calibrate(self.method.encoder, batches(self.data, rows, lambda batch: self._prepare(self._resize(batch))))

    def keep_snapshot(self, features: torch.Tensor, due: bool = False) -> None:
        """Keep the probe's `features` (P, D) when a snapshot is `due` or the step is one."""
        if self.snapshots is not None and (due or self.step % self.config.snapshot_every == 0):
            self.snapshots.keep(self.step, features.float().cpu().numpy())
            if isinstance(self.recipe, MAERecipe):  # a masked-prediction run: its painting too
                self.method.eval()
                rows = self.probe[:PAINTED_COUNT]
                self.snapshots.keep_painting(self.step, *mae_reconstructions(
                    self.method, self.recipe, self.data[rows].cpu().numpy(), self.config.seed))
                self.method.train()

    @torch.no_grad()
    def monitor(self, step_metrics: dict[str, float] | None = None, final: bool = False) -> dict[str, float]:
        """Health of the probe's features, and of the step's `output_std` where the method
        reports one, each against its best so far (the first fall below COLLAPSE_FALL of it is
        warned of; a dip the final measurement is back from is then said to be one); plus the
        verdict's metric (`judged`).
        The features are kept as a snapshot when one is due, and always when `final`."""
        features = self.probe_features()
        if not torch.isfinite(features).all():  # a rank or a neighbour of NaN is no measurement
            raise FloatingPointError(f"the encoder's features became non-finite at step {self.step}")
        self.keep_snapshot(features, due=final)
        metrics = {**(step_metrics or {}), "embedding_std": normalised_std(features),
                   "effective_rank": effective_rank(features), **self.judged(features)}
        fallen = [name for name in HEALTH if name in metrics and self._fell(name, metrics[name])]
        twin, whose = rank_reference(self.untrained)  # the starting weights' rank, for a run from them
        low = twin and metrics["effective_rank"] < COLLAPSED_RANK * twin  # a final one at the last monitor's step
        self.low_ranks = (self.low_ranks + (self.monitored_at != self.step) if low else 0)  # is the same measurement
        self.monitored_at = self.step
        low_at_end = final and self.low_ranks >= LOW_RANK_MEASUREMENTS  # what the verdict and advice call collapse
        why = f" ({type(self.method).collapse_note})" if type(self.method).collapse_note else ""
        if fallen:
            metrics["collapse_warning"] = 1.0
            if self.dip is None:
                fell = {name: (metrics[name], self.best[name]) for name in fallen}
                self.dip = (len(self.warnings), self.step, fell)
                self.warnings.append(f"possible collapse at step {self.step}: {fall_words(fell, 'best')}{why}")
        elif final and self.dip is not None and set(self.dip[2]) <= set(metrics) and not low_at_end:  # came back
            at, step, dipped = self.dip
            now = ", ".join(f"{name.replace('_', ' ')} {metrics[name]:.3g}" for name in dipped)
            # walk 20 read "(effective rank 40.8, above 30% of the best): effective rank 8.83 (best 40.1)" as a best
            # below the end's value: the best was the best until the dip
            self.warnings[at] = (f"{RECOVERED} ({now}, back above {COLLAPSE_FALL:.0%} of its best): at step {step} "
                                 f"{fall_words(dipped, 'its best until then')} was a dip it recovered from")
        if low_at_end:  # walk 21: MAE's 'no collapse at the end' beside the Diagnosis's 'The encoder collapsed'
            self.warnings.append(f"collapse at the end: effective rank {metrics['effective_rank']:.3g}, "
                                 f"{below_twin(metrics['effective_rank'], twin, whose)}{why}")
        return metrics

    def _fell(self, name: str, value: float) -> bool:
        """Whether health metric `name` at `value` is below COLLAPSE_FALL of its best so far."""
        self.best[name] = max(self.best.get(name, 0.0), value)
        return value < COLLAPSE_FALL * self.best[name]

    def _resize(self, batch: torch.Tensor) -> torch.Tensor:
        """uint8 (N, S, S, 3) -> float (N, 3, e, e) at the embedding side, antialiased (text: ids as they are)."""
        return self.kind.model_input(batch, self.embed_size)

    def _prepare(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last) if x.ndim == 4 else x

    # -- the loop --------------------------------------------------------------------------
    def train_step(self, progress: float) -> tuple[float, dict[str, float]]:
        lr = learning_rate(self.base_lr, progress, self.config.warmup)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        batch = self.data[self.batch_indices(self.step)]
        views = self.recipe(batch, self.generator, self.image_size)
        views.views = [self._prepare(v) for v in views.views]
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.device.type == "cuda"):
            loss, metrics = self.method.training_step(views)
        # The step's one read from the device, before backward is queued: the GPU then runs
        # backward and the update while the host prepares the next step (a read after them
        # would leave it idle meanwhile).
        value = loss.item()
        if distributed.any_rank(not math.isfinite(value), self.device):
            raise FloatingPointError(f"the loss became {value} at step {self.step}")
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        distributed.average_gradients(self.method.parameters())
        self.optimizer.step()
        self.method.after_step(progress)
        return value, {**metrics, "lr": lr}

    def run(self) -> TrainResult:
        self.method.train()
        start, clock = time.monotonic(), machine_load.read()
        images_seen, rate, loss = 0, 0.0, None
        first_step, anchor = self.step, None  # where a minutes budget's pace is measured from (extrapolated)
        status, message = "completed", None
        if self.step == 0 and not self.untrained:
            self.untrained = self.measure_untrained()
            self.reporter.on_metrics(0, self.untrained)
        if self.step == 0 and self.config.init:  # the twin above was random: now the starting weights, measured
            start_from.load(self.method, self.run_dir)  # as the run's start (walk 16: 54.2% there, 44.2% after 13
            if never_estimated(self.method.encoder):  # steps, unsaid); BatchNorm that never saw data normalises
                self.calibrate_untrained()  # nothing, and the first steps' updates of it read as a gain (walk 23)
            features = self.probe_features()
            measured = {f"{name}{START}": value for name, value in self.judged(features).items()}
            measured[RANK_START] = effective_rank(features)  # what the collapse rule reads it against (walk 23)
            self.untrained[RANK_START] = measured[RANK_START]  # kept in checkpoints with the twin's, for a resume
            self.reporter.on_metrics(0, measured)
        share = ThreadShare(self.device, self.world)  # fewer threads while other work holds a core
        try:
            while True:
                elapsed = self.elapsed + time.monotonic() - start
                progress = self.progress(elapsed)
                if progress >= 1.0:
                    break
                if distributed.any_rank(self.reporter.should_stop(), self.device):
                    status = "cancelled"
                    break
                try:
                    step_start = time.monotonic()
                    loss, metrics = self.train_step(progress)
                except FloatingPointError as exc:
                    status, message = "failed", self._stopped(exc)
                    break
                except torch.OutOfMemoryError:
                    if self.batch_size // 2 < self.config.min_batch_size:
                        status = "failed"
                        message = (f"out of memory even at batch size {self.batch_size}; the floor is "
                                   f"{self.config.min_batch_size}. Try a smaller encoder or image size.")
                        break
                    self.batch_size //= 2
                    self.warnings.append(f"out of memory: batch size halved to {self.batch_size}")
                    if self.device.type == "cuda":
                        torch.cuda.empty_cache()
                    continue
                self.step += 1
                share.tick()
                images_seen += self.batch_size * self.world
                step_rate = self.batch_size * self.world / max(time.monotonic() - step_start, 1e-9)
                rate = step_rate if rate == 0 else 0.9 * rate + 0.1 * step_rate
                elapsed = self.elapsed + time.monotonic() - start
                progress = self.progress(elapsed)
                if anchor is None and self.step - first_step >= ESTIMATE_AFTER:
                    anchor = (self.step, elapsed)
                total = self.total_steps() or self.extrapolated(elapsed, progress, anchor)
                eta = (1 - progress) * elapsed / progress if progress > 0 else None
                self.reporter.on_step(StepState(self.step, total, progress, loss, rate, eta,
                                                metrics["lr"], self.batch_size))
                try:
                    values = {"loss": loss, **metrics}
                    try:
                        if self.step % self.config.monitor_every == 0 or self.step == 1:
                            values |= self.monitor(metrics)
                    finally:  # a monitor that finds the features non-finite still leaves the step's loss on the curve
                        self.reporter.on_metrics(self.step, values)
                    if self.step % self.config.checkpoint_every == 0:
                        self.save(self.elapsed + time.monotonic() - start)
                except FloatingPointError as exc:  # the loss stayed finite, the weights or features did not
                    status, message = "failed", self._stopped(exc)
                    break
        finally:
            share.close()
        if status != "failed":
            try:
                self.save(self.elapsed + time.monotonic() - start)
                self.reporter.on_metrics(self.step, self.monitor(final=True) | self.shared_machine(clock))
            except FloatingPointError as exc:
                status, message = "failed", self._stopped(exc)
        total_time = time.monotonic() - start
        return TrainResult(status, self.step, images_seen / max(total_time, 1e-9), loss,
                           str(self.last_checkpoint) if self.last_checkpoint else None, message,
                           self.warnings)

    def shared_machine(self, clock: machine_load.Clock | None) -> dict[str, float]:
        """{OTHER_CORES: cores other programs kept busy since `clock`} for one training process
        (torchrun's other ranks would count as other work), else {}."""
        others = machine_load.other_cores(clock, machine_load.read()) if self.world == 1 else None
        return {} if others is None else {machine_load.OTHER_CORES: others}

    def _stopped(self, exc: FloatingPointError) -> str:
        """The failed run's message: what became non-finite, and the last good checkpoint."""
        kept = f"step {self._checkpoint_step()}" if self.last_checkpoint else "none yet"
        return f"{exc}; {NON_FINITE_STOP}. Last good checkpoint: {kept}."

    def _checkpoint_step(self) -> int:
        meta = checkpoint.read_meta(self.run_dir)
        return int(meta["step"]) if meta else 0
