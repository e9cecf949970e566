"""bench/tune.py's oracle: within it the saliency that steers crops and background swaps is
where the generator put the object, for the set's own pictures only."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import tune  # noqa: E402

from ssl_core.augment import ops  # noqa: E402
from ssl_core.data.builtins import clutter  # noqa: E402


def test_the_oracle_points_at_the_digit_and_refuses_a_picture_it_did_not_make():
    made = list(itertools.islice(clutter.digits_with_masks(), 4))
    images = ops.to_float(torch.from_numpy(np.stack([image for _, image, _, _ in made])))
    measured = ops.saliency
    with tune.oracle_saliency("clutter_digits"):
        weights = ops.saliency(images)
        for (_, _, _, alpha), cells in zip(made, weights):
            peak = np.unravel_index(int(cells.argmax()), cells.shape)
            assert alpha[peak[0] * 4 : peak[0] * 4 + 4, peak[1] * 4 : peak[1] * 4 + 4].mean() > 0.3  # on the ink
            assert float(cells.min()) == 0.0  # the background has none
        with pytest.raises(KeyError):
            ops.saliency(torch.rand(1, 3, 64, 64))
    assert ops.saliency is measured  # restored on the way out
