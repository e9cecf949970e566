"""Fixtures shared by every test."""

from __future__ import annotations

import os

if os.environ.get("PYTEST_XDIST_WORKER"):  # set before torch loads, here and in every process a test starts
    # two workers share the two cores: with two OpenMP threads each, threads spun waiting on a busy core (a suite of
    # 1,415 s, 33 min of CPU, a page's training worker at 18 images/s); one each, and a test may ask for more
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # and a run keeps its thread count (ssl_core/thread_share.py): one that changed it when the other worker
    # was busy trained on timing, and a fixture's run came out other than the one its test was written on
    os.environ.setdefault("SSL_FIXED_THREADS", "1")

import pytest  # noqa: E402

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
