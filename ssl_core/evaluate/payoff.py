"""The label-efficiency curve in words: what an encoder's features gave with few labels and
with all of them, against the best baseline at the same labels, and whether the gap is beyond
the noise of the held-out images (verdict.margin), and on unequal classes against what always
answering the largest class scores (walk 14: every curve under that floor while the sentence
said only "within noise of the best baseline"). The Evaluate page shows one sentence per judged
encoder under the curve, so a reader need not judge overlapping error bars by eye.

Data flow: a report's `label_efficiency` ({"fractions", "pool", "test", "curves": {name:
[{"fraction", "labels", "mean", ...}]}}, label_efficiency.label_efficiency), its `floor`
({"name", "accuracy"}, report.probes) and the judged curve's name -> a sentence.
"""

from __future__ import annotations

from collections.abc import Mapping

from .verdict import margin

FEW = 0.1  # the "few labels" share the sentence reads (SimCLR's 10% of ImageNet), else the nearest measured


def payoff_words(efficiency: dict, judged: str, names: Mapping[str, str], unit: str = "images",
                 least: Mapping | None = None, twin: str | None = None) -> str:
    """One sentence on curve `judged` of `efficiency`: its accuracy with few labels and with all,
    each against the best other curve (the baselines) at the same share, and against curve
    `twin`, its untrained network, where that is not the best (walk 19: "above the best baseline
    (TF-IDF)" under a verdict "Nothing learned yet" against the untrained network, unsaid), said
    as above, below or within noise of it, on so many held-out `unit`; where the floor `least`
    is the largest class (report.probes), a second sentence puts the same two against it.
    `names` maps curve keys (a run id, the twin's) to the names shown; others as they are."""
    curves = efficiency["curves"]
    shares = sorted({p["fraction"] for p in curves[judged]})
    few = min(shares, key=lambda share: (abs(share - FEW), share))
    shares = list(dict.fromkeys((few, shares[-1])))
    parts = [_at(efficiency, judged, share, names, twin) for share in shares]
    said = f"{names.get(judged, judged)}: " + "; ".join(text for text, _ in parts) + "."
    if least and least["name"] == "largest class":
        against, beside = _against_largest(efficiency, judged, shares, curve_floor(efficiency, least), unit)
        said, parts = f"{said} {against}", [*parts, ("", beside)]
    noises = [noise for _, margins in parts for noise in margins]
    if not noises:
        return said
    # each comparison has its own margin (walk 23: a 9.2-point gap "above" beside "a gap under 11 points", the largest)
    low, high = round(100 * min(noises)), round(100 * max(noises))
    scale = f"under {high} points" if low == high else f"under {low} to {high} points, by the accuracies compared,"
    return said + f" Noise: a gap {scale} on these {efficiency['test']} held-out {unit}."


def _at(efficiency: dict, judged: str, share: float, names: Mapping[str, str],
        twin: str | None = None) -> tuple[str, list[float]]:
    """The words at one share of the labels, and the noise margins of their comparisons."""
    point = _point(efficiency["curves"][judged], share)
    # the share of the pool the labels drawn are (each class's share rounds down: 16 of 180 asked at 10%)
    drawn = point["labels"] / efficiency["pool"] if efficiency.get("pool") else share
    said = (f"with {point['labels']} labels ({drawn:.0%}) {point['mean']:.0%}" if share < 1 else
            f"with all {point['labels']} labels {point['mean']:.0%}")
    others = [(name, _point(points, share)) for name, points in efficiency["curves"].items() if name != judged]
    others = [(name, p) for name, p in others if p is not None]
    if not others:
        return said, []
    name, best = max(others, key=lambda other: other[1]["mean"])
    noise = margin(point["mean"], best["mean"], efficiency["test"])
    said = (f"{said}, {_where(point['mean'] - best['mean'], noise)} the best baseline ({names.get(name, name)}, "
            f"{best['mean']:.0%})")
    untrained = dict(others).get(twin) if twin not in (name, judged) else None
    if untrained is None:
        return said, [noise]
    beside = margin(point["mean"], untrained["mean"], efficiency["test"])
    side = names.get(twin, twin).removeprefix(twin)  # ' at 48 px' where `names` tells twins apart by their side
    return (f"{said} and {_where(point['mean'] - untrained['mean'], beside)} the untrained network{side} "
            f"({untrained['mean']:.0%})", [noise, beside])


def curve_floor(efficiency: dict, least: Mapping) -> float:
    """What knowing nothing scores on the curve's held-out images: always answering the largest class there
    (`efficiency`'s "largest_class") where the verdict's floor `least` is the largest class, else chance."""
    return efficiency["largest_class"] if least["name"] == "largest class" else least["accuracy"]


def _against_largest(efficiency: dict, judged: str, shares: list[float], level: float,
                     unit: str) -> tuple[str, list[float]]:
    """The judged curve at `shares` against always answering the largest class (`level`, on the held-out `unit`),
    and the noise margins of those comparisons."""
    points = [_point(efficiency["curves"][judged], share) for share in shares]
    noises = [margin(p["mean"], level, efficiency["test"]) for p in points]
    said = [f"{p['mean']:.0%} with {'all ' * (share == 1)}{p['labels']} labels "
            f"{'is ' * (i == 0)}{_where(p['mean'] - level, noise)} it"
            for i, (share, p, noise) in enumerate(zip(shares, points, noises))]
    return (f"On these held-out {unit}, always answering the largest class scores {level:.0%}: {', '.join(said)}.",
            noises)


def _where(gap: float, noise: float) -> str:
    return "above" if gap > noise else "below" if gap < -noise else "within noise of"


def _point(points: list[dict], share: float) -> dict | None:
    return next((p for p in points if p["fraction"] == share), None)
