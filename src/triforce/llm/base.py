"""The one interface every backend speaks: a chat request in, text (streamed or not) out.

A backend is anything with ``name``, ``chat(request, on_token=None) -> ChatResult``,
``health() -> Probe`` and ``models() -> list[str]``. Streaming is a callback: the
backend calls ``on_token(text)`` for every piece as it arrives and still returns the
whole result at the end, so a caller that wants a generator runs ``chat`` in a thread.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from triforce.llm.probe import Probe


@dataclass
class ChatRequest:
    """What to ask. ``model`` is a model tag / adapter name; None means the backend's default."""

    messages: list[dict[str, str]]
    model: str | None = None
    temperature: float = 0.7
    top_p: float = 0.9
    top_k: int = 40
    num_ctx: int = 4096
    max_tokens: int = 512
    seed: int | None = None
    stop: tuple[str, ...] = ()
    #: Penalty on repeating recent tokens (llama.cpp and Ollama; 1.0 = none).
    repeat_penalty: float = 1.1
    #: A JSON schema the reply must follow (constrained decoding where the backend has it).
    json_schema: dict[str, Any] | None = None
    #: Seconds for the whole request, connection to last token.
    timeout: float = 120.0


@dataclass
class ChatResult:
    text: str
    backend: str
    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    #: Seconds from sending the request to the first piece of text.
    time_to_first_token: float | None = None
    #: Seconds from sending the request to the end of the reply.
    total_time: float = 0.0
    #: Seconds spent loading the model for this request (0 when it was loaded already).
    load_time: float = 0.0
    finish_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tokens_per_second(self) -> float | None:
        """Generation speed: tokens after the first over the time after the first."""
        if not self.completion_tokens or self.time_to_first_token is None:
            return None
        gen = self.total_time - self.time_to_first_token
        if self.completion_tokens <= 1 or gen <= 0:
            return None
        return (self.completion_tokens - 1) / gen

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["tokens_per_second"] = self.tokens_per_second
        return d


TokenCallback = Callable[[str], None]


class Backend(Protocol):
    name: str

    def chat(self, request: ChatRequest, on_token: TokenCallback | None = None) -> ChatResult:
        ...

    def health(self) -> Probe:
        ...

    def models(self) -> list[str]:
        ...


class Clock:
    """One request's reply as it arrives: the pieces, the time to the first, the total."""

    def __init__(self, on_token: TokenCallback | None = None) -> None:
        self.start = time.perf_counter()
        self.first: float | None = None
        self.parts: list[str] = []
        self.on_token = on_token

    def add(self, piece: str) -> None:
        """Record a piece of the reply and pass it to the caller's callback."""
        if not piece:
            return
        if self.first is None:
            self.first = time.perf_counter() - self.start
        self.parts.append(piece)
        if self.on_token:
            self.on_token(piece)

    def token(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.start

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


class RepeatGuard:
    """Notices a small model saying the same sentence over and over.

    ``feed`` the text as it grows; ``looping`` is True once a sentence of at least
    ``min_len`` characters has come ``times`` times. ``clean`` drops the repeats.
    """

    def __init__(self, times: int = 3, min_len: int = 12) -> None:
        self.times = times
        self.min_len = min_len
        self.text = ""
        self._checked = 0

    def feed(self, piece: str) -> bool:
        self.text += piece
        if len(self.text) - self._checked < 40 and "\n" not in piece:
            return False
        self._checked = len(self.text)
        return self.looping()

    def _sentences(self) -> list[str]:
        parts = [p.strip() for p in _SENTENCE_END.split(self.text)]
        return [p for p in parts[:-1] if len(p) >= self.min_len and not p.startswith("```")]

    def looping(self) -> bool:
        seen: dict[str, int] = {}
        for p in self._sentences():
            seen[p] = seen.get(p, 0) + 1
            if seen[p] >= self.times:
                return True
        return False

    @staticmethod
    def clean(text: str, min_len: int = 12) -> str:
        """``text`` with every repeat of an earlier sentence removed (code kept whole)."""
        out: list[str] = []
        seen: set[str] = set()
        in_code = False
        for line in text.split("\n"):
            if line.strip().startswith("```"):
                in_code = not in_code
                out.append(line)
                continue
            if in_code:
                out.append(line)
                continue
            kept = []
            for sent in re.split(r"(?<=[.!?])\s+", line):
                key = sent.strip()
                if len(key) >= min_len and key in seen:
                    continue
                seen.add(key)
                kept.append(sent)
            if kept or not line.strip():
                out.append(" ".join(kept))
        return "\n".join(out).rstrip()
