"""Numpy's OpenBLAS on one thread in the app's server process, set before numpy loads it
(app/main.py imports this module first; `OPENBLAS_NUM_THREADS` set by whoever starts the
app wins). The server's numpy work is small (a frame of the map in motion's PCA and kNN,
maps, linear probes) and runs beside a training run on the same cores, where two OpenBLAS
threads wait on each other: one frame of the map in motion (PCA and kNN of 1,024 x 128
features) took 294 ms on OpenBLAS's two threads against 108 ms on one while a run trained
(bench/blas_contention.py, ratio 2.72). Torch uses MKL and its own threads, unaffected;
the training workers this server starts inherit the setting (their numpy work is as small)."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
