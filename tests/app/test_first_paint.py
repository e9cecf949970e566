"""The first paint must not wait for torch, UMAP or FAISS: the entry page and the Data
page import none of them. Checked in a fresh interpreter, so other tests cannot mask it."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "torchvision", "umap", "faiss", "numba", "kornia", "lightly")

PROBE = f"""
import json, sys
from streamlit.testing.v1 import AppTest
from tests.app_settings import read_app_settings
read_app_settings()
at = AppTest.from_file({str(ROOT / 'app' / 'main.py')!r}, default_timeout=120).run()
assert not at.exception, at.exception
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""


def test_app_start_imports_no_heavy_library(tmp_path):
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                            env={"SSL_WORKSPACE": str(tmp_path / "ws"), "PATH": "/usr/bin:/bin"},
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
