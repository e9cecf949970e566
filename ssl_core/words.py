"""Numbers in words for what the app and the command line say, without torch (the Data
page's first paint imports this)."""

from __future__ import annotations


def counted(count: int, unit: str) -> str:
    """`count` of a plural `unit` in words: '1 image', '0 images', '2 examples'."""
    return f"{count:,} {unit[:-1] if count == 1 else unit}"
