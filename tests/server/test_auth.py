"""The API key, the start-up checks and Ctrl-C, each on a real ``triforce serve`` process.

No request here calls the model.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from serve_helpers import ServeProcess, get_json, post_json, request

from triforce.llm import BackendError
from triforce.llm.openai import OpenAIBackend

KEY = "s3cret-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def locked():
    srv = ServeProcess("--api-key", KEY, "--max-tokens", "24").start()
    yield srv
    code = srv.stop()
    log = srv.log()
    srv.close()
    assert code == 0, log


def test_health_needs_no_key(locked):
    status, body = get_json(locked.port, "/health")
    assert status == 200 and body["auth"] is True


@pytest.mark.parametrize("path", ["/v1/models", "/api/tags", "/metrics", "/api/version", "/"])
def test_every_other_endpoint_needs_the_key(locked, path):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY},
                    {"Authorization": "Basic " + KEY}):
        status, hdrs, data = request(locked.port, "GET", path, headers=headers)
        assert status == 401, (path, headers)
        assert hdrs["www-authenticate"].startswith("Bearer")
        err = json.loads(data)["error"]
        if path.startswith("/api/") or path == "/":
            assert isinstance(err, str) and "API key" in err          # Ollama's shape
        else:
            assert err["type"] == "authentication_error" and "API key" in err["message"]
    status, _, _ = request(locked.port, "GET", path, headers=AUTH)
    assert status == 200


def test_posts_need_the_key(locked):
    body = {"model": "din", "messages": [{"role": "user", "content": "hi"}]}
    status, data = post_json(locked.port, "/v1/chat/completions", body)
    assert status == 401 and data["error"]["code"] == "invalid_api_key"
    status, data = post_json(locked.port, "/api/chat", body)
    assert status == 401 and isinstance(data["error"], str)
    status, data = post_json(locked.port, "/v1/route", {"question": "what is $2100?"},
                             headers=AUTH)
    assert status == 200 and data["plan"]


def test_openai_client_sends_the_key(locked):
    assert "din" in OpenAIBackend(base_url=f"{locked.url}/v1", api_key=KEY).models()
    with pytest.raises(BackendError) as exc:
        OpenAIBackend(base_url=f"{locked.url}/v1", api_key="nope").models()
    assert exc.value.kind == "refused" and "401" in str(exc.value)


def _serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "triforce.cli.main", "serve", *args],
                          capture_output=True, text=True, timeout=60)


def test_start_up_errors(locked):
    # the port is taken: one clear line, exit code 1
    r = _serve("--port", str(locked.port))
    assert r.returncode == 1, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triforce: error: cannot listen on")
    for args in (["--port", "70000"], ["--max-tokens", "0"], ["--timeout", "0"],
                 ["--api-key", " "]):
        r = _serve(*args)
        assert r.returncode == 1 and "Traceback" not in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1


def test_public_host_warning_and_ctrl_c():
    srv = ServeProcess("--host", "0.0.0.0").start()
    try:
        assert "warning: listening on 0.0.0.0 without --api-key" in srv.log()
        t0 = time.monotonic()
        code = srv.stop(signal.SIGINT)
        assert code == 0 and time.monotonic() - t0 < 5
        assert "server stopped" in srv.log() and "Traceback" not in srv.log()
    finally:
        srv.close()


def test_sigterm_stops_cleanly():
    srv = ServeProcess().start()
    try:
        assert srv.stop(signal.SIGTERM) == 0
        assert "server stopped" in srv.log()
    finally:
        srv.close()
