"""The experts: the registry (who they are, their prompts, sampling and backends) and the
chat messages built for a question. Knows nothing of HTTP; ``triforce.llm`` serves them."""

from __future__ import annotations

from triforce.experts.prompts import CHARS_PER_TOKEN, build_messages
from triforce.experts.registry import (
    BACKENDS,
    INTENTS,
    TOOLS,
    Expert,
    FewShot,
    Registry,
    Sampling,
    adapter_path,
    config_path,
    load_registry,
)
from triforce.experts.serving import served_model

__all__ = ["BACKENDS", "CHARS_PER_TOKEN", "INTENTS", "TOOLS", "Expert", "FewShot", "Registry",
           "Sampling", "adapter_path", "build_messages", "config_path",
           "load_registry", "served_model"]
