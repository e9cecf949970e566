"""AppTest: a workspace that cannot be opened (a file, a damaged or foreign ssl.db) shows
one clear message in the app and no traceback (issue 13.7)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"


@pytest.mark.parametrize("kind", ["file", "damaged", "foreign"])
def test_a_workspace_that_cannot_be_opened_is_one_message(tmp_path, monkeypatch, kind):
    root = tmp_path / "ws"
    if kind == "file":
        root.write_text("not a folder")
    else:
        root.mkdir()
        if kind == "damaged":
            (root / "ssl.db").write_bytes(b"\x00garbage" * 1000)
        else:
            conn = sqlite3.connect(root / "ssl.db")
            conn.execute("CREATE TABLE orders(id INTEGER)")
            conn.commit()
            conn.close()
    monkeypatch.setenv("SSL_WORKSPACE", str(root))
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert [e.value.split(":")[0] for e in at.error] == ["The workspace cannot be opened"]
    reason = {"file": "is not a folder", "damaged": "is damaged", "foreign": "is not an SSL Lens"}[kind]
    assert reason in at.error[0].value.replace("\\", "")  # the message is Markdown-escaped
