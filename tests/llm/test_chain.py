"""Which backends answer, in which order, and what a malformed address gives."""

from __future__ import annotations

import pytest

from triforce.errors import UserError
from triforce.llm import BackendError, ChatRequest, backend_chain
from triforce.llm.ollama import OllamaBackend
from triforce.llm.openai import OpenAIBackend


def test_backend_chain(monkeypatch):
    monkeypatch.delenv("TRIFORCE_BACKEND", raising=False)
    monkeypatch.delenv("TRIFORCE_FALLBACK", raising=False)
    assert backend_chain() == ["embedded"]
    assert backend_chain("ollama") == ["ollama", "embedded"]
    monkeypatch.setenv("TRIFORCE_FALLBACK", "openai, ollama,openai")
    monkeypatch.setenv("TRIFORCE_BACKEND", "ollama")
    assert backend_chain() == ["ollama", "openai"]
    monkeypatch.setenv("TRIFORCE_BACKEND", "gpt")
    with pytest.raises(UserError, match="TRIFORCE_BACKEND='gpt'"):
        backend_chain()
    monkeypatch.setenv("TRIFORCE_FALLBACK", "embedded,lmstudio")
    with pytest.raises(UserError, match="unknown backend 'lmstudio'"):
        backend_chain("openai")


@pytest.mark.parametrize("make", [
    lambda: OllamaBackend("http://[bad"),
    lambda: OpenAIBackend("notaurl", default_model="m"),
])
def test_malformed_address_is_one_line_and_lets_the_chain_go_on(make):
    with pytest.raises(BackendError) as err:
        make().chat(ChatRequest([{"role": "user", "content": "x"}], timeout=2))
    assert err.value.kind == "unreachable" and "not a usable address" in str(err.value)
    assert "\n" not in str(err.value)
