"""Counts said in words: a noun and its verb agree with the number, never 'file(s)'."""

from ssl_core.words import agreeing, counted, noun


def test_one_thing_is_singular_and_every_other_count_plural():
    assert [counted(n, "rows") for n in (0, 1, 2, 1000)] == ["0 rows", "1 row", "2 rows", "1,000 rows"]
    assert noun(1, "embedding sets") == "embedding set" and noun(3, "embedding sets") == "embedding sets"
    assert [agreeing(n, "is", "are") for n in (0, 1, 2)] == ["are", "is", "are"]
    assert counted(1, "rows", ("names", "name")) == "1 row names" and counted(2, "rows", ("names", "name")) == "2 rows name"
