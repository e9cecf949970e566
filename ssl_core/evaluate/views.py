"""Features of augmented views, for the metrics that need positive pairs: alignment
(Wang & Isola 2020) and neighbour stability."""

from __future__ import annotations

import numpy as np
import torch

from ..augment import Recipe
from ..embed import Progress
from .health import alignment


@torch.no_grad()
def view_features(encoder: torch.nn.Module, images: np.ndarray, recipe: Recipe, image_size: int, seed: int = 0,
                  batch_size: int = 256, device: torch.device | str = "cpu",
                  progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Features (M, D) of the first two views `recipe` makes of each uint8 image (M, S, S, 3),
    rendered at side `image_size`: row i of both comes from image i (a positive pair).
    The same `seed` gives the same views. Recipes with one view (MAE, rotation) are refused.
    `progress(done, total)` counts the images after each batch.
    Text: token ids (M, L) and a pair recipe of text (text/evaluation.py's TwoMaskings)."""
    encoder = encoder.to(device).eval()
    generator = torch.Generator(device).manual_seed(seed)
    first, second = [], []
    for start in range(0, len(images), batch_size):
        batch = torch.from_numpy(np.array(images[start : start + batch_size])).to(device)
        views = recipe(batch, generator, image_size).views
        if len(views) < 2 or views[0].shape[0] != len(batch):
            raise ValueError(f"recipe {recipe.name!r} does not make a pair of views of each image; "
                             "choose a two-view recipe such as simclr")
        first.append(encoder(views[0]).float().cpu())
        second.append(encoder(views[1]).float().cpu())
        if progress is not None:
            progress(min(start + batch_size, len(images)), len(images))
    return torch.cat(first).numpy(), torch.cat(second).numpy()


def augmented_alignment(encoder: torch.nn.Module, images: np.ndarray, recipe: Recipe, image_size: int,
                        seed: int = 0) -> float:
    """Wang & Isola 2020's alignment of `encoder` over the positive pairs `recipe` makes of
    uint8 `images` (M, S, S, 3): 0 when the two views of every image coincide."""
    return alignment(*view_features(encoder, images, recipe, image_size, seed))
