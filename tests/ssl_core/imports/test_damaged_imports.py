"""Damaged or odd files and settings given to the imports are refused by name with the
reason, never with another exception (the CLI prints ImportRefused as one line; anything else is a
traceback)."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from ssl_core.data.ingest import ingest_uploads
from ssl_core.imports import ImportRefused, encoders
from ssl_core.imports.embeddings import import_embeddings
from ssl_core.imports.encoders import import_encoder
from ssl_core.imports.weights import first_line, read_state_dict
from ssl_core.store import Workspace


def saved_checkpoint() -> bytes:
    """A small .pt holding one tensor."""
    buffer = io.BytesIO()
    torch.save({"conv.weight": torch.zeros(2, 3)}, buffer)
    return buffer.getvalue()


def test_first_line_of_an_empty_message_is_the_exceptions_type():
    assert first_line(EOFError()) == "EOFError"
    assert first_line(ValueError("  \n")) == "ValueError"
    assert first_line(ValueError("first\nsecond"), limit=3) == "fir"
    assert first_line(KeyError(174812789)) == "KeyError 174812789"  # a junk .pt's only words


@pytest.mark.parametrize("data, reason", [
    (b"", "empty.pt: the file is empty"),
    (b"\x80", "empty.pt: not a readable PyTorch file"),  # one byte: torch raises IndexError
    (saved_checkpoint()[:100], "empty.pt: not a readable PyTorch file"),
])
def test_an_empty_or_truncated_weights_file_is_refused_by_name(tmp_path, data, reason):
    (tmp_path / "empty.pt").write_bytes(data)
    with pytest.raises(ImportRefused, match=reason):
        read_state_dict(tmp_path / "empty.pt")


@pytest.mark.parametrize("data", [saved_checkpoint(), pickle.dumps({"conv.weight": [0.0]}, protocol=2)])
def test_a_pickle_named_safetensors_is_said_to_be_one_with_its_conversion(tmp_path, data):
    """Walk 16 read "not a readable safetensors file (... header too large)" for a torch.save
    file renamed .safetensors; nothing in it is unpickled."""
    (tmp_path / "model.safetensors").write_bytes(data)
    with pytest.raises(ImportRefused, match=r"model.safetensors: not a safetensors file but a pickle \(what "
                                            r"torch.save writes\).*torch.load\('model.safetensors'"):
        read_state_dict(tmp_path / "model.safetensors")
    (tmp_path / "junk.safetensors").write_bytes(b"PK\x03\x04 not an archive" * 4)
    with pytest.raises(ImportRefused, match="junk.safetensors: not a readable safetensors file"):
        read_state_dict(tmp_path / "junk.safetensors")


def test_cli_refuses_an_empty_weights_file_in_one_line(tmp_path, capsys):
    from ssl_core.cli import main

    (tmp_path / "empty.pt").write_bytes(b"")
    status = main(["--workspace", str(tmp_path / "ws"), "import-encoder", "--name", "x",
                   "--arch", "torchvision:resnet18", "--weights", str(tmp_path / "empty.pt")])
    assert status == 1
    assert capsys.readouterr().err == "error: empty.pt: the file is empty (0 bytes); give the saved weights\n"


@pytest.fixture
def four(workspace, make) -> Workspace:
    """A workspace with dataset "four": four 8 px noise images."""
    ingest_uploads(workspace, [(f"{i}.png", make.noise((8, 8), seed=i)) for i in range(4)], name="four", size=8)
    return workspace


def npz_named_npy(path: Path) -> None:
    """An .npz archive of one (4, 3) array, saved under the name `path` (an .npy)."""
    np.savez(path.with_suffix(".npz"), vectors=np.ones((4, 3)))
    path.with_suffix(".npz").rename(path)


@pytest.mark.parametrize("file, write, reason", [
    ("x.npy", npz_named_npy, r"x\.npy: an \.npz archive, not one array; save one \(N, D\) array with np\.save"),
    ("wide0.npy", lambda p: np.save(p, np.ones((4, 0))),
     r"wide0\.npy: its vectors have no dimensions \(shape \(4, 0\)\)"),
    ("wide0.parquet", lambda p: pd.DataFrame({"file": [f"{i}.png" for i in range(4)], "vector": [[]] * 4})
     .to_parquet(p),
     r"wide0\.parquet: its vectors have no dimensions"),
    ("complex.npy", lambda p: np.save(p, np.ones((4, 3)) * 1j),
     r"complex\.npy: holds complex128 of shape \(4, 3\); expected integer or floating-point numbers"),
    ("flags.npy", lambda p: np.save(p, np.ones((4, 3), bool)), r"flags\.npy: holds bool"),
    ("flat.npy", lambda p: np.save(p, np.ones(4, np.float32)),  # walk 16 was told float32 is not floating-point
     r"flat\.npy: a 1-D array of shape \(4,\); expected a 2-D array, one row of D numbers per image \(N, D\)$"),
    ("huge.npy", lambda p: np.save(p, np.full((4, 3), 1e300)),
     r"huge\.npy: 4 vectors hold NaN, infinity or numbers beyond float32's range"),
    ("empty.npy", lambda p: p.write_bytes(b""), r"empty\.npy: the file is empty \(0 bytes\); give the saved vectors$"),
    ("empty.csv", lambda p: p.write_bytes(b""), r"empty\.csv: the file is empty \(0 bytes\)"),  # walk 23
])
def test_an_embedding_file_that_is_not_one_real_n_by_d_array_is_refused(four, tmp_path, file, write, reason):
    write(tmp_path / file)
    with pytest.raises(ImportRefused, match=reason):
        import_embeddings(four, "four", "bad", tmp_path / file)
    assert not encoders.folder(four, "bad").exists()


def test_unsigned_integer_vectors_are_taken(four, tmp_path):
    np.save(tmp_path / "ints.npy", np.arange(12, dtype=np.uint8).reshape(4, 3))
    assert import_embeddings(four, "four", "ints", tmp_path / "ints.npy")["shape"] == [4, 3]


@pytest.mark.parametrize("mean, std, reason", [
    (None, [0.0, 0.0, 0.0], r"--std 0\.0 0\.0 0\.0: every std must be a finite number above 0"),
    (None, [float("nan"), 1.0, 1.0], "--std nan 1.0 1.0: every std must be"),
    (None, [0.2, -0.2, 0.2], "every std must be a finite number above 0"),
    ([0.5, float("inf"), 0.5], None, "--mean 0.5 inf 0.5: every mean must be a finite number"),
])
def test_a_normalisation_that_makes_every_feature_nan_is_refused(workspace, tmp_path, mean, std, reason):
    with pytest.raises(ImportRefused, match=reason):
        import_encoder(workspace, "x", "torchvision:resnet18", tmp_path / "w.pt", mean=mean, std=std)
    assert not encoders.folder(workspace, "x").exists()
