"""The app's server runs numpy's OpenBLAS on one thread (app/blas_threads.py), set before
anything loads numpy; a setting given by whoever starts the app wins. Checked in fresh
interpreters, as the server starts."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, app.blas_threads, numpy
from threadpoolctl import threadpool_info
print(json.dumps(sorted({i["num_threads"] for i in threadpool_info() if i["internal_api"] == "openblas"})))
"""


def openblas_threads(env: dict) -> list[int]:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_one_openblas_thread_unless_the_starter_says_otherwise():
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert openblas_threads(env) == [1]
    assert openblas_threads({**env, "OPENBLAS_NUM_THREADS": "2"}) == [2]


def test_main_imports_it_before_any_other_module_of_the_app():
    tree = ast.parse((ROOT / "app" / "main.py").read_text())
    imported = [node.names[0].name if isinstance(node, ast.Import) else node.module
                for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    ours = [name for name in imported if name.split(".")[0] in ("app", "ssl_core", "streamlit")]
    assert ours[0] == "app.blas_threads"
