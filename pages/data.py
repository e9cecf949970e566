"""Data page: get images in (upload, zip, server folder, built-in) and look at them."""

from __future__ import annotations

import os
import sys

import pandas as pd
import streamlit as st

from app import current
from app.import_panel import import_panel
from app.label_chart import label_chart
from app.state import IMPORT_SLOT, workspace
from app.text_items import sentence_table
from app.upload_kind import upload_is_text
from app.widgets import (breakable, cancel_button, cancelled, escape_markdown, gallery, human_bytes, progress_bar,
                         short_name, thumbnail_uris)
from ssl_core import jobs
from ssl_core.data.builtins import DATASETS
from ssl_core.data.decode import DEPTHS
from ssl_core.data.ingest import (DEFAULT_SIZE, DEPTH_HELP, DEPTH_NAMES, STORED_SIZES, IngestError, IngestReport,
                                  folder_classes, ingest_builtin, ingest_path, ingest_uploads, upload_name)
from ssl_core.data.labels import FILE_HEADERS, LABEL_HEADERS, too_few_to_probe
from ssl_core.data.rejections import rejected_total
from ssl_core.data.roots import ENABLE_HINT, data_roots
from ssl_core.data.text import printable
from ssl_core.data.trim import NONE, Trim, parse_trim, trim_words
from ssl_core.imports.registry import embedding_sets_of
from ssl_core.run_names import run_name
from ssl_core.store import WorkspaceError
from ssl_core.words import agreeing, counted, noun

PAGE_SIZE = 60
WHOLE, TRAINED = "Whole pictures", "What training sees"  # the grid's two views of a dataset's images
# walk 39 read 'what every page reads' at 64 px against the README's 32 px views and 48 px maps
SHRUNK = ", and training's views and the maps may resize it again, to the side their encoder reads"
REPORT_KEY = "data_last_report"
CANCEL_KEY = "data_import_cancel"
DELETED_KEY = "data_deleted_note"  # what the last deletion removed
REJECTED_COLUMNS = {"file": st.column_config.TextColumn(width="large"),  # walk 37: a zip's paths cut at "notes_really_"
                    "reason": st.column_config.TextColumn(width="large")}

ws = workspace()

st.title("Data")
st.caption("Bring in a folder of unlabeled images, or text. Images are decoded once, made square (their "
           "centre square, or whole and padded) and stored in the workspace; labels are optional and only used to "
           "judge the result.")
if DELETED_KEY in st.session_state:  # said once, on the rerun after a deletion: the dataset just vanished before
    st.success(st.session_state.pop(DELETED_KEY), icon=":material/delete:")


NOTHING = ("no image could be imported", "no text could be imported")  # an IngestError that says it itself


def holds(kind: str) -> str:
    """What a dataset of `kind` holds, in the page's words (plural)."""
    return "images" if kind == "image" else "sentences"


def from_where(labels_from: str | None) -> str:
    """', from the class folders' (a CSV's name escaped), or nothing where the report does not
    say (walk 18: labels read from folder names were not said to be)."""
    return f", from {escape_markdown(labels_from)}" if labels_from else ""


def cut_words(cut: int, mean: float, most: float, total: int, trimmed: bool = False) -> str:
    """What storing centre squares cut from a dataset's `total` pictures (Workspace.centre_square_cuts),
    in a sentence (walk 31: a timestamp in a picture's corner was cut away, and nothing said so); of
    `trimmed` ones, what the centre square cuts beside the trim (a review: 'every edge's 5% cut off first'
    beside 'none of it is cut')."""
    def share(part: float) -> str:
        return "under 1%" if part < 0.005 else f"{part:.0%}"

    if not cut:
        return ("Every picture here is square once its edges are cut: the centre square cuts none of it." if trimmed
                else "Every picture here is square: none of it is cut.")
    if cut == 1:
        return (f"1 picture of {total:,} here is not square: {share(most)} of it, at the ends of its long side, is cut "
                "away (import it as 'Whole picture, padded' to keep it whole).")
    of = "of a picture once its edges are cut" if trimmed else "of a picture"  # walk 47 read it of the whole frame
    return (f"{cut:,} of {total:,} pictures here are not square: the ends of their long sides are cut away, "
            f"{share(mean)} {of} on average and {share(most)} of the most cut (import them as 'Whole picture, "
            "padded' to keep them whole).")


@st.cache_data(show_spinner=False, max_entries=32)
def centre_square_cuts(dataset_id: str, _info) -> tuple[int, float, float]:
    """Workspace.centre_square_cuts of dataset `_info` (its id `dataset_id`), read once: a dataset's
    images never change after its import (a replacement is a new id), and the query scans all its rows."""
    return ws.centre_square_cuts(_info)


def classes_words(report: dict) -> str:
    """Where subfolders named the classes, which, and how to import them unlabelled instead
    (walk 27: folders of sites judged as classes, a run learning objects read "Nothing learned")."""
    if not (classes := folder_classes(ws, report["dataset"], report.get("labels_from"))):
        return ""
    return (f" Its classes are the subfolders {escape_markdown(classes)}. Not kinds of thing (sites, dates)? Import "
            f"again with **{FOLDERS_ARE_CLASSES}** unticked and **Replace same name** ticked: the images then "
            "have no labels.")


def _show_report(report: dict) -> None:
    if report.get("error"):  # "no image could be imported: ..." is said once (walk 15 read both in one line)
        said = report["error"]
        st.error(escape_markdown(said[:1].upper() + said[1:] if said.startswith(NOTHING) else
                                 f"Nothing was imported: {said}"))
    else:
        held = noun(report["images"], holds(report.get("kind", "image")))
        st.success(f"Imported **{report['images']:,}** {held} as dataset "
                   f"**{escape_markdown(report['dataset'])}**"
                   + (f" ({report['labelled']:,} with labels{from_where(report.get('labels_from'))})."
                      if report["labelled"] else ".") + classes_words(report))
    for warning in report.get("warnings", []):
        st.warning(escape_markdown(warning))
    if report.get("rejected"):
        rejected = rejected_total(report["rejected"])  # walk 20 read "8 files rejected:" as an empty box
        st.error(f"{counted(rejected, 'files', ('was', 'were'))} rejected, {agreeing(rejected, '', 'each ')}named "
                 "with its reason in the table below" + ("; the rest was imported." if "images" in report else "."))
        st.dataframe(pd.DataFrame(report["rejected"], columns=["file", "reason"]),
                     hide_index=True, width="stretch", column_config=REJECTED_COLUMNS)


UPLOAD_ROUND = "data_upload_round"  # imports stored in this session: a part of the upload widgets' keys
UPLOAD_NAME = "data_upload_name"


def _run_import(do_import, label: str) -> None:
    """Run an import with a progress bar, one on the server at a time (IMPORT_SLOT); keep its
    report for the next rerun."""
    if not IMPORT_SLOT.acquire(blocking=False):
        st.warning("Another import is running on this server (one at a time, so that the other pages stay "
                   "quick); press the button again when it has ended.")
        return
    st.session_state.pop(REPORT_KEY, None)  # the last report is of an earlier import
    try:
        # walk 43: a tab closed during 'Decoding: 273 / 299' lost the import without a word, as Streamlit stops a
        # page's run when its browser leaves; training and evaluation run in workers of their own and go on
        cancel_button(CANCEL_KEY, "Nothing is stored until the end: leaving this page or closing the tab before then "
                                  "stops the import, and nothing is kept.")
        report: IngestReport = do_import(progress_bar(label))
        st.session_state[REPORT_KEY] = report.to_json()
        current.set_dataset(report.dataset)  # the new dataset is the one every page now shows
        # walk 35: a .txt added to the uploader after a CSV's import imported both again, as one dataset: an import
        # that stored its dataset empties the upload form (new uploader keys: a file uploader cannot be set)
        st.session_state[UPLOAD_ROUND] = st.session_state.get(UPLOAD_ROUND, 0) + 1
        st.session_state.pop(UPLOAD_NAME, None)
    except (IngestError, WorkspaceError) as exc:
        st.session_state[REPORT_KEY] = {"error": str(exc), "rejected": getattr(exc, "rejected", [])}
    finally:
        IMPORT_SLOT.release()
    st.rerun()


FIT_NAMES = {"crop": "Centre square", "pad": "Whole picture, padded"}  # decode.FITS in words
FOLDERS_ARE_CLASSES = "Subfolders are classes"


def _size_box(slot, text: bool) -> tuple[int, str, Trim | None, str]:
    """The stored side of images, how each becomes its square (decode.FITS), the bands cut off
    its edges before (data/trim.py; None where what was typed is not a trim, said in `slot`) and how
    more than 8 bits per sample become 8 (decode.DEPTHS), chosen in `slot`; text is stored as written
    (DEFAULT_SIZE unused)."""
    if text:
        slot.caption("Text is stored as written: there is no image side to choose.")
        return DEFAULT_SIZE, "crop", NONE, DEPTHS[0]
    box = slot.container()
    size = box.selectbox("Stored size (px)", STORED_SIZES, index=STORED_SIZES.index(DEFAULT_SIZE),
                         key="data_stored_size", help="Every picture is stored as a square of this side for training.")
    fit = box.selectbox("Stored as", list(FIT_NAMES), format_func=FIT_NAMES.get, key="data_fit",
                        help="Centre square: the long side is cut to the short one, as most training does; an object "
                             "near an edge of a wide picture is lost. Whole picture, padded: nothing is cut, the "
                             "short side is filled with the picture's mean colour.")
    typed = box.text_input("Cut off the edges (%)", key="data_trim", placeholder="none; bottom 10: the bottom 10%",
                           help="A band cut off each picture before it is stored: one percentage for every side, "
                                "four (top, right, bottom, left) or sides by name (bottom 10), each at most 45. For "
                                "what every picture carries at its edges and no picture's subject is: a microscope's "
                                "info banner, a camera's timestamp bar, a scanner's frame. Searches and the Lab's "
                                "uploads are cut alike.")
    depth = box.selectbox("More than 8 bits", DEPTHS, format_func=DEPTH_NAMES.get, key="data_depth", help=DEPTH_HELP)
    try:
        return size, fit, parse_trim(typed), depth
    except ValueError as exc:
        box.error(escape_markdown(str(exc)))
        return size, fit, None, depth


with st.expander("Add a dataset", expanded=not ws.datasets(), icon=":material/add_photo_alternate:",
                 key="data_add_expander"):
    source = st.segmented_control("Source", ["Upload files", "Folder on the server", "Built-in demo"],
                                  default="Upload files", key="data_source")
    left, right = st.columns([3, 1])
    size_slot = right.empty()  # filled once the branch below knows whether images or text come in
    replace = right.checkbox("Replace same name",  # short: the column is a quarter of the page
                             help="Replace a dataset of the same name. Runs trained on the dataset it replaces "
                                  "keep their checkpoints and metrics.")
    folder_labels = source == "Built-in demo" or right.checkbox(
        FOLDERS_ARE_CLASSES, value=True, key="data_folder_labels",
        help="Each picture's first subfolder is its label (cat/1.jpg, dog/2.jpg), used only to judge and colour, "
             "never to train. Untick it where folders are sites, dates or batches: the images stay unlabelled. "
             "A labels CSV, given, labels them instead.")
    if source == "Built-in demo":
        builtin = left.selectbox("Built-in dataset", list(DATASETS), key="data_builtin",
                                 format_func=lambda n: f"{n}: {DATASETS[n].description}")
        name = left.text_input("Dataset name", value=builtin, key=f"data_builtin_name_{builtin}")
        size, fit, trim, depth = _size_box(size_slot, DATASETS[builtin].kind == "text")
        if st.button("Import built-in", type="primary", disabled=trim is None):
            _run_import(lambda progress: ingest_builtin(ws, builtin, name=name, size=size,
                                                        replace=replace, progress=progress, fit=fit, trim=trim,
                                                        depth=depth),
                        f"Generating {builtin}")
    elif source == "Folder on the server" and not (roots := data_roots(sys.argv[1:], os.environ)):
        left.info(ENABLE_HINT, icon=":material/lock:")
    elif source == "Folder on the server":
        left.caption("Inside the data roots: " + ", ".join(f"`{root}`" for root in roots))
        # walk 37: "/data/my_images" beneath the roots "/tmp/walk37/data" read as a path to use
        folder = left.text_input("Folder path", placeholder=str(roots[0] / "my_images"),
                                 help="For collections too large to upload. Read only; nothing "
                                      "is written there.")
        labels_path = left.text_input("Labels CSV path (optional)", placeholder=str(roots[0] / "labels.csv"))
        name = left.text_input("Dataset name (optional)", key="data_folder_name")
        size, fit, trim, depth = _size_box(size_slot, text=False)  # a folder's kind is known once it is read
        if st.button("Import folder", type="primary", disabled=not folder.strip() or trim is None):
            _run_import(lambda progress: ingest_path(ws, [folder.strip()], name=name.strip() or None,
                                                     labels_path=labels_path.strip() or None, size=size,
                                                     replace=replace, progress=progress, roots=roots, fit=fit,
                                                     folder_labels=folder_labels, trim=trim, depth=depth),
                        "Decoding")
    else:
        uploads_round = st.session_state.get(UPLOAD_ROUND, 0)
        files = left.file_uploader("Images or zip archives, or text", accept_multiple_files=True,
                                   key=f"data_upload_files_{uploads_round}",
                                   help="JPEG, PNG, WebP, BMP, TIFF, GIF, or a .zip of them. "
                                        "Class-named subfolders in a zip become labels. Text: .txt (one "
                                        "example per line), .csv or .jsonl (a text column, an optional "
                                        "label column).")
        labels_file = left.file_uploader("Labels CSV for images (optional): file name, label", type=["csv"],
                                         key=f"data_upload_labels_{uploads_round}",
                                         help="Two columns, split by commas, semicolons or tabs: a file name (or its "
                                              "path in the zip) and its label; a "
                                              f"header row is optional (file: {', '.join(FILE_HEADERS)}; label: "
                                              f"{', '.join(LABEL_HEADERS)}). A labels.csv inside the zip does the "
                                              "same. Text takes its labels from a label column of its own CSV or "
                                              "JSONL, or from class-named folders in a zip.")
        # walk 17: 'filename,label' read as the only header taken; walk 19: a labels file given with a .txt, unused
        name = left.text_input("Dataset name (optional)", key=UPLOAD_NAME,
                               placeholder=upload_name([f.name for f in files]) if files else "uploaded",
                               help="Empty: one file's name without its extension, else \"uploaded\".")
        size, fit, trim, depth = _size_box(size_slot, upload_is_text(files))
        if st.button("Import upload", type="primary", disabled=not files or trim is None):
            uploads = [(f.name, f) for f in files]  # spooled to disk by ingest, not copied here
            labels = {"labels_csv": labels_file.getvalue(), "labels_source": printable(labels_file.name)} \
                if labels_file else {}  # its errors name the file
            _run_import(lambda progress: ingest_uploads(ws, uploads, name=name.strip() or None, size=size,
                                                        replace=replace, progress=progress, fit=fit,
                                                        folder_labels=folder_labels, trim=trim, depth=depth,
                                                        **labels),
                        "Decoding")

if REPORT_KEY in st.session_state:  # also when Cancel came after the import had stored its dataset
    _show_report(st.session_state[REPORT_KEY])
elif cancelled(CANCEL_KEY):
    st.info("Import cancelled: nothing was stored.", icon=":material/cancel:")

current_name = current.dataset_name()
import_panel(ws, next((d for d in ws.datasets() if d.name == current_name), None), data_roots(sys.argv[1:], os.environ))

datasets = ws.datasets()
st.subheader("Datasets")
if not datasets:
    st.info("No datasets yet: add one above.")
    st.stop()


def stored_size(info, with_trim: bool = True) -> str:
    """What `size_px` holds for the dataset's kind: an image's side (', padded' where pictures
    were stored whole; with `with_trim`, the bands cut off their edges), or a text's longest example."""
    if info.kind != "image":
        return f"<= {info.size_px:,} chars"
    cut = trim_words(parse_trim(info.trim)) if with_trim else ""
    return f"{info.size_px} px" + (", padded" if info.fit == "pad" else "") + (f", {cut} cut off" if cut else "")


st.dataframe(
    pd.DataFrame([{"name": d.name, "holds": holds(d.kind), "count": d.image_count,
                   "stored size": stored_size(d),
                   "on disk": human_bytes(d.bytes), "labels": "yes" if d.has_labels else "no",
                   "source": d.source, "created": d.created[:16].replace("T", " ")} for d in datasets]),
    hide_index=True, width="stretch",
)

chosen = current.bound_selectbox(st, "Look at", [d.name for d in datasets], current.DATASET, "data_selected",
                                 placeholder="Choose a dataset",
                                 help="The dataset every page works on; it is also in the sidebar and the URL.")
if chosen is None:
    st.info("Choose a dataset to see its images or texts: every other page then works on it.",
            icon=":material/arrow_upward:")
    st.stop()
chosen = ws.dataset(chosen)

images_col, stored_col, labels_col, disk_col = st.columns(4)
images_col.metric("Images" if chosen.kind == "image" else "Sentences", f"{chosen.image_count:,}")
stored_col.metric("Stored size", stored_size(chosen, with_trim=False))  # a metric's value is cut at its width
label_counts = ws.label_counts(chosen)
labels_col.metric("Classes", len(label_counts) if label_counts else "none")
disk_col.metric("On disk", human_bytes(chosen.bytes))
if trimmed_off := trim_words(parse_trim(chosen.trim)):
    st.caption(f"Cut off each picture before it was stored: {trimmed_off} (Cut off the edges, at import).")

if label_counts:
    usable = not too_few_to_probe(label_counts)  # Evaluate's and the kNN monitor's two classes of two
    unlabelled = chosen.image_count - sum(label_counts.values())  # walk 11: gone from view with the import report
    with st.expander(f"Labels: {len(label_counts)} class{'es' if len(label_counts) != 1 else ''}"
                     + (f" and {unlabelled:,} unlabelled" if unlabelled else "") + " ("
                     + ("used only to judge and colour" if usable else "too few to judge with: two classes of two "
                        "are needed; used to colour") + ", never for training)"):
        label_chart(label_counts)

rejected, warned = ws.rejections(chosen), ws.import_warnings(chosen)  # kept after the import report is gone
if rejected or warned:
    said = [counted(rejected_total(rejected), 'files') + " rejected"] if rejected else []
    with st.expander("At import: " + ", ".join(said + ([counted(len(warned), "warnings")] if warned else []))):
        for warning in warned:
            st.warning(escape_markdown(warning))
        if rejected:
            st.dataframe(pd.DataFrame(rejected), hide_index=True, width="stretch", column_config=REJECTED_COLUMNS)

st.markdown("**Images**" if chosen.kind == "image" else "**Sentences**")
pages = max(1, -(-chosen.image_count // PAGE_SIZE))
page = st.pagination(pages, key=f"data_page_{chosen.id}") if pages > 1 else 1
start = (page - 1) * PAGE_SIZE
rows = ws.image_rows(chosen, offset=start, limit=PAGE_SIZE)
if chosen.kind == "text":  # sentences where images have thumbnails (app/text_items.py)
    sentence_table(ws, chosen, rows, start)
else:
    seen = st.segmented_control("Show", [WHOLE, TRAINED], default=WHOLE, required=True, key="data_grid_view",
                                help="Imported pictures keep their shape in the grid; the stored centre square "
                                     "is what training, maps and search read.")
    if seen == WHOLE:
        thumbs = thumbnail_uris(chosen.id, ws.thumbnails(chosen), range(start, start + len(rows)))  # encoded once
    else:
        trimmed_by = f", {trimmed_off} cut off first," if trimmed_off else ""
        st.caption(f"Each whole picture{trimmed_by} padded with its mean colour to the stored {chosen.size_px} px "
                   f"square: what every page starts from{SHRUNK}." if chosen.fit == "pad" else
                   f"The centre square of each picture{trimmed_by} at the stored {chosen.size_px} px: what every page "
                   f"starts from{SHRUNK}. "
                   + cut_words(*centre_square_cuts(chosen.id, chosen), chosen.image_count, bool(trimmed_off)))
        thumbs = thumbnail_uris(f"{chosen.id}:stored", ws.images(chosen), range(start, start + len(rows)))
    gallery(thumbs, [breakable(short_name(row["name"])) + (f" [{row['label']}]" if row["label"] else "")
                     for row in rows])  # names wrap at their joins, not mid-word

st.divider()
if st.session_state.get("data_confirm_delete") == chosen.name:
    every_run = {run["id"]: run for run in jobs.list_runs(ws)}  # for their names, as the Train page shows them
    trained_on = ws.runs_of(chosen.name)
    active = [r for r in trained_on if every_run.get(r["run"], {}).get("status") in ("queued", "running")]
    unsaved = [r for r in trained_on if not r["checkpoint"] and r not in active]  # stopped before their first

    def named(runs: list[dict]) -> str:
        return ", ".join(escape_markdown(run_name(every_run[r["run"]]) if r["run"] in every_run
                                         else r["name"] or r["run"]) for r in runs)

    def kept(count: int) -> str:
        return agreeing(count, "keeps its checkpoint and metrics (export it, or evaluate it on another dataset)",
                        "keep their checkpoints and metrics (export them, or evaluate them on another dataset)")
    saved, count = [r for r in trained_on if r["checkpoint"]], len(trained_on)
    runs_text = (f" {counted(count, 'runs', ('was', 'were'))} trained on it ({named(trained_on)}): " + (
        f"{agreeing(count, 'it', 'they')} {kept(count)} but can no longer be resumed." if not unsaved else
        (f"{named(saved)} {kept(len(saved))}; " if saved else "") + f"{named(unsaved)} wrote no checkpoint and "
        f"{agreeing(len(unsaved), 'keeps only its', 'keep only their')} metrics; "
        f"{agreeing(count, 'it cannot', 'none can')} be resumed."
    )) if trained_on else ""
    sets = embedding_sets_of(ws, chosen.id)
    sets_text = (f" Its imported {noun(len(sets), 'embedding sets')} "
                 f"{', '.join(escape_markdown(name) for name in sets)} {agreeing(len(sets), 'goes', 'go')} with it: "
                 f"{agreeing(len(sets), 'its', 'their')} vectors belong to these images.") if sets else ""
    if active:  # said before the click, not refused after it (it named the run by its id)
        runs_text = (f" {named(active)} {agreeing(len(active), 'is', 'are')} still queued or running on it: it can be "
                     f"deleted once {agreeing(len(active), 'that run ends or is', 'those runs end or are')} cancelled "
                     "on the Train page.")
    held = counted(chosen.image_count, holds(chosen.kind))  # walk 13: "its 70 images" of sentences
    st.warning(f"Delete **{escape_markdown(chosen.name)}** and its {held}? "
               "This cannot be undone. Other datasets are not touched." + runs_text + sets_text)
    yes, no = st.columns([1, 6])
    if yes.button("Yes, delete", type="primary", disabled=bool(active)):
        try:
            ws.delete_dataset(chosen.name)
        except WorkspaceError as exc:  # a run on it is queued or running
            st.error(escape_markdown(str(exc)))
        else:
            current.set_dataset(None)
            del st.session_state["data_confirm_delete"]
            st.session_state.pop(REPORT_KEY, None)
            st.session_state[DELETED_KEY] = f"Deleted **{escape_markdown(chosen.name)}** and its {held}."
            st.rerun()
    if no.button("Cancel"):
        del st.session_state["data_confirm_delete"]
        st.rerun()
elif st.button("Delete this dataset", icon=":material/delete:"):
    st.session_state["data_confirm_delete"] = chosen.name
    st.rerun()
