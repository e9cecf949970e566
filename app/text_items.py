"""How a page draws the items of a text dataset: sentences in a table (name, label, text)
where an image dataset has thumbnails. The texts are read once per dataset (cached)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ssl_core.data.text_ingest import load_texts
from ssl_core.store import DatasetInfo, Workspace


@st.cache_data(show_spinner=False, max_entries=4)
def dataset_texts(_ws: Workspace, dataset_id: str, info: DatasetInfo) -> list[str]:
    return load_texts(_ws, info)


def sentence_table(ws: Workspace, info: DatasetInfo, rows: list, start: int) -> None:
    """The sentences of `rows` (image_rows of a page, the first at `start`) in a table."""
    texts = dataset_texts(ws, info.id, info)
    st.dataframe(pd.DataFrame([{"#": start + i, "from": row["name"], "label": row["label"], "text": texts[start + i]}
                               for i, row in enumerate(rows)]),
                 hide_index=True, width="stretch", key=f"data_sentences_{info.id}",
                 placeholder="(none)")  # an unlabelled sentence, as the Explorer's legend says it (walk 13 read None)
