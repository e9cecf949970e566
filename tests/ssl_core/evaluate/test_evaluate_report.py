"""`report` on a real workspace: every key, JSON, progress, labels or none."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ssl_core.data.ingest import ingest_builtin, ingest_uploads
from ssl_core.embed import untrained
from ssl_core.evaluate.explanations import EXPLANATIONS
from ssl_core.evaluate.report import LABEL_KEYS, RAW_PIXELS, SUPERVISED, EvaluateConfig, report
from ssl_core.evaluate.supervised import SupervisedConfig

SMALL = EvaluateConfig(fractions=(0.05, 1.0), draws=2, sample=200,
                       supervised=SupervisedConfig(max_images=256, epochs=1))
FREE_KEYS = ("alignment", "uniformity", "effective_rank", "embedding_std", "neighbour_stability", "shortcut")


@pytest.fixture
def shapes(workspace):
    ingest_builtin(workspace, "shapes")
    return workspace


def test_every_metric_has_an_explanation():
    assert set(EXPLANATIONS) >= set(FREE_KEYS) | {"knn_accuracy", "linear_probe_accuracy", "label_efficiency",
                                                  "confusion", "per_class"}


@pytest.mark.slow
def test_report_on_shapes_holds_every_key(shapes):
    calls = []
    out = report(shapes, "shapes", untrained(), progress=lambda *told: calls.append(told), config=SMALL)
    json.dumps(out, allow_nan=False)
    assert set(LABEL_KEYS + FREE_KEYS) <= out.keys()
    assert out["images"] == out["labelled"] == 2000 and out["folds"] == 5
    assert 0 <= out["knn_accuracy"] <= 1 and 0 <= out["linear_probe_accuracy"] <= 1
    assert 0 <= out["alignment"] <= 4 and -4 <= out["uniformity"] <= 0 and out["effective_rank"] >= 1
    classes = out["confusion"]["classes"]
    assert classes == ["circle", "cross", "square", "star", "triangle"] == list(out["per_class"])
    assert np.array(out["confusion"]["matrix"]).sum() == 2000
    assert out["floor"] == {"name": "chance", "accuracy": 0.2}  # five equal classes: what knowing nothing scores
    curves = out["label_efficiency"]["curves"]
    assert list(curves) == ["untrained small_cnn", RAW_PIXELS, SUPERVISED]  # the source is its own baseline
    assert all([p["fraction"] for p in points] == [0.05, 1.0] for points in curves.values())
    assert out["label_efficiency"]["supervised"]["max_images"] == 256
    assert out["shortcut"]["verdict"]
    totals = {total for _, total, _ in calls}
    assert len(totals) == 1 and calls[-1][:2] == (totals.pop(),) * 2
    done = [done for done, _, _ in calls]
    assert done == sorted(done) and len(set(done)) > 6  # moving within the stages that embed
    doing = [words for _, _, words in calls]
    assert "embedding two augmented views of sampled images (200 / 200)" in doing  # SMALL's sample
    assert "the label-efficiency curves: fit 1 of 9" in doing
    assert set(out["seconds"]) == {"embed", "label_free", "shortcut", "probes", "label_efficiency", "verdict"}
    # the untrained network against itself, on the same folds: nothing learned
    assert out["verdict_basis"] == {"metric": "knn_accuracy", "value": out["knn_accuracy"],
                                    "untrained": out["knn_accuracy"], "images": 2000,  # the probe too, as kNN shows
                                    "probe": out["linear_probe_accuracy"],  # no gain: level with itself
                                    "probe_untrained": out["linear_probe_accuracy"]}
    assert (out["verdict"], out["verdict_colour"]) == ("not_yet", "orange")
    assert f"{out['knn_accuracy']:.1%}" in out["verdict_text"]


def test_report_without_labels_leaves_label_keys_empty(workspace, make):
    files = [(f"n{i}.png", make.noise((16, 16), seed=i)) for i in range(30)]
    ingest_uploads(workspace, files, name="plain", size=16)
    out = report(workspace, "plain", untrained(image_size=16), config=EvaluateConfig(sample=30, neighbours=5))
    json.dumps(out, allow_nan=False)
    assert out["labelled"] == 0
    assert all(out[key] is None for key in LABEL_KEYS)
    assert all(out[key] is not None for key in FREE_KEYS)
    assert len(out["shortcut"]["evidence"]) == 4
    basis = out["verdict_basis"]  # without labels: the neighbours shared with pixels, against itself
    assert basis["metric"] == "pixel_shared" and basis["value"] == basis["untrained"] and basis["images"] == 30
    assert out["verdict"] == "not_yet" and out["verdict_text"].startswith("Nothing to judge: this is the untrained "
                                                                          "network itself")  # not "0 points above"


def test_report_on_a_handful_of_labelled_images(workspace, make):
    # Two classes of three images: three folds, one test image per class, one label per class
    # from the two left in the pool at every fraction short of 100%: one point for all of those.
    files = [(f"{kind}/{i}.png", make.noise((16, 16), seed=10 * c + i)) for c, kind in enumerate("ab") for i in range(3)]
    ingest_uploads(workspace, [("set.zip", make.zip(files))], name="tiny", size=16)
    config = EvaluateConfig(sample=6, neighbours=2, supervised=SupervisedConfig(max_images=8))
    out = report(workspace, "tiny", untrained(image_size=16), config=config)
    json.dumps(out, allow_nan=False)
    assert out["labelled"] == 6 and out["folds"] == 3
    assert out["label_efficiency"]["test"] == 2
    assert [p["labels"] for p in out["label_efficiency"]["curves"][RAW_PIXELS]] == [2, 4]


def test_the_explanations_speak_of_what_the_kind_counts_and_the_baselines_it_has():
    from ssl_core.evaluate.explanations import explained
    from ssl_core.kinds import KINDS

    image, text = KINDS["image"].evaluation(), KINDS["text"].evaluation()
    assert explained("label_efficiency", image).endswith(
        "above raw pixels, the untrained encoder and a network trained from scratch.")
    assert explained("label_efficiency", text).endswith("above TF-IDF and the untrained encoder.")
    assert explained("label_efficiency", image, untrained=False).endswith(  # walk 24: embedding sets alone judged
        "above raw pixels and a network trained from scratch.")
    assert explained("knn_accuracy", text).startswith("Share of examples whose nearest neighbours")
    assert explained("linear_probe_accuracy", image).startswith("Share of held-out images")
    # walk 13's text read "two augmented views of the same image"
    assert explained("alignment", text).startswith("Mean squared distance between two maskings (copies with some "
                                                   "word pieces hidden at random) of the same example")
    assert "image" not in explained("neighbour_stability", text)
    assert explained("neighbour_stability", image).startswith("Share of an image's nearest neighbours")


def test_a_run_of_few_steps_is_told_to_train_longer_not_to_change_its_augmentation(workspace, make):
    """Walk 31: a 1-step run's shortcut check said 'Try more random grayscale' beside a Diagnosis
    saying it made too few steps to tell what it groups by from its starting weights."""
    from PIL import Image

    from ssl_core import jobs
    from ssl_core.embed import from_name
    from ssl_core.engine import TrainConfig

    rng = np.random.default_rng(0)
    tints = [(1.0, 0.2, 0.2), (0.2, 0.2, 1.0), (0.2, 1.0, 0.2)]  # a colour cue an untrained network groups by
    files = [(f"t{i}.png", make.encode(Image.fromarray((rng.integers(60, 256, (16, 16, 3)) * tints[i % 3])
                                                       .astype(np.uint8)), "PNG")) for i in range(60)]
    ingest_uploads(workspace, files, name="tinted", size=16)
    run = jobs.create_run(workspace, TrainConfig(dataset="tinted", epochs=0.3, batch_size=16, image_size=16,
                                                 checkpoint_every=100, monitor_every=100))
    assert jobs.execute(workspace, run).status == "completed"
    steps = jobs.get_run(workspace, run)["step"]
    out = report(workspace, "tinted", from_name(workspace, run), config=EvaluateConfig(sample=60, neighbours=5))
    assert out["shortcut"]["cue"] == "colour", out["shortcut"]["words"]
    assert (
        f"The run made {steps} step{'s' * (steps != 1)}, too few to tell a grouping it learned from one its "
        "starting weights had. Train it longer before changing its augmentation.") in out["shortcut"]["words"]
    assert "Try" not in out["shortcut"]["words"]
