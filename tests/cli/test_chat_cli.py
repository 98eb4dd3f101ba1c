"""``triforce chat`` as a user drives it: lines on stdin, answers on stdout."""

from __future__ import annotations

import subprocess
import sys


def test_chat_keeps_going_after_mistakes_and_switches_experts():
    lines = "\n".join([
        "/expert ghost",                       # unknown: one error line, the chat goes on
        "/expert veran",
        "what does $2100 do?",
        "/auto",
        "/reset",
        "/quit",
        "this line is never read",
    ]) + "\n"
    proc = subprocess.run(
        [sys.executable, "-m", "triforce.cli.main", "chat", "--max-tokens", "8"],
        input=lines, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "unknown expert 'ghost'" in proc.stderr
    assert proc.stderr.count("triforce: error:") == 1
    out = proc.stdout
    assert "(asking Veran)" in out
    assert "## Veran (analysis)" in out and "$2100 INIDISP" in out
    assert "(the router picks the expert)" in out and "(conversation forgotten)" in out
    assert "never read" not in out
