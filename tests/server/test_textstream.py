"""The streamed answer's text: the orchestrator's events (real sections, plan steps and
experts) in, one readable answer out."""

from __future__ import annotations

from triforce.experts import load_registry
from triforce.orchestra import Answer, Check, Plan, PlanStep, Section, ToolResult
from triforce.orchestra.events import (
    Note,
    PlanMade,
    Retry,
    SectionDone,
    StepStarted,
    Token,
    ToolRan,
)
from triforce.server.jobs import TextStream


def test_events_make_a_complete_answer():
    reg = load_registry()
    din, veran = reg.get("din"), reg.get("veran")
    s1 = PlanStep("s1", "din", "optimization", "q")
    s2 = PlanStep("s2", "veran", "analysis", "q", ["s1"])
    sec1 = Section(s1, din.name, tool_text="Optimized:\n```asar\nstz $10\n```",
                   checks=[Check("equivalent", True, "proven")])
    sec2 = Section(s2, veran.name, status="skipped", notes=["it needs step s1"])
    answer = Answer("q", Plan([s1, s2]), [sec1, sec2])
    ts = TextStream()
    tool = ToolResult("optimize", True, "1 rewrite")
    events = [PlanMade(answer.plan), StepStarted(s1, din), ToolRan(tool),
              Token("Use "), Token("stz."), Retry("bad operand"),
              Token("Fixed."), Note("ignored"), SectionDone(sec1),
              SectionDone(sec2)]
    text = "".join(ts.feed(e) for e in events) + ts.finish(answer)
    assert text == (
        "## Din (optimization)\n\n"
        "Din (model):\nUse stz.\n\n"
        "(That code does not assemble: bad operand; asking again.)\n\n"
        "Fixed.\n\n"
        "Optimized:\n```asar\nstz $10\n```\n\n"
        "## Veran (analysis)\n\n"
        "Not run: it needs step s1\n\n"
        "## Verification\n" + "\n".join(answer.summary_lines()) + "\n")
    assert len(answer.summary_lines()) == 2
