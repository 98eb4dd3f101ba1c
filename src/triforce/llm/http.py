"""Small HTTP client for the remote backends: JSON in, JSON or lines out, one deadline.

Standard library only. No proxy is ever used (the servers are the user's own). Every
failure becomes one :class:`BackendError` that says what happened and where.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from triforce.llm.errors import (
    BackendError,
    BackendTimeout,
    BadReply,
    MissingModel,
    Refused,
    Unreachable,
)

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
MAX_REPLY = 64 * 1024 * 1024


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def check(self, backend: str, url: str) -> None:
        if self.left() <= 0:
            raise BackendTimeout(backend, f"no answer from {url} within {self.seconds:g} s")


def request(backend: str, method: str, url: str, body: Any = None, *,
            headers: dict[str, str] | None = None, deadline: Deadline,
            not_found: str | None = None):
    """Open ``url``; returns the response object (a context manager) or raises BackendError.

    ``not_found`` is the message for a 404 (a missing model, usually).
    """
    data = None if body is None else json.dumps(body).encode()
    hdrs = {"Content-Type": "application/json", "Accept": "application/json"}
    hdrs.update(headers or {})
    try:
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    except ValueError as exc:   # a malformed address in the user's settings
        raise Unreachable(backend, f"{url} is not a usable address ({exc})") from None
    left = deadline.left()
    if left <= 0:
        deadline.check(backend, url)
    try:
        return _OPENER.open(req, timeout=max(0.05, left))
    except urllib.error.HTTPError as exc:
        detail = _error_detail(exc)
        if exc.code == 404 and not_found:
            raise MissingModel(backend, not_found + (f" ({detail})" if detail else "")) from None
        if exc.code in (401, 403):
            raise Refused(backend, f"{url} refused the request (HTTP {exc.code}: "
                               f"{detail or 'check the API key'})") from None
        error = Refused if 400 <= exc.code < 500 else BadReply
        raise error(backend, f"{url} answered HTTP {exc.code}"
                    + (f": {detail}" if detail else "")) from None
    except TimeoutError:
        raise _timeout(backend, url, deadline) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise _timeout(backend, url, deadline) from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise Unreachable(backend, f"cannot reach {url} ({text}); is the server running?") from None
    except (ConnectionError, OSError) as exc:
        raise Unreachable(backend, f"cannot reach {url} ({exc}); is the server running?") from None
    except ValueError as exc:   # e.g. "Invalid IPv6 URL" from a malformed host
        raise Unreachable(backend, f"{url} is not a usable address ({exc})") from None


def _timeout(backend: str, url: str, deadline: Deadline) -> BackendError:
    return BackendTimeout(backend, f"no answer from {url} within {deadline.seconds:g} s")


def _error_detail(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read(65536).decode("utf-8", "replace").strip()
    except Exception:  # noqa: BLE001 - the body of an error is only a detail
        return ""
    try:
        data = json.loads(raw)
    except ValueError:
        return _one_line(raw)
    if isinstance(data, dict):
        err = data.get("error", data.get("detail", data))
        if isinstance(err, dict):
            err = err.get("message", err)
        return _one_line(str(err))
    return _one_line(raw)


def _one_line(text: str, limit: int = 200) -> str:
    """A server's error text as one short line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 3] + "..."


def get_json(backend: str, url: str, *, headers=None, timeout: float = 10.0,
             not_found: str | None = None) -> Any:
    deadline = Deadline(timeout)
    with request(backend, "GET", url, headers=headers, deadline=deadline,
                 not_found=not_found) as resp:
        return read_json(backend, url, resp, deadline)


def post_json(backend: str, url: str, body: Any, *, headers=None, timeout: float = 120.0,
              not_found: str | None = None) -> Any:
    deadline = Deadline(timeout)
    with request(backend, "POST", url, body, headers=headers, deadline=deadline,
                 not_found=not_found) as resp:
        return read_json(backend, url, resp, deadline)


def read_json(backend: str, url: str, resp, deadline: Deadline) -> Any:
    """The JSON body of an open response, read within ``deadline`` (at most MAX_REPLY bytes)."""
    try:
        raw = resp.read(MAX_REPLY)
    except TimeoutError:
        raise _timeout(backend, url, deadline) from None
    except OSError as exc:
        raise Unreachable(backend, f"connection to {url} broke ({exc})") from None
    try:
        return json.loads(raw)
    except ValueError:
        raise BadReply(backend, f"{url} did not answer JSON") from None


def _socket_of(resp) -> socket.socket | None:
    """The socket under an http.client response, where the standard library exposes it."""
    raw = getattr(getattr(resp, "fp", None), "raw", None)
    sock = getattr(raw, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def lines(backend: str, url: str, resp, deadline: Deadline) -> Iterator[str]:
    """The response's lines (decoded, stripped), stopping at the deadline.

    Reads whatever has arrived (``read1``) and checks the deadline after every read,
    so a server that trickles bytes without a newline cannot outlast the timeout.
    """
    sock = _socket_of(resp)
    buf = b""
    while True:
        deadline.check(backend, url)
        if sock is not None:      # each read may wait only for what is left of the deadline
            sock.settimeout(max(0.05, deadline.left()))
        try:
            chunk = resp.read1(65536)
        except TimeoutError:
            raise _timeout(backend, url, deadline) from None
        except OSError as exc:
            raise Unreachable(backend, f"connection to {url} broke ({exc})") from None
        if not chunk:
            break
        buf += chunk
        if len(buf) > MAX_REPLY:
            raise BadReply(backend, f"{url} sent a line longer than {MAX_REPLY} bytes")
        *done, buf = buf.split(b"\n")
        for raw in done:
            text = raw.decode("utf-8", "replace").strip()
            if text:
                yield text
    text = buf.decode("utf-8", "replace").strip()
    if text:
        yield text
