"""What a masked-prediction run paints back, step by step (issue 14): the paintings the
engine kept with the run's snapshots (ssl_core.snapshots.load_paintings) drawn as rows of
one strip each: the probe images with their hidden patches grey, the painting at up to
ROWS snapshot steps with its measured error on the hidden pixels, and the originals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from ssl_core.snapshots import load_paintings

ROWS = 6  # snapshot steps shown: the first, the last and evenly spaced between
GAP = 2  # pixels between images in a strip


def strip(images: np.ndarray) -> np.ndarray:
    """Images (K, s, s, 3) uint8 side by side with white gaps: (s, K*s + (K-1)*GAP, 3)."""
    k, side = images.shape[:2]
    out = np.full((side, k * side + (k - 1) * GAP, 3), 255, np.uint8)
    for i, image in enumerate(images):
        out[:, i * (side + GAP) : i * (side + GAP) + side] = image
    return out


def shown_frames(count: int) -> list[int]:
    """Up to ROWS frame indices of `count`: the first, the last, evenly spaced between."""
    return sorted({round(i) for i in np.linspace(0, count - 1, min(ROWS, count))})


def paintings_panel(run_folder: Path) -> None:
    """The run's paintings, or nothing for a run that kept none (not MAE, or an older run)."""
    paintings = load_paintings(run_folder)
    if paintings is None:
        return
    hidden = ~(paintings.masked != 128).any(-1)  # (K, s, s): the grey, hidden pixels
    st.subheader("What it paints back, step by step")
    st.caption("The same patches of the same images are hidden at every step (top row, grey). Each row below "
               "is the model's painting of them at that step (visible patches are copied); the error is the "
               "mean difference from the original on the hidden pixels, 0-255. The last row is the original.")
    width = 80 * len(paintings.views)
    rows = [("hidden", paintings.masked)]
    for t in shown_frames(len(paintings.steps)):
        error = np.abs(paintings.painted[t].astype(np.int16) - paintings.views.astype(np.int16))[hidden].mean()
        rows.append((f"step {paintings.steps[t]} · error {error:.1f}", paintings.painted[t]))
    rows.append(("original", paintings.views))
    for label, images in rows:
        left, right = st.columns([1, 5], vertical_alignment="center")
        left.caption(label)
        right.image(strip(images), width=width)
