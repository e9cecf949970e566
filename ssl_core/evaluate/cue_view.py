"""What a cue of the shortcut check reads in an image, as a picture to lay under it: the
Evaluate page's evidence shows the cue the check names, not mean colour whatever it named
(walk 11: "background texture (most)" over a row of colour swatches).

Data flow: uint8 images (n, S, S, 3) -> floats at descriptors.SIDE, their saliency and the
mask of what stands out (as descriptors.describe_batch reads them) -> per cue a picture
(n, side, side, 3) uint8 or, for whole-image statistics, a swatch (n, swatch, side, 3):
* colour: the mean colour inside the edges; brightness: its mean luma, as grey;
* background_texture: the background's luma standardised per image (the texture
  descriptor is blind to colour, brightness and contrast), what stands out greyed out;
* background_scene: the background in colour, what stands out greyed out;
* layout: the background's mean colour in LAYOUT x LAYOUT cells;
* position: the image dimmed, a dot where it stands out most (descriptors.position);
* edges: the image's edge bands, the rest greyed out (descriptors.edges).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..augment.ops import resize_side, salient_mask, saliency, to_float_side, to_uint8
from .cues import SCENE, cue_name
from .descriptors import AWAY, LAYOUT, SALIENCY_GRID, SIDE, edge_band, inside_edges, position, standardised
from .pixels import luma

GREY = 0.5  # what stands out, greyed out of a background picture
DOT = 0.08  # radius of the position dot, a share of the side
WHAT = {"colour": "its mean colour", "brightness": "its mean brightness, as grey",
        "background_texture": "its background's texture (grey levels standardised, what stands out greyed out)",
        SCENE: "its background (what stands out greyed out)",
        "layout": f"its background's colour in {LAYOUT} x {LAYOUT} cells",
        "position": "where it stands out most (the dot)",
        "edges": "its edges (the rest greyed out)"}  # what each picture shows, after "each over"


def shown_cue(shortcut: dict) -> str:
    """The cue whose picture evidence shows: the one the check names, else its highest score."""
    judged = {name: s["judged"] for name, s in shortcut["scores"].items() if s is not None}
    return shortcut["cue"] or max(judged, key=judged.__getitem__)


def evidence_title(cue: str) -> str:
    """The evidence expander's title for `cue` (a key of CUES, or SCENE)."""
    return f"Evidence for {cue_name(cue)}: a few images and their nearest neighbours, each over {WHAT[cue]}"


def _background(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    return x * keep + GREY * (1 - keep)


def _texture(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """Luma standardised over the background (descriptors.standardised), mean +- 2 std mapped to [0, 1]."""
    y = standardised(luma(x)[:, None], keep)
    return _background((y / 4 + 0.5).clamp(0, 1).expand(-1, 3, -1, -1), keep)


def _layout(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    cells = F.adaptive_avg_pool2d(x * keep, LAYOUT) / F.adaptive_avg_pool2d(keep, LAYOUT).clamp_min(1e-3)
    empty = F.adaptive_avg_pool2d(keep, LAYOUT) < 1e-3
    return F.interpolate(torch.where(empty, GREY, cells), size=x.shape[-2:], mode="nearest")


def _position(x: torch.Tensor, salience: torch.Tensor) -> torch.Tensor:
    """The image at 40% brightness, a red dot ringed in white at its position."""
    side = x.shape[-1]
    centre = position(salience)[:, :, None, None] * side  # (n, 2, 1, 1) in pixels
    cells = torch.arange(side, dtype=torch.float32) + 0.5
    distance = ((cells[None, None, :] - centre[:, 0]) ** 2 + (cells[None, :, None] - centre[:, 1]) ** 2).sqrt()
    radius = DOT * side
    red = torch.tensor([1.0, 0.1, 0.1])[None, :, None, None]
    out = torch.where((distance < radius + 1.5)[:, None], 1.0, 0.4 * x)
    return torch.where((distance < radius)[:, None], red, out)


def _edges(x: torch.Tensor) -> torch.Tensor:
    """The image's edge bands (descriptors.edges), the rest greyed out."""
    band = edge_band(x.shape[-1])
    inside = torch.zeros_like(x[:, :1])
    inside[:, :, band:-band, band:-band] = 1
    return _background(x, 1 - inside)


def cue_pictures(images: np.ndarray, cue: str, side: int, swatch: int) -> np.ndarray:
    """uint8 `images` (n, S, S, 3) -> what `cue` reads in each (module doc), uint8: (n, swatch,
    side, 3) for colour and brightness, else (n, side, side, 3)."""
    x = to_float_side(torch.from_numpy(np.array(images, dtype=np.uint8)), SIDE)
    salience = saliency(x, SALIENCY_GRID)
    keep = (salient_mask(salience, x.shape[-2:]) < AWAY).float()
    if cue in ("colour", "brightness"):  # inside the edges, as descriptors.describe_batch reads them
        mean = inside_edges(x).mean(dim=(2, 3), keepdim=True)
        value = mean if cue == "colour" else luma(mean)[:, None].expand(-1, 3, -1, -1)
        return to_uint8(value.expand(-1, -1, swatch, side)).numpy()
    picture = {"background_texture": lambda: _texture(x, keep), SCENE: lambda: _background(x, keep),
               "layout": lambda: _layout(x, keep), "position": lambda: _position(x, salience),
               "edges": lambda: _edges(x)}[cue]()
    return to_uint8(resize_side(picture, side)).numpy()

