"""In a real browser: the Embedding Explorer draws a UMAP map of the demo shapes, hovering a
point shows its thumbnail, a box selection on it shows the selected images, and the Retrieval page answers a query with
neighbours and their cosine scores. Screenshots are kept."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import settled

pytestmark = pytest.mark.e2e

SLOW = 60_000
FIRST_MAP = 300_000  # ms: embedding + the first UMAP of the process (numba compiles it if no cache yet)


def test_map_box_selection_shows_the_selected_images(page, app_url, screenshot):
    page.get_by_role("heading", name="Datasets").wait_for(timeout=SLOW)  # demo data seeded
    page.goto(f"{app_url}/explorer?dataset=shapes")
    page.get_by_role("heading", name="Embedding Explorer").wait_for(timeout=SLOW)
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.wait_for(timeout=FIRST_MAP)
    plot = chart.locator(".js-plotly-plot")
    plot.locator(".scattergl, canvas").first.wait_for(state="attached", timeout=SLOW)
    assert plot.locator(".legendtext").count() == 5  # the hidden shape labels: circle, cross, square, star, triangle
    assert plot.locator(".layer-subplot .imagelayer image").count() >= 15  # thumbnails laid under the dots
    # hovering a point shows its thumbnail beside the cursor (the hover label has its name)
    page.wait_for_function("() => document.querySelector('.js-plotly-plot').sslHoverAttached === true",
                           timeout=SLOW)
    x, y = plot.evaluate(
        """gd => { const trace = gd._fullData[0], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
                   const box = gd.getBoundingClientRect();
                   return [xa.l2p(trace.x[0]) + xa._offset + box.left, ya.l2p(trace.y[0]) + ya._offset + box.top]; }""")
    page.mouse.move(x - 15, y - 15)
    page.mouse.move(x, y, steps=5)
    tip = page.locator("#ssl-hover-thumbnail")
    tip.wait_for(state="visible", timeout=SLOW)
    page.wait_for_function(  # the thumbnail of the point plotly's label names (hover events are throttled)
        """() => { const gd = document.querySelector('.js-plotly-plot'), hovered = gd._hoverdata[0].customdata;
                   const row = Array.isArray(hovered) ? hovered[0] : hovered;
                   return document.querySelector('#ssl-hover-thumbnail').dataset.row === String(row); }""",
        timeout=SLOW)
    sprite = tip.evaluate("t => t.style.backgroundImage")  # a media file, fetched once: reruns send only its URL
    assert sprite.startswith('url("media/') and sprite.endswith('.jpg")')
    served = page.request.get(f"{app_url}/{sprite[5:-2]}")
    assert served.ok and served.headers["content-type"] == "image/jpeg" and served.body()[:2] == b"\xff\xd8"
    screenshot(page, "explorer-map")

    # a click selects that one image, and "Find images like" opens it as the Retrieval query
    page.mouse.click(x, y)
    page.get_by_role("heading", name="1 selected image").wait_for(timeout=SLOW)
    find = page.get_by_role("button", name=re.compile(r"^Find images like #\d+$"))
    clicked = int(find.inner_text().rsplit("#", 1)[1])
    find.click()
    page.get_by_role("heading", name="Retrieval").wait_for(timeout=SLOW)
    query_caption = re.compile(r"^#%d \w+_%04d\.png \[\w+\]$" % (clicked, clicked))  # number, file, label
    page.get_by_text(query_caption).first.wait_for(timeout=SLOW)
    page.get_by_text(re.compile(r"^0\.\d{3} · ")).first.wait_for(timeout=SLOW)
    page.go_back()
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.wait_for(timeout=SLOW)
    plot = chart.locator(".js-plotly-plot")
    plot.locator(".scattergl, canvas").first.wait_for(state="attached", timeout=SLOW)
    page.mouse.move(5, 5)

    plot.hover()
    chart.locator("[data-title='Box Select']").click()
    area = plot.locator(".nsewdrag").first.bounding_box()
    x0, y0 = area["x"] + area["width"] * 0.05, area["y"] + area["height"] * 0.05
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] * 0.6, area["y"] + area["height"] * 0.6, steps=12)
    page.mouse.up()
    heading = page.get_by_role("heading", name=re.compile(r"^[\d,]+ selected images$"))
    heading.wait_for(timeout=SLOW)
    count = int(re.match(r"([\d,]+)", heading.inner_text()).group(1).replace(",", ""))
    assert count > 10
    mix = page.get_by_text(re.compile(rf"^Labels of these {count:,}: ")).inner_text(timeout=SLOW)
    counts = [part.rsplit(" ", 1) for part in mix.split(": ", 1)[1].rstrip(".").split(", ")]
    assert sum(int(n.replace(",", "")) for _, n in counts) == count, mix  # the selection by label, every image
    page.wait_for_function(  # the gallery of the selection, every thumbnail decoded
        "n => [...document.querySelectorAll(\"[data-testid='stImage'] img\")]"
        ".filter(img => img.complete && img.naturalWidth > 0).length >= n",
        arg=min(count, 60), timeout=SLOW)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "explorer-selection")
    assert count > 60  # a box over a third of the shapes: more than a page, and the rest one click away
    page.get_by_text(f"Images 1-60 of {count:,}, in dataset order; the pages above show the rest.").wait_for()
    page.locator("[data-testid='stPaginationNext']").click()
    page.get_by_text(f"Images 61-{min(count, 120)} of {count:,}, in dataset order").wait_for(timeout=SLOW)
    assert page.get_by_role("heading", name=f"{count:,} selected images").is_visible()  # the selection kept


def test_retrieval_query_shows_neighbours_with_scores(page, app_url, screenshot):
    page.get_by_role("heading", name="Datasets").wait_for(timeout=SLOW)
    page.goto(f"{app_url}/retrieval?dataset=shapes&encoder=untrained-small_cnn-48")  # not the newest run
    page.get_by_role("heading", name="Retrieval").wait_for(timeout=SLOW)
    page.get_by_text("#0 circle_0000.png [circle]", exact=True).wait_for(timeout=SLOW)  # the first query: image #0
    page.get_by_role("button", name="#5", exact=True).click(timeout=SLOW)
    page.get_by_text("#5 circle_0005.png [circle]", exact=True).wait_for(timeout=SLOW)  # the query is now image #5
    settled(page)  # else the scores read can be #0's, still drawn below
    page.get_by_text(re.compile(r"^0\.\d{3} · ")).first.wait_for(timeout=SLOW)
    page.wait_for_function(  # 24 candidates + the query + 12 neighbours + near-duplicate pairs, decoded
        "() => [...document.querySelectorAll(\"[data-testid='stImage'] img\")]"
        ".filter(img => img.complete && img.naturalWidth > 0).length >= 37", timeout=SLOW)
    scores = [float(t.split(" · ")[0]) for t in page.get_by_text(re.compile(r"^[01]\.\d{3} · ")).all_inner_texts()]
    assert len(scores) == 12 and scores == sorted(scores, reverse=True)
    page.get_by_role("heading", name="Near-duplicates").wait_for(timeout=SLOW)  # drawn after the neighbours
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "retrieval")
