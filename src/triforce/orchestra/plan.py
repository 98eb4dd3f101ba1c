"""Plans: a small DAG of expert steps, each with explicit inputs from earlier steps.

A plan comes from the router's decision (each step after the first takes the step
before it as input: "optimize this, then explain what changed" -> din, then veran
reading din's result) or from an LLM planner whose reply is constrained to
:data:`PLAN_SCHEMA` and then checked here like any untrusted input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from triforce.errors import UserError

MAX_STEPS = 6

#: The JSON schema an LLM planner's reply must follow.
PLAN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "steps": {
            "type": "array", "minItems": 1, "maxItems": MAX_STEPS,
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "expert": {"type": "string"},
                    "task": {"type": "string"},
                    "inputs": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["id", "expert", "task", "inputs"],
            },
        },
    },
    "required": ["steps"],
}


def plan_schema(experts: dict[str, str] | None = None) -> dict[str, Any]:
    """:data:`PLAN_SCHEMA`, with ``expert`` limited to the ids in ``experts`` (so a
    constrained decoder can only name experts that exist)."""
    if not experts:
        return PLAN_SCHEMA
    schema = json.loads(json.dumps(PLAN_SCHEMA))
    schema["properties"]["steps"]["items"]["properties"]["expert"] = {"enum": list(experts)}
    return schema


@dataclass
class PlanStep:
    id: str
    expert: str
    intent: str
    task: str
    inputs: list[str] = field(default_factory=list)
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "expert": self.expert, "intent": self.intent, "task": self.task,
                "inputs": list(self.inputs), "confidence": self.confidence}


@dataclass
class Plan:
    steps: list[PlanStep]
    source: str = "router"        # "router", "forced" (--expert), "planner"

    def order(self) -> list[PlanStep]:
        """The steps in an order where every input comes first (the plan is checked acyclic)."""
        done: set[str] = set()
        out: list[PlanStep] = []
        pending = list(self.steps)
        while pending:
            for s in pending:
                if all(i in done for i in s.inputs):
                    out.append(s)
                    done.add(s.id)
                    pending.remove(s)
                    break
            else:  # pragma: no cover - validate() rules this out
                raise UserError("the plan has a cycle")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "steps": [s.to_dict() for s in self.steps]}


def validate(plan: Plan, known_experts: dict[str, str]) -> Plan:
    """Check a plan: known experts, unique ids, inputs that exist, no cycle."""
    if not plan.steps:
        raise UserError("the plan has no steps")
    if len(plan.steps) > MAX_STEPS:
        raise UserError(f"the plan has {len(plan.steps)} steps (at most {MAX_STEPS})")
    ids = [s.id for s in plan.steps]
    if len(set(ids)) != len(ids):
        raise UserError("the plan repeats a step id")
    for s in plan.steps:
        if s.expert not in known_experts:
            raise UserError(f"the plan names an unknown expert '{s.expert}'")
        for i in s.inputs:
            if i not in ids:
                raise UserError(f"step '{s.id}' takes input from unknown step '{i}'")
            if i == s.id:
                raise UserError(f"step '{s.id}' takes its own output as input")
    # cycle check: Kahn's algorithm
    indeg = {s.id: len(set(s.inputs)) for s in plan.steps}
    users: dict[str, list[str]] = {s.id: [] for s in plan.steps}
    for s in plan.steps:
        for i in set(s.inputs):
            users[i].append(s.id)
    ready = [k for k, v in indeg.items() if v == 0]
    seen = 0
    while ready:
        k = ready.pop()
        seen += 1
        for u in users[k]:
            indeg[u] -= 1
            if indeg[u] == 0:
                ready.append(u)
    if seen != len(plan.steps):
        raise UserError("the plan has a cycle")
    return plan


def from_decision(decision, question: str) -> Plan:
    """The router's plan as a chain: each step reads the one before."""
    steps: list[PlanStep] = []
    for n, s in enumerate(decision.plan, 1):
        steps.append(PlanStep(f"s{n}", s.expert, s.intent, question,
                              [steps[-1].id] if steps else [], s.confidence))
    return Plan(steps, "router")


def forced(expert_id: str, intent: str, question: str) -> Plan:
    return Plan([PlanStep("s1", expert_id, intent, question)], "forced")


def from_json(text: str, experts: dict[str, str]) -> Plan:
    """A planner's reply (JSON per :data:`PLAN_SCHEMA`) as a checked plan.

    ``experts`` maps expert id -> intent.
    """
    try:
        data = json.loads(text)
    except ValueError:
        raise UserError("the planner's reply is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise UserError("the planner's reply has no 'steps' list")
    steps: list[PlanStep] = []
    for raw in data["steps"]:
        if not isinstance(raw, dict):
            raise UserError("a plan step is not an object")
        eid = str(raw.get("expert", "")).strip().lower()
        inputs = raw.get("inputs") or []
        if not isinstance(inputs, list):
            raise UserError("a plan step's inputs are not a list")
        steps.append(PlanStep(str(raw.get("id", f"s{len(steps) + 1}")), eid,
                              experts.get(eid, "general"), str(raw.get("task", "")),
                              [str(i) for i in inputs]))
    return validate(Plan(steps, "planner"), experts)


def planner_prompt(question: str, experts: dict[str, str]) -> list[dict[str, str]]:
    """Messages asking a model for a plan as JSON."""
    roster = "\n".join(f"- {e}: {i}" for e, i in experts.items())
    system = ("You split a ROM hacker's request into steps for experts. Reply with JSON only: "
              '{"steps": [{"id": "s1", "expert": "<expert>", "task": "<what to do>", '
              '"inputs": []}]}. A step lists in "inputs" the ids of earlier steps whose '
              f"results it needs. Experts and what they do:\n{roster}")
    return [{"role": "system", "content": system}, {"role": "user", "content": question}]
