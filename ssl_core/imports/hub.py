"""Whether the model hub can be reached, asked once before timm fetches pretrained weights.

Offline, huggingface_hub retries each request with back-off (1 to 8 s, five times) for about
50 s before it looks in its local cache, and an import waited that long for its refusal. When
the hub's host does not resolve and no proxy is set, the fetch runs in the hub's offline mode
instead: weights already in its cache load at once, missing ones are refused at once.
"""

from __future__ import annotations

import contextlib
import os
import socket
import urllib.parse
from collections.abc import Iterator

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")  # the proxy resolves names itself


def endpoint() -> str:
    """The hub's address (HF_ENDPOINT, else huggingface.co)."""
    from huggingface_hub import constants

    return constants.ENDPOINT


def host_resolves(url: str) -> bool:
    """Whether the host of `url` has an address (a failed name lookup returns at once here)."""
    try:
        socket.getaddrinfo(urllib.parse.urlsplit(url).hostname, 443)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def offline_unless_reachable() -> Iterator[bool]:
    """Within it, huggingface_hub is in offline mode when its endpoint cannot be reached;
    yields whether it is. Its own setting (HF_HUB_OFFLINE) is kept and restored after."""
    from huggingface_hub import constants

    before = constants.HF_HUB_OFFLINE
    unreachable = not any(os.environ.get(name) for name in PROXY_VARIABLES) and not host_resolves(endpoint())
    constants.HF_HUB_OFFLINE = before or unreachable
    try:
        yield constants.HF_HUB_OFFLINE
    finally:
        constants.HF_HUB_OFFLINE = before
