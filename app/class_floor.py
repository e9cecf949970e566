"""What knowing nothing scores, said under Evaluate's metrics, and on unequal classes how each encoder's linear
probe does on the classes besides the largest.

Data flow: the reports judged together ({encoder label: report}, one dataset) -> the first's `floor` ({"name",
"accuracy"}: what always answering the largest class, or a random guess, scores) and `confusion` (the class sizes),
each report's `per_class` (the linear probe's accuracy per class) -> one caption.
"""

from __future__ import annotations

from app.widgets import escape_markdown
from ssl_core.words import listed

OTHER_CLASSES = 5  # classes besides the largest whose probe accuracy the caption under the metrics names


def floor_words(found: dict[str, dict], unit: str) -> str:
    """What knowing nothing scores, said under the table (walk 14: a linear probe of 0.557 beside
    a largest class of 0.657, unsaid; walk 15 read it as the encoder's score in a row of its own), and on
    unequal classes how each encoder's linear probe does on the classes besides the largest, the smallest first
    (walk 42: 87.5% accuracy on 35 'ok' and 5 'defect' parts, of which the probe named 1, said only in the confusion
    matrix; walk 44: 'powdery' at 0% said, 'spot' at 0% and 'mottle' at 10% not)."""
    first = next(iter(found.values()))  # every report judged together reads one dataset's labels
    least = first["floor"]
    if not least:
        return ""
    guess = "always answering the largest class" if least["name"] == "largest class" else "a random guess"
    said = (f"Ignoring the {unit}, {guess} scores {least['accuracy']:.3f}: the kNN accuracy and the linear probe "
            "show what an encoder adds above it.")
    if least["name"] != "largest class":
        return said
    confusion = first["confusion"]
    by_size = sorted(zip(confusion["classes"], (sum(row) for row in confusion["matrix"])), key=lambda c: c[1])
    others = by_size[:-1][:OTHER_CLASSES]  # every class but the largest (walk 44: 'spot' and 'mottle' unsaid)
    which = ("the other class" if len(by_size) == 2 else "the other classes" if len(by_size) - 1 <= OTHER_CLASSES
             else f"the {OTHER_CLASSES} smallest classes")
    named = listed([f"'{escape_markdown(name)}' ({count:,} labelled)" for name, count in others])
    right = "; ".join(listed([f"{report['per_class'][name]:.0%}" for name, _ in others])
                      + f" {'of the time ' * (turn == 0)}for {escape_markdown(label)}"
                      for turn, (label, report) in enumerate(found.items()))
    return (f"{said} Accuracy counts each class by its size, the largest most: the linear probe names {which}, "
            f"{named}, right {right} (each class under Which classes it confuses).")
