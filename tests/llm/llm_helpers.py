"""Helpers shared by the backend tests (imported by name: the test directory is on sys.path)."""

from __future__ import annotations

from triforce.llm.base import ChatRequest

PROMPT = [{"role": "user", "content": "What is the capital of France?"}]


def greedy(model: str | None = None, max_tokens: int = 24, **kw) -> ChatRequest:
    """A short, deterministic request (temperature 0, fixed seed)."""
    return ChatRequest(messages=kw.pop("messages", PROMPT), model=model, temperature=0.0,
                       seed=7, max_tokens=max_tokens, **kw)
