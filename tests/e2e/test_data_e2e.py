"""In a real browser: the app starts with demo data, a zip upload imports, the rejected
file is listed by name and the thumbnails of the new dataset appear."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

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

    page.get_by_text("Add a dataset").click()
    archive = tmp_path / "tiles.zip"
    make_zip(archive)
    images = page.locator("[data-testid='stFileUploader']").filter(has_text="Images or zip archives")
    images.locator("input[type='file']").set_input_files(str(archive))  # not the labels' uploader below it
    page.get_by_text("tiles.zip").first.wait_for()
    name = page.get_by_label("Dataset name")
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
