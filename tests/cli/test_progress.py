"""The spinner: drawn only on a terminal, erased when the work ends."""

from __future__ import annotations

import io
import time

from triforce.cli.progress import Spinner


def test_spinner_draws_and_erases_on_a_terminal(monkeypatch):
    err = io.StringIO()
    err.isatty = lambda: True
    monkeypatch.setattr("sys.stderr", err)
    with Spinner("proving rewrites") as sp:
        time.sleep(0.35)
        sp.set("still proving")
        time.sleep(0.25)
    out = err.getvalue()
    assert "| proving rewrites (0 s)" in out and "still proving" in out
    assert out.endswith("\r\x1b[K")


def test_spinner_is_silent_in_a_pipe(monkeypatch):
    err = io.StringIO()
    err.isatty = lambda: False
    monkeypatch.setattr("sys.stderr", err)
    with Spinner("working"):
        time.sleep(0.25)
    assert err.getvalue() == ""
