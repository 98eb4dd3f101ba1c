"""The OpenAI-compatible endpoints (``/v1/models``, ``/v1/chat/completions``) and the
server's own (``/v1/route``, ``/metrics``, ``/health``).

The model ``triforce`` lets the router pick the expert(s); every expert id is a model
that forces that expert. The reply's content is the orchestrator's whole answer:
each section (the tools' verified result and the model's words) and the verification
summary. A non-streamed reply also carries the structured verification and plan in
the non-standard field ``triforce``.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from triforce.orchestra.conversation import trim_history
from triforce.server.common import (
    opt_bool,
    opt_dict,
    opt_int,
    opt_number,
    run_stream,
    wait_answer,
)
from triforce.server.metrics import CONTENT_TYPE as METRICS_TYPE
from triforce.server.service import (
    ApiError,
    Overrides,
    Question,
    Service,
    bad_request,
)

ROLES = ("system", "developer", "user", "assistant", "tool", "function")


# -- small endpoints ---------------------------------------------------------------------


def health(svc: Service, ex) -> None:
    ex.send_json(200, svc.health())


def metrics(svc: Service, ex) -> None:
    ex.send_text(200, svc.metrics_text(), METRICS_TYPE)


def _model_object(svc: Service, model: str) -> dict[str, Any]:
    return {"id": model, "object": "model", "created": int(svc.started), "owned_by": "triforce",
            "triforce": svc.describe(model)}


def list_models(svc: Service, ex) -> None:
    ex.send_json(200, {"object": "list",
                       "data": [_model_object(svc, m) for m in svc.model_names()]})


def get_model(svc: Service, ex, model_id: str) -> None:
    model, _ = svc.resolve_model(model_id)
    ex.send_json(200, _model_object(svc, model))


def route(svc: Service, ex) -> None:
    body = ex.json()
    q = body.get("question")
    if q is None:
        q = body.get("text")
    if not isinstance(q, str):
        raise bad_request("'question' must be a string", "question")
    ex.send_json(200, svc.route(q, verbose=opt_bool(body, "verbose", False)))


# -- chat completions --------------------------------------------------------------------


def message_text(msg: dict, i: int) -> str:
    c = msg.get("content")
    if c is None:
        return ""
    if isinstance(c, str):
        return c
    if isinstance(c, list):
        texts = []
        for part in c:
            if isinstance(part, dict) and part.get("type") in ("text", "input_text") \
                    and isinstance(part.get("text"), str):
                texts.append(part["text"])
            else:
                raise bad_request(f"messages[{i}].content: only text parts are supported",
                                  "messages")
        return "\n".join(texts)
    raise bad_request(f"messages[{i}].content must be a string or a list of text parts",
                      "messages")


def conversation(messages: Any, roles: tuple[str, ...] = ROLES
                 ) -> tuple[str, list[dict[str, str]]]:
    """The question (the last message, the user's) and the earlier user/assistant turns."""
    if not isinstance(messages, list) or not messages:
        raise bad_request("'messages' must be a non-empty list", "messages")
    turns: list[tuple[str, str]] = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise bad_request(f"messages[{i}] must be an object", "messages")
        role = m.get("role")
        if role not in roles:
            raise bad_request(f"messages[{i}].role must be one of {', '.join(roles)}",
                              "messages")
        turns.append((role, message_text(m, i)))
    role, question = turns[-1]
    if role != "user":
        raise bad_request("the last message must be the user's question", "messages")
    return question, history_of(turns[:-1])


def history_of(turns: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Earlier turns as the orchestrator takes them, trimmed by the one library rule
    (:func:`triforce.orchestra.conversation.trim_history`)."""
    return trim_history({"role": role, "content": text} for role, text in turns)


def parse_chat(svc: Service, body: dict) -> tuple[Question, bool, bool]:
    model, expert = svc.resolve_model(body.get("model"))
    question, history = conversation(body.get("messages"))
    text = svc.check(question)
    n = opt_int(body, "n", 1)
    if n is not None and n != 1:
        raise bad_request("'n' must be 1: there is one verified answer per question", "n")
    max_tokens = opt_int(body, "max_completion_tokens", 1)
    if max_tokens is None:
        max_tokens = opt_int(body, "max_tokens", 1)
    overrides = Overrides(max_tokens=max_tokens,
                          temperature=opt_number(body, "temperature", 0.0, 2.0),
                          top_p=opt_number(body, "top_p", 0.0, 1.0),
                          seed=opt_int(body, "seed"))
    stream = opt_bool(body, "stream", False)
    include_usage = opt_bool(opt_dict(body, "stream_options"), "include_usage", False,
                             "stream_options.")
    return Question(text, model, expert, history, overrides), stream, include_usage


def chat_completions(svc: Service, ex) -> None:
    body = ex.json()
    q, stream, include_usage = parse_chat(svc, body)
    ex.note = f"model={q.model}" + (" stream" if stream else "")
    deadline = svc.deadline()
    job = svc.start(q)
    cid = "chatcmpl-" + uuid.uuid4().hex[:24]
    created = int(time.time())
    if stream:
        run_stream(svc, ex, job, deadline, _SSE(svc, cid, created, q.model, include_usage))
        return
    answer = wait_answer(svc, job, deadline)
    usage = svc.account(answer)
    ex.send_json(200, {
        "id": cid, "object": "chat.completion", "created": created, "model": q.model,
        "system_fingerprint": f"triforce-{svc.version}",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.render()},
                     "logprobs": None, "finish_reason": "stop"}],
        "usage": usage,
        "triforce": svc.structured(answer),
    })


class _SSE:
    """OpenAI's ``chat.completion.chunk`` events."""

    content_type = "text/event-stream; charset=utf-8"

    def __init__(self, svc: Service, cid: str, created: int, model: str,
                 include_usage: bool) -> None:
        self.svc = svc
        self.base = {"id": cid, "object": "chat.completion.chunk", "created": created,
                     "model": model, "system_fingerprint": f"triforce-{svc.version}"}
        self.include_usage = include_usage

    @staticmethod
    def _event(obj: Any) -> bytes:
        return b"data: " + json.dumps(obj, ensure_ascii=False, default=str).encode() + b"\n\n"

    def _chunk(self, delta: dict, finish: str | None = None) -> bytes:
        return self._event(self.base | {"choices": [
            {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]})

    def opening(self) -> bytes:
        return self._chunk({"role": "assistant", "content": ""})

    def piece(self, text: str) -> bytes:
        return self._chunk({"content": text})

    def closing(self, answer, text: str) -> bytes:
        usage = self.svc.account(answer)
        out = self._chunk({"content": text}) + self._chunk({}, "stop")
        if self.include_usage:
            out += self._event(self.base | {"choices": [], "usage": usage})
        return out + b"data: [DONE]\n\n"

    def error(self, err: ApiError) -> bytes:
        return self._event({"error": {"message": err.message, "type": err.type,
                                      "param": None, "code": err.code}}) + b"data: [DONE]\n\n"
