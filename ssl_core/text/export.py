"""What an export of a text source holds beyond vectors (ssl_core/export.py asks by kind):
the encoder's tokenizer, encoder.json's words for token ids and a loading snippet that
reads sentences; and, for the TensorBoard Projector, each example's sentence as a column
of metadata.tsv, shown on hover (text has no thumbnails, so no sprite).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..store import Workspace
from .kind import source_tokenizer
from .tokenizer import TOKENIZER_FILE

if TYPE_CHECKING:
    from ..embed import Embedding

INPUT = ("int64 token ids (N, L) with L <= options.max_tokens, by tokenizer.json: [CLS] word pieces [SEP], "
         "padded with [PAD] (id 0); ssl_core.text.tokenizer.encode makes them")
LOADING_SNIPPET = f'''"""Load the exported text encoder and its tokenizer (needs torch, safetensors, tokenizers and this
project's ssl_core)."""
import json

import torch
from safetensors.torch import load_file
from tokenizers import Tokenizer

from ssl_core.models import build_encoder

config = json.load(open("encoder.json"))
encoder = build_encoder(config["encoder"], 0, **config["options"])  # a text encoder has no image side
encoder.load_state_dict(load_file("encoder.safetensors"))
encoder.eval()
tokenizer = Tokenizer.from_file("{TOKENIZER_FILE}")
# from ssl_core.text.tokenizer import encode
# ids = torch.from_numpy(encode(tokenizer, ["a sentence", "another one"], config["options"]["max_tokens"]))
# features = encoder(ids)  # (N, config["num_features"])
'''


def encoder_reading(ws: Workspace, emb: Embedding) -> tuple[dict, dict[str, bytes]]:
    """(encoder.json's fields on what the encoder reads: no image side, token ids; the files
    that go beside its weights: the tokenizer that made the stored embeddings, the snippet)."""
    tokenizer = source_tokenizer(ws, emb.dataset, emb.source)
    fields = {"kind": "text", "image_size": None, "tokenizer": TOKENIZER_FILE, "input": INPUT}
    return fields, {TOKENIZER_FILE: tokenizer.to_str().encode("utf-8"), "load_encoder.py": LOADING_SNIPPET.encode()}


def projector_looks(ws: Workspace, emb: Embedding) -> tuple[dict[str, list[str]], dict[str, bytes], str]:
    """(each example's sentence as metadata column "text", no sprite file, no sprite lines
    in projector_config.pbtxt)."""
    from ..data.text_ingest import load_texts

    return {"text": load_texts(ws, emb.dataset)}, {}, ""
