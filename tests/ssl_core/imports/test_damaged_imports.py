"""Damaged or odd files given to the imports are refused by name with the reason, never
with another exception (the CLI prints ImportRefused as one line; anything else is a
traceback)."""

from __future__ import annotations

import io

import pytest
import torch

from ssl_core.imports import ImportRefused
from ssl_core.imports.weights import first_line, read_state_dict


def saved_checkpoint() -> bytes:
    """A small .pt holding one tensor."""
    buffer = io.BytesIO()
    torch.save({"conv.weight": torch.zeros(2, 3)}, buffer)
    return buffer.getvalue()


def test_first_line_of_an_empty_message_is_the_exceptions_type():
    assert first_line(EOFError()) == "EOFError"
    assert first_line(ValueError("  \n")) == "ValueError"
    assert first_line(ValueError("first\nsecond"), limit=3) == "fir"


@pytest.mark.parametrize("data, reason", [
    (b"", "empty.pt: the file is empty"),
    (b"\x80", "empty.pt: not a readable PyTorch file"),  # one byte: torch raises IndexError
    (saved_checkpoint()[:100], "empty.pt: not a readable PyTorch file"),
])
def test_an_empty_or_truncated_weights_file_is_refused_by_name(tmp_path, data, reason):
    (tmp_path / "empty.pt").write_bytes(data)
    with pytest.raises(ImportRefused, match=reason):
        read_state_dict(tmp_path / "empty.pt")


def test_cli_refuses_an_empty_weights_file_in_one_line(tmp_path, capsys):
    from ssl_core.cli import main

    (tmp_path / "empty.pt").write_bytes(b"")
    status = main(["--workspace", str(tmp_path / "ws"), "import-encoder", "--name", "x",
                   "--arch", "torchvision:resnet18", "--weights", str(tmp_path / "empty.pt")])
    assert status == 1
    assert capsys.readouterr().err == "error: empty.pt: the file is empty (0 bytes); give the saved weights\n"
