"""Model backends (embedded llama.cpp, Ollama, OpenAI-compatible servers).

Knows nothing of 65816: it serves whatever the experts ask for. Every backend speaks
:class:`~triforce.llm.base.Backend`; :func:`open_backend` makes one by name.
"""

from __future__ import annotations

from triforce.llm.base import Backend, ChatRequest, ChatResult
from triforce.llm.errors import (
    BackendError,
    BackendTimeout,
    BadReply,
    ErrorKind,
    MissingModel,
    NotInstalled,
    Refused,
    Unreachable,
)

BACKEND_NAMES = ("embedded", "ollama", "openai")


def backend_chain(first: str | None = None) -> list[str]:
    """The backends to try in order: ``first`` (default ``$TRIFORCE_BACKEND``, else
    embedded), then the fallback chain ``$TRIFORCE_FALLBACK`` (comma-separated, default
    embedded), without repeats."""
    import os

    from triforce.errors import UserError

    head = first or os.environ.get("TRIFORCE_BACKEND", "").strip() or "embedded"
    if head not in BACKEND_NAMES:
        raise UserError(f"TRIFORCE_BACKEND={head!r} is not one of {', '.join(BACKEND_NAMES)}")
    rest = [b.strip() for b in os.environ.get("TRIFORCE_FALLBACK", "embedded").split(",")
            if b.strip()]
    for b in rest:
        if b not in BACKEND_NAMES:
            raise UserError(f"TRIFORCE_FALLBACK names an unknown backend {b!r}")
    return [head] + [b for b in dict.fromkeys(rest) if b != head]


def open_backend(name: str, **options) -> Backend:
    """A backend by name: ``embedded`` (shared per process), ``ollama`` or ``openai``."""
    from triforce.errors import UserError

    key = name.strip().lower()
    if key == "embedded":
        from triforce.llm.embedded import shared

        return shared(options.get("model_path"), options.get("n_ctx", 4096))
    if key == "ollama":
        from triforce.llm.ollama import OllamaBackend

        return OllamaBackend(options.get("url"))
    if key == "openai":
        from triforce.llm.openai import OpenAIBackend

        return OpenAIBackend(options.get("url"), api_key=options.get("api_key"))
    raise UserError(f"unknown backend '{name}' (one of: {', '.join(BACKEND_NAMES)})")


__all__ = ["BACKEND_NAMES", "Backend", "backend_chain", "BackendError", "BackendTimeout",
           "BadReply", "ChatRequest", "ChatResult", "ErrorKind", "MissingModel", "NotInstalled",
           "Refused", "Unreachable", "open_backend"]
