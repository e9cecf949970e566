"""Which torch device a command runs on, kept apart from the engine so that embedding and
evaluating do not import the training methods (lightly pulls torchvision, timm and
torch._dynamo: about 3 s of a command's start)."""

from __future__ import annotations

import torch


def pick_device(name: str) -> torch.device:
    """"auto" is CUDA where there is one, else the CPU; any other name is taken as given."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)
