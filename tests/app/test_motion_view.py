"""The map in motion's axes follow each frame: one range for all frames let the untrained
frame's far points (x to -5.9, the trained frames within -1.3..1.1) leave half of every later
frame's map empty (a stranger's walk)."""

from __future__ import annotations

import numpy as np

from app.motion import figure, slider_labels
from ssl_core.motion import Motion


def test_each_frame_is_drawn_in_its_own_range():
    rng = np.random.default_rng(0)
    untrained, trained = rng.normal(size=(40, 2)) * 0.5, rng.normal(size=(40, 2)) * 0.5
    untrained[0] = (-5.9, 0.0)  # one far point before training
    motion = Motion(np.array([0, 50]), np.stack([untrained, trained]), np.array([0.3, 0.6]), "kNN accuracy")
    fig = figure(motion, np.arange(40), ["a", "b"] * 20, {"a": "#000", "b": "#fff"})
    first, last = (frame.layout.xaxis.range for frame in fig.frames)
    assert first[0] < -5.9 and last[0] > trained[:, 0].min() - 0.5  # every point in view, no more
    assert tuple(fig.layout.xaxis.range) == tuple(last) and fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.xaxis.showticklabels is False


def test_the_slider_labels_do_not_crowd():
    """Walk 20: 19 frames (0, 50, ..., 900, 903) ran the last two labels into each other."""
    steps = [*range(0, 901, 50), 903]
    labels = slider_labels(steps)
    assert [label for label in labels if label] == ["0", "100", "200", "300", "400", "500", "600", "700", "800", "903"]
    assert slider_labels([0, 50, 100]) == ["0", "50", "100"]
