"""Concepts: the ideas this app demonstrates, in plain words (app/concept_texts.py: for
pictures or for sentences, by the chosen dataset's kind), each with a button that jumps to
where it happens live on the chosen dataset; and, shown right here, why self-supervised
learning is neither clustering nor PCA (of raw pixels, or of TF-IDF word weights)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import current
from app.collapse_note import collapse_note
from app.concept_texts import CONCEPTS, SURFACES
from app.maps import (CLUSTER, CLUSTER_NOTE, UNLABELLED, FrozenFigure, first_clusters, frozen, palette, sample_rows,
                      scatter, unplaced_note)
from app.sources import embedding, source_choices, still_training, trained_on_copies
from app.state import ASSETS, workspace
from app.widgets import escape_markdown, escape_plotly, verdict_box
from ssl_core import jobs, project
from ssl_core.evaluate.clusters import (Agreement, Vote, agreements, comparison, neighbour_agreement,
                                        neighbours_not_groups, tightest)
from ssl_core.data.text_ingest import load_texts
from ssl_core.evaluate.pixels import raw_pixels
from ssl_core.kind_words import JUDGED_WITHOUT_LABELS, LABELS_FROM
from ssl_core.words import agreeing, counted, cut

MAP_POINTS = 3000  # points drawn in each of the three small maps

ILLUSTRATIONS = {"A pretext task: labels the data makes itself": "pretext_task.svg"}  # title -> file in assets/

ws = workspace()
st.title("Concepts")
st.caption("Self-supervised learning in seven ideas. Each button opens the page where the idea happens "
           "live, on the dataset chosen here.")

dataset = current.pick_dataset(st, ws, "concepts_dataset", required=False)
kind = dataset.kind if dataset else "image"
surface = SURFACES[kind]
looked = {key: choice for key, choice in source_choices(ws, dataset, elsewhere=True).items()  # runs, imports, then
          if choice[1].run_id or choice[1].imported} if dataset else {}  # runs of other datasets, as Evaluate (walk 27)
if looked and current.encoder_key() not in looked:  # none yet, or one with no training to show: the newest run
    here = {run["id"] for run in jobs.list_runs(ws) if run["dataset"] == dataset.name or run["dataset_deleted"]}
    # a run of these same pictures under another name next (walk 30: an import opened here, a run of the copy on
    # Evaluate), then an import; a run of another dataset only where there is nothing else
    ours = ([key for key in looked if key in here] + trained_on_copies(ws, dataset, looked)
            + [key for key, (_, source) in looked.items() if not source.run_id])
    current.set_encoder(current.first_choice(ours or list(looked)))
trained = looked.get(current.encoder_key())  # (name, source)
if looked:  # walk 25: a student's newer, weaker run took the lesson over, and nothing picked another
    current.bound_selectbox(st, "Trained encoder", list(looked), current.ENCODER, f"concepts_encoder_{dataset.id}",
                            format_func=lambda key: looked[key][0],
                            help="The run or import whose verdict and map the ideas below show: until one is "
                                 "picked, here or on another page, the run you started last, else this dataset's "
                                 f"newest completed run. Runs trained on another dataset (a copy of these "
                                 f"{surface.items} without labels, say) are offered too, named with it.")
if trained:  # walk 28: the newest run, collapsed, drew the third map unsaid
    collapse_note(ws, trained[1].run_id, trained[0], "its map and k-means groups below")


def measured() -> None:
    """What training did on this dataset, from the run's measured verdict (evaluate/verdict.py)."""
    if trained is None:
        st.caption("No trained run on this dataset yet: nothing to report." if dataset else
                   "Choose a dataset to see what training did on it.")
        return
    run = None if trained[1].imported else jobs.get_run(ws, trained[1].run_id)
    if run is None or run["dataset_deleted"] or run["dataset"] != dataset.name:  # its name says where it trained
        against = "its untrained twin" if trained[1].has_network else surface.name
        judged = (f"the Evaluate page measures it against {against}"  # a review: said where Evaluate judges nothing
                  if dataset.has_labels or (trained[1].has_network and JUDGED_WITHOUT_LABELS[kind]) else
                  "without labels the Evaluate page has nothing to judge it against here")
        st.caption(f"{escape_markdown(trained[0])} was not trained here: no training on "
                   f"{escape_markdown(dataset.name)} was measured for it. Its map is the third one under "
                   f"'Not clustering, not PCA' below; {judged}.")
        return
    verdict = jobs.run_verdict(ws, trained[1].run_id)
    verdict_box(verdict.colour, f"**{escape_markdown(trained[0])}** on {escape_markdown(dataset.name)}: "
                f"{verdict.text}", active=run["status"] in ("queued", "running"))  # it may yet change, as on Train
    if training := still_training(ws, trained[1].run_id):  # its map below moves with its checkpoints
        st.caption(training)


for number, (title, text, button, target, state) in enumerate(CONCEPTS[kind], start=1):
    with st.container(border=True):
        st.markdown(f"**{number}. {title}**")
        st.markdown(text)
        if kind == "image" and title in ILLUSTRATIONS:
            st.image(str(ASSETS / ILLUSTRATIONS[title]), width=560)
        if target == "../pages/explorer.py":
            measured()
        if target == "../pages/evaluate.py" and dataset is not None and not dataset.has_labels:  # walk 20: a dead end
            judged = ("Evaluate judges a run on it by label-free measures instead" if JUDGED_WITHOUT_LABELS[kind] else
                      f"without labels Evaluate cannot judge an encoder on {surface.items}")  # review: it said judged
            st.caption(f"{escape_markdown(dataset.name)} has no labels, so it has no such curve: {judged}. Import "
                       f"labels with the {surface.items} ({LABELS_FROM[kind]}, on the Data page), even a few, to draw "
                       "it.")
        if st.button(button, key=f"concept_{number}", icon=":material/arrow_forward:"):
            st.session_state.update(state)  # the dataset is the current one on every page
            current.switch_page(target)

st.subheader("Not clustering, not PCA")
# a review: an import (a supervised ResNet, random weights) was called a self-supervised encoder here
chosen = ("the chosen import, trained elsewhere with or without labels," if trained and trained[1].imported else
          "the chosen run")
st.caption(f"PCA and k-means only rearrange the {surface.name}: they group {surface.alike}. A self-supervised "
           f"encoder is trained, by the puzzles, to {surface.puzzles}; the third map shows what {chosen} made of these "
           f"{surface.items}, by UMAP, which draws groups further apart than PCA does, so compare the three by the "
           f"adjusted Rand indices under them (k-means on each one's own features, alike), not by how tight the "
           f"maps look. Same {surface.items}, coloured by their hidden label where there is one:")
if dataset is None:
    st.info("Choose a dataset (above or in the sidebar) to see these three maps of it.")
    st.stop()


@st.cache_data(show_spinner="PCA and k-means...", max_entries=8)
def surface_views(dataset_id: str, k: int, _dataset, _truth: list[str | None]
                  ) -> tuple[np.ndarray, np.ndarray, Agreement | None]:
    """PCA map (N, 2), k-means clusters (N,: the start k-means keeps, with labels) and their
    agreements with the labels over k-means starts (clusters.agreements) of a dataset's raw
    pixels or, for text, its TF-IDF word weights, once per dataset (ids change when a dataset
    is replaced; the dataset and labels themselves are not hashed)."""
    if _dataset.kind == "image":
        features = raw_pixels(ws.images(_dataset))
    else:
        from ssl_core.text.evaluation import tfidf  # text's module (torch, scikit-learn) only where text is shown

        features = tfidf(load_texts(ws, _dataset))
    found = agreements(features, k, _truth)
    return project.pca(features, 2), tightest(features, k) if found is None else found.ids, found


@st.cache_data(show_spinner="k-means from several starts...", max_entries=16)
def encoder_agreements(folder: str, made: float, k: int, _vectors: np.ndarray, _truth: list[str | None]
                       ) -> tuple[Agreement | None, Vote | None]:
    """(clusters.agreements, clusters.neighbour_agreement) of an embedding's vectors, once per
    embedding as written."""
    return agreements(_vectors, k, _truth), neighbour_agreement(_vectors, _truth)


rows = ws.image_rows(dataset)
labels = [row["label"] or UNLABELLED for row in rows]
hover = [f"#{i} · {escape_plotly(label)}" for i, label in enumerate(labels)]
shown = sample_rows(len(rows), MAP_POINTS)
named = {label for label in labels if label != UNLABELLED}
clusters_asked = first_clusters(len(named), len(rows))  # as the Explorer: walk 9 saw 2 here, 10 there
truth = [row["label"] or None for row in rows]
surface_map, cluster_ids, surface_scores = surface_views(dataset.id, clusters_asked, dataset, truth)
clusters = [f"{CLUSTER}{c}" for c in cluster_ids]
if not named:  # walk 20: 'the third map shows how far it got' over three maps of one grey
    maps = "the first and third maps are" if trained else "the first map is"  # no third without an encoder
    st.caption(f"{escape_markdown(dataset.name)} has no labels: {maps} one colour, and how far "
               f"the encoder got shows only in which {surface.items} sit together (the Embedding Explorer's map shows "
               "them on hover; here a dot shows only its number).")  # a review: hovering here showed '#3 · (none)'


@st.cache_resource(show_spinner=False, max_entries=16)
def small(dataset_id: str, made: str, title: str, _coords: np.ndarray, _groups: list[str]) -> FrozenFigure:
    """A compact map for a third of the page, its legend underneath; built once per dataset,
    map (`made`: what the coordinates come from) and title, not on every rerun."""
    figure = scatter(_coords, shown, _groups, hover, title, 4, palette(_groups))
    return frozen(figure.update_layout(height=440, legend=dict(orientation="h", y=-0.05)))


def scores_said(agreement: Agreement) -> str:
    """The agreement of the start k-means keeps, and the range over its random starts (said once
    where every start agrees), cut to 3 places (words.cut): rounded to 2, 0.0996 read '0.10' beside
    'every start stays under 0.1', and 0.301-0.303 against 0.304 read '0.30' for both beside 'closer
    in every start' (a review). Walk 25 lost its way in "at the tightest of 5 k-means starts (the
    one k-means keeps) ... 0.00 at every start"."""
    low, high = cut(min(agreement.scores), 3), cut(max(agreement.scores), 3)
    starts = len(agreement.scores)
    return f"{cut(agreement.kept, 3)} " + (f"(the same from all {starts} random starts)" if low == high else
                                           f"(from {starts} random starts: {low} to {high}; k-means keeps the "
                                           "tightest groups)")


def agreement_caption() -> str:
    """What the clusters are measured to share with the labels (evaluate/clusters.py), per map."""
    if not named:
        return f"No labels; k-means was asked for {clusters_asked} clusters of the {surface.name}."
    # walk 41 read "4 labels" as 4 labelled pictures, of 40
    said = f"{counted(len(named), 'label classes')}; k-means was asked for {clusters_asked} clusters."
    if surface_scores is not None:
        said += (f" Against the labels, the k-means groups of the {surface.name} score an adjusted Rand index of "
                 f"{scores_said(surface_scores)}")
        if encoder_scores is not None:
            said += f"; k-means on the features of {escape_markdown(trained[0])}, {scores_said(encoder_scores)}"
        said += " (0: no closer to the labels than chance; 1: the labels' own groups)."
        if encoder_scores is not None:
            said += " " + comparison(surface_scores, encoder_scores, surface.name)
            if why := neighbours_not_groups(encoder_scores, encoder_vote, clusters_asked):
                said += " " + why
    labelled = sum(label is not None for label in truth)  # walk 40: 'Some pictures have no label' of 280 of 300
    return said + ("" if labelled == len(truth) else
                   f" The indices are scored on the {labelled:,} labelled {surface.items} of {len(truth):,}; the "
                   f"other {len(truth) - labelled:,} {agreeing(len(truth) - labelled, 'has', 'have')} no label.")


panels = st.columns(3)
panels[0].plotly_chart(small(dataset.id, "pixels", f"PCA of {surface.short}", surface_map, labels),
                       key="concepts_pca")
panels[1].plotly_chart(small(dataset.id, "pixels", f"k-means clusters of {surface.short}", surface_map, clusters),
                       key="concepts_kmeans")
encoder_scores = encoder_vote = None
with panels[2]:
    if trained is None:
        st.info("Train a run on this dataset to see its map here.")
        if st.button("Train one", key="concepts_train"):
            current.switch_page("../pages/train.py")
    else:
        emb = embedding(ws, dataset, trained[1])
        # its name on a line of its own, smaller: in a third of the page "Trained encoder (SimCLR · byol recipe ·
        # 2 min)" was cut at "2 m"; an import's origin stands where a run's verdict would
        title = f"UMAP of the {'trained' if trained[1].run_id else 'imported'} encoder<br><sup>" + escape_plotly(
            trained[0] if trained[1].run_id else trained[1].imported) + "</sup>"
        coords = project.project(emb, "umap", dims=2)
        st.plotly_chart(small(dataset.id, f"{emb.folder}/{emb.made}", title,
                              coords, labels), key="concepts_trained")
        unplaced_note(coords, "umap", "the Embedding Explorer's PCA map places every point")
        encoder_scores, encoder_vote = encoder_agreements(str(emb.folder), emb.made, clusters_asked, emb.vectors,
                                                         truth)
st.caption(CLUSTER_NOTE)
st.caption(agreement_caption())
