"""The rejected files of one import, as stored and shown: the first LISTED one by one, then
one row per kind of reason ("... and 118,000 more like this"), so that an archive of
120,000 bad members stores and sends about a thousand rows, not 120,000.

Rows are {"file", "reason"} dicts; `rejected_total(rows)` gives back the whole count.
"""

from __future__ import annotations

import re

LISTED = 1000  # rejections listed one by one
KINDS = 20  # summary rows at most; further kinds share the last one
OTHER = "other reasons"
_MORE = re.compile(r"^\.\.\. and ([\d,]+) more like this$")


def _kind(reason: str) -> str:
    """A reason without its particulars: 'file too large (12 bytes; ...)' -> 'file too large'."""
    return reason.split(" (")[0].split(": ")[0].strip() or reason


def more_like_this(count: int) -> str:
    return f"... and {count:,} more like this"


class RejectionList:
    """Collects (file, reason) pairs; `rows()` is the capped list to store and show."""

    def __init__(self, listed: int = LISTED) -> None:
        self.listed, self.total = listed, 0
        self._rows: list[dict[str, str]] = []
        self._more: dict[str, int] = {}

    def add(self, file: str, reason: str) -> None:
        self.total += 1
        if len(self._rows) < self.listed:
            self._rows.append({"file": file, "reason": reason})
            return
        kind = _kind(reason)
        if kind not in self._more and len(self._more) >= KINDS - 1:
            kind = OTHER
        self._more[kind] = self._more.get(kind, 0) + 1

    def rows(self) -> list[dict[str, str]]:
        return self._rows + [{"file": more_like_this(n), "reason": kind} for kind, n in self._more.items()]


def rejected_total(rows: list[dict[str, str]]) -> int:
    """How many files `rows` stand for: one per listed row, the count of each summary row."""
    total = 0
    for row in rows:
        match = _MORE.match(row["file"])
        total += int(match.group(1).replace(",", "")) if match else 1
    return total
