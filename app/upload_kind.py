"""Whether the files picked on the Data page come in as text, before they are imported: the
import's own rule (text_ingest.is_text_import) over their names, a zip's names read from its
directory without reading its members (walk 19: a zip of .txt files showed the image size box,
its side unused). Kept per picked upload in the session: a rerun reads no zip again."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ssl_core.data.sources import Candidate, zip_entries
from ssl_core.data.text_ingest import is_text_import

SAID = "_data_upload_is_text"  # session key: (the upload's file ids, whether it is text)


def _unread() -> bytes:
    raise RuntimeError("only names are looked at here")


def upload_is_text(files: Sequence) -> bool:
    """Whether Streamlit's uploaded `files` (with .name, .file_id, seekable) make a text import."""
    if not files:
        return False
    picked = tuple(f.file_id for f in files)
    said = st.session_state.get(SAID)
    if said and said[0] == picked:
        return said[1]
    entries = []
    for f in files:
        if f.name.lower().endswith(".zip"):
            entries += list(zip_entries(f, f.name))  # a zip that does not open is a rejection: no vote
            f.seek(0)
        else:
            entries.append(Candidate(f.name, f.name, _unread))
    text = is_text_import(entries)
    st.session_state[SAID] = (picked, text)
    return text
