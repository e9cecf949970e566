"""Built-in datasets, parametrised over DATASETS: each imports with the count it promises,
(S, S, 3) uint8 images, a label on every image, and the same pixels every time."""

from __future__ import annotations

import numpy as np
import pytest

from ssl_core.data.builtins import DATASETS, get_builtin
from ssl_core.data.ingest import IngestError, ingest_builtin
from ssl_core.store import Workspace

SIZE = 16
CLASSES = {  # the hidden labels each built-in promises
    "shapes": {"circle", "square", "triangle", "star", "cross"},
    "digits": {str(d) for d in range(10)},
    "photos": {"astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field",
               "immunohistochemistry", "retina", "colorwheel"},
    "textures": {"brick", "grass", "gravel", "moon"},
    "clutter_shapes": {"circle", "square", "triangle", "star", "cross"},
    "clutter_digits": {str(d) for d in range(10)},
    "colour_shapes": {"circle", "square", "triangle", "star", "cross"},
    "docstrings": {"numbers", "files", "network", "concurrency", "formats", "devtools"},  # text: test_text_ingest
}
IMAGES = [name for name, dataset in DATASETS.items() if dataset.kind == "image"]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Each built-in imported twice (as NAME and NAME-again) into one workspace, lazily."""
    ws = Workspace(tmp_path_factory.mktemp("builtins"))
    done: set[str] = set()

    def get(name: str):
        if name not in done:
            ingest_builtin(ws, name, size=SIZE)
            ingest_builtin(ws, name, name=f"{name}-again", size=SIZE)
            done.add(name)
        return ws, ws.dataset(name)

    return get


def test_every_builtin_is_covered():
    assert set(DATASETS) == set(CLASSES)


@pytest.mark.parametrize("name", IMAGES)
def test_builtin_imports_whole_and_labelled(imported, name):
    ws, info = imported(name)
    dataset = DATASETS[name]
    images = ws.images(info)
    assert info.image_count == dataset.count > 0
    assert images.shape == (dataset.count, SIZE, SIZE, 3) and images.dtype == np.uint8
    assert ws.thumbnails(info).shape == (dataset.count, 96, 96, 3)
    assert images.std() > 10  # not blank
    labels = ws.labels(info)
    assert None not in labels and set(labels) == CLASSES[name]
    assert info.has_labels and info.source == f"builtin:{name}"
    assert min(ws.label_counts(info).values()) >= dataset.count // (2 * len(CLASSES[name]))


@pytest.mark.parametrize("name", IMAGES)
def test_builtin_is_deterministic(imported, name):
    ws, info = imported(name)
    again = ws.dataset(f"{name}-again")
    assert np.array_equal(ws.images(info), ws.images(again))
    assert ws.labels(info) == ws.labels(again)
    assert [r["name"] for r in ws.image_rows(info)] == [r["name"] for r in ws.image_rows(again)]


@pytest.mark.parametrize("name", IMAGES)
def test_builtin_yields_what_it_describes(name):
    dataset = DATASETS[name]
    file, pixels, label = next(iter(dataset.make()))
    assert file.endswith(".png") and label in CLASSES[name]
    assert pixels.dtype == np.uint8 and pixels.ndim == 3 and pixels.shape[2] == 3
    assert dataset.description and f"{dataset.count:,}" in dataset.description


def test_unknown_builtin_lists_the_valid_ones(workspace):
    with pytest.raises(KeyError, match="choose one of: shapes, digits, photos, textures"):
        get_builtin("cifar")
    with pytest.raises(IngestError, match="no built-in dataset 'cifar'"):
        ingest_builtin(workspace, "cifar")
    assert workspace.datasets() == []


def test_cancelled_builtin_import_stores_nothing(workspace):
    def cancel(done: int, total: int) -> None:
        assert total == DATASETS["shapes"].count
        if done == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_builtin(workspace, "shapes", size=SIZE, progress=cancel)
    assert workspace.datasets() == [] and list(workspace.datasets_dir.iterdir()) == []
