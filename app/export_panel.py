"""The Explorer's Export section: the parts of an encoder's output a person takes elsewhere,
for image and text datasets alike (ssl_core/export.py asks each kind what it writes).

Data flow: the chosen source -> export.parts_for (an embedding set has no encoder) -> the
parts picked -> on "Prepare the download", export.export(...) -> one zip kept in the session
under a key of dataset, source, embedding time and parts -> a download button."""

from __future__ import annotations

import streamlit as st

from app.sources import embedding
from ssl_core import export
from ssl_core.embed import EncoderSource
from ssl_core.store import DatasetInfo, Workspace

KIND_SAYS = {"image": "file names", "text": "each sentence's file and line"}  # beside each vector in the tables
PROJECTOR_SHOWS = {"image": "vectors, metadata, sprite", "text": "vectors, and metadata with the sentences"}


def export_panel(ws: Workspace, dataset: DatasetInfo, source: EncoderSource) -> None:
    """The Export heading, the parts picker and the download of `source`'s output on `dataset`."""
    st.divider()
    st.subheader("Export")
    took = ("the encoder and what it made elsewhere: the encoder (safetensors + config + a loading snippet), "
            if source.has_network else "these vectors elsewhere: ")  # a review: a set was offered an encoder
    st.caption(f"Take {took}the embeddings (.npy, CSV and Parquet with {KIND_SAYS[dataset.kind]}), the FAISS index, "
               f"the 2-D map, and the TensorBoard Projector files ({PROJECTOR_SHOWS[dataset.kind]}).")
    offered = export.parts_for(source)  # an imported embedding set has no encoder to export
    parts = st.multiselect("Parts", offered, default=offered,
                           key="explore_export_parts" + ("" if source.has_network else "_set"))
    current = embedding(ws, dataset, source)  # already made by the page's map: a look-up
    bundle_key = f"explore_export_{dataset.id}_{source.key}_{current.made}_{'-'.join(parts)}"  # a new checkpoint: a new zip
    if st.button("Prepare the download", icon=":material/archive:", disabled=not parts):
        with st.spinner("Collecting the files..."):
            st.session_state[bundle_key] = export.to_zip(export.export(ws, current, parts))
    if bundle_key in st.session_state:
        st.download_button("Download zip", st.session_state[bundle_key], icon=":material/download:",
                           file_name=f"{dataset.name}-{source.key}.zip", mime="application/zip")
