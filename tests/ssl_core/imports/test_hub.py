"""ssl_core.imports.hub: an import of the zoo's weights with the hub out of reach is refused
at once (it waited about 50 s for huggingface_hub's retries), names --weights, and leaves the
hub's own offline setting as it found it; with a proxy or a host that resolves, nothing changes."""

from __future__ import annotations

import socket
import time

import huggingface_hub.constants
import pytest

from ssl_core.imports import ImportRefused, hub
from ssl_core.imports.encoders import import_encoder
from ssl_core.store import Workspace


def no_names(*args, **kwargs):
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.fixture
def online(monkeypatch):
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    for name in hub.PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_an_unreachable_hub_refuses_the_zoos_weights_at_once(tmp_path, monkeypatch, online):
    monkeypatch.setattr(socket, "getaddrinfo", no_names)
    started = time.monotonic()
    with pytest.raises(ImportRefused, match=r"timm:resnet10t: the hub \(\S+\) is offline here .* --weights FILE"):
        import_encoder(Workspace(tmp_path / "ws"), "r", "timm:resnet10t")
    assert time.monotonic() - started < 20, "the hub's retries were waited for"
    assert huggingface_hub.constants.HF_HUB_OFFLINE is False, "the hub's own setting was not restored"
    assert not (tmp_path / "ws" / "encoders" / "r").exists()


@pytest.mark.parametrize("case", ["resolves", "proxy", "user offline"])
def test_offline_mode_only_where_the_hub_cannot_be_reached(monkeypatch, online, case):
    if case == "resolves":
        monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [("addr",)])
    else:
        monkeypatch.setattr(socket, "getaddrinfo", no_names)
    if case == "proxy":
        monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    if case == "user offline":
        monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with hub.offline_unless_reachable() as offline:
        assert offline == (case == "user offline")
        assert huggingface_hub.constants.HF_HUB_OFFLINE == offline
    assert huggingface_hub.constants.HF_HUB_OFFLINE == (case == "user offline")
