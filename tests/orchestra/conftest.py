"""Shared fixtures of the orchestrator tests."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture
def no_backend(monkeypatch) -> int:
    """OLLAMA_HOST points at a loopback port nothing listens on (the port is returned)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{port}")
    return port
