"""One finding of `doctor` (doctor.py, doctor_imports.py) and its safe fix, if any."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Problem:
    """One thing wrong: which check found it, where, what, and (if any) its safe fix."""

    check: str
    where: str
    detail: str
    fix: Callable[[], None] | None = None
    fix_words: str | None = None  # what the fix does, for people

    def to_json(self) -> dict[str, str | None]:
        return {"check": self.check, "where": self.where, "detail": self.detail, "repair": self.fix_words}
