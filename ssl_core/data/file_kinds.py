"""What a file that no allowed image parser opens is, from its first bytes, in a person's
words: so that a rejection says "a HEIC photo (the iPhone's format)" and what to do, not only
that it is not a supported image; where it says what to do, the list of formats expected is
left out (walk 14: it cut the HEIC advice short in the rejected files' column). Signatures:
ISO base media `ftyp` brands (HEIF/AVIF stills, MP4/QuickTime video), PDF, Photoshop,
SVG/XML, and text (UTF-8 without NUL bytes).
"""

from __future__ import annotations

import codecs
from typing import NamedTuple


class KnownKind(NamedTuple):
    what: str  # "a HEIC photo, the iPhone's format"
    remedy: str | None  # "export or share it as JPEG"; None where the formats expected say it


_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"hevx", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_SIGNATURES = ((b"%PDF", KnownKind("a PDF document", "export its pages as PNG or JPEG")),
               (b"8BPS", KnownKind("a Photoshop document", "export it as PNG or JPEG")))
SNIFF_BYTES = 512
# the first bytes of the formats read (decode.ALLOWED_FORMATS), to tell a damaged one from another kind of file
_ALLOWED_STARTS = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
                   (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"BM", "BMP"))


def started_format(data: bytes) -> str | None:
    """The allowed format whose signature `data` starts with ('JPEG', 'WebP', ...), or None: a
    file that starts one yet does not open is damaged, and one that starts none is another kind
    of file or damaged at its start (walk 20: a JPEG whose first bytes were zeroed was only 'not a
    supported image', as a PDF would be)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return next((name for start, name in _ALLOWED_STARTS if data.startswith(start)), None)


def known_kind(data: bytes) -> KnownKind | None:
    """What `data` is and what to do with it, where its first bytes say; None where they say
    nothing recognised (random or damaged bytes)."""
    head = data[:SNIFF_BYTES]
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return KnownKind("a HEIC photo, the iPhone's format", "export or share it as JPEG")
        if brand in _AVIF_BRANDS:
            return KnownKind("an AVIF image", "save it as PNG or JPEG")
        return KnownKind("an MP4 or QuickTime video", "take stills from it as JPEG or PNG")
    for signature, words in _SIGNATURES:
        if head.startswith(signature):
            return words
    if b"\x00" in head:
        return None
    try:  # a character cut at the end of the first bytes is left out, any other bad byte is no text
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=len(data) <= SNIFF_BYTES)
    except UnicodeDecodeError:
        return None
    lowered = text.lstrip().lower()
    if lowered.startswith("<svg") or (lowered.startswith("<?xml") and "<svg" in lowered):
        return KnownKind("an SVG drawing, lines and shapes rather than pixels", "export it as PNG")
    if text.strip() and all(c.isprintable() or c in "\t\r\n" for c in text):
        return KnownKind("a text file", None)
    return None
