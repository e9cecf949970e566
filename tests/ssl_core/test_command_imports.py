"""Embedding, searching and evaluating need torch and the encoders, not the training
methods: lightly pulls torchvision, timm and torch._dynamo (about 3 s before a command
starts). Checked in a fresh interpreter, so other tests' imports cannot mask it."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRAINING_ONLY = ("lightly", "timm", "torchvision", "torch._dynamo")

PROBE = f"""
import json, sys
import ssl_core.cli, ssl_core.embed, ssl_core.index, ssl_core.evaluate.report, ssl_core.evaluate.stored
from ssl_core.models import build_encoder
build_encoder("small_cnn", 32)
print(json.dumps(sorted(m for m in {TRAINING_ONLY!r} if m in sys.modules)))
"""


def test_embedding_and_evaluating_import_no_training_library():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_the_torchvision_encoders_still_build():
    """Their torchvision import moved into the constructor: a ResNet-18 and a ViT-tiny build."""
    import torch

    from ssl_core.models import build_encoder

    x = torch.zeros(2, 3, 32, 32)
    assert build_encoder("resnet18", 32).features(x).shape == (2, 512)
    assert build_encoder("vit_tiny", 32).features(x).shape == (2, 192)
