""""Why is this a neighbour?": a query and one of its neighbours (Retrieval), or a positive
pair's two views (the Lab), with the encoder's maps laid over them (ssl_core.explain): for a
CNN, where each image holds its share of the pair's cosine; for a ViT, where the class
token looks, head by head."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st
from PIL import Image

from app import access
from app.sources import embedding, loaded_encoder
from app.widgets import escape_markdown, png_uri
from ssl_core import embed
from ssl_core.explain import Explanation, explain_images
from ssl_core.store import DatasetInfo, Workspace

SHOWN = 160  # px of each image shown
COARSE_CELLS = 3  # a map this few cells a side shows a region (walk 23: a 64 px ResNet-18, 2x2 cells: a red wash)


@st.cache_resource(show_spinner=False, max_entries=64)
def _explained(key: str, stamp: str, dataset_id: str, query_key: str, row: int, _ws: Workspace,
               _source: embed.EncoderSource, _dataset: DatasetInfo, _query: np.ndarray, _neighbour: np.ndarray,
               _centre: np.ndarray) -> Explanation:
    """explain_images of the query (digest `query_key`) and dataset row `row` through the
    source's encoder (checkpoint `stamp`), computed once, not on every rerun of the page:
    the panel's body runs even while its expander is closed."""
    encoder = loaded_encoder(key, stamp, dataset_id, _ws, _source, _dataset)
    return explain_images(encoder, _query, _neighbour, _source.image_size, _centre)


def overlay(image: np.ndarray, heat: np.ndarray) -> np.ndarray:
    """uint8 (S, S, 3) `image` at SHOWN px, in grey, with the positive part of `heat` (s, s)
    over it in red, scaled to its own maximum (darkened where the map is zero). Grey, so that
    a red object or background is not read as the map."""
    grey = Image.fromarray(image).convert("L").convert("RGB")
    big = np.asarray(grey.resize((SHOWN, SHOWN), Image.Resampling.BILINEAR), np.float32)
    positive = np.clip(heat, 0, None)
    level = positive / positive.max() if positive.max() > 0 else positive
    level = np.asarray(Image.fromarray(level.astype(np.float32)).resize((SHOWN, SHOWN), Image.Resampling.BILINEAR))
    red = np.array([255, 40, 40], np.float32)
    shown = big * (0.35 + 0.65 * level[:, :, None]) * (1 - 0.5 * level[:, :, None]) + red * 0.5 * level[:, :, None]
    return np.clip(shown, 0, 255).astype(np.uint8)


@st.cache_resource(show_spinner=False, max_entries=64)
def _overlaid(key: str, _result: Explanation, _query: np.ndarray, _neighbour: np.ndarray) -> list[list[str]]:
    """The pictures `_draw` shows for explanation `key` as PNG data URIs: a row of the two
    images (similarity) or a row of heads per image (attention), laid over and encoded once,
    not on every rerun (the panel's body runs while its expander is closed)."""
    if _result.kind == "similarity":
        return [[png_uri(overlay(_query, _result.first)), png_uri(overlay(_neighbour, _result.second))]]
    return [[png_uri(overlay(image, head)) for head in maps]
            for image, maps in ((_query, _result.first), (_neighbour, _result.second))]


def coarse_words(grid: tuple[int, int]) -> str:
    """A sentence where the similarity maps come from a feature map of COARSE_CELLS cells a side
    or fewer (`grid`: its (h, w)), else ''."""
    rows, cols = grid
    return (f" Its feature map is {rows}×{cols} cells at this side, so the red tells which part of the picture held "
            "the similarity, not which object." if 0 < max(rows, cols) <= COARSE_CELLS else "")


def _draw(result: Explanation, query: np.ndarray, neighbour: np.ndarray, captions: tuple[str, str], key: str) -> None:
    pictures = _overlaid(key, result, query, neighbour)
    if result.kind == "similarity":
        st.image(pictures[0], caption=[escape_markdown(c) for c in captions], width=SHOWN)
        st.caption(f"Cosine {result.cosine:.3f}. Red: where each image holds its share of that similarity "
                   f"(the shares over the encoder's feature map add up to the cosine; Stylianou et al. "
                   f"2019).{coarse_words(result.grid)}")
        return
    for heads, caption in zip(pictures, captions):
        st.image(heads, width=SHOWN // 4 * 3,
                 caption=[escape_markdown(f"{caption} · head {h + 1}") for h in range(len(heads))])
    st.caption(f"Cosine {result.cosine:.3f}. Red: where the class token looks in the last layer, one map per "
               "head, each summing to one (as in DINO's figures).")


def why_neighbour(ws: Workspace, dataset: DatasetInfo, source: embed.EncoderSource, query: np.ndarray,
                  neighbours: dict[int, str], images: np.ndarray, key: str) -> None:
    """An expander: pick one of `neighbours` ({row: caption}) and see `query` (S, S, 3)
    and that row of `images` through `source`'s encoder."""
    with st.expander("Why is this a neighbour?", icon=":material/visibility:"):
        _neighbour_panel(ws, dataset, source, query, neighbours, images, key)


@access.fragment  # not st.fragment: its reruns pass the sign-in too
def _neighbour_panel(ws: Workspace, dataset: DatasetInfo, source: embed.EncoderSource, query: np.ndarray,
                     neighbours: dict[int, str], images: np.ndarray, key: str) -> None:
    """The neighbour picker and its maps: another pick reruns this panel only."""
    row = st.selectbox("Neighbour", list(neighbours), format_func=neighbours.get,
                       key=f"{key}_row")
    if row is None:
        return
    stamp = str(embed.fingerprint(ws, dataset, source))
    query_key = hashlib.sha256(np.ascontiguousarray(query).tobytes()).hexdigest()
    centre = embedding(ws, dataset, source).mean  # the index compares centred features: the same cosine
    try:
        result = _explained(source.key, stamp, dataset.id, query_key, int(row), ws, source, dataset, query,
                            np.asarray(images[row]), centre)
    except NotImplementedError as exc:  # an imported network without a map to show
        st.info(str(exc))
        return
    _draw(result, query, np.asarray(images[row]), ("query", neighbours[row]),
          f"{source.key}/{stamp}/{dataset.id}/{query_key}/{int(row)}")


@st.cache_resource(show_spinner=False, max_entries=32)
def _explained_pair(key: str, _encoder, _view_a: np.ndarray, _view_b: np.ndarray) -> Explanation:
    return explain_images(_encoder, _view_a, _view_b, _view_a.shape[0])


def why_pair(encoder, view_a: np.ndarray, view_b: np.ndarray, captions: tuple[str, str], key: str) -> None:
    """Two views (s, s, 3) uint8 as `encoder` (an Encoder) saw them, with its maps over them;
    `key` names the encoder and the views: their maps are computed once per key."""
    try:
        result = _explained_pair(key, encoder, view_a, view_b)
    except NotImplementedError as exc:  # an imported network without a map to show
        st.info(str(exc))
        return
    _draw(result, view_a, view_b, captions, key)
