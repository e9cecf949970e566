"""cues.sentence where no cue reaches 'some' beyond class: a cue that goes with the classes
(it scores 0.3 or more, and so does grouping by class alone) is said to be one the check
cannot tell from the classes, not ruled out; the sentence read 'every cue stays below 0.3
(highest: brightness, score 0.68 ...) ... it is not colour, brightness, ...' beside a table
of colour 0.67 where grouping by class alone gave 0.73 (a walk on crops of photographs)."""

from __future__ import annotations

from ssl_core.evaluate.cues import SCENE, level, sentence, with_classes


def scored(score: float, by_class: float | None, judged: float) -> dict:
    return {"score": score, "by_class": by_class, "judged": judged, "level": level(judged), "r2": 0.0,
            "explained": 0.0}


WALK = {"background_texture": scored(0.27, 0.3682, 0.0), "brightness": scored(0.68, 0.4396, 0.24),
        "colour": scored(0.67, 0.7349, 0.0), "layout": scored(0.31, 0.0869, 0.22),
        "position": scored(0.22, 0.0086, 0.21)}


def test_cues_that_go_with_the_classes_are_not_ruled_out():
    words = sentence(None, WALK)
    assert words.startswith("Beyond what its classes share, cheap cues explain little of the embedding's neighbours: "
                            "no cue's score beyond class reaches 0.3 (highest: brightness, score 0.68, 0.24 above the "
                            "0.44 that grouping by class alone scores: little).")
    assert ("On this data colour and brightness go with the classes (grouping by class alone scores 0.73 and 0.44 "
            "on them, the embedding 0.67 and 0.68), so the check cannot tell whether the embedding groups by them "
            "or by what the classes share.") in words
    assert words.endswith("Layout scores 0.3 or more as a whole but less beyond what its classes share (score "
                          "0.31, 0.22 above the 0.09 that grouping by class alone scores: little). It does not group "
                          "by background texture or where the picture stands out.")  # walk 30: layout unsaid
    assert "stays below" not in words and "it is not colour" not in words


def test_one_cue_with_the_classes_and_none_ruled_out():
    words = sentence(None, {"colour": scored(0.67, 0.7349, 0.0), "layout": scored(0.31, 0.0869, 0.22)})
    assert "On this data colour goes with the classes (grouping by class alone scores 0.73 on it, the embedding " \
           "0.67), so the check cannot tell whether the embedding groups by it" in words
    assert "does not group" not in words  # layout scores 0.31 on its own: not ruled out either


def test_without_labels_every_cue_below_some_is_ruled_out():
    quiet = {name: scored(s["score"] * 0.3, None, s["score"] * 0.3) for name, s in WALK.items()}
    assert sentence(None, quiet) == (
        "Cheap cues explain little of the embedding's neighbours: every cue scores below 0.3 (highest: brightness, "
        "score 0.20: little): whatever it groups images by, it is not colour, brightness, background texture, layout "
        "or where the picture stands out.")


def test_with_classes_names_the_cues_the_check_cannot_tell_from_the_classes():
    """The Evaluate page's summary said "Shortcut check: ...: none" and drew the sentence green
    where colour, brightness and texture went with the classes: it reads with_classes now."""
    assert with_classes(WALK) == ["colour", "brightness"]  # in CUES' order, as the page lists them
    assert with_classes({name: scored(s["score"], None, s["score"]) for name, s in WALK.items()}) == []  # no labels
    assert with_classes({**WALK, "colour": None}) == ["brightness"]  # not measured (greyscale data)


def test_the_background_scene_names_the_parts_it_rests_on_and_any_other_cue_at_most():
    """Walk 15: 'neighbours share two or more of the background's colour, texture and layout'
    beside a table of layout 0.23 (little) and brightness 0.60 beyond the classes (most), unsaid."""
    scores = {"colour": scored(0.8, 0.1, 0.7), "brightness": scored(0.7, 0.1, 0.6),
              "background_texture": scored(0.75, 0.1, 0.65), "layout": scored(0.33, 0.1, 0.23),
              "position": scored(0.1, 0.05, 0.05)}
    said = sentence(SCENE, scores)
    assert said.startswith("The embedding groups images by background scene: neighbours share the background's "
                           "colour and texture, as if they sat on one photo "
                           "(colour score 0.80, 0.70 above the 0.10 that grouping by class alone scores: most; "
                           "background texture score 0.75, 0.65 above the 0.10 that grouping by class alone scores: "
                           "most). Beside it, brightness scores most too (score 0.70, 0.60 above the 0.10 that "
                           "grouping by class alone scores: most).")
    assert "layout" not in said.split(". Beside")[0]


def test_without_labels_a_named_cue_may_be_what_the_images_show():
    """Walk 20: camera frames grouped by their scene, which was what told them apart, read only as a
    shortcut with a fix the run already held."""
    frames = {"background_texture": scored(0.80, None, 0.80), "colour": scored(0.87, None, 0.87),
              "layout": scored(0.75, None, 0.75), "brightness": scored(0.86, None, 0.86)}
    said = sentence(SCENE, frames, labelled=False)
    assert said.startswith(sentence(SCENE, frames))
    assert said.endswith("Without labels the check cannot tell a cue from what the images show: where the scene is "
                         "what tells them apart (frames of a few scenes or cameras, say), grouping by it is right.")
    assert "where colour is what tells them apart" in sentence("colour", frames, labelled=False)
    assert "Without labels" not in sentence(SCENE, frames) and "Without labels" not in sentence(None, frames,
                                                                                                  labelled=False)


def test_a_named_cue_says_which_other_cues_reach_most_too():
    """Walk 32: 'groups by brightness (score 0.84)' and its jitter advice, while background texture
    scored 0.72 ('most') unsaid and the neighbours plainly shared one background photo."""
    scores = {"brightness": scored(0.84, None, 0.84), "background_texture": scored(0.72, None, 0.72),
              "colour": scored(0.57, None, 0.57)}
    said = sentence("brightness", scores)
    assert " Beside it, background texture scores most too (score 0.72: most). Try " in said
    assert "colour" not in said.split("Beside it")[1]  # 'some', not 'most'
    assert "Beside it" not in sentence("brightness", {**scores, "background_texture": scored(0.5, None, 0.5)})


def test_edges_at_most_beside_the_named_cue_point_to_cutting_them_off():
    """Walk 47: camera-trap frames, each with its site's info bar, grouped 95% by site; the check named background
    texture (0.73) with edge colour 'most too' (0.74), and nothing led to the trim at import."""
    scores = {"background_texture": scored(0.73, 0.08, 0.65), "edges": scored(0.74, 0.08, 0.66),
              "colour": scored(0.2, 0.05, 0.15)}
    said = sentence("background_texture", scores, held="salient crop p 0.8, no blur")
    assert said.endswith("yet the embedding groups by it all the same. Where the edge colour is a frame or an info "
                         "bar, it is best cut off as the pictures are imported (Cut off the edges, on the Data page; "
                         "`ingest --trim`).")
    assert "Where the edge colour" not in sentence("background_texture", {**scores, "edges": scored(0.4, 0.1, 0.3)})
    assert sentence("edges", scores).count("Cut off the edges") == 1  # named: its own fix says it, once
