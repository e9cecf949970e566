"""Retrieval for a text dataset: a typed sentence, and the dataset's sentences nearest to
it (cosine similarity of centred features, FAISS) for one encoder or two side by side
(by default a run and its untrained twin).

Flow: the typed text -> ssl_core.text.kind.text_query (token ids by the source's
tokenizer) -> the source's encoder -> centred like its embedding -> ssl_core.index.search
on the embedding's FAISS index -> a table of score, label and sentence per neighbour, and
how many share the query's label (app/label_hits.py). Above them, the query's words that
occur in none of the dataset's sentences (ssl_core/text/unseen.py): their neighbours
follow their spelling, and a query of made-up words would otherwise look like any other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app.sources import embedding, source_name
from app.label_hits import by_chance, label_mix, shared_label
from app.text_items import dataset_texts
from app.widgets import escape_markdown
from ssl_core import embed, index
from ssl_core.store import DatasetInfo, Workspace
from ssl_core.text.kind import text_query
from ssl_core.text.tokenizer import MAX_TOKENS
from ssl_core.text.unseen import corpus_words, unseen_words, words
from ssl_core.words import agreeing, counted, listed

EXAMPLE = "return the path of a temporary file"  # a query of the built-in docstrings
DEMO_SOURCE = "builtin:docstrings"
SHOWN_CHARS = 300  # of a neighbour's text in the table
INTRO = ("Type a sentence: the encoder returns the dataset's sentences whose features point the same way "
         "(cosine similarity, 1 = identical direction). Compare two encoders on the same query to see what "
         "training changed.")


@st.cache_resource(show_spinner=False, max_entries=8)
def _encoder(key: str, made: float, _ws: Workspace, _source: embed.EncoderSource):
    """The source's encoder, loaded once per embedding (a new checkpoint makes a new one)."""
    return embed.load_encoder(_ws, _source)


@st.cache_resource(show_spinner=False, max_entries=4)
def _corpus_words(dataset_id: str, info: DatasetInfo, _texts: list[str]) -> frozenset[str]:
    """The words of the dataset's sentences, once per dataset (keyed as dataset_texts is)."""
    return corpus_words(_texts)


@st.cache_resource(show_spinner="Loading the index...", max_entries=8)
def _index(folder: str, made: float, _emb: embed.Embedding):
    return index.load_or_build(_emb)


def nearest_sentences(ws: Workspace, dataset: DatasetInfo, source: embed.EncoderSource, text: str,
                      k: int, query_row: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(cosine scores (k,), row ids (k,)) of the sentences nearest to `text` by `source`, the dataset's
    `query_row` (the query's own sentence) left out, as Retrieval leaves out a dataset image it is asked about
    (walk 35: 12 asked for, the query and 11 others shown)."""
    emb = embedding(ws, dataset, source)
    ids = text_query(ws, dataset, source, text)
    features = embed.compute_features(_encoder(emb.folder.name, emb.made, ws, source), ids, source.image_size,
                                      kind=dataset.kind)
    scores, rows = index.search(_index(str(emb.folder), emb.made, emb), emb.centre(features), k + 1)
    keep = (rows[0] >= 0) & (rows[0] != (-1 if query_row is None else query_row))
    return scores[0][keep][:k], rows[0][keep][:k]


def sentence_search(ws: Workspace, dataset: DatasetInfo, sources: list[embed.EncoderSource], k: int) -> None:
    """The query box and, per source, the `k` nearest sentences with their scores and labels."""
    texts = dataset_texts(ws, dataset.id, dataset)
    # the demo's example there, else this dataset's first sentence (another dataset's example found nothing of its
    # topics); per dataset, so switching datasets does not carry one's query over to the other
    first = EXAMPLE if dataset.source == DEMO_SOURCE or not texts else texts[0]
    text = st.text_input("A sentence to search for", first, key=f"retrieval_text_query_{dataset.id}",
                         help="Embedded with the same encoder (and its tokenizer); it is not added to the dataset.")
    if not text.strip():
        st.info("Type a sentence: its nearest sentences in the dataset are listed here.")
        return
    _unseen_note(text, _corpus_words(dataset.id, dataset, texts), len(texts))
    labels = [row["label"] for row in ws.image_rows(dataset)]
    query_row = next((i for i, sentence in enumerate(texts) if sentence == text), None)  # the dataset's own sentence
    for column, shown in zip(st.columns(len(sources)), sources):
        with column:
            st.markdown(f"**{escape_markdown(source_name(ws, shown, dataset))}**")
            if not shown.has_network:
                st.info("An imported embedding set has vectors for the dataset's sentences only: it cannot embed "
                        "a typed one.")
                continue
            scores, rows = nearest_sentences(ws, dataset, shown, text, k, query_row)
            _label_evidence(labels, rows, query_row)
            shown_rows = {"score": [f"{score:.3f}" for score in scores],  # a static table wraps long sentences whole
                          "label": [escape_markdown(labels[i] or "") for i in rows],  # its cells are Markdown
                          "sentence": [escape_markdown(cut(texts[i])) for i in rows]}
            if not any(labels):  # walk 36: a label column of blanks on an unlabelled set
                del shown_rows["label"]
            st.table(pd.DataFrame(shown_rows), hide_index=True)
            if any(len(texts[i]) > SHOWN_CHARS for i in rows):
                st.caption(f"Texts over {SHOWN_CHARS} characters are cut here (…); the encoder reads a text's first "
                           f"{MAX_TOKENS - 2} word pieces only.")


def cut(text: str) -> str:
    """`text` up to SHOWN_CHARS, then '…' (walk 19: a 1,000-character neighbour filled a screen)."""
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS].rstrip() + " …"


def _unseen_note(text: str, seen: frozenset[str], examples: int) -> None:
    """Say which words of the query occur in none of the dataset's `examples` sentences."""
    query_words = len(set(words(text)))
    unseen = unseen_words(text, seen)
    if not unseen:
        return
    shown = escape_markdown(listed([f"'{word}'" for word in unseen[:8]] + (["..."] if len(unseen) > 8 else [])))
    spelling = ("A run's encoder sees a word it never read only as the pieces it is spelled with, so neighbours "
                "found for it follow its spelling, not a meaning learned from the sentences.")
    if len(unseen) == query_words:
        st.warning(f"No word of the query occurs in this dataset's {counted(examples, 'sentences')} ({shown}). "
                   + spelling)
    else:
        st.caption(f"{len(unseen)} of the query's {query_words} words {agreeing(len(unseen), 'occurs', 'occur')} "
                   f"in none of this dataset's "
                   f"{counted(examples, 'sentences')} ({shown}). " + spelling)


def _label_evidence(labels: list[str | None], rows: np.ndarray, query_row: int | None) -> None:
    """How many neighbours share the query's label where the query is a labelled sentence of the
    dataset (itself left out of the count, as it is its own nearest), else the neighbours' labels."""
    query_label = labels[query_row] if query_row is not None else None
    others = [int(i) for i in rows if i != query_row]
    if query_label:
        st.markdown(shared_label(labels, query_label, others) + ", the query itself left out")
        if chance := by_chance(labels, query_label, others, query_row):
            st.caption(chance)
    elif (mix := label_mix(labels, others)) is not None:  # walk 19 read the unlabelled query among its own neighbours
        st.caption(mix + (" The query itself, unlabelled, is left out." if query_row is not None else ""))
    elif query_row is not None:  # walk 36: an unlabelled set said nothing of it
        st.caption(f"The query is sentence #{query_row} of this dataset: it is left out of its own neighbours.")
