"""A spinner on stderr for work that may take more than a second (only on a terminal,
so pipes and logs stay clean)."""

from __future__ import annotations

import sys
import threading
import time


class Spinner:
    """A spinner on stderr while something slow runs (only on a terminal)."""

    FRAMES = "|/-\\"

    def __init__(self, text: str) -> None:
        self.text = text
        self.on = sys.stderr.isatty()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def set(self, text: str) -> None:
        self.text = text

    def __enter__(self):
        if self.on:
            self._thread = threading.Thread(target=self._spin, daemon=True)
            self._thread.start()
        return self

    def _spin(self) -> None:
        t0 = time.monotonic()
        i = 0
        while not self._stop.wait(0.1):
            sys.stderr.write(f"\r{self.FRAMES[i % 4]} {self.text} ({time.monotonic() - t0:.0f} s)"
                             "\x1b[K")
            sys.stderr.flush()
            i += 1

    def pause(self) -> None:
        if self.on and self._thread:
            self._stop.set()
            self._thread.join()
            self._thread = None
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

    def __exit__(self, *exc) -> None:
        self.pause()
