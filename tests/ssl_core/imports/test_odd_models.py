"""Architectures and files that looked importable but were not handled: a timm pretrained tag
that does not exist, weights that are not finite, an input side out of bounds, heads that
are not one Linear (squeezenet's conv, googlenet's and inception's aux branches), checkpoints
holding other tensors beside their state dict, and a run started from a ViT imported at its
own side. Each is imported right or refused by name (ImportRefused), never with a traceback."""

from __future__ import annotations

import json

import pytest
import timm
import torch
import torchvision
from safetensors.torch import save_file

from ssl_core import jobs
from ssl_core.cli import main
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.imports import ImportRefused, architectures, encoders
from ssl_core.imports.encoders import import_encoder
from ssl_core.imports.registry import MAX_SIDE, MIN_SIDE
from ssl_core.store import Workspace

SIDE = 32


@pytest.fixture
def ws(tmp_path, make) -> Workspace:
    """A workspace with dataset "tiny": 12 noise images of 16 px in folders a/ and b/."""
    ws = Workspace(tmp_path / "ws")
    ingest_uploads(ws, [(f"{'ab'[i % 2]}/{i}.png", make.noise((16, 16), seed=i)) for i in range(12)],
                   name="tiny", size=16)
    return ws


def state_of(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}


def resnet10t() -> torch.nn.Module:
    torch.manual_seed(1)
    return timm.create_model("resnet10t", num_classes=0).eval()


def test_an_unknown_timm_pretrained_tag_is_refused_naming_it():
    assert architectures.split("timm:resnet18.a1_in1k") == ("timm", "resnet18.a1_in1k")
    with pytest.raises(ImportRefused, match="no pretrained tag 'nosuchtag' for resnet18 \\(its tags: a1_in1k"):
        architectures.split("timm:resnet18.nosuchtag")
    assert not architectures.is_architecture("timm:resnet18.nosuchtag")


def test_cli_refuses_an_unknown_tag_in_one_line(ws, tmp_path, capsys):
    save_file(state_of(resnet10t()), str(tmp_path / "r10.safetensors"))
    assert main(["--workspace", str(ws.root), "import-encoder", "--name", "x", "--arch", "timm:resnet10t.nosuchtag",
                 "--weights", str(tmp_path / "r10.safetensors")]) == 1
    assert "no pretrained tag 'nosuchtag'" in capsys.readouterr().err


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_weights_that_are_not_finite_are_refused_by_key(ws, tmp_path, value):
    state = state_of(resnet10t())
    state["layer1.0.conv1.weight"][0, 0, 0, 0] = value
    save_file(state, str(tmp_path / "bad.safetensors"))
    with pytest.raises(ImportRefused, match=r"bad\.safetensors: weights that are not finite .*layer1\.0\.conv1\.weight"):
        import_encoder(ws, "bad", "timm:resnet10t", tmp_path / "bad.safetensors", image_size=SIDE)
    assert not encoders.exists(ws, "bad")


def test_whole_number_weights_are_refused_by_key_not_cast(ws, tmp_path):
    """A quantized file's int8 weights cast to float would give features of nothing."""
    state = state_of(resnet10t())
    state["layer1.0.conv1.weight"] = (state["layer1.0.conv1.weight"] * 100).to(torch.int8)
    save_file(state, str(tmp_path / "q.safetensors"))
    with pytest.raises(ImportRefused, match=r"q\.safetensors: whole numbers where .* layer1\.0\.conv1\.weight \(int8\)"):
        import_encoder(ws, "q", "timm:resnet10t", tmp_path / "q.safetensors", image_size=SIDE)
    assert not encoders.exists(ws, "q")


@pytest.mark.parametrize("side", [MIN_SIDE - 1, MAX_SIDE + 1])
def test_the_image_size_is_bounded_in_the_cli_and_the_import(ws, tmp_path, capsys, side):
    save_file(state_of(resnet10t()), str(tmp_path / "r10.safetensors"))
    with pytest.raises(SystemExit) as usage:
        main(["--workspace", str(ws.root), "import-encoder", "--name", "x", "--arch", "timm:resnet10t",
              "--weights", str(tmp_path / "r10.safetensors"), "--image-size", str(side)])
    assert usage.value.code == 2 and f"between {MIN_SIDE} and {MAX_SIDE}" in capsys.readouterr().err
    with pytest.raises(ImportRefused, match=f"between {MIN_SIDE} and {MAX_SIDE}"):
        import_encoder(ws, "x", "timm:resnet10t", tmp_path / "r10.safetensors", image_size=side)


def test_squeezenet_loses_its_classifier_conv_and_keeps_its_pooling(ws, tmp_path):
    torch.manual_seed(2)
    model = torchvision.models.squeezenet1_1()
    save_file(state_of(model), str(tmp_path / "squeeze.safetensors"))
    config = import_encoder(ws, "squeeze", "torchvision:squeezenet1_1", tmp_path / "squeeze.safetensors",
                            image_size=64)
    assert config["num_features"] == 512
    loaded = encoders.load(ws, "squeeze")
    assert loaded(torch.rand(2, 3, 64, 64)).shape == loaded(torch.rand(2, 3, 96, 96)).shape == (2, 512)


def test_a_feature_width_that_depends_on_the_side_is_refused():
    flat = architectures.ImportedEncoder(torch.nn.Identity(), (0.5,) * 3, (0.5,) * 3)  # pixels, flattened
    with pytest.raises(ImportRefused, match="feature width depends on the input side"):
        architectures.check_fixed_width(flat, "timm:flat", SIDE)


@pytest.mark.parametrize("name, side, aux", [("googlenet", 64, ("aux1.", "aux2.")),
                                             ("inception_v3", 96, ("AuxLogits.",))])
def test_googlenet_and_inception_import_with_or_without_their_aux_branches(ws, tmp_path, name, side, aux):
    torch.manual_seed(3)
    with_aux = state_of(torchvision.models.get_model(name, aux_logits=True, init_weights=False))
    without = {k: v for k, v in with_aux.items() if not k.startswith(aux)}  # as weights=DEFAULT saves it
    assert len(without) < len(with_aux)
    for label, state in (("plain", without), ("aux", with_aux)):
        save_file(state, str(tmp_path / f"{label}.safetensors"))
        config = import_encoder(ws, f"{name}-{label}", f"torchvision:{name}", tmp_path / f"{label}.safetensors",
                                image_size=side)
        assert config["num_features"] == 2048 if name == "inception_v3" else 1024


def test_a_checkpoint_with_other_tensors_beside_its_state_dict(ws, tmp_path):
    model = resnet10t()
    torch.save({"state_dict": state_of(model), "global_step": torch.tensor(120)}, tmp_path / "step.ckpt")
    import_encoder(ws, "step", "timm:resnet10t", tmp_path / "step.ckpt", image_size=SIDE)
    torch.testing.assert_close(encoders.load(ws, "step").net.conv1[0].weight, model.conv1[0].weight)


def test_dino_student_and_teacher_import_the_teacher(ws, tmp_path):
    teacher, student = resnet10t(), timm.create_model("resnet10t", num_classes=0)
    torch.save({"teacher": {f"backbone.{k}": v for k, v in state_of(teacher).items()},
                "student": {f"module.backbone.{k}": v for k, v in state_of(student).items()},
                "epoch": 10}, tmp_path / "dino.pth")
    import_encoder(ws, "dino", "timm:resnet10t", tmp_path / "dino.pth", image_size=SIDE)
    torch.testing.assert_close(encoders.load(ws, "dino").net.conv1[0].weight, teacher.conv1[0].weight)


@pytest.fixture
def vit(ws, tmp_path) -> Workspace:
    """`ws` with a 2-block ViT-tiny imported as "vit" at 48 px (its position table fits 48 px only)."""
    torch.manual_seed(4)
    model = timm.create_model("vit_tiny_patch16_224", num_classes=0, img_size=48)
    save_file(state_of(model), str(tmp_path / "vit.safetensors"))
    import_encoder(ws, "vit", "timm:vit_tiny_patch16_224", tmp_path / "vit.safetensors", image_size=48)
    return ws


def test_a_vit_at_another_side_is_refused_as_settings_that_do_not_fit(vit):
    config = TrainConfig(dataset="tiny", encoder="timm:vit_tiny_patch16_224", init="vit", image_size=SIDE)
    with pytest.raises(ValueError, match="these settings do not fit together: .*doesn't match model"):
        jobs.create_run(vit, config)


def test_a_run_from_an_import_trains_at_the_imports_side(vit, capsys):
    # simclr's two views: the default multi-crop's half-side local crops do not fit a ViT built for one side
    assert main(["--workspace", str(vit.root), "train", "--dataset", "tiny", "--init", "vit", "--recipe", "simclr",
                 "--epochs", "0.2", "--batch-size", "4"]) == 0, capsys.readouterr().err
    run = json.loads(capsys.readouterr().out)["run"]
    assert json.loads(jobs.get_run(vit, run)["config"])["image_size"] == 48


def test_an_architecture_too_large_for_a_cpu_is_refused_before_it_is_built(ws, tmp_path):
    """Counted on the meta device: refused in seconds, where building vit_gigantic took 8 GB."""
    weights = tmp_path / "r18.safetensors"
    save_file(state_of(timm.create_model("resnet18", num_classes=0)), str(weights))
    with pytest.raises(ImportRefused, match=r"1\.8 billion parameters .* more than the 400 million"):
        import_encoder(ws, "giant", "timm:vit_gigantic_patch14_224", weights)
    assert encoders.imported(ws) == []
    assert architectures.build("timm:resnet18")[0].num_features == 512  # a small one is built as before
