"""What a browser session of a shared app may do through Streamlit's own endpoints, beside
the pages app/access.py gates.

Streamlit answers some requests without running the script, so the sign-in form cannot
stop them:
- `PUT /_stcore/upload_file/<session>/<file>` keeps the file in the server's memory for any
  open session (a visitor on the sign-in form learns its own session id from the
  websocket); 4 uploads of 64 MB took the server from 92 to 349 MB, kept until the session
  expired. Here the route's session check (`Runtime.is_active_session`, asked before the
  body is read) also asks that the session has signed in, so a visitor who has not gets
  400 and the server reads none of the body.
- a websocket "clear cache" message empties every `st.cache_data` and `st.cache_resource`
  of the process, for every visitor (each map, encoder and index built again). A shared app
  ignores it; the log says who asked.
- an upload is kept in memory until its session ends, whatever file id it names (ids the
  page never handed out too): three 100 MB uploads of a signed-in session stayed 150 s after
  it closed, and nothing bounded their number. A session may hold SESSION_UPLOAD_BYTES of
  uploads at once ($SSL_SESSION_UPLOAD_MB, default 2,048: two of the largest file); past
  that an upload is answered 413 and not kept.
- `GET /_stcore/metrics` lists every cache's name and size and, for its `cache_memory_bytes`
  family, walks every session's state and cache (Streamlit calls it "CPU-heavy"): anyone on
  the network could read what is cached and make the server do that work on demand. A shared
  app answers it with no families.

`install()` patches these once per server process; `admit(session_id)` and `forget(...)` are
called by app/access.py when a session signs in or out.
"""

from __future__ import annotations

import logging
import os
import threading

from streamlit.runtime import Runtime
from streamlit.runtime.app_session import AppSession

_lock = threading.Lock()
_signed_in: set[str] = set()
_installed = False
_log = logging.getLogger(__name__)
SESSION_UPLOAD_BYTES = int(os.environ.get("SSL_SESSION_UPLOAD_MB", "2048")) * 1024**2


def admit(session_id: str) -> None:
    """Session `session_id` has signed in: it may upload."""
    with _lock:
        _signed_in.add(session_id)


def forget(session_id: str) -> None:
    """Session `session_id` signed out: no more uploads."""
    with _lock:
        _signed_in.discard(session_id)


def _limit_uploads(manager) -> None:
    """Uploads a session holds at once stay within SESSION_UPLOAD_BYTES (Streamlit's
    in-memory manager: `file_storage` {session: {file id: record}}; another is left as it is)."""
    if not hasattr(manager, "file_storage"):
        return
    from starlette.exceptions import HTTPException

    add = manager.add_file

    def add_within_budget(session_id: str, file) -> None:
        held = sum(len(kept.data) for name, kept in dict(manager.file_storage.get(session_id, {})).items()
                   if name != file.file_id)
        if held + len(file.data) > SESSION_UPLOAD_BYTES:
            _log.warning("session %s holds %d bytes of uploads: a further %d refused", session_id, held,
                         len(file.data))
            raise HTTPException(status_code=413, detail="This session holds too many uploads; reload the page.")
        add(session_id, file)

    manager.add_file = add_within_budget


def install() -> None:
    """Once per process: uploads only from signed-in sessions, no clearing of the caches, no
    cache metrics."""
    global _installed
    with _lock:
        if _installed:
            return
        runtime = Runtime.instance()
        is_open = runtime.is_active_session

        def open_and_signed_in(session_id: str) -> bool:
            with _lock:
                _signed_in.difference_update([s for s in _signed_in if not is_open(s)])  # closed sessions go
                return session_id in _signed_in and is_open(session_id)

        def ignore_clear_cache(session: AppSession) -> None:
            _log.warning("session %s asked to clear the caches of every visitor: ignored (the app is shared)",
                         session.id)

        runtime.is_active_session = open_and_signed_in  # the upload route's check, before it reads the body
        _limit_uploads(runtime.uploaded_file_mgr)
        AppSession._handle_clear_cache_request = ignore_clear_cache
        runtime.stats_mgr.registered_families = lambda: []  # the metrics route lists these ...
        runtime.stats_mgr.get_stats = lambda family_names=None: {}  # ... and asks for their numbers
        _installed = True
