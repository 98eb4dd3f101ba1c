"""What the OpenAI and Ollama endpoints share: checking request fields, waiting for an
answer, streaming one, and turning failures into error replies."""

from __future__ import annotations

import os
import traceback
from itertools import chain
from typing import Protocol

from triforce.errors import UserError
from triforce.server.jobs import Answered, Cancelled, Failed, Job, TextStream, Timeout
from triforce.server.log import log
from triforce.server.service import ApiError, Service, bad_request

# -- request fields ----------------------------------------------------------------------


def opt_int(d: dict, key: str, lo: int | None = None, hi: int | None = None,
            where: str = "") -> int | None:
    v = d.get(key)
    if v is None:
        return None
    name = where + key
    if isinstance(v, bool) or not isinstance(v, int | float) or v != int(v):
        raise bad_request(f"'{name}' must be an integer", key)
    v = int(v)
    if lo is not None and v < lo:
        raise bad_request(f"'{name}' must be at least {lo}", key)
    if hi is not None and v > hi:
        raise bad_request(f"'{name}' must be at most {hi}", key)
    return v


def opt_number(d: dict, key: str, lo: float, hi: float, where: str = "") -> float | None:
    v = d.get(key)
    if v is None:
        return None
    name = where + key
    if isinstance(v, bool) or not isinstance(v, int | float) or v != v:
        raise bad_request(f"'{name}' must be a number", key)
    if not lo <= v <= hi:
        raise bad_request(f"'{name}' must be between {lo:g} and {hi:g}", key)
    return float(v)


def opt_bool(d: dict, key: str, default: bool, where: str = "") -> bool:
    v = d.get(key)
    if v is None:
        return default
    if not isinstance(v, bool):
        raise bad_request(f"'{where}{key}' must be true or false", key)
    return v


def opt_dict(d: dict, key: str) -> dict:
    v = d.get(key)
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise bad_request(f"'{key}' must be an object", key)
    return v


# -- failures ----------------------------------------------------------------------------


def error_for(exc: BaseException, svc: Service) -> ApiError:
    """The error reply for what stopped a job."""
    from triforce.llm.errors import BackendError

    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, Timeout):
        svc.metrics.timed_out()
        if not exc.ran:       # it never got a worker: the queue, not the question, was slow
            retry = svc.scheduler.retry_after()
            return ApiError(503, f"the server is busy: the question waited {exc.queued:.0f} s "
                            "for the model and was not started; try again in "
                            f"{retry} s", "server_error", "server_busy", retry_after=retry)
        return ApiError(504, f"no answer within {svc.request_timeout:g} s"
                        f"{f' ({exc.queued:.0f} s of it waiting for the model)' if exc.queued >= 1 else ''}"
                        "; the request was stopped", "timeout_error", "timeout")
    if isinstance(exc, Cancelled):
        return ApiError(503, "the request was cancelled (the server is stopping)",
                        "server_error", "cancelled")
    if isinstance(exc, BackendError):
        return ApiError(502, str(exc), "backend_error", exc.kind)
    if isinstance(exc, UserError):
        return bad_request(str(exc))
    log(f"internal error while answering: {type(exc).__name__}: {exc}")
    if os.environ.get("TRIFORCE_DEBUG"):
        traceback.print_exception(exc)
    return ApiError(500, f"internal error: {type(exc).__name__}", "server_error",
                    "internal_error")


def wait_answer(svc: Service, job: Job, deadline: float):
    """The job's Answer, or the ApiError that says why there is none."""
    try:
        return job.wait(deadline)
    except BaseException as exc:  # noqa: BLE001 - every failure becomes an error reply
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise error_for(exc, svc) from None


# -- streaming ---------------------------------------------------------------------------


class StreamFormat(Protocol):
    content_type: str

    def opening(self) -> bytes: ...

    def piece(self, text: str) -> bytes: ...

    def closing(self, answer, text: str) -> bytes: ...

    def error(self, err: ApiError) -> bytes: ...


def run_stream(svc: Service, ex, job: Job, deadline: float, fmt: StreamFormat) -> None:
    """Stream ``job``'s answer in ``fmt``.

    The reply's headers wait for the first event (the plan, right after routing), so a
    question the orchestrator refuses still gets a plain error status.
    """
    events = job.events(deadline)
    try:
        first = next(events)
    except BaseException as exc:  # noqa: BLE001
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise error_for(exc, svc) from None
    if isinstance(first, Failed):
        raise error_for(first.error, svc)
    text = TextStream(svc.orchestrator.tools.check)
    out = ex.stream(fmt.content_type)
    try:
        out.write(fmt.opening())
        try:
            for event in chain([first], events):
                if isinstance(event, Answered):
                    out.write(fmt.closing(event.answer, text.finish(event.answer)))
                    break
                if isinstance(event, Failed):
                    err = error_for(event.error, svc)
                    ex.note = f"stream ended by an error: {err.message}"
                    out.write(fmt.error(err))
                    break
                piece = text.feed(event)
                if piece:
                    out.write(fmt.piece(piece))
        except Timeout as exc:
            err = error_for(exc, svc)
            ex.note = err.message
            out.write(fmt.error(err))
        out.end()
    except OSError:
        job.cancel()          # the client went away: stop the model at its next token
        raise
