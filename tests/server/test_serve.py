"""``triforce serve`` as a real subprocess with the embedded model: the OpenAI and Ollama
endpoints, routing, metrics, the limits, and our own backend clients against it.

Model-calling requests here: 7 (all the same question for Din, so the embedded model
reuses its cached prompt); everything else is answered without the model.
"""

from __future__ import annotations

import json
import socket

import pytest
from serve_helpers import (
    QUESTION,
    ServeProcess,
    get_json,
    metrics,
    ndjson,
    post_json,
    request,
    sse_events,
)

from triforce.experts import load_registry
from triforce.llm import BackendError, ChatRequest
from triforce.llm.ollama import OllamaBackend
from triforce.llm.openai import OpenAIBackend

EXPERTS = [e.id for e in load_registry()]


@pytest.fixture(scope="module")
def server():
    srv = ServeProcess("--max-tokens", "24", "--timeout", "60").start()
    yield srv
    code = srv.stop()
    log = srv.log()
    srv.close()
    assert code == 0, log
    assert "Traceback" not in log, log
    assert "server stopped" in log


def chat_body(model: str = "din", **extra) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": QUESTION}], **extra}


def assert_openai_error(status: int, body: dict, expected: int) -> dict:
    assert status == expected, body
    err = body["error"]
    assert isinstance(err, dict)
    assert isinstance(err["message"], str) and err["message"]
    assert "\n" not in err["message"] and "Traceback" not in err["message"]
    assert err["type"] and "code" in err
    return err


# -- listings ------------------------------------------------------------------------------


def test_health_and_models(server):
    status, health = get_json(server.port, "/health")
    assert status == 200 and health["status"] == "ok"
    assert health["backends"][0] == "embedded"
    status, models = get_json(server.port, "/v1/models")
    assert status == 200 and models["object"] == "list"
    ids = [m["id"] for m in models["data"]]
    assert ids[0] == "triforce"
    assert set(EXPERTS) <= set(ids)
    assert {"din", "nayru", "farore", "veran", "zelda", "ganon", "link", "impa", "tingle",
            "base"} <= set(ids)
    assert all(m["object"] == "model" and m["owned_by"] == "triforce" for m in models["data"])
    status, one = get_json(server.port, "/v1/models/din")
    assert status == 200 and one["id"] == "din" and one["triforce"]["intent"] == "optimization"
    status, body = get_json(server.port, "/v1/models/nobody")
    assert_openai_error(status, body, 404)


def test_ollama_listings(server):
    status, tags = get_json(server.port, "/api/tags")
    assert status == 200
    names = [m["name"] for m in tags["models"]]
    assert names[0] == "triforce:latest"
    assert {f"{e}:latest" for e in EXPERTS} <= set(names)
    for m in tags["models"]:
        assert m["model"] == m["name"] and len(m["digest"]) == 64
        assert isinstance(m["size"], int) and isinstance(m["details"], dict)
    status, version = get_json(server.port, "/api/version")
    assert status == 200 and version["version"]
    status, show = post_json(server.port, "/api/show", {"model": "din"})
    assert status == 200 and "temperature" in show["parameters"]
    assert show["model_info"]["triforce.intent"] == "optimization"
    status, body = post_json(server.port, "/api/show", {"model": "nobody"})
    assert status == 404 and isinstance(body["error"], str)
    status, headers, text = request(server.port, "GET", "/")
    assert status == 200 and b"running" in text


# -- OpenAI chat completions ---------------------------------------------------------------


def test_chat_completion_verified(server):
    status, body = post_json(server.port, "/v1/chat/completions", chat_body())
    assert status == 200, body
    assert body["object"] == "chat.completion" and body["model"] == "din"
    assert body["id"].startswith("chatcmpl-")
    (choice,) = body["choices"]
    assert choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    content = choice["message"]["content"]
    assert content.startswith("## Din (optimization)")
    assert "stz $10" in content
    assert "## Verification" in content and "equivalent" in content
    usage = body["usage"]
    assert all(isinstance(usage[k], int) for k in ("prompt_tokens", "completion_tokens",
                                                   "total_tokens"))
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert 0 < usage["completion_tokens"] <= 24          # --max-tokens 24
    tf = body["triforce"]
    assert tf["plan"]["source"] == "forced" and tf["plan"]["steps"][0]["expert"] == "din"
    checks = {c["name"]: c for c in tf["verification"]}
    assert checks["assembles"]["ok"] is True
    assert any(name.startswith("equivalent") and c["ok"] for name, c in checks.items())
    assert tf["model"]["calls"] >= 1


def test_chat_completion_stream(server):
    status, headers, data = request(server.port, "POST", "/v1/chat/completions",
                                    chat_body(stream=True,
                                              stream_options={"include_usage": True}))
    assert status == 200, data
    assert headers["content-type"].startswith("text/event-stream")
    events = sse_events(data)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert len({c["id"] for c in chunks}) == 1
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == "din" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    usage = chunks[-1]
    assert usage["choices"] == [] and usage["usage"]["completion_tokens"] > 0
    finishes = [c["choices"][0]["finish_reason"] for c in chunks[:-1]]
    assert finishes[-1] == "stop" and set(finishes[:-1]) == {None}
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks[:-1])
    assert text.startswith("## Din (optimization)")
    assert "Din (model):" in text                 # the model's tokens ...
    assert "stz $10" in text                      # ... the tools' verified rewrite ...
    assert "## Verification" in text and text.endswith("\n")   # ... and the summary
    assert len(chunks) > 8                        # really streamed, not one blob


# -- Ollama chat and generate --------------------------------------------------------------


def test_ollama_chat_stream(server):
    status, headers, data = request(server.port, "POST", "/api/chat",
                                    {"model": "din", "messages": [
                                        {"role": "user", "content": QUESTION}]})
    assert status == 200, data
    assert headers["content-type"].startswith("application/x-ndjson")
    lines = ndjson(data)
    assert all(not o["done"] for o in lines[:-1]) and lines[-1]["done"] is True
    final = lines[-1]
    assert final["done_reason"] == "stop" and final["model"] == "din:latest"
    for k in ("total_duration", "load_duration", "prompt_eval_duration", "eval_duration",
              "prompt_eval_count", "eval_count"):
        assert isinstance(final[k], int) and final[k] >= 0, k
    assert final["total_duration"] > 0 and 0 < final["eval_count"] <= 24
    text = "".join(o["message"]["content"] for o in lines)
    assert text.startswith("## Din (optimization)")
    assert "stz $10" in text and "## Verification" in text


def test_ollama_chat_whole(server):
    status, body = post_json(server.port, "/api/chat", {
        "model": "din:latest", "stream": False,
        "options": {"num_predict": 8, "temperature": 0.2},
        "messages": [{"role": "system", "content": "You are helpful."},
                     {"role": "user", "content": QUESTION}]})
    assert status == 200, body
    assert body["done"] is True and body["done_reason"] == "stop"
    assert body["message"]["role"] == "assistant"
    assert "stz $10" in body["message"]["content"]
    assert 0 < body["eval_count"] <= 8                # num_predict honoured
    assert body["triforce"]["verification"]


def test_ollama_generate(server):
    status, _, data = request(server.port, "POST", "/api/generate",
                              {"model": "din", "prompt": QUESTION})
    assert status == 200, data
    lines = ndjson(data)
    assert lines[-1]["done"] is True and lines[-1]["done_reason"] == "stop"
    text = "".join(o["response"] for o in lines)
    assert "stz $10" in text and "## Verification" in text
    # an empty prompt only "loads the model", as Ollama does: no model call
    status, body = post_json(server.port, "/api/generate", {"model": "din", "prompt": ""})
    assert status == 200 and body["done"] is True and body["done_reason"] == "load"


# -- our own clients against the server ----------------------------------------------------


def test_openai_backend_client(server):
    client = OpenAIBackend(base_url=f"{server.url}/v1", api_key="")
    assert "triforce" in client.models() and "din" in client.models()
    pieces: list[str] = []
    # the model "triforce": the router picks Din for this question
    result = client.chat(ChatRequest([{"role": "user", "content": QUESTION}], model="triforce",
                                      max_tokens=24, timeout=90), pieces.append)
    assert result.backend == "openai" and result.model == "triforce"
    assert len(pieces) >= 3 and "".join(pieces) == result.text   # it streamed, in parts
    assert "## Din (optimization)" in result.text and "stz $10" in result.text
    assert "## Verification" in result.text
    assert result.finish_reason == "stop"
    assert result.completion_tokens and result.prompt_tokens
    with pytest.raises(BackendError) as exc:
        client.chat(ChatRequest([{"role": "user", "content": "hi"}], model="nobody"))
    assert exc.value.kind == "missing_model"


def test_ollama_backend_client(server):
    client = OllamaBackend(url=server.url)
    assert "din:latest" in client.models()
    assert client.show("din")["model_info"]["triforce.model"] == "din"
    pieces: list[str] = []
    result = client.chat(ChatRequest([{"role": "user", "content": QUESTION}], model="din",
                                     max_tokens=24, timeout=90), pieces.append)
    assert len(pieces) >= 3 and "".join(pieces) == result.text   # it streamed, in parts
    assert "stz $10" in result.text and "## Verification" in result.text
    assert result.finish_reason == "stop"
    assert result.completion_tokens and 0 < result.completion_tokens <= 24
    assert result.total_time > 0
    with pytest.raises(BackendError) as exc:
        client.chat(ChatRequest([{"role": "user", "content": "hi"}], model="nobody"))
    assert exc.value.kind == "missing_model"


# -- routing and metrics -------------------------------------------------------------------


def test_route(server):
    status, d = post_json(server.port, "/v1/route", {"question": QUESTION})
    assert status == 200
    assert d["plan"][0]["expert"] == "din" and d["plan"][0]["intent"] == "optimization"
    assert set(d["scores"]) >= {"optimization", "general"} and d["fallback"] is False
    status, d = post_json(server.port, "/v1/route", {"question": QUESTION, "verbose": True})
    assert status == 200 and "features" in d and d["plan"][0]["expert"] == "din"
    status, body = post_json(server.port, "/v1/route", {"question": "   "})
    assert assert_openai_error(status, body, 400)["message"] == "the question is empty"
    status, body = post_json(server.port, "/v1/route", {"question": 42})
    assert_openai_error(status, body, 400)


def test_metrics_change(server):
    before = metrics(server.port)
    status, _, text = request(server.port, "GET", "/metrics")
    lines = text.decode().splitlines()
    for family, kind in (("triforce_http_requests_total", "counter"),
                         ("triforce_http_requests_in_flight", "gauge"),
                         ("triforce_routing_queries_total", "counter"),
                         ("triforce_routing_expert_steps_total", "counter"),
                         ("triforce_routing_mean_confidence", "gauge"),
                         ("triforce_routing_fallback_ratio", "gauge"),
                         ("triforce_routing_latency_seconds", "summary")):
        assert f"# TYPE {family} {kind}" in lines, family
        assert any(line.startswith(f"# HELP {family} ") for line in lines), family
    assert before["triforce_http_requests_in_flight"] >= 1
    post_json(server.port, "/v1/route", {"question": "what does $2100 do?"})
    after = metrics(server.port)
    assert after["triforce_routing_queries_total"] == before["triforce_routing_queries_total"] + 1
    key = 'triforce_http_requests_total{endpoint="/v1/route",method="POST",status="200"}'
    assert after[key] == before.get(key, 0) + 1
    mkey = 'triforce_http_requests_total{endpoint="/metrics",method="GET",status="200"}'
    assert after[mkey] >= before.get(mkey, 0) + 2
    assert after['triforce_routing_latency_seconds_count'] == \
        after["triforce_routing_queries_total"]
    assert after['triforce_answers_total{ok="true"}'] >= 1
    assert after['triforce_model_tokens_total{kind="completion"}'] > 0


# -- limits: every bad request gets a clear error, and the server keeps serving ------------


def test_body_too_large(server):
    big = json.dumps({"model": "din", "messages": [
        {"role": "user", "content": "x" * (2 * 1024 * 1024)}]}).encode()
    status, _, data = request(server.port, "POST", "/v1/chat/completions", raw=big)
    err = assert_openai_error(status, json.loads(data), 413)
    assert "limit" in err["message"]
    status, _, data = request(server.port, "POST", "/api/chat", raw=big)
    assert status == 413 and isinstance(json.loads(data)["error"], str)


def test_body_too_large_expect_continue(server):
    """With "Expect: 100-continue" the 413 comes before the body is sent."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 5000000\r\n"
                  b"Expect: 100-continue\r\n\r\n")
        reply = b""
        while b"\r\n\r\n" not in reply:
            got = s.recv(4096)
            if not got:
                break
            reply += got
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


def test_bad_requests(server):
    port = server.port
    url = "/v1/chat/completions"
    status, body = post_json(port, url, chat_body() | {
        "messages": [{"role": "user", "content": ""}]})
    assert assert_openai_error(status, body, 400)["message"] == "the question is empty"
    status, _, data = request(port, "POST", url, raw=b'{"model": "din", "messages": [')
    err = assert_openai_error(status, json.loads(data), 400)
    assert "not valid JSON" in err["message"]
    status, _, data = request(port, "POST", url, raw=b"\xff\xfe")
    assert_openai_error(status, json.loads(data), 400)
    status, _, data = request(port, "POST", url, raw=b"")
    assert_openai_error(status, json.loads(data), 400)
    for bad in ([1, 2], {"model": "din", "messages": "hi"}, {"model": "din", "messages": []},
                {"model": 7, "messages": [{"role": "user", "content": QUESTION}]},
                chat_body(temperature="hot"), chat_body(max_tokens=0),
                chat_body(max_tokens=True), chat_body(stream="yes"), chat_body(n=3),
                chat_body(messages=[{"role": "wizard", "content": QUESTION}]),
                chat_body(messages=[{"role": "user", "content": QUESTION},
                                    {"role": "assistant", "content": "ok"}]),
                chat_body(messages=[{"role": "user", "content": [
                    {"type": "image_url", "image_url": {"url": "x"}}]}])):
        status, body = post_json(port, url, bad)
        assert_openai_error(status, body, 400)
    status, body = post_json(port, url, chat_body() | {
        "messages": [{"role": "user", "content": "x" * 70_000}]})
    assert "the limit is" in assert_openai_error(status, body, 400)["message"]
    status, body = post_json(port, url, chat_body("ganondorf"))
    err = assert_openai_error(status, body, 404)
    assert err["code"] == "model_not_found" and "ganondorf" in err["message"]
    # Ollama's endpoints answer in Ollama's shape
    for path, bad in (("/api/chat", {"model": "ganondorf", "messages": [
                          {"role": "user", "content": QUESTION}]}),
                      ("/api/generate", {"model": "din", "prompt": "   "}),
                      ("/api/chat", {"model": "din", "messages": [
                          {"role": "user", "content": QUESTION}], "options": {"seed": "x"}})):
        status, body = post_json(port, path, bad)
        assert status in (400, 404) and isinstance(body["error"], str), body
    status, _, data = request(port, "POST", "/api/generate", raw=b"{nope")
    assert status == 400 and isinstance(json.loads(data)["error"], str)
    # unknown endpoints and methods
    status, body = get_json(port, "/v2/everything")
    assert_openai_error(status, body, 404)
    status, headers, data = request(port, "GET", url)
    assert_openai_error(status, json.loads(data), 405)
    assert "POST" in headers["allow"]
    status, _, data = request(port, "BREW", "/health")
    assert status in (405, 501) and "error" in json.loads(data)
    # a request line that is not HTTP
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"hello\r\n\r\n")
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.") and b" 400 " in reply.split(b"\r\n")[0]
    # ... and after all that the server still answers
    status, health = get_json(port, "/health")
    assert status == 200 and health["status"] == "ok"
    assert "Traceback" not in server.log()


def test_keep_alive(server):
    """Several requests on one HTTP/1.1 connection, an error reply among them."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for path, expected in (("/health", 200), ("/nowhere", 404), ("/v1/models", 200)):
            conn.request("GET", path)
            resp = conn.getresponse()
            json.loads(resp.read())
            assert resp.status == expected
    finally:
        conn.close()
    # an error before the body was read closes the connection (the body is no request)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 27\r\n\r\n"
                  b"GET /health HTTP/1.1\r\n\r\n")
        reply = b""
        while True:
            got = s.recv(65536)
            if not got:
                break
            reply += got
    assert reply.startswith(b"HTTP/1.1 404") and reply.count(b"HTTP/1.1 ") == 1, reply
    assert b"Connection: close" in reply


def test_chunked_request_body(server):
    """A body sent with "Transfer-Encoding: chunked" is read, and limited, too."""
    import http.client

    for parts, expected in (([b'{"question": ', b'"what does $2100 do?"}'], 200),
                            ([b"x" * 700_000, b"y" * 700_000], 413)):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            conn.request("POST", "/v1/route", body=iter(parts), encode_chunked=True,
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            body = json.loads(resp.read())
        finally:
            conn.close()
        assert resp.status == expected, body
        if expected == 200:
            assert body["plan"][0]["expert"]
