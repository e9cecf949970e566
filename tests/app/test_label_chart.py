"""The Data page's images per label: plain HTML bars (no Vega-Lite bundle on the landing
page), one per label in order, as long as its share of the largest count, the count written
out, names inert."""

from __future__ import annotations

import re

from app.label_chart import label_bars_html


def bar_widths(html: str) -> list[float]:
    return [float(w) for w in re.findall(r"height:14px;width:([0-9.]+)%", html)]


def test_one_bar_per_label_in_order_as_long_as_its_share_of_the_largest():
    html = label_bars_html({"cat": 50, "dog": 200, "bird": 1})
    assert bar_widths(html) == [25.0, 100.0, 0.5]
    assert [m for m in re.findall(r'title="([^"]*)"', html)] == ["cat", "dog", "bird"]
    assert re.findall(r"tabular-nums\">([0-9,]+)<", html) == ["50", "200", "1"]


def test_counts_are_written_with_thousands_separators_and_names_are_inert():
    html = label_bars_html({'<img src=x onerror="alert(1)">': 12345})
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "12,345" in html


def test_no_labels_and_zero_counts_draw_without_dividing_by_zero():
    assert bar_widths(label_bars_html({})) == []
    assert bar_widths(label_bars_html({"empty": 0})) == [0.0]
