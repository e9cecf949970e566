"""The Data page's images per label, as horizontal bars in plain HTML.

Data flow: {label: image count} -> one row per label (its name, a bar as long as its share of
the largest count, the count written out) -> one `st.html` block. Not a Vega-Lite chart: the
Data page is where a visitor lands, and a Vega-Lite chart on it, even in a closed expander,
made every new browser session fetch and compile Streamlit's Vega bundle (0.77 MB of
scripts) for bars that need no zoom. Chromium's CPU for a first load of Data in a new browser
context here (bench/serve.py's "browser/fresh" column measures the same), medians of 12
alternating loads: 5.16 s with the Vega chart, 4.64 s with these bars. The counts are now
written on the bars, where the chart showed them on hover only.
"""

from __future__ import annotations

import streamlit as st

from app.widgets import escape_html

ROW_PX = 22  # one label's row
MAX_PX = 600  # taller lists scroll inside the block
BAR_COLOUR = "#0068c9"  # Streamlit's own chart blue, as the bars were drawn before


def label_bars_html(label_counts: dict[str, int]) -> str:
    """One row per label, in the dict's order: the label (escaped, shortened with an
    ellipsis when long, whole on hover), a bar of width count / largest count, the count."""
    largest = max(label_counts.values(), default=0) or 1
    rows = "".join(
        f'<span title="{escape_html(label)}" style="overflow:hidden;text-overflow:ellipsis;white-space:nowrap;'
        f'text-align:right">{escape_html(label)}</span>'
        f'<span style="display:flex;align-items:center;gap:6px">'
        f'<span style="display:inline-block;height:14px;width:{100 * count / largest:.1f}%;min-width:1px;'
        f'background:{BAR_COLOUR};border-radius:2px"></span>'
        f'<span style="font-variant-numeric:tabular-nums">{count:,}</span></span>'
        for label, count in label_counts.items())
    return (f'<div role="figure" aria-label="images per label" style="display:grid;grid-template-columns:'
            f'fit-content(40%) 1fr;grid-auto-rows:{ROW_PX}px;align-items:center;column-gap:8px;'
            f'max-height:{MAX_PX}px;overflow-y:auto;font-size:14px">{rows}</div>')


def label_chart(label_counts: dict[str, int]) -> None:
    """One bar per label (in the dict's order), as long as its image count."""
    st.html(label_bars_html(label_counts))
