"""How many of a query's neighbours share its label, against what chance gives: the plain
evidence beside Retrieval's neighbours, for images (pages/retrieval.py) and sentences
(app/text_search.py). Labels are the dataset's, None where unlabelled; the query is a row of
the dataset (left out of the chance count) or, with `query_row` None, an outside query."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from app.widgets import escape_markdown


def shared_label(labels: Sequence[str | None], query_label: str, ids: Sequence[int]) -> str:
    """'**h of k** share the query's label (L)' for neighbour rows `ids` (k,)."""
    hits = sum(labels[i] == query_label for i in ids)
    return f"**{hits} of {len(ids)}** share the query's label ({escape_markdown(query_label)})"


def by_chance(labels: Sequence[str | None], query_label: str, k: int, query_row: int | None) -> str:
    """How many of `k` neighbours drawn at random from the other rows would share `query_label`."""
    others = len(labels) - (query_row is not None)
    alike = sum(label == query_label for label in labels) - (query_row is not None)
    return (f"By chance: about {k * alike / max(others, 1):.1f} of {k} ({alike:,} of the other {others:,} are "
            f"{escape_markdown(query_label)}).")


def label_mix(labels: Sequence[str | None], ids: Sequence[int]) -> str | None:
    """'Labels of these k: a 6, b 3, unlabelled 1', most common first; None where none is labelled."""
    counts = Counter(labels[i] for i in ids)
    if not any(label is not None for label in counts):
        return None
    return (f"Labels of these {len(ids):,}: "
            + ", ".join(f"{escape_markdown(label) if label is not None else 'unlabelled'} {n:,}"
                        for label, n in counts.most_common()) + ".")
