"""ViT-tiny (Dosovitskiy et al. 2021; tiny sizes as DeiT, Touvron et al. 2021): 12 layers,
3 heads, width 192, on torchvision's VisionTransformer, for MAE and DINO."""

from __future__ import annotations

import torch
from torchvision.models import VisionTransformer

from .base import Encoder


class ViTTiny(Encoder):
    """(N, 3, S, S) -> (N, 192), the class token. `image_size` must be divisible by
    `patch_size`; the position embedding is learnt for that size."""

    def __init__(self, image_size: int = 64, patch_size: int = 8, layers: int = 12) -> None:
        super().__init__()
        self.vit = VisionTransformer(image_size=image_size, patch_size=patch_size, num_layers=layers,
                                     num_heads=3, hidden_dim=192, mlp_dim=768)
        self.vit.heads = torch.nn.Identity()
        self.num_features = 192
        self.patch_size = patch_size

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.vit(x)
