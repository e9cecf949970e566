"""The map in motion's colours: by label where the probe holds the labelled images (a probe
drawn with labels: every labelled image it has room for, unlabelled ones grey), plain where it
was drawn without them."""

from __future__ import annotations

import numpy as np

from app.maps import UNLABELLED, UNLABELLED_COLOUR, palette
from app.motion import _drawn, _kept, unlabelled_note
from ssl_core.motion import motion
from ssl_core.snapshots import FOLDER, PREFIX, PROBE, Snapshots, load_snapshots


def snapshots(folder, probe: list[int]) -> None:
    (folder / FOLDER).mkdir(parents=True)
    np.save(folder / FOLDER / PROBE, np.array(probe, np.int64))
    rng = np.random.default_rng(0)
    for step in (0, 50, 100):
        np.save(folder / FOLDER / f"{PREFIX}{step:06d}.npy", rng.normal(size=(len(probe), 8)).astype(np.float32))


def test_a_labelled_probe_of_a_partly_labelled_set_is_coloured_by_label(tmp_path):
    labels = ("a", "b") * 5 + (None, None)  # rows 10 and 11 unlabelled: left out of the probe
    snapshots(tmp_path / "run", list(range(10)))
    _, frames, rows, groups, _ = _drawn(str(tmp_path / "run"), _kept(tmp_path / "run"), "ds-1", "label", labels,
                                        "images", labels)
    assert groups == ["a", "b"] * 5 and frames.score_name.startswith("kNN")


def test_a_probe_filled_with_unlabelled_images_is_coloured_by_label_and_scored_on_the_labelled(tmp_path):
    """Walks 39 and 40: the probe of 30 labelled cells of 383 was all the map showed. The
    engine's probe now holds every labelled image and unlabelled ones fill it: they are grey
    ('(none)', as on the maps) and the frames' kNN reads the labelled ones alone."""
    labels = ("a", "b") * 5 + (None, None)
    snapshots(tmp_path / "run", list(range(12)))
    _, frames, rows, groups, colours = _drawn(str(tmp_path / "run"), _kept(tmp_path / "run"), "ds-1", "label",
                                              labels, "images", labels)
    assert groups == ["a", "b"] * 5 + [UNLABELLED] * 2 and colours[UNLABELLED] == UNLABELLED_COLOUR
    alone = motion(Snapshots(np.arange(10), frames.steps, load_snapshots(tmp_path / "run").features[:, :10]),
                   np.array(["a", "b"] * 5, dtype=object))
    assert frames.score_name.startswith("kNN") and list(frames.scores) == list(alone.scores)
    assert unlabelled_note(frames, groups) == " 2 of them have no label (grey): the kNN accuracy and label shares " \
                                              "read the 10 labelled."
    _, by_folder, _, folders, _ = _drawn(str(tmp_path / "run"), _kept(tmp_path / "run"), "ds-1", "folder",
                                         ("f",) * 12, "images", labels)
    assert unlabelled_note(by_folder, folders).startswith(" 2 of them have no label: ")  # the kNN reads labels still
    one = motion(Snapshots(np.arange(12), frames.steps, load_snapshots(tmp_path / "run").features),
                 np.array(["a"] + [None] * 11, dtype=object))
    assert one.score_name == "effective rank" and one.map_share is None  # one label read "kNN accuracy 100%"


def test_a_probe_drawn_without_labels_is_drawn_plain(tmp_path):
    labels = ("a", "b") * 5 + (None, None)
    snapshots(tmp_path / "old", [0, 1, 2, 3, 10, 11])  # drawn from every image: it leaves labelled ones out
    _, frames, rows, groups, _ = _drawn(str(tmp_path / "old"), _kept(tmp_path / "old"), "ds-1", "label", labels,
                                        "images", labels)
    assert groups == ["images"] * 6 and not frames.score_name.startswith("kNN")
    _, _, _, groups, _ = _drawn(str(tmp_path / "old"), _kept(tmp_path / "old"), "ds-2", "label", None, "sentences")
    assert groups == ["sentences"] * 6  # a text run's legend


def test_a_colouring_of_its_own_is_cached_apart_from_the_labels_and_coloured_as_the_maps(tmp_path):
    """Walk 14: the Explorer's map in motion kept its label colours whatever 'Colour by' said;
    then, by folder, it gave the folder 'photos/b' another colour than the maps above it do."""
    labels, folders = ("a", "b") * 5, ("photos/b",) * 4 + ("photos/nested/more",) * 6
    run = str(tmp_path / "run")
    snapshots(tmp_path / "run", list(range(10)))
    _, label_frames, _, by_label, _ = _drawn(run, _kept(tmp_path / "run"), "ds-1", "label", labels, "images", labels)
    _, folder_frames, _, by_folder, colours = _drawn(run, _kept(tmp_path / "run"), "ds-1", "folder", folders,
                                                     "images", labels)
    assert by_label == ["a", "b"] * 5 and by_folder == list(folders)
    # each frame's kNN accuracy is the labels' whatever colours it (walk 27: 25.4% by folder, 45.0% by label)
    assert folder_frames.score_name == "kNN accuracy" and list(folder_frames.scores) == list(label_frames.scores)
    assert colours == palette(list(folders), list(labels))  # 'photos/b' in b's colour, as on the Explorer's maps
    assert colours["photos/b"] == palette(list(labels), list(labels))["b"]
