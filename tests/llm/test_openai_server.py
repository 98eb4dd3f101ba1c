"""The OpenAI-compatible backend against a real server (llama-cpp-python's), and against
servers that are down or hang."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from llm_helpers import greedy

from triforce.llm import BackendError
from triforce.llm.embedded import EmbeddedBackend
from triforce.llm.openai import OpenAIBackend

START_TIMEOUT = 90.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(proc: subprocess.Popen, url: str, log: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    end = time.monotonic() + START_TIMEOUT
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited ({proc.returncode}):\n"
                        + log.read_text(errors="replace")[-2000:])
        try:
            with opener.open(url + "/models", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"llama_cpp.server did not come up in {START_TIMEOUT:g} s:\n"
                + log.read_text(errors="replace")[-2000:])


@contextlib.contextmanager
def llama_server(model: Path, log: Path, *extra: str):
    """``python -m llama_cpp.server`` on a free port; yields its base URL (…/v1)."""
    port = _free_port()
    threads = str(EmbeddedBackend().n_threads)   # as the embedded backend: no oversubscription
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
           "--n_threads", threads, "--n_threads_batch", threads, *extra]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_up(proc, url, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture(scope="module")
def server(base_gguf, tmp_path_factory):
    log = tmp_path_factory.mktemp("server") / "llama_cpp_server.log"
    with llama_server(base_gguf, log) as url:
        yield url


class _Hanging:
    """A TCP listener that accepts and never answers, or (``models``) answers GET
    requests with a model list and lets every other request hang."""

    def __init__(self, models: list[str] | None = None) -> None:
        self.models = models
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.conns.append(conn)
            if self.models is not None:
                threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        data = b""
        conn.settimeout(5)
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            if data.startswith(b"GET"):
                body = json.dumps({"object": "list", "data": [
                    {"id": m, "object": "model"} for m in self.models or []]}).encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
                             + body)
                conn.close()
            # anything else: hold the connection open, say nothing

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        for c in self.conns:
            c.close()
        self.sock.close()


def test_models_lists_the_served_model(server, base_gguf):
    assert str(base_gguf) in OpenAIBackend(base_url=server, api_key="").models()


def test_chat_whole_and_streaming(server):
    backend = OpenAIBackend(base_url=server, api_key="")
    whole = backend.chat(greedy(max_tokens=16))
    assert whole.text.strip() and whole.backend == "openai"
    assert whole.finish_reason in ("stop", "length")
    assert whole.time_to_first_token is not None

    pieces: list[str] = []
    streamed = backend.chat(greedy(max_tokens=16), on_token=pieces.append)
    assert len(pieces) > 1 and "".join(pieces) == streamed.text
    assert streamed.text == whole.text                  # greedy: the same reply
    assert streamed.time_to_first_token is not None
    assert streamed.time_to_first_token <= streamed.total_time
    assert streamed.tokens_per_second and streamed.tokens_per_second > 0


def test_json_schema_through_the_server(server):
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}},
              "required": ["ok"]}
    result = OpenAIBackend(base_url=server, api_key="").chat(
        greedy(max_tokens=24, json_schema=schema,
               messages=[{"role": "user", "content": "Is 2+2=4? Answer in JSON."}]))
    assert isinstance(json.loads(result.text)["ok"], bool)


def test_wrong_model_name(server):
    backend = OpenAIBackend(base_url=server, api_key="")
    with pytest.raises(BackendError) as err:
        backend.chat(greedy("no-such-expert", max_tokens=4, timeout=10))
    assert err.value.kind == "missing_model"
    assert "'no-such-expert' is not served at" in str(err.value)


def test_server_down():
    url = f"http://127.0.0.1:{_free_port()}/v1"       # nothing listens there now
    t0 = time.monotonic()
    with pytest.raises(BackendError) as err:
        OpenAIBackend(base_url=url, api_key="").chat(greedy("m", max_tokens=4, timeout=2))
    assert err.value.kind == "unreachable"
    assert url in str(err.value) and "is the server running?" in str(err.value)
    assert time.monotonic() - t0 < 2


@pytest.mark.parametrize("lists_models", [False, True], ids=["silent", "hangs-on-chat"])
def test_server_hangs(lists_models):
    hanging = _Hanging(models=["m"] if lists_models else None)
    try:
        t0 = time.monotonic()
        with pytest.raises(BackendError) as err:
            OpenAIBackend(base_url=hanging.url, api_key="").chat(
                greedy("m", max_tokens=4, timeout=2))
        took = time.monotonic() - t0
    finally:
        hanging.close()
    assert err.value.kind == "timeout"
    assert "no answer from" in str(err.value) and "within 2 s" in str(err.value)
    endpoint = "/chat/completions" if lists_models else "/models"
    assert endpoint in str(err.value)
    assert 1.9 <= took < 3.0


def test_server_with_a_lora_adapter(server, base_gguf, adapter_a, embedded, tmp_path):
    """The adapter file written by triforce also loads in llama-cpp-python's server
    (``--lora_path``) and changes its answer the way it changes the embedded one."""
    base_reply = OpenAIBackend(base_url=server, api_key="").chat(greedy(max_tokens=16))
    with llama_server(base_gguf, tmp_path / "lora.log", "--lora_path", str(adapter_a)) as url:
        lora_reply = OpenAIBackend(base_url=url, api_key="").chat(greedy(max_tokens=16))
    assert lora_reply.text != base_reply.text
    embedded_reply = embedded.chat(greedy(str(adapter_a), max_tokens=16))
    assert lora_reply.text[:8] == embedded_reply.text[:8]
