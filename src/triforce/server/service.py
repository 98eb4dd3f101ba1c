"""What the server serves, independent of HTTP: the models, the questions, the answers.

One :class:`Service` wraps one :class:`~triforce.orchestra.Orchestrator`, shared by
every request thread (the embedded backend holds a lock, so model calls queue).
A request's own sampling settings (``max_tokens``, ``temperature``, ``top_p``,
``seed``) go to a shallow copy of the orchestrator that shares its backends,
tools and router, so no request changes another's settings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from triforce import __version__
from triforce.errors import UserError
from triforce.orchestra.answer import Answer
from triforce.orchestra.events import EventHandler
from triforce.orchestra.isolation import CALL_SECONDS, WorkerPool
from triforce.server.jobs import Busy, Job, Scheduler
from triforce.server.metrics import ServerMetrics

#: The model that lets the router pick the expert(s).
ROUTED_MODEL = "triforce"
#: Largest request body (bytes).
MAX_BODY = 1024 * 1024
#: Questions answered at once (they share one model, which answers one call at a time).
WORKERS = 1
#: Questions that may wait for a worker; one more is refused with 503 and Retry-After.
MAX_QUEUE = 8


def clip(text: object, n: int = 120) -> str:
    """``text`` for a log line or an error message: control characters escaped, cut to ``n``."""
    out = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text)[: n + 1])
    return out if len(out) <= n else out[: n - 3] + "..."


class ApiError(Exception):
    """An error reply: HTTP status, one-line message, OpenAI error type and code."""

    def __init__(self, status: int, message: str, type_: str = "invalid_request_error",
                 code: str | None = None, param: str | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.code = code
        self.param = param
        self.retry_after = retry_after    # seconds, sent as Retry-After


def bad_request(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, "invalid_request_error", code, param)


@dataclass
class Overrides:
    """A request's sampling settings; None leaves the expert's or server's default."""

    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    seed: int | None = None

    def empty(self) -> bool:
        return all(v is None for v in dataclasses.astuple(self))


@dataclass
class Question:
    """One question, checked: the text, the forced expert (None: routed), the history."""

    text: str
    model: str
    expert: str | None
    history: list[dict[str, str]] = field(default_factory=list)
    overrides: Overrides = field(default_factory=Overrides)


def grace(timeout: float) -> float:
    """Extra seconds past the model timeout before a request is cut off (tools, queueing)."""
    return max(2.0, timeout / 10)


class Service:
    """The server's state: the shared orchestrator, the API key, the limits, the counters.

    ``request_timeout`` (seconds) bounds one whole request, its wait for a worker included;
    by default the orchestrator's per-call model timeout plus :func:`grace`. ``workers``
    questions are answered at once and ``max_queue`` more wait their turn in order; beyond,
    a question is refused at once with 503 and a Retry-After estimate. With ``isolate``
    (the default) the tools work on code in a :class:`WorkerPool`, ``tool_seconds`` of CPU
    and wall time per call.
    """

    def __init__(self, orchestrator, *, api_key: str | None = None,
                 request_timeout: float | None = None, max_body: int = MAX_BODY,
                 workers: int = WORKERS, max_queue: int = MAX_QUEUE,
                 isolate: bool = True, tool_seconds: float = CALL_SECONDS) -> None:
        self.orchestrator = orchestrator
        # strangers' code (and the model's) is worked on in processes with CPU and memory
        # limits, never in the server's own interpreter
        self.pool = (WorkerPool(workers=min(4, os.cpu_count() or 1), seconds=tool_seconds)
                     if isolate else None)
        if self.pool is not None:
            orchestrator.tools.isolation = self.pool
        self.registry = orchestrator.registry
        self.api_key = api_key or None
        timeout = float(orchestrator.timeout)
        self.request_timeout = (float(request_timeout) if request_timeout is not None
                                else timeout + grace(timeout))
        self.max_body = max_body
        self.backends = list(orchestrator.chain)
        self.metrics = ServerMetrics()
        self.started = time.time()
        self.version = __version__
        self.scheduler = Scheduler(workers=workers, max_waiting=max_queue)
        # Routing is CPU-bound Python: more of it at once than there are cores only makes
        # every thread (/health included) wait longer for the interpreter.
        self._routing = threading.BoundedSemaphore(max(1, min(4, os.cpu_count() or 1)))
        self._closing = threading.Event()

    # -- models ------------------------------------------------------------------------------

    def model_names(self) -> list[str]:
        return [ROUTED_MODEL] + [e.id for e in self.registry]

    def resolve_model(self, name: Any) -> tuple[str, str | None]:
        """``(model id, expert id or None)`` for a request's ``model``; 404 when unknown."""
        if name is None:
            return ROUTED_MODEL, None
        if not isinstance(name, str):
            raise bad_request("'model' must be a string", "model")
        key = name.strip().lower()
        if key.endswith(":latest"):
            key = key[: -len(":latest")]
        if key in ("", ROUTED_MODEL):
            return ROUTED_MODEL, None
        if key in self.registry.experts:
            return key, key
        raise ApiError(404, f"the model '{clip(name, 80)}' does not exist (models: "
                       f"{', '.join(self.model_names())})", "invalid_request_error",
                       "model_not_found", "model")

    def describe(self, model: str) -> dict[str, Any]:
        """What a model is: the router or one expert."""
        if model == ROUTED_MODEL:
            return {"id": model, "name": "Triforce", "intent": "routed",
                    "description": "the router picks the expert(s) for each question"}
        e = self.registry.get(model)
        return {"id": e.id, "name": e.name, "intent": e.intent, "description": e.description}

    def digest(self, model: str) -> str:
        return hashlib.sha256(f"triforce/{self.version}/{model}".encode()).hexdigest()

    # -- questions ---------------------------------------------------------------------------

    def check(self, text: str) -> str:
        """The question as the orchestrator will take it, or a 400 with its one-line message."""
        from triforce.orchestra import check_question

        try:
            return check_question(text)
        except UserError as exc:
            raise bad_request(str(exc), "messages", "invalid_question") from None

    def orchestrator_for(self, overrides: Overrides):
        base = self.orchestrator
        if overrides.empty():
            return base
        max_tokens = (None if overrides.max_tokens is None       # a client may only lower it
                      else max(1, min(overrides.max_tokens, base.max_tokens)))
        return base.with_settings(max_tokens=max_tokens, seed=overrides.seed,
                                  temperature=overrides.temperature, top_p=overrides.top_p)

    def start(self, q: Question) -> Job:
        """Start answering ``q`` in a worker thread."""
        if self._closing.is_set():
            raise ApiError(503, "the server is shutting down", "server_error", "shutting_down")
        orch = self.orchestrator_for(q.overrides)

        def run(on_event: EventHandler) -> Answer:
            return orch.ask(q.text, expert=q.expert, history=q.history, on_event=on_event)

        job = Job(run, on_finish=self.scheduler.finished)
        try:
            self.scheduler.submit(job)
        except Busy as exc:
            self.metrics.refused()
            raise ApiError(503, f"the server is busy: {exc.waiting} questions are waiting "
                           f"for the model; try again in {exc.retry_after} s", "server_error",
                           "server_busy", retry_after=exc.retry_after) from None
        return job

    def deadline(self) -> float:
        return time.monotonic() + self.request_timeout

    def account(self, answer) -> dict[str, int]:
        """Token usage of an answer (the model's tokens; tools cost none), counted in metrics."""
        usage = answer.usage()
        self.metrics.answered(answer.ok, usage["prompt_tokens"], usage["completion_tokens"],
                              usage["calls"])
        return {k: usage[k] for k in ("prompt_tokens", "completion_tokens", "total_tokens")}

    @staticmethod
    def durations_ns(answer, wall_seconds: float) -> dict[str, int]:
        """Ollama's timing fields (nanoseconds) for an answer."""
        calls = [c for s in answer.sections for c in s.chats]
        ns = 1_000_000_000
        load = sum(c.load_time or 0.0 for c in calls)
        prompt_eval = sum(c.time_to_first_token or 0.0 for c in calls)
        evaluation = sum(max(0.0, c.total_time - (c.time_to_first_token or 0.0)) for c in calls)
        return {"total_duration": int(wall_seconds * ns), "load_duration": int(load * ns),
                "prompt_eval_duration": int(prompt_eval * ns),
                "eval_duration": int(evaluation * ns)}

    @staticmethod
    def structured(answer) -> dict[str, Any]:
        """The non-standard ``triforce`` field: the plan, routing and what was verified."""
        d = answer.to_dict()
        return {
            "ok": d["ok"], "plan": d["plan"], "routing": d["routing"],
            "verification": d["verification"],
            "sections": [{k: s[k] for k in ("expert", "title", "status", "code", "notes")}
                         for s in d["sections"]],
            "model": d["model"], "seconds": d["seconds"],
        }

    # -- routing -----------------------------------------------------------------------------

    def route(self, text: str, verbose: bool = False) -> dict[str, Any]:
        question = self.check(text)
        t0 = time.perf_counter()
        with self._routing:
            decision = self.orchestrator.route(question)
        out = decision.to_dict(verbose=verbose)
        out["fallback"] = decision.fallback
        out["seconds"] = round(time.perf_counter() - t0, 6)
        return out

    # -- health and metrics ------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "version": self.version, "backends": self.backends,
                "models": self.model_names(), "uptime_s": round(time.time() - self.started, 3),
                "in_flight": self.metrics.snapshot()["in_flight"],
                "questions": self.scheduler.counts(),
                "auth": self.api_key is not None}

    def metrics_text(self) -> str:
        from triforce.routing import stats
        from triforce.server.metrics import render

        routing = None
        error = None
        try:
            routing = stats.summary()
        except UserError as exc:
            error = str(exc)
        return render(self.metrics.snapshot(), routing, error, self.version)

    # -- shutdown ----------------------------------------------------------------------------

    def close(self, wait: float = 3.0) -> None:
        """Cancel every job and wait (a little) for the running ones to stop."""
        self._closing.set()
        self.scheduler.close(wait)
        if self.pool is not None:
            self.pool.close()
