"""The map in motion as an animated GIF for slides: one frame per snapshot, the points
drawn in their group's colour on a white square; below, the step and the frame's number,
the colours' legend (as many lines as its groups need, up to LEGEND_LINES), and what the map
is (PCA: groups may overlap on it), so the slide reads without the page beside it.

    Motion (layouts (T, P, 2), scores (T,)) + colours (P, 3) -> GIF bytes (PIL, no display)
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .motion import Motion, score_text

MARGIN = 0.06  # of the side, around the points
LINE = 18  # px of one line of text below the map: the step and number, the legend, what the map is
NOTE = "PCA of the features: 2 directions of many, so groups may overlap here"
SWATCH = 10  # px of a legend colour
FONT = ImageFont.load_default(size=12)  # the default's 10 px ran words together on a slide ("PCAof", walk 11)
LEGEND_LINES = 6  # beyond: "and N more" (walk 10's one line named 9 of 24 classes; 24 names of 9 letters take 5)
Legend = dict[str, tuple[int, int, int]]  # {group: RGB}


def motion_gif(motion: Motion, colours: np.ndarray, legend: Legend | None = None,
               side: int = 480, frame_ms: int = 400) -> bytes:
    """GIF bytes of `motion`'s frames, point p drawn in RGB `colours[p]` (uint8), `legend`
    ({group: RGB}) under it in lines of `side` px; axes fixed over all frames so a point's
    motion on the slide is its motion in the map; the last frame held three times as long."""
    low, high = motion.layouts.reshape(-1, 2).min(0), motion.layouts.reshape(-1, 2).max(0)
    scale = (1 - 2 * MARGIN) * side / float(max((high - low).max(), 1e-9))
    start = (side - (high - low) * scale) / 2  # (2,) px: the points' box centred (walk 37: a wide map's points sat in
    # the bottom 45% of the square, the top half blank)
    radius = max(2, side // 160)
    lines, left_out = legend_lines(legend or {}, side)
    frames = []
    for step, layout, score in zip(motion.steps, motion.layouts, motion.scores):
        frame = Image.new("RGB", (side, side + (2 + max(1, len(lines))) * LINE + 6), "white")
        draw = ImageDraw.Draw(frame)
        pixels = (layout - low) * scale + start
        for (x, y), colour in zip(pixels, colours):
            y = side - y  # the map's y grows upwards
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=tuple(int(c) for c in colour))
        draw.text((10, side + 4), f"step {step} · {motion.score_name} {score_text(motion.score_name, score)}",
                  fill="black", font=FONT)
        _legend(draw, lines, left_out, side + 4 + LINE)
        draw.text((10, side + 4 + (1 + max(1, len(lines))) * LINE), NOTE, fill=(110, 110, 110), font=FONT)
        frames.append(frame)
    durations = [frame_ms] * (len(frames) - 1) + [3 * frame_ms]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    return buffer.getvalue()


def _width(name: str) -> int:
    """px one legend entry takes: its swatch, its name in the default font, a gap."""
    return SWATCH + 4 + int(FONT.getlength(name)) + 12


def legend_lines(legend: Legend, side: int) -> tuple[list[list[tuple[str, tuple[int, int, int]]]], int]:
    """`legend`'s entries in lines that fit `side` px, at most LEGEND_LINES (the last keeping
    room for "and N more"), and how many were left out."""
    entries = [(str(name), colour) for name, colour in legend.items()]
    lines: list[list[tuple[str, tuple[int, int, int]]]] = []
    x = side  # no line yet
    for placed, (name, colour) in enumerate(entries):
        if x + _width(name) > side:
            if len(lines) == LEGEND_LINES:
                return lines, len(entries) - placed
            lines.append([])
            x = 10
        after = len(entries) - placed - 1  # entries after this one, said as "and N more" if they do not fit
        if len(lines) == LEGEND_LINES and after and x + _width(name) + _width(f"and {after} more") > side:
            return lines, len(entries) - placed
        lines[-1].append((name, colour))
        x += _width(name)
    return lines, 0


def _legend(draw: ImageDraw.ImageDraw, lines: list, left_out: int, top: int) -> None:
    """The legend's `lines` from the left from `top`, "and N more" after the last where some were left out."""
    for row, line in enumerate(lines):
        x, y = 10, top + row * LINE
        for name, colour in line:
            draw.rectangle((x, y + 2, x + SWATCH, y + 2 + SWATCH), fill=colour)
            draw.text((x + SWATCH + 4, y), name, fill="black", font=FONT)
            x += _width(name)
        if left_out and row == len(lines) - 1:
            draw.text((x, y), f"and {left_out} more", fill="black", font=FONT)
