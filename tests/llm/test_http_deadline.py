"""The remote clients keep their deadline against servers that misbehave slowly."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from triforce.llm import BackendError, ChatRequest
from triforce.llm.ollama import OllamaBackend


def _serve_once(reply_head: bytes, trickle: bytes, every: float, stop: threading.Event):
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)

    def run():
        conn, _ = lst.accept()
        conn.recv(65536)
        conn.sendall(reply_head)
        while not stop.is_set():
            try:
                conn.sendall(trickle)
            except OSError:
                break
            time.sleep(every)
        conn.close()
        lst.close()

    threading.Thread(target=run, daemon=True).start()
    return lst.getsockname()[1]


@pytest.mark.parametrize("trickle", [b"x", b"\n"])
def test_trickling_server_cannot_outlast_the_timeout(trickle):
    stop = threading.Event()
    port = _serve_once(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n\r\n",
                       trickle, 0.1, stop)
    t0 = time.monotonic()
    try:
        with pytest.raises(BackendError) as err:
            OllamaBackend(f"http://127.0.0.1:{port}").chat(
                ChatRequest([{"role": "user", "content": "x"}], model="m", timeout=1.5))
    finally:
        stop.set()
    took = time.monotonic() - t0
    assert err.value.kind == "timeout" and "within 1.5 s" in str(err.value)
    assert took < 3.0


def test_ollama_error_line_is_one_line():
    stop = threading.Event()
    body = b'{"error": "model \\"m\\" not found,\\n  try pulling it first"}\n'
    head = (b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)
    port = _serve_once(head, b"", 0.1, stop)
    try:
        with pytest.raises(BackendError) as err:
            OllamaBackend(f"http://127.0.0.1:{port}").chat(
                ChatRequest([{"role": "user", "content": "x"}], model="m", timeout=3))
    finally:
        stop.set()
    assert err.value.kind == "missing_model"
    assert "\n" not in str(err.value) and "ollama pull m" in str(err.value)
