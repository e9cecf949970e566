"""The map in motion as an animated GIF for slides: one frame per snapshot, the points
drawn in their group's colour on a white square; below, the step and the frame's number,
the colours' legend, and what the map is (PCA: groups may overlap on it), so the slide
reads without the page beside it.

    Motion (layouts (T, P, 2), scores (T,)) + colours (P, 3) -> GIF bytes (PIL, no display)
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from .motion import Motion, score_text

MARGIN = 0.06  # of the side, around the points
LINE = 18  # px of one line of text below the map: the step and number, the legend, what the map is
NOTE = "PCA of the features: 2 directions of many, so groups may overlap here"
SWATCH = 10  # px of a legend colour


def motion_gif(motion: Motion, colours: np.ndarray, legend: dict[str, tuple[int, int, int]] | None = None,
               side: int = 480, frame_ms: int = 400) -> bytes:
    """GIF bytes of `motion`'s frames, point p drawn in RGB `colours[p]` (uint8), `legend`
    ({group: RGB}) under it in one line; axes fixed over all frames so a point's motion on
    the slide is its motion in the map; the last frame held three times as long."""
    low, high = motion.layouts.reshape(-1, 2).min(0), motion.layouts.reshape(-1, 2).max(0)
    scale = (1 - 2 * MARGIN) * side / float(max((high - low).max(), 1e-9))
    radius = max(2, side // 160)
    frames = []
    for step, layout, score in zip(motion.steps, motion.layouts, motion.scores):
        frame = Image.new("RGB", (side, side + 3 * LINE + 6), "white")
        draw = ImageDraw.Draw(frame)
        pixels = (layout - low) * scale + MARGIN * side
        for (x, y), colour in zip(pixels, colours):
            y = side - y  # the map's y grows upwards
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=tuple(int(c) for c in colour))
        draw.text((10, side + 4), f"step {step} · {motion.score_name} {score_text(motion.score_name, score)}",
                  fill="black")
        _legend(draw, legend or {}, side, side + 4 + LINE)
        draw.text((10, side + 4 + 2 * LINE), NOTE, fill=(110, 110, 110))
        frames.append(frame)
    durations = [frame_ms] * (len(frames) - 1) + [3 * frame_ms]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    return buffer.getvalue()


def _legend(draw: ImageDraw.ImageDraw, legend: dict[str, tuple[int, int, int]], side: int, top: int) -> None:
    """The groups' colours and names in one line from the left, as many as fit in `side` px."""
    x = 10
    for name, colour in legend.items():
        width = SWATCH + 4 + int(draw.textlength(str(name))) + 12
        if x + width > side:
            draw.text((x, top), "…", fill="black")
            return
        draw.rectangle((x, top + 2, x + SWATCH, top + 2 + SWATCH), fill=colour)
        draw.text((x + SWATCH + 4, top), str(name), fill="black")
        x += width
