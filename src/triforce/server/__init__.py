"""``triforce serve``: the assistant over HTTP, OpenAI- and Ollama-compatible.

    from triforce.orchestra import Orchestrator
    from triforce.server import Service, make_server

    server = make_server(Service(Orchestrator(max_tokens=128)), "127.0.0.1", 8000)
    server.serve_forever()

Endpoints: ``GET /v1/models``, ``POST /v1/chat/completions`` (OpenAI);
``GET /api/tags``, ``POST /api/chat``, ``POST /api/generate``, ``POST /api/show``,
``GET /api/version`` (Ollama); ``POST /v1/route``, ``GET /metrics`` (Prometheus),
``GET /health``. Standard library only.
"""

from __future__ import annotations

from triforce.server.app import Server, is_loopback, make_server
from triforce.server.service import MAX_BODY, ROUTED_MODEL, ApiError, Service

__all__ = ["MAX_BODY", "ROUTED_MODEL", "ApiError", "Server", "Service", "is_loopback",
           "make_server"]
