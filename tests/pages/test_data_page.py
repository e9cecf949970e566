"""AppTest of the Data page: demo data on first start, upload with a rejected file,
built-in import, folder import (only inside the data roots), gallery paging and delete
with confirmation."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from app.widgets import breakable, escape_markdown
from ssl_core.store import Workspace

RUN_TIMEOUT = 120
MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("SSL_WORKSPACE", str(tmp_path / "ws"))
    at = AppTest.from_file(str(MAIN), default_timeout=RUN_TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def png_bytes(colour: tuple[int, int, int], size=(20, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def names_in_table(at: AppTest) -> list[str]:
    table = next(df.value for df in at.dataframe if "holds" in df.value.columns)
    return list(table["name"])


def test_first_start_shows_demo_datasets_and_gallery(app):
    assert names_in_table(app) == ["shapes", "digits", "docstrings"]
    table = next(df.value for df in app.dataframe if "holds" in df.value.columns)
    assert list(table["holds"]) == ["images", "images", "sentences"]  # a text dataset's count is not of images
    assert app.selectbox(key="data_selected").value is None  # nothing is shown for a dataset nobody picked
    assert not app.image and not app.metric
    app.selectbox(key="data_selected").set_value("shapes").run()
    assert app.query_params["dataset"] in ("shapes", ["shapes"])  # the link to this view
    assert app.selectbox(key="sidebar_dataset").value == "shapes"
    assert [m.value for m in app.metric][:2] == ["2,000", "64 px"]
    gallery = app.image[0]
    assert len(gallery.value) == 60  # one page of the gallery
    assert gallery.captions[:2] == [escape_markdown(breakable(f"{name}.png")) + rf" \[{label}\]"  # wraps at its joins
                                    for name, label in (("circle_0000", "circle"), ("square_0001", "square"))]
    app.segmented_control(key="data_grid_view").set_value("What training sees").run()  # the stored centre squares
    squares = app.image[0]
    assert len(squares.value) == 60 and squares.captions == gallery.captions and squares.value != gallery.value
    assert ("The centre square of each picture at the stored 64 px: what every page starts from, and training's views "
            "and the maps may resize it again, to the side their encoder reads. Every picture here is "
            "square: none of it is cut.") in [c.value for c in app.caption]


def test_what_training_sees_says_how_much_of_the_pictures_their_centre_squares_cut(app):
    """Walk 31: a timestamp in the corner of 4:3 pictures was cut from most of them, unsaid."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for i, size in enumerate([(40, 30), (40, 30), (60, 30), (30, 30)]):
            zf.writestr(f"p{i}.png", png_bytes((60 * i, 90, 0), size))
    app.segmented_control(key="data_source").set_value("Upload files").run()
    app.file_uploader[0].set_value([("cams.zip", archive.getvalue(), "application/zip")]).run()
    next(b for b in app.button if b.label == "Import upload").click().run()
    app.selectbox(key="data_selected").set_value("cams").run()
    app.segmented_control(key="data_grid_view").set_value("What training sees").run()
    assert not app.exception, app.exception
    assert ("3 of 4 pictures here are not square: the ends of their long sides are cut away, 33% of a picture on "
            "average and 50% of the most cut (import them as 'Whole picture, padded' to keep them whole)."
            ) in " ".join(c.value for c in app.caption)


def test_upload_zip_imports_good_files_and_lists_the_bad_one(app, tmp_path):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for i, colour in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255)]):
            zf.writestr(f"set/{'red green blue'.split()[i]}/{i}.png", png_bytes(colour))
        zf.writestr("set/blue/notes.jpg", b"this is not an image")
    app.segmented_control(key="data_source").set_value("Upload files").run()
    app.file_uploader[0].set_value([("pics.zip", archive.getvalue(), "application/zip")]).run()
    assert app.text_input(key="data_upload_name").placeholder == "pics"  # no name: the zip's (walk 10: "uploaded")
    next(b for b in app.button if b.label == "Import upload").click().run()
    assert not app.exception, app.exception
    assert "Imported **3** images" in app.success[0].value
    # walk 20 read "8 files rejected:" over the table as an empty box
    assert [e.value for e in app.error] == ["1 file was rejected, named with its reason in the table below; the rest "
                                            "was imported."]
    rejected = app.dataframe[0].value
    assert list(rejected["file"]) == ["pics.zip/set/blue/notes.jpg"]
    assert "not a supported image" in rejected["reason"][0]
    assert "pics" in names_in_table(app)
    assert app.selectbox(key="data_selected").value == "pics"
    assert app.metric[2].value == "3"  # classes from the subfolders red, green, blue
    warned = [escape_markdown(said) for said in app.session_state["data_last_report"]["warnings"]]
    assert any("smaller than the stored side" in said for said in warned)  # pictures of 20x30 stored at 64 px
    del app.session_state["data_last_report"]  # pages/data.py REPORT_KEY: another page visited, the report gone
    app.run()
    kept = next(e for e in app.expander if e.label.startswith("At import"))  # walk 13: what it said stays
    assert kept.label == f"At import: 1 file rejected, {len(warned)} warnings"
    assert [w.value for w in kept.warning] == warned and list(kept.dataframe[0].value["file"]) == list(rejected["file"])


def test_pictures_with_captions_are_pictures_and_sentences_are_counted_as_sentences(app):
    """Three pictures, their three .txt captions and a labels.csv were imported as 'Imported 3
    images' that were three sentences, every picture rejected as 'not a text file'."""
    from ssl_core.data.ingest import TEXT_AMONG_IMAGES

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for i, colour in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255)]):
            zf.writestr(f"img{i}.png", png_bytes(colour))
            zf.writestr(f"img{i}.txt", f"a picture of colour {i}")
        zf.writestr("labels.csv", "filename,label\nimg0.png,red\nimg1.png,green\nimg2.png,blue\n")
    app.segmented_control(key="data_source").set_value("Upload files").run()
    app.file_uploader[0].set_value([("captioned.zip", archive.getvalue(), "application/zip")])
    app.text_input(key="data_upload_name").set_value("captioned").run()
    next(b for b in app.button if b.label == "Import upload").click().run()
    assert not app.exception, app.exception
    assert app.success[0].value == ("Imported **3** images as dataset **captioned** (3 with labels, from "
                                    f"{escape_markdown('captioned.zip/labels.csv')}).")  # where from (walk 18)
    rejected = app.dataframe[0].value
    assert list(rejected["file"]) == [f"captioned.zip/img{i}.txt" for i in range(3)]
    assert set(rejected["reason"]) == {TEXT_AMONG_IMAGES}
    assert [box.label for box in app.selectbox if box.key == "data_stored_size"] == ["Stored size (px)"]
    app.file_uploader[0].set_value([("notes.txt", b"one sentence\nanother one\n", "text/plain")])
    app.text_input(key="data_upload_name").set_value("notes").run()
    assert not [box for box in app.selectbox if box.key == "data_stored_size"]  # text has no image side
    assert any("no image side to choose" in c.value for c in app.caption)
    next(b for b in app.button if b.label == "Import upload").click().run()
    assert app.success[0].value == "Imported **2** sentences as dataset **notes**."  # it said "2 images"
    texts = io.BytesIO()
    with zipfile.ZipFile(texts, "w") as zf:  # walk 19: a zip of .txt files showed the image size box
        for folder in ("recipe", "sports"):
            zf.writestr(f"{folder}/a.txt", f"one {folder} line\nanother\n")
    app.file_uploader[0].set_value([("texts.zip", texts.getvalue(), "application/zip")])
    app.text_input(key="data_upload_name").set_value("texts").run()
    assert not [box for box in app.selectbox if box.key == "data_stored_size"]
    app.file_uploader[0].set_value([("captioned.zip", archive.getvalue(), "application/zip")]).run()
    assert [box.label for box in app.selectbox if box.key == "data_stored_size"] == ["Stored size (px)"]


def test_an_upload_of_only_an_os_file_says_what_it_is_once(app):
    """Walk 15: 'Nothing was imported: no image could be imported: no files were given' for a lone .DS_Store."""
    app.file_uploader[0].set_value([(".DS_Store", b"\x00\x00\x00\x01Bud1", "application/octet-stream")])
    app.text_input(key="data_upload_name").set_value("mac").run()
    next(b for b in app.button if b.label == "Import upload").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [escape_markdown(
        "No image could be imported: the only file given (.DS_Store) is what the operating system adds to folders, "
        "skipped unread")]


def test_builtin_import_and_folder_import(app, tmp_path, monkeypatch):
    app.segmented_control(key="data_source").set_value("Built-in demo").run()
    app.selectbox(key="data_builtin").set_value("textures").run()
    next(b for b in app.button if b.label == "Import built-in").click().run()
    assert not app.exception, app.exception
    assert "textures" in names_in_table(app)

    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(4):
        (folder / f"p{i}.png").write_bytes(png_bytes((60 * i, 10, 10)))
    (folder / "empty.jpg").write_bytes(b"")
    monkeypatch.setenv("SSL_DATA_ROOTS", str(tmp_path))
    app.segmented_control(key="data_source").set_value("Folder on the server").run()
    app.text_input[0].set_value(str(folder))
    app.text_input(key="data_folder_name").set_value("server folder").run()
    next(b for b in app.button if b.label == "Import folder").click().run()
    assert not app.exception, app.exception
    assert "Imported **4** images" in app.success[0].value
    assert list(app.dataframe[0].value["file"]) == ["empty.jpg"]
    assert "server folder" in names_in_table(app)


def test_subfolders_named_as_classes_and_left_unlabelled_when_unticked(app, tmp_path, monkeypatch):
    """Walk 27: folders of sites became the labels, said only as "from the class folders"."""
    for i, site in enumerate(["site_a", "site_b", "site_a", "site_b"]):
        (tmp_path / "parts" / site).mkdir(parents=True, exist_ok=True)
        (tmp_path / "parts" / site / f"p{i}.png").write_bytes(png_bytes((60 * i, 10, 10)))
    monkeypatch.setenv("SSL_DATA_ROOTS", str(tmp_path))
    app.segmented_control(key="data_source").set_value("Folder on the server").run()
    app.text_input[0].set_value(str(tmp_path / "parts")).run()
    next(b for b in app.button if b.label == "Import folder").click().run()
    said = app.success[0].value
    assert "(4 with labels, from the class folders). Its classes are the subfolders site\\_a, site\\_b." in said
    assert "**Subfolders are classes** unticked and **Replace same name** ticked" in said
    app.checkbox(key="data_folder_labels").uncheck()
    app.text_input(key="data_folder_name").set_value("plain").run()
    next(b for b in app.button if b.label == "Import folder").click().run()
    assert not app.exception and app.success[0].value == "Imported **4** images as dataset **plain**."
    assert Workspace().label_counts(Workspace().dataset("plain")) == {}


def test_delete_asks_for_confirmation_and_keeps_other_datasets(app):
    app.selectbox(key="data_selected").set_value("digits").run()
    next(b for b in app.button if b.label == "Delete this dataset").click().run()
    assert any("cannot be undone" in w.value for w in app.warning)
    next(b for b in app.button if b.label == "Cancel").click().run()
    assert names_in_table(app) == ["shapes", "digits", "docstrings"]

    next(b for b in app.button if b.label == "Delete this dataset").click().run()
    next(b for b in app.button if b.label == "Yes, delete").click().run()
    assert not app.exception, app.exception
    assert names_in_table(app) == ["shapes", "docstrings"]
    assert [m.value for m in app.success] == ["Deleted **digits** and its 1,797 images."]  # it vanished unsaid
    app.run()
    assert not app.success  # said once
    ws = Workspace()
    assert ws.images(ws.dataset("shapes")).shape == (2000, 64, 64, 3)


def test_gallery_pages(app):
    app.selectbox(key="data_selected").set_value("shapes").run()
    app.pagination(key="data_page_" + Workspace().dataset("shapes").id).set_value(34).run()
    assert not app.exception, app.exception
    assert len(app.image[0].value) == 2000 - 33 * 60


def import_folder(app: AppTest, folder: str, labels: str = "") -> str:
    """Type `folder` (and `labels`) into the folder form, import, return the error shown."""
    app.text_input[0].set_value(folder)
    app.text_input[1].set_value(labels).run()
    next(b for b in app.button if b.label == "Import folder").click().run()
    assert not app.exception, app.exception
    return app.error[0].value


def test_server_folders_are_off_without_a_data_root_and_confined_with_one(app, tmp_path, monkeypatch):
    monkeypatch.delenv("SSL_DATA_ROOTS", raising=False)
    app.segmented_control(key="data_source").set_value("Folder on the server").run()
    assert "--data-root" in app.info[0].value and "SSL_DATA_ROOTS" in app.info[0].value
    assert not [b for b in app.button if b.label == "Import folder"]

    root = tmp_path / "root"
    root.mkdir()
    (root / "escape").symlink_to("/etc", target_is_directory=True)
    monkeypatch.setenv("SSL_DATA_ROOTS", str(root))
    app.run()
    assert any(str(root) in caption.value for caption in app.caption)
    # walk 37: "/data/my_images" beneath the data root read as a path to use
    assert [box.placeholder for box in app.text_input][:2] == [str(root / "my_images"), str(root / "labels.csv")]
    answers = {typed: import_folder(app, typed) for typed in
               ["/etc", "/no/such/folder", str(root / "escape"), str(root / ".." / ".."), "~"]}
    for typed, error in answers.items():
        assert "is not inside a data root" in error, (typed, error)
        shown = escape_markdown(typed)  # the page escapes what the visitor typed
        assert error.replace(shown, "TYPED") == answers["/etc"].replace("/etc", "TYPED"), typed
    labels_error = import_folder(app, str(root), labels="/etc/passwd")
    assert "'/etc/passwd' is not inside a data root" in labels_error
    assert "root:" not in labels_error and names_in_table(app) == ["shapes", "digits", "docstrings"]


def test_one_import_runs_at_a_time_on_the_server(app):
    """A shared app's visitors could keep both cores decoding while every page waited: a
    second import is told to wait for the first, and stores nothing meanwhile."""
    from app.state import IMPORT_SLOT

    app.segmented_control(key="data_source").set_value("Built-in demo").run()
    assert IMPORT_SLOT.acquire(blocking=False)  # another visitor's import
    try:
        next(b for b in app.button if b.label == "Import built-in").click().run()
    finally:
        IMPORT_SLOT.release()
    assert not app.exception, app.exception
    assert any("Another import is running on this server" in w.value for w in app.warning)
    assert names_in_table(app) == ["shapes", "digits", "docstrings"]
    app.text_input(key="data_builtin_name_shapes").set_value("shapes again").run()
    next(b for b in app.button if b.label == "Import built-in").click().run()
    assert not app.exception and "Imported" in app.success[0].value  # the slot was given back


@pytest.mark.parametrize("folders, said", [
    ("abab", "Labels: 2 classes (used only to judge and colour, never for training)"),
    ("aab", "Labels: 2 classes (too few to judge with: two classes of two are needed; used to colour, never for "
            "training)"),
    ("abab..", "Labels: 2 classes and 2 unlabelled (used only to judge and colour, never for training)"),  # walk 11
])
def test_the_labels_are_counted_in_words_and_said_unusable_when_too_few(tmp_path, monkeypatch, folders, said):
    from ssl_core.data.ingest import ingest_uploads
    from tests.pages.conftest import open_page

    ws = Workspace(tmp_path / "ws")
    ws.set_meta("demo_seeded", "1")
    ingest_uploads(ws, [(f"{folder}/{i}.png" if folder != "." else f"{i}.png", png_bytes((40 * i, 0, 0)))
                        for i, folder in enumerate(folders)], name="few")
    at = open_page(ws.root, "../pages/data.py", monkeypatch, dataset="few")
    assert said in [e.label for e in at.expander]


def test_deleting_a_text_dataset_counts_its_sentences(app):
    """Walk 13: 'Delete mixed and its 70 images?' of a text dataset."""
    app.selectbox(key="data_selected").set_value("docstrings").run()
    next(b for b in app.button if b.label == "Delete this dataset").click().run()
    assert " and its " in app.warning[0].value and " sentences? " in app.warning[0].value
    next(b for b in app.button if b.label == "Yes, delete").click().run()
    assert not app.exception, app.exception
    assert app.success[0].value.endswith(" sentences.") and "images" not in app.success[0].value


def test_an_upload_imported_leaves_the_form_empty_for_the_next(app, tmp_path):
    """Walk 35: a .txt added to the uploader after a CSV's import imported both again, as one dataset of 897."""
    app.file_uploader[0].set_value([("red.png", png_bytes((255, 0, 0)), "image/png")])
    app.text_input(key="data_upload_name").input("reds")
    app.run()
    [import_button] = [b for b in app.button if b.label == "Import upload"]
    app = import_button.click().run()
    assert not app.exception and "reds" in names_in_table(app)
    assert not app.file_uploader[0].value and not app.text_input(key="data_upload_name").value
    assert app.success  # the report of the import stays
    app.file_uploader[0].set_value([("blue.png", png_bytes((0, 0, 255)), "image/png")])
    app.run()
    [import_button] = [b for b in app.button if b.label == "Import upload"]
    app = import_button.click().run()
    assert Workspace(tmp_path / "ws").dataset("blue").image_count == 1  # the red one is not imported again


def test_a_band_typed_for_the_edges_is_cut_off_each_picture_before_it_is_stored(app):
    """Walk 45: every micrograph carried its microscope's banner along the bottom, and nothing on the
    page could cut it off."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(3):
            zf.writestr(f"sem_{i}.png", png_bytes((60 * i, 90, 0), (40, 30)))
    app.segmented_control(key="data_source").set_value("Upload files").run()
    app.file_uploader[0].set_value([("sem.zip", archive.getvalue(), "application/zip")]).run()
    app.text_input(key="data_trim").set_value("0,0,60,0").run()
    assert escape_markdown("trim '0,0,60,0': the bottom is 60%, outside 0 to 45%") in [e.value for e in app.error]
    assert next(b for b in app.button if b.label == "Import upload").disabled  # nothing imported with it
    app.text_input(key="data_trim").set_value("0,0,10,0").run()
    assert not app.error
    next(b for b in app.button if b.label == "Import upload").click().run()
    app.selectbox(key="data_selected").set_value("sem").run()
    assert not app.exception, app.exception
    assert [m.value for m in app.metric][1] == "64 px"  # a metric's value is cut at its width: said below it
    assert "Cut off each picture before it was stored: the bottom 10% (Cut off the edges, at import)." in [
        c.value for c in app.caption]
    table = next(df.value for df in app.dataframe if "holds" in df.value.columns)
    assert list(table["stored size"])[-1] == "64 px, the bottom 10% cut off"
    app.segmented_control(key="data_grid_view").set_value("What training sees").run()
    assert ("The centre square of each picture, the bottom 10% cut off first, at the stored 64 px: what every page "
            "starts from") in " ".join(c.value for c in app.caption)
    assert ("3 of 3 pictures here are not square: the ends of their long sides are cut away, 32% of a picture once "
            "its edges are cut on average and 32% of the most cut") in " ".join(c.value for c in app.caption)  # 40 x 27
