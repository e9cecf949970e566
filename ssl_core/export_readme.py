"""README.txt of an export: what each file holds and how they fit together, written for the
files the export has. Walk 38 queried index.faiss with rows of embeddings.npy, as anyone would,
and got the wrong neighbours (row 0's first hit a stranger at 4.30, not its copy at 1.0): the
index holds the features centred (index_mean.npy subtracted) and L2-normalised, vectors.tsv
the centred features, embeddings.* the features as the encoder gave them, and nothing said so.

    {file name: bytes} (export.export) + the encoder's and dataset's names -> README.txt bytes
"""

from __future__ import annotations

from .index import EXACT_MAX

FILES = {  # file -> what it holds; in this order
    "embeddings.npy": "float32 (N, D): each item's features as the encoder gives them, in the dataset's order.",
    "embeddings.csv": "the same features with the item's file name and label (columns file, label, f0 ... f{D-1}).",
    "embeddings.parquet": "the same table as embeddings.csv, with names and labels exactly as stored.",
    "index.faiss": f"a FAISS inner-product index (exact up to {EXACT_MAX:,} items, IVF above) of the features centred "
                   "(index_mean.npy subtracted) and L2-normalised: its inner product is the app's cosine similarity. "
                   "Query it with a vector made the same way (below).",
    "index_mean.npy": "float32 (D,): the mean of the features, subtracted before normalising, for the index and "
                      "vectors.tsv.",
    "map.csv": "the 2-D UMAP map the Explorer draws: file, label, x, y per item.",
    "vectors.tsv": "the features centred (index_mean.npy subtracted), for the TensorBoard Projector; its cosine "
                   "neighbours are the app's.",
    "metadata.tsv": "one row per item for the Projector (file, label, and a text's sentence).",
    "sprite.png": "the items' thumbnails in one grid, for the Projector.",
    "projector_config.pbtxt": "the Projector's config: open this folder as a TensorBoard logdir, or load vectors.tsv "
                              "and metadata.tsv at projector.tensorflow.org.",
    "encoder.safetensors": "the encoder's weights.",
    "encoder.json": "what load_encoder.py needs to rebuild it: architecture, options, input side, and (for images) "
                    "how the dataset stored its pictures: side, fit, trim, depth.",
    "load_encoder.py": "a snippet that loads the encoder (needs torch, safetensors and this project's ssl_core) and, "
                       "for images, reads a new picture file as the dataset's were read (read_picture), so that its "
                       "features are comparable with embeddings.npy's.",
    "tokenizer.json": "the tokenizer a text encoder reads its input with.",
}
QUERY = """To find an item's neighbours as the app does:

    import faiss, numpy as np
    index = faiss.read_index("index.faiss")
    mean = np.load("index_mean.npy")
    query = np.load("embeddings.npy")[:1] - mean          # or an encoder's features of a new picture
    query /= np.linalg.norm(query, axis=1, keepdims=True)
    scores, rows = index.search(query.astype("float32"), 10)   # rows of embeddings.npy: first itself or a copy
"""


def readme(files: dict[str, bytes], encoder: str, dataset: str) -> bytes:
    """README.txt for an export holding `files`, made with `encoder` (its name as the app shows it) on `dataset`."""
    said = [f"{name}: {what}" for name, what in FILES.items() if name in files]
    said += [f"{name}: a file of this export." for name in files if name not in FILES]
    text = (f"Exported by SSL Lens: {encoder} on the dataset {dataset}. Every file's rows are the dataset's items in "
            f"one order.\n\n" + "\n".join(said) + "\n" + ("\n" + QUERY if "index.faiss" in files else ""))
    return text.encode()
