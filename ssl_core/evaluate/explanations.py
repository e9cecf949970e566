"""One plain sentence per metric of `report`, saying what good looks like (for the page), in
the words of the dataset's kind: `explained(name, hooks)` fills in what it counts (images or
examples) and the label-efficiency baselines it has (a network from scratch for images only)."""

from typing import Any

from ..words import listed
from .verdict import UNEQUAL

EXPLANATIONS: dict[str, str] = {
    "knn_accuracy": "Share of {unit} whose nearest neighbours in the embedding mostly carry their own "
                    "label; higher is better. Ignoring the {unit} scores one over the number of classes (chance), "
                    f"or where the largest class holds {UNEQUAL:g} times an even share or more, its share (always "
                    "answering it): the floor said under the table.",
    "linear_probe_accuracy": "Share of held-out {unit} that a linear classifier on the frozen features "
                             "labels correctly; higher is better.",
    "label_efficiency": "Accuracy when only a few labels are used; a good encoder stays high with 1-10% "
                        "of the labels, above {baselines}.",
    "confusion": "Which classes the linear probe mixes up; a good encoder puts nearly everything on "
                 "the diagonal.",
    "per_class": "Accuracy of the linear probe on each class; good features leave no class far behind.",
    "alignment": "Mean squared distance between two {views} of the same {one} (0 to 4); lower "
                 "is better, but only beside a low uniformity: an embedding that puts everything in "
                 "one spot aligns perfectly.",
    "uniformity": "How evenly the embeddings spread over the sphere (about -4 is very even, 0 is one "
                  "point); lower is better.",
    "effective_rank": "How many directions the embedding really uses (RankMe); higher is better, and 1 "
                      "means everything has collapsed onto a line.",
    "embedding_std": "Spread of the normalised embeddings along each direction, scaled so that 1 is an even "
                     "spread over every direction and 0 a collapse onto one point; a trained encoder often sits "
                     "between (its features use fewer directions): only a fall towards 0 warns.",
    "neighbour_stability": "Share of an {one}'s nearest neighbours that stay its neighbours when the "
                           "{one} is replaced by one of its {views}; higher is better.",
    "shortcut": "How much cheap cues taken from the pixels (colour, brightness, background texture, layout, "
                "where the picture stands out, the colour of its edges) explain the embedding's neighbours, from 0 "
                "to 1; low is good. Little is below 0.3, some from 0.3, most from 0.6: on planted tests, embeddings "
                "of the object alone scored at most 0.03 on every cue and planted shortcuts at least 0.63 on their "
                "own, but on framed pictures, where a background texture scored 0.49 and an object's position 0.14 "
                "(a frame stands out more than an object). With labels, only what a cue explains beyond grouping by "
                "class counts: that score comes first in the table and its level beside it.",
}


def explained(name: str, hooks: Any, untrained: bool = True) -> str:
    """EXPLANATIONS[name] for a dataset whose evaluation `hooks` (image_hooks.ImageEvaluation or
    text.evaluation's) give its `unit`, its `views` (what alignment compares), `baseline_name` and
    whether a network `from_scratch` is fitted. Walk 13's text read "views of the same image".
    Without an `untrained` curve (only embedding sets judged, which have no network) the
    baselines leave it out (walk 24: a line named that was not drawn)."""
    baselines = [hooks.baseline_name, *(["the untrained encoder"] if untrained else []),
                 *(["a network trained from scratch"] if hooks.from_scratch else [])]
    return EXPLANATIONS[name].format(unit=hooks.unit, one=hooks.unit[:-1], views=hooks.views,
                                     baselines=listed(baselines))
