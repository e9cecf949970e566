"""Batched augmentation ops with per-sample random parameters, on any device.

Every op takes a float batch (N, 3, H, W) in [0, 1] and a `torch.Generator`, draws one
set of parameters per sample, and works on the whole batch at once; no Python loop runs
over images. Two costly ops are fused where the libraries are slow:

* crop, flip and resize are one affine `grid_sample` per batch;
* colour jitter (brightness, contrast, saturation, hue, in a random order per sample)
  and grayscale are one 3x3 colour matrix plus offset per sample, applied by one
  batched matmul and clamped once at the end. Hue is a rotation about the grey axis in
  YIQ space, the linear form of a hue shift.

Gaussian blur is separable, with a kernel per sample applied as a grouped convolution.

Nothing here waits for the device or copies from the host per batch (on CUDA either stalls
the queue): colour constants are made once per device, and off the CPU blur runs on every
sample and keeps the chosen ones (`torch.where`), where picking them would need `nonzero`.
"""

from __future__ import annotations

import functools
import math

import torch
import torch.nn.functional as F

# ITU-R 601 luma: what "grayscale" means in torchvision and PIL.
LUMA = (0.299, 0.587, 0.114)
_RGB_TO_YIQ = ((0.299, 0.587, 0.114), (0.596, -0.274, -0.322), (0.211, -0.523, 0.312))


def uniform(n: int, low: float, high: float, gen: torch.Generator, device: torch.device) -> torch.Tensor:
    """(n,) samples from U(low, high)."""
    return low + (high - low) * torch.rand(n, generator=gen, device=device)


def coin(n: int, p: float, gen: torch.Generator, device: torch.device) -> torch.Tensor:
    """(n,) bool, each True with probability p."""
    return torch.rand(n, generator=gen, device=device) < p


def to_float(batch_uint8: torch.Tensor) -> torch.Tensor:
    """uint8 (N, H, W, 3) -> float (N, 3, H, W) in [0, 1]."""
    return batch_uint8.permute(0, 3, 1, 2).to(torch.float32).contiguous().div_(255.0)


def resize_side(x: torch.Tensor, side: int) -> torch.Tensor:
    """float (N, 3, S, S) -> (N, 3, side, side), bilinear and antialiased (itself when S
    is already `side`): the whole image as an encoder sees it, no augmentation."""
    if x.shape[-1] == side:
        return x
    return F.interpolate(x, size=(side, side), mode="bilinear", antialias=True, align_corners=False).clamp_(0, 1)


def to_float_side(batch_uint8: torch.Tensor, side: int) -> torch.Tensor:
    """uint8 (N, S, S, 3) -> float (N, 3, side, side) in [0, 1] (to_float, resize_side)."""
    return resize_side(to_float(batch_uint8), side)


def to_uint8(batch: torch.Tensor) -> torch.Tensor:
    """float (N, 3, H, W) in [0, 1] -> uint8 (N, H, W, 3)."""
    return batch.clamp(0, 1).mul(255).round_().to(torch.uint8).permute(0, 2, 3, 1)


def resized_crop_flip(x: torch.Tensor, size: int, scale: tuple[float, float],
                      ratio: tuple[float, float], flip_p: float, gen: torch.Generator,
                      focus: torch.Tensor | None = None, turn_p: float = 0.0) -> torch.Tensor:
    """Random resized crop + horizontal flip, (N, 3, H, W) -> (N, 3, size, size).

    Per sample: area fraction ~ U(scale), log aspect ratio ~ U(log ratio), a centre that
    keeps the crop inside the image, and a flip with probability `flip_p` (as
    torchvision's RandomResizedCrop + RandomHorizontalFlip; crops wider than the image
    are narrowed to fit rather than redrawn). `focus` (N, 2), x and y in [-1, 1], NaN
    where free: the crop is centred there instead, moved only as far as needed to stay
    inside the image. With probability `turn_p` the view has no up: it is transposed (a
    quarter turn with the flip) and turned upside down, each with chance 1/2, so with
    `flip_p` 0.5 every one of the square's 8 turns and mirrorings is equally likely (the
    rotation augmentation of cell and aerial pictures, e.g. Veeling et al. 2018).
    """
    n, device = x.shape[0], x.device
    area = uniform(n, scale[0], scale[1], gen, device)
    log_ratio = uniform(n, math.log(ratio[0]), math.log(ratio[1]), gen, device)
    aspect = torch.exp(log_ratio)
    width = torch.sqrt(area * aspect).clamp(max=1.0)  # fractions of the image side
    height = torch.sqrt(area / aspect).clamp(max=1.0)
    centre_x = (1 - width) * (2 * torch.rand(n, generator=gen, device=device) - 1)  # in [-1, 1]
    centre_y = (1 - height) * (2 * torch.rand(n, generator=gen, device=device) - 1)
    if focus is not None:
        centre_x = torch.where(focus[:, 0].isnan(), centre_x, focus[:, 0]).clamp(width - 1, 1 - width)
        centre_y = torch.where(focus[:, 1].isnan(), centre_y, focus[:, 1]).clamp(height - 1, 1 - height)
    flip = torch.where(coin(n, flip_p, gen, device), -1.0, 1.0)
    transposed = None
    if turn_p > 0:  # drawn only then: a recipe without turns keeps its random stream, and its views
        turned = coin(n, turn_p, gen, device)
        height = height * torch.where(turned & coin(n, 0.5, gen, device), -1.0, 1.0)  # upside down
        transposed = (turned & coin(n, 0.5, gen, device))[:, None, None]  # x runs down the rows, y across
    # The map is axis-aligned, so the sampling grid is an outer product of two lines
    # (cheaper than affine_grid). Coordinates are normalised to [-1, 1], pixel centres.
    line = (torch.arange(size, device=device, dtype=x.dtype) + 0.5) * (2 / size) - 1
    grid_x = (width * flip)[:, None] * line[None, :] + centre_x[:, None]  # (N, size)
    grid_y = height[:, None] * line[None, :] + centre_y[:, None]

    def across(values: torch.Tensor) -> torch.Tensor:  # (N, size) -> (N, size, size): along each row, every row alike
        return values[:, None, :].expand(n, size, size)

    def down(values: torch.Tensor) -> torch.Tensor:  # down each column, every column alike
        return values[:, :, None].expand(n, size, size)

    xs, ys = across(grid_x), down(grid_y)
    if transposed is not None:
        xs, ys = torch.where(transposed, down(grid_x), xs), torch.where(transposed, across(grid_y), ys)
    grid = torch.stack([xs, ys], dim=3)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def saliency(x: torch.Tensor, grid: int = 16) -> torch.Tensor:
    """Where each image stands out from its surroundings: (N, 3, H, W) -> (N, grid, grid) >= 0.

    Centre-surround colour contrast (Itti, Koch and Niebur 1998): on a `grid`-sided copy,
    the squared distance between the image blurred a little and blurred a lot, less its
    mean over the image (the halo a blur spreads around a spot stays below the mean).
    A fixed prior that needs no model, where ContrastiveCrop (Peng et al. 2022) uses the
    model's own heatmaps.
    """
    n, device = x.shape[0], x.device
    small = resize_side(x, grid)
    ones = torch.ones(n, device=device, dtype=x.dtype)
    centre = _blur(small, ones, 2)
    surround = _blur(small, ones * (grid / 4), (grid - 1) // 2)
    contrast = (centre - surround).pow(2).sum(1)  # (N, grid, grid)
    return (contrast - contrast.mean((1, 2), keepdim=True)).clamp_min(0)


def salient_points(weights: torch.Tensor, p: float, gen: torch.Generator) -> torch.Tensor:
    """With probability `p` per sample, a point drawn from `saliency` weights (N, g, g),
    uniform within the drawn cell, else NaN (free): (N, 2), x and y in [-1, 1]. Crops
    centred there keep a small object in both views of a pair."""
    n, grid, device = weights.shape[0], weights.shape[-1], weights.device
    cell = torch.multinomial(weights.flatten(1) + 1e-8, 1, generator=gen).squeeze(1)
    offset = torch.rand(n, 2, generator=gen, device=device)
    xy = torch.stack([cell % grid, cell // grid], dim=1).to(offset.dtype)
    points = (xy + offset) * (2 / grid) - 1
    return torch.where(coin(n, p, gen, device)[:, None], points, torch.full_like(points, float("nan")))


def swap_background(x: torch.Tensor, weights: torch.Tensor, p: float, gen: torch.Generator) -> torch.Tensor:
    """With probability `p` per sample, keep where the image stands out (`saliency` weights
    (N, g, g), scaled to a soft mask that is 1 from half the image's peak) and fill the rest
    from another image of the batch, whose own salient part is painted over with its
    blurred surroundings: (N, 3, H, W) -> same. The two views of a pair then
    share the object and not the background, so the background stops telling them apart
    (Ryali et al. 2021, Characterizing and Improving the Robustness of Self-Supervised
    Learning through Background Augmentations; there with a saliency network's masks)."""
    n, device = x.shape[0], x.device
    mask = salient_mask(weights, x.shape[-2:])
    blurry = F.interpolate(resize_side(x, 4), size=x.shape[-2:], mode="bilinear", align_corners=False)
    background = mask * blurry + (1 - mask) * x  # each image with what stands out painted over
    order = torch.randperm(n, generator=gen, device=device)
    mixed = mask * x + (1 - mask) * background[order]
    return torch.where(coin(n, p, gen, device)[:, None, None, None], mixed, x)


def salient_mask(weights: torch.Tensor, size: torch.Size) -> torch.Tensor:
    """`saliency` weights (N, g, g) -> where each image stands out: a soft mask (N, 1, H, W)
    of `size` (H, W), in [0, 1], that is 1 from half the image's peak weight."""
    peak = weights.flatten(1).amax(1).clamp_min(1e-8)[:, None, None]
    return F.interpolate((2 * weights / peak).clamp(0, 1)[:, None], size=size, mode="bilinear", align_corners=False)


def _eye(n: int, device: torch.device) -> torch.Tensor:
    return torch.eye(3, device=device).expand(n, 3, 3)


@functools.cache
def _colour_constants(device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(luma (3,), RGB->YIQ (3, 3), YIQ->RGB (3, 3)) on `device`, copied there once."""
    to_yiq = torch.tensor(_RGB_TO_YIQ, dtype=torch.float64)
    return tuple(t.float().to(device) for t in (torch.tensor(LUMA), to_yiq, torch.linalg.inv(to_yiq)))


def _hue_matrices(angle: torch.Tensor) -> torch.Tensor:
    """(N,) angles in radians -> (N, 3, 3) RGB matrices rotating hue about the grey axis."""
    _, to_yiq, from_yiq = _colour_constants(angle.device)
    cos, sin = torch.cos(angle), torch.sin(angle)
    rotation = torch.zeros(angle.shape[0], 3, 3, device=angle.device)
    rotation[:, 0, 0] = 1
    rotation[:, 1, 1], rotation[:, 1, 2] = cos, -sin
    rotation[:, 2, 1], rotation[:, 2, 2] = sin, cos
    return from_yiq @ rotation @ to_yiq


def colour_jitter_grayscale(x: torch.Tensor, brightness: float, contrast: float, saturation: float,
                            hue: float, jitter_p: float, gray_p: float,
                            gen: torch.Generator) -> torch.Tensor:
    """ColorJitter (random op order per sample) applied with probability `jitter_p`, then
    RandomGrayscale with probability `gray_p`; fused into one affine colour map per sample.

    Factors as torchvision: brightness, contrast, saturation ~ U(1-s, 1+s) (s >= 0), hue
    shift ~ U(-h, h) turns (h <= 0.5). Contrast blends with the mean grey of the image
    as it is at that point of the chain, tracked exactly through the composition.
    """
    n, device = x.shape[0], x.device
    luma = _colour_constants(device)[0]
    grey = torch.ones(3, 1, device=device) @ luma[None, :]  # (3, 3): pixel -> its grey, x3
    mean_rgb = x.mean(dim=(2, 3))  # (N, 3)
    jitter = coin(n, jitter_p, gen, device)
    factors = {
        "brightness": uniform(n, max(0.0, 1 - brightness), 1 + brightness, gen, device),
        "contrast": uniform(n, max(0.0, 1 - contrast), 1 + contrast, gen, device),
        "saturation": uniform(n, max(0.0, 1 - saturation), 1 + saturation, gen, device),
    }
    hue_turns = uniform(n, -hue, hue, gen, device)
    order = torch.argsort(torch.rand(n, 4, generator=gen, device=device), dim=1)
    matrix, offset = _eye(n, device).clone(), torch.zeros(n, 3, device=device)
    hue_matrix = _hue_matrices(2 * math.pi * hue_turns)
    for position in range(4):
        op = order[:, position]
        b = factors["brightness"][:, None, None]
        c = factors["contrast"][:, None, None]
        s = factors["saturation"][:, None, None]
        current_mean_grey = ((matrix @ mean_rgb[:, :, None]).squeeze(2) + offset) @ luma  # (N,)
        candidates = [
            (b * matrix, b[:, :, 0] * offset),
            (c * matrix, c[:, :, 0] * offset + (1 - c[:, :, 0]) * current_mean_grey[:, None]),
            ((s * _eye(n, device) + (1 - s) * grey) @ matrix,
             ((s * _eye(n, device) + (1 - s) * grey) @ offset[:, :, None]).squeeze(2)),
            (hue_matrix @ matrix, (hue_matrix @ offset[:, :, None]).squeeze(2)),
        ]
        for index, (new_matrix, new_offset) in enumerate(candidates):
            pick = jitter & (op == index)
            matrix = torch.where(pick[:, None, None], new_matrix, matrix)
            offset = torch.where(pick[:, None], new_offset, offset)
    gray = coin(n, gray_p, gen, device)
    matrix = torch.where(gray[:, None, None], grey @ matrix, matrix)
    offset = torch.where(gray[:, None], (grey @ offset[:, :, None]).squeeze(2), offset)
    h, w = x.shape[2:]
    mapped = torch.baddbmm(offset[:, :, None], matrix, x.reshape(n, 3, h * w))
    return mapped.reshape(n, 3, h, w).clamp_(0, 1)


def gaussian_blur(x: torch.Tensor, p: float, sigma: tuple[float, float], gen: torch.Generator) -> torch.Tensor:
    """Gaussian blur with probability `p`, sigma ~ U(sigma) in pixels, per sample.

    A separable kernel per sample (radius 3 sigma), applied as two grouped convolutions
    with reflection padding. On the CPU only the chosen samples are blurred (at 96 px,
    256 images, 281 ms against 398 ms for all); on other devices every sample is, and
    the chosen take the result, since picking them (`nonzero`) would stall the queue.
    """
    n, device = x.shape[0], x.device
    chosen = coin(n, p, gen, device)
    sigmas = uniform(n, sigma[0], sigma[1], gen, device)
    h, w = x.shape[2:]
    radius = max(1, min(math.ceil(3 * sigma[1]), (min(h, w) - 1) // 2))
    if device.type != "cpu":
        return torch.where(chosen[:, None, None, None], _blur(x, sigmas, radius), x) if p > 0 else x
    index = chosen.nonzero().squeeze(1)
    if index.numel() == 0:
        return x
    out = x.clone()
    out[index] = _blur(x[index], sigmas[index], radius)
    return out


def _blur(x: torch.Tensor, sigmas: torch.Tensor, radius: int) -> torch.Tensor:
    """(M, 3, H, W) each blurred by a Gaussian of its own sigma (M,), `radius` taps a side."""
    m, _, h, w = x.shape
    taps = torch.arange(-radius, radius + 1, device=x.device, dtype=x.dtype)
    kernel = torch.exp(-0.5 * (taps[None, :] / sigmas[:, None]) ** 2)
    kernel = (kernel / kernel.sum(dim=1, keepdim=True)).repeat_interleave(3, dim=0)  # (M*3, K)
    out = F.conv2d(F.pad(x.reshape(1, m * 3, h, w), (radius, radius, 0, 0), mode="reflect"),
                   kernel[:, None, None, :], groups=m * 3)
    out = F.conv2d(F.pad(out, (0, 0, radius, radius), mode="reflect"), kernel[:, None, :, None], groups=m * 3)
    return out.reshape(m, 3, h, w)


def solarize(x: torch.Tensor, p: float, gen: torch.Generator, threshold: float = 0.5) -> torch.Tensor:
    """With probability `p` per sample, invert every value at or above `threshold`."""
    chosen = coin(x.shape[0], p, gen, x.device)[:, None, None, None]
    return torch.where(chosen & (x >= threshold), 1 - x, x)


def random_patch_mask(n: int, patches: int, ratio: float, gen: torch.Generator,
                      device: torch.device) -> torch.Tensor:
    """(n, patches) bool, exactly round(patches * ratio) True (hidden) per row, as MAE."""
    hidden = int(round(patches * ratio))
    ranks = torch.argsort(torch.argsort(torch.rand(n, patches, generator=gen, device=device), dim=1), dim=1)
    return ranks < hidden
