"""What the network looks at: the CNNs' feature maps average to their features; a
similarity map's shares sum to the pair's cosine and fall on the object two images share
when the encoder is built to see it; a ViT's class-token attention sums to one per head
and, in a ViT built to attend to a planted object, lands on it."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from ssl_core.explain import attention_maps, explain, similarity_map
from ssl_core.models import build_encoder
from ssl_core.models.base import MEAN, Encoder
from ssl_core.models.vit import ViTTiny

SIDE = 32


def scene(top: int, left: int, size: int = 8, seed: int = 0) -> torch.Tensor:
    """(3, SIDE, SIDE): the encoders' mean colour (0 once standardised), faint noise, and a
    pure red square at (top, left)."""
    rng = np.random.default_rng(seed)
    image = torch.tensor(MEAN).view(3, 1, 1).repeat(1, SIDE, SIDE)
    image += torch.from_numpy(rng.normal(0, 0.01, image.shape)).float()
    image[:, top : top + size, left : left + size] = torch.tensor([1.0, 0.0, 0.0]).view(3, 1, 1)
    return image.clamp(0, 1)


class RedSeer(Encoder):
    """A CNN built to see red: channel 0 is redness, channel 1 a small constant."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 2, 1)
        with torch.no_grad():
            self.conv.weight.zero_()
            self.conv.weight[0, 0] = 1.0
            self.conv.bias.copy_(torch.tensor([0.0, 0.01]))
        self.num_features = 2

    def feature_map(self, x):
        return torch.relu(self.conv(x))

    def features(self, x):
        return self.feature_map(x).mean(dim=(2, 3))


@pytest.mark.parametrize("name", ["small_cnn", "resnet18"])
def test_a_cnns_feature_map_averages_to_its_features(name):
    encoder = build_encoder(name, SIDE).eval()
    x = torch.rand(2, 3, SIDE, SIDE)
    with torch.no_grad():
        assert torch.allclose(encoder.feature_map(x).mean(dim=(2, 3)), encoder.features(x), atol=1e-5)


def test_the_shares_sum_to_the_cosine_of_the_pair():
    encoder = build_encoder("small_cnn", SIDE).eval()
    a, b = scene(4, 4), scene(20, 18, seed=1)
    result = explain(encoder, a, b)
    assert result.kind == "similarity" and result.first.shape == result.second.shape == (SIDE, SIDE)
    assert abs(result.second.sum() - result.cosine) < 0.02 * abs(result.cosine) + 1e-4
    assert abs(result.first.sum() - result.cosine) < 0.02 * abs(result.cosine) + 1e-4
    assert result.grid == tuple(encoder.feature_map(a[None]).shape[2:])  # the cells the maps are upsampled from


def test_centred_the_shares_sum_to_the_centred_cosine_the_index_uses():
    encoder = build_encoder("small_cnn", SIDE).eval()
    a, b = scene(4, 4), scene(20, 18, seed=1)
    with torch.no_grad():
        centre = encoder.forward_features(torch.stack([scene(i, i, seed=i) for i in range(0, 24, 4)])).mean(0)
        fa, fb = (encoder.forward_features(v[None])[0] - centre for v in (a, b))
    expected = float(torch.nn.functional.cosine_similarity(fa, fb, dim=0))
    result = explain(encoder, a, b, centre)
    assert abs(result.cosine - expected) < 1e-5
    assert abs(result.second.sum() - expected) < 0.02 * abs(expected) + 1e-4


def test_the_similarity_map_falls_on_the_object_the_two_images_share():
    encoder = RedSeer().eval()
    shares = similarity_map(encoder, scene(4, 4), scene(20, 18, seed=1))
    inside = np.zeros((SIDE, SIDE), bool)
    inside[20:28, 18:26] = True
    assert shares[inside].sum() > 0.9 * shares.sum()  # 6% of the picture holds over 90% of the similarity
    assert shares[inside].min() > shares[~inside].max()


def planted_vit() -> ViTTiny:
    """A 2-layer ViT whose first layer passes tokens through and whose last layer's head 0
    makes the class token attend to patches that hold red: patch feature 0 is redness (2 a
    constant), the class token is feature 1, and head 0's query reads feature 1 while its key reads feature 0."""
    vit = ViTTiny(image_size=SIDE, patch_size=8, layers=2).eval()
    with torch.no_grad():
        for parameter in vit.parameters():
            parameter.zero_()
        for layer in vit.vit.encoder.layers:
            layer.ln_1.weight.fill_(1.0)
            layer.ln_2.weight.fill_(1.0)
        vit.vit.encoder.ln.weight.fill_(1.0)
        vit.vit.conv_proj.weight[0, 0] = 1.0
        vit.vit.conv_proj.bias[2] = 10.0  # every patch: so layer norm keeps faint redness faint
        vit.vit.class_token[0, 0, 1] = 1.0
        attention = vit.vit.encoder.layers[-1].self_attention
        attention.in_proj_weight[0, 1] = 10.0  # query of head 0 <- feature 1 (the class token)
        attention.in_proj_weight[192, 0] = 1.0  # key of head 0 <- feature 0 (redness)
    return vit


def test_a_vits_attention_sums_to_one_per_head_and_lands_on_the_planted_object():
    maps = attention_maps(planted_vit(), scene(8, 16))
    assert maps.shape == (3, SIDE, SIDE)
    assert np.allclose(maps.sum(axis=(1, 2)), 1.0, atol=1e-4)
    assert maps[0, 8:16, 16:24].sum() > 0.95  # head 0: the one patch holding the red square
    assert np.allclose(maps[1], maps[1].mean(), atol=1e-4)  # the other heads see nothing to prefer


def test_explain_gives_attention_for_a_vit():
    result = explain(build_encoder("vit_tiny", SIDE).eval(), scene(4, 4), scene(20, 18))
    assert result.kind == "attention" and result.first.shape == (3, SIDE, SIDE)
    assert np.allclose(result.second.sum(axis=(1, 2)), 1.0, atol=1e-4)
