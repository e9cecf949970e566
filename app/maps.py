"""Plotly figures of an embedding map: WebGL points coloured by group, row ids carried in
customdata (so a selection names images, whatever the traces), thumbnails laid under them.
Pages build a figure once per input (a cached function) and draw it `frozen` on every rerun."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app.widgets import escape_plotly, png_uri
from ssl_core import embed
from ssl_core.evaluate.clusters import tightest
from ssl_core.project import placed

OVERLAY_CELLS = 14  # thumbnails on the map: at most one per square cell, 14 along the longer axis
SCENE_EYE = dict(x=1.6, y=1.6, z=0.9)  # the 3-D camera (plotly's default 1.25 each cut the map's near corner off)


def sample_rows(count: int, shown: int, seed: int = 0) -> np.ndarray:
    """Sorted row ids of `shown` of `count` points, the same ones on every rerun."""
    if shown >= count:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, shown, replace=False))


def scatter(coords: np.ndarray, rows: np.ndarray, groups: list[str], hover: list[str] | np.ndarray, title: str,
            point_size: int, palette: dict[str, str]) -> go.Figure:
    """Points `coords[rows]` ((M, 2) or (M, 3)), one trace per group (legend, escaped here),
    hover text per row of the dataset (only `rows`' are read; the caller escapes it with
    app.widgets.escape_plotly); every point's customdata is its row id. A point without a
    place (NaN, see `unplaced_note`) is not drawn."""
    figure = go.Figure()
    rows = rows[placed(coords[rows])]
    group_of = np.asarray(groups, dtype=object)[rows]
    hover_of = np.asarray(hover, dtype=object)[rows]
    three_d = coords.shape[1] == 3
    for group in sorted(set(group_of), key=in_order):
        members = rows[group_of == group]
        picked = group_of == group
        marker = dict(size=point_size, color=palette.get(group), opacity=0.85)
        common = dict(name=escape_plotly(group), customdata=members, hovertext=hover_of[picked], mode="markers",
                      marker=marker, hovertemplate="%{hovertext}<extra></extra>")
        if three_d:
            figure.add_trace(go.Scatter3d(x=coords[members, 0], y=coords[members, 1], z=coords[members, 2],
                                          **common))
        else:
            figure.add_trace(go.Scattergl(x=coords[members, 0], y=coords[members, 1], **common))
    figure.update_layout(title=title, height=560, margin=dict(l=10, r=10, t=40, b=10),  # no dragmode: Streamlit
                         # then pans and a click selects one point; box and lasso are in the toolbar
                         # the legend under the map: at its side it took 40% of each of two maps side by side
                         legend=dict(itemsizing="constant", orientation="h", y=-0.02, yanchor="top"),
                         uirevision=title)
    if three_d:  # a map's coordinates mean nothing, as in 2-D; the camera stands back so no axis is cut off
        blank = dict(showticklabels=False, title="")
        figure.update_layout(scene=dict(xaxis=blank, yaxis=blank, zaxis=blank, aspectmode="data",
                                        camera=dict(eye=SCENE_EYE)))
    else:
        figure.update_xaxes(showticklabels=False, title=None)
        figure.update_yaxes(showticklabels=False, title=None, scaleanchor="x")
    return figure


class FrozenFigure(go.Figure):
    """A figure built once and drawn on every rerun: `st.plotly_chart` calls `to_dict()`,
    which deep-copies every trace and array (a third of a map's rerun); this one returns
    the dict made when it was frozen. Read-only: nothing may update it afterwards."""

    def __init__(self, figure: go.Figure):
        super().__init__()
        self._frozen = figure.to_dict()

    def to_dict(self) -> dict:
        return self._frozen


def frozen(figure: go.Figure) -> FrozenFigure:
    """`figure` as drawn, to keep in a cache (see FrozenFigure)."""
    return FrozenFigure(figure)


@st.cache_resource(show_spinner=False, max_entries=64)
def built_once(name: str, key: str, _build: Callable[[], go.Figure]) -> FrozenFigure:
    """`_build()`'s figure, frozen, made once per `name` and `key` (a digest of everything
    the figure shows), not on every rerun."""
    return frozen(_build())


@st.cache_data(show_spinner="k-means...", max_entries=16)
def _clusters(folder: str, made: float, k: int, _vectors: np.ndarray) -> np.ndarray:
    """k-means of an embedding's vectors, the tightest of several starts as on Concepts
    (clusters.tightest), cached by its folder and time (the vectors are not hashed)."""
    return tightest(_vectors, k)


def clusters_of(emb: embed.Embedding, k: int) -> np.ndarray:
    """k-means cluster (N,) of each of the embedding's centred vectors (what its maps and
    indexes compare), once per embedding as written."""
    return _clusters(str(emb.folder), emb.made, k, emb.vectors)


def _cell_side(points: np.ndarray, cells: int) -> float:
    """Side of the square grid cells laying `cells` of them along the map's longer axis."""
    return float(max((points.max(0) - points.min(0)).max(), 1e-6)) / cells


def overlay_rows(coords: np.ndarray, rows: np.ndarray, cells: int = OVERLAY_CELLS) -> np.ndarray:
    """One row per occupied square cell of a grid over the 2-D map (`cells` along its
    longer axis): the point nearest the cell's centre, so thumbnails cover the map
    without piling up."""
    points = coords[rows, :2]
    side = _cell_side(points, cells)
    cell = np.minimum((points - points.min(0)) // side, cells - 1).astype(int)  # the far edge joins its cell
    centre = points.min(0) + (cell + 0.5) * side
    distance = np.linalg.norm(points - centre, axis=1)
    best: dict[tuple[int, int], int] = {}
    for i in np.argsort(distance):
        best.setdefault((int(cell[i, 0]), int(cell[i, 1])), int(rows[i]))
    return np.array(sorted(best.values()), dtype=int)


def add_thumbnails(figure: go.Figure, coords: np.ndarray, rows: np.ndarray, thumbnails: np.ndarray,
                   cells: int = OVERLAY_CELLS) -> None:
    """Lay the thumbnails of `overlay_rows` on a 2-D map, each centred on its point, a
    little smaller than a cell so neighbours rarely touch, under the dots: laid above, a
    tight clump's thumbnails hid its dots and their colours; a point without a place has none."""
    rows = rows[placed(coords[rows])]
    size = 0.7 * _cell_side(coords[rows, :2], cells)
    figure.update_layout(images=[  # one update: plotly re-validates the layout on every add_layout_image
        dict(source=png_uri(thumbnails[row]), x=float(coords[row, 0]), y=float(coords[row, 1]), xref="x",
             yref="y", sizex=size, sizey=size, xanchor="center", yanchor="middle", layer="below", opacity=0.9)
        for row in overlay_rows(coords, rows, cells)])


def unplaced_note(coords: np.ndarray, method: str, remedy: str = "the PCA map places every point") -> None:
    """A caption under a map that left points out: how many got no place, why, and `remedy`."""
    missing = int((~placed(coords)).sum())
    if missing:
        st.caption(f"{missing:,} of {len(coords):,} points got no place on the {method.upper()} map (too far "
                   f"from all their neighbours) and are not drawn; {remedy}.")


def selected_rows(event) -> list[int]:
    """Row ids of the points a plotly selection event names (customdata), in order."""
    if not event or not event.get("selection"):
        return []
    seen: dict[int, None] = {}
    for point in event["selection"].get("points", []):
        data = point.get("customdata")
        if data is not None:
            seen[int(data[0] if isinstance(data, list) else data)] = None
    return list(seen)


CLUSTER = "cluster "  # how clusters_of's groups are named on a map ("cluster 3")
FIRST_CLUSTERS = 10  # k-means clusters a page starts at without labels (or with over 50 classes)


def first_clusters(classes: int, items: int) -> int:
    """The k-means clusters the Explorer and Concepts start at over `items` points: the number
    of label `classes` where 2 to 50, else FIRST_CLUSTERS; never more than the points."""
    return max(2, min(classes if 2 <= classes <= 50 else FIRST_CLUSTERS, items))
CLUSTER_NOTE = ("Cluster numbers are arbitrary and each map's k-means is its own: a colour matches no label, and "
                "no cluster of another map.")


PCA_KEEPS = ("PCA keeps only the two directions of widest spread: groups the encoder tells apart in all its "
             "dimensions")  # ... may overlap on a PCA map (the Explorer's, the map in motion's)
PCA_NOTE = (f"{PCA_KEEPS} may overlap here, so a trained encoder's map can look mixed where its kNN accuracy is "
            "high; UMAP draws them apart.")  # walk 19 read a trained text encoder's PCA blob as learning undone
UNLABELLED = "(none)"  # the group of images without a label on a map
UNLABELLED_COLOUR = "#B4B4B4"


ALPHABET_GREYS = ("#565656", "#E2E2E2")  # left out of the clusters' colours: grey is the unlabelled images'


def in_order(name: object) -> list:
    """A sort key putting numbers in a name in their order: 'cluster 2' before 'cluster 10'
    (a legend sorted as text read 0, 1, 10, 11, ..., 19, 2, 20)."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", str(name))]


def palette(groups: list[str], labels: list[str] = ()) -> dict[str, str]:
    """A fixed colour per group, so the two maps of a comparison agree; unlabelled images are
    grey and take no label's place (the map in motion, labelled images only, colours each
    label as the maps do); k-means clusters ("cluster N") take colours of their own, so that
    none reads as a label's: Paul Tol's colour-blind-safe set (its grey left out, the
    unlabelled images' colour) for up to ten, as Antique's muted ten had five pairs a stranger
    could not tell apart; Alphabet's 24 (less its greys) for more. A group named like one of the dataset's `labels` (a class folder, "data/coins"
    for "coins") takes that label's colour, the others the colours after the labels': coloured
    by folder, coins turned from purple to orange when a folder "coffee/more" came before it."""
    from plotly.colors import qualitative

    names = [name for name in sorted(set(groups), key=in_order) if name != UNLABELLED]
    clusters = all(str(name).startswith(CLUSTER) for name in names)
    # more clusters than Safe's ten: Alphabet's 24 distinct colours (walk 10's 24 clusters on Safe then Antique had
    # three pairs alike: 0 and 7, 1 and 8, 9 and 10)
    # labels: Plotly's ten with its purple, too near its blue, moved from fourth to eighth (walk 25: fish and tree, blue
    # and purple, hard to tell apart on every map of four classes; walk 37: arrow_down and ring so with five)
    plotly = qualitative.Plotly
    colours = ([*plotly[:3], *plotly[4:7], plotly[3], *plotly[7:]] + qualitative.Dark24 + qualitative.Light24
               if not clusters else
               qualitative.Safe[:-1] if len(names) <= len(qualitative.Safe) - 1 else
               [c for c in qualitative.Alphabet if c not in ALPHABET_GREYS] + qualitative.Dark24)
    known = [] if clusters else sorted({str(label) for label in labels if label != UNLABELLED})
    place = {label: i for i, label in enumerate(known)}
    places = {name: place.get(str(name), place.get(str(name).rsplit("/", 1)[-1])) for name in names}
    rest = iter(range(len(known), len(known) + len(names)))
    return {name: colours[(at if at is not None else next(rest)) % len(colours)] for name, at in places.items()} | (
        {UNLABELLED: UNLABELLED_COLOUR} if UNLABELLED in groups else {})


def at_most(groups: list[str], limit: int = 30) -> list[str]:
    """`groups` with all but the `limit` - 1 most frequent merged into "other", so a legend
    (and the number of traces) stays readable."""
    values, counts = np.unique(np.asarray(groups, dtype=object).astype(str), return_counts=True)
    if len(values) <= limit:
        return groups
    kept = set(values[np.argsort(-counts, kind="stable")[: limit - 1]])
    return [group if group in kept else "other" for group in groups]
