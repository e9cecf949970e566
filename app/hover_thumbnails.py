"""Thumbnails on hover for a plotly map: a small companion component (Streamlit custom
components v2, which run in the page itself, not in an iframe) that finds the chart by its
key and, while the mouse rests on a point, shows that point's image beside the cursor.

Plotly's own hover label holds text only; this adds the picture. The images travel as one
JPEG sprite (a grid of thumbnails) served as a Streamlit media file: a rerun sends only its
short URL and the shown rows (the point with row id `rows[i]`, carried in customdata as in
app/maps.py, has cell i), and the browser fetches the sprite once.
"""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st
from streamlit import runtime

from ssl_core.export import hover_sprite
from ssl_core.store import DatasetInfo, Workspace

HOVER_LIMIT = 10_000  # points whose thumbnail shows on hover (a larger sprite gets slow to send)
SHOWN_SIDE = 112  # px of the thumbnail beside the cursor

_JS = """
export default function (component) {
  const data = { ...component.data, slots: new Map(component.data.rows.map((row, slot) => [row, slot])) };
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
    const slot = current.slots.get(row);
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


@st.cache_resource(show_spinner=False, max_entries=16)
def _sprite(dataset_id: str, rows_key: str, _rows: np.ndarray, _ws: Workspace,
            _dataset: DatasetInfo) -> tuple[bytes, int]:
    """(`export.hover_sprite` of `_rows` (kept on disk), its column count),
    read once per dataset and rows (`rows_key`, their digest: hashing the rows themselves
    on every rerun cost a quarter of a second), not on every rerun."""
    cell = 48 if len(_rows) <= 4000 else 32
    return hover_sprite(_ws, _dataset, _rows, cell)


def hover_thumbnails(chart_key: str, ws: Workspace, dataset: DatasetInfo, rows: np.ndarray) -> None:
    """Mount next to `st.plotly_chart(..., key=chart_key)`: hovering one of the chart's
    points (row ids `rows` of `dataset`, at most HOVER_LIMIT of them) shows its thumbnail."""
    shown = np.asarray(rows[:HOVER_LIMIT], np.int64)
    rows_key = hashlib.sha256(shown.tobytes()).hexdigest()
    jpeg, columns = _sprite(dataset.id, rows_key, shown, ws, dataset)
    # Registered on every rerun, as st.image does, so the file lives while a session shows it;
    # the manager keeps one copy per content however many sessions show it. The URL is made
    # relative ("media/..."): pages sit one level below the app's base path, so it resolves
    # under a --server.baseUrlPath too.
    url = runtime.get_instance().media_file_mgr.add(jpeg, "image/jpeg", f"hover-sprite-{chart_key}")
    _COMPONENT(data={"chart": chart_key, "sprite": url.lstrip("/"), "columns": columns, "shown": SHOWN_SIDE,
                     "rows": shown.tolist()}, key=f"hover_{chart_key}")
