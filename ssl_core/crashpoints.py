"""Deliberate crashes, for the crash-consistency test (tests/ssl_core/test_crash.py).

The places where a crash could leave the workspace half-changed call `crash_point(name)`:
the atomic-write helper (`write:<file name>`, after the temporary file is written and
fsynced, before it is renamed) and the few multi-step operations in store.py and jobs.py
(`import:publish`, `import:renamed`, `replace:committed`, `delete:committed`,
`claim:committed`). When the environment variable SSL_CRASH_POINT is set when this module
is imported, the first point whose name starts with its value kills the process with
SIGKILL, exactly as `kill -9` would. Unset, a call is one comparison with None.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "SSL_CRASH_POINT"
_TARGET = os.environ.get(CRASH_ENV) or None


def crash_point(name: str) -> None:
    """Die here by SIGKILL when $SSL_CRASH_POINT is a prefix of `name`; else nothing."""
    if _TARGET is not None and name.startswith(_TARGET):
        os.kill(os.getpid(), signal.SIGKILL)
