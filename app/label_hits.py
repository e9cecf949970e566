"""How many of a query's neighbours share its label, against what chance gives: the plain
evidence beside Retrieval's neighbours, for images (pages/retrieval.py) and sentences
(app/text_search.py). Labels are the dataset's, None where unlabelled; the query is a row of
the dataset (left out of the chance count) or, with `query_row` None, an outside query."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from app.widgets import escape_markdown
from ssl_core.words import agreeing


def shared_label(labels: Sequence[str | None], query_label: str, ids: Sequence[int]) -> str:
    """'**h of k** share the query's label (L)' for neighbour rows `ids` (k,); where some are
    unlabelled, counted among the labelled ones (walk 39: '0 of 12 share the query's label (puncta)'
    over 12 speckled cells, none of them among the 30 labelled)."""
    labelled = [i for i in ids if labels[i] is not None]
    hits = sum(labels[i] == query_label for i in labelled)
    said = escape_markdown(query_label)
    if len(labelled) == len(ids):
        return f"**{hits} of {len(ids)}** share the query's label ({said})"
    if not labelled:
        return f"None of these {len(ids)} is labelled: whether they share the query's label ({said}) is not known"
    rest = len(ids) - len(labelled)
    return (f"**{hits} of the {len(labelled)} labelled** among these {len(ids)} share the query's label ({said}); "
            f"the other {rest} {agreeing(rest, 'is', 'are')} unlabelled")


def by_chance(labels: Sequence[str | None], query_label: str, ids: Sequence[int], query_row: int | None) -> str | None:
    """How many of the labelled neighbours among `ids` would share `query_label` were they drawn at random from the
    other labelled rows; None where none of `ids` is labelled."""
    shown = sum(labels[i] is not None for i in ids)
    if not shown:
        return None
    others = sum(label is not None for label in labels) - (query_row is not None and labels[query_row] is not None)
    alike = sum(label == query_label for label in labels) - (query_row is not None and labels[query_row] == query_label)
    every = shown == len(ids) and others == len(labels) - (query_row is not None)  # walk 39: 9 'of the other 382'
    return (f"By chance: about {shown * alike / max(others, 1):.1f} of {shown}"
            + (f" ({alike:,} of the other {others:,} are " if every else
               f" labelled ({alike:,} of the other {others:,} labelled are ") + f"{escape_markdown(query_label)}).")


def label_mix(labels: Sequence[str | None], ids: Sequence[int]) -> str | None:
    """'Labels of these k: a 6, b 3, unlabelled 1', most common first; None where none is labelled."""
    counts = Counter(labels[i] for i in ids)
    if not any(label is not None for label in counts):
        return None
    return (f"Labels of these {len(ids):,}: "
            + ", ".join(f"{escape_markdown(label) if label is not None else 'unlabelled'} {n:,}"
                        for label, n in counts.most_common()) + ".")
