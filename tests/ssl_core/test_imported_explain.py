"""'Why is this a neighbour?' for imported networks, built without weights (nothing is
downloaded): a torchvision ResNet's map before its avgpool averages to its features and its
shares sum to the pair's cosine; a timm ViT's class-token attention is the attention timm
itself computes in its last block (its own unfused path, read back), one map per head
summing to one; a network with neither says so in words."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ssl_core.augment import ops
from ssl_core.explain import explain_images
from ssl_core.imports import architectures

SIDE = 32
RNG = np.random.default_rng(0)
A, B = (RNG.integers(0, 256, (SIDE, SIDE, 3), dtype=np.uint8) for _ in range(2))


def views(side: int = SIDE) -> torch.Tensor:
    """(2, 3, side, side) in [0, 1]: A and B as explain_images sees them."""
    return ops.to_float_side(torch.from_numpy(np.stack([A, B])), side)


def test_a_torchvision_resnets_map_before_avgpool_explains_the_cosine():
    encoder, _ = architectures.build("torchvision:resnet18", SIDE)
    x = (views() - encoder.mean) / encoder.std
    with torch.no_grad():
        fmap = encoder.feature_map(x)
        assert fmap.shape == (2, 512, 1, 1)
        assert torch.allclose(fmap.mean(dim=(2, 3)), encoder.features(x), atol=1e-5)
        fa, fb = F.normalize(encoder(views()), dim=1)
    result = explain_images(encoder, A, B, SIDE)
    assert result.kind == "similarity" and result.cosine == pytest.approx(float(fa @ fb), abs=1e-5)
    assert result.second.sum() == pytest.approx(result.cosine, abs=1e-4)


def test_a_timm_vits_class_attention_is_the_attention_timm_computes():
    encoder, _ = architectures.build("timm:test_vit", 64)  # 64 dims, 2 heads, 16 px patches: a 4 x 4 grid
    assert isinstance(encoder, architectures.ImportedViT)
    x = (views(64) - encoder.mean) / encoder.std
    last = encoder.net.blocks[-1].attn
    last.fused_attn = False  # timm's own path then passes the softmaxed weights through attn_drop
    seen = []
    hook = last.attn_drop.register_forward_hook(lambda module, args, out: seen.append(out))
    with torch.no_grad():
        ours = encoder.class_attention(x)
        encoder.net(x)
    hook.remove()
    theirs = seen[-1][:, :, 0, encoder.net.num_prefix_tokens:]
    theirs = (theirs / theirs.sum(-1, keepdim=True)).reshape(2, -1, 4, 4)
    assert ours.shape == (2, 2, 4, 4) and torch.allclose(ours, theirs, atol=1e-5)
    result = explain_images(encoder, A, B, 64)
    assert result.kind == "attention" and result.first.shape == (2, 64, 64)
    assert np.allclose(result.first.sum(axis=(1, 2)), 1.0, atol=1e-4)
    with torch.no_grad():
        fa, fb = F.normalize(encoder(views(64)), dim=1)
    assert result.cosine == pytest.approx(float(fa @ fb), abs=1e-5)


def test_a_network_with_neither_says_it_in_words():
    encoder, _ = architectures.build("timm:test_vit3", SIDE)  # no class token, average pooling
    assert not isinstance(encoder, architectures.ImportedViT)
    with pytest.raises(NotImplementedError, match="does not average a feature map"):
        explain_images(encoder, A, B, SIDE)
