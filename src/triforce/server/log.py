"""The server's log: one line per event on standard error (a leaf module)."""

from __future__ import annotations

import sys


def log(text: str) -> None:
    """Write ``triforce: text`` to standard error; a closed or broken stream is ignored."""
    try:
        print(f"triforce: {text}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass
