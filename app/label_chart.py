"""The Data page's images per label, as a horizontal bar chart.

Data flow: {label: image count} -> a two-column table (label, images) -> st.vega_lite_chart
with a fixed Vega-Lite spec: the chart st.bar_chart(horizontal=True) draws (Streamlit 1.67,
with its zoom and pan), written out once instead of built as an Altair chart and validated
against the Vega-Lite schema on every rerun (43% of the Data page's script samples in py-spy).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json",
    "mark": {"type": "bar"},
    "encoding": {
        "tooltip": [{"field": "label", "type": "nominal"}, {"field": "images", "type": "quantitative"}],
        "x": {"axis": {"grid": True, "tickMinStep": 1}, "field": "images", "scale": {}, "title": "",
              "type": "quantitative"},
        "y": {"axis": {"grid": False}, "field": "label", "scale": {}, "title": "", "type": "ordinal"},
    },
    "params": [{"name": "param_1", "select": {"type": "interval", "encodings": ["x", "y"]}, "bind": "scales"}],
}


def label_chart(label_counts: dict[str, int]) -> None:
    """One bar per label (in the dict's order), as long as its image count."""
    table = pd.DataFrame({"label": list(label_counts), "images": list(label_counts.values())})
    height = min(40 + 24 * len(label_counts), 600)
    st.vega_lite_chart(table, {**SPEC, "height": height, "width": 0}, width="stretch", height=height)
