"""The Data page's "Bring your own encoder" panel: import an encoder (a timm or torchvision
architecture by name, with weights uploaded, read from a file inside the data roots, or the
zoo's own from the hub) or an embedding set (.npy / .parquet / .csv) for the current dataset,
and the table of what was imported (architecture, input side, normalisation, width, origin).

Data flow: widgets -> the uploaded bytes written under their own file name in a temporary
folder (the library reads paths and names the file in its messages) or a server path
confined to the data roots -> ssl_core.imports (which refuses with ImportRefused, naming the
file and the reason) -> a success line or an escaped error, kept for the next rerun.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from app.import_removal import delete_control
from app.widgets import escape_markdown
from ssl_core.data.roots import ENABLE_HINT, NotRegularFile, PathRefused, confine, open_regular
from ssl_core.imports import ImportRefused, registry
from ssl_core.imports.registry import SAFETENSORS, TORCH_FILES
from ssl_core.store import DatasetInfo, Workspace, WorkspaceError
from ssl_core.words import counted

RESULT = "data_import_result"  # session key: (ok, message) of the last import
# uploads: never a pickle, even torch's restricted one; a torch file is taken only to be refused in our words, with
# the conversion (walk 16 read Streamlit's own "files are not allowed"), and is never read
WEIGHT_TYPES = [s.lstrip(".") for s in (*SAFETENSORS, *TORCH_FILES)]
VECTOR_TYPES = ["npy", "parquet", "csv"]
UPLOAD, SERVER, HUB = "Upload a file", "File on the server", "The zoo's own (needs internet)"


def _as_file(upload, folder: Path) -> Path:
    """The uploaded bytes as `folder/<its base name>`, so messages name the user's file."""
    path = folder / (Path(upload.name).name or "upload")
    path.write_bytes(upload.getvalue())
    return path


def forget_outcome() -> None:
    """Another file chosen: the last import's outcome, of the file before, is no longer shown (walk 38: "Nothing was
    imported: notamodel.safetensors: ... header too large" stayed beside the .pt chosen after it)."""
    st.session_state.pop(RESULT, None)


def _run(label: str, do: Callable[[Path], str], upload=None, server: Path | None = None) -> None:
    """Run `do(path)` on the upload (written to a temporary folder) or the server path, and
    keep (ok, message) for the rerun; refusals keep their message, naming the file."""
    try:
        with st.spinner(label), tempfile.TemporaryDirectory(prefix="ssl-import-") as folder:
            path = _as_file(upload, Path(folder)) if upload is not None else server
            st.session_state[RESULT] = (True, do(path))
    except (ImportRefused, WorkspaceError) as exc:
        st.session_state[RESULT] = (False, str(exc.args[0] if exc.args else exc))
    except OSError as exc:
        name = upload.name if upload is not None else str(server)
        st.session_state[RESULT] = (False, f"{name}: cannot be read or written ({exc.strerror or exc})")
    st.rerun()


def _server_file(text: str, roots: tuple[Path, ...]) -> Path | None:
    """The typed path when it is a .safetensors regular file inside the data roots; else an
    error shown, None. The app unpickles nothing, not even a server file by torch's
    restricted loader: a visitor of a shared app picks it."""
    try:
        path = confine(text, roots)
        if path.suffix.lower() not in SAFETENSORS:
            st.error(escape_markdown(f"{text}: the app reads weights from .safetensors files only (nothing here "
                                     "is unpickled); convert it where you trust it (the command below), or "
                                     "import it with the command line's import-encoder"))
            st.code(registry.CONVERT_COMMAND.format(name=path.name), language="bash", wrap_lines=True)
            return None
        open_regular(path).close()
        return path
    except (PathRefused, NotRegularFile) as exc:
        st.error(f"{escape_markdown(text)}: {escape_markdown(str(exc))}")
    except OSError as exc:
        st.error(f"{escape_markdown(text)}: {escape_markdown(exc.strerror or str(exc))}")
    return None


def _input_facts(arch: str) -> None:
    """What `arch` says about its inputs, or why the name is not an architecture (also when
    the zoo's own look-up fails: a caption, never an error in place of the page)."""
    try:
        from ssl_core.imports import architectures  # loads torch: only once a name is typed

        facts = architectures.native_input(arch)
    except ImportRefused as exc:
        st.caption(escape_markdown(str(exc)))
        return
    except Exception as exc:  # the zoos raise what they like (RuntimeError, KeyError, ...)
        st.caption(escape_markdown(f"{arch}: its input settings could not be read ({type(exc).__name__}: {exc})"))
        return
    if facts is None:
        st.caption("Its input side and normalisation are read from the model when it is imported.")
        return
    side, mean, std = facts
    st.caption(escape_markdown(f"{arch} takes {side} px inputs, normalised with mean "
                               f"{tuple(round(m, 3) for m in mean)} and std {tuple(round(s, 3) for s in std)} "
                               "(the model's own settings; a side of your own can be given below)."))


def _encoder_form(ws: Workspace, roots: tuple[Path, ...]) -> None:
    left, right = st.columns([3, 1])
    arch = left.text_input("Architecture", placeholder="timm:resnet50 or torchvision:resnet18", key="import_arch",
                           help="A model name from timm (timm.list_models()) or torchvision, with its classifier "
                                "head removed on import.").strip()
    if arch:
        with left:
            _input_facts(arch)
    name = right.text_input("Name", key="import_encoder_name", placeholder="my-resnet50",
                            help="What the pickers call it; also `--run NAME` on the command line.").strip()
    side = int(right.number_input("Input side (px, 0: the model's)", 0, registry.MAX_SIDE, 0, key="import_side",
                                  help=f"{registry.MIN_SIDE} to {registry.MAX_SIDE} px, or 0 for the model's own."))
    origin = left.segmented_control("Weights", [UPLOAD, SERVER, HUB], default=UPLOAD, key="import_origin")
    upload = server = None
    if origin == UPLOAD:
        upload = left.file_uploader("Weights file", type=WEIGHT_TYPES, key="import_weights", on_change=forget_outcome,
                                    help="A .safetensors file: nothing uploaded is unpickled, so a .pt/.pth/.ckpt "
                                         "is refused here (the command line's `import-encoder` reads one's "
                                         "tensors). Lightning checkpoints and `backbone.`/`module.` prefixes are "
                                         "handled; heads are dropped.")
        pickled = upload is not None and Path(upload.name).suffix.lower() in TORCH_FILES
        if pickled:
            # walk 38: "a PyTorch file, read by unpickling" of a text file named .pt: its name is all that is read
            left.error(escape_markdown(f"{upload.name}: named as a PyTorch file ({Path(upload.name).suffix}), a format "
                                       "read by unpickling, which could run any code in it; nothing uploaded here is "
                                       "unpickled, so it is not read. Convert it where you trust it "
                                       "(the command below), then upload weights.safetensors, or import it with the "
                                       "command line's import-encoder (it reads its tensors only)."))
        else:
            left.caption("A .pt file? Convert it where you trust it, then upload weights.safetensors:")
        left.code(registry.CONVERT_COMMAND.format(name=Path(upload.name).name if pickled else "model.pt"),
                  language="bash", wrap_lines=True)  # as written: escaped Markdown carried invisible word joiners
        # into a copy, and Python refused the command
        upload = None if pickled else upload
    elif origin == SERVER and not roots:
        left.info(ENABLE_HINT, icon=":material/lock:")
    elif origin == SERVER:
        typed = left.text_input("Weights path", placeholder="/data/weights/resnet50.safetensors",
                                on_change=forget_outcome,
                                key="import_weights_path")
        server = _server_file(typed, roots) if typed.strip() else None
    ready = bool(arch and name) and (origin == HUB or upload is not None or server is not None)
    if st.button("Import encoder", type="primary", disabled=not ready, key="import_encoder_button"):
        def do(path: Path | None) -> str:
            from ssl_core.imports import encoders  # loads torch: only on import

            config = encoders.import_encoder(ws, name, arch, path, side or None)
            note = encoders.never_estimated_note(config)
            return (f"Imported **{escape_markdown(registry.describe(config))}**: {config['num_features']}-wide "
                    f"features of {config['image_size']} px inputs. It is in every encoder picker now."
                    + (f" Note: {escape_markdown(note)}" if note else ""))
        _run(f"Importing {arch}...", do, upload=upload, server=server)


def _embeddings_form(ws: Workspace, dataset: DatasetInfo | None) -> None:
    if dataset is None:
        st.info("Choose a dataset below first: embeddings are matched to its images.")
        return
    st.caption(escape_markdown(f"For dataset {dataset.name} ({dataset.image_count:,} images): an .npy (N, D) in "
                               "the dataset's order (the order its files were imported in, a zip's own, not sorted: "
                               "Retrieval's image numbers; rows in another order cannot be told from right ones), or, "
                               "safer, a Parquet/CSV table with a file-name column and the vector (one list column, "
                               "or one column per dimension)."))
    left, right = st.columns([3, 1])
    upload = left.file_uploader("Embeddings file", type=VECTOR_TYPES, key="import_vectors", on_change=forget_outcome)
    name = right.text_input("Name", key="import_vectors_name", placeholder="clip-vectors").strip()
    if st.button("Import embeddings", type="primary", disabled=upload is None or not name,
                 key="import_vectors_button"):
        def do(path: Path) -> str:
            from ssl_core.imports.embeddings import import_embeddings  # loads torch: only on import

            result = import_embeddings(ws, dataset.name, name, path)
            unmatched = result["unmatched"]
            return (f"Imported **{escape_markdown(name)}**: {result['matched']:,} vectors of {result['shape'][1]} "
                    f"dimensions, one per image of {escape_markdown(dataset.name)}"
                    + (f"; {counted(len(unmatched), 'rows')} named no image (first: "
                       f"{escape_markdown(', '.join(unmatched[:3]))})" if unmatched else "") + "."
                    + _columns_said(result["columns"]))
        _run("Importing embeddings...", do, upload=upload)


def _columns_said(columns: dict | None) -> str:
    """A table's columns as the import read them (import_embeddings' "columns"): which made
    the vectors, and why each other one did not, so a label column read as a dimension shows."""
    if not columns:
        return ""
    used = ", ".join(columns["used"][:8]) + (f" and {len(columns['used']) - 8:,} more" if len(columns["used"]) > 8
                                                else "")
    left = "; ".join(f"{column}: {why}" for column, why in list(columns["left_out"].items())[:5])
    return escape_markdown(f" Columns used: {used}." + (f" Left out: {left}." if left else ""))


def _imported_table(ws: Workspace) -> None:
    """What was imported, then deleting one (app/import_removal.py)."""
    configs = registry.imported(ws)
    rows = [{"name": c["encoder"], "what": c.get("arch", "embeddings of " + c.get("dataset", "?")),
             "input": f"{c['image_size']} px" if c["kind"] == "encoder" else "",
             "mean": ", ".join(f"{m:.3f}" for m in c.get("mean", [])),
             "std": ", ".join(f"{s:.3f}" for s in c.get("std", [])),
             "features": c["num_features"], "weights from": c["source"],
             "imported": c["created"][:16].replace("T", " ")}  # to the minute: walk 23's seconds ran past the box
            for c in configs]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    delete_control(ws, configs)


def import_panel(ws: Workspace, dataset: DatasetInfo | None, roots: tuple[Path, ...]) -> None:
    """The expander with both forms, the last import's outcome and the imported table."""
    with st.expander("Bring your own encoder or embeddings", icon=":material/input:", key="data_import_expander"):
        st.caption("Look at a model trained elsewhere (a timm or torchvision backbone, a lightly or solo-learn "
                   "checkpoint) or at vectors computed elsewhere: imports join every encoder picker.")
        kind = st.segmented_control("Import", ["Encoder", "Embeddings"], default="Encoder", key="import_kind")
        if kind == "Embeddings":
            _embeddings_form(ws, dataset)
        else:
            _encoder_form(ws, roots)
        if RESULT in st.session_state:
            ok, message = st.session_state[RESULT]
            if ok:
                st.success(message)
            else:
                st.error(f"Nothing was imported: {escape_markdown(message)}")
        _imported_table(ws)
