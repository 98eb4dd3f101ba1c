"""The synthesised answer: one section per plan step, then a verification summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from triforce.llm.base import ChatResult
from triforce.orchestra.plan import Plan, PlanStep


@dataclass
class Check:
    """One verification: what was checked, whether it held, the detail."""

    name: str                   # "assembles", "equivalent", "cycles", "lint", "registers", ...
    ok: bool | None             # None: information, not pass/fail
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}

    def line(self) -> str:
        mark = {True: "ok  ", False: "FAIL", None: "info"}[self.ok]
        return f"[{mark}] {self.name}: {self.detail}"


class Status(StrEnum):
    """How a section ended."""

    OK = "ok"
    PARTIAL = "partial"    # the tools answered, no model could
    FAILED = "failed"
    SKIPPED = "skipped"    # a step it needs failed

    @property
    def answered(self) -> bool:
        return self in (Status.OK, Status.PARTIAL)


@dataclass
class Section:
    step: PlanStep
    expert_name: str
    status: Status = Status.OK
    #: What the tools established: it leads the section.
    tool_text: str = ""
    #: The model's words (its code blocks checked, see ``checks``).
    model_text: str = ""
    #: The code the section stands behind (verified), if any.
    code: str | None = None
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chats: list[ChatResult] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.status = Status(self.status)   # "skipped" given as text is Status.SKIPPED

    @property
    def title(self) -> str:
        return f"{self.expert_name} ({self.step.intent})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step.to_dict(), "expert": self.step.expert, "title": self.title,
            "status": str(self.status), "tool_text": self.tool_text, "model_text": self.model_text,
            "code": self.code, "checks": [c.to_dict() for c in self.checks],
            "notes": self.notes, "data": self.data,
            "model_calls": [c.to_dict() for c in self.chats],
        }

    def render(self) -> str:
        out = [f"## {self.title}"]
        if self.status is Status.SKIPPED:
            out.append("Not run: " + "; ".join(self.notes))
            return "\n".join(out)
        if self.tool_text:
            out.append(self.tool_text.rstrip())
        if self.model_text:
            who = self.expert_name
            head = f"{who} says:" if not self.tool_text else f"{who}'s explanation (model):"
            out.append(f"{head}\n{self.model_text.strip()}")
        for n in self.notes:
            out.append(f"Note: {n}")
        return "\n\n".join(out)


@dataclass
class Answer:
    question: str
    plan: Plan
    sections: list[Section]
    routing: dict[str, Any] | None = None
    seconds: float = 0.0

    @property
    def checks(self) -> list[Check]:
        return [c for s in self.sections for c in s.checks]

    @property
    def ok(self) -> bool:
        return all(s.status.answered for s in self.sections)

    def usage(self) -> dict[str, int]:
        """Tokens the model read and wrote for this answer (the tools cost none)."""
        calls = [c for s in self.sections for c in s.chats]
        prompt = sum(c.prompt_tokens or 0 for c in calls)
        completion = sum(c.completion_tokens or 0 for c in calls)
        return {"prompt_tokens": prompt, "completion_tokens": completion,
                "total_tokens": prompt + completion, "calls": len(calls)}

    def model_stats(self) -> dict[str, Any]:
        calls = [c for s in self.sections for c in s.chats]
        if not calls:
            return {"calls": 0}
        first = next((c.time_to_first_token for c in calls if c.time_to_first_token), None)
        toks = self.usage()["completion_tokens"]
        gen = sum(max(0.0, c.total_time - (c.time_to_first_token or 0)) for c in calls)
        n_after_first = sum(max(0, (c.completion_tokens or 0) - 1) for c in calls)
        return {
            "calls": len(calls), "backends": sorted({c.backend for c in calls}),
            "models": sorted({c.model for c in calls}),
            "time_to_first_token": first, "completion_tokens": toks,
            "tokens_per_second": (n_after_first / gen) if gen > 0 and n_after_first else None,
            "load_time": sum(c.load_time for c in calls),
            "model_seconds": sum(c.total_time for c in calls),
        }

    def summary_lines(self) -> list[str]:
        lines = []
        for s in self.sections:
            for c in s.checks:
                lines.append(f"{s.expert_name}: {c.line()}")
            if s.status is Status.SKIPPED:
                lines.append(f"{s.expert_name}: [skip] " + "; ".join(s.notes))
        return lines

    def render(self) -> str:
        parts = [s.render() for s in self.sections]
        summary = self.summary_lines()
        if summary:
            parts.append("## Verification\n" + "\n".join(summary))
        return "\n\n".join(parts) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question, "ok": self.ok, "plan": self.plan.to_dict(),
            "routing": self.routing, "sections": [s.to_dict() for s in self.sections],
            "verification": [c.to_dict() | {"expert": s.step.expert}
                             for s in self.sections for c in s.checks],
            "model": self.model_stats(), "seconds": round(self.seconds, 3),
            "text": self.render(),
        }
