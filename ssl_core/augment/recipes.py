"""Augmentation recipes, registered by name in RECIPES.

A recipe is a dataclass of its parameters, with the paper's defaults, that turns a
uint8 batch (N, H, W, 3) into the views a method trains on. The same object feeds the
Augmentation Lab and the trainer, so what the user sees is what trains. Field metadata
(`help`, `min`, `max`, `step`) lets a page build its widgets from the dataclass alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, ClassVar

import torch

from . import ops


def param(default: Any, help: str, low: float | None = None, high: float | None = None,
          step: float | None = None) -> Any:
    """A recipe field with the metadata a page needs to draw its widget."""
    return field(default=default, metadata={"help": help, "min": low, "max": high, "step": step})


def chance(default: float, help: str) -> Any:
    """A probability field, edited in steps of 0.05."""
    return param(default, help, 0.0, 1.0, 0.05)


def crop_field(default: float, help: str = "Smallest crop, as a fraction of the image area") -> Any:
    return param(default, help, 0.01, 1.0, 0.01)


def flip_field(default: float = 0.5) -> Any:
    return chance(default, "Chance of a horizontal flip")


def turn_field() -> Any:
    return chance(0.0, "Chance a view is given no up: a quarter turn and upside down, each with chance "
                       "1/2 (for pictures that have no up, such as cells or tiles seen from above)")


def gray_field() -> Any:
    return chance(0.2, "Chance of turning grey")


def sigma_field() -> Any:
    return param(2.0, "Largest blur sigma, in pixels", 0.1, 5.0, 0.1)


@dataclass
class Views:
    """What a recipe makes from a batch of N images.

    views:  list of float tensors (N_v, 3, S_v, S_v) in [0, 1]; for pair recipes two of
            them, row i of each coming from image i (a positive pair).
    mask:   MAE only: (N, L) bool, True where a patch is hidden.
    labels: rotation only: (4N,) int64 pretext labels 0..3 (quarter turns).
    """

    views: list[torch.Tensor]
    mask: torch.Tensor | None = None
    labels: torch.Tensor | None = None


@dataclass
class ViewSpec:
    """The chain applied to one view: crop+flip (+turn), colour, blur, solarize."""

    size: int
    crop_scale: tuple[float, float]
    flip_p: float
    jitter: tuple[float, float, float, float]  # brightness, contrast, saturation, hue
    jitter_p: float
    gray_p: float
    blur_p: float
    blur_sigma: tuple[float, float]
    solarize_p: float
    salient_p: float = 0.0  # chance the crop is centred on a salient point (ops.salient_points)
    swap_p: float = 0.0  # chance the background comes from another image (ops.swap_background)
    turn_p: float = 0.0  # chance the view is given no up (ops.resized_crop_flip)

    def __call__(self, x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        focus = None
        if self.salient_p > 0 or self.swap_p > 0:
            weights = ops.saliency(x)
            if self.swap_p > 0:
                x = ops.swap_background(x, weights, self.swap_p, gen)
            focus = ops.salient_points(weights, self.salient_p, gen) if self.salient_p > 0 else None
        x = ops.resized_crop_flip(x, self.size, self.crop_scale, (3 / 4, 4 / 3), self.flip_p, gen, focus, self.turn_p)
        if self.jitter_p > 0 or self.gray_p > 0:
            x = ops.colour_jitter_grayscale(x, *self.jitter, self.jitter_p, self.gray_p, gen)
        if self.blur_p > 0:
            x = ops.gaussian_blur(x, self.blur_p, self.blur_sigma, gen)
        if self.solarize_p > 0:
            x = ops.solarize(x, self.solarize_p, gen)
        return x.clamp_(0, 1)  # blur's float rounding can step past 1 by an ulp


class Recipe:
    """Base of every recipe: `recipe(batch_uint8, generator) -> Views`."""

    name: ClassVar[str]
    description: ClassVar[str]  # one plain sentence for the UI
    paper: ClassVar[str]

    def __post_init__(self) -> None:
        """Every field within the range its metadata declares (the bounds of the pages' sliders,
        which a script's or a saved config's recipe dict does not have), whole where its default
        is, and each `X_min` at most its `X_max`: else ValueError naming the field and its range."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]
        for f in fields(self):  # type: ignore[arg-type]
            value, low, high = values[f.name], f.metadata.get("min"), f.metadata.get("max")
            whole = isinstance(f.default, int)
            if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
                raise ValueError(f"recipe {self.name!r}: {f.name} must be a {'whole ' if whole else ''}number "
                                 f"({f.metadata.get('help', '')}), got {value!r}")
            if (low is not None and value < low) or (high is not None and value > high):
                raise ValueError(f"recipe {self.name!r}: {f.name} {value} is outside {low}..{high} "
                                 f"({f.metadata.get('help', '')})")
        for smallest, value in values.items():
            largest = smallest[:-4] + "_max"
            if smallest.endswith("_min") and values.get(largest, value) < value:
                raise ValueError(f"recipe {self.name!r}: {smallest} {value} is above {largest} {values[largest]}")

    def make_views(self, x: torch.Tensor, gen: torch.Generator, size: int) -> Views:
        """Float images (N, 3, H, W) in [0, 1] -> views whose (global) side is `size`."""
        raise NotImplementedError

    def view_names(self) -> list[str]:
        """A short name for each view `make_views` returns, in order."""
        return ["view 1", "view 2"]

    def __call__(self, batch: torch.Tensor, gen: torch.Generator, size: int | None = None) -> Views:
        """uint8 (N, H, W, 3) on any device -> Views on the same device, rendered at side
        `size` (default: the input's; the crop resamples, so a smaller side costs nothing)."""
        if batch.dtype != torch.uint8 or batch.ndim != 4 or batch.shape[-1] != 3:
            raise ValueError(f"expected a uint8 batch (N, H, W, 3), got {tuple(batch.shape)} {batch.dtype}")
        return self.make_views(ops.to_float(batch), gen, size or batch.shape[1])

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **asdict(self)}  # type: ignore[call-overload]


def _jitter(strength: float, bcs: float, hue: float) -> tuple[float, float, float, float]:
    return (bcs * strength, bcs * strength, bcs * strength, hue * strength)


@dataclass
class SimCLR(Recipe):
    name: ClassVar[str] = "simclr"
    description: ClassVar[str] = ("Two strongly augmented crops of each image: crop, flip, colour "
                                  "jitter, grayscale, blur.")
    paper: ClassVar[str] = "Chen et al. 2020, A Simple Framework for Contrastive Learning (SimCLR)"

    crop_min: float = crop_field(0.08)
    flip_p: float = flip_field()
    turn_p: float = turn_field()
    jitter_strength: float = param(1.0, "Colour jitter strength s (brightness, contrast, "
                                   "saturation 0.8s, hue 0.2s)", 0.0, 2.0, 0.05)
    jitter_p: float = chance(0.8, "Chance of colour jitter")
    gray_p: float = gray_field()
    blur_p: float = chance(0.5, "Chance of Gaussian blur")
    blur_sigma_max: float = sigma_field()
    solarize_p: float = chance(0.0, "Chance of solarization")
    salient_crop_p: float = chance(0.0, "Chance a crop is centred where the picture stands out "
                                   "(colour contrast) rather than anywhere")
    swap_background_p: float = chance(0.0, "Chance the background around what stands out is taken "
                                      "from another image, so two views share the object, not the "
                                      "background")

    def spec(self, size: int) -> ViewSpec:
        return ViewSpec(size, (self.crop_min, 1.0), self.flip_p, _jitter(self.jitter_strength, 0.8, 0.2),
                        self.jitter_p, self.gray_p, self.blur_p, (0.1, self.blur_sigma_max), self.solarize_p,
                        self.salient_crop_p, self.swap_background_p, self.turn_p)

    def make_views(self, x: torch.Tensor, gen: torch.Generator, size: int) -> Views:
        spec = self.spec(size)
        return Views([spec(x, gen), spec(x, gen)])


@dataclass
class SimCLRSmall(SimCLR):
    name: ClassVar[str] = "simclr_small"
    description: ClassVar[str] = ("SimCLR tuned for small images on a CPU: crops keep at least 30% of the "
                                  "picture and are mostly centred where it stands out, half the views are "
                                  "grey, no blur (it erases small objects).")
    paper: ClassVar[str] = ("Chen et al. 2020 (SimCLR), with milder crops, more grayscale, no blur and "
                            "salient crops, tuned here on shapes, digits, textures and cluttered sets "
                            "(bench/tune.py)")

    crop_min: float = crop_field(0.3)
    gray_p: float = chance(0.5, "Chance of turning grey")
    blur_p: float = chance(0.0, "Chance of Gaussian blur")
    salient_crop_p: float = chance(0.8, "Chance a crop is centred where the picture stands out "
                                   "(colour contrast) rather than anywhere")


@dataclass
class SimCLRMultiCrop(SimCLRSmall):
    name: ClassVar[str] = "simclr_multicrop"
    description: ClassVar[str] = ("SimCLR's two views plus several small local crops, each of which must "
                                  "match both views: a part of the picture must tell which picture it is.")
    paper: ClassVar[str] = ("Caron et al. 2020, Unsupervised Learning of Visual Features by Contrasting "
                            "Cluster Assignments (SwAV), multi-crop, on simclr_small's views; the crop sizes "
                            "and counts tuned here on shapes, digits and cluttered sets (bench/tune.py)")

    # global views keep at least 60% of the picture (simclr_small: 30%, which cuts a small object out of
    # many views); bench/tune.py at 5 CPU minutes, clutter_shapes seeds 0/1/2: 0.481 / 0.461 / 0.481
    # against 0.466 / 0.442 / 0.447 at 30% (untrained 0.222 / 0.220 / 0.203), clutter_digits 0.166
    # against 0.149, the other sets held (README)
    crop_min: float = crop_field(0.6)
    local_crops: int = param(6, "Number of local crops", 0, 10, 1)
    local_crop_min: float = param(0.05, "Smallest local crop (area fraction)", 0.01, 1.0, 0.01)
    local_crop_max: float = param(0.3, "Largest local crop (area fraction)", 0.05, 1.0, 0.01)
    local_size_fraction: float = param(0.5, "Local crop side, as a fraction of the global side",
                                       0.2, 1.0, 0.05)

    def make_views(self, x: torch.Tensor, gen: torch.Generator, size: int) -> Views:
        spec = self.spec(size)
        local = replace(self.spec(max(8, round(size * self.local_size_fraction))),
                        crop_scale=(self.local_crop_min, self.local_crop_max))
        return Views([spec(x, gen), spec(x, gen)] + [local(x, gen) for _ in range(self.local_crops)])

    def view_names(self) -> list[str]:
        return ["view 1", "view 2"] + [f"local {i + 1}" for i in range(self.local_crops)]


@dataclass
class MoCoV2(SimCLR):
    name: ClassVar[str] = "moco_v2"
    description: ClassVar[str] = "SimCLR's augmentations with milder crops and colour jitter."
    paper: ClassVar[str] = "Chen et al. 2020, Improved Baselines with Momentum Contrastive Learning"

    crop_min: float = crop_field(0.2)
    jitter_strength: float = param(0.5, "Colour jitter strength s (brightness, contrast, "
                                   "saturation 0.8s, hue 0.2s)", 0.0, 2.0, 0.05)


@dataclass
class BYOL(Recipe):
    name: ClassVar[str] = "byol"
    description: ClassVar[str] = ("Asymmetric views: the first is always blurred, the second rarely "
                                  "blurred but sometimes solarized.")
    paper: ClassVar[str] = "Grill et al. 2020, Bootstrap Your Own Latent (BYOL)"

    crop_min: float = crop_field(0.08)
    flip_p: float = flip_field()
    turn_p: float = turn_field()
    jitter_p: float = chance(0.8, "Chance of colour jitter (0.4, 0.4, 0.2, 0.1)")
    gray_p: float = gray_field()
    blur_p_view1: float = chance(1.0, "Chance of blur, first view")
    blur_p_view2: float = chance(0.1, "Chance of blur, second view")
    solarize_p_view1: float = chance(0.0, "Chance of solarization, first view")
    solarize_p_view2: float = chance(0.2, "Chance of solarization, second view")
    blur_sigma_max: float = sigma_field()

    def make_views(self, x: torch.Tensor, gen: torch.Generator, size: int) -> Views:
        common = dict(size=size, crop_scale=(self.crop_min, 1.0), flip_p=self.flip_p,
                      jitter=(0.4, 0.4, 0.2, 0.1), jitter_p=self.jitter_p, gray_p=self.gray_p,
                      blur_sigma=(0.1, self.blur_sigma_max), turn_p=self.turn_p)
        first = ViewSpec(**common, blur_p=self.blur_p_view1, solarize_p=self.solarize_p_view1)
        second = ViewSpec(**common, blur_p=self.blur_p_view2, solarize_p=self.solarize_p_view2)
        return Views([first(x, gen), second(x, gen)])


@dataclass
class DINO(Recipe):
    name: ClassVar[str] = "dino"
    description: ClassVar[str] = ("Multi-crop: two large global crops and several small local crops "
                                  "of each image.")
    paper: ClassVar[str] = "Caron et al. 2021, Emerging Properties in Self-Supervised Vision Transformers"

    global_crop_min: float = param(0.4, "Smallest global crop (area fraction)", 0.05, 1.0, 0.01)
    local_crops: int = param(6, "Number of local crops", 0, 10, 1)
    local_crop_min: float = param(0.05, "Smallest local crop (area fraction)", 0.01, 1.0, 0.01)
    local_crop_max: float = param(0.4, "Largest local crop (area fraction)", 0.05, 1.0, 0.01)
    local_size_fraction: float = param(96 / 224, "Local crop side, as a fraction of the global side",
                                       0.2, 1.0, 0.01)
    flip_p: float = flip_field()
    turn_p: float = turn_field()
    jitter_p: float = chance(0.8, "Chance of colour jitter (0.4, 0.4, 0.2, 0.1)")
    gray_p: float = gray_field()
    solarize_p: float = chance(0.2, "Chance of solarization, second global view")

    def make_views(self, x: torch.Tensor, gen: torch.Generator, size: int) -> Views:
        local_size = max(8, round(size * self.local_size_fraction))
        colour = dict(flip_p=self.flip_p, jitter=(0.4, 0.4, 0.2, 0.1), jitter_p=self.jitter_p,
                      gray_p=self.gray_p, blur_sigma=(0.1, 2.0), turn_p=self.turn_p)
        global_scale = (self.global_crop_min, 1.0)
        specs = [
            ViewSpec(size, global_scale, **colour, blur_p=1.0, solarize_p=0.0),
            ViewSpec(size, global_scale, **colour, blur_p=0.1, solarize_p=self.solarize_p),
        ] + [
            ViewSpec(local_size, (self.local_crop_min, self.local_crop_max), **colour, blur_p=0.5, solarize_p=0.0)
        ] * self.local_crops
        return Views([spec(x, gen) for spec in specs])

    def view_names(self) -> list[str]:
        return ["global 1", "global 2"] + [f"local {i + 1}" for i in range(self.local_crops)]


@dataclass
class MAE(Recipe):
    name: ClassVar[str] = "mae"
    description: ClassVar[str] = ("Masked prediction: hide most of the image's patches; the model "
                                  "must paint them back.")
    paper: ClassVar[str] = "He et al. 2022, Masked Autoencoders Are Scalable Vision Learners"

    patch_size: int = param(8, "Side of a square patch, in pixels (must divide the image side)", 2, 32, 1)
    mask_ratio: float = param(0.75, "Fraction of patches hidden", 0.0, 0.95, 0.05)
    crop_min: float = crop_field(0.2)
    flip_p: float = flip_field()

    def make_views(self, x: torch.Tensor, gen: torch.Generator, size: int) -> Views:
        if size % self.patch_size:
            raise ValueError(f"patch size {self.patch_size} does not divide the image side {size}")
        view = ops.resized_crop_flip(x, size, (self.crop_min, 1.0), (3 / 4, 4 / 3), self.flip_p, gen)
        patches = (size // self.patch_size) ** 2
        return Views([view], mask=ops.random_patch_mask(x.shape[0], patches, self.mask_ratio, gen, x.device))

    def view_names(self) -> list[str]:
        return [f"{self.mask_ratio:.0%} hidden"]


@dataclass
class Rotation(Recipe):
    name: ClassVar[str] = "rotation"
    description: ClassVar[str] = ("Each image turned by 0, 90, 180 and 270 degrees; the model must "
                                  "tell which turn it sees.")
    paper: ClassVar[str] = "Gidaris et al. 2018, Unsupervised Representation Learning by Predicting Image Rotations"

    crop_min: float = crop_field(1.0, "Smallest crop before turning (1 = the whole image)")
    flip_p: float = flip_field(0.0)

    def make_views(self, x: torch.Tensor, gen: torch.Generator, size: int) -> Views:
        n = x.shape[0]
        if self.crop_min < 1.0 or self.flip_p > 0 or size != x.shape[-1]:
            x = ops.resized_crop_flip(x, size, (self.crop_min, 1.0), (3 / 4, 4 / 3), self.flip_p, gen)
        turned = torch.cat([torch.rot90(x, k, dims=(2, 3)) for k in range(4)])
        labels = torch.arange(4, device=x.device).repeat_interleave(n)
        return Views([turned], labels=labels)

    def view_names(self) -> list[str]:
        return [f"{90 * k}\u00b0 (label {k})" for k in range(4)]


RECIPES: dict[str, type[Recipe]] = {r.name: r for r in (SimCLR, SimCLRSmall, SimCLRMultiCrop, MoCoV2, BYOL,
                                                         DINO, MAE, Rotation)}


def make_recipe(name: str, **params: Any) -> Recipe:
    """The recipe called `name` with its defaults, overridden by `params`. Unknown names
    or parameters fail with the valid ones."""
    if name not in RECIPES:
        raise KeyError(f"no recipe {name!r}; choose one of: {', '.join(RECIPES)}")
    recipe = RECIPES[name]()  # type: ignore[call-arg]
    valid = {f.name for f in fields(recipe)}  # type: ignore[arg-type]
    unknown = set(params) - valid
    if unknown:
        raise KeyError(f"recipe {name!r} has no parameter {', '.join(sorted(unknown))}; "
                       f"valid: {', '.join(sorted(valid))}")
    return replace(recipe, **params)  # type: ignore[type-var]


def recipe_from_dict(data: dict[str, Any]) -> Recipe:
    """Inverse of Recipe.to_dict (JSON round trip: lists become tuples where needed)."""
    params = {k: v for k, v in data.items() if k != "name"}
    return make_recipe(data["name"], **params)
