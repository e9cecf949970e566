"""Fixtures shared by every test."""

from __future__ import annotations

import pytest

from ssl_core.store import Workspace


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    """An empty workspace in its own folder under tmp_path."""
    return Workspace(tmp_path / "ws")
