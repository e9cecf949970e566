"""ssl_core.imports: encoders trained elsewhere (timm/torchvision architecture + a weights
file saved on the spot, no internet) and embeddings computed elsewhere, round-tripped into
the workspace and through embed; every refusal leaves nothing behind, and a pickle that
would write a file when unpickled is refused without writing it."""

from __future__ import annotations

import json
import os
import pickle
import shlex
import subprocess
import sys
from pathlib import Path

import huggingface_hub.constants
import numpy as np
import pandas as pd
import pytest
import timm
import torch
import torchvision
from safetensors.torch import load_file, save_file

from ssl_core import embed, export
from ssl_core.cli import main
from ssl_core.data.ingest import ingest_uploads
from ssl_core.imports import ImportRefused, embeddings, encoders
from ssl_core.imports.embeddings import import_embeddings
from ssl_core.imports.encoders import import_encoder
from ssl_core.store import Workspace

ROOT = Path(__file__).resolve().parents[2]
SIDE = 32
IMAGES = 12


@pytest.fixture
def ws(tmp_path, make) -> Workspace:
    """A workspace with dataset "tiny": 12 noise images of 16 px in folders a/ and b/."""
    ws = Workspace(tmp_path / "ws")
    ingest_uploads(ws, [(f"{'ab'[i % 2]}/{i}.png", make.noise((16, 16), seed=i)) for i in range(IMAGES)],
                   name="tiny", size=16)
    return ws


def tensors_of(module: torch.nn.Module, prefix: str = "") -> dict[str, torch.Tensor]:
    return {prefix + k: v.detach().clone().contiguous() for k, v in module.state_dict().items()}


def timm_resnet() -> torch.nn.Module:
    """resnet10t with a 10-class head and non-default BatchNorm statistics (so a load that
    silently kept fresh weights would show)."""
    torch.manual_seed(1)
    model = timm.create_model("resnet10t", num_classes=10)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    return model.eval()


def standardised(x: torch.Tensor, config: dict) -> torch.Tensor:
    return (x - torch.tensor(config["mean"]).view(1, 3, 1, 1)) / torch.tensor(config["std"]).view(1, 3, 1, 1)


def assert_same_features(ws: Workspace, name: str, reference: torch.nn.Module, config: dict) -> None:
    """The imported encoder's features of a batch equal the reference network's on the
    same standardised batch."""
    x = torch.rand(3, 3, config["image_size"], config["image_size"], generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ours = embed.load_encoder(ws, embed.from_name(ws, name))(x)
        theirs = reference.eval()(standardised(x, config)).flatten(1)
    assert ours.shape == (3, config["num_features"])
    torch.testing.assert_close(ours, theirs)


def test_timm_name_and_safetensors_round_trip_into_the_embedding_pipeline(ws, tmp_path):
    model = timm_resnet()
    save_file(tensors_of(model), str(tmp_path / "r10.safetensors"))
    config = import_encoder(ws, "r10", "timm:resnet10t", tmp_path / "r10.safetensors", image_size=SIDE)
    assert {k: config[k] for k in ("encoder", "arch", "num_features", "source", "image_size")} == {
        "encoder": "r10", "arch": "timm:resnet10t", "num_features": 512, "source": "r10.safetensors",
        "image_size": SIDE}
    assert config["mean"] == list(model.pretrained_cfg["mean"]) and config["std"] == list(model.pretrained_cfg["std"])
    assert sorted(p.name for p in encoders.folder(ws, "r10").iterdir()) == ["config.json", "weights.safetensors"]
    model.reset_classifier(0)
    assert_same_features(ws, "r10", model, config)

    source = embed.from_name(ws, "r10")
    emb = embed.embed(ws, "tiny", source)
    assert emb.features.shape == (IMAGES, 512) and emb.folder.name == "imported-r10"
    assert embed.cached(ws, ws.dataset("tiny"), source) is not None
    assert "imported" not in embed.fingerprint(ws, ws.dataset("tiny"), embed.untrained("small_cnn", 16)), \
        "embeddings cached before imports existed must stay valid"
    twin = embed.baseline_of(source)
    assert (twin.encoder, twin.image_size, twin.imported, twin.run_id) == ("timm:resnet10t", SIDE, None, None)
    assert not np.allclose(embed.embed(ws, "tiny", twin).features, emb.features), "the twin is not pretrained"


def test_torchvision_state_dict_with_a_sequential_head(ws, tmp_path):
    torch.manual_seed(2)
    model = torchvision.models.mobilenet_v3_small(num_classes=7)
    torch.save(model.state_dict(), tmp_path / "mobile.pth")
    config = import_encoder(ws, "mobile", "torchvision:mobilenet_v3_small", tmp_path / "mobile.pth", image_size=SIDE)
    model.classifier[3] = torch.nn.Identity()  # the last Linear goes; the hidden layer stays
    assert config["num_features"] == 1024 and config["source"] == "mobile.pth"
    assert_same_features(ws, "mobile", model, config)


def test_lightning_checkpoint_with_prefixed_keys_drops_the_ssl_heads(ws, tmp_path):
    model = timm_resnet()
    state = {**tensors_of(model, "backbone."), **tensors_of(timm_resnet(), "momentum_backbone."),
             "projector.0.weight": torch.zeros(8, 512), "classifier.weight": torch.zeros(10, 512)}
    torch.save({"state_dict": state, "epoch": 3, "global_step": 120, "pytorch-lightning_version": "2.5.0"},
               tmp_path / "solo.ckpt")
    config = import_encoder(ws, "solo", "timm:resnet10t", tmp_path / "solo.ckpt", image_size=SIDE)
    model.reset_classifier(0)
    assert_same_features(ws, "solo", model, config)


def test_lightly_backbone_saved_as_a_sequential_of_children(ws, tmp_path):
    torch.manual_seed(3)
    resnet = torchvision.models.resnet18()
    backbone = torch.nn.Sequential(*list(resnet.children())[:-1])  # as lightly's examples build it
    torch.save({f"module.backbone.{k}": v for k, v in backbone.state_dict().items()}, tmp_path / "lightly.pth")
    config = import_encoder(ws, "lightly", "torchvision:resnet18", tmp_path / "lightly.pth", image_size=SIDE)
    assert config["num_features"] == 512
    assert_same_features(ws, "lightly", backbone, config)


def test_the_image_size_defaults_to_the_models_own(ws, tmp_path):
    torch.manual_seed(4)
    vit = timm.create_model("vit_tiny_patch16_224", num_classes=0, img_size=SIDE, depth=2)
    save_file(tensors_of(vit), str(tmp_path / "vit.safetensors"))
    with pytest.raises(ImportRefused, match="missing blocks.2"):  # the file's 2 blocks are not the model's 12
        import_encoder(ws, "vit", "timm:vit_tiny_patch16_224", tmp_path / "vit.safetensors", image_size=SIDE)
    resnet = timm_resnet()
    save_file(tensors_of(resnet), str(tmp_path / "r10.safetensors"))
    config = import_encoder(ws, "native", "timm:resnet10t", tmp_path / "r10.safetensors")
    assert config["image_size"] == resnet.pretrained_cfg["input_size"][-1]


def refused(ws: Workspace, *args, match: str, **kwargs) -> None:
    """import_encoder(ws, *args) is refused with `match` and leaves no folder behind."""
    before = sorted(os.listdir(encoders.encoders_dir(ws))) if encoders.encoders_dir(ws).exists() else []
    with pytest.raises(ImportRefused, match=match):
        import_encoder(ws, *args, **kwargs)
    after = sorted(os.listdir(encoders.encoders_dir(ws))) if encoders.encoders_dir(ws).exists() else []
    assert after == before, "a refused import left something in encoders/"


def test_every_refusal_names_the_problem_and_writes_nothing(ws, tmp_path, monkeypatch):
    model = timm_resnet()
    good = tmp_path / "r10.safetensors"
    save_file(tensors_of(model), str(good))
    (tmp_path / "weights.txt").write_text("hello")
    (tmp_path / "broken.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{bad json")
    wrong_shape = tensors_of(model)
    wrong_shape["fc.weight"] = torch.zeros(10, 512)  # the head: dropped, so not a problem
    wrong_shape["conv1.0.weight"] = torch.zeros(24, 3, 5, 5)
    save_file(wrong_shape, str(tmp_path / "shape.safetensors"))
    extra = {**tensors_of(model), "layer9.weight": torch.zeros(1)}
    save_file(extra, str(tmp_path / "extra.safetensors"))

    refused(ws, "x", "timm:resnet10t", tmp_path / "weights.txt", match=r"weights\.txt: unknown weights format \.txt")
    refused(ws, "x", "timm:resnet10t", tmp_path / "broken.safetensors", match="broken.safetensors: not a readable")
    refused(ws, "x", "timm:resnet10t", tmp_path / "absent.pt", match="absent.pt: no such file")
    os.mkfifo(tmp_path / "pipe.safetensors")  # exists: not "no such file", and never opened (it would block)
    refused(ws, "x", "timm:resnet10t", tmp_path / "pipe.safetensors", match=r"pipe\.safetensors: not a regular file")
    refused(ws, "x", "timm:resnet18", good, match=r"r10\.safetensors: does not fit this architecture: missing conv1\.weight, layer1\.1")
    refused(ws, "x", "torchvision:mobilenet_v3_small", good, match="none of its keys fit this architecture.*wrong --arch")
    refused(ws, "x", "timm:resnet10t", tmp_path / "shape.safetensors",
            match=r"wrong shapes: conv1\.0\.weight \(24, 3, 5, 5\) \(expected \(24, 3, 3, 3\)\)")
    refused(ws, "x", "timm:resnet10t", tmp_path / "extra.safetensors", match=r"unexpected layer9\.weight")
    refused(ws, "x", "timm:no_such_net", good, match="timm has no model 'no_such_net'")
    refused(ws, "x", "keras:resnet", good, match="write it as timm:NAME or torchvision:NAME")
    refused(ws, "../up", "timm:resnet10t", good, match="name '../up': use 1-64 letters")
    refused(ws, "run-20261202-123120-e27c44", "timm:resnet10t", good,  # would hide that run from --run
            match="shaped like a run's id, and `--run run-20261202-123120-e27c44` would then mean the import")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # read at import: the variable is too late
    refused(ws, "x", "timm:resnet10t", None,
            match=r"the hub \(\S+\) is offline here and its pretrained weights are not in the local "
                  r"cache; give them with --weights FILE")
    import_encoder(ws, "taken", "timm:resnet10t", good, image_size=SIDE)
    refused(ws, "taken", "timm:resnet10t", good, match="name 'taken' is taken")


class WritesAFile:
    """Unpickled, it writes the file named `path` (standing for any code a pickle can run)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.write_text, (self.path, "ran"))


def test_a_pickle_that_would_run_code_is_refused_without_running_it(ws, tmp_path):
    marker = tmp_path / "payload-ran"
    torch.save({"conv.weight": torch.zeros(1), "trap": WritesAFile(marker)}, tmp_path / "evil.pt")
    refused(ws, "evil", "timm:resnet10t", tmp_path / "evil.pt",
            match=r"evil\.pt: refused: it needs full unpickling.*convert it where you trust it")
    assert not marker.exists(), "the payload ran"
    torch.load(tmp_path / "evil.pt", weights_only=False)  # the control: full unpickling does run it
    assert marker.read_text() == "ran"


def test_a_whole_pickled_model_is_refused_naming_its_class_and_the_offered_command_converts_it(ws, tmp_path):
    """Walk 23: the command offered for `torch.save(model)` failed on it ('ResNet' object has no
    attribute 'get'), and the refusal ended on torch's own advice and link."""
    torch.save(torch.nn.Linear(3, 2), tmp_path / "whole.pt")
    with pytest.raises(ImportRefused) as refusal:
        import_encoder(ws, "whole", "timm:resnet10t", tmp_path / "whole.pt")
    said = str(refusal.value)
    assert "(it holds a torch.nn.modules.linear.Linear object)" in said and "https://" not in said
    command = said.split("convert it where you trust it, in the file's folder: ")[1]
    assert command.startswith("python -c ")
    done = subprocess.run([sys.executable, "-c", shlex.split(command)[2]], cwd=tmp_path, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert set(load_file(str(tmp_path / "weights.safetensors"))) == {"weight", "bias"}


def image_names(ws: Workspace) -> list[str]:
    return [row["name"] for row in ws.image_rows(ws.dataset("tiny"))]


def test_npy_embeddings_in_dataset_order_become_the_datasets_embedding(ws, tmp_path):
    vectors = np.random.default_rng(0).normal(size=(IMAGES, 6)).astype(np.float32)
    np.save(tmp_path / "vectors.npy", vectors)
    result = import_embeddings(ws, "tiny", "elsewhere", tmp_path / "vectors.npy")
    assert (result["encoder"], result["matched"], result["unmatched"]) == ("elsewhere", IMAGES, [])
    source = embed.from_name(ws, "elsewhere")
    emb = embed.embed(ws, "tiny", source)
    np.testing.assert_array_equal(emb.features, vectors)
    assert embed.baseline_of(source) == source, "an embedding set has no untrained twin"
    with pytest.raises(ImportRefused, match="imported embedding set.*no encoder to embed other images"):
        embed.load_encoder(ws, source)


def test_imports_made_within_one_second_are_listed_oldest_first(ws, tmp_path):
    """Three embedding sets imported within a second: the pickers list them in the order they
    came, not by name (a stamp of whole seconds tied them, and CI saw another order)."""
    np.save(tmp_path / "v.npy", np.eye(IMAGES, 4, dtype=np.float32))
    for name in ("c3", "b2", "a1"):
        import_embeddings(ws, "tiny", name, tmp_path / "v.npy")
    assert [c["encoder"] for c in encoders.imported(ws)] == ["c3", "b2", "a1"]


def test_parquet_and_csv_are_matched_by_file_name_and_unmatched_rows_reported(ws, tmp_path):
    names = image_names(ws)
    vectors = np.random.default_rng(1).normal(size=(IMAGES, 4))
    order = np.random.default_rng(2).permutation(IMAGES)
    table = pd.DataFrame({"filename": [names[i] for i in order] + ["stray.png"],
                          "embedding": [list(vectors[i]) for i in order] + [[0.0] * 4]})
    table.to_parquet(tmp_path / "vectors.parquet")
    result = import_embeddings(ws, "tiny", "from-parquet", tmp_path / "vectors.parquet")
    assert (result["matched"], result["unmatched"]) == (IMAGES, ["stray.png"])
    np.testing.assert_allclose(embed.embed(ws, "tiny", embed.from_name(ws, "from-parquet")).features, vectors,
                               rtol=1e-6)

    wide = pd.DataFrame(vectors, columns=[f"f{i}" for i in range(4)])
    wide.insert(0, "label", ["x"] * IMAGES)
    wide.insert(0, "file", [f"/elsewhere/{Path(n).name}" for n in names])  # base names are unique here
    wide.to_csv(tmp_path / "vectors.csv", index=False)
    result = import_embeddings(ws, "tiny", "from-csv", tmp_path / "vectors.csv")
    assert result["shape"] == [IMAGES, 4]
    np.testing.assert_allclose(embed.embed(ws, "tiny", embed.from_name(ws, "from-csv")).features, vectors,
                               rtol=1e-6)


def test_embedding_refusals_name_the_rows_and_import_nothing(ws, tmp_path):
    names = image_names(ws)
    vectors = np.ones((IMAGES, 3))
    vectors[4, 1] = np.nan
    vectors[7, 0] = np.inf
    pd.DataFrame({"file": names, "vector": list(vectors)}).to_parquet(tmp_path / "nan.parquet")
    pd.DataFrame({"file": names[:-2], "d0": 1.0}).to_csv(tmp_path / "short.csv", index=False)
    pd.DataFrame({"file": names + names[:1], "d0": 1.0}).to_csv(tmp_path / "twice.csv", index=False)
    np.save(tmp_path / "rows.npy", np.ones((IMAGES + 1, 3)))
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    (tmp_path / "pickle.npy").write_bytes(pickle.dumps({"vectors": [1.0, 2.0]}))  # a pickle renamed .npy
    cases = [("nan.parquet", f"2 vectors hold NaN, infinity or numbers beyond float32's range \\(about "
                             f"3.4e38\\): {names[4]}, {names[7]}"),
             ("short.csv", f"no vector for 2 of the dataset's {IMAGES} images \\(first: {names[-2]}, {names[-1]}\\)"),
             ("twice.csv", f"images named twice: {names[0]}"),
             ("rows.npy", f"13 rows for a dataset of {IMAGES} images"),
             ("objects.npy", "not a plain numeric .npy array: it holds pickled Python objects, which are never "
                             "loaded here"),
             ("pickle.npy", r"never loaded here \(unpickling can run code\); save one numeric \(N, D\) array with "
                            "np.save$")]  # numpy's words advised loading it "unsafely", cut at "keywo"
    for file, message in cases:
        with pytest.raises(ImportRefused, match=message):
            import_embeddings(ws, "tiny", "bad", tmp_path / file)
        assert not encoders.folder(ws, "bad").exists()
        assert not (ws.dataset_dir(ws.dataset("tiny")) / "embeddings" / "imported-bad").exists()


def run_main(capsys, ws: Workspace, *args: str) -> tuple[int, dict | None, str]:
    """`python -m ssl_core --workspace WS ARGS` in this process: (exit status, JSON, stderr)."""
    status = main(["--workspace", str(ws.root), *args])
    out, err = capsys.readouterr()
    return status, json.loads(out) if out else None, err


def test_cli_imports_then_embeds_by_name(ws, tmp_path, capsys, make):
    save_file(tensors_of(timm_resnet()), str(tmp_path / "r10.safetensors"))
    status, printed, err = run_main(capsys, ws, "import-encoder", "--name", "r10", "--arch", "timm:resnet10t",
                                    "--weights", str(tmp_path / "r10.safetensors"), "--image-size", str(SIDE))
    assert status == 0, err
    assert {k: printed[k] for k in ("encoder", "arch", "num_features", "source")} == {
        "encoder": "r10", "arch": "timm:resnet10t", "num_features": 512, "source": "r10.safetensors"}
    pd.DataFrame({"file": image_names(ws) + ["stray.png"], "d0": 0.5}).to_csv(tmp_path / "vectors.csv", index=False)
    status, printed, err = run_main(capsys, ws, "import-embeddings", "--dataset", "tiny", "--name", "halves",
                                    str(tmp_path / "vectors.csv"))
    assert status == 0 and "1 row named no image of tiny" in err
    assert {k: printed[k] for k in ("encoder", "matched", "unmatched")} == {
        "encoder": "halves", "matched": IMAGES, "unmatched": ["stray.png"]}
    for name, width in (("r10", 512), ("halves", 1)):
        status, printed, err = run_main(capsys, ws, "embed", "--dataset", "tiny", "--run", name)
        assert status == 0 and printed["shape"] == [IMAGES, width], err
    (tmp_path / "query.png").write_bytes(make.noise((16, 16), seed=99))
    status, printed, err = run_main(capsys, ws, "search", "--dataset", "tiny", "--run", "halves",
                                    "--query", str(tmp_path / "query.png"))
    assert status == 1 and printed is None
    assert err.splitlines()[-1].startswith("error: 'halves' is an imported embedding set: it has vectors")
    assert len(err.strip().splitlines()) == 1 and "\r" not in err  # refused before a progress bar ran (walk 23)


def test_cli_refusal_is_one_line_on_stderr_without_a_traceback(ws, tmp_path):
    torch.save({"trap": WritesAFile(tmp_path / "ran")}, tmp_path / "evil.ckpt")
    env = {k: v for k, v in os.environ.items() if k != "SSL_WORKSPACE"}
    done = subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(ws.root), "import-encoder",
                           "--name", "evil", "--arch", "timm:resnet10t", "--weights", str(tmp_path / "evil.ckpt")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("error: evil.ckpt: refused: it needs full unpickling")
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "ran").exists() and not encoders.folder(ws, "evil").exists()


def test_finite_weights_that_give_non_finite_features_are_refused_naming_the_file(ws, tmp_path):
    broken = tensors_of(timm_resnet())
    broken["bn1.running_var"] = -torch.ones_like(broken["bn1.running_var"])  # sqrt of a negative: NaN features
    save_file(broken, str(tmp_path / "negvar.safetensors"))
    refused(ws, "negvar", "timm:resnet10t", tmp_path / "negvar.safetensors", image_size=SIDE,
            match=r"negvar\.safetensors: its weights give non-finite features \(NaN or infinite\) on a test batch "
                  r"at 32 px: BatchNorm running_var below 0 in bn1\.running_var")


def test_a_table_uses_the_columns_that_are_dimensions_and_reports_what_it_left_out(ws, tmp_path):
    names = image_names(ws)
    vectors = np.random.default_rng(3).normal(size=(IMAGES, 4))
    wide = pd.DataFrame(vectors, columns=[f"d{i}" for i in range(4)])
    wide.insert(0, "file", names)
    wide["target"] = [3 * (i % 2) for i in range(IMAGES)]  # class codes: a label, never a dimension
    wide["Category"] = 1
    wide["note"] = "seen"
    wide.to_csv(tmp_path / "wide.csv")  # with pandas' index, read back as "Unnamed: 0"
    result = import_embeddings(ws, "tiny", "wide", tmp_path / "wide.csv")
    assert result["shape"] == [IMAGES, 4]
    assert result["columns"] == {
        "names": "file", "used": ["d0", "d1", "d2", "d3"],
        "left_out": {"Unnamed: 0": "an unnamed column: a row index the table was saved with",
                     "target": "named like a label or an index, not a dimension",
                     "Category": "named like a label or an index, not a dimension",
                     "note": "text, not numbers"}}
    np.testing.assert_allclose(embed.embed(ws, "tiny", embed.from_name(ws, "wide")).features, vectors, rtol=1e-6)


def test_a_dimension_with_a_cell_that_is_not_a_number_is_refused_naming_the_column_and_row(ws, tmp_path):
    names = image_names(ws)
    table = pd.DataFrame({"file": names, "d0": [str(i) for i in range(IMAGES)], "d1": 1.0})
    table.loc[5, "d0"] = "abc"
    table.loc[7, "d0"] = "xyz"
    table.to_csv(tmp_path / "abc.csv", index=False)
    with pytest.raises(ImportRefused, match=rf"abc\.csv: column 'd0' holds numbers and also 'abc' \(row 6, "
                                            rf"{names[5]}\), which is not a number"):
        import_embeddings(ws, "tiny", "abc", tmp_path / "abc.csv")
    assert not encoders.folder(ws, "abc").exists()


def test_a_list_column_names_the_row_without_a_vector(ws, tmp_path):
    names = image_names(ws)
    cells = [[1.0, 2.0]] * IMAGES
    cells[3] = None
    pd.DataFrame({"file": names, "embedding": cells}).to_parquet(tmp_path / "none.parquet")
    with pytest.raises(ImportRefused, match=rf"none\.parquet: column 'embedding' has no vector in row 4 "
                                            rf"\({names[3]}\)"):
        import_embeddings(ws, "tiny", "none", tmp_path / "none.parquet")
    cells[3] = [1.0, 2.0, 3.0]
    pd.DataFrame({"file": names, "embedding": cells}).to_parquet(tmp_path / "ragged.parquet")
    with pytest.raises(ImportRefused, match=rf"ragged\.parquet: column 'embedding' holds 3 numbers in row 4 "
                                            rf"\({names[3]}\) and 2 in row 1"):
        import_embeddings(ws, "tiny", "ragged", tmp_path / "ragged.parquet")


def test_the_apps_own_csv_export_imports_back(tmp_path, make):
    """The exported CSV writes `=SUM(1).png` as `'=SUM(1).png` (spreadsheet.py): the import
    matches it to that image again, as it matches the Parquet export."""
    ws = Workspace(tmp_path / "ws")
    files = ["=SUM(1).png", "+1.png", "'quoted.png", "plain.png"]
    ingest_uploads(ws, [(name, make.noise((16, 16), seed=i)) for i, name in enumerate(files)], name="odd", size=16)
    emb = embed.embed(ws, "odd", embed.untrained("small_cnn", 16))
    exported = export.embedding_files(ws, emb)
    assert "'=SUM(1).png" in exported["embeddings.csv"].decode()
    for part in ("embeddings.csv", "embeddings.parquet"):
        (tmp_path / part).write_bytes(exported[part])
        result = import_embeddings(ws, "odd", part.replace(".", "-"), tmp_path / part)
        assert (result["matched"], result["unmatched"]) == (len(files), [])
        np.testing.assert_allclose(embed.embed(ws, "odd", embed.from_name(ws, part.replace(".", "-"))).features,
                                   emb.features, rtol=1e-6)


def test_a_table_far_longer_than_the_dataset_is_refused_before_it_is_read(ws, tmp_path, monkeypatch):
    """A 24 KB Parquet file of one 1,000-character name repeated 200,000 times took 480 MB to
    read, in a shared app's import panel; its footer says so before a row is read."""
    rows = IMAGES + 10_001
    pd.DataFrame({"file": ["x" * 1000] * rows, "d0": 1.0}).to_parquet(tmp_path / "long.parquet", compression="zstd")
    pd.DataFrame({"file": ["x"] * rows, "d0": 1.0}).to_csv(tmp_path / "long.csv", index=False)
    (tmp_path / "junk.parquet").write_bytes(b"PAR1 not a table")
    with pytest.raises(ImportRefused, match=f"^long.parquet: {rows:,} rows; at most {IMAGES + 10_000:,} are read"):
        import_embeddings(ws, "tiny", "long", tmp_path / "long.parquet")
    with pytest.raises(ImportRefused, match=f"^long.csv: more than {IMAGES + 10_000:,} rows"):
        import_embeddings(ws, "tiny", "long", tmp_path / "long.csv")
    monkeypatch.setattr(embeddings, "MAX_TABLE_BYTES", 10**6)  # a footer counts a repeated name once
    pd.DataFrame({"file": ["y" * 10_000] * 200, "d0": 1.0}).to_parquet(tmp_path / "wide.parquet")
    with pytest.raises(ImportRefused, match="^wide.parquet: over 1 MB once decoded"):
        import_embeddings(ws, "tiny", "wide", tmp_path / "wide.parquet")
    with pytest.raises(ImportRefused) as junk:
        import_embeddings(ws, "tiny", "junk", tmp_path / "junk.parquet")
    assert str(tmp_path) not in str(junk.value), "the server's folder stays out of a visitor's message"
