"""SSL methods, one small file each, registered by name in METHODS."""

from __future__ import annotations

from typing import Any

from ..models import ENCODERS, build_encoder
from .barlow_twins import BarlowTwins
from .base import Method
from .byol import BYOL
from .dino import DINO
from .mae import MAE
from .mlm import MLM
from .mlm_simcse import MLMSimCSE
from .moco import MoCoV2
from .moco_v3 import MoCoV3
from .rotation import RotationPrediction
from .simclr import SimCLR
from .simcse import SimCSE
from .simsiam import SimSiam
from .vicreg import VICReg

METHODS: dict[str, type[Method]] = {
    m.name: m for m in (SimCLR, MoCoV2, MoCoV3, BYOL, SimSiam, BarlowTwins, VICReg, DINO, MAE, RotationPrediction,
                        MLMSimCSE, MLM, SimCSE)  # the first of a kind is its default: mlm_simcse for text
}


def get_method(name: str) -> type[Method]:
    if name not in METHODS:
        raise KeyError(f"no method {name!r}; choose one of: {', '.join(METHODS)}")
    return METHODS[name]


def build_method(name: str, encoder_name: str, image_size: int, **encoder_options: Any) -> Method:
    """Method `name` around a fresh encoder `encoder_name` for images of side `image_size`,
    shaped by `encoder_options` (a checkpoint's `encoder_options`; none: the defaults)."""
    method = get_method(name)
    if method.encoders is not None and encoder_name not in method.encoders:
        raise ValueError(f"method {name!r} needs one of the encoders {', '.join(method.encoders)}, "
                         f"not {encoder_name!r}")
    kind = ENCODERS[encoder_name].kind if encoder_name in ENCODERS else None
    if kind is not None and kind not in method.kinds:
        raise ValueError(f"method {name!r} trains on {' or '.join(method.kinds)} datasets; encoder "
                         f"{encoder_name!r} reads {kind}")
    return method(build_encoder(encoder_name, image_size, **encoder_options))


__all__ = ["METHODS", "Method", "build_method", "get_method"]
