"""The labels of a typed sentence's neighbours on Retrieval: the query, where it is a sentence
of the dataset, is never counted among its own neighbours, labelled or not."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def evidence_script(query_row):
    import numpy as np

    from app.text_search import _label_evidence

    _label_evidence(["recipe", "recipe", None, "sports"], np.array([2, 0, 1, 3]), query_row)


def test_an_unlabelled_query_of_the_dataset_is_left_out_of_its_neighbours_labels():
    """Walk 19: 'Labels of these 12: recipe 11, unlabelled 1', the one unlabelled the query itself."""
    at = AppTest.from_function(evidence_script, args=(2,), default_timeout=60).run()  # its first import: torch
    assert not at.exception, at.exception
    assert [c.value for c in at.caption] == ["Labels of these 3: recipe 2, sports 1. The query itself, unlabelled, "
                                             "is left out."]
    at = AppTest.from_function(evidence_script, args=(None,), default_timeout=60).run()  # a typed one: all counted
    assert [c.value for c in at.caption] == ["Labels of these 4: recipe 2, unlabelled 1, sports 1."]


def test_a_long_neighbour_is_cut_where_it_is_shown():
    from app.text_search import SHOWN_CHARS, cut

    assert cut("short") == "short"
    long = "word " * 200  # walk 19: a 1,000-character neighbour filled a screen
    assert cut(long).endswith(" …") and len(cut(long)) <= SHOWN_CHARS + 2


def unlabelled_script():
    import numpy as np

    from app.text_search import _label_evidence

    _label_evidence([None, None, None], np.array([0, 2]), 1)


def test_an_unlabelled_sets_query_of_its_own_is_said_to_be_left_out():
    """Walk 36: on an unlabelled set a sentence of its own was left out of its neighbours, unsaid."""
    at = AppTest.from_function(unlabelled_script, default_timeout=60).run()
    assert not at.exception, at.exception
    assert [c.value for c in at.caption] == ["The query is sentence #1 of this dataset: it is left out of its own "
                                             "neighbours."]
