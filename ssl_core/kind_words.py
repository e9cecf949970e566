"""What each kind of data ('image', 'text') is called in a verdict's sentence and whether it
can be judged without labels: plain constants, so that phrasing a run's verdict (the `runs`
command, the runs table) needs no kind's machinery (torch, tokenizers, lightly: seconds to
import). The kinds' evaluation hooks (evaluate/image_hooks.py, text/evaluation.py) read them.
"""

from __future__ import annotations

UNITS = {"image": "images", "text": "examples"}  # what a verdict's sentence counts (sentences or paragraphs)
# whether the label-free verdict's rule is calibrated on the kind: on images' pixel neighbours only
JUDGED_WITHOUT_LABELS = {"image": True, "text": False}
# where a dataset's labels come from at import (walk 35: a text set was told of a labels.csv)
LABELS_FROM = {"image": "a labels.csv or class folders",
               "text": "a label column of its CSV or JSONL, or class folders in a zip"}


def verdict_words(kind: str) -> dict[str, str | bool]:
    """evaluate/verdict.py from_metrics' keywords for data of `kind`: {"unit", "without_labels"}."""
    return {"unit": UNITS[kind], "without_labels": JUDGED_WITHOUT_LABELS[kind]}
