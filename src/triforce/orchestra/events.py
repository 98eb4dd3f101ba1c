"""What the orchestrator tells a listener while it answers: one dataclass per event.

A listener (``on_event``) receives them in order: :class:`PlanMade`, then for each step
:class:`StepStarted`, its :class:`ToolRan`, :class:`Token`, :class:`Retry` and
:class:`Note` events, and :class:`SectionDone`. Notes may come at any time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from triforce.experts import Expert
from triforce.orchestra.answer import Section
from triforce.orchestra.plan import Plan, PlanStep
from triforce.orchestra.tools import ToolResult


@dataclass(frozen=True)
class PlanMade:
    """The plan the question will be answered by."""

    plan: Plan


@dataclass(frozen=True)
class StepStarted:
    """An expert starts a step of the plan."""

    step: PlanStep
    expert: Expert


@dataclass(frozen=True)
class ToolRan:
    """A tool answered (the optimizer, the linter, the timing, a file read, ...)."""

    result: ToolResult


@dataclass(frozen=True)
class Token:
    """A piece of the model's reply as it streams (its code not yet checked)."""

    text: str


@dataclass(frozen=True)
class Retry:
    """The model's code did not assemble; the model is asked again."""

    error: str


@dataclass(frozen=True)
class Note:
    """Something worth saying that is not part of the answer (a fallback, a failed plan)."""

    text: str


@dataclass(frozen=True)
class SectionDone:
    """A step's section is finished."""

    section: Section


Event = PlanMade | StepStarted | ToolRan | Token | Retry | Note | SectionDone
EventHandler = Callable[[Event], None]
