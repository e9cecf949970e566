"""The Evaluate page's label-efficiency curves, drawn, and what their lines read: each judged
encoder's untrained twin named by its side where two twins share a name (walk 21: SimCLR read
images at 48 px and BYOL at 32, both judged against "untrained small_cnn", one line drawn for
two), and the sides every curve reads the images at, the baselines' included (walk 21: the
network from scratch trains at 16 px, unsaid)."""

from __future__ import annotations

import math
from collections import defaultdict

import plotly.graph_objects as go

from app.widgets import escape_plotly
from ssl_core.evaluate.payoff import curve_floor
from ssl_core.embed import EncoderSource, baseline_of
from ssl_core.data.ingest import MAX_SIZE, STORED_SIZES
from ssl_core.words import agreeing, listed


def twin_names(found: dict[str, dict]) -> dict[str, str]:
    """{judged name: its untrained twin's name as shown}, from each report: the twin's own
    (`twin_key`, 'untrained small_cnn'), with 'at 48 px' added where another judged encoder's
    twin has that name but reads another side; a twin that is itself judged (an untrained
    encoder picked, at the same side), that encoder's name (walk 29: 'untrained small_cnn' judged
    at 48 px was drawn again as the dotted 'untrained small_cnn at 48 px', on top of it)."""
    sides = _twin_sides(found)
    judged = {(twin_key(report), report["source"]["image_size"]): label for label, report in found.items()
              if twin_key(report) == report["source"]["label"]}  # its own twin: an untrained encoder, an embedding set
    return {label: judged.get((twin_key(report), report["source"]["image_size"]))
            or (f"{twin_key(report)} at {report['source']['image_size']} px" if len(sides[twin_key(report)]) > 1
                else twin_key(report)) for label, report in found.items()}


def _twin_sides(found: dict[str, dict]) -> dict[str, set[int]]:
    """{a twin's name: the sides the judged encoders whose twin it is read}; an embedding set none."""
    sides = defaultdict(set)
    for report in found.values():
        if side := report["source"]["image_size"]:
            sides[twin_key(report)].add(side)
    return sides


def efficiency_figure(found: dict[str, dict], twins: dict[str, str]) -> go.Figure:
    """Accuracy against the labels used: every judged encoder, then the baselines of the reports
    (untrained twins named as `twins` says, raw pixels, supervised from scratch), mean +- std of
    the draws. A point stands at the labels it drew, not at its nominal share: the '1%' of 212
    labels is 5 (2.4%), as each class keeps at least one and the sentences under the curve say."""
    # each judged encoder's own curve first: a run's twin of the same name (read at another side) does not stand in
    curves = {label: report["label_efficiency"]["curves"][report["source"]["label"]] for label, report in found.items()}
    for label, report in found.items():
        # run id -> its name; an embedding set is its own twin, drawn once (walk 23: again as a dotted "baseline")
        shown_as = {twin_key(report): twins[label], report["source"]["label"]: label}
        for name, points in report["label_efficiency"]["curves"].items():
            curves.setdefault(shown_as.get(name, name), points)
    judged = set(found)
    pool = next(iter(found.values()))["label_efficiency"]["pool"]  # labelled examples the draws come from
    figure = go.Figure()
    for name, points in curves.items():
        baseline = name not in judged
        figure.add_trace(go.Scatter(
            x=[p["labels"] for p in points], y=[p["mean"] for p in points], name=escape_plotly(name),
            error_y=dict(type="data", array=[p["std"] for p in points], visible=True), mode="lines+markers",
            line=dict(dash="dot" if baseline else "solid", width=2 if baseline else 4),
            customdata=[p["labels"] / pool for p in points],
            hovertemplate="%{x} labels (%{customdata:.1%} of the " + f"{pool:,}" + "): %{y:.1%}<extra>"
                          + escape_plotly(name) + "</extra>"))
    used = sorted({p["labels"] for points in curves.values() for p in points})
    first = next(iter(found.values()))  # what knowing nothing scores: the largest class where unequal (walk 14:
    least = first["floor"]  # 'chance' at 33.3% under curves at 70%, while the verdict judged against 65.7%), on the
    level = curve_floor(first["label_efficiency"], least)  # held-out images the curves are scored on (walk 42: 83%,
    named = "largest class (held-out)" if least["name"] == "largest class" else least["name"]  # not the verdict's 88%)
    figure.add_hline(y=level, line_dash="dot", line_color="grey", annotation_text=named,
                     annotation_position="bottom right")
    figure.update_layout(title="Label efficiency: accuracy on held-out examples against the labels used",
                         height=460, xaxis=dict(type="log", title=f"labels used (of {pool:,}; log scale)",
                                                tickvals=used, ticktext=[f"{n:,}" for n in used]),
                         yaxis=dict(title="accuracy", tickformat=".0%", range=[0, accuracy_top(curves, level)]),
                         margin=dict(l=10, r=10, t=50, b=10), legend=dict(orientation="h", y=-0.2))
    return figure


def twin_key(report: dict) -> str:
    """The name a report's curves give its encoder's untrained twin ('untrained small_cnn'); an
    embedding set, without a network, is its own."""
    source = report["source"]
    return baseline_of(EncoderSource(source["encoder"], source["image_size"], imported=source["imported"],
                                     shape=tuple(map(tuple, source["shape"])))).label


def enlarged_words(by_side: dict[int, list[str]], stored: int) -> str:
    """Where encoders (`by_side`: {side: their labels}) read the pictures at a side above the `stored` one, that
    they read them enlarged, so with no finer detail than the stored square holds, and the stored size that would
    keep it (walk 46: a ResNet-18 imported at 112 px read pictures stored at 64 px, said nowhere); else ''."""
    above = {side: labels for side, labels in by_side.items() if side > stored}
    if not above:
        return ""
    names = [label for labels in above.values() for label in labels]
    largest = max(above)
    offered = next((size for size in STORED_SIZES if size >= largest), None)
    again = (f"at a stored size of {offered} px (the Data page's Stored size)" if offered else
             f"with `ingest --size {min(largest, MAX_SIZE)}`")  # a review: sides above the import's limit
    keep = f"where the pictures came in larger, importing them again {again} would keep more of it"
    return (f" {listed(names)} {agreeing(len(names), 'reads', 'read')} the pictures enlarged from the stored "
            f"{stored} px, so with no finer detail than that; {keep}.")


def sides_words(found: dict[str, dict], stored: int) -> str:
    """The sides the image curves read the images at: each judged encoder's (its twin's too), raw
    pixels', and the network from scratch's with its bounds, from the first report's config, and
    which encoders read them enlarged from the `stored` side (enlarged_words); an imported
    embedding set, made elsewhere, reads none here."""
    by_side = defaultdict(list)
    for label, report in found.items():
        if side := report["source"]["image_size"]:
            by_side[side].append(label)
    config = next(iter(found.values()))["config"]
    scratch, pixels = config["supervised"], config["pixel_side"]
    encoders = "; ".join(f"{listed(labels)} at {side} px" for side, labels in sorted(by_side.items(), reverse=True))
    apart = (" (so their untrained scores differ)" if any(len(sides) > 1 for sides in _twin_sides(found).values())
             else "")
    return ((f"The curves read the images at these sides: {encoders}, each beside its untrained twin at its side"
             f"{apart}; " if encoders else "The curves read the images at these sides: ")
            + f"raw pixels at {pixels} px; the network from scratch trains at {scratch['image_size']} px, "
            f"{scratch['epochs']} passes, {scratch['min_steps']} steps or more, and at most {scratch['max_images']:,} "
            f"images seen per draw, to take seconds "
            f"on a CPU: at {scratch['image_size']} px an object a tenth of the picture wide is "
            f"{scratch['image_size'] / 10:g} pixels wide." + enlarged_words(by_side, stored))


def accuracy_top(curves: dict[str, list[dict]], chance: float) -> float:
    """The accuracy axis's top: 100% once a curve's mean + std or chance reaches 85%, else the next
    tenth above the highest plus a tenth, at least 20% (walk 10's 24 classes: curves of 3-15% lay
    flat along the bottom of an axis to 100%)."""
    highest = max([chance] + [p["mean"] + p["std"] for points in curves.values() for p in points])
    return 1.02 if highest >= 0.85 else max(0.2, math.ceil(highest * 10) / 10 + 0.1)
