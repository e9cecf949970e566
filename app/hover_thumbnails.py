"""Thumbnails on hover for a plotly map: a small companion component (Streamlit custom
components v2, which run in the page itself, not in an iframe) that finds the chart by its
key and, while the mouse rests on a point, shows that point's image beside the cursor.

Plotly's own hover label holds text only; this adds the picture. The images travel once
per rerun as one JPEG sprite (a grid of thumbnails) and each point's cell in it, looked up
through the row id every point carries in customdata (see app/maps.py).
"""

from __future__ import annotations

import base64

import numpy as np
import streamlit as st

from ssl_core.export import hover_sprite
from ssl_core.store import DatasetInfo, Workspace

HOVER_LIMIT = 10_000  # points whose thumbnail shows on hover (a larger sprite gets slow to send)
SHOWN_SIDE = 112  # px of the thumbnail beside the cursor

_JS = """
export default function (component) {
  const { data } = component;
  let tip = document.getElementById("ssl-hover-thumbnail");
  if (!tip) {
    tip = document.createElement("div");
    tip.id = "ssl-hover-thumbnail";
    tip.style.cssText = "position:fixed;display:none;pointer-events:none;z-index:1000;" +
      "border:2px solid #fff;border-radius:4px;box-shadow:0 2px 10px rgba(0,0,0,.35);" +
      "background-repeat:no-repeat;image-rendering:auto";
    document.body.appendChild(tip);
  }
  const selector = ".st-key-" + data.chart.replace(/[^a-zA-Z0-9_-]/g, "-") + " .js-plotly-plot";
  const show = (plot, event) => {
    const current = plot.sslHover;
    const point = event.points && event.points[0];
    if (!point || !current) return;
    const row = Array.isArray(point.customdata) ? point.customdata[0] : point.customdata;
    const slot = current.slots[row];
    if (slot === undefined) return;
    const column = slot % current.columns, line = Math.floor(slot / current.columns);
    tip.style.width = tip.style.height = current.shown + "px";
    tip.style.backgroundImage = "url(" + current.sprite + ")";
    tip.style.backgroundSize = (current.columns * current.shown) + "px auto";
    tip.style.backgroundPosition = (-column * current.shown) + "px " + (-line * current.shown) + "px";
    const [x, y] = plot.sslMouse || [0, 0];
    tip.style.left = Math.min(x + 18, window.innerWidth - current.shown - 8) + "px";
    tip.style.top = Math.max(y - current.shown - 18, 8) + "px";
    tip.dataset.row = row;
    tip.style.display = "block";
  };
  const attach = () => {
    const plot = document.querySelector(selector);
    if (!plot || typeof plot.on !== "function") return;
    plot.sslHover = data;
    if (plot.sslHoverAttached) return;
    plot.sslHoverAttached = true;
    plot.addEventListener("mousemove", (e) => { plot.sslMouse = [e.clientX, e.clientY]; });
    plot.on("plotly_hover", (event) => show(plot, event));
    plot.on("plotly_unhover", () => { tip.style.display = "none"; });
  };
  attach();
  const timer = setInterval(attach, 400);  // the chart may be drawn, or redrawn, after this runs
  return () => { clearInterval(timer); tip.style.display = "none"; };
}
"""

_COMPONENT = st.components.v2.component("ssl_lens_hover_thumbnails", html="<span></span>", js=_JS)


@st.cache_data(show_spinner=False, max_entries=8)
def _sprite(dataset_id: str, rows: tuple[int, ...], cell: int, _ws: Workspace,
            _dataset: DatasetInfo) -> tuple[str, int]:
    """`export.hover_sprite` of `rows` (kept on disk) as a data URI, and its column count;
    cached by dataset and rows."""
    jpeg, columns = hover_sprite(_ws, _dataset, rows, cell)
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode(), columns


def hover_thumbnails(chart_key: str, ws: Workspace, dataset: DatasetInfo, rows: np.ndarray) -> None:
    """Mount next to `st.plotly_chart(..., key=chart_key)`: hovering one of the chart's
    points (row ids `rows` of `dataset`, at most HOVER_LIMIT of them) shows its thumbnail."""
    shown = tuple(int(r) for r in rows[:HOVER_LIMIT])
    cell = 48 if len(shown) <= 4000 else 32
    sprite, columns = _sprite(dataset.id, shown, cell, ws, dataset)
    _COMPONENT(data={"chart": chart_key, "sprite": sprite, "cell": cell, "columns": columns, "shown": SHOWN_SIDE,
                     "slots": {row: slot for slot, row in enumerate(shown)}}, key=f"hover_{chart_key}")
