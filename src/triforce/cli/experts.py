"""``triforce experts``: the experts, their tools and where each is served right now."""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser(
        "experts",
        help="list the experts, their tools and whether their backends are reachable",
        description=(
            "List every expert of the registry (packaged defaults merged with "
            "$TRIFORCE_CONFIG_DIR/experts.toml or ~/.config/triforce/experts.toml) with its "
            "intent, tools and, per backend, the model it is served as and whether that "
            "backend answers now."
        ),
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_experts)


def _serving(registry, expert, backend: str, probe) -> dict:
    from triforce.experts import adapter_path, served_model

    if backend == "embedded":
        model = expert.backends.get(backend)
        base = registry.tiers.get("fast", {}).get("embedded", "base model")
        path = adapter_path(expert)
        if path is None:
            shown = f"{base} (prompt only)"
        elif path.is_file():
            shown = f"{base} + {path}"
        else:
            shown = f"{base} (prompt only; no adapter at {path} yet)"
        return {"model": model, "served_as": shown, "status": probe.status, "reachable": probe.ok,
                "where": probe.where}
    model = served_model(registry, expert, backend)
    if not model:
        return {"model": None, "served_as": None, "status": "not configured",
                "reachable": False, "where": probe.where}
    status, reachable = probe.status, probe.ok
    if probe.ok and probe.models:
        names = set(probe.models)
        if backend == "ollama" and ":" not in model:
            names |= {n.removesuffix(":latest") for n in names}
        if model not in names:
            status, reachable = f"{probe.status}, model '{model}' not available", False
    return {"model": model, "served_as": model, "status": status, "reachable": reachable,
            "where": probe.where}


def collect(registry=None, probes=None) -> dict:
    """What ``triforce experts --json`` prints, as a dict (also for library users)."""
    from triforce.experts import BACKENDS, load_registry
    from triforce.llm.probe import probe_all

    registry = registry or load_registry()
    probes = probes or probe_all()
    return {
        "sources": list(registry.sources),
        "backends": {b: p.to_dict() for b, p in probes.items()},
        "tiers": registry.tiers,
        "experts": [
            {
                "id": e.id, "name": e.name, "intent": e.intent, "description": e.description,
                "tools": list(e.tools),
                "backends": {b: _serving(registry, e, b, probes[b]) for b in BACKENDS},
            }
            for e in registry
        ],
    }


def cmd_experts(args) -> int:
    info = collect()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    out = []
    for b, p in info["backends"].items():
        out.append(f"{b:<9} {p['status']}" + (f"  [{p['where']}]" if p["where"] else ""))
    out.append("")
    for e in info["experts"]:
        out.append(f"{e['id']:<7} {e['name']:<7} {e['intent']:<13} {e['description']}")
        out.append(f"        tools: {', '.join(e['tools']) or '-'}")
        for b, s in e["backends"].items():
            mark = "ok" if s["reachable"] else "--"
            out.append(f"        {mark} {b:<9} {s['served_as'] or '-'}: {s['status']}")
    print("\n".join(out))
    return 0
