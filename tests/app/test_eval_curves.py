"""The Evaluate page's curves when two judged runs read the images at different sides (walk 21:
SimCLR at 48 px and BYOL at 32 px, both judged against "untrained small_cnn", one line drawn for
the two twins and "the untrained network (25%)" and "(20%)" said of one name)."""

from __future__ import annotations

from app.eval_curves import efficiency_figure, enlarged_words, sides_words, twin_key, twin_names
from ssl_core.embed import untrained
from ssl_core.evaluate.payoff import payoff_words


def curve(*means: float) -> list[dict]:
    return [{"fraction": f, "labels": n, "mean": m, "std": 0.01} for (f, n), m in zip(((0.1, 42), (1.0, 427)), means)]


def report(run: str, side: int, twin: tuple[float, float]) -> dict:
    return {"source": {"label": run, "encoder": "small_cnn", "image_size": side, "shape": [], "imported": None},
            "floor": {"name": "largest class", "accuracy": 0.262},
            "config": {"pixel_side": 16,
                       "supervised": {"image_size": 16, "epochs": 15, "min_steps": 100, "max_images": 10000}},
            "label_efficiency": {"pool": 427, "test": 183, "largest_class": 0.257, "curves": {
                run: curve(0.23, 0.22), "untrained small_cnn": curve(*twin), "raw pixels": curve(0.2, 0.21),
                "supervised from scratch": curve(0.21, 0.2)}}}


FOUND = {"SimCLR · 1.5 min": report("run-a", 48, (0.22, 0.25)), "BYOL · 1.5 min": report("run-b", 32, (0.23, 0.20))}


def test_twins_of_one_name_at_two_sides_are_named_by_side_and_both_drawn():
    twins = twin_names(FOUND)
    assert twins == {"SimCLR · 1.5 min": "untrained small_cnn at 48 px",
                     "BYOL · 1.5 min": "untrained small_cnn at 32 px"}
    drawn = {trace.name: trace.y for trace in efficiency_figure(FOUND, twins).data}
    assert drawn["untrained small_cnn at 48 px"] == (0.22, 0.25)
    assert drawn["untrained small_cnn at 32 px"] == (0.23, 0.2)
    twin = twin_key(FOUND["BYOL · 1.5 min"])
    words = payoff_words(FOUND["BYOL · 1.5 min"]["label_efficiency"], "run-b",
                         {"run-b": "BYOL · 1.5 min", twin: twins["BYOL · 1.5 min"]}, twin=twin)
    assert "the untrained network at 32 px (20%)" in words and "(untrained small_cnn at 32 px, 23%)" in words


def test_the_largest_class_line_stands_at_its_score_on_the_held_out_images():
    """Walk 42: the curves are scored on the held-out images; the line they are read against is too (25.7% on
    those 183, not the 26.2% of all 610 the verdict reads)."""
    line = efficiency_figure(FOUND, twin_names(FOUND)).layout.shapes[0]
    assert line.y0 == line.y1 == 0.257


def test_an_untrained_encoder_judged_is_the_twin_of_the_runs_at_its_side_drawn_once():
    """Walk 29: 'untrained small_cnn' judged at 48 px beside runs at 48 and 32 px was drawn twice, its own line and a
    dotted 'untrained small_cnn at 48 px' on it, and its sentence named it so."""
    picked = untrained("small_cnn", 48).label
    found = FOUND | {picked: report(picked, 48, (0.22, 0.25))}
    twins = twin_names(found)
    assert twins == {"SimCLR · 1.5 min": picked, "BYOL · 1.5 min": "untrained small_cnn at 32 px", picked: picked}
    drawn = [trace.name for trace in efficiency_figure(found, twins).data]
    assert drawn.count(picked) == 1 and "untrained small_cnn at 48 px" not in drawn
    assert "untrained small_cnn at 32 px" in drawn


def test_twins_at_one_side_keep_their_name():
    same = {"SimCLR": report("run-a", 48, (0.2, 0.2)), "VICReg": report("run-c", 48, (0.2, 0.2))}
    assert twin_names(same) == {"SimCLR": "untrained small_cnn", "VICReg": "untrained small_cnn"}
    twin = untrained("small_cnn", 48)  # an untrained encoder judged: its own twin
    assert twin_names({"twin": report(twin.label, 48, (0.2, 0.2))}) == {"twin": "twin"}  # its name as shown


def test_the_sides_every_curve_reads_are_said():
    assert sides_words(FOUND, 64) == (
        "The curves read the images at these sides: SimCLR · 1.5 min at 48 px; BYOL · 1.5 min at 32 px, each beside "
        "its untrained twin at its side (so their untrained scores differ); raw pixels at 16 px; the network from "
        "scratch trains at 16 px, 15 passes, 100 steps or more, and at most 10,000 images seen per draw, to take "
        "seconds on a CPU: at 16 "
        "px an object a tenth of the picture wide is 1.6 pixels wide.")


def test_encoders_reading_the_pictures_above_their_stored_side_are_said_to_read_them_enlarged():
    """Walk 46: a ResNet-18 imported at 112 px read pictures stored at 64 px, which only its side hinted at."""
    assert enlarged_words({48: ["SimCLR"]}, 64) == ""
    assert enlarged_words({112: ["theirs_r18"], 48: ["SimCLR"]}, 64) == (
        " theirs_r18 reads the pictures enlarged from the stored 64 px, so with no finer detail than that; where the "
        "pictures came in larger, importing them again at a stored size of 128 px (the Data page's Stored size) "
        "would keep more of it.")
    assert enlarged_words({224: ["a", "b"]}, 64).startswith(" a and b read the pictures enlarged")
    assert enlarged_words({224: ["a", "b"]}, 64).endswith("importing them again with `ingest --size 224` would keep "
                                                          "more of it.")  # above what the Data page offers
    assert enlarged_words({1024: ["vit"]}, 64).endswith("`ingest --size 512` would keep more of it.")  # its limit
    assert sides_words(FOUND, 32).endswith(" SimCLR · 1.5 min reads the pictures enlarged from the stored 32 px, so "
                                           "with no finer detail than that; where the pictures came in larger, "
                                           "importing them again at a stored size of 48 px (the Data page's Stored "
                                           "size) would keep more of it.")


def test_an_embedding_set_is_drawn_once_not_again_as_its_own_baseline():
    """Walk 23: an imported embedding set (no network, so its own twin) was drawn a second time,
    dotted, as a baseline named after it, on top of its own line."""
    vectors = report("supemb", 0, (0.5, 0.5))
    vectors["source"] |= {"encoder": "embeddings", "image_size": None, "imported": "supemb"}
    del vectors["label_efficiency"]["curves"]["untrained small_cnn"]
    found = {"supemb (embeddings, imported from emb_sup.npy)": vectors}
    drawn = [trace.name for trace in efficiency_figure(found, twin_names(found)).data]
    assert drawn == ["supemb (embeddings, imported from emb_sup.npy)", "raw pixels", "supervised from scratch"]
