"""User-supplied names and labels as safe text: one rule for file names, labels and paths."""

from __future__ import annotations


def printable(name: str) -> str:
    """`name` as safe text: undecodable bytes and control characters (NUL, line breaks,
    escape sequences, bidirectional overrides) escaped as backslash sequences."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)
