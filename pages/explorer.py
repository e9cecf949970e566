"""Embedding Explorer: the map of what an encoder learned, beside a second encoder's (by
default its untrained twin: before and after; or an import beside a run); select points to
see their images."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app.collapse_note import collapse_note
from app.current import pick_dataset, switch_page
from app.export_panel import export_panel
from app.hover_thumbnails import hover_thumbnails
from app.label_hits import label_mix
from app.motion import motion_panel
from app.paintings import paintings_panel
from app.maps import (CLUSTER, CLUSTER_NOTE, PCA_NOTE, UNLABELLED, FrozenFigure, add_thumbnails, at_most, clusters_of,
                      first_clusters, frozen, palette, sample_rows, scatter, selected_rows, unplaced_note)
from app.sources import embedding, pick_source, side_by_side, source_name
from app.state import workspace
from app.text_map import INTRO as TEXT_MAP_INTRO
from app.text_map import sentence_maps
from app.widgets import breakable, escape_markdown, escape_plotly, gallery, short_name
from ssl_core import embed, jobs, project
from ssl_core.words import counted

GALLERY_LIMIT = 60
DEFAULT_SHOWN = 20_000
COLOURINGS = ("label", "cluster", "folder", "original size", "none")

ws = workspace()
st.title("Embedding Explorer")
intro = st.empty()  # its words are the picked dataset's kind's

top = st.columns([1, 1.6, 1.4])  # at 1024 px "Side by side" and its help fit
dataset = pick_dataset(top[0], ws, "explore_dataset")
intro.caption(TEXT_MAP_INTRO if dataset.kind == "text" else
              "Every dot is one image, placed so that images the encoder finds similar sit close "
              "together. A good encoder groups images by what they show, an untrained one often by colour "
              "and brightness: the Evaluate page measures which this one does. Hover a dot to see its image; click one, or pick box or lasso in the "
              "chart's toolbar and drag around several, to list them below.")
source = pick_source(top[1], ws, dataset, "Encoder", "explore_source",
                     help="A run's last checkpoint, or an encoder that has not been trained.")
compare_key = f"explore_compare_{source.key}"  # per encoder: one with a twin of its own (a run, an import:
st.session_state.setdefault(compare_key, embed.baseline_of(source) != source)  # walk 23) starts compared
other = None
if top[2].toggle("Side by side", key=compare_key,
                 help="Two maps side by side: any other encoder (an import beside your run), by default the "
                      "same network untrained, with random weights."):
    other = pick_source(top[2], ws, dataset, "Beside it", "explore_other", other_than=source,
                        help="By default the first encoder's untrained twin: the same network with random "
                             "weights, as a run was before training unless it started from other weights.")
collapse_note(ws, source.run_id, source_name(ws, source, dataset), "its map and the groups on it")  # text too
if dataset.kind == "text":  # a sentence per dot, read on hover (app/text_map.py)
    sentence_maps(ws, dataset, source, other)
    export_panel(ws, dataset, source)  # the sentences' vectors, map and Projector files go too
    st.stop()

controls = st.columns([1.3, 0.7, 1, 1, 1])  # the Map control's two buttons side by side at 1024 px
method = controls[0].segmented_control("Map", ["umap", "pca"], default="umap", key="explore_method",
                                       format_func=str.upper) or "umap"
dims = 3 if controls[1].toggle("3-D", key="explore_3d") else 2
if method == "pca":
    st.caption(PCA_NOTE)
colourings = [c for c in COLOURINGS if c != "label" or dataset.has_labels]
colour_by = controls[2].selectbox("Colour by", colourings, key="explore_colour",
                                  help="label: the optional labels (never used for training); cluster: "
                                       "k-means on the embedding, for data without labels; folder and original "
                                       "size: what the files said about themselves.")
clusters = 0
if colour_by == "cluster":  # k-means starts at the number of labels where there are some
    classes = len(ws.label_counts(dataset))
    start = first_clusters(classes, dataset.image_count)
    clusters = int(controls[2].number_input(
        "Clusters", 2, 50, start, key="explore_k",
        help=f"k-means on the embedding; it starts at {'the number of labels' if start == classes else start}."))
point_size = controls[3].slider("Point size", 2, 12, 5, key="explore_size")
shown = int(controls[4].number_input("Points shown", min(100, dataset.image_count), dataset.image_count,
                                     min(dataset.image_count, DEFAULT_SHOWN), step=1000, key="explore_shown",
                                     help="A fixed random sample when the dataset is large."))
thumbnails_on = dims == 2 and st.toggle("Thumbnails on the map", value=True, key="explore_thumbs")

rows = ws.image_rows(dataset)
names = [row["name"] for row in rows]
labels = [row["label"] or UNLABELLED for row in rows]
thumbnails = ws.thumbnails(dataset)
sampled = sample_rows(dataset.image_count, shown)


def groups_for(emb: embed.Embedding) -> list[str]:
    """The colour group of every image, as the "Colour by" picker says."""
    if colour_by == "cluster":
        return [f"{CLUSTER}{c}" for c in clusters_of(emb, clusters)]
    return plain_groups()


def plain_groups() -> list[str]:
    """groups_for a colouring that does not depend on the embedding (every one but "cluster")."""
    if colour_by == "label":
        return labels
    if colour_by == "folder":
        return [name.rsplit("/", 1)[0] if "/" in name else "(top)" for name in names]
    if colour_by == "original size":
        return [f"{row['width']}x{row['height']}" for row in rows]
    return ["image"] * len(names)


@st.cache_resource(show_spinner=False, max_entries=16)
def map_figure(dataset_id: str, folder: str, made: float, method: str, dims: int, colour: str, k: int, size: int,
               shown: int, overlay: bool, title: str, _emb: embed.Embedding, _coords: np.ndarray) -> FrozenFigure:
    """One embedding's map as drawn (points, hover text, thumbnails encoded), built once per
    dataset, embedding (folder and time), map and picker settings and title, not on every rerun."""
    groups = at_most(groups_for(_emb))
    hover = np.empty(len(names), dtype=object)  # written for the shown points only
    hover[sampled] = [f"#{i} {escape_plotly(short_name(names[i], 40))} · {escape_plotly(groups[i])}" for i in sampled]
    colours = palette(groups, labels)  # a class folder takes its label's colour
    figure = scatter(_coords, sampled, groups, hover, title, size, colours)
    if overlay:
        add_thumbnails(figure, _coords, sampled, thumbnails)
    return frozen(figure)


selections: list[int] = []
maps = side_by_side(ws, dataset, source, other)
for column, (shown_source, title) in zip(st.columns(len(maps)), maps):
    with column:
        emb = embedding(ws, dataset, shown_source)
        with st.spinner(f"{method.upper()} of {len(names):,} points..."):
            coords = project.project(emb, method, dims=dims)
        figure = map_figure(dataset.id, str(emb.folder), emb.made, method, dims, colour_by, clusters, point_size,
                            shown, thumbnails_on, title, emb, coords)
        chart_key = f"map_{shown_source.key}_{method}_{dims}"
        event = st.plotly_chart(figure, key=chart_key, on_select="rerun", selection_mode=("points", "box", "lasso"),
                                width="stretch")
        unplaced_note(coords, method)
        hover_thumbnails(chart_key, ws, dataset, sampled)
        selections += [r for r in selected_rows(event) if r not in selections]

if selections:
    st.subheader(counted(len(selections), "selected images"))
    if dataset.has_labels:  # what a selection holds, in the legend's words ("(none)": walk 11 read two words)
        st.caption(label_mix(labels, selections))
    ordered = sorted(selections)  # dataset order, not trace by trace
    pages = -(-len(ordered) // GALLERY_LIMIT)  # each selection opens on its first page
    page = st.pagination(pages, key=f"explore_selected_{hash(tuple(ordered))}") if pages > 1 else 1
    picked = ordered[(page - 1) * GALLERY_LIMIT : page * GALLERY_LIMIT]
    if pages > 1:
        st.caption(f"Images {(page - 1) * GALLERY_LIMIT + 1}-{(page - 1) * GALLERY_LIMIT + len(picked)} of "
                   f"{len(ordered):,}, in dataset order; the pages above show the rest.")
    gallery(np.asarray(thumbnails[picked]), [f"#{i} {breakable(short_name(names[i]))} · {labels[i]}" for i in picked])
    if len(selections) == 1 and st.button(f"Find images like #{selections[0]}", icon=":material/image_search:"):
        st.session_state.update(retrieval_query=selections[0])  # the dataset and encoder are current already
        switch_page("../pages/retrieval.py")
elif dims == 3:
    st.caption("The 3-D view rotates with the mouse; to pick images, switch 3-D off and click a point or drag a "
               "box or lasso.")
else:
    st.caption("Click a point, or choose box or lasso in the chart's toolbar and drag, to see images here.")
if colour_by == "cluster":
    st.caption(CLUSTER_NOTE)
elif colour_by in ("folder", "original size") and len(set(kinds := plain_groups())) == 1:  # one colour: say why
    shared = "the top level" if kinds[0] == "(top)" else escape_markdown(kinds[0])
    st.caption(f"Every image {'sits in one folder' if colour_by == 'folder' else 'had one size'} ({shared}), so "
               "every dot has one colour.")

if source.run_id is not None:
    st.divider()
    st.subheader("The map in motion")
    run = jobs.get_run(ws, source.run_id)
    # by label else: k-means of the final embedding has no groups for the earlier frames, and the frames of a run of
    # another dataset (a copy of these pictures) are its own dataset's rows
    own = colour_by not in ("label", "cluster") and run["dataset"] == dataset.name
    motion_panel(ws, run, jobs.run_dir(ws, source.run_id), "explore_motion",
                 *((colour_by, plain_groups()) if own else ()))
    paintings_panel(jobs.run_dir(ws, source.run_id))

export_panel(ws, dataset, source)
