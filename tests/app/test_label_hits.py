"""How many of a query's neighbours share its label, where only some images are labelled (walk 39: 30 of 383)."""

from __future__ import annotations

from app.label_hits import by_chance, shared_label


def test_neighbours_are_counted_among_the_labelled_ones():
    """Walk 39: '0 of 12 share the query's label (puncta)' over 12 speckled cells, none of them labelled, and 'By
    chance: ... (9 of the other 382 are puncta)' where 119 were: 9 were labelled puncta."""
    labels = ["puncta"] * 10 + ["round"] * 10 + [None] * 80
    ids = [1, 2, 11, 40, 41, 42]  # two puncta, one round, three unlabelled
    assert shared_label(labels, "puncta", ids) == ("**2 of the 3 labelled** among these 6 share the query's label "
                                                   "(puncta); the other 3 are unlabelled")
    assert by_chance(labels, "puncta", ids, query_row=0) == ("By chance: about 1.4 of 3 labelled (9 of the other 19 "
                                                             "labelled are puncta).")
    assert shared_label(labels, "puncta", [40, 41]) == ("None of these 2 is labelled: whether they share the query's "
                                                        "label (puncta) is not known")
    assert by_chance(labels, "puncta", [40, 41], query_row=0) is None
    assert shared_label(labels, "puncta", [1, 40]).endswith("; the other 1 is unlabelled")


def test_a_labelled_set_reads_as_before():
    labels = ["a", "a", "b", "b", "a"]
    assert shared_label(labels, "a", [1, 2, 4]) == "**2 of 3** share the query's label (a)"
    assert by_chance(labels, "a", [1, 2, 4], query_row=0) == "By chance: about 1.5 of 3 (2 of the other 4 are a)."
    assert by_chance(labels, "a", [0, 1], query_row=None) == "By chance: about 1.2 of 2 (3 of the other 5 are a)."
