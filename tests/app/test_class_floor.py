"""The caption under Evaluate's metrics: what knowing nothing scores, and on unequal classes how each linear probe
does on the classes besides the largest (walk 42: 1 of 5 defects; walk 44: three diseases beside healthy leaves)."""

from __future__ import annotations

from app.class_floor import floor_words


def report(classes: list[str], sizes: list[int], right: list[float], floor: str = "largest class") -> dict:
    matrix = [[size if row == column else 0 for column in range(len(sizes))] for row, size in enumerate(sizes)]
    return {"floor": {"name": floor, "accuracy": max(sizes) / sum(sizes)},
            "confusion": {"classes": classes, "matrix": matrix}, "per_class": dict(zip(classes, right))}


def test_two_unequal_classes_name_the_other_one():
    said = floor_words({"SimCLR · 3 min": report(["defect", "ok"], [5, 35], [0.2, 0.97])}, "images")
    assert said == ("Ignoring the images, always answering the largest class scores 0.875: the kNN accuracy and the "
                    "linear probe show what an encoder adds above it. Accuracy counts each class by its size, the "
                    "largest most: the linear probe names the other class, 'defect' (5 labelled), right 20% of the "
                    "time for SimCLR · 3 min (each class under Which classes it confuses).")


def test_every_class_but_the_largest_is_named_smallest_first_for_each_encoder():
    leaves = ["healthy", "mottle", "powdery", "spot"]
    found = {"run": report(leaves, [31, 10, 5, 14], [0.65, 0.1, 0.0, 0.0]),
             "untrained": report(leaves, [31, 10, 5, 14], [0.7, 0.2, 0.2, 0.07])}
    said = floor_words(found, "images")
    assert said.endswith("the linear probe names the other classes, 'powdery' (5 labelled), 'mottle' (10 labelled) "
                         "and 'spot' (14 labelled), right 0%, 10% and 0% of the time for run; 20%, 20% and 7% for "
                         "untrained (each class under Which classes it confuses).")


def test_many_classes_name_the_five_smallest_and_equal_ones_none():
    names = [f"c{i}" for i in range(8)]
    said = floor_words({"run": report(names, [40, 3, 4, 5, 6, 7, 8, 9], [0.5] * 8)}, "images")
    assert "names the 5 smallest classes, 'c1' (3 labelled), 'c2' (4 labelled)" in said and "'c6'" not in said
    chance = floor_words({"run": report(["a", "b"], [20, 20], [0.5, 0.5], floor="chance")}, "examples")
    assert chance == ("Ignoring the examples, a random guess scores 0.500: the kNN accuracy and the linear probe show "
                      "what an encoder adds above it.")
    assert floor_words({"run": {"floor": None}}, "images") == ""
