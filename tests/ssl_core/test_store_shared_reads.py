"""Workspace.shared_reads: one connection for a thread's reads, every write still seen."""

import sqlite3
import threading

import pytest

from ssl_core.store import Workspace


def test_reads_share_one_connection_and_see_writes(tmp_path):
    ws = Workspace(tmp_path)
    with ws.shared_reads():
        with ws.read() as first, ws.read() as second:
            assert first is second
        assert ws.get_meta("greeting") is None
        ws.set_meta("greeting", "hello")  # committed on a connection of its own
        assert ws.get_meta("greeting") == "hello"
        elsewhere = []

        def read_elsewhere():
            with ws.read() as conn:
                elsewhere.append(conn)

        thread = threading.Thread(target=read_elsewhere)
        thread.start()
        thread.join()
        assert elsewhere[0] is not first  # another thread opens its own
    with pytest.raises(sqlite3.ProgrammingError):  # closed on leaving
        first.execute("SELECT 1")
    with ws.read() as later:
        assert later is not first
