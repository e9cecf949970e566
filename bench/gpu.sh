#!/usr/bin/env bash
# The GPU check in one command, from the repository root:
#
#     bash bench/gpu.sh
#
# Runs bench/gpu.py (training at 32 and 96 px, ours vs lightly; FAISS GPU vs CPU; UMAP;
# embedding) with the project's .venv (else python3), within 450 s (well under 8 minutes
# on one H100/H200). The FAISS GPU row needs faiss-gpu in that venv:
# .venv/bin/pip install -r requirements-gpu.txt. Without a CUDA GPU it says so and exits 0.
# Extra arguments go to bench/gpu.py (e.g. --budget 300).
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
[ -x "$python" ] || python=python3
exec "$python" bench/gpu.py "$@"
