"""The map in motion on the Train page and in the Explorer: a finished run's snapshots as
an animated map (one frame per snapshot, each titled with its step and kNN accuracy,
play/pause and a slider), and a GIF with one frame per snapshot for slides."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
from PIL import Image

from ssl_core import jobs
from ssl_core.motion import motion
from ssl_core.motion_gif import motion_gif
from ssl_core.snapshots import load_snapshots
from ssl_core.store import Workspace
from tests.pages.conftest import open_page


def animated(at) -> dict:
    """The spec of the page's one animated plotly chart."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    found = [spec for spec in specs if spec.get("frames")]
    assert len(found) == 1, [spec.get("layout", {}).get("title") for spec in specs]
    return found[0]


def check_frames(spec: dict, steps: list[int]) -> None:
    assert [frame["name"] for frame in spec["frames"]] == [str(s) for s in steps]
    assert all(frame["layout"]["title"]["text"].startswith(f"step {s} · kNN accuracy ")
               for frame, s in zip(spec["frames"], steps))
    assert [b["label"] for b in spec["layout"]["updatemenus"][0]["buttons"]] == ["▶ Play", "❚❚ Pause"]
    assert len(spec["layout"]["sliders"][0]["steps"]) == len(steps)
    assert len(spec["frames"][0]["data"]) == 5  # one trace per shape, coloured by label


def test_the_train_page_and_the_explorer_play_a_finished_runs_map(shapes_run, monkeypatch):
    root, run = shapes_run
    steps = load_snapshots(jobs.run_dir(Workspace(root), run)).steps.tolist()
    assert steps[0] == 0 and len(steps) >= 2
    check_frames(animated(open_page(root, "../pages/train.py", monkeypatch)), steps)
    check_frames(animated(open_page(root, "../pages/explorer.py", monkeypatch)), steps)


def test_a_run_whose_dataset_was_replaced_plays_without_the_new_datas_labels(shapes_run, monkeypatch, tmp_path):
    root, run = shapes_run
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    with Workspace(copy).write() as conn:  # as after a replace: the run's dataset id is no longer stored
        conn.execute("UPDATE runs SET dataset_id = NULL WHERE id = ?", (run,))
    spec = animated(open_page(copy, "../pages/train.py", monkeypatch))
    assert [trace["name"] for trace in spec["frames"][0]["data"]] == ["images"]  # not the new rows' labels


def test_the_gif_has_one_frame_per_snapshot(shapes_run):
    root, run = shapes_run
    snaps = load_snapshots(jobs.run_dir(Workspace(root), run))
    frames = motion(snaps, None)
    colours = np.tile(np.array([[200, 30, 30]], np.uint8), (len(snaps.probe), 1))
    gif = Image.open(io.BytesIO(motion_gif(frames, colours)))
    assert gif.format == "GIF" and gif.n_frames == len(snaps.steps)
    first = np.asarray(gif.convert("RGB"))
    assert (np.abs(first.astype(int) - [200, 30, 30]).sum(axis=2) < 60).sum() > 100  # the points are drawn
    legend = {"circle": (20, 200, 40), "square": (30, 40, 220)}  # a slide's colours need their names beside them
    with_legend = np.asarray(Image.open(io.BytesIO(motion_gif(frames, colours, legend=legend))).convert("RGB"))
    below = with_legend[480:]  # under the map: the caption, the legend, the note
    assert all((np.abs(below.astype(int) - rgb).sum(axis=2) < 30).sum() >= 64 for rgb in legend.values())
    assert not (np.abs(first[480:].astype(int) - legend["circle"]).sum(axis=2) < 30).any()


def test_the_gif_legend_names_every_class_of_a_24_class_set_in_lines_and_counts_what_does_not_fit():
    """Walk 10's slide named 9 of its 24 classes, in one line."""
    from ssl_core.motion import Motion
    from ssl_core.motion_gif import LEGEND_LINES, legend_lines

    names = [f"glyph {chr(65 + i)}{i}" for i in range(24)]
    legend = {name: (10 * i, 200 - 5 * i, 90) for i, name in enumerate(names)}
    lines, left_out = legend_lines(legend, 480)
    assert [name for line in lines for name, _ in line] == names and left_out == 0 and len(lines) > 1
    frames = Motion(np.array([0, 10]), np.random.default_rng(0).standard_normal((2, 48, 2)), np.array([0.1, 0.2]),
                    "kNN accuracy")
    drawn = np.asarray(Image.open(io.BytesIO(motion_gif(frames, np.zeros((48, 3), np.uint8), legend))).convert("RGB"))
    assert all((np.abs(drawn[480:].astype(int) - rgb).sum(axis=2) < 3).sum() >= 64 for rgb in legend.values())
    many = {f"class {i:03d}": (i, 0, 0) for i in range(100)}
    lines, left_out = legend_lines(many, 480)
    assert len(lines) == LEGEND_LINES and left_out == 100 - sum(map(len, lines)) > 0


def test_a_run_that_stopped_with_one_snapshot_is_told_it_has_no_map_in_motion(shapes_run, monkeypatch, tmp_path):
    """A run that failed before its second snapshot will never have one: no promise that the map appears."""
    root, run = shapes_run
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    for file in sorted((jobs.run_dir(Workspace(copy), run) / "snapshots").glob("step-*.npy"))[1:]:
        file.unlink()  # only the step-0 snapshot kept, as by a run that failed at step 30
    with Workspace(copy).write() as conn:
        conn.execute("UPDATE runs SET status = 'failed', step = 30 WHERE id = ?", (run,))
    at = open_page(copy, "../pages/train.py", monkeypatch)
    said = [c.value for c in at.caption]
    assert ("No map in motion: the run kept fewer than two snapshots of its features before it stopped (at step 30)."
            in said) and not any(c.startswith("The map in motion appears once") for c in said)


def test_a_map_that_hides_the_features_groups_says_so_with_both_measured(shapes_run, monkeypatch, tmp_path):
    """Walk 35: 'step 704 · kNN accuracy 98.5%' over a PCA cloud with no groups to see, unsaid."""
    from ssl_core import motion as motion_module

    copy = tmp_path / "ws"  # its own run folder: the page's drawn map is cached per folder
    shutil.copytree(shapes_run[0], copy)
    monkeypatch.setattr(motion_module, "label_share", lambda points, codes, k=20, cosine=False: 0.9 if cosine else 0.3)
    said = [c.value for c in open_page(copy, "../pages/train.py", monkeypatch).caption]
    assert any(" Measured on the last frame: a point's 20 nearest others share its label 30% of the time on this "
               "map, against 90% by its features (cosine, in all their dimensions), so this map hides groups its "
               "features hold." in c for c in said), said
    monkeypatch.setattr(motion_module, "label_share", lambda points, codes, k=20, cosine=False: 0.8)
    copy2 = tmp_path / "ws2"
    shutil.copytree(shapes_run[0], copy2)
    said = [c.value for c in open_page(copy2, "../pages/train.py", monkeypatch).caption]
    assert not any("hides groups" in c for c in said)


def test_a_wide_map_sits_in_the_middle_of_the_gif():
    """Walk 37: a map wider than tall filled the bottom 45% of the square, its top half blank."""
    from ssl_core.motion import Motion

    wide = np.random.default_rng(0).uniform(size=(2, 60, 2)) * [10.0, 2.0]  # x spans 5 times y
    frames = Motion(np.array([0, 10]), wide, np.array([0.1, 0.2]), "kNN accuracy")
    drawn = np.asarray(Image.open(io.BytesIO(motion_gif(frames, np.zeros((60, 3), np.uint8)))).convert("L"))[:480]
    rows = np.flatnonzero((drawn < 100).any(axis=1))
    assert abs((rows.min() + rows.max()) / 2 - 240) < 10, (rows.min(), rows.max())
