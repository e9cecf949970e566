"""ssl_core/inference.py: a CNN traced for a CPU pass computes the same features; the rest stays eager."""

from __future__ import annotations

import torch
import torchvision

from ssl_core.inference import MIN_IMAGES, for_inference
from ssl_core.models import build_encoder


@torch.no_grad()
def test_a_large_cnn_is_traced_and_computes_the_same_features_at_any_batch_size():
    torch.manual_seed(0)
    net = torchvision.models.resnet18(num_classes=10).eval()
    views = torch.rand(7, 3, 32, 32)
    fast = for_inference(net, views[:2], MIN_IMAGES)
    assert isinstance(fast, torch.jit.ScriptModule)
    assert torch.allclose(fast(views), net(views), atol=1e-4)  # 7 rows through a graph traced on 2


def test_small_passes_small_networks_and_transformers_stay_eager():
    net = torchvision.models.resnet18(num_classes=10).eval()
    views = torch.rand(2, 3, 32, 32)
    assert for_inference(net, views, MIN_IMAGES - 1) is net
    small = build_encoder("small_cnn", 32).eval()
    assert for_inference(small, views, 10_000) is small
    vit = torchvision.models.VisionTransformer(32, 8, 2, 2, 64, 128).eval()
    assert for_inference(vit, views, 10_000) is vit
