"""One rule for which model serves an expert: `triforce experts` says what the
orchestrator will use, for every expert and backend."""

from __future__ import annotations

import dataclasses

from triforce.cli.experts import collect
from triforce.experts import BACKENDS, load_registry, served_model
from triforce.llm.probe import Probe
from triforce.orchestra import Orchestrator

DOWN = {b: Probe(b, False, "not running", f"test://{b}") for b in BACKENDS}


def _without_backends(registry, expert_id: str):
    e = registry.get(expert_id)
    bare = dataclasses.replace(e, backends={})
    return dataclasses.replace(registry, experts={**registry.experts, expert_id: bare})


def test_the_listing_and_the_orchestrator_agree():
    reg = _without_backends(load_registry(), "din")   # din falls back to the tiers
    orch = Orchestrator(registry=reg, record_stats=False)
    info = collect(reg, DOWN)
    for row in info["experts"]:
        e = reg.get(row["id"])
        for backend in ("ollama", "openai"):
            assert row["backends"][backend]["model"] == orch.model_for(e, backend), (
                row["id"], backend)


def test_an_expert_without_its_own_model_is_served_by_the_tiers():
    reg = _without_backends(load_registry(), "din")
    din = reg.get("din")
    assert served_model(reg, din, "ollama") == reg.tiers["balanced"]["ollama"]
    row = next(r for r in collect(reg, DOWN)["experts"] if r["id"] == "din")
    assert row["backends"]["ollama"]["served_as"] == reg.tiers["balanced"]["ollama"]
    assert row["backends"]["ollama"]["status"] != "not configured"


def test_no_tier_and_no_model_is_not_configured():
    reg = _without_backends(load_registry(), "din")
    reg = dataclasses.replace(reg, tiers={})
    assert served_model(reg, reg.get("din"), "openai") is None
    row = next(r for r in collect(reg, DOWN)["experts"] if r["id"] == "din")
    assert row["backends"]["openai"]["status"] == "not configured"
