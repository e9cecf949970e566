"""The map helpers: ids travel in customdata, selections come back as row ids, thumbnails
spread one per cell, long legends are capped."""

from __future__ import annotations

import numpy as np

from app.maps import add_thumbnails, at_most, overlay_rows, palette, sample_rows, scatter, selected_rows


def test_every_point_carries_its_row_id_whatever_trace_it_is_in():
    coords = np.arange(20, dtype=np.float32).reshape(10, 2)
    groups = ["a", "b"] * 5
    figure = scatter(coords, np.arange(10), groups, [f"#{i}" for i in range(10)], "t", 4, palette(groups))
    assert [trace.name for trace in figure.data] == ["a", "b"]
    assert list(figure.data[1].customdata) == [1, 3, 5, 7, 9]
    assert list(figure.data[1].x) == [2, 6, 10, 14, 18]


def test_a_3d_map_hides_meaningless_ticks_and_its_camera_stands_back():
    """Plotly's default camera (eye 1.25, 1.25, 1.25) cut the near corner of a UMAP map off the
    chart and labelled axes whose numbers mean nothing (the 2-D map hides them)."""
    coords = np.random.default_rng(0).normal(size=(30, 3)).astype(np.float32)
    scene = scatter(coords, np.arange(30), ["a"] * 30, [""] * 30, "t", 3, {}).layout.scene
    assert scene.camera.eye.x > 1.25 and scene.camera.eye.y > 1.25 and scene.aspectmode == "data"
    assert not any(axis.showticklabels for axis in (scene.xaxis, scene.yaxis, scene.zaxis))


def test_a_selection_event_gives_row_ids_in_order_without_repeats():
    event = {"selection": {"points": [{"customdata": 7}, {"customdata": [3]}, {"customdata": 7}, {"x": 1}]}}
    assert selected_rows(event) == [7, 3]
    assert selected_rows({"selection": {"points": []}}) == [] and selected_rows(None) == []


def test_thumbnails_take_one_point_per_cell():
    rng = np.random.default_rng(0)
    coords = rng.uniform(0, 1, (5000, 2)).astype(np.float32)
    chosen = overlay_rows(coords, np.arange(5000), cells=10)
    assert 90 <= len(chosen) <= 100  # a 10 x 10 grid over a filled square
    cells = {tuple((coords[r] // 0.1).astype(int).clip(max=9)) for r in chosen}
    assert len(cells) == len(chosen)
    figure = scatter(coords, np.arange(5000), ["x"] * 5000, [""] * 5000, "t", 3, {})
    add_thumbnails(figure, coords, np.arange(5000), np.zeros((5000, 8, 8, 3), np.uint8), cells=10)
    assert len(figure.layout.images) == len(chosen)


def test_sampling_is_stable_and_long_legends_are_capped():
    assert np.array_equal(sample_rows(1000, 100), sample_rows(1000, 100))
    assert len(sample_rows(1000, 100)) == 100 and len(sample_rows(50, 100)) == 50
    groups = [str(i % 50) for i in range(1000)]
    capped = at_most(groups, limit=10)
    assert len(set(capped)) == 10 and "other" in capped


def test_a_frozen_figure_is_drawn_exactly_as_the_figure_it_was_made_from():
    import plotly.io as pio
    from plotly.tools import return_figure_from_figure_or_data

    from app.maps import frozen

    coords = np.arange(40, dtype=np.float32).reshape(20, 2)
    groups = ["a", "b"] * 10
    figure = scatter(coords, np.arange(20), groups, [f"#{i}" for i in range(20)], "t", 4, palette(groups))
    add_thumbnails(figure, coords, np.arange(20), np.zeros((20, 8, 8, 3), np.uint8), cells=3)
    drawn = frozen(figure)
    as_streamlit_sends = [pio.to_json(return_figure_from_figure_or_data(f, True), validate=False)
                          for f in (figure, drawn)]  # what st.plotly_chart puts in its message
    assert as_streamlit_sends[0] == as_streamlit_sends[1]
    assert len(drawn.to_dict()["layout"]["images"]) > 0


def test_a_point_without_a_place_is_left_out_and_the_rest_keep_their_thumbnails():
    """UMAP leaves a point cut off from all its neighbours at NaN: it spread the thumbnail
    grid to NaN (one thumbnail, at NaN, for 40 points); now it is not drawn."""
    rng = np.random.default_rng(0)
    coords = rng.uniform(0, 1, (400, 2)).astype(np.float32)
    coords[7] = np.nan
    figure = scatter(coords, np.arange(400), ["x"] * 400, [""] * 400, "t", 3, {})
    assert len(figure.data[0].x) == 399 and 7 not in figure.data[0].customdata
    add_thumbnails(figure, coords, np.arange(400), np.zeros((400, 8, 8, 3), np.uint8), cells=5)
    assert len(figure.layout.images) == 25
    assert all(np.isfinite([image.x, image.y]).all() for image in figure.layout.images)


def test_clusters_take_colours_no_label_takes():
    """k-means ids are arbitrary; in the labels' colours 'cluster 2' read as the label drawn in
    the same colour on the map beside it (review finding)."""
    labels = palette(["astronaut", "coffee", "rocket"])
    clusters = palette([f"cluster {c}" for c in range(12)])
    assert not set(labels.values()) & set(clusters.values())
    assert len(set(clusters.values())) == 12


def test_four_classes_take_blue_red_green_and_orange_and_six_no_purple():
    """Walk 25: fish and tree, Plotly's blue and purple, were hard to tell apart on every map; walk 37: arrow_down and
    ring so, the fifth of five classes purple."""
    assert list(palette(["fish", "house", "sun", "tree"]).values()) == ["#636EFA", "#EF553B", "#00CC96", "#FFA15A"]
    six = list(palette(["a", "b", "c", "d", "e", "f"]).values())
    assert six[4:] == ["#19D3F3", "#FF6692"] and "#AB63FA" not in six and len(set(six)) == 6


def test_a_label_keeps_its_colour_whether_or_not_unlabelled_images_are_drawn():
    """The map in motion draws labelled images only and the maps above it every image: 'camera'
    was blue in one and red in the other, as '(none)' took the first colour (seen on a walk)."""
    with_none, without = palette(["(none)", "camera", "coins"]), palette(["camera", "coins"])
    assert with_none["camera"] == without["camera"] and with_none["coins"] == without["coins"]
    assert with_none["(none)"] not in without.values()


def test_a_class_folder_keeps_its_labels_colour_whatever_folders_come_before_it():
    """Coloured by label coins was purple; by folder it turned orange, as a folder 'coffee/more'
    sorted before it took its place."""
    labels = ["astronaut", "cat", "coffee", "coins", "rocket"]
    by_label = palette(labels, labels)
    assert by_label == palette(labels)  # the label colouring itself is unchanged
    folders = ["data/astronaut", "data/cat", "data/coffee", "data/coffee/more", "data/coins", "data/rocket"]
    by_folder = palette(folders, labels)
    assert all(by_folder[f"data/{label}"] == by_label[label] for label in labels)
    assert by_folder["data/coffee/more"] not in by_label.values()  # a folder of no label: a colour of no label


def test_pages_start_k_means_at_the_classes_else_at_ten_never_above_the_points():
    from app.maps import first_clusters

    assert [first_clusters(classes, 2000) for classes in (0, 1, 2, 5, 50, 51)] == [10, 10, 2, 5, 50, 10]
    assert first_clusters(0, 6) == 6 and first_clusters(0, 1) == 2  # a tiny set; k-means needs two


def test_clusters_come_in_number_order_and_24_of_them_take_24_colours():
    """Walk 10: the legend read 0, 1, 10, ..., 19, 2, 20, and clusters 0 and 7, 1 and 8, 9 and 10 looked alike."""
    from app.maps import CLUSTER, in_order

    names = [f"{CLUSTER}{i}" for i in range(24)]
    assert sorted(reversed(names), key=in_order) == names
    assert len(set(palette(names).values())) == 24
    assert len(set(palette(names[:10]).values())) == 10
