"""The cues of the shortcut check in plain words: what each is, the augmentation or crop
change that removes it, the graded word for a score, which cue a set of scores names,
and the sentence that says so. The thresholds are calibrated in shortcut.py's docstring.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..words import agreeing, counted, listed

SOME, MOST = 0.3, 0.6  # a cue's judged score from which it explains "some", then "most" of the embedding
WHOLE_R2 = 0.1  # below this share of the embedding's variation a cue is said to group near neighbours only
SCENE = "background_scene"  # two of the background's colour, texture and layout: a whole background shared


@dataclass(frozen=True)
class Cue:
    order: tuple[str, ...]  # descriptors (descriptors.describe) whose distance orders images (explained)
    predict: tuple[str, ...]  # descriptors the ridge regression reads (r2)
    short: str  # its name in a sentence
    words: str  # what it is, in plain words
    fix: str  # the augmentation or crop change that removes it
    aside: str = ""  # what to do where it reaches MOST beside the cue named (_asides)


# measured on clutter_shapes (README, bench/tune.py): salient crops without blur helped (kNN 0.239 -> 0.366 in 5 CPU
# minutes); blur erases a small object, and background swap took 1.5 CPU minutes' kNN from 0.230 to 0.186
BACKGROUND_FIX = ("views that share the object more than the background: crops centred where the picture stands "
                  "out (`salient_crop_p`) and no blur (`blur_p` 0: blur erases a small object), or small local "
                  "crops (the `simclr_multicrop` recipe)")
EDGE_CUT = "is best cut off as the pictures are imported (Cut off the edges, on the Data page; `ingest --trim`)"
CUES = {
    # grayscale, not stronger jitter, as the advice changes it (advice.CUE_FIELDS): much stronger colour changes erased
    # small objects (colour_shapes, 2 CPU minutes: kNN 0.62 -> 0.36)
    "colour": Cue(("mean_colour",), ("mean_colour", "histogram"), "colour", "colour",
                  "more random grayscale (a higher `gray_p`), so two views of an image often no longer share "
                  "their colours (much stronger colour jitter also does, but it erased small objects in this "
                  "app's tuning)"),
    "brightness": Cue(("brightness", "contrast"), ("brightness", "contrast"), "brightness",
                      "brightness and contrast",
                      "stronger brightness and contrast jitter, so two views of an image no longer "
                      "share their brightness"),
    "background_texture": Cue(("texture",), ("texture",), "background texture", "background texture",
                              BACKGROUND_FIX + ", so two views no longer share the background's texture"),
    "layout": Cue(("layout",), ("layout",), "layout",
                  "layout (where the background's light, dark and coloured regions sit)",
                  "smaller random crops (a lower `crop_min`) and flips, so two views of an image no longer share "
                  "where its regions sit"),
    # walk 20: 'the object's position' was named on camera frames of whole scenes, with no object in them
    "position": Cue(("position",), ("position",), "where the picture stands out",
                    "where the picture stands out most (an object's position, where there is one)",
                    "smaller random crops (a lower `crop_min`) and flips, so what stands out moves between two "
                    "views of an image"),
    # walk 43: scans in white or black frames grouped by them, 'brightness' named instead
    # walk 50: fabric of one yarn colour edge to edge, lit unevenly, some with a white card in a corner, read 'the
    # colour of the picture's edges' as the fabric's colour: the descriptor is the edges' colour less the picture's
    "edges": Cue(("edges",), ("edges",), "edge colour", "how the colour of the picture's edges differs from the rest "
                 "of it, as a scanner's frame, a vignette, uneven light, a card in a corner or a plain backdrop "
                 "sets it",
                 "smaller random crops (a lower `crop_min`), so fewer views hold the picture's edges; a frame or "
                 "banner along the pictures' edges " + EDGE_CUT,
                 # walk 47: camera-trap frames, each with its site's info bar, grouped 95% by site; the check named
                 # background texture, edge colour 'most too', and nothing led to the trim
                 f"Where the edge colour is a frame or an info bar, it {EDGE_CUT}."),
}
SCENE_PARTS = ("colour", "background_texture", "layout")
SCENE_WORDS = {"colour": "colour", "background_texture": "texture", "layout": "layout"}  # of "the background's"
SCENE_FIX = BACKGROUND_FIX + ", so two views of an image no longer share a background"


def level(score: float) -> str:
    """The graded word for a judged score: little (< SOME), some (< MOST), most."""
    return "most" if score >= MOST else "some" if score >= SOME else "little"


def named(judged: dict[str, float]) -> str | None:
    """The cue that `judged` ({cue: judged score}) says the embedding groups by: the highest
    from SOME, or SCENE when two or more of SCENE_PARTS reach MOST; None below SOME."""
    best = max(judged, key=judged.__getitem__)
    if judged[best] < SOME:
        return None
    if best != "position" and sum(judged.get(name, 0.0) >= MOST for name in SCENE_PARTS) >= 2:
        return SCENE
    return best


def cue_name(cue: str) -> str:
    """A cue the check names (a key of CUES, or SCENE) in a sentence: "background texture"."""
    return "background scene" if cue == SCENE else CUES[cue].short


def fix_for(cue: str | None) -> str | None:
    return None if cue is None else SCENE_FIX if cue == SCENE else CUES[cue].fix


def _amount(s: dict) -> str:
    """A cue's score, and what grouping by class alone gives where labels are known."""
    if s["by_class"] is None:
        return f"score {s['score']:.2f}: {s['level']}"
    return (f"score {s['score']:.2f}, {s['judged']:.2f} above the {s['by_class']:.2f} that grouping by class alone "
            f"scores: {s['level']}")  # walk 21 read '0.67 against 0.00 for grouping by class alone, 0.67 beyond'


MADE_BY = ("run", "imported", "untrained", "vectors")  # what made an embedding, for the fix's sentence


def remedy(fix: str, made_by: str = "run", held: str = "", lacks: str = "", recipe: str = "",
           young: int | None = None) -> str:
    """The sentence offering `fix` to what made the embedding (`made_by`, one of MADE_BY): a
    run of this app, whose augmentation can change (unless it made too few steps, `young`, for
    the grouping to be told from its starting weights' (walk 31: a 1-step run told to try more
    grayscale beside a Diagnosis saying so), or its recipe already `held` the fix:
    those fields in words, advice.fix_held; or `lacks` the fields it changes, advice.fix_lacking,
    `recipe` naming it); an encoder imported from elsewhere or an
    untrained one, never trained here, to a run trained here from it; an embedding made
    elsewhere (an imported embedding set: vectors only, no views of its own to change), to a
    network trained here on the same images."""
    if made_by == "run" and young is not None:
        made = ("made no step: what its embedding groups by is what its starting weights grouped by" if not young else
                f"made {counted(young, 'steps')}, too few to tell a grouping it learned from one its starting weights "
                "had")
        return f"The run {made}. Train it longer before changing its augmentation."
    if made_by == "run" and held:
        return f"The run's recipe already holds the fix for it ({held}), yet the embedding groups by it all the same."
    if made_by == "run" and lacks:
        them = "them" if "," in lacks else "it"
        return (f"The run's recipe ({recipe}) has no {lacks} to change; a run whose recipe has {them} (SimCLR's, "
                f"say) could avoid the cue with {fix}.")
    if made_by == "run":
        return f"Try {fix}."
    if made_by == "imported":
        return (f"This encoder was trained elsewhere, with augmentations this app cannot change; a run trained here "
                f"from it (Train page, Start from) could avoid the cue with {fix}.")
    if made_by == "untrained":
        return f"This network is untrained; a run trained here could avoid the cue with {fix}."
    return (f"These vectors were made outside the app, so no augmentation here changes them; a network trained here "
            f"on these images would avoid the cue with {fix}.")


def sentence(cue: str | None, scores: dict[str, dict | None], made_by: str = "run", held: str = "",
             lacks: str = "", recipe: str = "", labelled: bool = True, young: int | None = None) -> str:
    """One plain sentence on the cue `named` found in `scores` (shortcut.cue_scores of each
    cue, None where not measured), quoting the numbers it rests on, and its fix (`remedy`);
    not `labelled`, that the check cannot tell the cue from what the images show (walk 20:
    camera frames grouped by their scene, which is what told them apart, read as a shortcut)."""
    present = {name: s for name, s in scores.items() if s is not None}
    if cue is None:
        return _little(present)
    if not labelled:
        what = "the scene" if cue == SCENE else CUES[cue].short
        return (f"{sentence(cue, scores, made_by, held, lacks, recipe, young=young)} Without labels the check cannot "
                f"tell a cue from what the images show: where {what} is what tells them apart (frames of a few scenes "
                "or cameras, say), grouping by it is right.")
    if cue == SCENE:  # the parts that reach MOST, and any other cue that does (walk 15: 'two or more of the
        # background's colour, texture and layout' beside layout 'little' and brightness 'most', unsaid)
        shared = [name for name in CUES if name in SCENE_PARTS and name in present and present[name]["judged"] >= MOST]
        parts = "; ".join(f"{CUES[name].short} {_amount(present[name])}" for name in shared)
        return (f"The embedding groups images by {cue_name(SCENE)}: neighbours share the background's "
                f"{listed([SCENE_WORDS[name] for name in shared])}, as if they sat on one photo ({parts})."
                f"{_besides(present, SCENE_PARTS)} {remedy(SCENE_FIX, made_by, held, lacks, recipe, young)}"
                + _asides(present, SCENE_PARTS))
    s, short = present[cue], CUES[cue].short
    verb = "groups" if s["level"] == "most" else "partly groups"
    r2 = max(0.0, s["r2"])
    whole = (f"and {short} predicts {r2:.0%} of the embedding's variation" if r2 >= WHOLE_R2 else
             f"though {short} predicts only {r2:.0%} of the embedding's variation as a whole: the grouping is "
             f"among near neighbours")
    return (f"The embedding {verb} images by {CUES[cue].words} ({_amount(s)}): an image's nearest "
            f"neighbours are closer to it in {short} than {50 + 50 * max(0.0, s['explained']):.0f}% of the other "
            f"images, {whole}.{_besides(present, (cue,))} {remedy(CUES[cue].fix, made_by, held, lacks, recipe, young)}"
            + _asides(present, (cue,)))


def _also(present: dict[str, dict], named: tuple[str, ...]) -> list[str]:
    """The cues other than those `named` whose judged score reaches MOST, in CUES' order."""
    return [name for name in CUES if name in present and name not in named and present[name]["judged"] >= MOST]


def _besides(present: dict[str, dict], named: tuple[str, ...]) -> str:
    """' Beside it, X scores most too (its numbers).' for the cues _also gives; "" where none does (walk 15:
    brightness 'most' unsaid beside the background scene; walk 32: background texture 0.72 beside a
    named brightness 0.84, while the neighbours plainly shared one background photo)."""
    also = _also(present, named)
    return (f" Beside it, {listed([CUES[name].short for name in also])} {agreeing(len(also), 'scores', 'score')} "
            f"most too ({'; '.join(_amount(present[name]) for name in also)})." if also else "")


def _asides(present: dict[str, dict], named: tuple[str, ...]) -> str:
    """The `aside` of each cue _also gives that has one, after the named cue's fix (the edges' cut at import)."""
    return "".join(f" {CUES[name].aside}" for name in _also(present, named) if CUES[name].aside)


def with_classes(scores: dict[str, dict | None]) -> list[str]:
    """The cues, in CUES' order, that go with the classes on this data: the embedding's score
    and grouping by class alone both SOME or more (none without labels); the check cannot
    tell the embedding grouping by one of them from its grouping by what the classes share."""
    return [name for name in CUES if (s := scores.get(name)) is not None and s["by_class"] is not None
            and min(s["score"], s["by_class"]) >= SOME]


def _little(present: dict[str, dict]) -> str:
    """The sentence where no cue's judged score reaches SOME. With labels a cue may still score
    SOME or more, where grouping by class alone does too: it goes with the classes on this data
    (a dark-blue class: colour 0.67, by class alone 0.73), and the check cannot tell it from
    what the classes share. Only the cues that score below SOME on their own are ruled out."""
    best = max(present, key=lambda name: present[name]["judged"])
    names = [name for name in CUES if name in present]  # in the order the page lists them
    if present[best]["by_class"] is None:
        return (f"Cheap cues explain little of the embedding's neighbours: every cue scores below {SOME} (highest: "
                f"{CUES[best].short}, {_amount(present[best])}): whatever it groups images by, it is not "
                f"{listed([CUES[name].short for name in names], 'or')}.")
    out = (f"Beyond what its classes share, cheap cues explain little of the embedding's neighbours: no cue's score "
           f"beyond class reaches {SOME} (highest: {CUES[best].short}, {_amount(present[best])}).")
    tied = with_classes(present)
    if tied:
        it = "it" if len(tied) == 1 else "them"
        by_class = listed([f"{present[name]['by_class']:.2f}" for name in tied])
        own = listed([f"{present[name]['score']:.2f}" for name in tied])
        out += (f" On this data {listed([CUES[name].short for name in tied])} {agreeing(len(tied), 'goes', 'go')} "
                f"with the classes (grouping by class alone scores {by_class} on {it}, the embedding {own}), so the "
                f"check cannot tell whether the embedding groups by {it} or by what the classes share.")
    # neither with the classes nor ruled out: said, not left out (walk 30: background texture's 0.32, unsaid)
    beyond = [name for name in names if name not in tied and present[name]["score"] >= SOME]
    if beyond:
        cues = listed([CUES[name].short for name in beyond])
        out += (f" {cues[0].upper()}{cues[1:]} {agreeing(len(beyond), 'scores', 'score')} {SOME} or more as a whole "
                f"but less beyond what its classes share ({'; '.join(_amount(present[name]) for name in beyond)}).")
    ruled_out = [CUES[name].short for name in names if present[name]["score"] < SOME]
    if ruled_out:
        out += f" It does not group by {listed(ruled_out, 'or')}."
    return out
