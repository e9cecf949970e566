"""Encoders, registered by name in ENCODERS, built by one factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import Encoder
from .resnet import ResNet18
from .small_cnn import SmallCNN
from .vit import ViTTiny

# name -> (builder taking the image side and options, one plain sentence for the UI)
ENCODERS: dict[str, tuple[Callable[..., Encoder], str]] = {
    "small_cnn": (lambda image_size, **kw: SmallCNN(**kw),
                  "Small CNN (0.3 M parameters): trains visibly on a CPU in minutes."),
    "resnet18": (lambda image_size, **kw: ResNet18(**kw),
                 "ResNet-18 with the CIFAR stem (11 M parameters): the standard benchmark encoder."),
    "vit_tiny": (lambda image_size, **kw: ViTTiny(image_size=image_size, **kw),
                 "ViT-tiny (5.5 M parameters): a vision transformer, for MAE and DINO."),
}


def build_encoder(name: str, image_size: int, **options: Any) -> Encoder:
    """The encoder called `name` for square images of side `image_size`."""
    if name not in ENCODERS:
        raise KeyError(f"no encoder {name!r}; choose one of: {', '.join(ENCODERS)}")
    return ENCODERS[name][0](image_size, **options)


__all__ = ["ENCODERS", "Encoder", "build_encoder"]
