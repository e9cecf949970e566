"""Fixtures shared by every test."""

from __future__ import annotations

import pytest

from ssl_core.store import Workspace
from tests.app_settings import read_app_settings


@pytest.fixture(scope="session", autouse=True)
def app_settings() -> None:
    """AppTest runs the app with its own settings (tests/app_settings.py)."""
    read_app_settings()


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    """An empty workspace in its own folder under tmp_path."""
    return Workspace(tmp_path / "ws")
