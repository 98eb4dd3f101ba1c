"""One question being answered: the orchestrator in a worker thread, its events in a queue.

A :class:`Scheduler` runs a bounded number of jobs at once and lets a bounded number
wait their turn, first come first served; beyond, :class:`Busy`. The HTTP thread
reads the events with a deadline that counts the wait too. When the deadline passes (or the
client goes away) the job is cancelled: the next event the orchestrator emits (a
token, a tool result, the end of a section) raises :class:`Cancelled` inside the
worker, which unwinds it and releases the model for the next request.

:class:`TextStream` turns the events into the pieces of one readable answer, so
that a streamed reply, concatenated, is a complete answer: each section's heading,
the model's words as they come, the tools' verified text, the notes, and finally
the verification summary.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from triforce.orchestra.answer import Answer, Section, Status
from triforce.orchestra.code import AsmCheck, CodeGate
from triforce.orchestra.events import Event, EventHandler, Retry, SectionDone, StepStarted, Token


class Cancelled(Exception):  # noqa: N818 - a signal, not an error condition
    """Raised inside the worker to stop a job (deadline passed, client gone, shutdown)."""


class Timeout(Exception):  # noqa: N818
    """The job ran past its deadline (raised in the HTTP thread): ``queued`` seconds of it
    waiting for a worker, ``ran`` whether it got one."""

    def __init__(self, queued: float, ran: bool) -> None:
        super().__init__(f"deadline passed ({queued:.1f} s queued)")
        self.queued = queued
        self.ran = ran


class Busy(Exception):  # noqa: N818
    """Every worker is busy and the queue is full: try again in ``retry_after`` seconds."""

    def __init__(self, waiting: int, retry_after: int) -> None:
        super().__init__(f"{waiting} requests are waiting")
        self.waiting = waiting
        self.retry_after = retry_after


@dataclass(frozen=True)
class Answered:
    """The job's last event: its answer."""

    answer: Answer


@dataclass(frozen=True)
class Failed:
    """The job's last event: the exception that ended it (:class:`Cancelled` included)."""

    error: BaseException


JobEvent = Event | Answered | Failed


class Job:
    """``run(on_event) -> Answer`` in a daemon thread; ``events(deadline)`` yields its events.

    Every event is the orchestrator's, then exactly one :class:`Answered` or
    :class:`Failed`.
    """

    def __init__(self, run: Callable[[EventHandler], Answer],
                 on_finish: Callable[[Job], None] | None = None) -> None:
        self._run = run
        self._on_finish = on_finish
        self.queue: queue.Queue[JobEvent] = queue.Queue()
        self.cancelled = threading.Event()
        self.thread = threading.Thread(target=self._work, name="triforce-job", daemon=True)
        self.created = time.monotonic()
        self.began: float | None = None     # when a worker took it up

    def start(self) -> Job:
        self.began = time.monotonic()
        self.thread.start()
        return self

    def queued(self) -> float:
        """Seconds it waited (or has been waiting) for a worker."""
        return (self.began or time.monotonic()) - self.created

    def cancel(self) -> None:
        self.cancelled.set()

    def _emit(self, event: Event) -> None:
        if self.cancelled.is_set():
            raise Cancelled()
        self.queue.put(event)

    def _work(self) -> None:
        try:
            answer = self._run(self._emit)
        except Cancelled:
            self.queue.put(Failed(Cancelled()))
        except BaseException as exc:  # noqa: BLE001 - handed to the HTTP thread
            self.queue.put(Failed(exc))
        else:
            self.queue.put(Answered(answer))
        finally:
            if self._on_finish:
                self._on_finish(self)

    def events(self, deadline: float) -> Iterator[JobEvent]:
        """The events until the final one; :class:`Timeout` (and cancel) at ``deadline``
        (a ``time.monotonic()`` value)."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.cancel()
                raise Timeout(self.queued(), self.began is not None)
            try:
                event = self.queue.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            yield event
            if isinstance(event, Answered | Failed):
                return

    def wait(self, deadline: float) -> Answer:
        """The Answer, or the job's exception raised here (:class:`Timeout` at the deadline)."""
        for event in self.events(deadline):
            if isinstance(event, Answered):
                return event.answer
            if isinstance(event, Failed):
                raise event.error
        raise RuntimeError("the job ended without an answer")  # pragma: no cover


class Scheduler:
    """Runs at most ``workers`` jobs at once; up to ``max_waiting`` more wait in order.

    A cancelled job keeps its worker until its thread has unwound (a model call or a tool
    may take a while to notice), so the worker threads never outnumber ``workers``; a
    cancelled job still waiting is dropped from the queue.
    """

    def __init__(self, workers: int = 1, max_waiting: int = 8) -> None:
        self.workers = workers
        self.max_waiting = max_waiting
        self._lock = threading.Lock()
        self._running: set[Job] = set()
        self._waiting: deque[Job] = deque()
        self._mean_run = 0.0          # seconds a job holds a worker (moving average)

    def submit(self, job: Job) -> None:
        """Start ``job`` now or queue it; :class:`Busy` when the queue is full."""
        with self._lock:
            self._waiting = deque(j for j in self._waiting if not j.cancelled.is_set())
            if len(self._running) < self.workers:
                self._running.add(job)
            elif len(self._waiting) < self.max_waiting:
                self._waiting.append(job)
                return
            else:
                raise Busy(len(self._waiting), self._retry_after())
        job.start()

    def finished(self, job: Job) -> None:
        """``job``'s thread ended: its worker takes up the next job waiting."""
        ready = []
        with self._lock:
            if job not in self._running:
                return
            self._running.discard(job)
            ran = time.monotonic() - (job.began or job.created)
            self._mean_run = ran if not self._mean_run else 0.7 * self._mean_run + 0.3 * ran
            while self._waiting and len(self._running) < self.workers:
                nxt = self._waiting.popleft()
                if not nxt.cancelled.is_set():
                    self._running.add(nxt)
                    ready.append(nxt)
        for nxt in ready:
            nxt.start()

    def _retry_after(self) -> int:
        ahead = len(self._running) + len(self._waiting)
        return max(1, min(300, math.ceil(self._mean_run * ahead / self.workers)))

    def retry_after(self) -> int:
        """Seconds until a worker is likely free for one more job (an estimate, at least 1)."""
        with self._lock:
            return self._retry_after()

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {"running": len(self._running), "waiting": len(self._waiting),
                    "workers": self.workers, "max_waiting": self.max_waiting}

    def close(self, wait: float) -> bool:
        """Cancel every job (a waiting one ends at once) and wait up to ``wait`` seconds for
        the running ones; whether they all stopped."""
        with self._lock:
            waiting, running = list(self._waiting), list(self._running)
            self._waiting.clear()
        for j in waiting:
            j.cancel()
            j.queue.put(Failed(Cancelled()))
        for j in running:
            j.cancel()
        end = time.monotonic() + wait
        for j in running:
            j.thread.join(max(0.0, end - time.monotonic()))
        return not any(j.thread.is_alive() for j in running)


class TextStream:
    """The orchestrator's events as pieces of text that add up to a complete answer."""

    def __init__(self, check: Callable[[str], AsmCheck] | None = None) -> None:
        self.emitted = False
        self._expert = "The model"
        self._model_open = False
        self._newline_due = False
        self._check = check
        self._gate = CodeGate(check)   # code reaches the client only once it assembles

    def _flush_gate(self) -> str:
        rest = self._gate.flush()
        self._gate = CodeGate(self._check)
        return rest

    def _para(self, text: str) -> str:
        out = ("\n\n" if self.emitted else "") + text
        self.emitted = True
        self._newline_due = False
        return out

    def feed(self, event: Event) -> str:
        """The text this event adds ("" for none)."""
        match event:
            case StepStarted(step, expert):
                self._expert = expert.name
                self._model_open = False
                return self._para(f"## {expert.name} ({step.intent})")
            case Token(text):
                piece = self._gate.feed(text)
                if not piece:
                    return ""
                if not self._model_open:
                    self._model_open = True
                    return self._para(f"{self._expert} (model):\n{piece}")
                if self._newline_due:
                    self._newline_due = False
                    return "\n\n" + piece
                return piece
            case Retry(error):
                out = self._flush_gate() + self._para(
                    f"(That code does not assemble: {error}; asking again.)")
                self._model_open = True          # the next attempt's tokens follow, after a gap
                self._newline_due = True
                return out
            case SectionDone(sec):
                return self._flush_gate() + self._section(sec)
        return ""

    def _section(self, sec: Section) -> str:
        self._model_open = False
        parts: list[str] = []
        if sec.status is Status.SKIPPED:
            parts.append(self._para(f"## {sec.title}"))
            parts.append(self._para("Not run: " + "; ".join(sec.notes)))
            return "".join(parts)
        if sec.tool_text:
            parts.append(self._para(sec.tool_text.rstrip()))
        for note in sec.notes:
            parts.append(self._para(f"Note: {note}"))
        return "".join(parts)

    def finish(self, answer) -> str:
        """The verification summary that ends the answer."""
        lines = answer.summary_lines()
        tail = self._para("## Verification\n" + "\n".join(lines)) if lines else ""
        return tail + "\n"
