"""Start a run from an encoder's weights instead of random ones (`train --init NAME`):
an imported encoder or an earlier run's, trained on by the run's SSL method on the user's
data (domain-adaptive pretraining, as done with DINO or MAE backbones).

Data flow: jobs.create_run -> `write(ws, config, folder)` checks that NAME's encoder is the
run's architecture at the run's side and writes its state dict as `<run folder>/init.safetensors`
(the run keeps its start, whatever happens to the import later) -> the engine measures the
untrained twin for the verdict first, then `load(method, folder)` copies the weights into the
method's encoder and every copy of it (momentum teachers), before the first step.
"""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import save_file

from .. import checkpoint, jobs
from ..store import Workspace, WorkspaceError
from . import ImportRefused, encoders

INIT = "init.safetensors"
FIRST = 3  # keys a message names


def encoder_of(ws: Workspace, name: str) -> str:
    """The encoder a run started from `name` trains: the imported encoder's architecture
    (e.g. "timm:resnet50") or the run's encoder."""
    if encoders.exists(ws, name):
        config = encoders.read_config(ws, name)
        if config["kind"] != "encoder":
            raise ImportRefused(f"--init {name!r} is an imported embedding set: it has vectors, no weights to "
                                "start training from")
        return config["arch"]
    try:
        return jobs.get_run(ws, name)["encoder"]
    except WorkspaceError:
        known = [c["encoder"] for c in encoders.imported(ws) if c["kind"] == "encoder"]
        raise ImportRefused(f"--init {name!r}: no imported encoder or run of that name (imported encoders: "
                            f"{', '.join(known) or 'none'})") from None


def _weights(ws: Workspace, name: str) -> dict[str, torch.Tensor]:
    if encoders.exists(ws, name):
        encoder = encoders.load(ws, name)
    else:
        if jobs.get_run(ws, name)["checkpoint"] is None:
            raise ImportRefused(f"--init {name!r}: that run has no checkpoint yet")
        encoder = checkpoint.load_trained(jobs.run_dir(ws, name))[0].encoder
    return {k: v.detach().contiguous() for k, v in encoder.state_dict().items()}


def write(ws: Workspace, config, folder: Path) -> None:
    """`folder/init.safetensors`: the weights `config.init` names, refused (ImportRefused)
    unless they fit `config.encoder` at `config.image_size` key for key and shape for shape."""
    from ..models import build_encoder

    wanted = encoder_of(ws, config.init)
    if wanted != config.encoder:
        raise ImportRefused(f"--init {config.init!r} is a {wanted} encoder: train it with --encoder {wanted} "
                            f"(or leave --encoder out), not {config.encoder}")
    state = _weights(ws, config.init)
    with torch.random.fork_rng(devices=[]):
        own = build_encoder(config.encoder, config.image_size or 32).state_dict()
    wrong = [k for k in own if k not in state or state[k].shape != own[k].shape]
    if wrong or len(state) != len(own):
        first = ", ".join(f"{k} {tuple(state[k].shape) if k in state else 'missing'} (wanted {tuple(own[k].shape)})"
                          for k in wrong[:FIRST])
        raise ImportRefused(f"--init {config.init!r} does not fit {config.encoder} at {config.image_size} px: "
                            f"{first or 'other keys'}; a ViT is built for one input side: train at the side it "
                            "was imported with")
    folder.mkdir(parents=True, exist_ok=True)
    save_file(state, str(folder / INIT))


def load(method: torch.nn.Module, folder: Path) -> None:
    """Copy `folder/init.safetensors` into `method.encoder` and every module of the same
    type inside `method` (the momentum teachers are copies of the encoder)."""
    state = checkpoint.read_tensors(folder / INIT, "the run's starting weights")
    for module in method.modules():
        if type(module) is type(method.encoder):
            module.load_state_dict(state)
