"""An import is one more encoder source downstream: an imported embedding set is evaluated
(kNN against raw pixels, no view metrics), exported without an encoder, and offered on its
own dataset only; an imported architecture's exported encoder loads with the exported snippet,
and a timm CNN explains a neighbour ("Why is this a neighbour?"; other networks:
test_imported_explain.py)."""

from __future__ import annotations

import json
import runpy

import numpy as np
import pytest
import timm
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from app.sources import source_choices
from ssl_core import embed, export
from ssl_core.cli import main
from ssl_core.data.ingest import ingest_uploads
from ssl_core.evaluate.report import RAW_PIXELS, EvaluateConfig, report
from ssl_core.evaluate.supervised import SupervisedConfig
from ssl_core.explain import explain_images
from ssl_core.imports import architectures
from ssl_core.imports.embeddings import import_embeddings
from ssl_core.imports.encoders import import_encoder
from ssl_core.store import Workspace

PER_CLASS = 6


@pytest.fixture
def ws(workspace, make) -> Workspace:
    """Dataset "ab" (classes a and b, 6 noise images each, 16 px) with embedding set "vecs"
    that separates the classes, and dataset "other" without it."""
    files = [(f"{kind}/{i}.png", make.noise((16, 16), seed=10 * c + i)) for c, kind in enumerate("ab")
             for i in range(PER_CLASS)]
    ingest_uploads(workspace, [("set.zip", make.zip(files))], name="ab", size=16)
    ingest_uploads(workspace, files[:4], name="other", size=16)
    labels = [row["label"] for row in workspace.image_rows(workspace.dataset("ab"))]
    rng = np.random.default_rng(0)
    vectors = np.array([[3.0, 0.0] if label == "a" else [0.0, 3.0] for label in labels])
    vectors += rng.normal(size=vectors.shape) * 0.1
    np.save(workspace.root.parent / "vecs.npy", vectors)
    import_embeddings(workspace, "ab", "vecs", workspace.root.parent / "vecs.npy")
    return workspace


def test_an_embedding_set_is_offered_on_its_dataset_only(ws):
    on_ab = {key: name for key, (name, _) in source_choices(ws, ws.dataset("ab")).items()}
    assert on_ab["imported-vecs"] == "vecs (embeddings, imported from vecs.npy)"
    assert "imported-vecs" not in source_choices(ws, ws.dataset("other"))


def test_an_embedding_set_is_judged_against_raw_pixels_without_view_metrics(ws):
    source = embed.from_name(ws, "vecs")
    config = EvaluateConfig(fractions=(1.0,), draws=1, sample=12, neighbours=2, folds=3, k=3,
                            supervised=SupervisedConfig(max_images=12, epochs=1))
    out = report(ws, "ab", source, config=config)
    json.dumps(out, allow_nan=False)
    assert out["alignment"] is None and out["neighbour_stability"] is None and out["effective_rank"] >= 1
    assert out["knn_accuracy"] == 1.0, "the vectors separate the two classes"
    assert list(out["label_efficiency"]["curves"]) == ["vecs", RAW_PIXELS, "supervised from scratch"]
    assert out["verdict_basis"]["metric"] == "knn_accuracy" and out["verdict_basis"]["untrained"] < 1.0
    assert "for raw pixels" in out["verdict_text"] and "untrained" not in out["verdict_text"]


def test_an_embedding_set_exports_everything_but_an_encoder(ws, tmp_path, capsys):
    source = embed.from_name(ws, "vecs")
    assert export.parts_for(source) == [p for p in export.PARTS if p != "encoder"]
    emb = embed.embed(ws, "ab", source)
    with pytest.raises(KeyError, match="imported embedding set: it has no encoder to export"):
        export.export(ws, emb, ["encoder"])
    assert main(["--workspace", str(ws.root), "export", "--dataset", "ab", "--run", "vecs", "--parts",
                 "embeddings", "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["README.txt", "embeddings.csv", "embeddings.npy",
                                                                     "embeddings.parquet"]


def test_an_imported_encoders_verdict_compares_its_weights_with_the_same_network_untrained(ws, tmp_path):
    """Walk 16: weights trained elsewhere read "Nothing learned yet", as if a run were under way.
    Its sentence compares them with the same network untrained (without labels:
    test_evaluate_verdict.py)."""
    model = timm.create_model("resnet10t", num_classes=0)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "r10.safetensors"))
    import_encoder(ws, "r10", "timm:resnet10t", tmp_path / "r10.safetensors", image_size=16)
    config = EvaluateConfig(fractions=(1.0,), draws=1, sample=12, neighbours=2, folds=3, k=3, baselines=False)
    out = report(ws, "ab", embed.from_name(ws, "r10"), config=config)
    assert "for the same network untrained" in out["verdict_text"] and "training" not in out["verdict_text"], out


def test_an_import_whose_batchnorm_never_saw_data_says_so_and_is_scored_with_it_estimated(ws, tmp_path, capsys):
    """Walk 23: a random ResNet-18 saved as built read 'Scores below the same network untrained'
    (65.8% against 78.0%): its BatchNorm layers normalised nothing, the twin's were estimated on
    the pictures (78.2% once its own were). A network run on data in train mode holds its data's."""
    fresh, used = (timm.create_model("resnet10t", num_classes=0) for _ in range(2))
    used.train()(torch.rand(4, 3, 16, 16))
    layers = sum(isinstance(m, torch.nn.BatchNorm2d) for m in fresh.modules())
    for name, model in (("fresh", fresh), ("used", used)):
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / f"{name}.safetensors"))
    assert main(["--workspace", str(ws.root), "import-encoder", "--name", "fresh", "--arch", "timm:resnet10t",
                 "--weights", str(tmp_path / "fresh.safetensors"), "--image-size", "16"]) == 0
    said = capsys.readouterr()
    assert json.loads(said.out)["batchnorm_never_estimated"] == layers > 0
    assert f"note: {layers} of its BatchNorm layers hold a new layer's statistics" in said.err
    used_config = import_encoder(ws, "used", "timm:resnet10t", tmp_path / "used.safetensors", 16)
    assert used_config["batchnorm_never_estimated"] == 0
    config = EvaluateConfig(fractions=(1.0,), draws=1, sample=12, neighbours=2, folds=3, k=3, baselines=False)
    out = report(ws, "ab", embed.from_name(ws, "fresh"), config=config)
    estimated = out["verdict_basis"]["norms_estimated"]
    assert estimated["layers"] == layers and 0.0 <= estimated["knn_accuracy"] <= 1.0
    # walk 38: judged as saved, a random ResNet-18 'Scores above the same network untrained' (48.0% against 34.5%)
    # in green, its BatchNorm normalising nothing; with it estimated, 35.8%
    assert out["verdict_text"].startswith(f"{out['verdict_headline']}: kNN accuracy {estimated['knn_accuracy']:.1%} "
                                          f"against {out['verdict_basis']['untrained']:.1%} for the same network "
                                          "untrained"), out["verdict_text"]
    assert out["verdict_text"].endswith(
        f"It is judged with its BatchNorm statistics estimated on these images, as the same network untrained has "
        f"them: as saved, its {layers} BatchNorm layers hold a new layer's statistics (mean 0, variance 1: never "
        f"estimated on data), which normalise nothing, and it scores {out['knn_accuracy']:.1%} so, a difference its "
        f"weights do not make."), out["verdict_text"]
    used_out = report(ws, "ab", embed.from_name(ws, "used"), config=config)
    assert "norms_estimated" not in used_out["verdict_basis"] and "BatchNorm" not in used_out["verdict_text"]


def test_an_imported_architecture_exports_an_encoder_its_snippet_loads(ws, tmp_path, monkeypatch):
    model = timm.create_model("resnet10t", num_classes=0)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "r10.safetensors"))
    import_encoder(ws, "r10", "timm:resnet10t", tmp_path / "r10.safetensors", image_size=16)
    emb = embed.embed(ws, "ab", embed.from_name(ws, "r10"))
    out = tmp_path / "bundle"
    export.to_folder(export.export(ws, emb, ["encoder"]), out)
    monkeypatch.chdir(out)
    loaded = runpy.run_path("load_encoder.py")["encoder"]
    assert loaded(torch.zeros(1, 3, 16, 16)).shape == (1, 512)
    assert json.loads((out / "encoder.json").read_text())["encoder"] == "timm:resnet10t"


def test_a_timm_cnns_similarity_map_sums_to_the_cosine():
    rng = np.random.default_rng(0)
    a, b = (rng.integers(0, 256, (32, 32, 3), dtype=np.uint8) for _ in range(2))
    encoder, _ = architectures.build("timm:resnet10t", 32)
    result = explain_images(encoder, a, b, 32)
    with torch.no_grad():
        fa, fb = (F.normalize(encoder(torch.from_numpy(x).permute(2, 0, 1)[None].float() / 255), dim=1) for x in (a, b))
    assert result.kind == "similarity" and result.cosine == pytest.approx(float((fa * fb).sum()), abs=1e-5)
    assert result.first.sum() == pytest.approx(result.cosine, abs=1e-4)


@pytest.mark.parametrize("method", ["umap", "pca"])
def test_a_one_dimensional_embedding_set_is_mapped(ws, tmp_path, capsys, method):
    """Fewer dimensions than the map's: its one component, zeros beyond (UMAP's PCA start
    asked scikit-learn for two components of one)."""
    np.save(tmp_path / "one.npy", np.arange(2.0 * PER_CLASS).reshape(-1, 1))
    import_embeddings(ws, "ab", "one", tmp_path / "one.npy")
    capsys.readouterr()
    assert main(["--workspace", str(ws.root), "project", "--dataset", "ab", "--run", "one", "--method", method]) == 0, \
        capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["shape"] == [2 * PER_CLASS, 2]
