"""Starting a real ``triforce serve`` process and talking HTTP to it (no mocks)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

#: The question every model-calling test asks: Din's tools answer it (stz), and the
#: same prompt each time lets the embedded model reuse its cached prompt.
QUESTION = "optimize this: lda #$00 : sta $10 : rts"
START_TIMEOUT = 60.0


class ServeProcess:
    """``python -m triforce.cli.main serve --port 0 ARGS``; stderr goes to a file."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.args = ["--port", "0", *args] if "--port" not in args else list(args)
        self.env = dict(os.environ if env is None else env)
        self.env.pop("TRIFORCE_SERVE_API_KEY", None)
        if env is None:   # the embedded model only, whatever this machine's settings
            self.env.pop("TRIFORCE_BACKEND", None)
            self.env["TRIFORCE_FALLBACK"] = "embedded"
        self.env.setdefault("PYTHONUNBUFFERED", "1")
        fd, name = tempfile.mkstemp(prefix="triforce-serve-", suffix=".log")
        os.close(fd)
        self.log_path = Path(name)
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> ServeProcess:
        with open(self.log_path, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "triforce.cli.main", "serve", *self.args],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=self.env)
        end = time.monotonic() + START_TIMEOUT
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}): {self.log()}")
            for line in self.log().splitlines():
                if "listening on http://" in line:
                    self.port = int(line.split("listening on http://", 1)[1]
                                    .split(" ", 1)[0].rsplit(":", 1)[1])
                    break
            if self.port:
                break
            time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError(f"the server did not start: {self.log()}")
        while time.monotonic() < end:
            try:
                status, _, _ = request(self.port, "GET", "/health", timeout=2)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"/health did not answer: {self.log()}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        try:
            return self.log_path.read_text("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15.0) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

    def close(self) -> None:
        self.stop()
        self.log_path.unlink(missing_ok=True)


def request(port: int, method: str, path: str, body: Any = None, *,
            headers: dict[str, str] | None = None, raw: bytes | None = None,
            timeout: float = 120.0) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection: (status, headers (lower-case names), body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        hdrs = {"Content-Type": "application/json"} if data is not None else {}
        hdrs.update(headers or {})
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        payload = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload
    finally:
        conn.close()


def get_json(port: int, path: str, **kw) -> tuple[int, Any]:
    status, _, body = request(port, "GET", path, **kw)
    return status, json.loads(body)


def post_json(port: int, path: str, body: Any, **kw) -> tuple[int, Any]:
    status, _, data = request(port, "POST", path, body, **kw)
    return status, json.loads(data)


def sse_events(data: bytes) -> list[Any]:
    """The ``data:`` payloads of a Server-Sent Events body ("[DONE]" kept as a string)."""
    out: list[Any] = []
    for block in data.decode("utf-8").split("\n\n"):
        for line in block.splitlines():
            if line.startswith("data:"):
                payload = line[5:].strip()
                out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out


def ndjson(data: bytes) -> list[Any]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


def metrics(port: int, **kw) -> dict[str, float]:
    """``GET /metrics`` as {"name{labels}": value}."""
    status, headers, body = request(port, "GET", "/metrics", **kw)
    assert status == 200, body
    assert headers["content-type"].startswith("text/plain")
    out: dict[str, float] = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out


class HangingListener:
    """A TCP server that accepts connections and never answers (a hung backend)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(conn)      # read nothing, answer nothing

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        for c in self.accepted:
            c.close()
        self.sock.close()
