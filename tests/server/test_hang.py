"""A backend that hangs: the server answers within its time limit and keeps serving.

The "backend" is a TCP listener that accepts connections and never answers. The
subprocess server talks to it as Ollama (``OLLAMA_HOST``, fallback chain "ollama"
only) with ``--timeout 2``; an in-process server with a one-second request limit
shows the hard deadline (504) on a plan whose model calls would take longer.
"""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from serve_helpers import (
    QUESTION,
    ServeProcess,
    get_json,
    metrics,
    post_json,
    request,
    sse_events,
)


@pytest.fixture(scope="module")
def server(hang):
    env = dict(os.environ)
    env.pop("TRIFORCE_BACKEND", None)
    env["OLLAMA_HOST"] = f"127.0.0.1:{hang.port}"
    env["TRIFORCE_FALLBACK"] = "ollama"
    srv = ServeProcess("--backend", "ollama", "--timeout", "2", "--max-tokens", "24",
                       env=env).start()
    yield srv
    code = srv.stop()
    log = srv.log()
    srv.close()
    assert code == 0, log
    assert "Traceback" not in log, log


def _health_while(port: int, delay: float, out: dict) -> threading.Thread:
    def probe():
        time.sleep(delay)
        t0 = time.monotonic()
        out["status"], out["body"] = get_json(port, "/health", timeout=5)
        out["seconds"] = time.monotonic() - t0

    t = threading.Thread(target=probe)
    t.start()
    return t


def _check_reply(status: int, content_or_error) -> None:
    if status == 200:       # the tools' part of the answer, and a note that no model answered
        assert "stz $10" in content_or_error and "## Verification" in content_or_error
        assert "no model could answer" in content_or_error
    else:
        assert status == 504, content_or_error


def test_hung_backend_answer_in_time(server, hang):
    probe: dict = {}
    t = _health_while(server.port, 0.5, probe)
    t0 = time.monotonic()
    status, body = post_json(server.port, "/v1/chat/completions", {
        "model": "din", "messages": [{"role": "user", "content": QUESTION}]}, timeout=30)
    elapsed = time.monotonic() - t0
    t.join()
    assert 1.5 < elapsed < 6, elapsed
    assert hang.accepted, "the server never called the backend"
    if status == 200:
        _check_reply(status, body["choices"][0]["message"]["content"])
        assert body["triforce"]["sections"][0]["status"] in ("partial", "failed")
        assert body["usage"]["completion_tokens"] == 0
    else:
        _check_reply(status, body)
    # the server answered /health while the question hung on the backend
    assert probe["status"] == 200 and probe["seconds"] < 1.0


def test_hung_backend_stream(server):
    t0 = time.monotonic()
    status, _, data = request(server.port, "POST", "/v1/chat/completions", {
        "model": "din", "stream": True,
        "messages": [{"role": "user", "content": QUESTION}]}, timeout=30)
    assert time.monotonic() - t0 < 6
    assert status in (200, 504)
    if status == 200:
        events = sse_events(data)
        assert events[-1] == "[DONE]"
        text = "".join((c["choices"][0]["delta"].get("content") or "")
                       for c in events[:-1] if "choices" in c and c["choices"])
        _check_reply(200, text)


def test_hung_backend_ollama_endpoint(server):
    t0 = time.monotonic()
    status, body = post_json(server.port, "/api/chat", {
        "model": "din", "stream": False,
        "messages": [{"role": "user", "content": QUESTION}]}, timeout=30)
    assert time.monotonic() - t0 < 6
    if status == 200:
        _check_reply(200, body["message"]["content"])
        assert body["done"] is True
    else:
        assert status == 504 and isinstance(body["error"], str)


def test_still_serving(server):
    for _ in range(3):
        status, body = get_json(server.port, "/health")
        assert status == 200
    m = metrics(server.port)
    assert m["triforce_http_requests_in_flight"] == 1      # this scrape only


def test_request_deadline_in_process(hang):
    """A plan of two model calls (Din, then Veran) on a hung backend: the one-second
    request limit cuts it off with a 504, the worker is cancelled, the server serves on."""
    from triforce.orchestra import Orchestrator
    from triforce.server import Service, make_server

    orch = Orchestrator(backends=["ollama"], timeout=3, max_tokens=16,
                        backend_options={"ollama": {"url": f"http://127.0.0.1:{hang.port}"}})
    # two workers: the first question, cancelled, holds one until its model call gives up
    service = Service(orch, request_timeout=1.0, workers=2)
    httpd = make_server(service, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    port = httpd.server_address[1]
    try:
        question = "optimize this and explain what changed: lda #$00 : sta $10 : rts"
        t0 = time.monotonic()
        status, body = post_json(port, "/v1/chat/completions", {
            "model": "triforce", "messages": [{"role": "user", "content": question}]},
            timeout=30)
        elapsed = time.monotonic() - t0
        assert status == 504, body
        assert body["error"]["type"] == "timeout_error" and "1 s" in body["error"]["message"]
        assert 0.9 < elapsed < 3, elapsed
        # streaming: the headers went out with the plan; the stream ends with an error event
        status, _, data = request(port, "POST", "/v1/chat/completions", {
            "model": "triforce", "stream": True,
            "messages": [{"role": "user", "content": question}]}, timeout=30)
        events = sse_events(data)
        assert status == 200 and events[-1] == "[DONE]"
        assert events[-2]["error"]["code"] == "timeout"
        status, _ = get_json(port, "/health")
        assert status == 200
        m = metrics(port)
        assert m["triforce_request_timeouts_total"] == 2
        key = 'triforce_http_requests_total{endpoint="/v1/chat/completions",method="POST",' \
              'status="504"}'
        assert m[key] == 1
    finally:
        httpd.shutdown()
        httpd.server_close()
        t1 = time.monotonic()
        service.close(wait=5)
        assert time.monotonic() - t1 < 5.5
        assert service.scheduler.counts()["running"] == 0, "a cancelled job is still running"
    json.dumps(body)
