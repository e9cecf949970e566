"""The Lab for a text dataset: one sentence as BERT's masking hides it (the ratio and seed
chosen here, drawn as in training), then fill in the blank: a sentence typed with [MASK]
and a masked-language-model run's top guesses for each blank, with probabilities; then
SimCSE's two dropout views of a batch of sentences (app/text_pairs.py).

Data flow: the dataset's texts and a tokenizer (the chosen run's, else one trained on the
dataset, cached) -> ssl_core.text.preview.masked_pieces; the run's checkpoint (cached per
checkpoint time) -> ssl_core.text.fill.fill -> a table per [MASK].
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import streamlit as st

from app.section_jump import FILL_IN, section
from app.text_pairs import dropout_pairs
from app.text_search import DEMO_SOURCE
from app.widgets import escape_markdown
from ssl_core import jobs
from ssl_core.data.text_ingest import load_texts
from ssl_core.run_names import names_told_apart
from ssl_core.store import DatasetInfo, Workspace
from ssl_core.text.fill import FillError, fill, frequent_pieces, guesses_words, load_fill_model
from ssl_core.text.preview import masked_pieces, piece_count
from ssl_core.text.tokenizer import SPECIAL_TOKENS, TokenizerError, load_tokenizer, train_tokenizer

MASK = "[MASK]"
EXAMPLE = f"Return the {MASK} of the file."  # the docstrings demo's
INTRO = ("Self-supervised learning makes its own labels: hide some words of a sentence and guess them from the "
         "rest (masked language modelling, BERT), or read each sentence twice through dropout and recognise the "
         "two readings as *the same* and every other sentence as *different* (SimCSE).")


@st.cache_resource(show_spinner="Learning the word pieces of this dataset...", max_entries=4)
def dataset_tokenizer(dataset_id: str, _texts: tuple[str, ...]):
    return train_tokenizer(_texts)


@st.cache_resource(show_spinner="Loading the run...", max_entries=4)
def fill_model(run_folder: str, checkpoint_time: float):
    return load_fill_model(Path(run_folder))


@st.cache_data(show_spinner=False, max_entries=8)
def frequent(run_folder: str, checkpoint_time: float, dataset_id: str, _tokenizer, _texts: list[str]) -> list:
    """The run's tokenizer's most frequent pieces in the dataset's texts, once per run and dataset."""
    return frequent_pieces(_tokenizer, _texts)


def _pieces_html(pieces: list[dict[str, object]]) -> str:
    """Pieces as chips: a hidden one struck through with what the model is given instead."""
    chips = []
    for p in pieces:
        piece, given = html.escape(str(p["piece"])), html.escape(str(p["given"]))
        if p["hidden"]:
            chips.append(f"<span style='background:#fde68a;padding:2px 6px;border-radius:4px'>"
                         f"<s>{piece}</s> &rarr; <b>{given}</b></span>")
        else:
            chips.append(f"<span style='padding:2px 4px'>{piece}</span>")
    return " ".join(chips)


def text_lab(ws: Workspace, dataset: DatasetInfo, seed: int) -> None:
    """The whole Lab for text dataset `dataset` (the caller stops the page after it)."""
    texts = load_texts(ws, dataset)
    runs = {run["id"]: run for run in jobs.list_runs(ws)
            if run["dataset"] == dataset.name and run["checkpoint"]
            and guesses_words(run["method"])}
    st.subheader("What masked prediction hides")
    left, right = st.columns([3, 1])
    row = right.number_input("Sentence #", 0, len(texts) - 1, seed % len(texts), key="text_lab_row")
    ratio = right.slider("Share hidden", 0.05, 0.5, 0.15, 0.05, key="text_lab_ratio",
                         help="BERT hides 15% of the word pieces: 80% become [MASK], 10% a random piece, 10% stay.")
    run_id = next(iter(runs), None)
    tokenizer = (load_tokenizer(jobs.run_dir(ws, run_id)) if run_id
                 else dataset_tokenizer(dataset.id, tuple(texts)))
    pieces = masked_pieces(tokenizer, texts[row], ratio, seed)
    whole = piece_count(tokenizer, texts[row])
    cut = (f" The encoder reads a text's first {len(pieces)} word pieces: this one has {whole:,}, and the rest is "
           f"never read." if whole > len(pieces) else "")  # walk 13: "4 of 30 pieces" of a 409-piece text
    left.caption(f"Sentence #{row}, as word pieces; highlighted: hidden, with what the model is given instead "
                 f"({sum(bool(p['hidden']) for p in pieces)} of {len(pieces)} pieces: each is hidden with chance "
                 f"{ratio:.2f}, so the count varies from sentence to sentence; seed {seed}).{cut}")
    left.html(_pieces_html(pieces))  # HTML only: markdown would read `$5 and $10` as math, `*x*` as emphasis
    fill_in_the_blank(ws, runs, dataset, texts)
    dropout_pairs(ws, dataset, texts, seed)


def blank_example(dataset: DatasetInfo, texts: list[str]) -> str:
    """The sentence the blank starts with: the demo's example on the demo, else this dataset's
    first sentence with its longest word hidden (another dataset's example is off its topics)."""
    words = texts[0].split() if texts and dataset.source != DEMO_SOURCE else []
    cores = [re.sub(r"\W", "", word) for word in words]
    if not any(cores):
        return EXAMPLE
    longest = max(range(len(words)), key=lambda i: len(cores[i]))
    return " ".join(word.replace(cores[i], MASK, 1) if i == longest else word for i, word in enumerate(words))


def fill_in_the_blank(ws: Workspace, runs: dict[str, dict], dataset: DatasetInfo, texts: list[str]) -> None:
    """A typed sentence with [MASK] and the top guesses of one of the mlm `runs` per blank."""
    section("Fill in the blank", FILL_IN)
    if not runs:
        st.info("No masked-language-model run of this dataset yet: train one with the method mlm (or "
                "mlm_simcse) on the Train page, then type a sentence here with [MASK] where a word is hidden.")
        return
    chosen = st.selectbox("Run", list(runs), key="text_lab_run", format_func=names_told_apart(list(runs.values())).get)
    typed = st.text_input("A sentence with [MASK]", blank_example(dataset, texts), key=f"text_lab_text_{dataset.id}")
    folder = jobs.run_dir(ws, chosen)
    try:
        written = (folder / "checkpoint.safetensors").stat().st_mtime
        method, run_tokenizer = fill_model(str(folder), written)
        out = fill(method, run_tokenizer, typed)
    except (FillError, TokenizerError, OSError) as exc:  # the command line's "error: the text has ..." as a sentence
        said = str(exc)
        st.warning(escape_markdown(said[:1].upper() + said[1:]))
        return
    columns = st.columns(max(1, len(out["masks"])))
    for number, (column, blank) in enumerate(zip(columns, out["masks"]), start=1):
        column.markdown(f"**[MASK] {number}**")
        column.dataframe(pd.DataFrame([{"guess": g["token"], "probability": g["probability"]}
                                       for g in blank["guesses"]]),
                         hide_index=True, key=f"text_lab_guesses_{number}",
                         column_config={"probability": st.column_config.ProgressColumn(
                             "probability", format="%.3f", min_value=0.0, max_value=1.0)})
    pieces = run_tokenizer.get_vocab_size() - len(SPECIAL_TOKENS)  # what a blank is guessed among
    common = ", ".join(f"'{piece}' {share:.3f}" for piece, share in
                       frequent(str(folder), written, dataset.id, run_tokenizer, texts))
    st.caption(escape_markdown(
        f"Each blank is guessed among the run's {pieces:,} word pieces. A model that learned only how often each "
        f"piece occurs in {dataset.name} would guess the same in every blank: {common}; top guesses like these, "
        f"at about these probabilities, have learned word frequency only. A guess that fits this blank and not "
        f"every blank has learned more. (At random, every piece would get {1 / pieces:.4f}.)"))
