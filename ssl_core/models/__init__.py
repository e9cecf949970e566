"""Encoders, registered by name in ENCODERS, built by one factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from .base import Encoder
from .resnet import ResNet18
from .small_cnn import SmallCNN
from .text_transformer import TextTransformer
from .vit import ViTTiny


class EncoderEntry(NamedTuple):
    build: Callable[..., Encoder]  # takes the image side (ignored for text) and options
    description: str  # one plain sentence for the UI
    kind: str = "image"  # the kind of dataset it reads (store.DatasetInfo.kind)
    # options a checkpoint that saved none of them was built with (a default changed since)
    before_saved: dict[str, Any] = {}


ENCODERS: dict[str, EncoderEntry] = {
    "small_cnn": EncoderEntry(lambda image_size, **kw: SmallCNN(**kw),
                              "Small CNN (0.3 M parameters): trains visibly on a CPU in minutes.",
                              before_saved={"pooling": "mean"}),
    "resnet18": EncoderEntry(lambda image_size, **kw: ResNet18(**kw),
                             "ResNet-18 with the CIFAR stem (11 M parameters): the standard benchmark encoder."),
    "vit_tiny": EncoderEntry(lambda image_size, **kw: ViTTiny(image_size=image_size, **kw),
                             "ViT-tiny (5.5 M parameters): a vision transformer, for MAE and DINO."),
    "text_transformer": EncoderEntry(lambda image_size, **kw: TextTransformer(**kw),
                                     "Text Transformer (0.7 M parameters, 2 layers, width 128): reads sentences "
                                     "as word pieces on a CPU.", kind="text"),
}


def build_encoder(name: str, image_size: int, **options: Any) -> Encoder:
    """The encoder called `name` for square images of side `image_size` (an imported
    architecture such as "timm:resnet50" too, with random weights)."""
    from ..imports.architectures import is_architecture

    if name not in ENCODERS and is_architecture(name):
        from ..imports.encoders import untrained

        return untrained(name, image_size)
    if name not in ENCODERS:
        raise KeyError(f"no encoder {name!r}; choose one of: {', '.join(ENCODERS)}")
    return ENCODERS[name][0](image_size, **options)


def checkpoint_options(name: str, meta: dict[str, Any]) -> dict[str, Any]:
    """The options that rebuild the encoder `name` of a checkpoint's `meta`: those it saved,
    over what its encoder was before they were saved (the small CNN pooled by mean)."""
    before = ENCODERS[name].before_saved if name in ENCODERS else {}
    return {**before, **meta.get("encoder_options", {})}


__all__ = ["ENCODERS", "Encoder", "EncoderEntry", "build_encoder", "checkpoint_options"]
