"""Numbers in words for what the app and the command line say, without torch (the Data
page's first paint imports this)."""

from __future__ import annotations

import math


def counted(count: int, unit: str, verb: tuple[str, str] | None = None) -> str:
    """`count` of a plural `unit` in words: '1 image', '0 images', '2 examples'; with `verb`
    (its forms for one and for several) the verb that agrees: '1 row names', '2 rows name'."""
    said = f"{count:,} {noun(count, unit)}"
    return f"{said} {agreeing(count, *verb)}" if verb else said


def pace(per_s: float) -> str:
    """A rate a second in words: whole where 10 or more ('452'), else two digits ('1.6': walk
    29's 1.6 images/s read '2')."""
    return f"{per_s:,.0f}" if per_s >= 10 else f"{per_s:.2g}"


def noun(count: int, unit: str) -> str:
    """The plural `unit` as it agrees with `count`: 'embedding set' for 1, else 'embedding sets';
    a plural in -sses loses its 'es' ('label class', 'pass': 'label classe' was said)."""
    if count != 1:
        return unit
    return unit[:-2] if unit.endswith("sses") else unit[:-1]


def agreeing(count: int, one: str, many: str) -> str:
    """`one` for a count of 1, else `many`: the verb or pronoun that agrees with `count` things
    ('is'/'are', 'it'/'they')."""
    return one if count == 1 else many


def listed(names: list[str], last: str = "and") -> str:
    """Names in a sentence: 'a', 'a and b', 'a, b and c' (`last` 'or': 'a, b or c')."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"


def cut(value: float, places: int) -> str:
    """`value` cut towards 0, not rounded, to `places` decimals, so that a value under a bar never reads as it
    (walk 17: a pixel correlation of 0.9496 read 'pixels 0.95' beside 'correlation 0.95 or more'), and never
    '-0.00' (walk 15)."""
    scale = 10 ** places
    kept = math.floor(abs(value) * scale + 1e-9) / scale  # 0.29 * 100 is 28.999...: the bar itself stays itself
    return f"{math.copysign(kept, value) if kept else 0.0:.{places}f}"
