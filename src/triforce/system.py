"""What the machine can give us right now (for choosing thread counts)."""

from __future__ import annotations

import os


def machine_busy() -> bool:
    """True when the one-minute load average (which counts this process while it runs)
    leaves no CPU idle for a second thread of ours."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        return True
    return load >= max(1.0, (os.cpu_count() or 1) - 0.5)


def compute_threads(limit: int = 8) -> int:
    """Threads for a compute-bound job: ``$TRIFORCE_THREADS`` if set; else every CPU (up
    to ``limit``) on an idle machine and one on a busy one, where spinning worker
    threads would wait on each other far longer than they save."""
    env = os.environ.get("TRIFORCE_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return 1 if machine_busy() else max(1, min(limit, os.cpu_count() or 1))
