"""ViT-tiny takes views of any side: at the side it was built for it is torchvision's
network unchanged; elsewhere its position embedding is resampled over the patch grid as
DINO (and the MSN code lightly copies) do."""

from __future__ import annotations

import pytest
import torch
from lightly.models.modules import MaskedVisionTransformerTorchvision

from ssl_core.models import build_encoder


@pytest.fixture
def vit():
    torch.manual_seed(0)
    encoder = build_encoder("vit_tiny", 16, layers=2).eval()
    with torch.no_grad():  # a learnt-looking embedding, not torchvision's near-zero start
        encoder.vit.encoder.pos_embedding.normal_()
    return encoder


def test_at_its_own_side_it_is_torchvisions_forward(vit):
    x = torch.rand(3, 3, 16, 16)
    normalised = (x - vit.mean) / vit.std
    assert torch.allclose(vit.forward_features(x), vit.vit(normalised), atol=1e-6)
    assert vit.position_embedding(2, 2) is vit.vit.encoder.pos_embedding


@pytest.mark.parametrize("side", [8, 32, 24])
def test_other_sides_resample_the_position_embedding_like_dino(vit, side):
    grid = side // vit.patch_size
    tokens = torch.zeros(1, 1 + grid * grid, 192)
    reference = MaskedVisionTransformerTorchvision(vit.vit, weight_initialization="skip",
                                                   pos_embed_initialization="skip", antialias=False)
    resampled = vit.position_embedding(grid, grid)
    assert resampled.shape == (1, 1 + grid * grid, 192)
    assert torch.equal(resampled[:, 0], vit.vit.encoder.pos_embedding[:, 0])  # the class token's is kept
    assert torch.allclose(resampled, reference.interpolate_pos_encoding(tokens), atol=1e-5)
    features = vit.forward_features(torch.rand(2, 3, side, side))
    assert features.shape == (2, 192) and torch.isfinite(features).all()


def test_a_side_the_patch_does_not_divide_drops_the_partial_patches(vit):
    x = torch.rand(2, 3, 14, 14)
    assert torch.allclose(vit.forward_features(x), vit.forward_features(x[..., :8, :8]), atol=1e-6)
    with pytest.raises(ValueError, match="at least 8 px"):
        vit.forward_features(torch.rand(1, 3, 6, 6))
