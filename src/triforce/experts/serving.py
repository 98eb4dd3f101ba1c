"""Which model serves an expert on a backend: the one rule the orchestrator and
``triforce experts`` both follow."""

from __future__ import annotations

from triforce.experts.registry import Expert, Registry, adapter_path

#: Tiers whose base model serves an expert that names none of its own, in order.
TIER_ORDER = ("balanced", "quality", "fast")


def served_model(registry: Registry, expert: Expert, backend: str) -> str | None:
    """The model tag (Ollama, OpenAI-style servers) or LoRA adapter file (embedded) that
    serves ``expert`` on ``backend``; None: the backend's own default model.

    An expert's own entry for the backend wins; otherwise the first tier (balanced,
    quality, fast) that names a model for the backend. On the embedded backend the
    adapter file need not exist yet (the base model then answers with the prompt).
    """
    if backend == "embedded":
        path = adapter_path(expert)
        return str(path) if path else None
    name = expert.backends.get(backend)
    if name:
        return name
    for tier in TIER_ORDER:
        model = registry.tiers.get(tier, {}).get(backend)
        if model:
            return model
    return None
