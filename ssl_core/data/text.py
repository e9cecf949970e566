"""User-supplied names and labels as safe text: one rule for file names, labels and paths."""

from __future__ import annotations


def printable(name: str) -> str:
    """`name` as safe text: undecodable bytes and control characters (NUL, line breaks,
    escape sequences, bidirectional overrides) escaped as backslash sequences."""
    try:  # a file-system name: its undecodable bytes come back as \xNN
        text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte
        text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)
