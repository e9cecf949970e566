"""Small drawing helpers shared by the pages.

The one escaping rule: every user-controlled string (file, dataset and run names, labels,
notes, messages that quote them) goes through `escape_markdown` before any Markdown-rendered
element (markdown, captions, alerts, widget labels and help, progress text, image captions;
also radio, pills and segmented-control options, tab labels and st.table cells) and through
`escape_plotly` before any plotly text (legend, hover, title, axis labels), and through
`escape_html` inside HTML the app writes itself (st.html: text and attribute values). Select box and
multiselect options and st.dataframe cells are plain text: escaping there shows backslashes
(measured in Chromium, Streamlit 1.67)."""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Callable, Sequence

import numpy as np
import streamlit as st
from PIL import Image

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")
# Streamlit links `www.`, `http://`, `x@y.z` and draws `:material/...:` icons even through
# backslash escapes and entities (measured in Chromium): an invisible word joiner breaks them.
_AUTOLINK_TRIGGER = re.compile(r"(?i)(?<=www)(?=\.)|(?=[:@])")
WORD_JOINER = "\u2060"


def escape_markdown(text: str) -> str:
    """`text` shown literally where Streamlit renders Markdown (captions, labels): Markdown
    punctuation backslash-escaped, a word joiner before every `:` and `@` and after `www`."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _AUTOLINK_TRIGGER.sub(WORD_JOINER, text))


def escape_plotly(text: str) -> str:
    """`text` shown literally in a plotly figure, whose text is a subset of HTML (`<a href>`,
    `<b>`, `<br>`, entities would be live)."""
    return html.escape(str(text), quote=False)


def escape_html(text: str) -> str:
    """`text` shown literally in HTML the app writes (st.html), as an element's text or a
    quoted attribute's value: tags, entities and quotes inert."""
    return html.escape(str(text), quote=True)


BREAK = "\u200b"  # a zero-width space: where a line may wrap, shown as nothing


def breakable(name: str) -> str:
    """A file name that a narrow cell or caption wraps at its joins, after each '_' or '-' and
    before its extension (BREAK), not mid-word ('astronau' / 't_012.png')."""
    for join in ("_", "-"):
        name = name.replace(join, join + BREAK)
    stem, dot, extension = name.rpartition(".")
    return f"{stem}{BREAK}.{extension}" if dot and stem else name


def human_bytes(count: int) -> str:
    """1536 -> '1.5 KB'."""
    units = ("B", "KB", "MB", "GB", "TB")
    value, unit = float(count), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    return f"{value:.0f} B" if unit == 0 else f"{value:.1f} {units[unit]}"


def short_name(name: str, limit: int = 24) -> str:
    """The file name without its folders, shortened in the middle: 'long…name.png'."""
    return shortened(name.rsplit("/", 1)[-1], limit)


def shortened(text: str, limit: int) -> str:
    """`text` of at most `limit` characters, cut in the middle: 'immuno…istry'. A caption
    under a narrow image breaks a long word anywhere; a cut one fits on its line."""
    if len(text) <= limit:
        return text
    keep = limit - 1
    return text[: keep - keep // 2] + "…" + text[-(keep // 2):]


def framed(images: np.ndarray | list[np.ndarray], grey: int = 200) -> list[np.ndarray]:
    """Images (H, W, 3) uint8 with a 1-pixel grey frame, so a white view does not vanish
    into the page."""
    return [np.pad(image, ((1, 1), (1, 1), (0, 0)), constant_values=grey) for image in images]


def png_uri(image: np.ndarray) -> str:
    """A (H, W, 3) uint8 image as a PNG data URI: `st.image` shows it as it is, without
    encoding, re-opening and storing it on every rerun, and the browser does not fetch it
    from the server one request per image."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


URI_LIMIT = 50_000  # data URIs kept per dataset (about 2 KB each at 32 px); past it the store starts again
_URIS: dict[tuple[str, bool], dict[int, str]] = {}  # (dataset id, framed) -> {row: data URI}, per server process


def thumbnail_uris(dataset_id: str, thumbnails: np.ndarray, rows: Sequence[int], frame: bool = False) -> list[str]:
    """`png_uri`s of `thumbnails[rows]` ((N, T, T, 3) uint8; `framed` if `frame`), each
    encoded once per server process and dataset (ids change when a dataset is replaced),
    not on every rerun of every session."""
    if len(_URIS) > 16:  # datasets replaced or deleted since: start again
        _URIS.clear()
    known = _URIS.setdefault((dataset_id, frame), {})
    if len(known) > URI_LIMIT:
        known.clear()
    uris = []
    for row in map(int, rows):
        if row not in known:
            known[row] = png_uri(framed([thumbnails[row]])[0] if frame else thumbnails[row])
        uris.append(known[row])
    return uris


def gallery(images: np.ndarray | Sequence[str], captions: list[str], width: int = 96) -> None:
    """A wrapping grid of (N, H, W, 3) uint8 images (or their `png_uri`s) with literal captions."""
    shown = [image if isinstance(image, str) else png_uri(image) for image in images]
    st.image(shown, caption=[escape_markdown(c) for c in captions], width=width)


def progress_bar(label: str) -> Callable[..., None]:
    """A Streamlit progress bar as a `(done, total)` callback, redrawn at most once per 1%
    unless the work's words change (or `redraw`: a script that waits on work elsewhere redraws
    it to give Streamlit a point to stop it): `(done, total, doing)` shows `doing` after `label`
    instead of the count. `label` and `doing` are shown literally."""
    label = escape_markdown(label)
    bar = st.progress(0.0, text=label)
    last = [(-1, "")]

    def update(done: float, total: int, doing: str = "", redraw: bool = False) -> None:
        shown = (int(100 * done / max(total, 1)), escape_markdown(doing) or f"{done:,} / {total:,}")
        if shown != last[0] or redraw:
            last[0] = shown
            bar.progress(shown[0] / 100, text=f"{label}: {shown[1]}")

    return update


def cancel_button(key: str, caption: str) -> None:
    """A Cancel button shown while long work runs, with `caption` below it: pressing it reruns
    the page, which stops the work at its next progress update (Streamlit's fast reruns; the
    status widget's Stop is hidden by toolbarMode "minimal"); `cancelled(key)` tells that run."""
    st.button("Cancel", key=key, icon=":material/cancel:")
    st.caption(caption)


def cancelled(key: str) -> bool:
    """Whether this run was started by pressing cancel_button `key`."""
    return bool(st.session_state.get(key))


VERDICT_BOXES = {"green": ("success", ":material/check_circle:"), "orange": ("warning", ":material/info:"),
                 "red": ("error", ":material/trending_down:")}  # a verdict's colour -> box, icon
WAITING_ICON = ":material/hourglass_empty:"  # an orange verdict on a run still queued or training: more may come


def verdict_box(colour: str, text: str, container=st, active: bool = False) -> None:
    """A verdict (ssl_core.evaluate.verdict) as a box of its colour, its sentence inside; an
    orange one on an `active` run (queued or training) has an hourglass, as it may yet change,
    and elsewhere (ended, not judged, collapsed, a checkpoint evaluated) a plain sign."""
    box, icon = VERDICT_BOXES[colour]
    getattr(container, box)(text, icon=WAITING_ICON if active and colour == "orange" else icon)


def kept_multiselect(container, label: str, options: list[str], key: str, default: list[str], fresh: bool = False,
                     **kwargs) -> list[str]:
    """A multiselect over `options` (keys that stay the same: `format_func` names them) whose
    choice is kept under its own session key, `default` until a person changes it (and again
    where `fresh`), less any option gone since. The widget's own state is its options' labels as
    the browser last sent them, stale once a label changes (a second run named alike makes both
    carry their time): a choice kept there was dropped, a select box's reset to its first option
    (walk 25)."""
    kept = f"{key}_kept"
    chosen = default if fresh else st.session_state.get(kept, default)
    st.session_state[key] = [option for option in chosen if option in options]
    st.session_state[kept] = st.session_state[key]
    return container.multiselect(label, options, key=key, on_change=_keep, args=(key, kept), **kwargs)


def _keep(key: str, kept: str) -> None:
    st.session_state[kept] = list(st.session_state[key])

