"""The map in motion as an animated GIF for slides: one frame per snapshot, the points
drawn in their group's colour on a white square, the step and the frame's number below.

    Motion (layouts (T, P, 2), scores (T,)) + colours (P, 3) -> GIF bytes (PIL, no display)
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from .motion import Motion

MARGIN = 0.06  # of the side, around the points
CAPTION = 28  # px below the map for the caption


def motion_gif(motion: Motion, colours: np.ndarray, side: int = 480, frame_ms: int = 400) -> bytes:
    """GIF bytes of `motion`'s frames, point p drawn in RGB `colours[p]` (uint8); axes fixed
    over all frames so a point's motion on the slide is its motion in the map; the last
    frame held three times as long."""
    low, high = motion.layouts.reshape(-1, 2).min(0), motion.layouts.reshape(-1, 2).max(0)
    scale = (1 - 2 * MARGIN) * side / float(max((high - low).max(), 1e-9))
    radius = max(2, side // 160)
    frames = []
    for step, layout, score in zip(motion.steps, motion.layouts, motion.scores):
        frame = Image.new("RGB", (side, side + CAPTION), "white")
        draw = ImageDraw.Draw(frame)
        pixels = (layout - low) * scale + MARGIN * side
        for (x, y), colour in zip(pixels, colours):
            y = side - y  # the map's y grows upwards
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=tuple(int(c) for c in colour))
        draw.text((10, side + 6), f"step {step} · {motion.score_name} {score:.3g}", fill="black")
        frames.append(frame)
    durations = [frame_ms] * (len(frames) - 1) + [3 * frame_ms]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    return buffer.getvalue()
