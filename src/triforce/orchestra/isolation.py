"""Work on untrusted code in worker processes, each with a CPU-time and a memory limit.

The server answers strangers: their code (and the model's) is assembled, emulated and
checked in a :class:`WorkerPool`, so one request's computation never holds the server's
interpreter, and one that runs past its limit is killed and its worker replaced. A call
names a module-level function (``"module:function"``) and passes picklable arguments.

Each call gets ``seconds`` of CPU time (``RLIMIT_CPU``, set afresh before the call) and the
same in wall time (the caller kills the worker then); a worker's address space is capped at
``memory`` bytes. Workers start on first use and are spawned, never forked (the server has
threads and a loaded model).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from triforce.errors import UserError

#: CPU seconds (and wall seconds) one call may take.
CALL_SECONDS = 10.0
#: Address space of one worker (bytes): the assembler's and emulator's bounds fit well inside.
WORKER_MEMORY = 2 << 30


class IsolationError(Exception):
    """The call did not finish in its worker: past its time, out of memory, or it crashed."""


def _resolve(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _serve(conn: Connection, memory: int, seconds: float) -> None:
    """A worker's loop: one (target, args, kwargs) in, one (kind, value) out."""
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ValueError, OSError):
        pass
    try:
        os.nice(5)          # the HTTP threads come first
    except OSError:
        pass
    while True:
        try:
            target, args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        used = resource.getrusage(resource.RUSAGE_SELF)
        spent = used.ru_utime + used.ru_stime
        soft = int(spent + seconds) + 1
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))
        except (ValueError, OSError):
            pass
        try:
            value = ("ok", _resolve(target)(*args, **kwargs))
        except UserError as exc:
            value = ("user_error", str(exc))
        except MemoryError:
            value = ("failed", "it ran out of memory")
        except Exception as exc:  # noqa: BLE001 - reported to the caller, the worker lives on
            value = ("failed", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(value)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result
            conn.send(("failed", f"the result could not be sent back: {exc}"))


@dataclass
class _Worker:
    process: Any
    conn: Connection


class WorkerPool:
    """Up to ``workers`` processes; :meth:`call` waits for a free one (thread-safe)."""

    def __init__(self, workers: int = 2, seconds: float = CALL_SECONDS,
                 memory: int = WORKER_MEMORY) -> None:
        self.size = max(1, workers)
        self.seconds = seconds
        self.memory = memory
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []
        self._started = 0
        self._cond = threading.Condition()
        self._closed = False
        self.killed = 0              # workers stopped at a limit

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        p = self._ctx.Process(target=_serve, args=(child, self.memory, self.seconds),
                              name="triforce-tool", daemon=True)
        p.start()
        child.close()
        return _Worker(p, parent)

    def _take(self) -> _Worker | None:
        """An idle worker, or None when the caller should start a new one."""
        with self._cond:
            while True:
                if self._closed:
                    raise IsolationError("the server is shutting down")
                if self._idle:
                    return self._idle.pop()
                if self._started < self.size:
                    self._started += 1
                    return None
                self._cond.wait()

    def _give(self, w: _Worker | None) -> None:
        with self._cond:
            if w is None:
                self._started -= 1
            elif self._closed:
                _stop(w)
                self._started -= 1
            else:
                self._idle.append(w)
            self._cond.notify()

    def call(self, target: str, *args: Any, **kwargs: Any) -> Any:
        """``target(*args, **kwargs)`` in a worker. A UserError in it is raised here as a
        UserError; a call past its time or memory, or a crash, is an IsolationError."""
        w = self._take()
        try:
            if w is None:
                w = self._spawn()
            w.conn.send((target, args, kwargs))
            deadline = time.monotonic() + self.seconds + 1.0
            ready = w.conn.poll(max(0.0, deadline - time.monotonic()))
            if not ready:
                self._kill(w)
                w = None
                raise IsolationError(f"it ran past {self.seconds:g} s and was stopped")
            try:
                kind, value = w.conn.recv()
            except (EOFError, OSError):
                code = w.process.exitcode
                self._kill(w)
                w = None
                why = ("it used more than its CPU time" if code in (-24, -9)
                       else "it ran out of memory or crashed")
                raise IsolationError(f"{why} and was stopped") from None
        except BaseException:
            self._give(w)
            raise
        self._give(w)
        if kind == "ok":
            return value
        if kind == "user_error":
            raise UserError(value)
        raise IsolationError(value)

    def _kill(self, w: _Worker) -> None:
        self.killed += 1
        _stop(w)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for w in idle:
            _stop(w)


def _stop(w: _Worker) -> None:
    try:
        w.conn.close()
    except OSError:
        pass
    if w.process.is_alive():
        w.process.kill()
    w.process.join(2)
