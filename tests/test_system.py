"""Thread counts follow the machine's load and the user's setting."""

from __future__ import annotations

import os

from triforce import system


def test_compute_threads(monkeypatch):
    monkeypatch.setenv("TRIFORCE_THREADS", "3")
    assert system.compute_threads() == 3
    monkeypatch.delenv("TRIFORCE_THREADS")
    cpus = os.cpu_count() or 1
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert not system.machine_busy() and system.compute_threads(limit=8) == min(8, cpus)
    monkeypatch.setattr(os, "getloadavg", lambda: (float(cpus) + 1, 0.0, 0.0))
    assert system.machine_busy() and system.compute_threads() == 1
