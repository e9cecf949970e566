"""Clustered vectors shaped like real image embeddings, for the explore benchmarks.

Real SSL features are not uniform noise: they sit near a low-dimensional manifold and
gather in classes of uneven size and spread. Here: `classes` Gaussian blobs in a
`latent`-dimensional space (random centres, a random width per class, class sizes drawn
from a Dirichlet), mapped linearly into `dim` dimensions, plus a little isotropic noise.
"""

from __future__ import annotations

import numpy as np

CHUNK = 65_536


def clustered(n: int, dim: int = 128, classes: int = 50, latent: int = 16,
              seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(vectors float32 (n, dim), class labels int64 (n,)), the same for the same seed."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((classes, latent)).astype(np.float32) * 2
    width = rng.uniform(0.5, 1.5, classes).astype(np.float32)
    mixing = (rng.standard_normal((latent, dim)) / np.sqrt(latent)).astype(np.float32)
    labels = rng.choice(classes, size=n, p=rng.dirichlet(np.full(classes, 2.0)))
    vectors = np.empty((n, dim), np.float32)
    for start in range(0, n, CHUNK):
        part = labels[start : start + CHUNK]
        latent_points = centres[part] + rng.standard_normal((len(part), latent), np.float32) * width[part, None]
        noise = rng.standard_normal((len(part), dim), np.float32) * 0.1
        vectors[start : start + len(part)] = latent_points @ mixing + noise
    return vectors, labels
