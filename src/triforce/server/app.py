"""The HTTP layer: a standard-library threading server, one request handler, the routes.

HTTP/1.1 with keep-alive; streamed replies use chunked transfer encoding (or, for an
HTTP/1.0 client, end when the connection closes). Every error is a JSON reply in the
shape of the endpoint's family (OpenAI's ``{"error": {"message", "type", "code"}}``,
Ollama's ``{"error": "..."}``), never a traceback; each request is logged as one line
on stderr.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import socket
import socketserver
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from triforce import __version__
from triforce.errors import UserError, load_json
from triforce.server.log import log
from triforce.server.service import ApiError, Service, clip

#: A body larger than the limit is read and thrown away (so the client sees the 413)
#: up to this many times the limit; beyond, the connection is closed unread.
DRAIN_FACTOR = 16
#: Seconds an idle keep-alive connection (or a stalled upload) is kept.
IDLE_TIMEOUT = 60.0
#: Seconds an idle connection is kept while half the connection slots or more are taken.
BUSY_IDLE_TIMEOUT = 2.0
#: Seconds a client has to send a whole request (request line, headers, body) once its
#: first byte came; then the connection is closed, however slowly the bytes trickle in.
REQUEST_DEADLINE = 30.0
#: Connections served at once; one more is answered 503 (with Retry-After) and closed.
MAX_CONNECTIONS = 64


# -- routes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    path: str                     # exact path, or a prefix ending in "/" when ``prefix``
    methods: tuple[str, ...]
    fn: Callable[..., None]
    auth: bool = True
    prefix: bool = False


def _routes() -> list[Route]:
    from triforce.server import ollama_api as ol
    from triforce.server import openai_api as oa

    return [
        Route("/health", ("GET",), oa.health, auth=False),
        Route("/", ("GET",), ol.root),
        Route("/metrics", ("GET",), oa.metrics),
        Route("/v1/models", ("GET",), oa.list_models),
        Route("/v1/models/", ("GET",), oa.get_model, prefix=True),
        Route("/v1/chat/completions", ("POST",), oa.chat_completions),
        Route("/v1/route", ("POST",), oa.route),
        Route("/api/tags", ("GET",), ol.tags),
        Route("/api/version", ("GET",), ol.version),
        Route("/api/show", ("POST",), ol.show),
        Route("/api/chat", ("POST",), ol.chat),
        Route("/api/generate", ("POST",), ol.generate),
    ]


def find_route(routes: list[Route], path: str) -> tuple[Route | None, str]:
    """The route for ``path`` and the rest of the path after a prefix route."""
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    for r in routes:
        if not r.prefix and r.path == path:
            return r, ""
    for r in routes:
        if r.prefix and path.startswith(r.path) and len(path) > len(r.path):
            return r, path[len(r.path):]
    return None, ""


def family_of(path: str) -> str:
    return "ollama" if path.startswith("/api/") or path == "/" else "openai"


def error_body(family: str, err: ApiError) -> dict[str, Any]:
    if family == "ollama":
        return {"error": err.message}
    return {"error": {"message": err.message, "type": err.type, "param": err.param,
                      "code": err.code}}


# -- one exchange ------------------------------------------------------------------------


class Stream:
    """A streamed reply body: chunked on HTTP/1.1, close-delimited on HTTP/1.0."""

    def __init__(self, ex: Exchange, chunked: bool) -> None:
        self.ex = ex
        self.chunked = chunked
        self.closed = False

    def write(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not data or self.closed:
            return
        w = self.ex.handler.wfile
        if self.chunked:
            w.write(b"%X\r\n%s\r\n" % (len(data), data))
        else:
            w.write(data)
        w.flush()
        self.ex.sent += len(data)

    def end(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.chunked:
            self.ex.handler.wfile.write(b"0\r\n\r\n")
            self.ex.handler.wfile.flush()


class Exchange:
    """One request and its reply, as the endpoint functions see it."""

    def __init__(self, handler: Handler, method: str, path: str, query: str) -> None:
        self.handler = handler
        self.method = method
        self.path = path
        self.query = query
        self.family = family_of(path)
        self.status = 0
        self.sent = 0
        self.note = ""
        self.headers_sent = False
        self.started = time.monotonic()
        self.endpoint = "other"
        self.counted = False
        self.body_read = False

    def count(self) -> None:
        """Count the request in the metrics (once): before a reply's body goes out, so a
        client that reads the reply and then scrapes /metrics sees its request counted."""
        if not self.counted:
            self.counted = True
            self.service.metrics.end(self.endpoint, self.method, self.status or 500,
                                     time.monotonic() - self.started)

    @property
    def service(self) -> Service:
        return self.handler.server.service  # type: ignore[attr-defined]

    @property
    def headers(self):
        return self.handler.headers

    # -- the request body --------------------------------------------------------------------

    def declares_body(self) -> bool:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return True
        return (self.headers.get("Content-Length") or "0").strip() not in ("", "0")

    def body(self) -> bytes:
        try:
            return self._body()
        finally:
            self.handler.server.unwatch(self.handler)  # type: ignore[attr-defined]

    def _body(self) -> bytes:
        h = self.handler
        limit = self.service.max_body
        self.body_read = True
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._chunked(limit)
        raw = self.headers.get("Content-Length")
        if raw is None:
            if self.method == "POST":
                h.close_connection = True
                raise ApiError(411, "the request needs a Content-Length header",
                               code="length_required")
            return b""
        try:
            n = int(raw.strip())
            if n < 0:
                raise ValueError
        except ValueError:
            h.close_connection = True
            raise ApiError(400, f"bad Content-Length {raw!r}", code="bad_length") from None
        if n > limit:
            self._drain(n, limit)
            raise ApiError(413, f"the request body is {n:,} bytes; the limit is {limit:,}",
                           code="body_too_large")
        data = h.rfile.read(n)
        if len(data) < n:
            h.close_connection = True
            raise ApiError(400, "the request body ended early", code="incomplete_body")
        return data

    def _drain(self, n: int, limit: int) -> None:
        """Read and drop an oversized body (within reason), then close the connection."""
        h = self.handler
        h.close_connection = True
        if h._expect_refused or n > DRAIN_FACTOR * limit:
            return
        left = n
        end = time.monotonic() + 10.0
        try:
            while left > 0 and time.monotonic() < end:
                got = h.rfile.read(min(65536, left))
                if not got:
                    break
                left -= len(got)
        except OSError:
            pass

    def _chunked(self, limit: int) -> bytes:
        """A chunked body; one over the limit is read on (and dropped) up to
        ``DRAIN_FACTOR`` times the limit, so the client gets to read the 413."""
        h = self.handler
        out = bytearray()
        total = 0
        while True:
            line = h.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size < 0:
                    raise ValueError
            except ValueError:
                h.close_connection = True
                raise ApiError(400, "bad chunked request body", code="bad_chunk") from None
            if size == 0:
                while h.rfile.readline(8192).strip():   # trailers
                    pass
                break
            total += size
            if total > DRAIN_FACTOR * limit:
                break
            chunk = h.rfile.read(size)
            h.rfile.readline(8)
            if len(chunk) < size:
                h.close_connection = True
                raise ApiError(400, "the request body ended early", code="incomplete_body")
            if total <= limit:
                out += chunk
        if total > limit:
            h.close_connection = True
            raise ApiError(413, f"the request body is over the limit of {limit:,} bytes",
                           code="body_too_large")
        return bytes(out)

    def json(self) -> dict[str, Any]:
        """The body as a JSON object, or a 400 that says what is wrong with it."""
        raw = self.body()
        if not raw.strip():
            raise ApiError(400, "the request body is empty; send a JSON object",
                           code="empty_body")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "the request body is not UTF-8", code="invalid_json") from None
        try:
            data = load_json(text)
        except UserError as exc:
            raise ApiError(400, f"the request body is not valid JSON ({exc.args[0]})",
                           code="invalid_json") from None
        if not isinstance(data, dict):
            raise ApiError(400, "the request body must be a JSON object",
                           code="invalid_json")
        return data

    # -- the reply ---------------------------------------------------------------------------

    def _head(self, status: int, content_type: str, length: int | None,
              extra: dict[str, str] | None = None) -> None:
        h = self.handler
        self.status = status
        if not self.body_read and self.declares_body():
            h.close_connection = True      # the unread body must not be taken for a request
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        if length is not None:
            h.send_header("Content-Length", str(length))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        if h.close_connection:
            h.send_header("Connection", "close")
        h.end_headers()
        self.headers_sent = True

    def send(self, status: int, body: bytes, content_type: str,
             extra: dict[str, str] | None = None) -> None:
        self._head(status, content_type, len(body), extra)
        self.count()
        if self.method != "HEAD":
            self.handler.wfile.write(body)
            self.handler.wfile.flush()
            self.sent += len(body)

    def send_json(self, status: int, obj: Any, extra: dict[str, str] | None = None) -> None:
        body = json.dumps(obj, default=str, ensure_ascii=False).encode("utf-8")
        self.send(status, body, "application/json", extra)

    def send_text(self, status: int, text: str,
                  content_type: str = "text/plain; charset=utf-8") -> None:
        self.send(status, text.encode("utf-8"), content_type)

    def send_error(self, err: ApiError) -> None:
        extra = {}
        if err.status == 401:
            extra["WWW-Authenticate"] = 'Bearer realm="triforce"'
        if err.retry_after is not None:
            extra["Retry-After"] = str(err.retry_after)
        if err.status == 405 and err.param:
            extra["Allow"] = err.param
            err.param = None
        self.send_json(err.status, error_body(self.family, err), extra)

    def stream(self, content_type: str, status: int = 200) -> Stream:
        h = self.handler
        chunked = h.request_version != "HTTP/1.0"
        if not chunked:
            h.close_connection = True
        extra = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        if chunked:
            extra["Transfer-Encoding"] = "chunked"
        self._head(status, content_type, None, extra)
        return Stream(self, chunked)


# -- the handler -------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    _expect_refused = False
    default_request_version = "HTTP/1.0"   # so even a garbled request line gets a status
    server_version = f"triforce/{__version__}"
    timeout = IDLE_TIMEOUT

    expired = False   # the request was not received within REQUEST_DEADLINE

    def version_string(self) -> str:
        return self.server_version

    def handle_one_request(self) -> None:
        """Wait (idle) for the next request's first byte, then give the client
        REQUEST_DEADLINE seconds for the whole request: the server's watchdog closes the
        connection of one that takes longer."""
        server: Server = self.server  # type: ignore[assignment]
        try:
            self.connection.settimeout(server.idle_timeout())
            first = self.rfile.peek(1)  # type: ignore[attr-defined]
        except OSError:            # the idle time passed, or the client went away
            self.close_connection = True
            return
        if not first:
            self.close_connection = True
            return
        self.connection.settimeout(IDLE_TIMEOUT)
        server.watch(self, time.monotonic() + server.request_deadline)
        try:
            super().handle_one_request()
        finally:
            server.unwatch(self)
            if self.expired:
                self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 - the standard library's naming
        self._dispatch("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:  # noqa: N802
        self._dispatch("PATCH")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._dispatch("OPTIONS")

    def handle_expect_100(self) -> bool:
        """Refuse to ask for an oversized body ("Expect: 100-continue"): the 413 comes
        straight away, before the client sends it."""
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            n = 0
        if n > self.server.service.max_body:  # type: ignore[attr-defined]
            self._expect_refused = True
            return True
        return super().handle_expect_100()

    def _authorized(self) -> bool:
        key = self.server.service.api_key  # type: ignore[attr-defined]
        if key is None:
            return True
        given = self.headers.get("Authorization") or ""
        scheme, _, token = given.strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(token.strip().encode(), key.encode())

    def _dispatch(self, method: str) -> None:
        if self.expired:           # cut off mid-headers: what arrived is not a request
            self.close_connection = True
            return
        svc: Service = self.server.service  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        path = unquote(parts.path) or "/"
        ex = Exchange(self, method, path, parts.query)
        if not ex.declares_body():
            self.server.unwatch(self)  # type: ignore[attr-defined]  # the request is in
        route, rest = find_route(self.server.routes, path)  # type: ignore[attr-defined]
        if route is not None:
            ex.endpoint = route.path + ("{id}" if route.prefix else "")
        svc.metrics.begin()
        try:
            if route is None:
                raise ApiError(404, f"there is no endpoint {clip(path)}", code="not_found")
            allowed = route.methods + (("HEAD",) if "GET" in route.methods else ())
            if method not in allowed:
                raise ApiError(405, f"{clip(path)} takes {' or '.join(route.methods)}, not {method}",
                               code="method_not_allowed", param=", ".join(allowed))
            if route.auth and not self._authorized():
                raise ApiError(401, "a valid API key is required: send the header "
                               "'Authorization: Bearer <key>'", "authentication_error",
                               "invalid_api_key")
            if route.prefix:
                route.fn(svc, ex, rest)
            else:
                route.fn(svc, ex)
        except ApiError as err:
            if ex.headers_sent:
                self.close_connection = True
            else:
                ex.note = "; ".join(filter(None, [ex.note, err.message]))
                ex.send_error(err)
        except OSError as exc:      # the connection broke: the client went away
            self.close_connection = True
            ex.note = "; ".join(filter(None, [ex.note, f"connection lost ({exc.strerror or exc})"]))
            ex.status = ex.status or 499
        except Exception as exc:  # noqa: BLE001 - one line to the log, JSON to the client
            self.close_connection = True
            log(f"internal error on {method} {clip(path)}: {type(exc).__name__}: {clip(exc, 300)}")
            if os.environ.get("TRIFORCE_DEBUG"):
                traceback.print_exc()
            if not ex.headers_sent:
                try:
                    ex.send_error(ApiError(500, f"internal error: {type(exc).__name__}",
                                           "server_error", "internal_error"))
                except OSError:
                    pass
        finally:
            self._expect_refused = False
            ex.count()
            dt = time.monotonic() - ex.started
            note = f" ({clip(ex.note, 300)})" if ex.note else ""
            log(f'{self.client_address[0]} "{method} {clip(self.path, 200)}" {ex.status or 500} '
                f"{ex.sent}B {dt:.3f}s{note}")

    # The base class's own replies (a malformed request line, an unknown method, a header
    # too long) are JSON too, and logged as one line.
    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        self.close_connection = True
        msg = clip(message or self.responses.get(code, ("error",))[0], 300)
        err = ApiError(code, msg, "invalid_request_error" if code < 500 else "server_error")
        body = json.dumps(error_body("openai", err)).encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(body)
        except OSError:
            pass
        svc = self.server.service  # type: ignore[attr-defined]
        svc.metrics.begin()
        svc.metrics.end("other", self.command or "-", code, 0.0)
        line = clip(getattr(self, "requestline", "") or "", 200)
        log(f'{self.client_address[0]} "{line}" {code} ({msg})')

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass  # one line per request comes from _dispatch

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        text = format % args
        if text.startswith("Request timed out"):
            return  # an idle keep-alive connection: not worth a line
        log(f"{self.client_address[0]} {text}")

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the base class's errors all end in send_error, which logs its one line


# -- the server --------------------------------------------------------------------------


class Server(ThreadingHTTPServer):
    """One thread per connection, at most ``max_connections`` of them; a watchdog thread
    closes the connection of a client that has not sent its request by its deadline."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], service: Service,
                 max_connections: int = MAX_CONNECTIONS,
                 request_deadline: float = REQUEST_DEADLINE) -> None:
        self.service = service
        self.routes = _routes()
        self.max_connections = max_connections
        self.request_deadline = request_deadline
        self._lock = threading.Lock()
        self._connections = 0
        self._watched: dict[Handler, float] = {}
        self._stopping = threading.Event()
        host = address[0]
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        threading.Thread(target=self._watchdog, name="triforce-watchdog", daemon=True).start()

    # -- connections -------------------------------------------------------------------------

    def connections(self) -> int:
        with self._lock:
            return self._connections

    def idle_timeout(self) -> float:
        """How long an idle connection waits for its next request: less when busy."""
        return BUSY_IDLE_TIMEOUT if 2 * self.connections() >= self.max_connections \
            else IDLE_TIMEOUT

    def process_request(self, request, client_address) -> None:
        with self._lock:
            full = self._connections >= self.max_connections
            if not full:
                self._connections += 1
        if full:
            self._refuse(request, client_address)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            with self._lock:
                self._connections -= 1
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._connections -= 1

    def _refuse(self, request, client_address) -> None:
        """503 and close, from the accepting thread, without reading the request."""
        err = ApiError(503, f"the server is busy: all {self.max_connections} connections are "
                       "in use; try again shortly", "server_error", "too_many_connections")
        body = json.dumps(error_body("openai", err)).encode()
        head = (f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n")
        try:
            request.settimeout(0.5)
            request.sendall(head.encode() + body)
        except OSError:
            pass
        self.shutdown_request(request)
        self.service.metrics.refused("connections")
        log(f"{client_address[0]} refused: {self.max_connections} connections in use (503)")

    # -- request deadlines -------------------------------------------------------------------

    def watch(self, handler: Handler, deadline: float) -> None:
        with self._lock:
            self._watched[handler] = deadline

    def unwatch(self, handler: Handler) -> None:
        with self._lock:
            self._watched.pop(handler, None)

    def _watchdog(self) -> None:
        while not self._stopping.wait(0.25):
            now = time.monotonic()
            with self._lock:
                late = [h for h, t in self._watched.items() if t <= now]
                for h in late:
                    del self._watched[h]
            for h in late:
                h.expired = True
                try:
                    h.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self.service.metrics.refused("request_deadline")
                log(f"{h.client_address[0]} did not send its request within "
                    f"{self.request_deadline:g} s: connection closed")

    def server_close(self) -> None:
        self._stopping.set()
        super().server_close()

    def server_bind(self) -> None:
        # No getfqdn(): a reverse DNS lookup can take seconds.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = port

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        log(f"error while serving {client_address[0]}: {type(exc).__name__}: {exc}")

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        # getsockname() gives the host as text; typeshed also allows bytes: show those decoded
        if isinstance(host, bytes | bytearray):
            host = host.decode()
        h = f"[{host}]" if ":" in host else host
        return f"http://{h}:{port}"


def make_server(service: Service, host: str = "127.0.0.1", port: int = 8000,
                max_connections: int = MAX_CONNECTIONS,
                request_deadline: float = REQUEST_DEADLINE) -> Server:
    """A bound (not yet serving) server; ``port`` 0 picks a free port (see ``.url``)."""
    return Server((host, port), service, max_connections, request_deadline)


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
