"""Encoders and embeddings trained elsewhere, brought into the workspace.

Data flow of an encoder: `--arch timm:NAME | torchvision:NAME` -> architectures.build
(headless network, its input side and normalisation) -> weights.read_state_dict (a
safetensors file, or tensors only from a .pt/.pth/.ckpt) -> weights.match (containers and
prefixes such as `backbone.`/`module.` stripped, the head dropped, every key and shape
checked) -> encoders.import_encoder writes `<workspace>/encoders/<name>/` (weights.safetensors
+ config.json) in one rename. An embedding set (embeddings.import_embeddings) is vectors
matched to a dataset's images, written as that dataset's cached embedding. Both then enter
the pipeline as an `embed.EncoderSource` with `imported=<name>`.
"""

from __future__ import annotations


class ImportRefused(ValueError):
    """A file or name that cannot be imported; the message names it and says why."""
