"""A seeded fuzzer for the assembler: mutated test programs, run in worker processes.

Each case is one program of ``cases/`` or ``corpus/`` with one to four mutations: a number
swapped for an extreme one, a hostile line (a huge loop, a self-calling macro, a read outside
the sandbox, deep parentheses), lines deleted, repeated, swapped or spliced from another
program, stray characters, a cut. Case ``i`` of seed ``s`` is always the same source.

Workers are separate processes with a memory limit; each case has a time limit, after which
its worker is killed and replaced. A case fails when the assembler raises instead of
reporting, runs past the limit, kills its worker, changes the ROM although it failed, or opens
a path outside the sandbox it was given (an audit hook watches every ``open``).

    from fuzzing import generate, run_cases
    report = run_cases(generate(seed=1, count=1000), time_limit=5.0)
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROGRAM_DIRS = ("cases", "corpus")
SRC = HERE.parent.parent / "src"

EXTREME_NUMBERS = (
    "0", "-1", "1<<63", "(1<<63)-1", "-(1<<63)", "2**1024", "2**1023*2", "9**99999999",
    "9**9999999", "$FFFFFFFFFFFFFFFF", "$" + "F" * 300, "1" + "0" * 400, "%" + "1" * 200,
    "1.5", "-0.0", "0.0000001", "$7FFFFFFF", "$1000000", "log(0)", "sqrt(-1)", "1/0", "1%0",
    "(" * 300 + "1" + ")" * 300, "1<<100000000000", "-$8000", "$FFFF+1", "round(1.5, 99999)",
)

HOSTILE_LINES = (
    "rep 100000000 : nop",
    "for i = 0..100000000\nnop\nendfor",
    "for i = 0..100000000\nendfor",
    "while 1\nnop\nnop\nendwhile",
    "while 1\nendwhile",
    "macro fz_twice()\n%fz_twice()\n%fz_twice()\nendmacro\n%fz_twice()",
    "macro fz_self()\n%fz_self()\nendmacro\n%fz_self()",
    "!fz = x\n!fz = !fz!fz\ndb !fz",
    "!fz = x\nwhile 1\n!fz += !fz\nendwhile",
    "fill 1<<63", "fill $FFFFFF", "pad $FFFFFFFFFFFF", "skip 1<<100000000000", "skip -1<<62",
    "base off", "spcblock 0", "endspcblock", "spcblock 0\nbase off\nendspcblock",
    "arch spc700", "arch 65816", "pushpc", "pullpc", "pushbase", "pullbase",
    "namespace fz", "namespace off", "struct fz $0000", "endstruct", "freecode", "freedata",
    "org $FFFFFF", "org -1", "warnpc 9**99999999", "x = 2**1024*2", "x = 9**99999999",
    "db log(0)", "db " + "(" * 5000 + "1" + ")" * 5000, "db " + "-" * 5000 + "1",
    'incbin "\x01"', 'incbin "\x00"', 'incbin "unclosed', 'incsrc "/etc/passwd"',
    'incsrc "../../../../../../etc/hostname"', 'incbin "/dev/zero"', 'incbin "/proc/self/maps"',
    'print hex(readfile4("/etc/passwd", 0))', 'print dec(filesize("/etc/passwd"))',
    'print dec(canreadfile1("/etc/passwd", 0))', 'print dec(getfilestatus("/etc/shadow"))',
    'table "/etc/passwd"', 'incsrc "."', 'incsrc ""', "incsrc", "print hex(1.0/3.0)",
    'print double(2**1024)', "assert 0", "error \"\\ud800\"", "db \"\ud800\"", "!x #= 9**9999999",
)

NOISE = ('"', "'", "{", "}", "(", ")", ",", ":", "\\", "\x00", "\x01", "\t", "\ud800", "é",
         "!", "<", ">", "%", "#", ".", "+", "-", "$", ";", "[", "]", "=", "..", "*", "\n")

_NUMBER = re.compile(r"\$[0-9A-Fa-f]+|%[01]+|\b\d+(?:\.\d+)?\b")


@dataclass(frozen=True)
class Case:
    index: int
    program: str           # the mutated program's path under the sandbox root
    mutations: tuple[str, ...]
    source: str


def programs() -> list[tuple[str, str]]:
    """(relative path, text) of every test program, in a fixed order."""
    out = []
    for d in PROGRAM_DIRS:
        for p in sorted((HERE / d).glob("*.asm")):
            out.append((f"{d}/{p.name}", p.read_text(encoding="utf-8", errors="surrogateescape")))
    return out


def _mutate(rng: random.Random, lines: list[str], others: list[str]) -> str:
    op = rng.choice(("number", "number", "hostile", "hostile", "delete", "repeat", "swap",
                     "splice", "noise", "cut"))
    n = len(lines)
    at = rng.randrange(n + 1) if op in ("hostile", "splice") else rng.randrange(max(n, 1))
    if op == "number":
        hits = [(i, m) for i, ln in enumerate(lines) for m in _NUMBER.finditer(ln)]
        if hits:
            i, m = rng.choice(hits)
            lines[i] = lines[i][:m.start()] + rng.choice(EXTREME_NUMBERS) + lines[i][m.end():]
            return f"number@{i + 1}"
        op = "hostile"
    if op == "hostile":
        lines[at:at] = rng.choice(HOSTILE_LINES).split("\n")
        return f"hostile@{at + 1}"
    if not lines:
        lines.append(rng.choice(HOSTILE_LINES))
        return "hostile@1"
    if op == "delete":
        k = rng.randint(1, 5)
        del lines[at:at + k]
        return f"delete@{at + 1}x{k}"
    if op == "repeat":
        k = rng.choice((2, 3, 50))
        lines[at:at + 1] = [lines[at]] * k
        return f"repeat@{at + 1}x{k}"
    if op == "swap":
        j = rng.randrange(n)
        lines[at], lines[j] = lines[j], lines[at]
        return f"swap@{at + 1},{j + 1}"
    if op == "splice":
        donor = rng.choice(others).split("\n")
        a = rng.randrange(len(donor))
        chunk = donor[a:a + rng.randint(1, 30)]
        lines[at:at] = chunk
        return f"splice@{at + 1}x{len(chunk)}"
    if op == "noise":
        ln = lines[at]
        pos = rng.randrange(len(ln) + 1)
        lines[at] = ln[:pos] + rng.choice(NOISE) + ln[pos:]
        return f"noise@{at + 1}"
    # cut: the program ends in the middle of a line
    ln = lines[at]
    del lines[at + 1:]
    lines[at] = ln[:rng.randrange(len(ln) + 1)]
    return f"cut@{at + 1}"


def generate(seed: int, count: int, start: int = 0) -> Iterator[Case]:
    """Cases ``start`` .. ``start + count - 1`` of ``seed``."""
    progs = programs()
    texts = [t for _, t in progs]
    for index in range(start, start + count):
        rng = random.Random(f"{seed}:{index}")
        path, text = progs[rng.randrange(len(progs))]
        lines = text.split("\n")
        muts = tuple(_mutate(rng, lines, texts) for _ in range(rng.randint(1, 4)))
        yield Case(index, path, muts, "\n".join(lines))


@dataclass
class Failure:
    case: Case
    kind: str              # exception class, "timeout", "worker died", "file escape", ...
    detail: str


@dataclass
class Report:
    cases: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    slowest_case: Case | None = None
    outcomes: Counter = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    def by_class(self) -> dict[str, int]:
        return dict(Counter(f.kind for f in self.failures).most_common())


# ---- the worker process ------------------------------------------------------------------

def _worker(root: str, max_work: int) -> None:
    sys.path.insert(0, str(SRC))
    from triforce.asm import Sandbox, assemble

    sandbox = Sandbox(Path(root), max_work=max_work)
    real_root = os.path.realpath(root)
    watching = False
    escapes: list[str] = []
    code_dirs = tuple(os.path.realpath(p) for p in sys.path if p and os.path.isdir(p))

    def hook(event: str, args: tuple) -> None:
        if not watching or event not in ("open", "os.listdir", "os.scandir"):
            return
        path = args[0] if args else None
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return              # an open by descriptor
        full = os.path.realpath(os.path.join(real_root, path))
        if full == real_root or full.startswith(real_root + os.sep):
            return
        if full.endswith((".py", ".pyc", ".so")) and full.startswith(code_dirs):
            return              # a lazy import, not the source reading a file
        escapes.append(path)

    sys.addaudithook(hook)
    assemble("nop", sandbox=sandbox)     # warm up: imports done before watching
    out = sys.stdout
    for raw in sys.stdin:
        case = json.loads(raw)
        escapes.clear()
        t0 = time.perf_counter()
        result: dict = {}
        watching = True
        try:
            r = assemble(case["source"], filename=os.path.join(root, case["program"]),
                         sandbox=sandbox)
            for d in r.diagnostics:
                str(d)
            result["outcome"] = "assembled" if r.ok else "errors"
            if not r.ok and r.rom:
                result["failure"] = ("rom written on error", f"{len(r.rom)} bytes")
        except BaseException as exc:  # noqa: BLE001 - every escape is the finding
            tb = exc.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            where = (f"{Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
                     if tb is not None else "?")
            result["failure"] = (type(exc).__name__, f"{str(exc)[:200]} at {where}")
        finally:
            watching = False
        if escapes and "failure" not in result:
            result["failure"] = ("file escape", ", ".join(sorted(set(escapes)))[:300])
        result["seconds"] = time.perf_counter() - t0
        out.write(json.dumps(result) + "\n")
        out.flush()


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class _Worker:
    def __init__(self, root: str, max_work: int, memory: int) -> None:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); "
             f"import fuzzing; fuzzing._worker({root!r}, {max_work})"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=root, env=env, text=True, encoding="utf-8", errors="surrogatepass",
            preexec_fn=lambda: _limit_memory(memory))
        self.case: Case | None = None
        self.deadline = 0.0

    def send(self, case: Case, time_limit: float) -> None:
        self.case = case
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"source": case.source, "program": case.program}) + "\n")
        self.proc.stdin.flush()
        self.deadline = time.monotonic() + time_limit

    def kill(self) -> str:
        self.proc.kill()
        _, err = self.proc.communicate()
        return err.strip().splitlines()[-1][:300] if err.strip() else ""


def run_cases(cases: Iterable[Case], time_limit: float = 5.0, workers: int = 2,
              max_work: int | None = None, memory: int = 3 << 30) -> Report:
    """Run every case; a :class:`Report` of outcomes and failures."""
    sys.path.insert(0, str(SRC))
    from triforce.asm import SANDBOX_WORK

    work = SANDBOX_WORK if max_work is None else max_work
    report = Report()
    todo = iter(cases)
    root = tempfile.mkdtemp(prefix="triforce-fuzz-")
    for d in PROGRAM_DIRS:
        shutil.copytree(HERE / d, Path(root) / d)
    sel = selectors.DefaultSelector()
    pool: list[_Worker] = []
    t0 = time.perf_counter()

    def feed(w: _Worker) -> bool:
        case = next(todo, None)
        if case is None:
            w.case = None
            return False
        w.send(case, time_limit)
        return True

    def spawn() -> _Worker:
        w = _Worker(root, work, memory)
        assert w.proc.stdout is not None
        sel.register(w.proc.stdout, selectors.EVENT_READ, w)
        pool.append(w)
        return w

    def replace(w: _Worker, kind: str, detail: str) -> None:
        assert w.case is not None and w.proc.stdout is not None
        report.failures.append(Failure(w.case, kind, detail))
        report.cases += 1
        sel.unregister(w.proc.stdout)
        pool.remove(w)
        w.kill()
        feed(spawn())

    try:
        for _ in range(workers):
            if not feed(spawn()):
                break
        while any(w.case is not None for w in pool):
            now = time.monotonic()
            wait = min(w.deadline for w in pool if w.case is not None) - now
            for key, _ in sel.select(timeout=max(0.0, wait)):
                w = key.data
                if w.case is None:
                    continue
                line = w.proc.stdout.readline()
                if not line:
                    replace(w, "worker died", f"exit {w.proc.poll()}: {w.kill()}")
                    continue
                res = json.loads(line)
                report.cases += 1
                if res["seconds"] > report.slowest:
                    report.slowest, report.slowest_case = res["seconds"], w.case
                if "failure" in res:
                    report.failures.append(Failure(w.case, *res["failure"]))
                else:
                    report.outcomes[res["outcome"]] += 1
                feed(w)
            now = time.monotonic()
            for w in list(pool):
                if w.case is not None and now > w.deadline:
                    replace(w, "timeout", f"over {time_limit:g} s")
    finally:
        for w in pool:
            w.kill()
        shutil.rmtree(root, ignore_errors=True)
    report.seconds = time.perf_counter() - t0
    return report


def describe(f: Failure) -> str:
    return (f"case {f.case.index} ({f.case.program}; {', '.join(f.case.mutations)}): "
            f"{f.kind}: {f.detail}")
