"""Who answers a question: intents, calibrated confidences and a plan of expert steps.

Three routers share one interface (``route(text) -> Decision``, ``experts``):

* ``KeywordRouter`` scores a question with the weighted patterns and code features of
  ``triforce/data/routing.toml`` (pure Python, well under a millisecond);
* ``EmbeddingRouter`` embeds it with all-MiniLM-L6-v2 (numpy, :mod:`.embedding`) and
  scores it with a trained head (:mod:`.head`);
* ``HybridRouter`` stacks the two (:mod:`.hybrid`); the default when the model is
  installed.

``load_router(kind)`` builds one, ``default_router()`` is the best one available;
``stats`` records every decision; ``evaluate`` measures a router on a labelled set.
numpy and the model are imported only when an embedding-based router is asked for.
"""

from __future__ import annotations

from functools import lru_cache

from triforce.routing.keyword import (
    GENERAL,
    Decision,
    Features,
    KeywordRouter,
    PlanSettings,
    Step,
    extract,
    plan_steps,
)

_LAZY = {"EmbeddingRouter", "HybridRouter"}


def embedding_available() -> bool:
    """True when ``tokenizers`` and the embedding model are installed (nothing heavy is
    imported to find out)."""
    from triforce.routing import embedding

    return embedding.available()


def load_router(kind: str = "hybrid", **kwargs):
    """A router: "keyword", "embedding", "hybrid" or "auto" (the hybrid when the embedding
    model is installed, else the keyword router); see :func:`.hybrid.load_router`."""
    if kind == "auto" and not kwargs:
        kind = "hybrid" if embedding_available() else "keyword"
    if kind == "keyword" and not kwargs:
        return KeywordRouter.load()         # without importing numpy
    from triforce.routing import hybrid

    return hybrid.load_router(kind, **kwargs)


@lru_cache(maxsize=1)
def default_router():
    """The hybrid router when the embedding model is installed, else the keyword router:
    loaded once and shared (the model itself only on the first ``route``)."""
    return load_router("auto")


def __getattr__(name: str):
    if name in _LAZY:
        from triforce.routing import hybrid

        return getattr(hybrid, name)
    raise AttributeError(f"module 'triforce.routing' has no attribute {name!r}")


__all__ = ["GENERAL", "Decision", "EmbeddingRouter", "Features", "HybridRouter",
           "KeywordRouter", "PlanSettings", "Step", "default_router", "embedding_available",
           "extract", "load_router", "plan_steps"]
