"""In a real browser: the app starts with demo data, a zip upload imports, the rejected
file is listed by name and the thumbnails of the new dataset appear."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from tests.e2e.conftest import settled

pytestmark = pytest.mark.e2e


def make_zip(path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(6):
            buffer = io.BytesIO()
            Image.new("RGB", (40, 30), (40 * i, 200 - 30 * i, 90)).save(buffer, "PNG")
            zf.writestr(f"tiles/tile_{i}.png", buffer.getvalue())
        zf.writestr("tiles/readme.jpg", b"not really a jpeg")


def test_upload_zip_and_see_thumbnails(page, tmp_path, screenshot):
    page.get_by_role("heading", name="Datasets").wait_for(timeout=60_000)  # the demo data seeded on first start
    settled(page)  # no rerun to replace the uploader given the file

    page.get_by_text("Add a dataset").click()
    archive = tmp_path / "tiles.zip"
    make_zip(archive)
    images = page.locator("[data-testid='stFileUploader']").filter(has_text="Images or zip archives")
    images.locator("input[type='file']").set_input_files(str(archive))  # not the labels' uploader below it
    page.get_by_text("tiles.zip").first.wait_for()
    name = page.get_by_role("textbox", name="Dataset name (optional)")
    name.fill("tiles")
    name.press("Enter")
    page.get_by_role("button", name="Import upload").click()

    page.get_by_text("Imported 6 images as dataset tiles").wait_for()
    page.get_by_text("tiles.zip/tiles/readme.jpg").first.wait_for(state="attached")  # grid cell
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"[data-testid='stImage'] img\")]"
        ".filter(img => img.complete && img.naturalWidth > 0).length == 6"
    )
    assert page.get_by_text("tile_0.png").first.is_visible()
    screenshot(page, "data-page-after-upload")


def test_a_long_import_is_cancelled_in_the_page_and_stores_nothing(page, tmp_path):
    """Twenty 36-megapixel PNGs take tens of seconds to decode; Cancel beside the progress bar
    stops the import (the status widget's Stop is hidden by toolbarMode "minimal", and the
    page used to point at it), says so, and no dataset of that name appears."""
    buffer = io.BytesIO()
    Image.new("RGB", (6000, 6000), (30, 140, 200)).save(buffer, "PNG", compress_level=1)
    archive = tmp_path / "slow.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(20):
            zf.writestr(f"big_{i}.png", buffer.getvalue())
    page.get_by_role("heading", name="Datasets").wait_for(timeout=60_000)
    settled(page)
    page.get_by_text("Add a dataset").click()
    images = page.locator("[data-testid='stFileUploader']").filter(has_text="Images or zip archives")
    images.locator("input[type='file']").set_input_files(str(archive))
    page.get_by_text("slow.zip").first.wait_for()
    name = page.get_by_role("textbox", name="Dataset name (optional)")
    name.fill("slowset")
    name.press("Enter")
    page.get_by_role("button", name="Import upload").click()

    page.get_by_text("Decoding: 1 / 20").wait_for(timeout=60_000)
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("Import cancelled: nothing was stored.").wait_for()
    page.reload()
    page.get_by_role("heading", name="Datasets").wait_for(timeout=60_000)
    settled(page)
    assert page.get_by_text("slowset", exact=True).count() == 0
    assert page.get_by_text("Imported").count() == 0
