"""What the Augmentation Lab shows, computed here as plain arrays (pages only draw).

Everything runs the very recipe object the trainer uses, seeded, so a preview can be
reproduced and is exactly what a training batch would look like.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import torch
import torch.nn.functional as F

from ..models import Encoder, build_encoder
from ..models.calibration import calibrate
from . import ops
from ..methods.simclr import TEMPERATURE
from .recipes import MAE, Recipe, Rotation

PAIR_TEMPERATURE = TEMPERATURE  # the Lab's NT-Xent where no run gives one: the default run's (walk 18 read SimCLR's
# CIFAR 0.5 here beside a default run training at 0.1)
MASK_GREY = 128


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(int(seed))


def is_pair_recipe(recipe: Recipe) -> bool:
    """Recipes that make positive pairs (two or more views of each image)."""
    return not isinstance(recipe, (MAE, Rotation))


GREY_TOLERANCE = 2  # grey levels between a pixel's channels still called grey (a grey photo saved as colour JPEG)
TONES = "tone (brightness and contrast)"  # what colour jitter still changes in a grey picture
UP = "which way is up"  # what turns change


def is_grey(images: np.ndarray, chunk: int = 1024) -> bool:
    """Whether every pixel of the (N, H, W, 3) uint8 `images` (a memory map is read `chunk`
    images at a time, stopping at the first colour) has its three channels equal within
    GREY_TOLERANCE: a grey dataset, where colour jitter changes only TONES and random
    grayscale changes nothing."""
    for start in range(0, len(images), chunk):
        channels = np.asarray(images[start : start + chunk]).astype(np.int16)
        if int((channels.max(axis=-1) - channels.min(axis=-1)).max()) > GREY_TOLERANCE:
            return False
    return len(images) > 0


def what_changes_touch(recipe: Recipe, grey: bool = False) -> list[str]:
    """What the recipe's random changes alter, in plain words, from its fields' values (the
    Lab's caption says what a model trained on them learns to ignore): crops -> position and
    size, flips -> left-right direction, turns -> which way is up, jitter or grayscale -> colour, blur -> sharpness,
    solarization -> bright tones, a swapped background -> background. A field that is off
    (a chance of 0, crops keeping the whole picture) names nothing. On `grey` pictures
    (is_grey) jitter changes TONES and grayscale nothing (walk 17: "colour" on microscope
    images)."""
    values = {f.name: getattr(recipe, f.name) for f in fields(recipe)}  # type: ignore[arg-type]

    def on(prefix: str) -> bool:
        return any(value > 0 for name, value in values.items() if name.startswith(prefix))

    crops = any(value < 1 for name, value in values.items() if name.endswith("crop_min")) or on("local_crops")
    jitter = on("jitter_p") and values.get("jitter_strength", 1) > 0
    colour = (jitter or on("gray_p"), "colour") if not grey else (jitter, TONES)
    touched = [(crops, "position and size"), (on("flip_p"), "left-right direction"), (on("turn_p"), UP),
               colour,
               (on("blur_p"), "sharpness"), (on("solarize_p"), "bright tones"),
               (on("swap_background_p"), "background")]
    return [words for present, words in touched if present]


def smallest_share(recipe: Recipe) -> float | None:
    """The least share of the picture's area a view of `recipe` keeps: its smallest `*crop_min` field (a local
    crop's only where it draws local crops); None where every view keeps the whole picture."""
    values = {f.name: getattr(recipe, f.name) for f in fields(recipe)}  # type: ignore[arg-type]
    kept = [value for name, value in values.items()
            if name.endswith("crop_min") and (not name.startswith("local") or values.get("local_crops", 0) > 0)]
    least = min(kept, default=1.0)
    return least if least < 1 else None


def sample_views(recipe: Recipe, images: np.ndarray, draws: int, seed: int) -> list[list[np.ndarray]]:
    """For each of the K images (K, H, W, 3) uint8, `draws` rounds of every view the
    recipe makes, as uint8 arrays (first view of every round first, then the second ...)."""
    batch = torch.from_numpy(np.repeat(images, draws, axis=0))
    views = recipe(batch, _generator(seed))
    if isinstance(recipe, MAE):
        shown = [masked_images(views.views[0], views.mask, recipe.patch_size)]
    else:
        shown = [ops.to_uint8(v).numpy() for v in views.views]
    if isinstance(recipe, Rotation):  # (4KD, ...) ordered by turn: regroup by image
        turned = shown[0].reshape(4, len(images) * draws, *shown[0].shape[1:])
        shown = list(turned)
    per_image: list[list[np.ndarray]] = []
    for k in range(len(images)):
        rows = slice(k * draws, (k + 1) * draws)
        per_image.append([view for v in shown for view in v[rows]])
    return per_image


def masked_images(view: torch.Tensor, mask: torch.Tensor, patch: int) -> np.ndarray:
    """Views (N, 3, S, S) with hidden patches (mask (N, L) True) painted grey, uint8 (N, S, S, 3)."""
    n, _, size, _ = view.shape
    grid = size // patch
    hidden = mask.reshape(n, 1, grid, grid).repeat_interleave(patch, 2).repeat_interleave(patch, 3)
    painted = torch.where(hidden, torch.full_like(view, MASK_GREY / 255), view)
    return ops.to_uint8(painted).numpy()


@dataclass
class PairBatch:
    """A batch as a contrastive method sees it.

    view_a, view_b: uint8 (N, S, S, 3), row i of both from image i (a positive pair).
    similarity:     (2N, 2N) cosine similarities of the encoder's features, rows and
                    columns ordered [a_0 .. a_{N-1}, b_0 .. b_{N-1}].
    loss:           NT-Xent of the batch (Chen et al. 2020) at `temperature`.
    encoder:        the encoder that saw the views (in eval mode), for explain.py's maps.
    """

    view_a: np.ndarray
    view_b: np.ndarray
    similarity: np.ndarray
    loss: float
    temperature: float
    encoder: Encoder


def pair_batch(recipe: Recipe, images: np.ndarray, seed: int, encoder: Encoder | None = None,
               size: int | None = None, temperature: float = PAIR_TEMPERATURE) -> PairBatch:
    """Two views (side `size`, default the images') of each of N images through `encoder`
    (default: an untrained small CNN, seeded)."""
    from lightly.loss import NTXentLoss

    views = recipe(torch.from_numpy(images), _generator(seed), size).views
    a, b = views[0], views[1]
    model = encoder
    if model is None:
        with torch.random.fork_rng(devices=[]):  # seed the weights without resetting the caller's RNG
            torch.manual_seed(seed)
            model = build_encoder("small_cnn", image_size=a.shape[-1])
        calibrate(model, [torch.cat([a, b])])  # the batch's own statistics, as its first training step has them
    model.eval()
    with torch.no_grad():
        z = F.normalize(model.forward_features(torch.cat([a, b])), dim=1)
        loss = NTXentLoss(temperature=temperature)(z[: len(a)], z[len(a):])
    return PairBatch(ops.to_uint8(a).numpy(), ops.to_uint8(b).numpy(), (z @ z.T).numpy(),
                     float(loss), temperature, model)


def partner_probabilities(similarity: np.ndarray, row: int, temperature: float) -> np.ndarray:
    """Softmax over the candidates of view `row` (itself excluded, probability 0): the
    chance the model gives each other view of being its partner. (2N,)"""
    logits = similarity[row] / temperature
    logits = np.where(np.arange(len(logits)) == row, -np.inf, logits)
    weights = np.exp(logits - logits[np.isfinite(logits)].max())
    return weights / weights.sum()


def partner_of(row: int, n: int) -> int:
    """Index of the positive partner of view `row` among 2N views."""
    return row + n if row < n else row - n


def partners_found(similarity: np.ndarray) -> int:
    """How many of the 2N views have their positive partner as the most similar other view
    (a row's brightest cell in the heatmap, itself left out). A guess finds each with chance
    1 / (2N - 1), so about 2N / (2N - 1) of them."""
    others = np.where(np.eye(len(similarity), dtype=bool), -np.inf, similarity)
    n = len(similarity) // 2
    return int(sum(int(np.argmax(others[row])) == partner_of(row, n) for row in range(2 * n)))


def mae_reconstruction(method: torch.nn.Module, recipe: MAE, image: np.ndarray, seed: int
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`mae_reconstructions` of one image (S, S, 3): uint8 (view, masked view, painted view)."""
    view, masked, rebuilt = mae_reconstructions(method, recipe, image[None], seed)
    return view[0], masked[0], rebuilt[0]


def mae_reconstructions(method: torch.nn.Module, recipe: MAE, images: np.ndarray, seed: int
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A trained MAE (He et al. 2022) paints back the hidden patches of images (N, S, S, 3).

    Returns uint8 (views, masked views, views with the hidden patches predicted), each
    (N, s, s, 3) at the model's side s. The model predicts each hidden patch normalised;
    as in the paper's figures, it is shown with that patch's true mean and spread. The
    views and masks are drawn on the CPU with `seed`, so the same seed shows the same
    masks to a model at any step.
    """
    from lightly.models import utils

    size = method.backbone.vit.image_size
    patch = method.patch_size
    device = next(method.parameters()).device
    views = replace(recipe, patch_size=patch)(torch.from_numpy(np.ascontiguousarray(images)), _generator(seed), size)
    view, mask = views.views[0].to(device), views.mask.to(device)
    with torch.no_grad():
        predicted, _ = method.reconstruct(view, mask)  # (N, H, p*p*3) for the H hidden patches
        encoder = method.encoder
        normalised = (view - encoder.mean) / encoder.std
        patches = utils.patchify(normalised, patch)  # (N, L, p*p*3)
        hidden = int(mask[0].sum())
        order = torch.argsort(mask.int(), dim=1, stable=True)[:, mask.shape[1] - hidden:, None]  # (N, H, 1)
        order = order.expand(-1, -1, patches.shape[-1])
        truth = torch.gather(patches, 1, order)
        painted = predicted * (truth.var(-1, keepdim=True) + 1e-6) ** 0.5 + truth.mean(-1, keepdim=True)
        rebuilt = utils.unpatchify(patches.scatter(1, order, painted), patch) * encoder.std + encoder.mean
    return (ops.to_uint8(view.cpu()).numpy(), masked_images(view.cpu(), mask.cpu(), patch),
            ops.to_uint8(rebuilt.clamp(0, 1).cpu()).numpy())
