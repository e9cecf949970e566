"""SimCLR: Chen et al. 2020, "A Simple Framework for Contrastive Learning of Visual
Representations", ICML. https://arxiv.org/abs/2002.05709"""

from __future__ import annotations

import torch
from lightly.loss import NTXentLoss
from lightly.models.modules import SimCLRProjectionHead

from ..augment import Views
from ..models import Encoder
from .base import Method

TEMPERATURE = 0.1  # NT-Xent's, the CPU default's (below); the Lab's batch softmax uses it too


class SimCLR(Method):
    """Two views of each image pass the encoder and a projection head; NT-Xent pulls
    each view to its partner and pushes it from the other 2N-2 views of the batch.
    Local crops (multi-crop, Caron et al. 2020), where the recipe makes them, are each
    pulled to both views by the same loss; the loss is the mean over all pairs.

    views: [a, b, *locals], a and b (N, 3, S, S), locals (N, 3, s, s) -> z (N, 128) each.
    """

    name = "simclr"
    description = "Contrastive: pull two views of an image together, push all others apart."
    paper = "Chen et al. 2020, A Simple Framework for Contrastive Learning of Visual Representations"
    # the CPU default, tuned with bench/tune.py at 5 CPU minutes (README): multi-crop, learning rate 1e-2 and
    # temperature 0.1 took clutter_shapes from 0.420 (5e-3, 0.2) to 0.472, untrained 0.222; the others held
    default_recipe = "simclr_multicrop"
    default_lr = 1e-2
    recipes = ("simclr_multicrop", "simclr_small", "simclr", "moco_v2", "byol")

    def __init__(self, encoder: Encoder, temperature: float = TEMPERATURE) -> None:
        super().__init__(encoder)
        self.projection = SimCLRProjectionHead(encoder.num_features, 512, 128)
        self.loss = NTXentLoss(temperature=temperature, gather_distributed=True)

    def training_step(self, views: Views) -> tuple[torch.Tensor, dict[str, float]]:
        a, b = views.views[:2]
        z = self.projection(self.encoder.forward_features(torch.cat([a, b])))
        z_a, z_b = z.chunk(2)
        loss = self.loss(z_a, z_b)
        locals_ = views.views[2:]
        if locals_:
            z_locals = self.projection(self.encoder.forward_features(torch.cat(locals_))).chunk(len(locals_))
            local_loss = sum(self.loss(z_l, z_a) + self.loss(z_l, z_b) for z_l in z_locals)
            loss = (loss + local_loss / 2) / (1 + len(locals_))
        with torch.no_grad():
            sims = torch.nn.functional.cosine_similarity(z_a, z_b).mean()
        return loss, {"positive_cosine": float(sims)}
