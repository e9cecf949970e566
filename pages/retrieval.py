"""Retrieval: the images an encoder finds most similar to a query (one of the dataset's or
an upload), for one encoder or two side by side; and near-duplicate pairs."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app.collapse_note import collapse_note, one_direction_note
from app.current import pick_dataset
from app.dataset_rows import image_rows
from app.label_hits import by_chance, shared_label
from app.loners import loner_panel
from app.near_duplicates import near_duplicate_panel
from app.sources import embedding, loaded_encoder, pick_source, source_name
from app.state import workspace
from app.text_search import INTRO as TEXT_SEARCH_INTRO
from app.text_search import sentence_search
from app.why_neighbour import why_neighbour
from app.widgets import breakable, escape_markdown, framed, gallery, png_uri, short_name, shortened, thumbnail_uris
from ssl_core import embed, index
from ssl_core.data.decode import RejectedFile, as_stored

PICK_PAGE = 24  # query candidates per page
ALL_ALIKE = 0.9995  # neighbours at or above it all show as 1.000
QUERY = "retrieval_query"  # session key: row id of the query image picked from the dataset
UPLOAD_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif"]

ws = workspace()
st.title("Retrieval")
intro = st.empty()  # its words are the picked dataset's kind's

top = st.columns([1.5, 2, 2, 1])  # a dataset's name beside its clear and open icons
dataset = pick_dataset(top[0], ws, "retrieval_dataset")
intro.caption(TEXT_SEARCH_INTRO if dataset.kind == "text" else
              "Pick an image: the encoder returns the images whose features point the same way "
              "(cosine similarity, 1 = identical direction). Compare two encoders on the same query "
              "to see what training changed.")
source = pick_source(top[1], ws, dataset, "Encoder", "retrieval_source")
other = None
compare_key = f"retrieval_compare_{source.key}"  # per encoder: one with a twin of its own (a run, an import:
st.session_state.setdefault(compare_key, embed.baseline_of(source) != source)  # walk 23) starts compared
if top[2].toggle("Compare with a second encoder", key=compare_key):
    other = pick_source(top[2], ws, dataset, "Second encoder", "retrieval_other", other_than=source,
                        help="By default the first encoder's untrained twin: the baseline.")
    if other == source:  # shown once (pick_source says so): a second column would repeat its widgets' keys
        other = None
st.session_state.setdefault("retrieval_k", 12)  # kept across pages (app.current.KEPT)
k = int(top[3].number_input("Neighbours", 1, 100, key="retrieval_k"))
if dataset.kind == "text":  # a typed sentence and its nearest sentences (app/text_search.py)
    sentence_search(ws, dataset, [source] if other is None else [source, other], k)
    st.stop()
collapsed = collapse_note(ws, source.run_id, source_name(ws, source, dataset), "its neighbours and near-duplicates")

rows = image_rows(ws, dataset)  # read once per dataset, not per rerun
names = [row["name"] for row in rows]
labels = [row["label"] for row in rows]  # None where an image has none
thumbnails = ws.thumbnails(dataset)
images = ws.images(dataset)  # memory-mapped once a rerun
if QUERY not in st.session_state or st.session_state[QUERY] >= len(names):
    st.session_state[QUERY] = 0


def set_query(row: int) -> None:
    st.session_state[QUERY] = int(row)

pick_tab, upload_tab = st.tabs(["Pick from the dataset", "Upload an image"])
with upload_tab:
    upload = st.file_uploader("An image of your own", type=UPLOAD_TYPES, key="retrieval_upload",
                              help="Embedded on the fly with the same encoder; it is not added to the dataset.")
with pick_tab:
    label_names = sorted({label for label in labels if label})  # no label box on an unlabelled set (walk 20)
    find = st.columns([1, 2, 2, 1] if label_names else [1, 3, 1])
    st.session_state["retrieval_number"] = st.session_state[QUERY]  # the number shows the query, however picked
    find[0].number_input("Image #", 0, len(names) - 1, key="retrieval_number",
                         on_change=lambda: set_query(st.session_state["retrieval_number"]),
                         help="Type an image's number (the Data page and the Explorer show them).")
    typed = find[1].text_input("File name contains", key="retrieval_search",
                               placeholder=f"e.g. {short_name(names[0], 16).rsplit('.', 1)[0]}")
    wanted = find[2].selectbox("Label", label_names, index=None, key="retrieval_label",
                               placeholder="any label") if label_names else None
    candidates = [row for row, name in enumerate(names) if typed.lower() in name.lower()
                  and (wanted is None or labels[row] == wanted)]
    pages = max(1, -(-len(candidates) // PICK_PAGE))
    page = int(find[-1].number_input(f"Page (of {pages})", 1, pages, 1, key=f"retrieval_page_{typed}_{wanted}")) - 1
    if not candidates:
        st.info("No image's file name and label match: change the search or the label." if label_names else
                "No image's file name matches: change the search.")
    st.caption(f"{len(candidates):,} of {len(names):,} images match." if typed or wanted else
               "Click a number to query with that image.")
    cells = st.columns(8)
    page_rows = candidates[page * PICK_PAGE : (page + 1) * PICK_PAGE]
    for slot, (row, uri) in enumerate(zip(page_rows, thumbnail_uris(dataset.id, thumbnails, page_rows, frame=True))):
        with cells[slot % 8]:
            st.image(uri, width="stretch")
            st.button(f"#{row}", key=f"retrieval_pick_{row}", on_click=set_query, args=(row,),
                      help=escape_markdown(f"Query with {short_name(names[row])}" + (f" [{labels[row]}]" if labels[row] else "")),
                      type="primary" if row == st.session_state[QUERY] else "secondary")


@st.cache_resource(show_spinner="Loading the index...", max_entries=8)
def _index(folder: str, made: float, _emb: embed.Embedding):
    """The embedding's FAISS index, read (and checked) once per embedding, not on every rerun;
    FAISS searches one index from several sessions safely."""
    return index.load_or_build(_emb)


def neighbours(shown: embed.EncoderSource) -> tuple[np.ndarray, np.ndarray]:
    """(scores (k,), row ids (k,)) of the query's nearest images, the query itself left out."""
    emb = embedding(ws, dataset, shown)
    if query_row is not None:
        query = emb.vectors[query_row : query_row + 1]
    else:
        # loaded once per checkpoint: an untrained twin's BatchNorm statistics are estimated on 512 images
        encoder = loaded_encoder(shown.key, str(embed.fingerprint(ws, dataset, shown)), dataset.id, ws, shown, dataset)
        query = emb.centre(embed.compute_features(encoder, query_image[None], shown.image_size))
    scores, ids = index.search(_index(str(emb.folder), emb.made, emb), query, k + 1)
    keep = (ids[0] >= 0) & (ids[0] != (query_row if query_row is not None else -1))
    return scores[0][keep][:k], ids[0][keep][:k]


query_image, query_row = None, None
if upload is not None:
    try:
        query_image = as_stored(upload.getvalue(), dataset)
        query_name = upload.name
        if source.has_network:  # one of the dataset's own pictures, as stored: queried as that picture (walk 21)
            query_row = index.stored_copy(lambda i: bytes(images[i]) == query_image.tobytes(), *neighbours(source))
    except RejectedFile as exc:
        st.error(f"{escape_markdown(upload.name)} cannot be used: {escape_markdown(str(exc))}. The query below "
                 f"is the dataset's image #{int(st.session_state[QUERY])}, the one picked on the first tab, until "
                 "another image is uploaded.")
if query_image is None:
    query_row = int(st.session_state[QUERY])
    query_image, query_name = np.asarray(images[query_row]), names[query_row]
elif query_row is not None:
    st.info(f"{escape_markdown(query_name)} is the dataset's image #{query_row} as stored "
            f"({escape_markdown(short_name(names[query_row], 60))}): its neighbours leave it out, as they leave out "
            "a picked image.", icon=":material/content_copy:")

query_label = labels[query_row] if query_row is not None else None
st.subheader("Query")
st.image(png_uri(framed(query_image[None])[0]), width=128)
st.caption(escape_markdown((f"#{query_row} " if query_row is not None else "") + short_name(query_name, 60)
                           + (f" [{query_label}]" if query_label else "")))  # a line of its own: no word broken


columns = st.columns(2 if other is not None else 1)
for column, shown in zip(columns, [source, other] if other is not None else [source]):
    with column:
        st.markdown(f"**{escape_markdown(source_name(ws, shown, dataset))}**")
        if query_row is None and not shown.has_network:
            st.info("An imported embedding set has vectors for the dataset's images only: it cannot embed an "
                    "upload. Pick a query from the dataset.")
            continue
        scores, ids = neighbours(shown)
        if len(scores) > 1 and scores.min() >= ALL_ALIKE:  # walk 23: a collapsed run's neighbours, all "1.000", unsaid
            st.warning(f"All {len(scores)} score 1.000 (rounded): the encoder gives them the query's own direction, "
                       "so their order says nothing, and unless they are copies of it, it does not tell them apart. "
                       "A collapsed embedding does this for every query (the Train page's collapse monitor shows it).",
                       icon=":material/warning:")
        elif not (collapsed and shown == source):  # the collapse note above says more of the same
            one_direction_note(embedding(ws, dataset, shown), source_name(ws, shown, dataset),
                               "its scores below" + (" and its near-duplicate pairs" if shown == source else ""))
        if query_label:  # plain evidence: how many neighbours show what the query shows
            st.markdown(shared_label(labels, query_label, ids))
            if chance := by_chance(labels, query_label, ids, query_row):
                st.caption(chance)
        gallery(thumbnail_uris(dataset.id, thumbnails, ids),  # 14 characters fill a line of a 112 px caption
                [f"{s:.3f} · " + (f"{shortened(labels[i], 14)} · " if labels[i] else "")
                 + breakable(short_name(names[i], 24)) for s, i in zip(scores, ids)], width=112)
        if shown.has_network:  # an embedding set has no network to explain
            why_neighbour(ws, dataset, shown, query_image, {int(i): f"#{i} {short_name(names[i], 24)}" for i in ids},
                          images, f"why_{shown.key}")



st.divider()
st.subheader("Near-duplicates")
st.caption("Pairs of images whose features are almost the same direction under the chosen encoder: "  # walk 26:
           "copies, crops and re-encodings of one picture usually are, and under an encoder that groups pictures "
           "by what they show, two of one kind can be.")  # 30 pairs of different house drawings
near_duplicate_panel(embedding(ws, dataset, source), dataset.id, names, thumbnails, labels, images)

st.divider()
st.subheader("Least like any other")
loner_panel(embedding(ws, dataset, source), dataset.id, names, thumbnails)
