"""Decode one image file into RGB, refusing what is not a safe, supported image.

Formats: JPEG, PNG, WebP, BMP, TIFF, GIF (the first page or frame; `info["frames"]` counts
them, for the import to say so). EXIF orientation is applied; CMYK, palette, grey, grey+alpha,
1-bit and 16-bit images become 8-bit RGB (16-bit is scaled, not clipped). A TIFF of samples
over 8 bits stored plane by plane, which Pillow decodes as noise (walk 17: a microscope's
16-bit RGB), is read by tifffile. Transparent pixels are composited onto white.

Caps: one file's pixels (MAX_PIXELS, read from the header before any decoding), one
file's decoding time (MAX_DECODE_SECONDS, checked each time the decoder reads more of the
file and after each stage, each stage being bounded by the pixel cap), and, through a
`PixelBudget`, the decoded pixels of a whole import (counted after JPEG's reduced-scale
draft, so the pixels really decoded).
"""

from __future__ import annotations

import io
import math
import re
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PIL import ExifTags, Image, ImageOps

from .file_kinds import known_kind, started_format
from .trim import NONE, Trim, kept_box, parse_trim, trimmed

if TYPE_CHECKING:
    from ..store import DatasetInfo

# Only these parsers ever see user bytes.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "DIB", "TIFF", "GIF")  # JPEG covers camera MPO
FORMAT_NAMES = "JPEG, PNG, WebP, BMP, TIFF or GIF"
MAX_PIXELS = 40_000_000  # larger images are refused as decompression bombs
MAX_DECODE_SECONDS = 10.0  # one file's decoding (a 40-megapixel PNG: 3.9 s here, 2 busy cores)
MAX_IMPORT_PIXELS = 100_000_000_000  # decoded pixels of one import (after JPEG drafts)
Image.init()  # register every plugin, so that each name above is known to `formats=`


class RejectedFile(Exception):
    """A file that is not imported; the message is the reason shown to the user."""


def _bomb(pixels: str) -> RejectedFile:
    """The refusal of an image of `pixels` ("WxH", or a count) over MAX_PIXELS."""
    return RejectedFile(f"decompression bomb refused: {pixels} pixels is over the limit of {MAX_PIXELS:,}")


def _pillows_bomb(exc: Exception) -> RejectedFile:
    """Pillow's own refusal (its limits are above MAX_PIXELS) in the project's words: the
    pixels its message counts from the header (of the image, a frame or a tile), never its cap."""
    counted = re.search(r"\((\d+) pixels\)", str(exc))
    if counted is None:  # a Pillow that words it otherwise
        return RejectedFile(f"decompression bomb refused: over the limit of {MAX_PIXELS:,} pixels")
    return _bomb(f"{int(counted.group(1)):,}")


class PixelBudget:
    """The decoded pixels of one import against `cap`: once a file would pass it, that
    file and every later one are refused (the import keeps what came before)."""

    def __init__(self, cap: int | None = None) -> None:
        self.cap = MAX_IMPORT_PIXELS if cap is None else cap
        self.used, self.full = 0, False

    def __call__(self, pixels: int) -> None:
        if self.full or self.used + pixels > self.cap:
            self.full = True
            raise RejectedFile(f"the import reached its cap of {self.cap:,} decoded pixels "
                               f"({self.used:,} decoded before this file)")
        self.used += pixels


class _TimedBytes(io.BytesIO):
    """The file's bytes, refusing to hand out more once `seconds` have passed."""

    def __init__(self, data: bytes, seconds: float) -> None:
        super().__init__(data)
        self.seconds, self.deadline = seconds, time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise RejectedFile(f"decoding took longer than the cap of {self.seconds:g} s per file")

    def read(self, size: int | None = -1) -> bytes:
        self.check()
        return super().read(size)

    def readinto(self, buffer) -> int:  # type: ignore[override]
        self.check()
        return super().readinto(buffer)


DEPTHS = ("stretch", "range")  # how a picture of more than 8 bits per sample becomes 8 (_to_8bit)
STRETCH = (0.5, 99.5)  # the percentiles of its own samples a "stretch" maps onto 0 and 255
DEEP_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")  # Pillow's modes of more than 8 bits per sample
PERCENTILE_SAMPLES = 1_000_000  # a stretch reads its percentiles from at most about this many samples (a review:
# 40-megapixel frames took 3.0 s and 1.2 GB more with every sample sorted)


def _decode_16bit(im: Image.Image, depth: str, trim: Trim) -> Image.Image:
    """16- and 32-bit grey ('I;16*', 'I', 'F') scaled into 0..255 as `depth` says (_to_8bit), a stretch read
    from the part `trim` keeps and not from a transparent value; 'LA' where a tRNS chunk names a transparent
    grey value (clear there), else 'L'."""
    samples = np.asarray(im)
    arr = samples.astype(np.float64)
    top = None if im.mode == "F" else 65535 if im.mode.startswith("I;16") or arr.max() > 255 else 255
    clear = im.info.get("transparency")
    clear = clear if isinstance(clear, int) else None
    left, upper, right, lower = kept_box(im.size[0], im.size[1], trim)
    kept = samples[upper:lower, left:right]
    grey = Image.fromarray(_to_8bit(arr, top, depth, kept if clear is None else kept[kept != clear]), "L")
    if clear is None:
        return grey
    return Image.merge("LA", (grey, Image.fromarray(np.where(arr == clear, 0, 255).astype(np.uint8), "L")))


def _deep_tiff(im: Image.Image) -> bool:
    """Whether `im` is a TIFF of several samples a pixel (RGB, RGBA) of more than 8 bits each, which Pillow
    decodes into noise (stored plane by plane, PlanarConfiguration 2) or keeps only 8 bits of (a review: a
    16-bit RGB sky stored at 3 of 255, not stretched): tifffile reads it."""
    if im.format != "TIFF":
        return False
    bits = im.tag_v2.get(258, (8,))
    return max(bits if isinstance(bits, tuple) else (bits,)) > 8 and im.tag_v2.get(277, 1) >= 3


def _planes(data: bytes, depth: str, trim: Trim) -> Image.Image:
    """The first page of a `_deep_tiff` read by tifffile, (S, H, W) or (H, W, S) -> 8-bit RGB(A), scaled
    as `depth` says (_to_8bit), a stretch read from the part `trim` keeps."""
    import tifffile

    arr = tifffile.imread(io.BytesIO(data), key=0)
    if arr.ndim == 3 and arr.shape[0] in (3, 4) and arr.shape[-1] not in (3, 4):
        arr = np.moveaxis(arr, 0, -1)
    if arr.ndim != 3 or arr.shape[-1] not in (3, 4):
        raise RejectedFile(f"a TIFF of {arr.shape} samples of more than 8 bits; expected 3 (RGB) or 4 (RGBA) a pixel")
    top = np.iinfo(arr.dtype).max if np.issubdtype(arr.dtype, np.integer) else None
    left, upper, right, lower = kept_box(arr.shape[1], arr.shape[0], trim)
    scaled = _to_8bit(arr.astype(np.float64), top, depth, arr[upper:lower, left:right, :3])
    return Image.fromarray(scaled, "RGB" if arr.shape[-1] == 3 else "RGBA")


def _to_8bit(arr: np.ndarray, top: float | None, depth: str, samples: np.ndarray) -> np.ndarray:
    """Samples `arr` of any shape scaled into 0..255 as uint8. `depth` "stretch": from the STRETCH percentiles
    of `samples` (the picture's own, where they count: what a trim keeps, not a transparent value), as a viewer's
    auto-contrast shows a picture (walk 49: 16-bit sky frames at 1,000 counts, a galaxy 600-1,200 above, were
    stored at 4 of 255 with the galaxy 2-5 levels above it), or from their least to their largest where the two
    percentiles meet (a few stars or cells on a blank ground); "range": 16-bit and 32-bit integers by `top`, the
    largest value of their type (65535 -> 255), which keeps how bright pictures are against one another, floating
    point (`top` None) from its own least to its largest. Samples all alike: 0, or their type's level."""
    if not np.issubdtype(samples.dtype, np.integer):
        samples = samples[np.isfinite(samples)]
    samples = samples.ravel()
    low = high = 0.0
    if samples.size and depth == "stretch":
        low, high = np.percentile(samples[:: max(1, samples.size // PERCENTILE_SAMPLES)], STRETCH)
    if high <= low:
        low, high = ((0.0, top) if depth == "range" and top is not None else
                     (float(samples.min()), float(samples.max())) if samples.size else (0.0, 0.0))
    if high <= low:
        low, high = (0.0, top) if top is not None else (low, low + 1.0)  # one level: its type's, or 0
    scaled = (arr - low) / (high - low) * 255.0
    return np.clip(np.rint(np.nan_to_num(scaled)), 0, 255).astype(np.uint8)


def to_rgb(im: Image.Image, depth: str = "stretch", trim: Trim = NONE) -> Image.Image:
    """Any Pillow mode to 8-bit RGB, more than 8 bits per sample as `depth` says (_to_8bit) from what `trim`
    keeps; transparency composited onto white."""
    if im.mode in DEEP_MODES:
        im = _decode_16bit(im, depth, trim)
    if im.mode == "P" or (im.mode in ("L", "RGB") and "transparency" in im.info):
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("LA", "La", "PA", "RGBa"):
        im = im.convert("RGBA")
    if im.mode == "RGBA":
        background = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, im)
    return im.convert("RGB")


def decode_image(data: bytes, draft_size: int | None = None, *, depth: str = "stretch", trim: Trim = NONE,
                 max_seconds: float | None = None,
                 admit_pixels: Callable[[int], None] | None = None) -> Image.Image:
    """Decode `data` into an RGB image of its original size (orientation applied), samples of
    more than 8 bits scaled as `depth` (one of DEPTHS) says; `info["deep"]` is True for those.

    `draft_size` lets JPEG decode at a reduced scale no smaller than that many pixels
    per side, which is faster and keeps memory bounded; `info["original_size"]` stays the
    (width, height) of the file, orientation applied. `max_seconds` (default
    MAX_DECODE_SECONDS) caps the decoding time. `admit_pixels(n)` is called with the
    pixels about to be decoded and may refuse them (a PixelBudget). Raises RejectedFile
    with the reason when the bytes are empty, not a supported image, truncated, too
    large, too slow to decode or over the budget.
    """
    if not data:
        raise RejectedFile("empty file")
    source = _TimedBytes(data, MAX_DECODE_SECONDS if max_seconds is None else max_seconds)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(source, formats=ALLOWED_FORMATS)
        except RejectedFile:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _pillows_bomb(exc) from None
        except Exception:
            kind = known_kind(data)  # walk 14: an iPhone's HEIC photo was only 'not a supported image'
            if not kind and (started := started_format(data)):
                raise RejectedFile(f"a damaged {started} file: it starts as one, but its header cannot "
                                   "be read") from None
            what = f": {kind.what}" if kind else ""
            remedy = f"; {kind.remedy}" if kind and kind.remedy else f" (expected {FORMAT_NAMES})"
            unknown = "" if kind else (": its first bytes are none of theirs, so it is another kind of file, or one "
                                       "damaged at its start")
            raise RejectedFile(f"not a supported image{what}{remedy}{unknown}") from None
        width, height = im.size
        if width * height > MAX_PIXELS:
            raise _bomb(f"{width}x{height}")
        try:
            if draft_size and im.format in ("JPEG", "MPO"):
                im.draft("RGB", (draft_size, draft_size))
            if admit_pixels is not None:
                admit_pixels(im.size[0] * im.size[1])
            frames = getattr(im, "n_frames", 1)
            im.load()
            drafted = im.size != (width, height)  # a JPEG decoded at a reduced scale
            source.check()
            planar = _deep_tiff(im)  # read again by tifffile, which does not turn it
            turned = not planar and im.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8)  # quarter turn
            deep = planar or im.mode in DEEP_MODES
            im = to_rgb(_planes(data, depth, trim) if planar else ImageOps.exif_transpose(im), depth, trim)
            source.check()
            im.info["original_size"] = (height, width) if turned else (width, height)
            im.info["frames"], im.info["deep"], im.info["drafted"] = frames, deep, drafted
            return im
        except RejectedFile:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _pillows_bomb(exc) from None
        except Exception as exc:  # Pillow raises many types for corrupt data
            if "truncated" in str(exc):
                raise RejectedFile("truncated image (the file ends early)") from None
            raise RejectedFile(f"corrupt {im.format} image ({exc})") from None


def square(im: Image.Image, side: int) -> np.ndarray:
    """Centre-crop to a square and resize to (side, side, 3) uint8."""
    fitted = ImageOps.fit(im, (side, side), Image.Resampling.BICUBIC)
    return np.asarray(fitted, dtype=np.uint8)


FITS = ("crop", "pad")  # how a picture becomes its stored square: its centre square, or whole and padded


def fitted(im: Image.Image, side: int, fit: str = "crop") -> np.ndarray:
    """(side, side, 3) uint8 of `im` as a dataset stores it (`fit` one of FITS): its centre
    square (`square`), or the whole picture padded with its own mean colour, so that no object
    near a long side is cut off (walk 21: 32 of 610 wholly outside the centre square). A grey
    ("L") `im` gives (side, side), fitted alike (detail.py measures in grey, a third of the work)."""
    if fit == "crop":
        return square(im, side)
    small = (im if im.mode == "L" else im.convert("RGB")).resize((16, 16), Image.Resampling.BOX)  # from few pixels
    mean = tuple(int(round(c)) for c in np.asarray(small, dtype=np.float32).reshape(16 * 16, -1).mean(0))
    return letterbox(im, side, mean)


THUMB_SIZE = 96  # side of the thumbnails shown in the UI: an import decodes every picture at least this large


def stored_draft(size: int, trim: Trim) -> int:
    """The draft side (decode_image's `draft_size`) an import decodes a picture at for a stored side of `size`
    and its thumbnail, with `trim`'s bands cut off after: large enough that what the trim keeps still holds
    that many pixels (a review: a JPEG with 40% cut off top and bottom, decoded for 96 px, kept 20)."""
    top, right, bottom, left = trim
    return math.ceil(round(max(size, THUMB_SIZE) / min(1 - left - right, 1 - top - bottom), 6))  # 1-0.4-0.4 < 0.2


def as_stored(data: bytes, dataset: DatasetInfo) -> np.ndarray:
    """An image file's bytes as `dataset` (its size_px, fit, trim and depth: an exported encoder's
    config["stored"] will do; one exported before depth, "range", as it was) stores its pictures: decoded
    at the import's draft side (stored_draft), more than 8 bits per sample scaled as it scaled them,
    its edges trimmed as the import trimmed them (trim.py), fitted to the stored square: (side, side,
    3) uint8, the very pixels the import stored from the same file. What a query, the Lab's upload or
    an export's read_picture reads, so that it is cut as the pictures it is set against.
    Raises RejectedFile where the bytes are not a safe, supported image."""
    trim = parse_trim(dataset.trim)
    im = decode_image(data, draft_size=stored_draft(dataset.size_px, trim), depth=getattr(dataset, "depth", "range"),
                      trim=trim)
    return fitted(trimmed(im, trim), dataset.size_px, dataset.fit)


def letterbox(im: Image.Image, side: int, fill: tuple[int, int, int] = (240, 242, 246)) -> np.ndarray:
    """The whole image fitted inside (side, side, 3) uint8, padded with `fill`."""
    contained = ImageOps.pad(im, (side, side), Image.Resampling.BICUBIC, color=fill)
    return np.asarray(contained, dtype=np.uint8)
