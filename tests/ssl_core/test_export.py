"""export: the encoder, embeddings, index, map and TensorBoard Projector files, as a zip
for the app and into a folder for the CLI; each part is usable on its own."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from ssl_core import embed, export, jobs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def emb(trained):
    return embed.embed(trained.ws, "tiny", embed.from_run(trained.ws, trained.run))


def test_the_encoder_loads_with_its_snippet_and_gives_the_same_features(trained, emb, tmp_path):
    export.to_folder(export.export(trained.ws, emb, ["encoder"]), tmp_path / "out")
    images = np.array(trained.ws.images(emb.dataset)[:4])
    np.save(tmp_path / "images.npy", images)
    inputs = f"torch.from_numpy(np.load({str(tmp_path / 'images.npy')!r})).permute(0, 3, 1, 2).float() / 255"
    np.testing.assert_allclose(snippet_features(tmp_path / "out", inputs), emb.features[:4], rtol=1e-4, atol=1e-5)


def test_a_new_picture_read_by_the_snippet_gives_the_features_of_the_same_stored_picture(trained, emb, tmp_path):
    """Walk 46: nothing said how a new picture becomes the encoder's input (resized without antialiasing,
    features differed by up to 0.04)."""
    export.to_folder(export.export(trained.ws, emb, ["encoder"]), tmp_path / "out")
    stored = np.array(trained.ws.images(emb.dataset)[2])
    Image.fromarray(stored).save(tmp_path / "picture.png")  # a file whose stored square is that picture
    config = json.loads((tmp_path / "out" / "encoder.json").read_text())
    assert config["stored"] == {"size_px": emb.dataset.size_px, "fit": emb.dataset.fit, "trim": emb.dataset.trim,
                                "depth": "stretch"}
    read = snippet_features(tmp_path / "out", f"read_picture({str(tmp_path / 'picture.png')!r})")
    np.testing.assert_allclose(read[0], emb.features[2], rtol=1e-4, atol=1e-5)


def snippet_features(folder, inputs: str, setup: str = "") -> np.ndarray:
    """The exported encoder in `folder`, loaded by its load_encoder.py in a fresh Python, run
    on `inputs` (a Python expression, after `setup`): its features."""
    check = ("exec(open('load_encoder.py').read())\nimport numpy as np, torch\n" + setup
             + f"with torch.no_grad():\n    np.save('features.npy', encoder({inputs}).numpy())\n")
    done = subprocess.run([sys.executable, "-c", check], cwd=folder, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.returncode == 0, done.stderr
    return np.load(folder / "features.npy")


def test_embeddings_as_npy_csv_and_parquet_carry_file_names_and_labels(trained, emb):
    files = export.export(trained.ws, emb, ["embeddings"])
    assert set(files) == {"embeddings.npy", "embeddings.csv", "embeddings.parquet", "README.txt"}
    np.testing.assert_array_equal(np.load(io.BytesIO(files["embeddings.npy"])), emb.features)
    csv = pd.read_csv(io.BytesIO(files["embeddings.csv"]))
    parquet = pd.read_parquet(io.BytesIO(files["embeddings.parquet"]))
    names = [row["name"] for row in trained.ws.image_rows(emb.dataset)]
    for table in (csv, parquet):
        assert list(table["file"]) == names
        assert set(table["label"]) == {"a", "b"}
        np.testing.assert_allclose(table[[f"f{i}" for i in range(emb.features.shape[1])]].to_numpy(),
                                   emb.features, rtol=1e-5, atol=1e-6)


def test_the_projector_set_has_one_vector_and_one_metadata_row_per_image_and_a_sprite(trained, emb):
    files = export.export(trained.ws, emb, ["projector"])
    vectors = np.loadtxt(io.BytesIO(files["vectors.tsv"]), delimiter="\t")
    # centred as the app's maps, neighbours and scores are: the Projector's cosine neighbours are Retrieval's
    np.testing.assert_allclose(vectors, emb.vectors, rtol=1e-5, atol=1e-5)
    metadata = pd.read_csv(io.BytesIO(files["metadata.tsv"]), sep="\t")
    assert list(metadata.columns) == ["file", "label"] and len(metadata) == len(vectors)
    sprite = Image.open(io.BytesIO(files["sprite.png"]))
    cell = int(files["projector_config.pbtxt"].decode().split("single_image_dim: ")[1].split()[0])
    assert sprite.size == (7 * cell, 7 * cell)  # 40 images -> a 7 x 7 grid
    first = np.asarray(sprite)[:cell, :cell]
    expected = np.asarray(Image.fromarray(np.asarray(trained.ws.thumbnails(emb.dataset)[0])).resize((cell, cell)))
    assert np.abs(first.astype(int) - expected.astype(int)).mean() < 2


def test_a_large_sprite_stays_within_tensorboards_limit():
    image, cell = export.sprite(np.zeros((10_000, 96, 96, 3), np.uint8))
    assert cell == 81 and max(Image.open(io.BytesIO(image)).size) <= export.SPRITE_LIMIT


def test_every_part_into_a_zip_and_an_unknown_part_is_named(trained, emb):
    archive = zipfile.ZipFile(io.BytesIO(export.to_zip(export.export(trained.ws, emb, list(export.PARTS)))))
    names = set(archive.namelist())
    assert {"encoder.safetensors", "embeddings.npy", "map.csv", "vectors.tsv", "sprite.png"} <= names
    assert any(name.endswith(".faiss") for name in names)
    coords = pd.read_csv(archive.open("map.csv"))
    assert list(coords.columns) == ["file", "label", "x", "y"] and len(coords) == 40
    with pytest.raises(KeyError, match="encoder, embeddings, index, map, projector"):
        export.export(trained.ws, emb, ["weights"])


def test_the_readme_names_every_file_and_its_query_finds_each_items_own_row_first(trained, emb, tmp_path):
    """Walk 38 queried index.faiss with rows of embeddings.npy and got strangers (4.30) before an exact copy (1.0):
    the index holds centred, normalised features, and no file said so."""
    files = export.export(trained.ws, emb, list(export.PARTS))
    export.to_folder(files, tmp_path)
    said = files["README.txt"].decode()
    assert all(f"{name}: " in said for name in files if name != "README.txt")
    query = said.split("as the app does:\n\n", 1)[1]
    code = "\n".join(line[4:] for line in query.splitlines()) + "\nprint(int(rows[0][0]), float(scores[0][0]))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    row, score = out.stdout.split()
    assert row == "0" and float(score) == pytest.approx(1.0, abs=1e-4)
    only = export.export(trained.ws, emb, ["map"])
    told = only["README.txt"].decode()
    assert "index.faiss" not in told and "map.csv: the 2-D UMAP map" in told


def test_a_hover_sprite_is_made_once_and_read_back(trained, emb, monkeypatch):
    ws, dataset = trained.ws, emb.dataset
    made, columns = export.hover_sprite(ws, dataset, [3, 0, 7], 24)
    grid = np.asarray(Image.open(io.BytesIO(made)))
    assert columns == 2 and grid.shape == (48, 48, 3)
    expected = np.asarray(Image.fromarray(np.asarray(ws.thumbnails(dataset)[3])).resize((24, 24)))
    np.testing.assert_allclose(grid[:24, :24].mean((0, 1)), expected.mean((0, 1)), atol=6)  # JPEG: colours
    monkeypatch.setattr(type(ws), "thumbnails", lambda *a: pytest.fail("read the thumbnails again"))
    assert export.hover_sprite(ws, dataset, [3, 0, 7], 24) == (made, columns)
    with pytest.raises(pytest.fail.Exception):
        export.hover_sprite(ws, dataset, [3, 0, 8], 24)  # other rows: another sprite


# -- spreadsheet formulas (OWASP "CSV Injection") -------------------------------------------
HOSTILE_NAMES = ['=HYPERLINK("http://x","click").png', "+cmd.png", "-2.png", "@SUM(A1).png", "plain.png"]
HOSTILE_LABELS = ["+cmd|' /C calc'!A0", "=1+1", "@x", "-y", "ok"]


def quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


@pytest.fixture
def hostile(workspace, make):
    """A dataset whose file names and labels are spreadsheet formulas, embedded untrained."""
    from ssl_core.data.ingest import ingest_uploads

    files = [(name, make.noise((16, 16), seed=i)) for i, name in enumerate(HOSTILE_NAMES)]
    csv = "\n".join(f"{quoted(n)},{quoted(label)}" for n, label in zip(HOSTILE_NAMES, HOSTILE_LABELS))
    ingest_uploads(workspace, files, name="hostile", size=16, labels_csv=csv.encode())
    return embed.embed(workspace, "hostile", embed.untrained("small_cnn", 16))


def expected_cells(cells: list[str]) -> list[str]:
    return [("'" + c) if c[0] in "=+-@" else c for c in cells]


def test_neutralise_prefixes_every_formula_start_and_leaves_the_rest():
    from ssl_core.spreadsheet import neutralise, neutralise_text_columns

    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(start + "x") == "'" + start + "x"
    assert neutralise("plain") == "plain" and neutralise("a=b") == "a=b" and neutralise("") == ""
    assert neutralise(-1.5) == -1.5 and neutralise(None) is None
    table = pd.DataFrame({"file": ["=a", "b"], "x": [-1.0, 2.0]})
    safe = neutralise_text_columns(table)
    assert list(safe["file"]) == ["'=a", "b"] and list(safe["x"]) == [-1.0, 2.0]
    assert list(table["file"]) == ["=a", "b"]  # a copy


def test_exports_neutralise_formulas_in_names_and_labels(workspace, hostile, monkeypatch):
    monkeypatch.setattr(export.project, "project",
                        lambda emb, method, dims, **_: np.linspace(-1, 1, 2 * len(HOSTILE_NAMES)).reshape(-1, 2))
    files = export.export(workspace, hostile, ["embeddings", "map", "projector"])
    names, labels = expected_cells(HOSTILE_NAMES), expected_cells(HOSTILE_LABELS)
    tables = {"embeddings.csv": pd.read_csv(io.BytesIO(files["embeddings.csv"]), keep_default_na=False),
              "map.csv": pd.read_csv(io.BytesIO(files["map.csv"]), keep_default_na=False),
              "metadata.tsv": pd.read_csv(io.BytesIO(files["metadata.tsv"]), sep="\t", keep_default_na=False)}
    for name, table in tables.items():
        assert list(table["file"]) == names, name
        assert list(table["label"]) == labels, name
    assert (tables["map.csv"]["x"] < 0).any()  # numbers stay numbers
    parquet = pd.read_parquet(io.BytesIO(files["embeddings.parquet"]))  # read by programs: exact
    assert list(parquet["file"]) == HOSTILE_NAMES and list(parquet["label"]) == HOSTILE_LABELS


def test_project_out_neutralises_formulas_in_file_names(workspace, hostile, tmp_path):
    out = tmp_path / "map.csv"
    done = subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(workspace.root), "project",
                           "--untrained", "--image-size", "16", "--dataset", "hostile", "--method", "pca",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table["file"]) == expected_cells(HOSTILE_NAMES)


def test_a_fifo_where_an_export_file_goes_is_refused_and_nothing_written(tmp_path):
    """`export --out DIR` over a DIR holding a FIFO named map.csv: renaming over it replaced it."""
    folder = tmp_path / "out"
    folder.mkdir()
    os.mkfifo(folder / "map.csv")
    with pytest.raises(ValueError, match=r"map\.csv: not a regular file; a device, FIFO or folder is never replaced"):
        export.to_folder({"embeddings.npy": b"x", "map.csv": b"y"}, folder)
    assert stat.S_ISFIFO(os.lstat(folder / "map.csv").st_mode) and not (folder / "embeddings.npy").exists()


# -- a text run ---------------------------------------------------------------------------
SENTENCES = [f"the {animal} {verb} the {thing}" for animal in ("cat", "dog", "bird", "fish")
             for verb in ("sees", "likes", "eats") for thing in ("ball", "tree", "food")]


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    """Dataset "words" (36 labelled sentences) and a tiny mlm_simcse run on it: (workspace, run id)."""
    from ssl_core.data.ingest import ingest_uploads
    from ssl_core.engine import TrainConfig
    from ssl_core.store import Workspace

    ws = Workspace(tmp_path_factory.mktemp("textexport") / "ws")
    rows = "".join(f"{text},{text.split()[1]}\n" for text in SENTENCES)
    ingest_uploads(ws, [("words.csv", f"text,label\n{rows}".encode())], name="words")
    config = TrainConfig(dataset="words", method="mlm_simcse", encoder="text_transformer", epochs=1, batch_size=12,
                         monitor_every=100, checkpoint_every=100, snapshot_every=0,
                         encoder_options={"width": 32, "layers": 1, "heads": 2, "vocab_size": 64})
    run_id = jobs.create_run(ws, config)
    assert jobs.execute(ws, run_id).status == "completed"
    return ws, run_id


def test_a_text_run_exports_every_part_with_sentences_in_the_projector_and_no_sprite(text_run, monkeypatch):
    """The default parts of a text source: the projector failed on 'holds text, not images'."""
    ws, run_id = text_run
    source = embed.from_run(ws, run_id)
    emb = embed.embed(ws, "words", source)
    monkeypatch.setattr(export.project, "project",
                        lambda emb, method, dims, **_: np.zeros((len(SENTENCES), 2)))  # UMAP: tested above
    files = export.export(ws, emb, export.parts_for(source))
    assert export.parts_for(source) == list(export.PARTS)
    assert "sprite.png" not in files and "sprite" not in files["projector_config.pbtxt"].decode()
    metadata = pd.read_csv(io.BytesIO(files["metadata.tsv"]), sep="\t")
    assert list(metadata.columns) == ["file", "label", "text"] and list(metadata["text"]) == SENTENCES
    assert np.loadtxt(io.BytesIO(files["vectors.tsv"]), delimiter="\t").shape == emb.features.shape


def test_an_exported_text_encoder_ships_its_tokenizer_and_gives_the_stored_embeddings(text_run, tmp_path):
    ws, run_id = text_run
    emb = embed.embed(ws, "words", embed.from_run(ws, run_id))
    files = export.export(ws, emb, ["encoder"])
    assert files["tokenizer.json"] == (jobs.run_dir(ws, run_id) / "tokenizer.json").read_bytes()
    config = json.loads(files["encoder.json"])
    assert config["image_size"] is None and config["kind"] == "text" and "token ids" in config["input"]
    assert "(N, 3, S, S)" not in files["load_encoder.py"].decode()
    export.to_folder(files, tmp_path / "out")
    ids = f"torch.from_numpy(encode(tokenizer, {SENTENCES[:4]!r}, config['options']['max_tokens']))"
    features = snippet_features(tmp_path / "out", ids, "from ssl_core.text.tokenizer import encode\n")
    np.testing.assert_allclose(features, emb.features[:4], rtol=1e-4, atol=1e-5)
