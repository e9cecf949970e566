"""ViT-tiny (Dosovitskiy et al. 2021; tiny sizes as DeiT, Touvron et al. 2021): 12 layers,
3 heads, width 192, on torchvision's VisionTransformer, for MAE and DINO."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .base import Encoder


class ViTTiny(Encoder):
    """(N, 3, H, W) -> (N, 192), the class token.

    The position embedding is learnt for `image_size` (a multiple of `patch_size`); other
    sides get it resampled bicubically over the patch grid, the class token's kept, as
    DINO's `interpolate_pos_encoding` (Caron et al. 2021), so multi-crop's smaller local
    views go through the same network. As there, the patch convolution drops the last
    partial row and column of a side that `patch_size` does not divide.
    """

    def __init__(self, image_size: int = 64, patch_size: int = 8, layers: int = 12) -> None:
        from torchvision.models import VisionTransformer  # here: torchvision's import pulls torch._dynamo

        super().__init__()
        self.vit = VisionTransformer(image_size=image_size, patch_size=patch_size, num_layers=layers,
                                     num_heads=3, hidden_dim=192, mlp_dim=768)
        self.vit.heads = torch.nn.Identity()
        self.num_features = 192
        self.patch_size = patch_size

    def position_embedding(self, rows: int, cols: int) -> torch.Tensor:
        """(1, 1 + rows * cols, 192) for a grid of rows x cols patches."""
        learnt = self.vit.encoder.pos_embedding
        side = self.vit.image_size // self.patch_size
        if (rows, cols) == (side, side):
            return learnt
        grid = learnt[:, 1:].reshape(1, side, side, -1).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, size=(rows, cols), mode="bicubic", align_corners=False)
        return torch.cat([learnt[:, :1], grid.flatten(2).transpose(1, 2)], dim=1)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        if min(x.shape[-2:]) < self.patch_size:
            raise ValueError(f"ViT-tiny needs views of at least {self.patch_size} px, not {tuple(x.shape[-2:])}")
        patches = self.vit.conv_proj(x)  # (N, 192, rows, cols)
        tokens = torch.cat([self.vit.class_token.expand(len(x), -1, -1), patches.flatten(2).transpose(1, 2)], dim=1)
        encoder = self.vit.encoder  # torchvision's Encoder.forward, with the embedding for this grid
        tokens = encoder.dropout(tokens + self.position_embedding(*patches.shape[-2:]))
        return encoder.ln(encoder.layers(tokens))[:, 0]

    def class_attention(self, x: torch.Tensor) -> torch.Tensor:
        """Standardised views (N, 3, H, W) -> (N, heads, rows, cols): how much the class
        token attends to each patch in the last layer, per head, renormalised over the
        patches (each head's map sums to one), as DINO's figures show it (Caron et al. 2021)."""
        patches = self.vit.conv_proj(x)
        rows, cols = patches.shape[-2:]
        tokens = torch.cat([self.vit.class_token.expand(len(x), -1, -1), patches.flatten(2).transpose(1, 2)], dim=1)
        encoder = self.vit.encoder
        tokens = encoder.layers[:-1](encoder.dropout(tokens + self.position_embedding(rows, cols)))
        last = encoder.layers[-1]
        normed = last.ln_1(tokens)
        _, weights = last.self_attention(normed, normed, normed, need_weights=True, average_attn_weights=False)
        to_patches = weights[:, :, 0, 1:]  # (N, heads, rows * cols)
        to_patches = to_patches / to_patches.sum(dim=-1, keepdim=True)
        return to_patches.reshape(len(x), -1, rows, cols)
