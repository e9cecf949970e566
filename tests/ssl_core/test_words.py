"""Counts said in words: a noun and its verb agree with the number, never 'file(s)'."""

from ssl_core.words import agreeing, counted, noun


def test_one_thing_is_singular_and_every_other_count_plural():
    assert [counted(n, "rows") for n in (0, 1, 2, 1000)] == ["0 rows", "1 row", "2 rows", "1,000 rows"]
    assert noun(1, "embedding sets") == "embedding set" and noun(3, "embedding sets") == "embedding sets"
    assert noun(1, "label classes") == "label class" and noun(1, "passes") == "pass"  # not 'label classe'
    assert [agreeing(n, "is", "are") for n in (0, 1, 2)] == ["are", "is", "are"]
    assert counted(1, "rows", ("names", "name")) == "1 row names" and counted(2, "rows", ("names", "name")) == "2 rows name"


def test_a_value_cut_never_reads_as_a_bar_it_stays_under():
    """A review of Concepts: an adjusted Rand index of 0.0996 read '0.10' beside 'every start stays under 0.1'."""
    from ssl_core.words import cut

    assert cut(0.0996, 3) == "0.099" and cut(0.0996, 2) == "0.09" and cut(0.1, 3) == "0.100"
    assert cut(0.3041, 3) != cut(0.3031, 3)  # 0.30 both, rounded to 2, beside 'closer in every start'
    assert cut(-0.0004, 3) == "0.000" and cut(-0.25, 2) == "-0.25" and cut(0.29, 2) == "0.29"
