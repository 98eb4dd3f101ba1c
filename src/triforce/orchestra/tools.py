"""The tools experts and the planner may call, each a plain function over the real
assembler, emulator and analysis code, returning a :class:`ToolResult`.

Untrusted code only ever runs on the emulator. ``read_file`` reads only inside the
project root it was given (symlinks resolved), and only text. The code the tools assemble
reads files only through the question's :class:`Sandbox`: inside the project or the
folder of the user's file, and nowhere for code that came in a question or a reply.

Given a :class:`~triforce.orchestra.isolation.WorkerPool` (the server gives one), every tool
that works on code runs in a worker process with CPU-time and memory limits, and so does
:meth:`ToolBox.check`; without one they run in this process, bounded by the assembler's and
the emulator's own limits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triforce.asm.source import MAX_WORK, NO_FILES, Sandbox
from triforce.errors import UserError
from triforce.orchestra.isolation import IsolationError

if TYPE_CHECKING:
    from triforce.orchestra.code import AsmCheck
    from triforce.orchestra.isolation import WorkerPool

MAX_FILE = 1_000_000
RUN_STEPS = 200_000
#: The tools that work on code (run in the worker pool when there is one).
CODE_TOOLS = frozenset({"assemble", "disassemble", "run", "cycles", "lint", "equivalence",
                        "optimize"})


@dataclass
class ToolResult:
    tool: str
    ok: bool
    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "ok": self.ok, "summary": self.summary, "data": self.data,
                "seconds": round(self.seconds, 4)}


class ToolBox:
    """Every tool by name; ``call(name, **args)`` never raises for a user's mistake."""

    def __init__(self, project_root: str | Path | None = None,
                 isolation: WorkerPool | None = None) -> None:
        self.root = Path(project_root).resolve() if project_root else None
        self.isolation = isolation
        self._local = threading.local()     # per question (the server asks from threads)
        self.tools: dict[str, Callable[..., ToolResult]] = {
            "assemble": self.assemble, "disassemble": self.disassemble, "run": self.run,
            "cycles": self.cycles, "lint": self.lint, "equivalence": self.equivalence,
            "optimize": self.optimize, "register_lookup": self.register_lookup,
            "read_file": self.read_file,
        }

    @property
    def include_paths(self) -> tuple[str, ...]:
        """Where the code's ``incsrc``/``incbin`` look, for the question being answered."""
        return getattr(self._local, "include_paths", ())

    @property
    def sandbox(self) -> Sandbox:
        """Where the code of the question being answered may read files (none by default)."""
        return getattr(self._local, "sandbox", NO_FILES)

    def code_from(self, path: str | Path | None) -> None:
        """The code of this question came from the file ``path`` (None: from the question):
        its ``incsrc``/``incbin`` look in its folder, and may read inside the project, or
        inside that folder when there is no project or the file is outside it."""
        if path is None:
            self._local.include_paths, self._local.sandbox = (), NO_FILES
            return
        folder = Path(path).resolve().parent
        inside = self.root is not None and folder.is_relative_to(self.root)
        self._local.include_paths = (str(folder),)
        # the user's own file: the bound on work of the user's own command line
        self._local.sandbox = Sandbox(self.root if inside else folder, max_work=MAX_WORK)

    def call(self, name: str, **args: Any) -> ToolResult:
        fn = self.tools.get(name)
        if fn is None:
            return ToolResult(name, False, f"unknown tool '{name}'")
        t0 = time.perf_counter()
        try:
            if self.isolation is not None and name in CODE_TOOLS:
                res = self.isolation.call("triforce.orchestra.tools:call_in_worker",
                                          self.root, self.include_paths, self.sandbox,
                                          name, args)
            else:
                res = fn(**args)
        except UserError as exc:
            res = ToolResult(name, False, str(exc))
        except TypeError as exc:
            res = ToolResult(name, False, f"bad arguments: {exc}")
        except IsolationError as exc:
            res = ToolResult(name, False, f"the {name} check did not finish: {exc}")
        res.seconds = time.perf_counter() - t0
        return res

    def check(self, code: str, *, own: bool = False) -> AsmCheck:
        """Whether ``code`` assembles (:func:`~triforce.orchestra.code.check_assembles`):
        ``own`` code (the question's) with its include paths and sandbox, any other (a
        model's) reading no file."""
        from triforce.orchestra.code import AsmCheck, check_assembles

        paths, sandbox = (self.include_paths, self.sandbox) if own else ((), NO_FILES)
        if self.isolation is None:
            return check_assembles(code, include_paths=paths, sandbox=sandbox)
        try:
            return self.isolation.call("triforce.orchestra.code:check_assembles", code,
                                       include_paths=paths, sandbox=sandbox)
        except (IsolationError, UserError) as exc:
            return AsmCheck(False, f"the assembler did not finish: {exc}")

    # -- the tools ---------------------------------------------------------------------------

    def assemble(self, code: str) -> ToolResult:
        from triforce.orchestra.code import check_assembles

        chk = check_assembles(code, include_paths=self.include_paths, sandbox=self.sandbox)
        return ToolResult("assemble", chk.ok, chk.summary(), chk.to_dict())

    def disassemble(self, data: bytes | str, address: int = 0x008000, m8: bool = True,
                    x8: bool = True) -> ToolResult:
        from triforce.asm.disasm import disassemble

        try:
            raw = bytes.fromhex(data.replace(" ", "")) if isinstance(data, str) else bytes(data)
        except ValueError:
            raise UserError("the bytes to disassemble must be hex, e.g. 'A9 00 85 10'") from None
        text = disassemble(raw, address, base=address, m=8 if m8 else 16,
                           x=8 if x8 else 16).text()
        return ToolResult("disassemble", True, f"{len(raw)} bytes", {"text": text})

    def run(self, code: str, max_steps: int = RUN_STEPS) -> ToolResult:
        """Run ``code`` on the emulator from its first byte until it returns or stops."""
        from triforce.analysis.execute import machine_from_source

        m = machine_from_source(code, include_paths=self.include_paths, sandbox=self.sandbox)
        cpu = m.cpu
        result = cpu.run(max_steps=max_steps, stop_on_return=True, stop_on_brk=True)
        regs = {r: getattr(cpu, r.lower(), None) for r in ("A", "X", "Y", "P", "S", "D", "DB")}
        return ToolResult("run", result.reason in ("return", "brk", "stp"),
                          f"stopped ({result.reason}) after {result.steps} instructions, "
                          f"{result.cycles} cycles",
                          {"reason": result.reason, "steps": result.steps,
                           "cycles": result.cycles, "registers": regs})

    def cycles(self, code: str, m8: bool | None = None, x8: bool | None = None) -> ToolResult:
        from triforce.analysis.optimize import entry_widths
        from triforce.analysis.timing import time_source

        # widths not given: what the code says (its immediates, comments), else 8-bit, as
        # the optimizer costs code
        m, x = entry_widths(code, None if m8 is None else int(m8),
                            None if x8 is None else int(x8))
        t = time_source(code, m=m, x=x, include_paths=self.include_paths,
                        sandbox=self.sandbox)
        rng = (f"{t.cycles_min}" if t.cycles_min == t.cycles_max
               else f"{t.cycles_min}-{t.cycles_max}")
        return ToolResult("cycles", True, f"{t.bytes} bytes, {rng} cycles per pass",
                          {"bytes": t.bytes, "cycles_min": t.cycles_min,
                           "cycles_max": t.cycles_max})

    def lint(self, code: str) -> ToolResult:
        from triforce.analysis.lint import lint_source

        found = lint_source(code, filename="snippet.asm", include_paths=self.include_paths,
                            sandbox=self.sandbox)
        return ToolResult("lint", True, f"{len(found)} finding(s)",
                          {"findings": [f.to_dict() for f in found],
                           "text": [str(f) for f in found]})

    def equivalence(self, a: str, b: str, observe: str | None = None,
                    m: int | None = None, x: int | None = None) -> ToolResult:
        from triforce.analysis.equiv import check_equivalence

        res = check_equivalence(a, b, observe, m=m, x=x, widths_from="a",
                                include_paths=self.include_paths, sandbox=self.sandbox)
        return ToolResult("equivalence", bool(res.equivalent), res.summary(),
                          {"equivalent": bool(res.equivalent),
                           "states": getattr(res, "states", None)})

    def optimize(self, code: str, observe: str | None = None) -> ToolResult:
        from triforce.analysis.optimize import optimize_source

        res = optimize_source(code, observe, include_paths=self.include_paths,
                              sandbox=self.sandbox)
        saved_c = res.cycles_before - res.cycles_after
        saved_b = res.bytes_before - res.bytes_after
        return ToolResult("optimize", True,
                          f"{len(res.rewrites)} verified rewrite(s): {saved_c} cycles, "
                          f"{saved_b} bytes saved", res.to_dict() | {"result": res})

    def register_lookup(self, query: str) -> ToolResult:
        from triforce.orchestra.grounding import fact
        from triforce.snes import registers

        regs = registers.lookup(query)
        return ToolResult("register_lookup", True, ", ".join(r.name for r in regs),
                          {"facts": [fact(r) for r in regs]})

    def read_file(self, path: str) -> ToolResult:
        if self.root is None:
            raise UserError("no project directory was given, so no file can be read")
        p = (self.root / path).resolve()
        if not p.is_relative_to(self.root):
            raise UserError(f"{path} is outside the project ({self.root})")
        if not p.is_file():
            raise UserError("no such file in the project", path)
        if p.stat().st_size > MAX_FILE:
            raise UserError(f"larger than {MAX_FILE} bytes", path)
        from triforce.errors import read_user_text

        text = read_user_text(p, "project file")
        return ToolResult("read_file", True, f"{len(text.splitlines())} lines",
                          {"path": str(p.relative_to(self.root)), "text": text})


_WORKER_BOXES: dict[Path | None, ToolBox] = {}


def call_in_worker(root: Path | None, include_paths: tuple[str, ...], sandbox: Sandbox,
                   name: str, args: dict[str, Any]) -> ToolResult:
    """One tool call inside a worker process, with the question's code context."""
    box = _WORKER_BOXES.get(root)
    if box is None:
        box = _WORKER_BOXES[root] = ToolBox(root)
    box._local.include_paths, box._local.sandbox = include_paths, sandbox
    return box.call(name, **args)
