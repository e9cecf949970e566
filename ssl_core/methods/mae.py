"""MAE: He et al. 2022, "Masked Autoencoders Are Scalable Vision Learners", CVPR.
https://arxiv.org/abs/2111.06377"""

from __future__ import annotations

import torch
from lightly.models import utils
from lightly.models.modules import MaskedVisionTransformerTorchvision
from lightly.models.modules.masked_autoencoder import MAEDecoder

from ..augment import Views
from ..models import Encoder
from .base import Method


class MAE(Method):
    """A ViT encodes only the visible patches; a light decoder predicts the pixels of the
    hidden ones (per-patch normalised targets); the loss is their mean squared error.

    views: one tensor (N, 3, S, S) and mask (N, L) with True = hidden.
    """

    name = "mae"
    description = "Masked prediction: hide most patches of an image and paint them back."
    paper = "He et al. 2022, Masked Autoencoders Are Scalable Vision Learners"
    default_recipe = "mae"
    recipes = ("mae",)
    default_lr = 1.5e-3
    encoders = ("vit_tiny",)

    def __init__(self, encoder: Encoder, decoder_dim: int = 128, decoder_layers: int = 2) -> None:
        super().__init__(encoder)
        vit = encoder.vit  # type: ignore[attr-defined]
        self.patch_size = encoder.patch_size  # type: ignore[attr-defined]
        self.backbone = MaskedVisionTransformerTorchvision(vit=vit)
        self.mask_token = torch.nn.Parameter(torch.zeros(1, 1, decoder_dim))
        self.decoder = MAEDecoder(seq_length=vit.seq_length, num_layers=decoder_layers, num_heads=4,
                                  embed_input_dim=vit.hidden_dim, hidden_dim=decoder_dim,
                                  mlp_dim=4 * decoder_dim, out_dim=3 * self.patch_size**2)

    def reconstruct(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Predicted patches (N, L, 3p^2) for images x (N, 3, S, S) in [0, 1] with `mask`
        (N, L) True where hidden; also the normalised target patches."""
        n = x.shape[0]
        normalised = (x - self.encoder.mean) / self.encoder.std
        # lightly indexes tokens with the class token at 0, so patch i is token i + 1
        order = torch.argsort(mask.int(), dim=1, stable=True)  # visible first, then hidden
        hidden = int(mask[0].sum())
        idx_keep = torch.cat([torch.zeros(n, 1, dtype=torch.long, device=x.device),
                              order[:, : mask.shape[1] - hidden] + 1], dim=1)
        idx_mask = order[:, mask.shape[1] - hidden :] + 1
        encoded = self.backbone.encode(normalised, idx_keep=idx_keep)
        tokens = self.decoder.embed(encoded)
        full = utils.repeat_token(self.mask_token, (n, self.backbone.sequence_length))
        full = utils.set_at_index(full, idx_keep, tokens)
        predicted = self.decoder.predict(self.decoder.decode(full))
        predicted = utils.get_at_index(predicted, idx_mask)
        target = utils.get_at_index(utils.patchify(normalised, self.patch_size), idx_mask - 1)
        mean, var = target.mean(-1, keepdim=True), target.var(-1, keepdim=True)
        return predicted, (target - mean) / (var + 1e-6) ** 0.5

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        if views.mask is None:
            raise ValueError("MAE needs the mae recipe (a view with a patch mask)")
        if views.mask.shape[1] != self.backbone.sequence_length - 1:
            raise ValueError(f"the recipe's patches ({views.mask.shape[1]}) do not match the "
                             f"encoder's ({self.backbone.sequence_length - 1}): use patch size "
                             f"{self.patch_size}")
        predicted, target = self.reconstruct(views.views[0], views.mask)
        loss = torch.nn.functional.mse_loss(predicted, target)
        return loss, {}
