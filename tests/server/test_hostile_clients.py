"""Hostile and careless clients: bodies that used to give 500, a client trickling its
headers, more connections than the cap, more questions than the queue, a key over HTTP.

An in-process server on loopback (the real HTTP stack, the real orchestrator on the embedded
model's router); model calls go to a listener that never answers where a test needs a model
that is busy.
"""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from serve_helpers import ServeProcess, get_json, post_json, request


def _serve(service, **kw):
    from triforce.server import make_server

    httpd = make_server(service, "127.0.0.1", 0, **kw)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return httpd


@pytest.fixture(scope="module")
def service(hang):
    from triforce.orchestra import Orchestrator
    from triforce.server import Service

    orch = Orchestrator(backends=["ollama"], timeout=30, max_tokens=8,
                        backend_options={"ollama": {"url": f"http://127.0.0.1:{hang.port}"}})
    svc = Service(orch, request_timeout=20, workers=1, max_queue=0)
    yield svc
    svc.close(wait=1)


@pytest.fixture(scope="module")
def port(service):
    httpd = _serve(service, max_connections=8, request_deadline=1.5)
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("raw, what", [
    (b'{"question": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested"),
    (b'{"question": "x", "n": 1' + b"0" * 5000 + b"}", "digits"),
    (b'{"question": "\\ud800"}', "surrogate"),
    (b'{"question": "lda", "max_tokens": Infinity}', "Infinity"),
    (b'{"question": "lda", "max_tokens": 1e999}', "out of range"),
])
def test_bodies_that_used_to_crash_are_400(port, raw, what):
    for path in ("/v1/route", "/v1/chat/completions", "/api/chat"):
        status, _, body = request(port, "POST", path, raw=raw, timeout=10)
        assert status == 400, (path, what, body[:200])
        assert b"internal" not in body


def test_max_tokens_infinity_in_a_chat_is_400(port):
    status, body = post_json(port, "/v1/chat/completions", {
        "messages": [{"role": "user", "content": "hi"}], "max_tokens": float("inf")},
        timeout=10)
    assert status == 400, body


def test_trickling_headers_are_cut_at_the_deadline(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    t0 = time.monotonic()
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    closed_at = None
    try:
        for i in range(20):                     # one header line every 0.3 s, for ever
            time.sleep(0.3)
            s.sendall(b"X-Slow-%d: 1\r\n" % i)
    except OSError:
        closed_at = time.monotonic() - t0
    if closed_at is None:
        s.settimeout(5)
        assert s.recv(100) == b""               # the server closed it, answering nothing
        closed_at = time.monotonic() - t0
    s.close()
    assert closed_at < 4.0, closed_at           # deadline 1.5 s (+ the watchdog's tick)
    status, _ = get_json(port, "/health", timeout=5)
    assert status == 200


def test_a_slow_body_is_cut_at_the_deadline(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"POST /v1/route HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
    t0 = time.monotonic()
    s.settimeout(6)
    data = b""
    try:
        while chunk := s.recv(4096):
            data += chunk
    except OSError:
        pass
    assert time.monotonic() - t0 < 4.0
    assert b"200 OK" not in data


def test_connections_beyond_the_cap_get_503(port):
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(8)]
    try:
        time.sleep(0.3)
        status, headers, body = request(port, "GET", "/health", timeout=5)
        assert status == 503 and headers.get("retry-after") == "1"
        assert json.loads(body)["error"]["code"] == "too_many_connections"
    finally:
        for s in idle:
            s.close()
    # the idle ones are let go (quickly, while the server is this full), then it serves again
    end = time.monotonic() + 10
    while time.monotonic() < end:
        status, _, _ = request(port, "GET", "/health", timeout=5)
        if status == 200:
            break
        time.sleep(0.2)
    assert status == 200


def test_a_full_question_queue_is_503_with_retry_after(port):
    chat = {"model": "din", "messages": [{"role": "user", "content":
                                          "optimize this: lda #$00 : sta $10 : rts"}]}
    first = threading.Thread(target=post_json, args=(port, "/v1/chat/completions", chat),
                             kwargs={"timeout": 30}, daemon=True)
    first.start()                                # holds the only worker (the model hangs)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        _, h = get_json(port, "/health", timeout=5)
        if h["questions"]["running"] == 1:
            break
        time.sleep(0.05)
    t0 = time.monotonic()
    status, headers, body = request(port, "POST", "/v1/chat/completions", chat, timeout=10)
    assert time.monotonic() - t0 < 2.0           # refused at once, not after a timeout
    assert status == 503, body
    assert int(headers["retry-after"]) >= 1
    assert json.loads(body)["error"]["code"] == "server_busy"
    status, _, _ = request(port, "GET", "/health", timeout=5)
    assert status == 200
    status, _, body = request(port, "POST", "/api/chat", chat, timeout=10)
    assert status == 503 and "busy" in json.loads(body)["error"]
    m = request(port, "GET", "/metrics", timeout=5)[2].decode()
    assert 'triforce_requests_refused_total{reason="queue_full"} 2' in m


def test_an_api_key_over_plain_http_beyond_loopback_warns():
    proc = ServeProcess("--host", "0.0.0.0", "--api-key", "sekrit")
    try:
        proc.start()
        log = proc.log()
    finally:
        proc.close()
    assert "plain HTTP" in log and "TLS reverse proxy" in log
    assert "sekrit" not in log


def test_a_pathological_check_is_killed_and_health_stays_fast(no_model_service_factory):
    """Code whose optimisation takes far longer than the tools' limit (0.3 s here): the
    worker is killed at its deadline, the answer says the check did not finish, and /health
    answers quickly all the while."""
    svc = no_model_service_factory(tool_seconds=0.3)
    httpd = _serve(svc)
    port = httpd.server_address[1]
    code = "lda #$00\nsta $10\n" * 400 + "rts"
    got: dict = {}

    def ask() -> None:
        got["reply"] = post_json(port, "/v1/chat/completions", {
            "model": "din", "messages": [{"role": "user",
                                          "content": f"optimize this:\n```\n{code}\n```"}]},
            timeout=60)

    try:
        t = threading.Thread(target=ask, daemon=True)
        t.start()
        slowest = 0.0
        while t.is_alive():
            t0 = time.monotonic()
            status, _ = get_json(port, "/health", timeout=5)
            slowest = max(slowest, time.monotonic() - t0)
            assert status == 200
            time.sleep(0.05)
        status, body = got["reply"]
        assert status == 200, body
        assert "did not finish" in json.dumps(body)
        assert svc.pool.killed >= 1
        assert slowest < 0.5
    finally:
        httpd.shutdown()
        httpd.server_close()
        svc.close(wait=1)


@pytest.fixture
def no_model_service_factory():
    """A Service whose model backend is a closed port (the tools answer alone)."""
    from triforce.orchestra import Orchestrator
    from triforce.server import Service

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = s.getsockname()[1]
    s.close()

    def make(**kw):
        orch = Orchestrator(backends=["ollama"], timeout=5, max_tokens=8, record_stats=False,
                            backend_options={"ollama": {"url": f"http://127.0.0.1:{dead}"}})
        return Service(orch, request_timeout=60, **kw)
    return make
