"""The app's own files in assets/: every one the code names exists and is a valid image
(SVGs parse as XML with a <title> for screen readers; the favicon is a square PNG), and
no file there is unused."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

from app.state import ASSETS

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def named_in_code() -> set[str]:
    text = "".join(path.read_text() for folder in ("app", "pages") for path in (ROOT / folder).glob("*.py"))
    return set(re.findall(r'"([\w-]+\.(?:svg|png))"', text))


def test_every_asset_named_in_the_code_exists_and_every_file_is_used():
    named = named_in_code()
    assert {"favicon.png", "logo.svg", "icon.svg", "pretext_task.svg"} <= named
    assert named == {path.name for path in ASSETS.iterdir() if path.is_file()}


def test_assets_are_valid_images():
    for path in ASSETS.glob("*.svg"):
        root = ET.parse(path).getroot()
        assert root.tag == f"{SVG}svg" and root.find(f"{SVG}title").text.strip(), path.name
    with Image.open(ASSETS / "favicon.png") as icon:
        assert icon.format == "PNG" and icon.size[0] == icon.size[1] >= 32
