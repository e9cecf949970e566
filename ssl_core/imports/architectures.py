"""An architecture by name (`timm:resnet50`, `torchvision:resnet18`) without its classifier
head, wrapped so it takes views in [0, 1] like every encoder here.

`build(arch, image_size)` -> (ImportedEncoder, Native): the network with random initial
weights (torch's global generator) and what the model itself says about its input: side,
mean and std (timm's `pretrained_cfg`, torchvision's default weights' transforms), and the
state-dict prefixes of the heads that were removed (dropped from imported files). An
import whose feature width changes with the input side is refused (`check_fixed_width`), one
whose weights give NaN or infinite features (`check_finite_features`), and one of more than
MAX_PARAMETERS before it is built.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from torch import nn

from . import ImportRefused, explainable, hub

ZOOS = ("timm", "torchvision")
HEADS = ("fc", "classifier", "heads", "head")  # torchvision's head attributes, in the order tried
MAX_PARAMETERS = 400_000_000  # ViT-L (304 M) and ResNet-152 (60 M) are built; ViT-g (1 B) and larger refused
AUX = {"googlenet": ("aux1.", "aux2."), "inception_v3": ("AuxLogits.",)}  # auxiliary heads: built without, dropped


@dataclass(frozen=True)
class Native:
    """What an architecture says about itself."""

    image_size: int  # the input side it was made for
    mean: tuple[float, float, float]  # per-channel normalisation of inputs in [0, 1]
    std: tuple[float, float, float]
    head: tuple[str, ...]  # state-dict prefixes of the removed classifier ("fc.", "classifier.6.", "aux1.")


class ImportedEncoder(nn.Module):
    """Views (N, 3, S, S) in [0, 1] -> features (N, D): standardised with the model's
    mean/std, then the headless network."""

    def __init__(self, net: nn.Module, mean, std, num_features: int = 0) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))
        self.num_features = num_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features((x - self.mean) / self.std)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The face every encoder shows the SSL methods (models/base.py): the same as forward."""
        return self.forward(x)

    def options(self) -> dict:
        """No options: the architecture's name and the image side rebuild it (models/base.py)."""
        return {}

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Standardised views (N, 3, H, W) -> (N, D)."""
        return self.net(x).flatten(1)

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        """Standardised views (N, 3, H, W) -> (N, D, h, w) whose mean over the positions is
        the features (explain.py's similarity maps): a timm CNN's map before its average
        pooling, a torchvision ResNet's before its avgpool; other networks raise
        NotImplementedError (explainable.py)."""
        return explainable.feature_map(self.net, x)


class ImportedViT(ImportedEncoder):
    """An imported timm ViT whose features are its class token: explain.py shows where
    that token looks (`class_attention`) instead of a similarity map."""

    def class_attention(self, x: torch.Tensor) -> torch.Tensor:
        """Standardised views (N, 3, H, W) -> (N, heads, rows, cols), each head summing to one."""
        return explainable.class_attention(self.net, x)


def split(arch: str) -> tuple[str, str]:
    """'timm:resnet50' -> ('timm', 'resnet50'), refusing other zoos and unknown names."""
    zoo, _, name = arch.partition(":")
    if zoo not in ZOOS or not name:
        raise ImportRefused(f"architecture {arch!r}: write it as timm:NAME or torchvision:NAME")
    unknown = _timm_unknown(name) if zoo == "timm" else name not in _torchvision_names() and f"no model {name!r}"
    if unknown:
        raise ImportRefused(f"architecture {arch!r}: {zoo} has {unknown}")
    return zoo, name


def is_architecture(arch: str) -> bool:
    """Whether `arch` names a model of a known zoo."""
    try:
        split(arch)
    except ImportRefused:
        return False
    return True


def native_input(arch: str) -> tuple[int, tuple[float, ...], tuple[float, ...]] | None:
    """(side, mean, std) that `arch` says its inputs are, read from its config without
    building the network (milliseconds); None where the zoo keeps no such config."""
    zoo, name = split(arch)
    if zoo == "timm":
        from timm.models import get_pretrained_cfg

        cfg = get_pretrained_cfg(name)
        return None if cfg is None else (int(cfg.input_size[-1]), tuple(cfg.mean), tuple(cfg.std))
    import torchvision

    transforms = torchvision.models.get_model_weights(name).DEFAULT.transforms()
    return int(transforms.crop_size[0]), tuple(transforms.mean), tuple(transforms.std)


def _timm_unknown(name: str) -> str | None:
    """What timm lacks of `name` ("no model 'x'", "no pretrained tag 't' for resnet18"), or None.
    timm.is_model takes any tag after the dot ('resnet18.nosuchtag'); create_model refuses it."""
    import timm
    from timm.models import get_arch_pretrained_cfgs, split_model_name_tag

    if not timm.is_model(name):
        return f"no model {name!r}"
    model, tag = split_model_name_tag(name)
    tags = [full.partition(".")[2] for full in get_arch_pretrained_cfgs(model)]
    if tag and tag not in tags:
        return f"no pretrained tag {tag!r} for {model} (its tags: {', '.join(tags) or 'none'})"
    return None


def _torchvision_names() -> list[str]:
    import torchvision

    return torchvision.models.list_models(module=torchvision.models)


def build(arch: str, image_size: int | None = None, pretrained: bool = False) -> tuple[ImportedEncoder, Native]:
    """The headless network of `arch` in eval mode and its Native facts; `image_size` None
    means its native side. A ViT-like timm model is built for `image_size` when it takes one.
    `pretrained` fetches the zoo's own weights (needs the internet)."""
    zoo, name = split(arch)
    _check_size(arch, zoo, name, image_size)
    net, native = (_timm(name, image_size, pretrained) if zoo == "timm"
                   else _torchvision(name, pretrained))
    side = int(image_size or native.image_size)
    kind = ImportedViT if explainable.has_class_attention(net) else ImportedEncoder
    encoder = kind(net, native.mean, native.std)
    encoder.num_features = _feature_width(encoder, arch, side)
    return encoder.eval(), Native(side, native.mean, native.std, native.head)


def _check_size(arch: str, zoo: str, name: str, image_size: int | None) -> None:
    """Refuse an architecture of more than MAX_PARAMETERS before it is built: counted on
    PyTorch's meta device, which allocates nothing (timm's vit_gigantic took 8 GB and two
    minutes to build before its file was found not to fit; a 7-billion one ran out of
    memory). A network that cannot be built there is counted when it is built for real."""
    try:
        with torch.device("meta"):
            net, _ = _timm(name, image_size, False) if zoo == "timm" else _torchvision(name, False)
    except Exception:  # noqa: BLE001 (a zoo's code that needs real tensors: nothing is allocated either way)
        return
    count = sum(parameter.numel() for parameter in net.parameters())
    if count > MAX_PARAMETERS:
        raise ImportRefused(f"{arch} has {count / 1e9:.1f} billion parameters ({4 * count / 2**30:.0f} GiB as "
                            f"float32): more than the {MAX_PARAMETERS / 1e6:,.0f} million this app builds on a CPU")


def _timm(name: str, image_size: int | None, pretrained: bool) -> tuple[nn.Module, Native]:
    import timm

    with hub.offline_unless_reachable() if pretrained else contextlib.nullcontext(False) as offline:
        try:
            try:
                net = timm.create_model(name, pretrained=pretrained, num_classes=0,
                                        **({"img_size": image_size} if image_size else {}))
            except TypeError:  # a model without an img_size argument (CNNs) takes any side as it is
                net = timm.create_model(name, pretrained=pretrained, num_classes=0)
        except Exception:
            if offline:
                raise ImportRefused(f"timm:{name}: the hub ({hub.endpoint()}) is offline here and its pretrained "
                                    f"weights are not in the local cache; give them with --weights FILE") from None
            raise
    cfg = net.pretrained_cfg
    head = cfg.get("classifier") or "head"
    return net, Native(int(cfg["input_size"][-1]), tuple(cfg["mean"]), tuple(cfg["std"]), (f"{head}.",))


def _torchvision(name: str, pretrained: bool) -> tuple[nn.Module, Native]:
    import torchvision

    weights = torchvision.models.get_model_weights(name).DEFAULT
    net = torchvision.models.get_model(name, weights=weights if pretrained else None,
                                       **({"aux_logits": False} if name in AUX else {}))
    transforms = weights.transforms()
    head = (_remove_head(net, name), *AUX.get(name, ()))
    return net, Native(int(transforms.crop_size[0]), tuple(transforms.mean), tuple(transforms.std), head)


def _remove_head(net: nn.Module, name: str) -> str:
    """Replace the network's last classifier layer by Identity; returns its state-dict prefix.
    A Sequential head loses its last Linear or 1x1 Conv2d and keeps the other layers (a VGG
    gives its 4096-wide fc7 features, a SqueezeNet its pooled 512 channels)."""
    for attr in HEADS:
        head = getattr(net, attr, None)
        layers = [n for n, m in head.named_children() if isinstance(m, (nn.Linear, nn.Conv2d))] \
            if isinstance(head, nn.Sequential) else []
        if layers:
            setattr(head, layers[-1], nn.Identity())
            return f"{attr}.{layers[-1]}."
        if isinstance(head, nn.Linear):
            setattr(net, attr, nn.Identity())
            return f"{attr}."
    raise ImportRefused(f"torchvision:{name}: no classifier head found to remove (looked for {', '.join(HEADS)})")


def check_fixed_width(encoder: ImportedEncoder, arch: str, side: int) -> None:
    """Refuse an encoder whose feature width changes with the input side (a head that was
    not pooled): features of one image at two sides could not be compared. A network that
    takes `side` only (a ViT) passes."""
    other = side + 32
    try:
        width = _feature_width(encoder, arch, other)
    except ImportRefused:
        return
    if width != encoder.num_features:
        raise ImportRefused(f"{arch}: its feature width depends on the input side ({encoder.num_features} at "
                            f"{side} px, {width} at {other} px): its output is not pooled, so it is no encoder here")


@torch.no_grad()
def check_finite_features(encoder: ImportedEncoder, side: int, source: str) -> None:
    """Refuse weights that are finite but give features that are not (NaN or infinite) on a
    seeded test batch at `side` px: every image would embed as NaN, and search, maps and
    evaluation would then fail on them. `source` names the weights in the message."""
    batch = torch.rand(2, 3, side, side, generator=torch.Generator().manual_seed(0))
    if bool(torch.isfinite(encoder.eval()(batch)).all()):
        return
    negative = [name for name, buffer in encoder.net.named_buffers()
                if name.endswith("running_var") and bool((buffer < 0).any())]
    cause = (f"BatchNorm running_var below 0 in {', '.join(negative[:3])}" if negative else
             "e.g. a BatchNorm running_var below 0, or weights so large that the activations overflow")
    raise ImportRefused(f"{source}: its weights give non-finite features (NaN or infinite) on a test batch at "
                        f"{side} px: {cause}; the file is damaged or was not saved from a working network")


@torch.no_grad()
def _feature_width(encoder: ImportedEncoder, arch: str, side: int) -> int:
    """D of the encoder's (N, D) output on a (2, 3, side, side) batch; refuses a side the
    network cannot take."""
    try:
        out = encoder.eval()(torch.zeros(2, 3, side, side))
    except (RuntimeError, AssertionError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ImportRefused(f"{arch} does not take {side} px inputs ({first}); give its native side "
                            f"or another --image-size") from None
    return int(out.shape[1])
