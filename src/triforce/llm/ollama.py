"""Ollama's HTTP API: ``/api/chat``, ``/api/generate``, ``/api/tags``, ``/api/show``.

Each expert is a model tag. ``num_ctx`` is always sent, because Ollama otherwise cuts
the prompt to its own default context without a word. Timings come from the reply
(``prompt_eval_count``, ``eval_count``, ``load_duration`` ...), not from our clock.
"""

from __future__ import annotations

import json
import os
from typing import Any

from triforce.llm import http
from triforce.llm.base import ChatRequest, ChatResult, Clock, TokenCallback
from triforce.llm.errors import BadReply, MissingModel
from triforce.llm.probe import Probe, ollama_url, probe_ollama


class OllamaBackend:
    name = "ollama"

    def __init__(self, url: str | None = None, *, default_model: str = "qwen2.5-coder:7b",
                 keep_alive: str | int | None = "10m", api_key: str | None = None) -> None:
        self.url = (url or ollama_url()).rstrip("/")
        # Ollama itself has no keys; a proxy in front of it (or `triforce serve --api-key`)
        # may. $OLLAMA_API_KEY is sent only to the server $OLLAMA_HOST names.
        if api_key is None and self.url == ollama_url():
            api_key = os.environ.get("OLLAMA_API_KEY") or None
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.default_model = default_model
        self.keep_alive = keep_alive

    # -- API ---------------------------------------------------------------------------------

    def options(self, req: ChatRequest) -> dict[str, Any]:
        opts: dict[str, Any] = {
            "temperature": req.temperature, "top_p": req.top_p, "top_k": req.top_k,
            "num_ctx": req.num_ctx, "num_predict": req.max_tokens,
            "repeat_penalty": req.repeat_penalty,
        }
        if req.seed is not None:
            opts["seed"] = req.seed
        if req.stop:
            opts["stop"] = list(req.stop)
        return opts

    def chat(self, request: ChatRequest, on_token: TokenCallback | None = None) -> ChatResult:
        model = request.model or self.default_model
        body: dict[str, Any] = {"model": model, "messages": request.messages,
                                "stream": True, "options": self.options(request)}
        if self.keep_alive is not None:
            body["keep_alive"] = self.keep_alive
        if request.json_schema is not None:
            body["format"] = request.json_schema
        return self._stream("/api/chat", body, model, request.timeout, on_token,
                            lambda d: (d.get("message") or {}).get("content", ""))

    def generate(self, prompt: str, request: ChatRequest,
                 on_token: TokenCallback | None = None, *, system: str | None = None) -> ChatResult:
        model = request.model or self.default_model
        body: dict[str, Any] = {"model": model, "prompt": prompt, "stream": True,
                                "options": self.options(request)}
        if system:
            body["system"] = system
        if self.keep_alive is not None:
            body["keep_alive"] = self.keep_alive
        if request.json_schema is not None:
            body["format"] = request.json_schema
        return self._stream("/api/generate", body, model, request.timeout, on_token,
                            lambda d: d.get("response", ""))

    def tags(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        data = http.get_json(self.name, self.url + "/api/tags", headers=self.headers,
                             timeout=timeout)
        return [m for m in (data or {}).get("models", []) if isinstance(m, dict)]

    def models(self) -> list[str]:
        return [m.get("name", "") for m in self.tags()]

    def show(self, model: str, timeout: float = 10.0) -> dict[str, Any]:
        return http.post_json(self.name, self.url + "/api/show", {"model": model},
                              headers=self.headers, timeout=timeout,
                              not_found=self._missing(model))

    def health(self) -> Probe:
        return probe_ollama()

    # -- internals ---------------------------------------------------------------------------

    def _missing(self, model: str) -> str:
        return f"model '{model}' is not in Ollama at {self.url} (ollama pull {model})"

    def _stream(self, path: str, body: dict, model: str, timeout: float,
                on_token: TokenCallback | None, piece) -> ChatResult:
        url = self.url + path
        clock = Clock(on_token)
        deadline = http.Deadline(timeout)
        final: dict[str, Any] = {}
        with http.request(self.name, "POST", url, body, headers=self.headers,
                          deadline=deadline, not_found=self._missing(model)) as resp:
            for line in http.lines(self.name, url, resp, deadline):
                try:
                    d = json.loads(line)
                except ValueError:
                    raise BadReply(self.name, f"{url} sent a line that is not JSON") from None
                if "error" in d:
                    msg = str(d["error"])
                    raise (MissingModel if "not found" in msg else BadReply)(self.name, msg)
                text = piece(d)
                clock.add(text)
                if d.get("done"):
                    final = d
                    break
        if not final:
            raise BadReply(self.name, f"{url} ended the reply early")
        ns = 1e-9
        total = clock.elapsed()
        return ChatResult(
            text=clock.text, backend=self.name, model=model,
            prompt_tokens=final.get("prompt_eval_count"),
            completion_tokens=final.get("eval_count"),
            time_to_first_token=clock.first, total_time=total,
            load_time=(final.get("load_duration") or 0) * ns,
            finish_reason=final.get("done_reason"),
            extra={k: final[k] * ns for k in ("total_duration", "prompt_eval_duration",
                                              "eval_duration") if isinstance(final.get(k), int)},
        )
