"""The map in motion, drawn: a run's snapshots (ssl_core.snapshots) as an animated plotly
map with play/pause and a step slider, each frame titled with its step and its number
(kNN accuracy or effective rank), thumbnails on hover as in the Explorer, and a GIF for
slides. Used live on the Train page (the map grows while the run goes) and in the Explorer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app.dataset_rows import labels as dataset_labels
from app.hover_thumbnails import hover_thumbnails
from app.maps import PCA_KEEPS, UNLABELLED, frozen, in_order, palette
from app.widgets import escape_markdown, escape_plotly
from ssl_core.kinds import methods_for
from ssl_core.motion import SHARE_K, Motion, motion, score_text
from ssl_core.motion_gif import motion_gif
from ssl_core.snapshots import FOLDER, PREFIX, load_snapshots
from ssl_core.store import DatasetInfo, Workspace, WorkspaceError

FRAME_MS = 500
SLIDER_LABELS = 10  # the most step labels under the slider: walk 20's 19 frames ran '900' into '903'


def slider_labels(steps: Sequence[int], most: int = SLIDER_LABELS) -> list[str]:
    """A label for every k-th of `steps` (k spreading them to `most` at most) and the last; the
    others blank, as is one that would sit less than k places before the last. Each frame's
    title names its step, so a blank label hides nothing."""
    every, last = -(-len(steps) // most), len(steps) - 1
    return [str(step) if t == last or (t % every == 0 and last - t >= every) else ""
            for t, step in enumerate(steps)]


def _kept(run_folder: Path) -> tuple[str, ...]:
    """Names of the snapshot files a run has now: the cache key of its motion."""
    return tuple(sorted(p.name for p in (run_folder / FOLDER).glob(f"{PREFIX}*.npy")))


def _of_probe(values: Sequence | None, probe: np.ndarray) -> np.ndarray | None:
    """The probe's entries of `values` (one per dataset row, None where an image has none), or
    None where the probe was not drawn with them: the engine's probe with labels holds every
    labelled image it has room for, unlabelled ones filling the rest (snapshots.balanced_probe);
    a probe that leaves some out was drawn without labels, measured so, and is drawn so (a
    dataset's labels do not change: one imported again under its name is another dataset)."""
    if values is None:
        return None
    every = np.asarray(values, dtype=object)
    chosen = every[probe]
    held = sum(value is not None for value in chosen)
    return chosen if held and held == min(sum(value is not None for value in every), len(probe)) else None


@st.cache_resource(show_spinner=False, max_entries=16)
def _drawn(run_folder: str, kept: tuple[str, ...], dataset_id: str | None, colouring: str, _groups: tuple | None,
           items: str, _labels: tuple = ()):
    """(the animated figure, frozen; the run's aligned frames, each scored by the dataset's `_labels`
    (kNN accuracy; effective rank without them); the probe's dataset rows; each
    probe row's group: its entry of `_groups` (a group per dataset row, by `colouring`: label,
    folder, ...), else `items`, "images" or "sentences"; each group's colour, a class folder in
    its label's as on the Explorer's maps, from the dataset's `_labels`) or None without snapshots; built once
    per snapshot added (`kept`), dataset (whose id changes when it is replaced) and colouring,
    not on every rerun."""
    snaps = load_snapshots(Path(run_folder))
    if snaps is None:
        return None
    # each frame scored against the labels whatever colours it (walk 27: by folder "kNN accuracy 25.4%", by label
    # 45.0% for one frame, as the Train page said)
    frames, rows = motion(snaps, _of_probe(_labels or None, snaps.probe)), snaps.probe
    if len(frames.steps) < 2:
        return None
    coloured = _of_probe(_groups, snaps.probe)
    groups = ([UNLABELLED if group is None else str(group) for group in coloured] if coloured is not None
              else [items] * len(rows))
    colours = palette(groups, [label for label in _labels if label is not None])
    return frozen(figure(frames, rows, groups, colours)), frames, rows, groups, colours


def figure(frames: Motion, rows: np.ndarray, groups: list[str], colours: dict[str, str]) -> go.Figure:
    """An animated map: one trace per group (legend), frame t the layouts[t]; every point
    carries its dataset row in customdata (hover thumbnails, as app/maps.py)."""
    group_of = np.asarray(groups, dtype=object)
    names = sorted(set(groups), key=in_order)

    def traces(layout: np.ndarray) -> list[go.Scatter]:
        return [go.Scatter(x=layout[group_of == g, 0], y=layout[group_of == g, 1], mode="markers",
                           name=escape_plotly(g), customdata=rows[group_of == g], hoverinfo="none",
                           marker=dict(size=6, color=colours[g], opacity=0.85)) for g in names]

    def title(t: int) -> str:
        return f"step {frames.steps[t]} · {frames.score_name} {score_text(frames.score_name, frames.scores[t])}"

    def view(layout: np.ndarray) -> dict:
        """Axes around this frame's points: one range for every frame let the untrained frame's
        far points (x to -5.9, the trained frames within -1.3..1.1) leave half of the map empty."""
        low, high = layout.min(0), layout.max(0)
        pad = 0.05 * (high - low)
        return dict(xaxis=dict(range=[low[0] - pad[0], high[0] + pad[0]]),
                    yaxis=dict(range=[low[1] - pad[1], high[1] + pad[1]]))

    last = len(frames.steps) - 1
    fig = go.Figure(data=traces(frames.layouts[last]),
                    frames=[go.Frame(data=traces(layout), name=str(step), layout=dict(title=title(t), **view(layout)))
                            for t, (step, layout) in enumerate(zip(frames.steps, frames.layouts))])
    play = dict(frame=dict(duration=FRAME_MS, redraw=True), transition=dict(duration=FRAME_MS * 0.8),
                fromcurrent=True, mode="immediate")
    pause = dict(frame=dict(duration=0, redraw=False), mode="immediate")
    fig.update_layout(
        title=title(last), height=520, margin=dict(l=10, r=10, t=40, b=10), legend=dict(itemsizing="constant"),
        xaxis=dict(view(frames.layouts[last])["xaxis"], showticklabels=False),
        yaxis=dict(view(frames.layouts[last])["yaxis"], showticklabels=False, scaleanchor="x"),
        updatemenus=[dict(type="buttons", direction="left", x=0, y=-0.02, xanchor="left", yanchor="top",
                          buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                                   dict(label="❚❚ Pause", method="animate", args=[[None], pause])])],
        sliders=[dict(active=last, x=0.22, len=0.78, y=-0.02, yanchor="top", currentvalue=dict(visible=False),
                      steps=[dict(label=label, method="animate",
                                  args=[[str(step)], dict(pause, transition=dict(duration=0))])
                             for step, label in zip(frames.steps, slider_labels(frames.steps))])])
    return fig


MAP_HIDES = 0.15  # the share of label neighbours the last frame's map keeps below its features' that is said


def hidden_groups(frames: Motion) -> str:
    """Where the last frame's 2-D map keeps MAP_HIDES or more fewer label neighbours than its features hold
    (Motion.map_share, feature_share), both measured, in a sentence; else "". Walk 35: a text run's last frame,
    'kNN accuracy 98.5%', over a cloud with no groups to see, and a GIF of it for slides."""
    if frames.map_share is None or frames.feature_share - frames.map_share < MAP_HIDES:
        return ""
    return (f" Measured on the last frame: a point's {SHARE_K} nearest others share its label {frames.map_share:.0%} "
            f"of the time on this map, against {frames.feature_share:.0%} by its features (cosine, in all their "
            f"dimensions), so this map hides groups its features hold.")


def unlabelled_note(frames: Motion, groups: list[str]) -> str:
    """Where the probe holds unlabelled images, what its numbers read (whatever colours the points:
    grey where the map is coloured by label)."""
    if frames.labelled is None or frames.labelled == len(groups):
        return ""
    grey = " (grey)" if UNLABELLED in groups else ""
    return (f" {len(groups) - frames.labelled:,} of them have no label{grey}: the kNN accuracy and label shares "
            f"read the {frames.labelled:,} labelled.")


def motion_panel(ws: Workspace, run: dict, run_folder: Path, key: str, colouring: str = "label",
                 groups: Sequence[str | None] | None = None) -> None:
    """The animated map of `run` (a row of jobs.list_runs) from its snapshots, coloured by
    label where its dataset has labels, or by `groups` (one per dataset row) where given, as
    the Explorer's "Colour by" says (walk 14: by label whatever it said); a caption instead
    when fewer than two are kept."""
    try:  # deleted, or replaced under its name: its rows are not the probe's, so no labels or thumbnails
        dataset: DatasetInfo | None = None if run["dataset_deleted"] else ws.dataset(run["dataset"])
    except WorkspaceError:
        dataset = None  # deleted since the runs were listed; the frames still play
    labels = None if dataset is None else dataset_labels(ws, dataset)
    if labels is None or groups is None:
        colouring, groups = "label", labels
    items = "sentences" if run["method"] in methods_for("text") else "images"  # the run's, its dataset may be gone
    drawn = _drawn(str(run_folder), _kept(run_folder), dataset and dataset.id, colouring,
                   None if groups is None else tuple(groups), items, labels or ())
    if drawn is None:
        st.caption("The map in motion appears once the run has kept two snapshots of its features "
                   "(before the first step, then every 50 steps by default)." if run["status"] in ("queued", "running")
                   else f"No map in motion: the run kept fewer than two snapshots of its features before it stopped "
                        f"(at step {run['step']}).")
        return
    shown, frames, rows, point_groups, palette_of = drawn
    st.plotly_chart(shown, key=key)
    if dataset is not None and dataset.kind == "image":  # sentences have no thumbnails
        hover_thumbnails(key, ws, dataset, rows)
    where = escape_markdown(run["dataset"]) + (" (since deleted or replaced: no thumbnails, no labels)"
                                               if dataset is None else "")
    st.caption(f"{len(rows):,} {items} of {where}, the dataset the run trained on, their features every few steps "
               "laid out by PCA (each frame its own, scaled to one spread and turned to match the one before), so a "
               f"point moves when its place among the others changes. {PCA_KEEPS}"
               + (" (the kNN accuracy above the map)" if frames.score_name == "kNN accuracy" else "")
               + " may overlap here; UMAP, the Explorer's map by default, draws them apart."
               + hidden_groups(frames)
               + (f" Coloured by {colouring}." if len(set(point_groups)) > 1 else "")
               + unlabelled_note(frames, point_groups))
    if st.button("Make a GIF for slides", key=f"{key}_gif", icon=":material/movie:"):
        colours = {g: tuple(int(code[i : i + 2], 16) for i in (1, 3, 5)) for g, code in palette_of.items()}
        rgb = np.array([colours[g] for g in point_groups], dtype=np.uint8)
        st.download_button("Download the GIF", motion_gif(frames, rgb, legend=colours),
                           file_name=f"map-in-motion-{run['id']}.gif", mime="image/gif", key=f"{key}_gif_download")
