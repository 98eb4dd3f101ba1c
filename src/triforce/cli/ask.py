"""``triforce ask`` and ``triforce chat``: questions answered by the experts, checked by
the tools."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from triforce.cli.progress import Spinner
from triforce.errors import UserError, read_user_text
from triforce.llm import BACKEND_NAMES as BACKENDS

if TYPE_CHECKING:
    from triforce.orchestra.code import CodeGate
    from triforce.orchestra.events import Event, EventHandler


def _common(p) -> None:
    p.add_argument("--expert", metavar="NAME", help="ask this expert (default: the router picks)")
    p.add_argument("--backend", choices=BACKENDS,
                   help="where the model runs (default: $TRIFORCE_BACKEND or embedded); "
                        "when it cannot answer, the fallback chain $TRIFORCE_FALLBACK "
                        "(default: embedded) is tried")
    p.add_argument("--max-tokens", type=int, default=None, metavar="N",
                   help="longest reply per model call (default 256)")
    p.add_argument("--timeout", type=float, default=None, metavar="S",
                   help="seconds per model call (default 120)")
    p.add_argument("--retries", type=int, default=None, metavar="N",
                   help="times a model may fix code that does not assemble (default 1)")
    p.add_argument("--project", metavar="DIR",
                   help="the project directory: source files the question names (src/hook.asm) "
                        "are read from it, never from outside it (default: none)")
    p.add_argument("--verbose", action="store_true",
                   help="routing, backend, time to first token and tokens per second on stderr")


def register(sub) -> None:
    p = sub.add_parser(
        "ask", help="ask the assistant; every answer is checked by the tools",
        description="Route QUESTION to the experts, run the tools, let the model explain, "
                    "and check every code block. Code comes from --file or from the question.")
    p.add_argument("question", nargs="*", help="the question ('-' or nothing: read stdin)")
    p.add_argument("--file", metavar="F", help="asar source the question is about")
    p.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    p.add_argument("--stream", action="store_true", help="print the model's words as they come")
    p.add_argument("--planner", action="store_true",
                   help="let a model plan the steps (JSON-constrained) instead of the router")
    _common(p)
    p.set_defaults(func=cmd_ask)

    c = sub.add_parser("chat", help="a conversation with the assistant (keeps the history)",
                       description="A read-eval loop: each line is a question; /expert NAME "
                                   "fixes the expert, /auto lets the router pick again, "
                                   "/reset forgets the conversation, /quit ends.")
    _common(c)
    c.set_defaults(func=cmd_chat)


def make_orchestrator(args):
    from triforce.llm import backend_chain
    from triforce.orchestra import Orchestrator

    kw = {}
    if args.max_tokens is not None:
        kw["max_tokens"] = args.max_tokens
    if args.timeout is not None:
        kw["timeout"] = args.timeout
    if getattr(args, "retries", None) is not None:
        kw["max_retries"] = args.retries
    return Orchestrator(backends=backend_chain(args.backend),
                        project_root=getattr(args, "project", None), **kw)


@dataclass
class _Stream:
    """What the terminal shows of a streamed answer so far."""

    gate: CodeGate
    streaming: bool = False

    def flush(self) -> None:
        rest = self.gate.flush()
        self.gate = CodeGate()
        if rest:
            sys.stdout.write(rest)
            sys.stdout.flush()


def _events(spinner: Spinner, stream: bool, verbose: bool) -> EventHandler:
    # here, not at the top: every command builds its parser from this module
    from triforce.orchestra.code import CodeGate
    from triforce.orchestra.events import (
        Note,
        PlanMade,
        Retry,
        SectionDone,
        StepStarted,
        Token,
        ToolRan,
    )

    state = _Stream(CodeGate())

    def on_event(event: Event) -> None:
        match event:
            case PlanMade(plan) if verbose:
                steps = " -> ".join(f"{s.expert} ({s.intent}"
                                    + (f", {s.confidence:.2f}" if s.confidence is not None else "")
                                    + ")" for s in plan.steps)
                _err(f"plan ({plan.source}): {steps}")
            case StepStarted(_, expert):
                spinner.set(f"{expert.name} is working")
                if stream:
                    spinner.pause()
                    print(f"## {expert.name} ({expert.intent})", flush=True)
            case ToolRan(res) if verbose:
                _err(f"tool {res.tool}: {res.summary.splitlines()[0] if res.summary else ''}"
                     f" ({res.seconds:.2f} s)")
            case Token(text) if stream:
                spinner.pause()
                state.streaming = True
                sys.stdout.write(state.gate.feed(text))    # code only once it assembles
                sys.stdout.flush()
            case Retry(error):
                if stream:
                    state.flush()
                    print(f"\n(the code did not assemble: {error}; asking again)", flush=True)
                elif verbose:
                    _err(f"retry: {error}")
            case Note(text) if verbose:
                _err(f"note: {text}")
            case SectionDone(sec) if stream:
                state.flush()
                if state.streaming:
                    print(flush=True)
                    state.streaming = False
                if sec.tool_text:
                    print(sec.tool_text.rstrip(), flush=True)
                for n in sec.notes:
                    print(f"Note: {n}", flush=True)
                print(flush=True)
    return on_event


def _err(text: str) -> None:
    print(f"triforce: {text}", file=sys.stderr, flush=True)


def _verbose_stats(answer) -> None:
    st = answer.model_stats()
    if not st.get("calls"):
        _err(f"model: not called; total {answer.seconds:.2f} s")
        return
    ttft, tps = st["time_to_first_token"], st["tokens_per_second"]
    parts = [f"model: {', '.join(st['backends'])} ({', '.join(st['models'])})",
             f"{st['calls']} call(s)", f"load {st['load_time']:.2f} s",
             f"time to first token {ttft:.2f} s" if ttft is not None else "no tokens",
             f"{st['completion_tokens']} tokens at "
             + (f"{tps:.1f} tokens/s" if tps else "an unknown rate"),
             f"total {answer.seconds:.2f} s"]
    _err(", ".join(parts))


def cmd_ask(args) -> int:
    question = " ".join(args.question).strip()
    if args.question in ([], ["-"]) and not sys.stdin.isatty():
        question = sys.stdin.read()         # no question given: read it from stdin
    code = None
    if args.file:
        code = read_user_text(args.file, "source file")
        if not question.strip():
            question = "Explain this code."
    orch = make_orchestrator(args)
    stream = args.stream and not args.json
    with Spinner("thinking") as spinner:
        answer = orch.ask(question, code=code, code_name=args.file or "code",
                          code_path=args.file,
                          expert=args.expert, planner=args.planner,
                          on_event=_events(spinner, stream, args.verbose))
    if args.json:
        print(json.dumps(answer.to_dict(), indent=2, default=str))
    elif stream:
        lines = answer.summary_lines()
        if lines:
            print("## Verification\n" + "\n".join(lines))
    else:
        sys.stdout.write(answer.render())
    sys.stdout.flush()
    if args.verbose:
        _verbose_stats(answer)
    return 0 if answer.ok else 1


def cmd_chat(args) -> int:
    from triforce.orchestra.conversation import trim_history

    orch = make_orchestrator(args)
    expert = args.expert
    if expert:
        orch.registry.get(expert)
    history: list[dict[str, str]] = []
    tty = sys.stdin.isatty()
    if tty:
        print("Triforce chat. /expert NAME, /auto, /reset, /quit. Ctrl-D ends.")
    while True:
        try:
            line = input("> " if tty else "")
        except EOFError:
            break
        except KeyboardInterrupt:
            print()
            break
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit", "/q"):
            break
        if text == "/reset":
            history.clear()
            print("(conversation forgotten)")
            continue
        if text == "/auto":
            expert = None
            print("(the router picks the expert)")
            continue
        if text.startswith("/expert"):
            name = text[len("/expert"):].strip()
            try:
                expert = orch.registry.get(name).id
                print(f"(asking {orch.registry.get(name).name})")
            except UserError as exc:
                print(f"triforce: error: {exc}", file=sys.stderr)
            continue
        try:
            with Spinner("thinking") as spinner:
                answer = orch.ask(text, expert=expert, history=history,
                                  on_event=_events(spinner, False, args.verbose))
        except UserError as exc:
            print(f"triforce: error: {exc}", file=sys.stderr)
            continue
        out = answer.render()
        sys.stdout.write(out)
        sys.stdout.flush()
        if args.verbose:
            _verbose_stats(answer)
        history = trim_history(history + [{"role": "user", "content": text},
                                          {"role": "assistant", "content": out}])
    return 0
