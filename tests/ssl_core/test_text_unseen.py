"""The words of a typed query that a text dataset never holds (ssl_core/text/unseen.py),
split as the run's WordPiece tokenizer splits them."""

from __future__ import annotations

from ssl_core.text.unseen import corpus_words, unseen_words, words


def test_words_are_split_and_lower_cased_as_the_tokenizer_reads_them_without_punctuation_or_numbers():
    assert words("Return the PATH, of 42 files!") == ["return", "the", "path", "of", "files"]
    assert words("Café DÉJÀ-vu") == ["café", "déjà", "vu"]  # lower-cased, accents kept, as the tokenizer reads them


def test_unseen_words_are_those_of_the_query_in_no_example_each_once_in_order():
    seen = corpus_words(["Return the path of a temporary file.", "Open it!"])
    assert unseen_words("Zorblax the PATH, zorblax quimble file", seen) == ["zorblax", "quimble"]
    assert unseen_words("the path of a file", seen) == [] and unseen_words("42 ?!", seen) == []
