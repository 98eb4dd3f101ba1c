"""Any OpenAI-compatible server: vLLM (``--enable-lora``: the adapter's name is the
``model``), llama.cpp's server, llama-cpp-python's server, LM Studio.

The base URL comes from ``$TRIFORCE_OPENAI_BASE_URL`` (default
http://127.0.0.1:8000/v1) and the key from ``$TRIFORCE_OPENAI_API_KEY`` or
``$OPENAI_API_KEY``; it is only ever sent to that URL.
"""

from __future__ import annotations

import json
import os
from typing import Any

from triforce.llm import http
from triforce.llm.base import ChatRequest, ChatResult, Clock, TokenCallback
from triforce.llm.errors import BackendError, BadReply, MissingModel, Refused
from triforce.llm.probe import Probe, openai_url, probe_openai


def api_key() -> str | None:
    return os.environ.get("TRIFORCE_OPENAI_API_KEY") or os.environ.get("OPENAI_API_KEY") or None


def _is_served(model: str, names: list[str]) -> bool:
    """Whether ``model`` is one of the listed ``names`` (Ollama lists "x:latest" for "x")."""
    return model in names or (":" not in model and f"{model}:latest" in names)


class OpenAIBackend:
    name = "openai"

    def __init__(self, base_url: str | None = None, *, api_key: str | None = None,
                 default_model: str | None = None) -> None:
        self.url = (base_url or openai_url()).rstrip("/")
        # the key from the environment goes only to the server the environment names
        if api_key is None and self.url == openai_url():
            api_key = globals()["api_key"]()
        self.key = api_key
        self.default_model = default_model
        self._served: list[str] | None = None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def models(self) -> list[str]:
        data = http.get_json(self.name, self.url + "/models", headers=self._headers())
        items = data.get("data", []) if isinstance(data, dict) else []
        self._served = [m.get("id", "") for m in items if isinstance(m, dict)]
        return list(self._served)

    def health(self) -> Probe:
        return probe_openai()

    def _listed(self, deadline: http.Deadline, refresh: bool = False) -> list[str] | None:
        """The model ids the server lists (kept), or None when it does not list them.

        A server that is down or does not answer within ``deadline`` raises BackendError.
        """
        if self._served is not None and not refresh:
            return self._served
        url = self.url + "/models"
        try:
            with http.request(self.name, "GET", url, headers=self._headers(),
                              deadline=deadline) as resp:
                data = http.read_json(self.name, url, resp, deadline)
        except BackendError as exc:
            if isinstance(exc, Refused | BadReply):   # no /models here: take names on trust
                return None
            raise
        items = data.get("data", []) if isinstance(data, dict) else []
        self._served = [m.get("id", "") for m in items if isinstance(m, dict)]
        return self._served

    def _model(self, request: ChatRequest, deadline: http.Deadline) -> str:
        """The model to ask for: the request's, the default, or the one the server serves.

        A name the server does not list is refused here: llama.cpp's and
        llama-cpp-python's servers would otherwise answer with whatever they serve.
        """
        model = request.model or self.default_model
        if not model:
            names = self._listed(deadline)    # a single-model server: use what it serves
            if not names:
                raise MissingModel(self.name, f"{self.url} serves no models")
            self.default_model = names[0]
            return names[0]
        names = self._listed(deadline)
        if names is not None and not _is_served(model, names):
            names = self._listed(deadline, refresh=True)    # loaded since we last looked?
            if names is not None and not _is_served(model, names):
                shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
                raise MissingModel(self.name, f"model '{model}' is not served at {self.url} "
                                   f"(it serves: {shown or 'nothing'})")
        return model

    def chat(self, request: ChatRequest, on_token: TokenCallback | None = None) -> ChatResult:
        clock = Clock(on_token)
        deadline = http.Deadline(request.timeout)   # the whole request, model lookup included
        model = self._model(request, deadline)
        body: dict[str, Any] = {
            "model": model, "messages": request.messages, "stream": True,
            "temperature": request.temperature, "top_p": request.top_p,
            "max_tokens": request.max_tokens,
            "stream_options": {"include_usage": True},
        }
        if request.top_k:
            body["top_k"] = request.top_k      # vLLM and llama.cpp take it; others ignore it
        if request.seed is not None:
            body["seed"] = request.seed
        if request.stop:
            body["stop"] = list(request.stop)
        if request.json_schema is not None:
            body["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "reply", "schema": request.json_schema, "strict": True}}
        url = self.url + "/chat/completions"
        usage: dict[str, Any] = {}
        finish = None
        missing = f"model '{model}' is not served at {self.url}"
        try:
            resp = http.request(self.name, "POST", url, body, headers=self._headers(),
                                deadline=deadline, not_found=missing)
        except BackendError as exc:
            # llama-cpp-python's server knows only {"type": "json_object", "schema": ...}
            if request.json_schema is None or "response_format" not in str(exc):
                raise
            body["response_format"] = {"type": "json_object", "schema": request.json_schema}
            resp = http.request(self.name, "POST", url, body, headers=self._headers(),
                                deadline=deadline, not_found=missing)
        with resp:
            ctype = resp.headers.get("Content-Type", "")
            if "text/event-stream" not in ctype:   # a server that ignores "stream"
                data = http.read_json(self.name, url, resp, deadline)
                return self._whole(data, model, clock)
            for line in http.lines(self.name, url, resp, deadline):
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    break
                try:
                    d = json.loads(payload)
                except ValueError:
                    raise BadReply(self.name, f"{url} sent an event that is not JSON") from None
                if "error" in d:
                    err = d["error"]
                    raise BadReply(self.name, str(err.get("message", err)
                                                      if isinstance(err, dict) else err))
                if d.get("usage"):
                    usage = d["usage"]
                for ch in d.get("choices") or []:
                    text = (ch.get("delta") or {}).get("content") or ""
                    clock.add(text)
                    finish = ch.get("finish_reason") or finish
        return ChatResult(
            text=clock.text, backend=self.name, model=model,
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens") or (len(clock.parts) or None),
            time_to_first_token=clock.first, total_time=clock.elapsed(), finish_reason=finish)

    def _whole(self, data: Any, model: str, clock: Clock) -> ChatResult:
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            raise BadReply(self.name, "the server's reply has no choices[0].message") from None
        usage = data.get("usage") or {}
        clock.token()
        return ChatResult(text=text, backend=self.name, model=model,
                          prompt_tokens=usage.get("prompt_tokens"),
                          completion_tokens=usage.get("completion_tokens"),
                          time_to_first_token=clock.first, total_time=clock.elapsed(),
                          finish_reason=choice.get("finish_reason"))
