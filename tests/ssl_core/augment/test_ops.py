"""The batched ops against naive per-image references: crop/flip as identity and mirror,
the uint8 round trip, grayscale, brightness, contrast, saturation and hue as the colour
maps they stand for, blur against a direct 2-D convolution, solarize, MAE masks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ssl_core.augment import ops

N, SIDE = 5, 16
LUMA = torch.tensor([0.299, 0.587, 0.114])


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.fixture(scope="module")
def images() -> torch.Tensor:
    """(N, 3, SIDE, SIDE) float in [0, 1]: structured (gradients + a bright square), every
    sample different and no two pixels of a row alike, so a flip or shift shows."""
    y, x = torch.meshgrid(torch.arange(SIDE), torch.arange(SIDE), indexing="ij")
    batch = []
    for i in range(N):
        image = torch.stack([x / (SIDE - 1), y / (SIDE - 1), torch.full_like(x, i, dtype=torch.float32) / N])
        image = 0.1 + 0.6 * image  # away from 0 and 1: no clamping in the colour tests
        image[:, 3 + i : 8 + i, 2:6] = torch.tensor([0.8, 0.3, 0.2])[:, None, None]
        batch.append(image.float())
    return torch.stack(batch)


def grey_of(x: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) -> (N, 1, H, W) luma, the naive way."""
    return (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2])[:, None]


def fit_scalar(target: torch.Tensor, basis: torch.Tensor, output: torch.Tensor) -> float:
    """Least-squares s with target ~ s * basis, over the pixels where `output` was not
    clamped to 0 or 1."""
    free = (output > 1e-6) & (output < 1 - 1e-6)
    return float((target * basis)[free].sum() / (basis * basis)[free].sum())


# -- crop and flip -------------------------------------------------------------------------

def test_full_crop_without_flip_is_the_identity(images):
    out = ops.resized_crop_flip(images, SIDE, (1.0, 1.0), (1.0, 1.0), 0.0, gen())
    assert out.shape == images.shape
    torch.testing.assert_close(out, images, atol=1e-5, rtol=0)


def test_full_crop_with_flip_is_the_mirror_image(images):
    out = ops.resized_crop_flip(images, SIDE, (1.0, 1.0), (1.0, 1.0), 1.0, gen())
    torch.testing.assert_close(out, torch.flip(images, dims=[3]), atol=1e-5, rtol=0)
    assert not torch.allclose(out, images, atol=1e-2)


def test_turns_give_each_of_the_squares_8_symmetries_alike_and_none_leaves_the_stream_as_it_was():
    """Walks 39 and 40 (cells, aerial tiles): no stage turned a view or stood it on its head.
    With turn_p 1 and flip_p 0.5 a whole-image view is one of the 8 turns and mirrorings of
    the square, each about as often; turn_p 0 draws nothing more than before."""
    image = torch.rand(1, 3, SIDE, SIDE, generator=torch.Generator().manual_seed(5))
    symmetries = [torch.rot90(image, k, dims=(2, 3)) for k in range(4)]
    symmetries += [torch.flip(turned, dims=[3]) for turned in symmetries]
    out = ops.resized_crop_flip(image.expand(4000, -1, -1, -1), SIDE, (1.0, 1.0), (1.0, 1.0), 0.5, gen(), turn_p=1.0)
    found = [min(range(8), key=lambda k: float((view - symmetries[k][0]).abs().max())) for view in out]
    assert all(float((view - symmetries[k][0]).abs().max()) < 1e-5 for view, k in zip(out, found))
    assert all(440 < count < 560 for count in np.bincount(found, minlength=8))
    plain, turned_never = gen(), gen()
    ops.resized_crop_flip(image, SIDE, (0.5, 1.0), (3 / 4, 4 / 3), 0.5, plain)
    ops.resized_crop_flip(image, SIDE, (0.5, 1.0), (3 / 4, 4 / 3), 0.5, turned_never, turn_p=0.0)
    assert torch.equal(plain.get_state(), turned_never.get_state())


def test_full_crop_resizes_to_the_requested_side(images):
    """A 2x downscale with pixel-centre sampling is the mean of each 2x2 block."""
    out = ops.resized_crop_flip(images, SIDE // 2, (1.0, 1.0), (1.0, 1.0), 0.0, gen())
    blocks = images.reshape(N, 3, SIDE // 2, 2, SIDE // 2, 2).mean(dim=(3, 5))
    torch.testing.assert_close(out, blocks, atol=1e-5, rtol=0)


def test_small_crops_stay_inside_the_image():
    """A crop of a quarter of the area of an image whose left half is 0 and right half is 1
    sees only values in [0, 1] (border padding never shows) and varies per sample."""
    x = torch.zeros(64, 3, SIDE, SIDE)
    x[..., SIDE // 2 :] = 1.0
    out = ops.resized_crop_flip(x, SIDE, (0.25, 0.25), (1.0, 1.0), 0.0, gen())
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    means = out.mean(dim=(1, 2, 3))
    assert len({round(float(m), 4) for m in means}) > 10


def _one_spot(n: int, side: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """(n, 3, side, side) grey noise, each with one red 4x4 square at a random place at
    least a quarter side from the edges, and the squares' centres (n, 2) in [-1, 1]."""
    rng = torch.Generator().manual_seed(1)
    x = 0.5 + 0.05 * torch.rand(n, 3, side, side, generator=rng)
    corner = torch.randint(side // 4, side - side // 4 - 4, (n, 2), generator=rng)
    for i, (cx, cy) in enumerate(corner.tolist()):
        x[i, :, cy : cy + 4, cx : cx + 4] = torch.tensor([1.0, 0.0, 0.0])[:, None, None]
    return x, (corner + 2) * (2 / side) - 1


def test_salient_points_land_on_the_one_spot_that_stands_out():
    x, centres = _one_spot(64)
    points = ops.salient_points(ops.saliency(x), 1.0, gen())
    assert float((points - centres).abs().max()) <= 2 * 2 / 16  # within two cells of the 16-grid


def test_salient_points_are_free_with_probability_one_minus_p():
    x, _ = _one_spot(400)
    weights = ops.saliency(x)
    assert bool(ops.salient_points(weights, 0.0, gen()).isnan().all())
    free = ops.salient_points(weights, 0.5, gen()).isnan().all(dim=1).float().mean()
    assert 0.4 < float(free) < 0.6


def test_swapped_background_keeps_the_spot_and_takes_the_rest_from_another_image():
    x, _ = _one_spot(8)
    x[4:] = 0.1  # the second half's backgrounds are dark: a swap shows
    out = ops.swap_background(x, ops.saliency(x), 1.0, gen())
    red = (x[:, 0] > 0.9) & (x[:, 1] < 0.1)
    assert float(out[:, 0][red].mean()) > 0.85  # the spot stays (its rim softly blended)
    corners = out[:, :, :4, :4].mean(dim=(1, 2, 3))
    assert len({round(float(c), 1) for c in corners}) == 2  # backgrounds now from both halves
    assert torch.equal(ops.swap_background(x, ops.saliency(x), 0.0, gen()), x)


def test_a_focused_crop_is_centred_on_its_focus_and_stays_inside():
    """A quarter-side crop centred on the red square shows red in its middle; focus at a
    corner moves the crop only as far as needed to stay inside (no border padding)."""
    x, centres = _one_spot(16)
    out = ops.resized_crop_flip(x, 16, (1 / 16, 1 / 16), (1.0, 1.0), 0.0, gen(), centres)
    assert bool((out[:, 0, 7:9, 7:9] > 0.9).all())
    corner = torch.full((16, 2), 1.0)
    edge = torch.zeros(16, 3, 32, 32)
    edge[..., -8:, -8:] = 1.0  # the bottom-right eighth-side square
    out = ops.resized_crop_flip(edge, 8, (1 / 16, 1 / 16), (1.0, 1.0), 0.0, gen(), corner)
    assert float(out.min()) > 0.99


# -- uint8 <-> float -------------------------------------------------------------------------

def test_uint8_round_trip_is_exact():
    values = torch.arange(256, dtype=torch.uint8)
    batch = torch.stack([values.roll(k) for k in range(3 * 4 * 16)]).reshape(4, 16, 256, 3)
    as_float = ops.to_float(batch)
    assert as_float.shape == (4, 3, 16, 256) and as_float.dtype == torch.float32
    assert float(as_float.min()) == 0.0 and float(as_float.max()) == 1.0
    torch.testing.assert_close(as_float[:, 0], batch[..., 0].float() / 255)  # channel order kept
    back = ops.to_uint8(as_float)
    assert back.dtype == torch.uint8 and torch.equal(back, batch)


def test_to_uint8_rounds_and_clamps():
    x = torch.tensor([-0.5, 0.0, 0.6 / 255, 0.4 / 255, 1.0, 2.0]).reshape(1, 1, 1, 6).expand(1, 3, 1, 6)
    assert ops.to_uint8(x)[0, 0, :, 0].tolist() == [0, 0, 1, 0, 255, 255]


# -- colour ----------------------------------------------------------------------------------

def colour(x, brightness=0.0, contrast=0.0, saturation=0.0, hue=0.0, jitter_p=1.0, gray_p=0.0, seed=0):
    return ops.colour_jitter_grayscale(x, brightness, contrast, saturation, hue, jitter_p, gray_p, gen(seed))


def test_grayscale_is_the_luma_of_each_pixel_on_three_channels(images):
    out = colour(images, 0.8, 0.8, 0.8, 0.2, jitter_p=0.0, gray_p=1.0)
    expected = grey_of(images).expand(-1, 3, -1, -1)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=0)


def test_nothing_applied_returns_the_input(images):
    out = colour(images, 0.8, 0.8, 0.8, 0.2, jitter_p=0.0, gray_p=0.0)
    torch.testing.assert_close(out, images, atol=1e-6, rtol=0)


def test_brightness_alone_scales_each_sample_by_its_own_factor(images):
    x = images.repeat(4, 1, 1, 1)  # 20 samples
    out = colour(x, brightness=0.5)
    factors = []
    for sample, source in zip(out, x):
        factor = fit_scalar(sample, source, sample)
        assert 0.5 - 1e-4 <= factor <= 1.5 + 1e-4
        torch.testing.assert_close(sample, (factor * source).clamp(0, 1), atol=1e-5, rtol=0)
        factors.append(factor)
    assert len({round(f, 3) for f in factors}) == len(factors)  # per sample, not per batch


def test_brightness_clamps_at_one():
    x = torch.full((8, 3, 4, 4), 0.9)
    out = colour(x, brightness=0.9, seed=3)
    fitted = [float(s.max()) for s in out]
    assert max(fitted) == 1.0  # some factor > 1.12 pushed 0.9 past 1: clamped, not wrapped
    assert min(fitted) < 0.9


def test_contrast_alone_blends_with_the_mean_grey(images):
    out = colour(images, contrast=0.5)
    for sample, source in zip(out, images):
        mean_grey = float(grey_of(source[None]).mean())
        c = fit_scalar(sample - mean_grey, source - mean_grey, sample)
        assert 0.5 - 1e-4 <= c <= 1.5 + 1e-4
        torch.testing.assert_close(sample, (c * source + (1 - c) * mean_grey).clamp(0, 1), atol=1e-5, rtol=0)


def test_saturation_alone_moves_each_pixel_along_its_grey(images):
    out = colour(images, saturation=0.9)
    grey = grey_of(images)
    for sample, source, g in zip(out, images, grey):
        s = fit_scalar(sample - g, source - g, sample)
        assert 0.1 - 1e-4 <= s <= 1.9 + 1e-4
        torch.testing.assert_close(sample, (s * source + (1 - s) * g).clamp(0, 1), atol=1e-5, rtol=0)
    unclamped = ((out > 0) & (out < 1)).all(dim=1, keepdim=True)
    torch.testing.assert_close(grey_of(out)[unclamped], grey[unclamped], atol=1e-5, rtol=0)  # luma kept


def test_hue_rotation_keeps_grey_pixels_grey_and_keeps_luma():
    rng = torch.Generator().manual_seed(1)
    x = 0.4 + 0.2 * torch.rand(16, 3, 6, 6, generator=rng)  # mild colours: nothing clips
    x[:, :, :3] = torch.rand(16, 1, 3, 6, generator=rng).expand(-1, 3, -1, -1) * 0.8 + 0.1  # grey rows
    out = colour(x, hue=0.5)
    grey_rows = out[:, :, :3]
    torch.testing.assert_close(grey_rows, x[:, :, :3], atol=1e-5, rtol=0)
    torch.testing.assert_close(grey_of(out), grey_of(x), atol=1e-5, rtol=0)
    assert (out[:, :, 3:] - x[:, :, 3:]).abs().amax() > 0.02  # the colours did turn


def test_hue_turn_back_undoes_the_turn():
    """Hue is a rotation about the grey axis: turning by -a undoes +a, and 0 is the identity."""
    angles = torch.tensor([0.3, -1.2, 2.0])
    forward = ops._hue_matrices(angles)
    backward = ops._hue_matrices(-angles)
    torch.testing.assert_close(forward @ backward, torch.eye(3).expand(3, 3, 3), atol=1e-5, rtol=0)
    torch.testing.assert_close(ops._hue_matrices(torch.zeros(2)), torch.eye(3).expand(2, 3, 3),
                               atol=1e-6, rtol=0)


def naive_jitter(image: torch.Tensor, order: list[int], b: float, c: float, s: float,
                 hue_turns: float) -> torch.Tensor:
    """One (3, H, W) image through brightness, contrast, saturation, hue (ops 0..3) in
    `order`, one op at a time, the plain way (no clamping: the inputs keep inside [0, 1])."""
    yiq = torch.tensor(ops._RGB_TO_YIQ, dtype=torch.float64)
    angle = 2 * np.pi * hue_turns
    rotation = torch.tensor([[1, 0, 0], [0, np.cos(angle), -np.sin(angle)], [0, np.sin(angle), np.cos(angle)]],
                            dtype=torch.float64)
    x = image.double()
    for op in order:
        if op == 0:
            x = b * x
        elif op == 1:
            x = c * x + (1 - c) * grey_of(x[None]).mean()
        elif op == 2:
            x = s * x + (1 - s) * grey_of(x[None])[0]
        else:
            x = torch.einsum("ij,jhw->ihw", torch.linalg.inv(yiq) @ rotation @ yiq, x)
    return x


def test_full_jitter_is_the_four_ops_in_a_random_order_per_sample():
    """Replays the op's documented draws (apply coin, brightness, contrast, saturation, hue,
    then a random order per sample) and applies the four ops one by one, per image."""
    n = 24
    rng = torch.Generator().manual_seed(5)
    x = 0.42 + 0.16 * torch.rand(n, 3, 5, 5, generator=rng)  # mild: nothing clips
    strength = (0.3, 0.3, 0.3, 0.1)
    out = ops.colour_jitter_grayscale(x, *strength, 1.0, 0.0, gen(7))

    replay = gen(7)
    ops.coin(n, 1.0, replay, x.device)
    b = ops.uniform(n, 0.7, 1.3, replay, x.device)
    c = ops.uniform(n, 0.7, 1.3, replay, x.device)
    s = ops.uniform(n, 0.7, 1.3, replay, x.device)
    h = ops.uniform(n, -0.1, 0.1, replay, x.device)
    order = torch.argsort(torch.rand(n, 4, generator=replay), dim=1)
    orders = {tuple(row.tolist()) for row in order}
    assert len(orders) > 10  # many different orders in one batch
    for i in range(n):
        expected = naive_jitter(x[i], order[i].tolist(), float(b[i]), float(c[i]), float(s[i]), float(h[i]))
        assert float(expected.min()) > 0 and float(expected.max()) < 1
        torch.testing.assert_close(out[i].double(), expected, atol=2e-5, rtol=0)


def test_output_stays_in_range_under_strong_jitter(images):
    out = colour(images.repeat(8, 1, 1, 1), 2.0, 2.0, 2.0, 0.5, jitter_p=1.0, gray_p=0.5)
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0 and torch.isfinite(out).all()


# -- blur ------------------------------------------------------------------------------------

def naive_blur(image: np.ndarray, sigma: float, radius: int) -> np.ndarray:
    """(3, H, W) blurred by a 2-D Gaussian of `radius`, reflected at the borders."""
    taps = np.arange(-radius, radius + 1)
    kernel_1d = np.exp(-0.5 * (taps / sigma) ** 2)
    kernel = np.outer(kernel_1d, kernel_1d)
    kernel /= kernel.sum()
    padded = np.pad(image, ((0, 0), (radius, radius), (radius, radius)), mode="reflect")
    h, w = image.shape[1:]
    out = np.zeros_like(image)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            out += kernel[dy, dx] * padded[:, dy : dy + h, dx : dx + w]
    return out


def test_blur_matches_a_direct_2d_gaussian(images):
    sigma = 1.0
    out = ops.gaussian_blur(images, 1.0, (sigma, sigma), gen())
    radius = 3  # ceil(3 sigma)
    for sample, source in zip(out, images):
        expected = naive_blur(source.double().numpy(), sigma, radius)
        np.testing.assert_allclose(sample.numpy(), expected, atol=1e-5)


def test_blur_keeps_a_constant_image_and_its_mean():
    x = torch.rand(6, 3, 1, 1, generator=gen(2)).expand(-1, -1, SIDE, SIDE).contiguous()
    out = ops.gaussian_blur(x, 1.0, (0.5, 2.0), gen())
    torch.testing.assert_close(out, x, atol=1e-6, rtol=0)
    torch.testing.assert_close(out.mean(dim=(2, 3)), x.mean(dim=(2, 3)), atol=1e-6, rtol=0)


def test_blur_smooths_noise():
    x = torch.rand(6, 3, 32, 32, generator=gen(3))
    out = ops.gaussian_blur(x, 1.0, (1.0, 2.0), gen())
    before, after = x.var(dim=(2, 3)), out.var(dim=(2, 3))
    assert (after < 0.5 * before).all()
    torch.testing.assert_close(out.mean(dim=(2, 3)), x.mean(dim=(2, 3)), atol=0.02, rtol=0)


def test_blur_with_p_zero_returns_the_input_and_p_half_blurs_some(images):
    assert torch.equal(ops.gaussian_blur(images, 0.0, (0.1, 2.0), gen()), images)
    x = torch.rand(40, 3, 12, 12, generator=gen(4))
    out = ops.gaussian_blur(x, 0.5, (1.0, 2.0), gen())
    untouched = [torch.equal(a, b) for a, b in zip(out, x)]
    assert 5 < sum(untouched) < 35


# -- solarize and masks ----------------------------------------------------------------------

def test_solarize_inverts_only_values_at_or_above_the_threshold():
    values = torch.tensor([0.0, 0.2, 0.49, 0.5, 0.51, 0.8, 1.0])
    x = values.reshape(1, 1, 1, -1).expand(4, 3, 2, -1).contiguous()
    out = ops.solarize(x, 1.0, gen())
    expected = torch.tensor([0.0, 0.2, 0.49, 0.5, 0.49, 0.2, 0.0])
    torch.testing.assert_close(out, expected.reshape(1, 1, 1, -1).expand_as(x), atol=1e-6, rtol=0)
    assert torch.equal(ops.solarize(x, 0.0, gen()), x)
    at_threshold = ops.solarize(torch.full((2, 3, 1, 1), 0.25), 1.0, gen(), threshold=0.25)
    torch.testing.assert_close(at_threshold, torch.full((2, 3, 1, 1), 0.75))  # ">=", not ">"


@pytest.mark.parametrize(("patches", "ratio"), [(64, 0.75), (16, 0.5), (49, 0.9), (10, 0.0), (10, 0.33)])
def test_patch_mask_hides_exactly_round_l_times_ratio_per_row(patches, ratio):
    mask = ops.random_patch_mask(32, patches, ratio, gen(), torch.device("cpu"))
    assert mask.shape == (32, patches) and mask.dtype == torch.bool
    assert mask.sum(dim=1).tolist() == [round(patches * ratio)] * 32
    if 0 < ratio:
        assert len({tuple(row.tolist()) for row in mask}) > 1  # a different mask per row
