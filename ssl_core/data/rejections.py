"""The rejected files of one import, as stored and shown: the first LISTED one by one, then
one row per kind of reason ("... and 118,000 more like this"), so that an archive of
120,000 bad members stores and sends about a thousand rows, not 120,000. A cap's own
summary ("20,002 more files skipped: over the caps ...") stands for many files and is
listed apart (up to KINDS of them).

Rows are {"file", "reason"} dicts; `rejected_total(rows)` gives back the whole count.
"""

from __future__ import annotations

import re

LISTED = 1000  # rejections listed one by one
KINDS = 20  # summary rows at most; further kinds share the last one
OTHER = "other reasons"
_MORE = re.compile(r"^\.\.\. and ([\d,]+) more like this$")  # in "file"
_SKIPPED = re.compile(r"^([\d,]+) more files skipped")  # in "reason" (sources._Budget.summary)
SKIPPED_KIND = "more files skipped over the caps"


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
        self._summaries: list[dict[str, str]] = []
        self._more: dict[str, int] = {}

    def add(self, file: str, reason: str, count: int = 1) -> None:
        """One rejected file, or (`count` > 1) a cap's summary of `count` skipped files."""
        self.total += count
        if count > 1 and len(self._summaries) < KINDS:
            self._summaries.append({"file": file, "reason": reason})
            return
        if count == 1 and len(self._rows) < self.listed:
            self._rows.append({"file": file, "reason": reason})
            return
        kind = SKIPPED_KIND if count > 1 else _kind(reason)
        if kind not in self._more and len(self._more) >= KINDS - 1:
            kind = OTHER
        self._more[kind] = self._more.get(kind, 0) + count

    def rows(self) -> list[dict[str, str]]:
        more = [{"file": more_like_this(n), "reason": kind} for kind, n in self._more.items()]
        return self._rows + more + self._summaries


def rejected_total(rows: list[dict[str, str]]) -> int:
    """How many files `rows` stand for: one per listed row, the count of each summary row."""
    total = 0
    for row in rows:
        match = _MORE.match(row["file"]) or _SKIPPED.match(row["reason"])
        total += int(match.group(1).replace(",", "")) if match else 1
    return total
