"""Run numpy's small matrix products on one OpenBLAS thread when the machine is busy.

The router's matrices are small: a question is a handful of token rows, the head a
few hundred examples. Waking OpenBLAS's threads for them costs more than it saves,
and on a machine that is busy with other work their spin-waiting made one embedding
10 to 50 times slower (300 ms instead of 12 ms on a loaded 2-core machine). So the
encoder and the trainer run inside :func:`single_blas_thread`, which lowers numpy's
OpenBLAS to one thread and restores it afterwards. The encoder asks for that only
when the machine has no idle core (``busy_only``: the one-minute load average is at
least the number of CPUs less a half): on an idle machine its dense products are bound
by memory bandwidth, and two threads embed a question in about 60% of the time one
takes. Best effort: with another BLAS (Accelerate, MKL) or none found, it does nothing.

Environment variables (``OPENBLAS_NUM_THREADS``) would have to be set before numpy is
imported, which a library cannot promise; so the OpenBLAS that numpy loaded is found
(``/proc/self/maps`` on Linux, else numpy's bundled library directory) and its
``set_num_threads`` called through ctypes.
"""

from __future__ import annotations

import ctypes
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from triforce.system import machine_busy

_lock = threading.Lock()
_depth = 0
_saved = 0


def _candidates() -> list[str]:
    paths: list[str] = []
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:        # Linux: what is loaded
            for line in f:
                last = line.split()[-1] if line.split() else ""
                if "openblas" in last.lower() and last.startswith("/"):
                    paths.append(last)
    except OSError:
        pass
    if not paths:
        root = Path(np.__file__).parent
        for d in (root.parent / "numpy.libs", root / ".dylibs", root / ".libs"):
            if d.is_dir():
                paths += [str(p) for p in d.iterdir() if "openblas" in p.name.lower()]
    return sorted(set(paths))


@lru_cache(maxsize=1)
def openblas_threads_api() -> tuple | None:
    """numpy's OpenBLAS ``(get_num_threads, set_num_threads)`` functions, or None."""
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""),
                               ("openblas", "64_"), ("openblas", "")):
            get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                get.restype = ctypes.c_int
                put.argtypes = [ctypes.c_int]
                return get, put
    return None


@contextmanager
def single_blas_thread(busy_only: bool = False):
    """Run the block with one OpenBLAS thread (with ``busy_only``: only when
    :func:`machine_busy`); nested and concurrent uses are counted, and the last one out
    restores the number of threads the process had."""
    global _depth, _saved
    api = openblas_threads_api()
    if api is None or (busy_only and _depth == 0 and not machine_busy()):
        yield
        return
    get, put = api
    with _lock:
        if _depth == 0:
            _saved = get()
            if _saved != 1:
                put(1)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved != 1:
                put(_saved)


__all__ = ["openblas_threads_api", "single_blas_thread"]
