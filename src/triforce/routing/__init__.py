"""Who answers a question: intents, calibrated confidences and a plan of expert steps.

``KeywordRouter`` scores a question with the weighted patterns and code features of
``triforce/data/routing.toml``; ``stats`` records every decision; ``evaluate``
measures the router on a labelled set and fits its calibration.
"""

from __future__ import annotations

from triforce.routing.keyword import (
    GENERAL,
    Decision,
    Features,
    KeywordRouter,
    Step,
    default_router,
    extract,
)

__all__ = ["GENERAL", "Decision", "Features", "KeywordRouter", "Step", "default_router", "extract"]
