"""The Ollama-compatible endpoints: ``/api/tags``, ``/api/chat``, ``/api/generate``,
``/api/show``, ``/api/version`` and ``GET /``.

Replies stream as NDJSON by default, as Ollama's do; ``"stream": false`` gives one JSON
object. The last object has ``done: true``, ``done_reason`` and the timings in
nanoseconds (``total_duration``, ``load_duration``, ``prompt_eval_duration``,
``eval_duration``) with ``prompt_eval_count`` and ``eval_count`` (the model's tokens).
Models are listed as ``name:latest``; a request may name them with or without the tag.
An empty request (no prompt, no messages) loads nothing and answers ``done_reason:
"load"`` at once, as Ollama does.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from triforce.server.common import (
    opt_bool,
    opt_dict,
    opt_int,
    opt_number,
    run_stream,
    wait_answer,
)
from triforce.server.openai_api import history_of, message_text
from triforce.server.service import ApiError, Overrides, Question, Service, bad_request

ROLES = ("system", "user", "assistant", "tool")


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _tag(model: str) -> str:
    return f"{model}:latest"


def _details(svc: Service) -> dict[str, Any]:
    return {"parent_model": "", "format": "gguf" if svc.backends[0] == "embedded" else "",
            "family": "triforce", "families": ["triforce"], "parameter_size": "",
            "quantization_level": ""}


# -- small endpoints ---------------------------------------------------------------------


def root(svc: Service, ex) -> None:
    ex.send_text(200, "Triforce is running (OpenAI- and Ollama-compatible API)")


def version(svc: Service, ex) -> None:
    ex.send_json(200, {"version": svc.version})


def tags(svc: Service, ex) -> None:
    modified = datetime.fromtimestamp(svc.started, UTC).isoformat().replace("+00:00", "Z")
    ex.send_json(200, {"models": [
        {"name": _tag(m), "model": _tag(m), "modified_at": modified, "size": 0,
         "digest": svc.digest(m), "details": _details(svc)}
        for m in svc.model_names()]})


def show(svc: Service, ex) -> None:
    body = ex.json()
    model, expert = svc.resolve_model(body.get("model", body.get("name")))
    info = svc.describe(model)
    params = ""
    system = ""
    if expert:
        e = svc.registry.get(expert)
        s = e.sampling
        params = (f"temperature {s.temperature}\ntop_p {s.top_p}\ntop_k {s.top_k}\n"
                  f"num_ctx {s.num_ctx}")
        system = e.system_prompt
    ex.send_json(200, {
        "license": "", "modelfile": f"# {info['name']}: {info['description']}\n",
        "parameters": params, "template": "", "system": system, "details": _details(svc),
        "model_info": {"general.architecture": "triforce", "triforce.model": model,
                       "triforce.intent": info["intent"]},
        "capabilities": ["completion"],
        "modified_at": datetime.fromtimestamp(svc.started, UTC).isoformat()
        .replace("+00:00", "Z"),
    })


# -- chat and generate -------------------------------------------------------------------


def _overrides(body: dict) -> Overrides:
    opts = opt_dict(body, "options")
    n = opt_int(opts, "num_predict", where="options.")
    return Overrides(max_tokens=n if n is not None and n > 0 else None,
                     temperature=opt_number(opts, "temperature", 0.0, 2.0, "options."),
                     top_p=opt_number(opts, "top_p", 0.0, 1.0, "options."),
                     seed=opt_int(opts, "seed", where="options."))


def _no_images(obj: dict, where: str) -> None:
    if obj.get("images"):
        raise bad_request(f"{where}images: only text is supported", "images")


def chat(svc: Service, ex) -> None:
    body = ex.json()
    model, expert = svc.resolve_model(body.get("model"))
    stream = opt_bool(body, "stream", True)
    messages = body.get("messages")
    if messages is None or messages == []:
        return _loaded(ex, model, chat=True)
    if not isinstance(messages, list):
        raise bad_request("'messages' must be a list", "messages")
    turns = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise bad_request(f"messages[{i}] must be an object", "messages")
        if m.get("role") not in ROLES:
            raise bad_request(f"messages[{i}].role must be one of {', '.join(ROLES)}",
                              "messages")
        _no_images(m, f"messages[{i}].")
        turns.append((m["role"], message_text(m, i)))
    if turns[-1][0] != "user":
        raise bad_request("the last message must be the user's question", "messages")
    q = Question(svc.check(turns[-1][1]), model, expert, history_of(turns[:-1]),
                 _overrides(body))
    _answer(svc, ex, q, stream, chat=True)


def generate(svc: Service, ex) -> None:
    body = ex.json()
    model, expert = svc.resolve_model(body.get("model"))
    stream = opt_bool(body, "stream", True)
    _no_images(body, "")
    prompt = body.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise bad_request("'prompt' must be a string", "prompt")
    if not prompt:
        return _loaded(ex, model, chat=False)
    q = Question(svc.check(prompt), model, expert, [], _overrides(body))
    _answer(svc, ex, q, stream, chat=False)


def _loaded(ex, model: str, chat: bool) -> None:
    out: dict[str, Any] = {"model": _tag(model), "created_at": _now()}
    if chat:
        out["message"] = {"role": "assistant", "content": ""}
    else:
        out["response"] = ""
    ex.send_json(200, out | {"done": True, "done_reason": "load"})


def _answer(svc: Service, ex, q: Question, stream: bool, chat: bool) -> None:
    ex.note = f"model={q.model}" + (" stream" if stream else "")
    deadline = svc.deadline()
    t0 = time.monotonic()
    job = svc.start(q)
    fmt = _NDJSON(svc, _tag(q.model), chat, t0)
    if stream:
        run_stream(svc, ex, job, deadline, fmt)
        return
    answer = wait_answer(svc, job, deadline)
    obj = fmt.final(answer, answer.render())
    obj["triforce"] = svc.structured(answer)
    ex.send_json(200, obj)


class _NDJSON:
    content_type = "application/x-ndjson"

    def __init__(self, svc: Service, model: str, chat: bool, t0: float) -> None:
        self.svc = svc
        self.model = model
        self.chat = chat
        self.t0 = t0

    def _obj(self, text: str, done: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"model": self.model, "created_at": _now()}
        if self.chat:
            out["message"] = {"role": "assistant", "content": text}
        else:
            out["response"] = text
        out["done"] = done
        return out

    @staticmethod
    def _line(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=False, default=str).encode() + b"\n"

    def final(self, answer, text: str) -> dict[str, Any]:
        usage = self.svc.account(answer)
        out = self._obj(text, True)
        out["done_reason"] = "stop"
        out.update(self.svc.durations_ns(answer, time.monotonic() - self.t0))
        out["prompt_eval_count"] = usage["prompt_tokens"]
        out["eval_count"] = usage["completion_tokens"]
        return out

    def opening(self) -> bytes:
        return b""

    def piece(self, text: str) -> bytes:
        return self._line(self._obj(text, False))

    def closing(self, answer, text: str) -> bytes:
        # the verification summary, then the final object (empty, as Ollama's is)
        return self.piece(text) + self._line(self.final(answer, ""))

    def error(self, err: ApiError) -> bytes:
        return self._line({"error": err.message})
