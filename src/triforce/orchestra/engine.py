"""The orchestrator: route -> plan -> run each step (tools first, then the expert) ->
verify -> one answer.

The tools lead wherever they can answer: Din's section stands on the verified
optimizer's result unless the model's own candidate is proven equivalent and
better; Farore's on the linter's findings; Veran's on the register table and the
static timing; Nayru's on a verified idiom when the model's code will not
assemble. The model explains. Every code block in a model's reply is assembled;
errors go back to the model for a bounded number of retries. When no backend can
answer, the tools' part of each section still stands and the answer says so.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triforce.errors import UserError
from triforce.experts import Expert, Registry, build_messages, load_registry, served_model
from triforce.llm import BackendError, ChatRequest, ChatResult, open_backend
from triforce.orchestra import idioms
from triforce.orchestra import plan as plans
from triforce.orchestra.answer import Answer, Check, Section, Status
from triforce.orchestra.code import (
    AsmCheck,
    answer_blocks,
    drop_blocks,
    find_code,
)
from triforce.orchestra.conversation import trim_history
from triforce.orchestra.events import (
    EventHandler,
    Note,
    PlanMade,
    Retry,
    SectionDone,
    StepStarted,
    Token,
    ToolRan,
)
from triforce.orchestra.grounding import memory_facts, register_facts
from triforce.orchestra.tools import ToolBox

if TYPE_CHECKING:
    from triforce.analysis.optimize import OptimizeResult

#: Longest question (characters, code included) the orchestrator takes.
MAX_QUESTION = 64_000
#: Longest code (characters) the tools run on.
MAX_CODE = 200_000
DEFAULT_MAX_TOKENS = 256
#: Most times a model may fix code that does not assemble.
MAX_RETRIES = 5



def check_question(question: str) -> str:
    """The question, stripped, or one clear UserError."""
    if not isinstance(question, str):
        raise UserError("the question must be text")
    q = question.strip()
    if not q:
        raise UserError("the question is empty")
    if len(q) > MAX_QUESTION:
        raise UserError(f"the question is {len(q):,} characters; the limit is {MAX_QUESTION:,} "
                        "(put long code in a file and pass it with --file)")
    if "\x00" in q or sum(1 for ch in q if ord(ch) < 32 and ch not in "\t\n\r") > 8:
        raise UserError("the question contains binary data, not text")
    return q


def check_code(code: str, where: str = "code") -> str:
    if len(code) > MAX_CODE:
        raise UserError(f"the code is {len(code):,} characters; the limit is {MAX_CODE:,}",
                        where)
    if "\x00" in code:
        raise UserError("the code contains binary data, not text", where)
    return code


_SOURCE_PATH = re.compile(r"(?<![\w/.-])[\w./-]+\.(?:asm|inc|s|a65|asar|65s)\b", re.I)
_MEMORY_FACT = re.compile(r"^(?:\$|0x)[0-9A-Fa-f:]+: ")
_RETURN = re.compile(r"^\s*(?:[\w.]+:\s*)?(rts|rtl|rti)\b", re.I | re.M)


@dataclass(frozen=True)
class StepContext:
    """What one step of the plan works from."""

    question: str
    prose: str                  # the question without its code
    code: str | None            # the code the question is about (given, inline or a file)
    facts: list[str]            # the register table's and the memory map's facts
    inputs: list[Section]       # the sections of the steps this one needs
    history: list[dict[str, str]]
    emit: EventHandler


@dataclass(frozen=True)
class Verdict:
    """The tools' verdict on a model's rewrite: proven equivalent or not, and its cost."""

    equivalent: bool
    cost: tuple[int, int] | None    # (cycles, bytes), None when it could not be timed
    detail: str
    proof: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"equivalent": self.equivalent,
                "cost": list(self.cost) if self.cost is not None else None,
                "detail": self.detail, "proof": self.proof}


@dataclass(frozen=True)
class Candidate:
    """A rewrite Din's section may stand on: the optimizer's or a proven model rewrite."""

    code: str
    cycles: int
    bytes: int
    origin: str                 # who wrote it ("the verified optimizer", "the model (proven)")
    relaxed: bool               # proven only for memory and I/O, not registers and flags
    proof: OptimizeResult | Verdict

    def cost(self) -> tuple[int, int]:
        return self.cycles, self.bytes


def _is_memory_fact(fact: str) -> bool:
    return bool(_MEMORY_FACT.match(fact))


def _without_comments(code: str) -> str:
    from triforce.asm.source import strip_comment

    lines = (strip_comment(ln).rstrip() for ln in code.splitlines())
    return "\n".join(ln for ln in lines if ln.strip())


def _with_return(original: str, candidate: str) -> str:
    """A model's rewrite of a routine's body gets the routine's final return back."""
    orig = [m.group(1).lower() for m in _RETURN.finditer(original)]
    if orig and not _RETURN.search(candidate):
        return candidate.rstrip() + "\n" + orig[-1]
    return candidate


class Orchestrator:
    """Answers questions with the experts, the tools and a chain of backends."""

    def __init__(self, *, registry: Registry | None = None,
                 backends: Sequence[str] | str = ("embedded",), router: Any = None,
                 project_root: str | Path | None = None, max_retries: int = 1,
                 max_tokens: int = DEFAULT_MAX_TOKENS, timeout: float = 120.0,
                 seed: int | None = 0, record_stats: bool = True,
                 backend_options: dict[str, dict] | None = None) -> None:
        if max_tokens < 1:
            raise UserError("max_tokens (--max-tokens) must be 1 or more")
        if not timeout > 0:
            raise UserError("timeout (--timeout) must be above 0")
        if not 0 <= max_retries <= MAX_RETRIES:
            raise UserError(f"max_retries (--retries) must be from 0 to {MAX_RETRIES}")
        if project_root is not None and not Path(project_root).is_dir():
            raise UserError("not a directory", str(project_root))
        self.registry = registry or load_registry()
        self.chain = [backends] if isinstance(backends, str) else list(backends)
        if not self.chain:
            raise UserError("no backend to answer with")
        self._router = router
        self.tools = ToolBox(project_root)
        self.max_retries = max_retries
        self.max_tokens = max_tokens
        self.timeout = timeout
        self.seed = seed
        self.record_stats = record_stats
        self.backend_options = backend_options or {}
        self._backends: dict[str, Any] = {}

    def with_settings(self, *, max_tokens: int | None = None, seed: int | None = None,
                      temperature: float | None = None, top_p: float | None = None):
        """A copy answering with other settings (None keeps one); it shares the loaded
        backends, the router and the tools. ``temperature``/``top_p`` apply to every expert."""
        o = copy.copy(self)
        if max_tokens is not None:
            o.max_tokens = max(1, int(max_tokens))
        if seed is not None:
            o.seed = seed
        if temperature is not None or top_p is not None:
            experts = {}
            for eid, e in self.registry.experts.items():
                s = e.sampling
                if temperature is not None:
                    s = dataclasses.replace(s, temperature=float(temperature))
                if top_p is not None:
                    s = dataclasses.replace(s, top_p=float(top_p))
                experts[eid] = dataclasses.replace(e, sampling=s)
            o.registry = dataclasses.replace(self.registry, experts=experts)
        return o

    # -- routing -----------------------------------------------------------------------------

    @property
    def router(self):
        if self._router is None:
            from triforce import routing

            self._router = routing.default_router()  # shared, loaded once
        return self._router

    def route(self, question: str):
        t0 = time.perf_counter()
        decision = self.router.route(question)
        if self.record_stats:
            try:
                from triforce.routing import stats

                stats.record(decision, time.perf_counter() - t0)
            except UserError:
                pass
        return decision

    def make_plan(self, question: str, expert: str | None = None) -> tuple[plans.Plan, dict | None]:
        if expert:
            e = self.registry.get(expert)
            return plans.forced(e.id, e.intent, question), None
        decision = self.route(question)
        return plans.from_decision(decision, question), decision.to_dict()

    def plan_with_model(self, question: str) -> plans.Plan:
        """Ask the first working backend for a plan, constrained to the plan's JSON schema."""
        experts = {e.id: e.intent for e in self.registry}
        req = ChatRequest(plans.planner_prompt(question, experts), temperature=0.0,
                          max_tokens=256, json_schema=plans.plan_schema(experts),
                          timeout=self.timeout,
                          seed=self.seed)
        result, _ = self._chat_chain(req, None, None)
        return plans.from_json(result.text, experts)

    # -- the main entry ----------------------------------------------------------------------

    def ask(self, question: str, *, code: str | None = None, code_name: str = "code",
            code_path: str | Path | None = None, expert: str | None = None,
            history: Iterable[dict[str, str]] = (), on_event: EventHandler | None = None,
            planner: bool = False) -> Answer:
        """Answer ``question`` (about ``code``, if given). ``code_path``: the file the code
        came from, whose folder its ``incsrc``/``incbin`` are found in."""
        self.tools.code_from(code_path)
        try:
            return self._ask(question, code, code_name, expert, history, on_event, planner)
        finally:
            self.tools.code_from(None)

    def _ask(self, question, code, code_name, expert, history, on_event, planner) -> Answer:
        t0 = time.perf_counter()
        question = check_question(question)
        prose, inline = find_code(question)
        emit: EventHandler = on_event or (lambda event: None)
        if code is not None:
            code = check_code(code, code_name)
        else:
            code = inline or self._project_file(question, emit)
        # the code counts for routing as code (its lines and addresses), not by the words
        # of its comments: a file's "; optimize later" must not turn a question into Din's
        routing_text = (question if code is None or inline
                        else f"{question}\n{_without_comments(code)}")
        if planner and not expert:
            try:
                plan, routing = self.plan_with_model(question), None
            except UserError as exc:
                emit(Note(f"the planner failed ({exc}); using the router"))
                plan, routing = self.make_plan(routing_text)
        else:
            plan, routing = self.make_plan(routing_text, expert)
        emit(PlanMade(plan))
        facts = register_facts(question, code or "") + memory_facts(question, code or "")
        history = trim_history(history)
        done: dict[str, Section] = {}
        sections: list[Section] = []
        for step in plan.order():
            e = self.registry.get(step.expert)
            failed = [i for i in step.inputs if not done[i].status.answered]
            if failed:
                sec = Section(step, e.name, status=Status.SKIPPED,
                              notes=[f"it needs step {', '.join(failed)} "
                                     f"({', '.join(done[i].expert_name for i in failed)}), "
                                     "which failed"])
            else:
                emit(StepStarted(step, e))
                ctx = StepContext(question, prose, code, facts,
                                  [done[i] for i in step.inputs], history, emit)
                sec = self._run_step(step, e, ctx)
            done[step.id] = sec
            sections.append(sec)
            emit(SectionDone(sec))
        return Answer(question, plan, sections, routing, time.perf_counter() - t0)

    def _project_file(self, question: str, emit: EventHandler) -> str | None:
        """The first source file of the project (``project_root``) the question names."""
        if self.tools.root is None:
            return None
        for m in _SOURCE_PATH.finditer(question):
            res = self.tools.call("read_file", path=m.group(0))
            emit(ToolRan(res))
            if res.ok:
                self.tools.code_from(self.tools.root / res.data["path"])
                return check_code(res.data["text"], res.data["path"])
        return None

    # -- one step ----------------------------------------------------------------------------

    def _run_step(self, step: plans.PlanStep, e: Expert, ctx: StepContext) -> Section:
        sec = Section(step, e.name)
        handler = {
            "optimization": self._optimization, "debugging": self._debugging,
            "analysis": self._analysis, "generation": self._generation,
        }.get(e.intent, self._general)
        try:
            handler(sec, e, ctx)
        except BackendError as exc:
            sec.notes.append(f"no model could answer: {exc}")
            sec.data["model_error"] = str(exc)
        except UserError as exc:
            sec.notes.append(str(exc))
            sec.status = Status.FAILED
        if sec.data.get("model_error") and sec.status is Status.OK:
            # the tools' part stands on its own; without it there is no answer
            sec.status = Status.PARTIAL if sec.tool_text else Status.FAILED
        return sec

    def _context(self, inputs: list[Section]) -> str:
        parts = []
        for s in inputs:
            body = s.tool_text or s.model_text
            if s.code and s.code not in body:
                body += f"\n```asar\n{s.code}\n```"
            parts.append(f"Result of the previous step ({s.expert_name}):\n{body.strip()}")
        return "\n\n".join(parts)

    def _user_text(self, question: str, code: str | None, inputs: list[Section],
                   extra: str = "") -> str:
        text = question
        if code and code not in question:
            text += f"\n\n```asar\n{code}\n```"
        ctx = self._context(inputs)
        if ctx:
            text += "\n\n" + ctx
        if extra:
            text += "\n\n" + extra
        return text

    #: What "only memory matters afterwards" observes: memory and I/O, not registers or flags.
    RELAXED_OBSERVE = "mem,io"

    def _optimization(self, sec: Section, e: Expert, ctx: StepContext) -> None:
        code, emit = ctx.code, ctx.emit
        if code is None and ctx.inputs:
            code = next((s.code for s in reversed(ctx.inputs) if s.code), None)
        if code is None or "optimize" not in e.tools:
            if code is None:
                sec.notes.append("no code to optimize was given (paste it, or pass --file)")
            self._model_answer(sec, e, ctx, code)
            return
        opt = self.tools.call("optimize", code=code)
        emit(ToolRan(opt))
        if not opt.ok:
            sec.checks.append(Check("assembles", False, opt.summary))
            sec.tool_text = f"The code does not assemble, so it cannot be optimized: {opt.summary}"
            sec.status = Status.FAILED
            return
        strict = opt.data["result"]
        relaxed = None
        if strict.source.strip() == code.strip() or strict.cycles_after == strict.cycles_before:
            r2 = self.tools.call("optimize", code=code, observe=self.RELAXED_OBSERVE)
            emit(ToolRan(r2))
            if r2.ok and (r2.data["result"].cycles_after, r2.data["result"].bytes_after) < \
                    (strict.cycles_after, strict.bytes_after):
                relaxed = r2.data["result"]
        options = [Candidate(strict.source, strict.cycles_after, strict.bytes_after,
                             "the verified optimizer", False, strict)]
        if relaxed is not None:
            options.append(Candidate(relaxed.source, relaxed.cycles_after, relaxed.bytes_after,
                                     "the verified optimizer", True, relaxed))
        reply = self._model_answer(sec, e, ctx, code, verify_blocks=False)
        blocks = [_with_return(code, b) for b in answer_blocks(reply)] if reply else []
        if blocks and "equivalence" in e.tools:
            verdict = self._judge_candidate(code, blocks[0], None)
            relaxed_only = False
            if not verdict.equivalent:
                v2 = self._judge_candidate(code, blocks[0], self.RELAXED_OBSERVE)
                if v2.equivalent:
                    verdict, relaxed_only = v2, True
            sec.data["model_candidate"] = verdict.to_dict()
            ok = verdict.equivalent and verdict.cost is not None
            sec.checks.append(Check("model's rewrite", ok, verdict.detail
                                    + (" (if only memory and I/O matter afterwards)"
                                       if relaxed_only else "")))
            if ok and verdict.cost is not None:
                options.append(Candidate(blocks[0], verdict.cost[0], verdict.cost[1],
                                         "the model (proven)", relaxed_only, verdict))
            # the model's code is shown only where the tools placed it, proven
            sec.model_text = drop_blocks(
                sec.model_text, lambda body: False,
                "the model's rewrite stood here: proven, see the verification" if ok
                else f"the model's rewrite was removed here: {verdict.detail}")
        best = min((o for o in options if not o.relaxed), key=Candidate.cost)
        relaxed_best = min((o for o in options if o.relaxed), key=Candidate.cost, default=None)
        if relaxed_best and relaxed_best.cost() >= best.cost():
            relaxed_best = None
        lines = []
        changed = best.code.strip() != code.strip()
        if changed:
            lines.append(f"Optimized by {best.origin}:\n```asar\n{best.code.rstrip()}\n```")
            lines += self._rewrite_lines(best.proof)
            sec.code = best.code
        else:
            lines.append("No rewrite keeps every register, flag and memory byte the same: "
                         "the code stands as it is.")
            sec.code = code
        if relaxed_best:
            lines.append(f"If A, X, Y and the flags are not used after this code (only memory "
                         f"and I/O matter), {relaxed_best.origin} gives:\n"
                         f"```asar\n{relaxed_best.code.rstrip()}\n```")
            lines += self._rewrite_lines(relaxed_best.proof)
        sec.tool_text = "\n".join(lines)
        final = self.tools.check(sec.code, own=True)
        sec.checks.append(Check("assembles", final.ok, final.summary()))
        if changed:
            sec.checks.append(Check("equivalent", True, self._proof(best.proof)))
        sec.checks.append(Check("cycles", None, f"{strict.cycles_before} -> {best.cycles}"))
        sec.checks.append(Check("bytes", None, f"{strict.bytes_before} -> {best.bytes}"))
        if relaxed_best:
            sec.checks.append(Check("equivalent (memory and I/O only)", True,
                                    self._proof(relaxed_best.proof)))
            sec.checks.append(Check("cycles (memory and I/O only)", None,
                                    f"{strict.cycles_before} -> {relaxed_best.cycles}"))
            sec.checks.append(Check("bytes (memory and I/O only)", None,
                                    f"{strict.bytes_before} -> {relaxed_best.bytes}"))
        sec.data["optimize"] = {k: v for k, v in opt.data.items() if k != "result"}

    @staticmethod
    def _rewrite_lines(proof: OptimizeResult | Verdict) -> list[str]:
        if isinstance(proof, Verdict):
            return []
        return [f"- line {r.line}: `{' : '.join(r.before)}` -> "
                f"`{' : '.join(r.after) or '(removed)'}` ({r.rule}: {r.cycles_saved} cycles, "
                f"{r.bytes_saved} bytes)" for r in proof.rewrites]

    @staticmethod
    def _proof(proof: OptimizeResult | Verdict) -> str:
        if isinstance(proof, Verdict):
            return proof.proof
        firsts = [r.proof.splitlines()[0] for r in proof.rewrites if r.proof]
        return "; ".join(dict.fromkeys(firsts)) or "proven"

    def _judge_candidate(self, original: str, cand: str, observe: str | None) -> Verdict:
        chk = self.tools.check(cand)  # the model's code: it reads no file
        if not chk.ok:
            return Verdict(False, None, f"does not assemble ({chk.error})")
        eq = self.tools.call("equivalence", a=original, b=cand, observe=observe)
        if not eq.ok:
            first = eq.summary.splitlines()[0] if eq.summary else "not equivalent"
            return Verdict(False, None, f"rejected: {first}")
        from triforce.analysis.optimize import entry_widths

        m0, x0 = entry_widths(original, None, None)      # cost it as the optimizer costs
        cyc = self.tools.call("cycles", code=cand, m8=bool(m0), x8=bool(x0))
        cost = (cyc.data["cycles_min"], cyc.data["bytes"]) if cyc.ok else None
        first = eq.summary.splitlines()[0]
        return Verdict(True, cost, first + (f", {cost[0]} cycles, {cost[1]} bytes" if cost else ""),
                       first)

    def _debugging(self, sec: Section, e: Expert, ctx: StepContext) -> None:
        code, emit = ctx.code, ctx.emit
        extra = ""
        if code and "lint" in e.tools:
            lint = self.tools.call("lint", code=code)
            emit(ToolRan(lint))
            if lint.ok:
                found = lint.data["text"]
                sec.checks.append(Check("lint", None, f"{len(found)} finding(s)"))
                if found:
                    sec.tool_text = "The linter finds:\n" + "\n".join(f"- {f}" for f in found)
                    extra = "The linter found (verified):\n" + "\n".join(found)
                else:
                    sec.tool_text = "The linter finds nothing wrong in this code."
                    extra = "The linter found nothing wrong in this code."
            else:
                sec.checks.append(Check("assembles", False, lint.summary))
                sec.tool_text = f"The code does not assemble: {lint.summary}"
                extra = f"The assembler reports: {lint.summary}"
        self._model_answer(sec, e, ctx, code, extra=extra)

    def _analysis(self, sec: Section, e: Expert, ctx: StepContext) -> None:
        code, emit = ctx.code, ctx.emit
        lines = self._facts_text(sec, e, ctx.facts)
        if code and "cycles" in e.tools:
            cyc = self.tools.call("cycles", code=code)
            emit(ToolRan(cyc))
            if cyc.ok:
                lines.append(f"Static timing: {cyc.summary}.")
                sec.checks.append(Check("cycles", None, cyc.summary))
            else:
                sec.checks.append(Check("assembles", False, cyc.summary))
                lines.append(f"The code does not assemble: {cyc.summary}")
            for s in ctx.inputs:    # an earlier step changed the code: time its version too
                if s.code and s.code.strip() != code.strip():
                    after = self.tools.call("cycles", code=s.code)
                    if after.ok:
                        lines.append(f"After {s.expert_name}'s step: {after.summary}.")
                        sec.checks.append(Check(f"cycles after {s.expert_name}", None,
                                                after.summary))
        sec.tool_text = "\n\n".join(lines)
        self._model_answer(sec, e, ctx, code)

    def _generation(self, sec: Section, e: Expert, ctx: StepContext) -> None:
        found = idioms.match(ctx.question, limit=1)
        idiom = found[0][0] if found else None
        extra = ""
        if idiom is not None:
            extra = (f"A verified routine for a similar task ({idiom.title}); adapt it:\n"
                     f"```asar\n{idiom.code.strip()}\n```")
        reply = self._model_answer(sec, e, ctx, ctx.code, extra=extra)
        good = [c for c in sec.checks if c.name == "assembles" and c.ok]
        if reply is not None and good:
            return
        if idiom is not None:
            chk = self.tools.check(idiom.code)
            sec.code = idiom.code.strip()
            why = ("the model's code did not assemble" if reply and answer_blocks(reply)
                   else "the model gave no code")
            sec.tool_text = (f"A verified routine from the idiom library: {idiom.title} "
                             f"({why}).\n{idiom.description}\nAssumes: {idiom.assumptions}\n"
                             f"```asar\n{idiom.code.strip()}\n```")
            sec.checks.append(Check("idiom assembles", chk.ok, chk.summary()))

    def _general(self, sec: Section, e: Expert, ctx: StepContext) -> None:
        sec.tool_text = "\n\n".join(self._facts_text(sec, e, ctx.facts))
        self._model_answer(sec, e, ctx, ctx.code)

    @staticmethod
    def _facts_text(sec: Section, e: Expert, facts: list[str]) -> list[str]:
        """The register table's and the memory map's facts, for experts that look them up."""
        if "register_lookup" not in e.tools:
            return []
        out = []
        regs = [f for f in facts if not _is_memory_fact(f)]
        mems = [f for f in facts if _is_memory_fact(f)]
        if regs:
            out.append("From the register table:\n" + "\n".join(f"- {f}" for f in regs))
            sec.checks.append(Check("registers", None, f"{len(regs)} register fact(s) "
                                    "from the table"))
        if mems:
            out.append("From the memory map (LoROM):\n" + "\n".join(f"- {f}" for f in mems))
            sec.checks.append(Check("addresses", None, f"{len(mems)} address(es) placed on "
                                    "the memory map"))
        return out

    # -- the model, with verification and retries -------------------------------------------

    def _model_answer(self, sec: Section, e: Expert, ctx: StepContext, code: str | None, *,
                      extra: str = "", verify_blocks: bool = True) -> str | None:
        """The expert's reply about ``code`` (its code blocks checked, retried, the failing
        ones removed), or None when no model answered."""
        emit = ctx.emit
        user = self._user_text(ctx.question, code, ctx.inputs, extra)
        messages = build_messages(e, user, facts=ctx.facts, history=ctx.history)
        reply = None
        for attempt in range(self.max_retries + 1):
            req = self._request(e, messages)
            try:
                result, backend = self._chat_chain(req, e, emit)
            except BackendError as exc:
                sec.notes.append(f"no model could answer: {exc}")
                sec.data["model_error"] = str(exc)
                return reply
            sec.chats.append(result)
            reply = result.text
            if result.finish_reason == "timeout":
                sec.notes.append(f"the model was stopped after {self.timeout:g} s")
            if not verify_blocks:
                break
            blocks = answer_blocks(reply)
            checks = [self.tools.check(b) for b in blocks]  # the model's code reads no file
            bad = [c for c in checks if not c.ok]
            if attempt == 0:     # what the model alone would have shown
                sec.data["model_blocks_first_try"] = {"blocks": len(checks),
                                                      "assemble": len(checks) - len(bad)}
            if not bad or attempt == self.max_retries:
                self._record_blocks(sec, checks, attempt)
                sec.data["model_blocks_final"] = {"blocks": len(checks), "retries": attempt,
                                                  "removed": len(bad)}
                if bad:   # the user never sees code that does not assemble
                    failing = {b for b, c in zip(blocks, checks, strict=True) if not c.ok}
                    reply = drop_blocks(reply, lambda body, f=failing: body not in f)
                break
            error = bad[0].error or "it does not assemble"
            emit(Retry(error))
            messages = messages + [
                {"role": "assistant", "content": reply},
                {"role": "user", "content": "That code does not assemble with asar: "
                 f"{error}. Give the whole corrected code in one ```asar block."}]
        sec.model_text = reply or ""
        return reply

    def _record_blocks(self, sec: Section, checks: list[AsmCheck], attempt: int) -> None:
        tries = f" (after {attempt} retr{'y' if attempt == 1 else 'ies'})" if attempt else ""
        for n, c in enumerate(checks, 1):
            label = "assembles" if len(checks) == 1 else f"assembles (block {n})"
            sec.checks.append(Check(label, c.ok, c.summary() + tries))
        if checks and all(c.ok for c in checks) and sec.code is None:
            sec.data["model_code_blocks"] = len(checks)

    def _request(self, e: Expert, messages: list[dict[str, str]]) -> ChatRequest:
        s = e.sampling
        return ChatRequest(messages, temperature=s.temperature, top_p=s.top_p, top_k=s.top_k,
                           num_ctx=s.num_ctx, max_tokens=self.max_tokens, seed=self.seed,
                           timeout=self.timeout)

    def backend(self, name: str):
        if name not in self._backends:
            self._backends[name] = open_backend(name, **self.backend_options.get(name, {}))
        return self._backends[name]

    def model_for(self, e: Expert | None, backend: str) -> str | None:
        """The model tag / adapter for ``e`` on ``backend`` (None: the backend's default)."""
        return None if e is None else served_model(self.registry, e, backend)

    def _chat_chain(self, req: ChatRequest, e: Expert | None,
                    emit: EventHandler | None) -> tuple[ChatResult, str]:
        """Try each backend of the chain in turn; the last error if none answers."""
        errors: list[str] = []
        last: BackendError | None = None
        for name in self.chain:
            req.model = self.model_for(e, name)
            if name == "embedded" and req.model and not Path(req.model).is_file():
                if emit:   # no trained adapter yet: the base model with the expert's prompt
                    emit(Note(f"adapter {req.model} is not there; the base model answers"))
                req.model = None
            on_token = (lambda t: emit(Token(t))) if emit else None
            try:
                return self.backend(name).chat(req, on_token), name
            except BackendError as exc:
                last = exc
                errors.append(str(exc))
                if not exc.falls_back:
                    break
                if emit:
                    emit(Note(f"{exc}; trying the next backend" if name != self.chain[-1]
                              else str(exc)))
        assert last is not None
        if len(errors) > 1:
            raise type(last)(last.backend, " | ".join(errors))
        raise last
