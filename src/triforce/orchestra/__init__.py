"""The orchestrator: plan -> run steps (tools first, then the expert) -> verify -> synthesise.

    from triforce.orchestra import Orchestrator

    answer = Orchestrator().ask("optimize this: lda #$00 : sta $10")
    print(answer.render())          # sections, then the verification summary
"""

from __future__ import annotations

from triforce.orchestra.answer import Answer, Check, Section, Status
from triforce.orchestra.engine import MAX_QUESTION, Orchestrator, check_question
from triforce.orchestra.plan import Plan, PlanStep
from triforce.orchestra.tools import ToolBox, ToolResult

__all__ = ["MAX_QUESTION", "Answer", "Check", "Orchestrator", "Plan", "PlanStep", "Section",
           "Status", "ToolBox", "ToolResult", "check_question"]
