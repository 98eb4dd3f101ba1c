"""The assembler: asar 1.9x source in, ROM bytes, symbols, listing and diagnostics out.

The whole source is executed once per pass, as asar does: conditionals, loops and
macros are interpreted, labels take the addresses the previous pass found, and
only the last pass writes bytes. Passes repeat until no label moves.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from triforce.asm import expr as ex
from triforce.asm.encode import encode as _encode
from triforce.asm.expr import AsmError
from triforce.asm.freespace import EXPANDED_START, clean_at, rats_tag, try_block
from triforce.asm.mapping import SA1_DEFAULT, Mapper
from triforce.asm.operands import split_args
from triforce.asm.source import MAX_WORK, Line, Sandbox, SourceFiles, split_statements
from triforce.isa.table import MNEMONICS

MAX_PASSES = 6
MAX_MACRO_DEPTH = 500  # each level takes a few Python frames: assemble() raises the limit
MAX_LOOP = 100_000
MAX_ROM = 16 * 1024 * 1024
MAX_ERRORS = 20  # errors in one pass before the assembly stops, as asar's default
MAX_LINE = 1 << 18  # characters in one line after its defines are expanded
FAKE_OFFSET = 1 << 40  # where freespace blocks sit in the first pass, before they are placed


@dataclass
class Diagnostic:
    severity: str  # "error" or "warning"
    id: str
    message: str
    file: str | None = None
    line: int | None = None
    source: str | None = None
    called_from: list[tuple[str, int]] = field(default_factory=list)

    @property
    def location(self) -> str | None:
        """``file:line``, or just the file when there is no line."""
        if not self.file:
            return None
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def __str__(self) -> str:
        loc = f"{self.location}: " if self.file else ""
        src = f" [{self.source}]" if self.source else ""
        text = f"{loc}{self.severity}: ({self.id}): {self.message}{src}"
        for f, ln in self.called_from:
            text += f"\n    called from {f}:{ln}"
        return text


@dataclass
class ListingLine:
    file: str
    line: int
    address: int  # SNES address
    data: bytes
    source: str


@dataclass
class AsmResult:
    rom: bytes
    ok: bool
    diagnostics: list[Diagnostic]
    symbols: dict[str, int]
    listing: list[ListingLine]
    mapping: str
    prints: list[str]
    written: list[tuple[int, int]]  # (file offset, length) of every write

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


class _Stop(Exception):
    """Raised by ``error`` directives and fatal errors to end a pass."""


class _Fatal(AsmError):
    """An error after which asar stops assembling at once."""

    def __init__(self, id: str, message: str) -> None:
        super().__init__(message, id)


_MAPPING_WORDS = {
    "lorom": "lorom", "hirom": "hirom", "exlorom": "exlorom", "exhirom": "exhirom",
    "sa1rom": "sa1rom", "fullsa1rom": "fullsa1rom", "norom": "norom", "sfxrom": "sfxrom",
}
_LABEL_DEF = re.compile(r"^(#?[A-Za-z_][A-Za-z0-9_]*|#?\.+[A-Za-z0-9_]+|\?[A-Za-z0-9_]+)(:{1,2})(?:\s+|$)")
_SUBLABEL_DEF = re.compile(r"^(#?\.+[A-Za-z0-9_]+)(?:\s+|$)")
_ANON_DEF = re.compile(r"^(\??[+-]+)(:?)(?:\s+|$)")
_ASSIGN = re.compile(r"^([A-Za-z_.?][A-Za-z0-9_.?]*)\s*=\s*(.+)$")
_DEFINE_SET = re.compile(r"^!([A-Za-z0-9_]+)\s+(=|\+=|:=|#=|\?=)\s*(.*)$")
_DEFINE_REF = re.compile(r"!([A-Za-z0-9_]+)|!\{([^{}]*)\}")
_MACRO_CALL = re.compile(r"^%([A-Za-z0-9_]+)\((.*)\)$")
_MNEMONIC = re.compile(r"^([A-Za-z]{3})(?:\.([A-Za-z]+))?$")
_WORD = re.compile(r"^\S+")
_CHARMAP = re.compile(r"^'(.|\\.)'\s*=\s*(.+)$")
_MACRO_PARAM = re.compile(r"<([A-Za-z0-9_]+|\.\.\.\[[^\]]*\])>")
_VARARG = re.compile(r"<\.\.\.\[([^\]]*)\]>")


_BUILTINS = frozenset({
    "bank", "pc", "realbase", "read1", "read2", "read3", "read4", "canread1", "canread2",
    "canread3", "canread4", "canread", "sqrt", "min", "max", "clamp", "abs", "select", "not",
    "defined", "sizeof", "objectsize", "stringsequal", "stringsequalnocase", "datasize",
    "snestopc", "pctosnes", "equal", "notequal", "less", "lessequal", "greater", "greaterequal",
    "and", "or", "nand", "nor", "xor", "filesize", "getfilestatus", "floor", "ceil", "round",
    "log2", "safediv", "readfile1", "readfile2", "readfile3", "readfile4", "canreadfile1",
    "canreadfile2", "canreadfile3", "canreadfile4", "canreadfile",
})

# warnings asar only gives when asked to (warnings enable ...)
_OFF_BY_DEFAULT = frozenset({"Wimplicitly_sized_immediate", "Wcheck_memory_file",
                             "Wvalue_truncated", "Wmvn_reversed"})
# the ones ROM hackers ask for that asar does not give (enabled by extra_warnings)
EXTRA_WARNINGS = ("Wimplicitly_sized_immediate", "Wvalue_truncated", "Wmvn_reversed")

_SINGLE_EQ = re.compile(r"(?<![=!<>])=(?!=)")

_PLANS: dict[str, tuple] = {}
_FIRST_WORD: dict[str, str] = {}
_CONTROL_WORDS = frozenset({"if", "elseif", "else", "endif", "while", "endwhile", "for",
                            "endfor", "macro"})
_MACRO_ARGS: dict[str, list[str]] = {}


def _plan(stmt: str) -> tuple:
    """What a statement does, worked out once per distinct text (labels first, then one action)."""
    steps: list[tuple] = []
    stmt = stmt.strip()
    if not stmt:
        return ()
    while True:
        m = _LABEL_DEF.match(stmt)
        if m and m.group(1).lower() != "macro":
            steps.append(("label", m.group(1), m.group(2) == "::"))
            stmt = stmt[m.end():].strip()
            if not stmt:
                return tuple(steps)
            continue
        m = _ANON_DEF.match(stmt)
        if m:
            steps.append(("anon", m.group(1)))
            stmt = stmt[m.end():].strip()
            if not stmt:
                return tuple(steps)
            continue
        m = _SUBLABEL_DEF.match(stmt)
        if m and stmt.lstrip("#").startswith("."):
            steps.append(("label", m.group(1), False))
            stmt = stmt[m.end():].strip()
            if not stmt:
                return tuple(steps)
            continue
        break
    if stmt in ("{", "}"):
        return tuple(steps)  # braces group code visually; asar ignores them
    m = _CHARMAP.match(stmt)
    if m:
        steps.append(("charmap", m.group(1), m.group(2)))
        return tuple(steps)
    m = _MACRO_CALL.match(stmt)
    if m:
        steps.append(("macro", m.group(1), m.group(2)))
        return tuple(steps)
    word_m = _WORD.match(stmt)
    assert word_m is not None  # stmt is stripped and not empty: it starts with a non-space
    word = word_m.group().lower()
    rest = stmt[word_m.end():].strip()
    mm = _MNEMONIC.match(word_m.group())
    if mm and mm.group(1).upper() in MNEMONICS:
        steps.append(("ins", mm.group(1).upper(), (mm.group(2) or "").lower(), rest))
        return tuple(steps)
    name = "d_" + word.replace(".", "_")
    if name.isidentifier() and hasattr(Assembler, name):
        steps.append(("dir", name, rest))
        return tuple(steps)
    if word in _MAPPING_WORDS:
        steps.append(("map", _MAPPING_WORDS[word]))
        return tuple(steps)
    m = _ASSIGN.match(stmt)
    if m:
        steps.append(("assign", m.group(1), m.group(2)))
        return tuple(steps)
    if word.startswith("@"):
        return tuple(steps)  # @asar, @include, @includefrom: version and include hints
    if stmt.startswith("."):
        steps.append(("field", stmt))
        return tuple(steps)
    steps.append(("unknown", stmt.split()[0]))
    return tuple(steps)


def _implied_mnemonics() -> frozenset[str]:
    from triforce.isa import OPCODES, Mode, modes_of

    names = {o.mnemonic for o in OPCODES}
    only = {mn for mn in names if all(m in (Mode.IMP, Mode.ACC) for m in modes_of(mn))}
    return frozenset(only | {"INC", "DEC", "ASL", "LSR", "ROL", "ROR"})


# instructions that take "#n" as a repeat count (nop #3): the ones with no operand form
_REPEATABLE = _implied_mnemonics()


def _split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return out


def _format_double(v: float, prec: int) -> str:
    text = f"{v:.{max(prec, 0)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _unquote(text: str) -> str:
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] == '"':
        return t[1:-1]
    return t


@dataclass
class _Macro:
    name: str
    params: list[str]
    variadic: bool
    body: list[Line]
    file: str
    line: int
    expanded: dict = field(default_factory=dict)  # body per argument list


@dataclass(frozen=True, slots=True)
class _Place:
    """Where an error is reported when it is not a source line: a file, perhaps no number."""

    file: str
    number: int | None
    text: str


class _FreespaceBlock(TypedDict):
    idx: int
    start: int  # file offset of the first byte after the RATS tag
    hw: int  # high-water mark: the file offset after the block's last byte
    line: Line | None  # the freespace command
    cleaned: bool
    snes: int
    extra: int  # a byte for every guess at an unknown label in the first pass
    code: bool


class _SpcBlock(TypedDict):
    size_at: int
    start: int
    ns: list[str]
    base: int | None


class _Struct(TypedDict):
    name: str
    start: int
    parent: str | None
    saved: tuple[int, int, int | None]  # snes, real and base before the struct


@dataclass
class _Frame:
    """An open if/while/for block while executing a list of lines."""

    kind: str
    start: int  # index of the opening line
    active: bool  # are lines inside executed
    taken: bool = False  # for if: has a branch been taken
    parent_active: bool = True
    var: str = ""
    value: int = 0
    end: int = 0
    iterations: int = 0


class Assembler:
    def __init__(
        self,
        rom: bytes | None = None,
        defines: dict[str, str] | None = None,
        include_paths: list[str] | tuple = (),
        files: dict[str, str | bytes] | None = None,
        fix_checksum: bool = True,
        enable_warnings: tuple[str, ...] | list[str] = (),
        sandbox: Sandbox | None = None,
        max_work: int | None = None,
    ) -> None:
        if max_work is None:
            max_work = sandbox.max_work if sandbox is not None else MAX_WORK
        self.max_work = max_work
        self.work_left = max_work
        self.want_checksum = fix_checksum
        self.want_warnings = set(enable_warnings)
        self.base_rom = bytes(rom) if rom is not None else None
        self.cli_defines = {k: str(v) for k, v in (defines or {}).items()}
        self.include_paths = [str(p) for p in include_paths]
        self.files = SourceFiles(files, sandbox)
        self.labels: dict[str, int] = {}
        self.prev_labels: dict[str, int] = {}
        self.fs_prev_sizes: dict[int, int] = {}
        self.fs_first_sizes: dict[int, int] = {}
        self.fs_expansions: list[tuple[int, int, int]] = []  # new size, size code, header
        self.fs_fixed_pos: dict[int, int] = {}
        self.pass_no = 0
        self.clean_sites_prev: list = []
        self.resolved_name = ""
        self.diag_calls = 0
        self.anon_prev: dict[str, list[int]] = {}

    # ---- driver ----------------------------------------------------------------------
    def assemble(self, source: str | None, filename: str) -> AsmResult:
        self.main_file = filename
        if source is not None:
            self.files.virtual[str(Path(filename))] = source
        final = False
        for n in range(MAX_PASSES + 1):
            # From the second pass on, every pass is run as if it were the last: when no
            # label moved in it, its output stands and one more pass is saved.
            speculative = n >= 1 and not final
            self.run_pass(final or speculative)
            if final or self.work_left <= 0:
                break
            sizes = self.fs_sizes()
            moved = (self.labels != self.prev_labels or self.anon_cur != self.anon_prev
                     or sizes != self.fs_prev_sizes or self.clean_sites != self.clean_sites_prev)
            self.prev_labels = dict(self.labels)
            self.anon_prev = {k: list(v) for k, v in self.anon_cur.items()}
            self.fs_prev_sizes = sizes
            if self.pass_no == 1:
                self.fs_first_sizes = {b["idx"]: b["hw"] - b["start"] + b["extra"]
                                       for b in self.fs_blocks}
                moved = True
            self.clean_sites_prev = list(self.clean_sites)
            if speculative and not moved:
                break  # (errors found here are real: nothing will move any more)
            if self.pass_errors and self.pass_no >= 2 and not speculative:
                final = True  # run once more as the last pass, to report everything
            elif not moved or n >= MAX_PASSES - 1:
                final = True
        ok = not any(d.severity == "error" for d in self.diags)
        rom = bytes(self.rom) if ok else (self.base_rom or b"")
        if ok and self.fix_checksum_wanted():
            rom = self.fixed_checksum(bytearray(rom))
        return AsmResult(
            rom=rom, ok=ok, diagnostics=self.diags, symbols=dict(self.labels),
            listing=self.listing, mapping=self.mapping, prints=self.prints,
            written=list(self.written),
        )

    def reset_pass(self, final: bool) -> None:
        self.final = final
        self.diags: list[Diagnostic] = []
        self.pass_errors = False
        self.error_count = 0
        self.prints: list[str] = []
        self.listing: list[ListingLine] = []
        self.written: list[tuple[int, int]] = []
        self.rom = bytearray(self.base_rom) if self.base_rom is not None else bytearray()
        self.mapping = "lorom"
        self.mapper = Mapper("lorom")
        self.mapping_set = False
        self.snes = 0x008000
        self.real = 0
        self.base: int | None = None
        self.pc_stack: list[tuple] = []
        self.base_stack: list[int | None] = []
        self.defines: dict[str, str] = {"assembler": "asar", "assembler_ver": "10901",
                                        **self.cli_defines}
        self.macros: dict[str, _Macro] = {}
        self.macro_depth = 0
        self.macro_count = 0
        self.macro_id: list[int] = []
        self.varargs: list[list[str] | None] = []
        self.call_stack: list[tuple[str, int]] = []
        self.labels = {} if not self.prev_labels else dict(self.labels)
        self.defined_now: set[str] = set()
        self.main_label = ""
        self.sub_stack: list[str] = []
        self.anon_cur: dict[str, list[int]] = {}
        self.namespace: list[str] = []
        self.fillbyte = b"\x00"
        self.padbyte = b"\x00"
        self.math_pri = False
        self.math_round = True
        self.table: dict[str, int] = {}
        self.table_stack: list[dict[str, int]] = []
        self.included_once: set[str] = set()
        self.fs_byte = 0
        self.fs_index = 0
        self.fs_pos: dict[int, int] = {}
        self.fs_blocks: list[_FreespaceBlock] = []
        self.fs_refs: list = []
        self.clean_sites: list = []
        self.cur_fs: _FreespaceBlock | None = None
        self.bytes_written = 0
        self.border_mark: tuple[int, int] | None = None  # where output last met a bank border
        self.arch = "65816"
        self.spcblock: _SpcBlock | None = None
        self.statements = 0
        self.bankcross = "full"
        self.freespace_use = 0
        self.rep_count: int | None = None
        self.disabled_warnings: set[str] = set()
        self.enabled_warnings: set[str] = set(self.want_warnings)
        self.warn_stack: list = []
        self.ns_stack: list[list[str]] = []
        self.ns_nested = False
        self.functions: dict[str, tuple[list[str], str]] = {}  # parameters, body
        self.dpbase = 0
        self.bank_assume: int | None = None  # None = the code's bank
        self.optimize_dp = "none"
        self.optimize_address = "default"
        self.optimize_dp_set = False
        self.optimize_address_set = False
        self.missing_org_warned = False
        self.prev_freespace_labels = getattr(self, "freespace_labels", {})
        self.freespace_labels: dict[str, int] = {}
        self.static_names: set[str] = set(getattr(self, "static_names", ()))
        self.moving_label_used = False
        self.checksum_fix = self.want_checksum
        self.line: Line | None = None
        self.struct: _Struct | None = None
        self.structs: dict[str, int] = {}
        self.origin_set = False

    def run_pass(self, final: bool) -> None:
        self.pass_no += 1
        self.reset_pass(final)
        try:
            self._run_pass(final)
        except _Stop:
            pass
        except RecursionError:     # a caller's own recursion limit is lower than ours
            with contextlib.suppress(_Stop):
                self.error("Erecursion_limit", "the source nests macros or includes too deeply")

    def _run_pass(self, final: bool) -> None:
        self.apply_autoclean()
        try:
            self.include(self.main_file, None)
        except _Stop:
            pass
        except AsmError as exc:
            self.report(exc)
        if self.pc_stack and not self.pass_errors:
            self.error("Epushpc_without_pullpc", "pushpc without matching pullpc",
                       f"{self.main_file}:{self.files.end_line(self.main_file)}")
        if final:
            self.check_freespace_leaks()
            for blk in self.fs_blocks:  # each tag now protects the block's real size
                tag = blk["start"] - 8
                if 0 <= tag and tag + 8 <= len(self.rom):
                    self.rom[tag : tag + 8] = rats_tag(blk["hw"] - blk["start"])

    def fs_sizes(self) -> dict[int, int]:
        return {b["idx"]: b["hw"] - b["start"] for b in self.fs_blocks}

    # ---- diagnostics ----------------------------------------------------------------
    def _diag(self, severity: str, id: str, message: str,
              line: Line | _Place | None = None) -> None:
        self.diag_calls += 1
        line = line or self.line
        d = Diagnostic(
            severity, id, message,
            line.file if line else None, line.number if line else None,
            line.text if line else None, list(reversed(self.call_stack)),
        )
        if severity == "error":
            self.pass_errors = True
            self.diags.append(d)
            self.error_count += 1
            if self.error_count > MAX_ERRORS:  # as asar: the 21st error ends the assembly
                self.diags.append(Diagnostic(
                    "error", "Elimit_reached", f"Over {MAX_ERRORS} errors detected. Aborting.",
                    d.file, d.line, d.source, d.called_from))
                raise _Stop()
        elif self.final:
            if id in self.disabled_warnings:
                return
            if id in _OFF_BY_DEFAULT and id not in self.enabled_warnings:
                return
            self.diags.append(d)

    def line_now(self) -> Line:
        """The line being executed (exec_lines sets it before each statement runs)."""
        line = self.line
        assert line is not None, "no source line is being executed"
        return line

    def error(self, id: str, message: str, location: str | None = None) -> None:
        if location:
            file, _, num = location.rpartition(":")
            line = Line(file, int(num), "") if num.isdigit() else _Place(location, None, "")
            self._diag("error", id, message, line)
            return
        self._diag("error", id, message)

    def report(self, exc: AsmError) -> None:
        self.error(exc.id, str(exc.args[0]) if exc.args else str(exc), exc.location)

    def warn(self, id: str, message: str) -> None:
        self._diag("warning", id, message)

    # ---- files ---------------------------------------------------------------------
    def resolve_path(self, name: str, relative_to: str | None) -> str:
        cands = []
        if relative_to:
            cands.append(str(Path(relative_to).parent / name))
        cands.append(name)
        cands += [str(Path(d) / name) for d in self.include_paths]
        refused: AsmError | None = None
        for c in cands:
            try:
                if self.files.exists(c):
                    return c
            except AsmError as exc:  # outside the sandbox: another candidate may be inside
                refused = refused or AsmError(str(exc.args[0]).replace(f"'{c}'", f"'{name}'"),
                                              exc.id)
        if refused is not None:
            raise refused
        raise AsmError(f"file '{name}' not found", "Efile_not_found")

    def include(self, path: str, relative_to: str | None) -> None:
        lines = self.files.lines(path, path)
        if len(self.call_stack) > 64:
            raise AsmError("include depth too deep (an include loop?)", "Einclude_loop")
        if any(f == path for f, _ in self.call_stack if f.endswith(":include")):
            raise AsmError(f"'{path}' includes itself", "Einclude_loop")
        self.exec_lines(lines)

    # ---- the interpreter ------------------------------------------------------------
    def exec_lines(self, lines: list[Line]) -> None:
        frames: list[_Frame] = []
        i = 0
        n = len(lines)
        while i < n:
            line = lines[i]
            self.line = line
            self.work_left -= 1
            if self.work_left <= 0:
                self.out_of_work()
            active = not frames or frames[-1].active
            text = line.text
            word = _FIRST_WORD.get(text)
            if word is None:
                word = text.split(None, 1)[0].lower() if text else ""
                if len(_FIRST_WORD) < 500_000:
                    _FIRST_WORD[text] = word
            try:
                if word in _CONTROL_WORDS:
                    j = self.control(lines, i, word, frames, active)
                    if j is not None:
                        i = j
                        continue
                if active:
                    if word == "macro":
                        i = self.define_macro(lines, i)
                        continue
                    self.exec_line(line)
            except _Fatal as exc:
                self.report(exc)
                raise _Stop() from None
            except AsmError as exc:
                self.report(exc)
            i += 1
        if frames:
            start = lines[frames[-1].start]
            kind = frames[-1].kind
            self.error({"if": "Eunclosed_if", "while": "Eunclosed_while", "for": "Eunclosed_for"}
                       .get(kind, "Eunclosed_block"), f"'{kind}' is never closed",
                       f"{start.file}:{self.files.end_line(start.file)}")

    def control(self, lines, i, word, frames: list[_Frame], active: bool) -> int | None:
        """Handle if/elseif/else/endif, while/endwhile, for/endfor. Returns the next index or None."""
        text = lines[i].text
        if word == "if":
            frame = _Frame("if", i, False, False, active)
            frames.append(frame)  # pushed first, so a bad condition keeps the nesting
            cond = active and bool(self.eval_cond(text[2:]))
            frame.active = frame.taken = cond
            return i + 1
        if word in ("elseif", "else"):
            if frames and frames[-1].kind == "while" and word == "elseif":
                raise AsmError("elseif in a while loop", "Eelseif_in_while")
            if not frames or frames[-1].kind != "if":
                raise AsmError(f"'{word}' without 'if'",
                               "Emisplaced_elseif" if word == "elseif" else "Emisplaced_else")
            f = frames[-1]
            if f.taken or not f.parent_active:
                f.active = False
            elif word == "else":
                f.active = f.taken = True
            else:
                self.line = lines[i]
                cond = bool(self.eval_cond(text[6:]))
                f.active = f.taken = cond
            return i + 1
        if word == "endif":
            if frames and frames[-1].kind == "while":
                self.deprecated("mismatched terminators", "close a while with endwhile")
                return self.control(lines, i, "endwhile", frames, active)
            if not frames or frames[-1].kind != "if":
                raise AsmError("'endif' without 'if'", "Emisplaced_endif")
            frames.pop()
            return i + 1
        if word == "while":
            frame = _Frame("while", i, False, False, active)
            frames.append(frame)
            frame.active = active and bool(self.eval_cond(text[5:]))
            return i + 1
        if word == "endwhile":
            if not frames or frames[-1].kind != "while":
                raise AsmError("'endwhile' without 'while'", "Emisplaced_endwhile")
            f = frames[-1]
            if f.active:
                f.iterations += 1
                if f.iterations > MAX_LOOP:
                    frames.pop()
                    raise AsmError(f"while loop ran {MAX_LOOP} times: an endless loop?", "Einfinite_loop")
                self.line = lines[f.start]
                if self.eval_cond(lines[f.start].text[5:]):
                    return f.start + 1
            frames.pop()
            return i + 1
        if word == "for":
            return self.start_for(lines, i, frames, active)
        if word == "endfor":
            if not frames or frames[-1].kind != "for":
                raise AsmError("'endfor' without 'for'", "Emisplaced_endfor")
            f = frames[-1]
            if f.active:
                f.value += 1
                if f.value < f.end:
                    self.defines[f.var] = str(f.value)
                    return f.start + 1
            frames.pop()
            return i + 1
        if not active and word == "macro":
            return self.skip_macro(lines, i)
        return None

    def start_for(self, lines, i, frames, active) -> int:
        m = re.match(r"^for\s+([A-Za-z0-9_]+)\s*=\s*(.+?)\.\.(.+)$", lines[i].text, re.I)
        if not active:
            frames.append(_Frame("for", i, False, parent_active=False))
            return i + 1
        if not m:
            raise AsmError("for needs 'for var = start..end'", "Ebroken_for_loop")
        start = self.eval(self.subst(m.group(2)))
        end = self.eval(self.subst(m.group(3)))
        f = _Frame("for", i, start < end, var=m.group(1), value=start, end=end)
        if f.active:
            self.defines[f.var] = str(start)
        frames.append(f)
        return i + 1

    def skip_macro(self, lines, i) -> int:
        j = i + 1
        while j < len(lines) and lines[j].text.split(None, 1)[0].lower() != "endmacro":
            j += 1
        return j + 1

    def define_macro(self, lines: list[Line], i: int) -> int:
        m = re.match(r"^macro\s+([A-Za-z0-9_]+)\s*\((.*)\)\s*$", lines[i].text, re.I)
        if not m:
            raise AsmError("broken macro declaration", "Ebroken_macro_declaration")
        name = m.group(1)
        params = [p.strip() for p in m.group(2).split(",") if p.strip()]
        variadic = bool(params) and params[-1] == "..."
        if variadic:
            params = params[:-1]
        j = i + 1
        while j < len(lines) and lines[j].text.split(None, 1)[0].lower() != "endmacro":
            if lines[j].text.split(None, 1)[0].lower() == "macro":
                self.line = lines[j]
                raise AsmError("a macro cannot be defined inside a macro", "Enested_macro_definition")
            j += 1
        if j >= len(lines):
            self.error("Eunclosed_macro", f"macro '{name}' is never closed with endmacro",
                       f"{lines[i].file}:{self.files.end_line(lines[i].file)}")
            return len(lines)
        if name in self.macros and (self.macros[name].line, self.macros[name].file) != (
            lines[i].number, lines[i].file
        ):
            self.error("Emacro_redefined", f"macro '{name}' redefined")
            return j + 1
        self.macros[name] = _Macro(name, params, variadic, lines[i + 1 : j], lines[i].file, lines[i].number)
        return j + 1

    def call_macro(self, name: str, argtext: str) -> None:
        mac = self.macros.get(name)
        if mac is None:
            raise AsmError(f"unknown macro '{name}'", "Emacro_not_found")
        args = _MACRO_ARGS.get(argtext)
        if args is None:
            args = [_unquote(a) for a in split_args(argtext)] if argtext.strip() else []
            if len(_MACRO_ARGS) < 200_000:
                _MACRO_ARGS[argtext] = args
        if (len(args) != len(mac.params) and not mac.variadic) or len(args) < len(mac.params):
            raise AsmError(
                f"macro '{name}' takes {len(mac.params)} arguments, {len(args)} given",
                "Emacro_wrong_min_params" if mac.variadic else "Emacro_wrong_num_params",
            )
        if self.macro_depth >= MAX_MACRO_DEPTH:
            raise AsmError(f"macro recursion deeper than {MAX_MACRO_DEPTH}", "Erecursion_limit")
        named = dict(zip(mac.params, args, strict=False))
        extra = args[len(mac.params) :] if mac.variadic else None

        def sub(text: str) -> str:
            if "<" not in text:
                return text

            def rep(m: re.Match) -> str:
                key = m.group(1)
                if key in named:
                    return named[key]
                if key.startswith("...") and mac.variadic:
                    return m.group(0)  # resolved when the line runs (the index may use defines)
                raise AsmError(f"macro parameter '{key}' not found", "Emacro_param_not_found")

            return _MACRO_PARAM.sub(rep, text)

        key = tuple(args)
        body = mac.expanded.get(key)
        if body is None:
            body = []
            for ln in mac.body:
                try:
                    text = sub(ln.text)
                except AsmError as exc:
                    exc.location = f"{ln.file}:{ln.number}"
                    raise
                for part in split_statements(text):
                    body.append(Line(ln.file, ln.number, part))
            if len(mac.expanded) < 4096:
                mac.expanded[key] = body
        caller = self.line_now()
        self.call_stack.append((caller.file, caller.number))
        self.macro_depth += 1
        self.macro_id.append(self.macro_count)
        self.macro_count += 1
        self.varargs.append(extra)
        try:
            self.exec_lines(body)
        finally:
            self.macro_depth -= 1
            self.macro_id.pop()
            self.varargs.pop()
            self.call_stack.pop()
            self.line = caller

    def expand_varargs(self, text: str) -> str:
        """``<...[i]>`` and ``sizeof(...)`` of the innermost variadic macro call."""
        extra = self.varargs[-1] if self.varargs else None
        if extra is None:
            return text
        text = text.replace("sizeof(...)", str(len(extra)))

        def rep(m: re.Match) -> str:
            i = self.eval(m.group(1))
            if not 0 <= i < len(extra):
                raise AsmError(f"variadic argument {i} is out of bounds ({len(extra)} given)",
                               "Evararg_out_of_bounds")
            return extra[i]

        return _VARARG.sub(rep, text)

    # ---- defines ---------------------------------------------------------------------
    def subst(self, text: str) -> str:
        if "!" not in text:
            return text
        if "\\!" in text:
            # \! is a literal ! that no define expands
            return self.subst(text.replace("\\!", "\x00")).replace("\x00", "!")
        for _ in range(64):
            changed = False
            grown = len(text)

            def rep(m: re.Match) -> str:
                nonlocal changed, grown
                name = m.group(1) if m.group(1) is not None else self.subst(m.group(2))
                if name in self.defines:
                    changed = True
                    value = self.defines[name]
                    grown += len(value)
                    if grown > MAX_LINE:   # stopped as it grows, not once it has grown
                        raise AsmError(f"define expansion grows past {MAX_LINE} characters "
                                       "(a define refers to itself?)", "Erecursive_define")
                    return value
                if m.group(0).startswith("!=") or not name:
                    return m.group(0)
                raise AsmError(f"define '!{name}' not found", "Edefine_not_found")

            new = _DEFINE_REF.sub(rep, text)
            if not changed or new == text:
                return new
            text = new
            if "!" not in text:
                return text
        raise AsmError("define expansion does not end (a define refers to itself?)", "Erecursive_define")

    def set_define(self, name: str, op: str, value: str) -> None:
        value = value.strip()
        if name in ("assembler", "assembler_ver"):
            raise AsmError(f"!{name} is a built-in define", "Eoverriding_builtin_define")
        if op == "=":
            self.defines[name] = _unquote(value) if value.startswith('"') else value
        elif op == ":=":
            self.defines[name] = self.subst(value)
        elif op == "+=":
            if name not in self.defines:
                raise AsmError(f"define '!{name}' not found", "Edefine_not_found")
            add = self.subst(value)
            grown = self.defines[name] + (_unquote(add) if add.startswith('"') else add)
            if len(grown) > MAX_LINE:
                raise AsmError(f"define '!{name}' grows past {MAX_LINE} characters",
                               "Erecursive_define")
            self.defines[name] = grown
        elif op == "#=":
            self.defines[name] = str(self.eval(self.subst(value)))
        elif op == "?=":
            if name not in self.defines:
                self.defines[name] = value
        else:
            raise AsmError(f"bad define operator {op}", "Ebroken_define")

    # ---- one line ----------------------------------------------------------------------
    def exec_line(self, line: Line) -> None:
        text = line.text
        m = _DEFINE_SET.match(text)
        if m:
            self.set_define(m.group(1), m.group(2), m.group(3))
            return
        text = self.subst(text)
        if "..." in text:
            text = self.expand_varargs(text)
        for stmt in split_statements(text):
            count, self.rep_count = self.rep_count, None
            for _ in range(1 if count is None else max(count, 0)):
                self.exec_statement(stmt)

    def out_of_work(self) -> None:
        self.work_left = 0
        self.report(_Fatal("Ework_limit", f"the source ran {self.max_work:,} lines and "
                           "statements without finishing: an endless loop or macro expansion?"))
        raise _Stop()

    def exec_statement(self, stmt: str) -> None:
        self.statements += 1
        self.work_left -= 1 + (len(stmt) >> 6)   # a long statement costs more to parse
        if self.work_left <= 0:
            self.out_of_work()
        if self.arch == "spc700" or self.spcblock is not None:
            stmt = self.spc700_statement(stmt)
            if not stmt:
                return
        plan = _PLANS.get(stmt)
        if plan is None:
            plan = _plan(stmt)
            if len(_PLANS) > 500_000:
                _PLANS.clear()
            _PLANS[stmt] = plan
        for step in plan:
            kind = step[0]
            if kind == "ins":
                self.instruction(step[1], step[2], step[3])
            elif kind == "label":
                self.define_label(step[1], global_=step[2])
            elif kind == "anon":
                self.define_anon(step[1])
            elif kind == "dir":
                getattr(self, step[1])(step[2])
            elif kind == "macro":
                self.call_macro(step[1], step[2])
            elif kind == "map":
                self.set_mapping(step[1])
            elif kind == "assign":
                self.moving_label_used = False
                value = self.eval(step[2])
                if self.moving_label_used:
                    raise AsmError(f"label '{step[1]}' can't be assigned from a label that can move",
                                   "Elabel_cross_assignment")
                self.define_label(step[1], value=value)
            elif kind == "field":
                if self.struct is None:
                    raise AsmError(f"unknown command '{step[1].split()[0]}'", "Eunknown_command")
                self.define_label(step[1])
            elif kind == "charmap":
                ch = step[1][-1] if len(step[1]) == 2 else step[1]
                self.table[ch] = self.eval(step[2])
            elif kind == "unknown":
                raise AsmError(f"unknown command '{step[1]}'", "Eunknown_command")

    # ---- labels ------------------------------------------------------------------------
    def label_pc(self) -> int:
        return self.base if self.base is not None else self.snes

    def full_name(self, name: str) -> str:
        if name.startswith("?"):
            mid = self.macro_id[-1] if self.macro_id else 0
            return f":macro_{mid}_{name[1:]}"
        if name.startswith("."):
            depth = len(name) - len(name.lstrip("."))
            base = self.sub_stack[: depth - 1]
            if depth - 1 > len(self.sub_stack):
                base = self.sub_stack
            parts = [self.main_label, *base, name[depth:]]
            return "_".join(p for p in parts if p)
        if self.namespace and not name.startswith(":"):
            return "_".join(self.namespace) + "_" + name
        return name

    def spc700_statement(self, stmt: str) -> str:
        """Run a statement's SPC700 instruction (after its labels); return what is left."""
        from triforce.asm.spc700 import encode_spc700, is_spc700_mnemonic

        rest = stmt
        while True:  # labels first, as for 65816 code
            m = _LABEL_DEF.match(rest) or _ANON_DEF.match(rest)
            if m is None and rest.startswith(".") and _SUBLABEL_DEF.match(rest):
                m = _SUBLABEL_DEF.match(rest)
            if m is None:
                break
            head = rest[: m.end()].strip()
            if head and not is_spc700_mnemonic(head.split(".")[0].rstrip(":")):
                self.exec_statement_labels(head)
                rest = rest[m.end():].strip()
                continue
            break
        word = rest.split(None, 1)[0] if rest else ""
        name, _, suffix = word.partition(".")
        if name and is_spc700_mnemonic(name) and not rest.startswith("%"):
            operand = rest[len(word):].strip()
            self.emit(encode_spc700(self, name, suffix, operand))
            return ""
        return rest

    def exec_statement_labels(self, head: str) -> None:
        for step in _plan(head):
            if step[0] == "label":
                self.define_label(step[1], global_=step[2])
            elif step[0] == "anon":
                self.define_anon(step[1])

    def define_label(self, name: str, value: int | None = None, global_: bool = False) -> None:
        nohier = name.startswith("#")
        if nohier:
            name = name[1:]
        if self.struct is not None and value is None:
            self.struct_field(name)
            return
        if name.startswith("?") and not self.macro_id:
            raise AsmError(f"macro label '{name}' outside of a macro", "Emacro_label_outside_of_macro")
        is_sub = name.startswith(".")
        if is_sub and not self.main_label:
            raise AsmError(f"sublabel '{name}' has no parent label", "Elabel_missing_parent")
        scoped = self.full_name(name)
        full = name if global_ and not is_sub else scoped
        if value is None:
            self.need_org()
            value = self.label_pc()
            if is_sub:
                depth = len(name) - len(name.lstrip("."))
                if not nohier:
                    self.sub_stack = self.sub_stack[: depth - 1] + [name[depth:]]
            elif not name.startswith("?") and not nohier:
                self.main_label = scoped  # sublabels of a global label keep the namespace
                self.sub_stack = []
            if self.cur_fs is not None:
                self.freespace_labels[full] = self.cur_fs["idx"]
        else:
            self.static_names.add(full)
        if full in self.defined_now:
            raise AsmError(f"label '{full}' redefined", "Elabel_redefined")
        self.defined_now.add(full)
        self.labels[full] = value

    def d_global(self, rest: str) -> None:
        r = rest.strip()
        name = r[:-1] if r.endswith(":") else r
        if name.lstrip("#").startswith("?") or not name:
            raise AsmError(f"'{name}' cannot be a global label", "Einvalid_global_label")
        self.define_label(name, global_=True)

    def anon_key(self, name: str) -> str:
        if name.startswith("?"):
            if not self.macro_id:
                raise AsmError(f"macro label '{name}' outside of a macro", "Emacro_label_outside_of_macro")
            return f"?{self.macro_id[-1]}{name[1:]}"
        return name

    def define_anon(self, name: str) -> None:
        key = self.anon_key(name)
        lst = self.anon_cur.setdefault(key, [])
        lst.append(self.label_pc())
        if name.startswith("?"):
            return
        # named as asar names them in symbol files
        if name[0] == "-":
            self.labels[f":neg_{len(name)}_{len(lst)}"] = self.label_pc()
        else:
            self.labels[f":pos_{len(name)}_{len(lst) - 1}"] = self.label_pc()

    def lookup_label(self, name: str) -> int | None:
        """The value of a label as written in the source, from this pass or the last."""
        cands = []
        if name.startswith("."):
            cands.append(self.full_name(name))
        elif name.startswith("?"):
            cands.append(self.full_name(name))
        else:
            ns = self.namespace
            for k in range(len(ns), 0, -1):
                cands.append("_".join(ns[:k]) + "_" + name)
            cands.append(name)
            if "." in name:
                cands.append(name.replace(".", "_"))
        for c in cands:
            if c in self.labels:
                self.resolved_name = c
                return self.labels[c]
            if c in self.prev_labels:
                self.resolved_name = c
                return self.prev_labels[c]
        return None

    def anon_value(self, name: str) -> int:
        key = self.anon_key(name)
        if name.lstrip("?")[0] == "-":
            lst = self.anon_cur.get(key, [])
            if not lst:
                raise AsmError(f"anonymous label '{name}' not found", "Elabel_not_found")
            return lst[-1]
        done = len(self.anon_cur.get(key, []))
        prev = self.anon_prev.get(key, [])
        if done < len(prev):
            return prev[done]
        if self.final:
            raise AsmError(f"anonymous label '{name}' not found", "Elabel_not_found")
        return self.label_pc()

    # ---- expressions ------------------------------------------------------------------
    def parse(self, text: str, cond: bool = False):
        return ex.parse(text, self.math_pri or cond, cond)

    def eval(self, text_or_node, allow_unknown: bool = False, cond: bool = False) -> int:
        """Evaluate an expression (text or parsed) to an integer.

        With ``math pri off`` asar evaluates left to right like xkas and warns
        when operator precedence would have given another value.
        """
        if not isinstance(text_or_node, str):
            return self._int(self.ev(text_or_node, allow_unknown))
        node = self.parse(text_or_node, cond)
        value = self.ev(node, allow_unknown)
        if not cond:
            self.check_xkas(text_or_node, node, value)
        return self._int(value)

    def check_truncation(self, value: int, width: int) -> None:
        """Wvalue_truncated (off unless enabled): a value that does not fit its bytes."""
        bits = 8 * width
        if not -(1 << (bits - 1)) <= value < (1 << bits):
            self.diag_calls += 1  # (such an instruction is never cached as constant)
            if "Wvalue_truncated" in self.enabled_warnings:
                self.warn("Wvalue_truncated",
                          f"${value & 0xFFFFFFFF:X} does not fit in {width} byte(s): it is truncated")

    def check_xkas(self, text: str, node, value: int | float) -> None:
        """Warn where left-to-right math gives another value than precedence would."""
        if not self.math_pri and self.final and ex.count_binops(node) > 1:
            other = self.ev(ex.parse(text, True))
            if other != value and self._int(other) != self._int(value):
                self.deprecated("xkas style left to right math ", "apply order of operations")

    @staticmethod
    def _int(v: int | float) -> int:
        return ex.to_int(v)

    def deprecated(self, feature: str, workaround: str) -> None:
        self.warn(
            "Wfeature_deprecated",
            f'DEPRECATION NOTIFICATION: Feature "{feature}" is deprecated and will be REMOVED in '
            "the future. Please update your code to conform to newer styles. Suggested work "
            f"around: {workaround}.",
        )

    def eval_cond(self, text: str) -> int:
        text = self.subst(text.strip())
        if "..." in text:
            text = self.expand_varargs(text)
        if text.startswith("!") and not text.startswith("!="):
            self.deprecated("old style conditional negation (if !condition) ", "use not()")
        if _SINGLE_EQ.search(text):
            self.deprecated("if a = b", "use if a == b")
            text = _SINGLE_EQ.sub("==", text)
        self.moving_label_used = False
        value = self.eval(text, cond=True)
        if self.moving_label_used:
            raise AsmError("labels that can move are not allowed in conditionals",
                           "Elabel_in_conditional")
        return value

    def ev(self, node, allow_unknown: bool = False) -> int | float:
        kind = node[0]
        if kind == "num":
            v = node[1]
            return ex.to_int(v) if self.math_round and isinstance(v, float) else v
        if kind == "paren":
            return self.ev(node[1], allow_unknown)
        if kind == "bin":
            a = self.ev(node[2], allow_unknown)
            b = self.ev(node[3], allow_unknown)
            if node[1] == "/" and not self.math_round and b:
                return a / b  # math round off keeps fractions until the end
            return ex.binop(node[1], a, b)
        if kind == "un":
            v = self.ev(node[2], allow_unknown)
            op = node[1]
            if op == "-":
                return -v
            if op == "~":
                return ~ex.to_int(v)
            if op == "!":
                return int(not v)
            if op == "+":
                return v
            v = ex.to_int(v)
            if op == "<:":
                return (v >> 16) & 0xFF
            if op == "<":
                return v & 0xFF
            if op == ">":
                return (v >> 8) & 0xFF
            if op == "^":
                return (v >> 16) & 0xFF
        if kind == "label":
            return self.label_value(node[1], allow_unknown)
        if kind == "anon":
            return self.anon_value(node[1])
        if kind == "char":
            ch = node[1]
            return self.table.get(ch, ord(ch)) if ch else 0
        if kind == "call":
            return self.call_function(node[1], node[2], allow_unknown)
        if kind == "element":
            return self.struct_element(node[1], self._int(self.ev(node[2])), node[3])
        if kind == "str":
            raise AsmError("a string is not a number here", "Estring_not_allowed")
        raise AsmError("broken expression", "Emalformed_expression")

    def label_value(self, name: str, allow_unknown: bool) -> int:
        v = self.lookup_label(name)
        if v is not None:
            if self.resolved_name not in self.static_names:
                self.moving_label_used = True
            return v
        if name in self.structs:
            return self.structs[name]
        if not self.final:
            # not known yet: assume it lands in the current bank
            return self.label_pc() & 0xFF0000 | 0x8000 if self.mapping != "norom" else 0
        raise AsmError(f"label '{name}' wasn't found", "Elabel_not_found")

    def call_function(self, name: str, args, allow_unknown: bool) -> int | float:
        lname = name.lower()
        if name in self.functions:
            params, body = self.functions[name]
            if len(args) != len(params):
                raise AsmError(f"function {name} takes {len(params)} arguments", "Eexpected_parameter")
            values = [self.ev(a, allow_unknown) for a in args]
            saved = self.functions.pop(name)
            try:
                return self._eval_function_body(body, dict(zip(params, values, strict=True)))
            finally:
                self.functions[name] = saved
        if lname.startswith("_") and lname[1:] in _BUILTINS:
            lname = lname[1:]  # _min reaches the built-in min when a user function hides it
        vals = lambda: [self.ev(a, allow_unknown) for a in args]  # noqa: E731
        ints = lambda: [self._int(self.ev(a, allow_unknown)) for a in args]  # noqa: E731
        if lname in ("floor", "ceil", "round", "log2", "safediv", "sin", "cos", "tan", "log",
                     "log10", "asin", "acos", "atan", "sinh", "cosh", "tanh", "pow", "abs"):
            return self.math_function(lname, vals())
        if lname.startswith("readfile") or lname.startswith("canreadfile"):
            return self.readfile_function(lname, args, allow_unknown)
        if lname == "bank":
            return (ints()[0] >> 16) & 0xFF
        if lname == "pc":
            return self.label_pc()
        if lname == "realbase":
            return self.snes
        if lname in ("read1", "read2", "read3", "read4", "readfile1", "canread1", "canread2",
                     "canread3", "canread4", "canread"):
            return self.read_function(lname, ints())
        if lname == "sqrt":
            import math
            return math.sqrt(max(0, vals()[0]))
        if lname == "datasize":
            return self.datasize(args)
        if lname in ("min", "max"):
            vs = vals()
            return min(vs) if lname == "min" else max(vs)
        if lname == "clamp":
            v, lo, hi = vals()
            return max(lo, min(hi, v))
        if lname == "abs":
            return abs(vals()[0])
        if lname == "select":
            c, a, b = vals()
            return a if c else b
        if lname == "not":
            return int(not vals()[0])
        if lname == "defined":
            return int(self._string_arg(args[0]) in self.defines)
        if lname == "sizeof":
            return self.struct_size(args)
        if lname == "objectsize":
            return self.struct_size(args, whole=True)
        if lname == "stringsequal":
            return int(self._string_arg(args[0]) == self._string_arg(args[1]))
        if lname == "stringsequalnocase":
            return int(self._string_arg(args[0]).lower() == self._string_arg(args[1]).lower())
        if lname == "snestopc":
            return self.to_offset(ints()[0]) or 0
        if lname == "pctosnes":
            return self.to_snes(ints()[0])
        if lname in ("equal", "notequal", "less", "lessequal", "greater", "greaterequal"):
            a, b = vals()
            return int({"equal": a == b, "notequal": a != b, "less": a < b, "lessequal": a <= b,
                        "greater": a > b, "greaterequal": a >= b}[lname])
        if lname in ("and", "or", "nand", "nor", "xor"):
            a, b = (bool(v) for v in vals())
            return int({"and": a and b, "or": a or b, "nand": not (a and b),
                        "nor": not (a or b), "xor": a != b}[lname])
        if lname == "filesize":
            return len(self.files.read_bytes(self.resolve_path(self._string_arg(args[0]), self.line_now().file)))
        if lname == "getfilestatus":
            try:
                self.resolve_path(self._string_arg(args[0]), self.line_now().file)
                return 0
            except AsmError as exc:
                if exc.id == "Efile_refused":
                    raise
                return 1
        raise AsmError(f"function '{name}' not found", "Efunction_not_found")

    def _string_arg(self, node) -> str:
        if node[0] == "str":
            return node[1]
        if node[0] == "label":
            return node[1]
        raise AsmError("this function needs a string argument", "Eexpected_string")

    def _eval_function_body(self, body: str, values: dict[str, int | float]) -> int | float:
        node = self.parse(body)

        def bind(nd):
            if nd[0] == "label" and nd[1] in values:
                return ("num", values[nd[1]], str(values[nd[1]]))
            if nd[0] == "bin":
                return ("bin", nd[1], bind(nd[2]), bind(nd[3]))
            if nd[0] == "un":
                return ("un", nd[1], bind(nd[2]))
            if nd[0] == "paren":
                return ("paren", bind(nd[1]))
            if nd[0] == "call":
                return ("call", nd[1], [bind(a) for a in nd[2]])
            return nd

        return self.ev(bind(node))

    def read_function(self, name: str, args: list[int]) -> int:
        """read1..4 and canread1..4: the ROM as it was before this patch."""
        n = int(name[-1]) if name[-1].isdigit() else 1
        addr = args[0]
        rom = self.base_rom or b""
        if name == "canread" and len(args) > 1:
            raise AsmError("invalid number (canread takes one address)", "Einvalid_number")
        off = self.to_offset(addr)
        ok = off is not None and off + n <= len(rom)
        if name.startswith("canread"):
            return int(ok)
        if off is None or not ok:  # (ok is False when off is None)
            if len(args) > 1:
                return args[1]
            raise AsmError(f"read{n}(${addr:06X}) is outside the ROM", "Esnes_address_out_of_bounds")
        return int.from_bytes(rom[off : off + n], "little")

    def readfile_function(self, name: str, args, allow_unknown: bool) -> int:
        n = int(name[-1]) if name[-1].isdigit() else 1
        path = self.resolve_path(self._string_arg(args[0]), self.line_now().file)
        data = self.files.read_bytes(path)
        off = self._int(self.ev(args[1], allow_unknown))
        ok = 0 <= off and off + n <= len(data)
        if name.startswith("can"):
            return int(ok)
        if not ok:
            if len(args) > 2:
                return self._int(self.ev(args[2], allow_unknown))
            raise AsmError(f"{name}() reads past the end of the file", "Efile_offset_out_of_bounds")
        return int.from_bytes(data[off : off + n], "little")

    def math_function(self, name: str, v: list):
        """floor, ceil, round, log2, pow, sin, ...: a domain error gives NaN (log(0): -inf)
        and an overflow inf, as doubles do, never an exception."""
        import math

        try:
            if name in ("floor", "ceil", "round") and not math.isfinite(ex.to_float(v[0])):
                return v[0]
            if name == "floor":
                return math.floor(v[0])
            if name == "ceil":
                return math.ceil(v[0])
            if name == "round":
                digits = ex.to_int(v[1]) if len(v) > 1 else 0
                return round(v[0], max(-400, min(digits, 400))) if digits else round(v[0])
            if name == "safediv":
                return v[2] if v[1] == 0 else ex.binop("/", v[0], v[1])
            if name == "abs":
                return abs(v[0])
            if name == "pow":
                return ex.power(v[0], v[1])
            return getattr(math, name)(*(ex.to_float(x) for x in v))
        except OverflowError:
            return math.inf
        except ValueError:
            return -math.inf if name.startswith("log") and v and v[0] == 0 else math.nan

    def datasize(self, args) -> int:
        """Distance from a label to the next label after it."""
        value = self.label_value(self._string_arg(args[0]), False)
        later = [v for k, v in {**self.prev_labels, **self.labels}.items()
                 if v > value and not k.startswith(":") and k not in self.static_names]
        if not later:
            if not self.final:
                return 0
            raise AsmError("datasize() of the last label", "Edatasize_last_label")
        return min(later) - value

    # ---- mapping and position --------------------------------------------------------
    def set_mapping(self, mapping: str, sa1_banks: tuple[int, int, int, int] = SA1_DEFAULT) -> None:
        if self.mapping_set and mapping != self.mapping:
            self.warn("Wmapper_already_set", "A mapper has already been selected.")
        self.mapping = mapping
        self.mapper = Mapper(mapping, sa1_banks)
        self.mapping_set = True

    def d_sa1rom(self, rest: str) -> None:
        banks = SA1_DEFAULT
        if rest.strip():
            parts = split_args(rest)
            if len(parts) != 4:
                raise AsmError("sa1rom takes four bank numbers", "Einvalid_mapper")
            b0, b1, b2, b3 = (self.eval(p) & 7 for p in parts)
            banks = (b0, b1, b2, b3)
        self.set_mapping("sa1rom", banks)

    def to_offset(self, addr: int) -> int | None:
        return self.mapper.to_offset(addr & 0xFFFFFF)

    def to_snes(self, offset: int) -> int:
        snes = self.mapper.to_snes(offset)
        if snes is None:
            raise AsmError(f"file offset ${offset:X} has no SNES address", "Einvalid_address")
        return snes

    def d_org(self, rest: str) -> None:
        self.origin_set = True
        addr = self.eval(rest)
        if self.mapping == "lorom" and 0x40 <= (addr >> 16) < 0x70 and not addr & 0x8000:
            self.warn("Wset_middle_byte", "It would be wise to set the 008000 bit of this address.")
            addr |= 0x8000
        if not 0 <= addr <= 0xFFFFFF:
            raise AsmError(f"org ${addr:X} is outside the 24-bit address space", "Einvalid_org")
        off = self.to_offset(addr)
        if off is None:
            off = -1  # not ROM: labels may be defined here, a write is an error
        self.snes = addr
        self.real = off
        self.base = None
        self.origin_set = True
        self.close_freespace()

    def d_base(self, rest: str) -> None:
        if rest.strip().lower() == "off":
            self.base = None
        else:
            self.base = self.eval(rest) & 0xFFFFFF

    def _align_count(self, text: str) -> int:
        """Bytes to the next ``align N [offset M]`` boundary."""
        m = re.match(r"^align\s+(.+?)(?:\s+offset\s+(.+))?$", text.strip(), re.I)
        if not m:
            raise AsmError("expected 'align N [offset M]'", "Emalformed_expression")
        align = self.eval(m.group(1))
        offset = self.eval(m.group(2)) if m.group(2) else 0
        if align <= 0:
            raise AsmError("alignment must be positive", "Ealignment_too_small")
        return (offset - self.snes) % align

    def d_skip(self, rest: str) -> None:
        if rest.strip().lower().startswith("align"):
            n = self._align_count(rest)
        else:
            n = self.eval(rest)
        self.snes += n
        self.real += n
        if self.base is not None:
            self.base += n

    def d_pushpc(self, rest: str) -> None:
        self.pc_stack.append((self.snes, self.real, self.base, self.cur_fs))

    def d_pullpc(self, rest: str) -> None:
        if not self.pc_stack:
            raise AsmError("pullpc without pushpc", "Epullpc_without_pushpc")
        self.snes, self.real, self.base, self.cur_fs = self.pc_stack.pop()

    def d_pushbase(self, rest: str) -> None:
        self.base_stack.append(self.base)

    def d_pullbase(self, rest: str) -> None:
        if not self.base_stack:
            raise AsmError("pullbase without pushbase", "Epullbase_without_pushbase")
        self.base = self.base_stack.pop()

    def d_warnpc(self, rest: str) -> None:
        self.deprecated("warnpc", "use assert pc() <= ...")
        limit = self.eval(rest)
        if self.label_pc() > limit:
            self.error("Ewarnpc_failed",
                       f"warnpc failed: current position ${self.label_pc():06X} is past ${limit:06X}")

    def d_bank(self, rest: str) -> None:
        r = rest.strip().lower()
        if r in ("auto", "noassume"):
            self.bank_assume = None if r == "auto" else 0x100
        else:
            self.bank_assume = self.eval(rest) & 0xFF

    def d_dpbase(self, rest: str) -> None:
        self.dpbase = self.eval(rest) & 0xFFFF

    def d_optimize(self, rest: str) -> None:
        parts = rest.lower().split()
        if len(parts) != 2 or parts[0] not in ("dp", "address"):
            raise AsmError("optimize needs 'dp none|ram|always' or 'address default|ram|mirrors'",
                           "Ebad_optimize")
        if parts[0] == "dp":
            if parts[1] not in ("none", "ram", "always"):
                raise AsmError("optimize dp takes none, ram or always", "Ebad_dp_optimize")
            self.optimize_dp = parts[1]
            self.optimize_dp_set = True
        else:
            if parts[1] not in ("default", "ram", "mirrors"):
                raise AsmError("optimize address takes default, ram or mirrors", "Ebad_address_optimize")
            self.optimize_address = parts[1]
            self.optimize_address_set = True

    def d_math(self, rest: str) -> None:
        parts = rest.lower().split()
        if len(parts) == 2 and parts[0] == "pri":
            self.deprecated("math pri", "use parentheses, or put 'asar 1.90' at the top")
            self.math_pri = parts[1] == "on"
        elif len(parts) == 2 and parts[0] == "round":
            self.deprecated("math round", "use floor() or round()")
            self.math_round = parts[1] == "on"
        else:
            raise AsmError("math needs 'pri on|off' or 'round on|off'", "Ebad_math")

    def d_namespace(self, rest: str) -> None:
        r = _unquote(rest.strip())
        low = r.lower()
        if low == "off":
            if self.ns_nested and self.namespace:
                self.namespace = self.namespace[:-1]
            else:
                self.namespace = []
        elif low.startswith("nested"):
            self.ns_nested = low.split()[-1] == "on"
        elif self.ns_nested:
            self.namespace = [*self.namespace, r]
        else:
            self.namespace = [r]

    def d_pushns(self, rest: str) -> None:
        self.ns_stack.append(list(self.namespace))
        self.namespace = []

    def d_pullns(self, rest: str) -> None:
        if not self.ns_stack:
            raise AsmError("pullns without pushns", "Epullns_without_pushns")
        self.namespace = self.ns_stack.pop()

    def d_check(self, rest: str) -> None:
        parts = rest.split(None, 1)
        what = parts[0].lower() if parts else ""
        if what == "bankcross":
            mode = parts[1].strip().lower() if len(parts) > 1 else ""
            if mode not in ("off", "half", "full", "on"):
                raise AsmError("check bankcross takes off, half or full", "Einvalid_check")
            self.bankcross = "full" if mode == "on" else mode
        elif what == "title":
            want = _unquote(parts[1]) if len(parts) > 1 else ""
            rom = self.base_rom or b""
            off = self.to_offset(0x00FFC0)
            have = rom[off : off + 21].decode("latin-1") if off is not None and off + 21 <= len(rom) else ""
            if have != want:
                self.error("Erom_title_incorrect", f'ROM title is incorrect: expected "{want}", '
                           f'got "{have}"')
        else:
            raise AsmError(f"unknown check '{what}'", "Einvalid_check")

    def d_arch(self, rest: str) -> None:
        arch = rest.strip().lower()
        if arch in ("65816", "snes.cpu"):
            self.arch = "65816"
        elif arch in ("spc700", "spc700-inline", "spc700-raw"):
            self.arch = "spc700"
        else:
            raise AsmError(f"architecture '{rest.strip()}' is not supported (65816, spc700)",
                           "Eunsupported_arch")

    def d_spcblock(self, rest: str) -> None:
        """``spcblock ADDR [nspc]``: SPC700 code in an N-SPC upload block (length, address, data)."""
        if self.spcblock is not None:
            raise AsmError("spcblock inside spcblock", "Espcblock_inside_spcblock")
        parts = rest.split()
        if not parts:
            raise AsmError("spcblock needs a destination", "Espcblock_too_few_args")
        if len(parts) > 1 and parts[1].lower() != "nspc":
            raise AsmError(f"unknown spcblock type '{parts[1]}'", "Eunknown_spcblock_type")
        dest = self.eval(parts[0])
        if dest & ~0xFFFF:
            raise AsmError(f"spcblock destination ${dest:X} is outside the SPC700's 64 KiB",
                           "Esnes_address_out_of_bounds")
        size_at = self.real
        self.emit(b"\x00\x00" + dest.to_bytes(2, "little"))
        self.spcblock = {"size_at": size_at, "start": dest, "ns": self.namespace,
                         "base": self.base}
        self.base = dest
        self.namespace = [":SPCBLOCK:", *self.namespace]

    def d_endspcblock(self, rest: str) -> None:
        blk = self.spcblock
        if blk is None:
            raise AsmError("endspcblock without spcblock", "Eendspcblock_without_spcblock")
        size = self.label_pc() - blk["start"]
        if self.final and 0 <= blk["size_at"] < len(self.rom):
            self.rom[blk["size_at"] : blk["size_at"] + 2] = (size & 0xFFFF).to_bytes(2, "little")
        parts = rest.split(None, 1)
        if parts:
            if parts[0].lower() != "execute" or len(parts) < 2:
                raise AsmError("endspcblock takes 'execute LABEL'", "Einvalid_endspcblock_arg")
            entry = self.eval(parts[1])
            self.emit(b"\x00\x00" + (entry & 0xFFFF).to_bytes(2, "little"))
        self.base = blk["base"]
        self.namespace = blk["ns"]
        self.spcblock = None

    def d_asar(self, rest: str) -> None:
        """``asar 1.90``: the source needs that version; 1.90 and newer mean math pri on."""
        if self.statements > 1:
            raise AsmError("'asar' must be the first command of the file", "Estart_of_file")
        m = re.match(r"^\s*(\d+)\.(\d+)", rest)
        if not m:
            raise AsmError("asar needs a version like 1.91", "Ebad_asar_version")
        if (int(m.group(1)), int(m.group(2))) > (1, 91):
            raise AsmError(f"this source needs asar {rest.strip()}", "Easar_too_old")
        if (int(m.group(1)), int(m.group(2))) >= (1, 90):
            self.math_pri = True
            self.math_round = False

    # ---- output ------------------------------------------------------------------------
    def need_org(self) -> None:
        if not self.origin_set and not self.missing_org_warned:
            self.missing_org_warned = True
            self.warn("Wmissing_org", "Missing org or freespace command.")

    def freespace_block_of(self, full: str) -> int | None:
        """The freespace block a label was defined in (this pass or the last), or None."""
        got = self.freespace_labels.get(full)
        return got if got is not None else self.prev_freespace_labels.get(full)

    def emit(self, data: bytes) -> None:
        self.need_org()
        if self.real < 0 and data:
            raise AsmError(f"SNES address ${self.snes & 0xFFFFFF:06X} doesn't map to ROM",
                           "Esnes_address_doesnt_map_to_rom")
        border = 0
        if self.bankcross != "off" and data and self.mapping != "norom" and self.struct is None:
            low = self.snes & 0xFFFF
            end = low + len(data)
            limit = 0x8000 if self.bankcross == "half" and low < 0x8000 else 0x10000
            # Output may end at the border; the next byte written there crosses it.
            if end > limit or self.border_mark == (self.real, self.snes):
                raise _Fatal("Ebank_border_crossed", "A bank border was crossed, SNES address "
                             f"${(self.snes + len(data)) & 0xFFFFFF:06X}.")
            border = limit if end == limit else 0
        if self.final:
            end = self.real + len(data)
            if end > MAX_ROM:
                raise AsmError("the ROM would grow past 16 MiB", "Erom_too_big")
            if end > len(self.rom):
                self.rom.extend(bytes([self.fs_byte]) * (end - len(self.rom)))
            self.rom[self.real:end] = data
            self.written.append((self.real, len(data)))
            if self.line is not None:
                self.listing.append(ListingLine(self.line.file, self.line.number, self.label_pc(),
                                                bytes(data), self.line.text))
        self.bytes_written += len(data)
        if self.cur_fs is not None and self.real + len(data) > self.cur_fs["hw"]:
            self.cur_fs["hw"] = self.real + len(data)
        low = (self.snes & 0xFFFF) + len(data)
        self.snes += len(data)
        self.real += len(data)
        if border:
            self.border_mark = (self.real, self.snes)
        elif low > 0xFFFF and self.mapping not in ("norom",):
            try:  # past the end of a bank the address follows the ROM's mapping
                self.snes = self.to_snes(self.real) | ((self.snes - len(data)) & 0x800000)
            except AsmError:
                pass
        if self.base is not None:
            self.base += len(data)

    def d_db(self, rest: str, width: int = 1) -> None:
        if " ," in rest and '"' not in rest:
            raise AsmError("unknown command (a space before a comma splits the statement)",
                           "Eunknown_command")
        out = bytearray()
        for arg in split_args(rest):
            if not arg:
                raise AsmError("empty data item", "Emalformed_expression")
            if arg.startswith('"') and arg.endswith('"') and len(arg) >= 2:
                for ch in arg[1:-1].replace('""', '"'):
                    v = self.table.get(ch, ord(ch))
                    out += (v & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
                continue
            if arg.startswith("#"):
                self.deprecated("# before data values", "remove the #")
                arg = arg[1:]
            v = self.eval(arg)
            self.check_truncation(v, width)
            out += (v & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
        self.emit(bytes(out))

    def d_dw(self, rest: str) -> None:
        self.d_db(rest, 2)

    def d_dl(self, rest: str) -> None:
        self.d_db(rest, 3)

    def d_dd(self, rest: str) -> None:
        self.d_db(rest, 4)

    def d_fillbyte(self, rest: str) -> None:
        self.fillbyte = (self.eval(rest) & 0xFF).to_bytes(1, "little")

    def d_fillword(self, rest: str) -> None:
        self.fillbyte = (self.eval(rest) & 0xFFFF).to_bytes(2, "little")

    def d_filllong(self, rest: str) -> None:
        self.fillbyte = (self.eval(rest) & 0xFFFFFF).to_bytes(3, "little")

    def d_filldword(self, rest: str) -> None:
        self.fillbyte = (self.eval(rest) & 0xFFFFFFFF).to_bytes(4, "little")

    def d_padbyte(self, rest: str) -> None:
        self.padbyte = (self.eval(rest) & 0xFF).to_bytes(1, "little")

    def d_padword(self, rest: str) -> None:
        self.padbyte = (self.eval(rest) & 0xFFFF).to_bytes(2, "little")

    def d_padlong(self, rest: str) -> None:
        self.padbyte = (self.eval(rest) & 0xFFFFFF).to_bytes(3, "little")

    def d_paddword(self, rest: str) -> None:
        self.padbyte = (self.eval(rest) & 0xFFFFFFFF).to_bytes(4, "little")

    @staticmethod
    def _pattern(pattern: bytes, start: int, n: int) -> bytes:
        """``n`` bytes of a repeating pattern, phased by the absolute position ``start``."""
        k = len(pattern)
        if k == 1:
            return pattern * n
        rep = pattern * (n // k + 2)
        off = start % k
        return rep[off : off + n]

    def _check_size(self, n: int) -> None:
        """Refuse ``n`` bytes of output before building them."""
        if n > MAX_ROM:
            raise AsmError(f"{n} bytes would grow the ROM past 16 MiB", "Erom_too_big")

    def d_fill(self, rest: str) -> None:
        if rest.strip().lower().startswith("align"):
            n = self._align_count(rest)
        else:
            n = self.eval(rest)
        if n < 0:
            raise AsmError("fill with a negative count", "Enegative_fill")
        self._check_size(n)
        self.emit(self._pattern(self.fillbyte, 0, n))

    def d_pad(self, rest: str) -> None:
        target = self.eval(rest)
        n = target - self.snes
        if n > 0:
            self._check_size(n)
            self.emit(self._pattern(self.padbyte, 0, n))

    def d_incbin(self, rest: str) -> None:
        text = rest.strip()
        target = None
        if "->" in text:
            text, _, tgt = text.rpartition("->")
            target = tgt.strip()
            text = text.strip()
        if text.startswith('"'):
            end_q = text.find('"', 1)
            if end_q < 0:
                raise AsmError("unclosed string in incbin", "Eunclosed_string")
            name, tail = text[1:end_q], text[end_q + 1 :].strip()
        else:
            name, _, tail = text.partition(":")
            tail = (":" + tail) if tail else ""
        path = self.resolve_path(name, self.line_now().file)
        data = self.files.read_bytes(path)
        if tail:
            if not tail.startswith(":"):
                raise AsmError("broken incbin", "Ebroken_incbin")
            rng = tail[1:].strip()
            if ".." in rng:
                a_text, _, b_text = rng.partition("..")
                start, end = self.eval(a_text), self.eval(b_text)
            else:
                parts = _split_top(rng, "-")
                if len(parts) != 2:
                    raise AsmError("broken incbin range", "Ebroken_incbin")
                self.deprecated("old style incbin ranges", "use start..end")
                start, end = (self._old_range_value(p) for p in parts)
            if end == 0:
                end = len(data)
            if not 0 <= start <= end <= len(data):
                raise AsmError(f"incbin range {start}..{end} is outside the file of {len(data)} bytes",
                               "Efile_offset_out_of_bounds")
            data = data[start:end]
        if target is not None:
            addr = self.eval(target)
            self.d_pushpc("")
            self.d_org(f"${addr:06X}")
            self.emit(data)
            self.d_pullpc("")
            return
        if (self.bankcross != "off" and (self.snes & 0xFFFF) + len(data) > 0x10000
                and self.mapping != "norom" and len(data)):
            raise AsmError("incbin crosses a bank border", "Ebank_border_crossed")
        self.emit(data)

    def _old_range_value(self, text: str) -> int:
        t = text.strip()
        if re.fullmatch(r"[0-9A-Fa-f]+", t):
            return int(t, 16)  # old ranges are bare hex
        return self.eval(t)

    def d_incsrc(self, rest: str) -> None:
        name = _unquote(rest)
        path = self.resolve_path(name, self.line_now().file)
        key = self.files.identity(path)
        if key in self.included_once:
            return
        if any(f == path for f, _ in self.call_stack):
            raise AsmError(f"'{name}' includes itself", "Einclude_loop")
        caller = self.line_now()
        self.call_stack.append((caller.file, caller.number))
        saved = self.macro_id
        try:
            self.exec_lines(self.files.lines(path, path))
        finally:
            self.call_stack.pop()
            self.line = caller
            self.macro_id = saved


    def d_include(self, rest: str) -> None:
        """``include``/``includefrom``: this file may only be included, not assembled alone."""
        if not rest.strip() and len(self.call_stack) == 0:
            raise AsmError("this file can only be included by another file", "Ecant_be_main_file")
        if rest.strip():
            self.d_incsrc(rest)

    def d_includefrom(self, rest: str) -> None:
        if len(self.call_stack) == 0:
            raise AsmError("this file can only be included by another file", "Ecant_be_main_file")

    def d_includeonce(self, rest: str) -> None:
        self.included_once.add(self.files.identity(self.line_now().file))

    def format_args(self, rest: str) -> str:
        """Join strings and values the way print, warn, error and assert do."""
        parts = []
        for arg in split_args(rest):
            if len(arg) >= 2 and arg.startswith('"') and arg.endswith('"'):
                parts.append(arg[1:-1].replace('""', '"'))
                continue
            m = re.match(r"^(hex|dec|bin|double|pc|bytes|freespaceuse)\s*(?:\((.*)\))?$", arg, re.I)
            if m and (m.group(2) is not None or m.group(1).lower() in ("pc", "bytes", "freespaceuse")):
                f = m.group(1).lower()
                inner = split_args(m.group(2)) if m.group(2) and m.group(2).strip() else []
                if f == "pc":
                    parts.append(f"{self.snes:06X}")
                elif f == "bytes":
                    parts.append(str(self.bytes_written))
                elif f == "freespaceuse":
                    parts.append(str(self.freespace_use))
                elif f == "double":
                    v = self.ev(self.parse(inner[0]))
                    prec = min(self.eval(inner[1]), 64) if len(inner) > 1 else 5
                    parts.append(_format_double(float(v), prec))
                else:
                    v = self.eval(inner[0])
                    width = min(self.eval(inner[1]), 64) if len(inner) > 1 else 0
                    if f == "hex":
                        text = f"{v & 0xFFFFFFFFFFFFFFFF:X}" if v < 0 else f"{v:X}"
                    elif f == "bin":
                        text = f"{v & 0xFFFFFFFFFFFFFFFF:b}" if v < 0 else f"{v:b}"
                    else:
                        text = str(v)
                    parts.append(text.rjust(width, "0"))
                continue
            parts.append(str(self.eval(arg)))
        return "".join(parts)

    def d_print(self, rest: str) -> None:
        text = self.format_args(rest)
        if self.final:
            self.prints.append(text)

    def d_warn(self, rest: str) -> None:
        self.warn("Wwarn_command", "warn command: " + self.format_args(rest))

    def d_error(self, rest: str) -> None:
        self.error("Eerror_command", "error command: " + self.format_args(rest))

    def d_assert(self, rest: str) -> None:
        args = split_args(rest)
        if not args or not args[0]:
            raise AsmError("assert needs a condition", "Ebroken_assert")
        cond_text = self.subst(args[0])
        if _SINGLE_EQ.search(cond_text):
            self.deprecated("if a = b", "use if a == b")
            cond_text = _SINGLE_EQ.sub("==", cond_text)
        if not self.eval(cond_text, cond=True):
            msg = self.format_args(",".join(args[1:])) if len(args) > 1 else "Assertion failed"
            self.error("Eassertion_failed", msg)

    def d_warnings(self, rest: str) -> None:
        parts = rest.split()
        if not parts:
            raise AsmError("warnings needs push, pull, enable or disable", "Eunknown_command")
        cmd = parts[0].lower()
        if cmd == "push":
            self.warn_stack.append((set(self.disabled_warnings), set(self.enabled_warnings)))
        elif cmd == "pull":
            if not self.warn_stack:
                raise AsmError("warnings pull without warnings push",
                               "Epullwarnings_without_pushwarnings")
            self.disabled_warnings, self.enabled_warnings = self.warn_stack.pop()
        elif cmd in ("enable", "disable"):
            for w in parts[1:]:
                w = w if w.startswith("W") else "W" + w
                if cmd == "disable":
                    self.disabled_warnings.add(w)
                    self.enabled_warnings.discard(w)
                else:
                    self.disabled_warnings.discard(w)
                    self.enabled_warnings.add(w)
        else:
            raise AsmError(f"unknown warnings command '{cmd}'", "Eunknown_command")

    def d_pushwarnings(self, rest: str) -> None:
        self.d_warnings("push")

    def d_pullwarnings(self, rest: str) -> None:
        self.d_warnings("pull")

    def d_undef(self, rest: str) -> None:
        name = _unquote(rest).lstrip("!")
        if name not in self.defines:
            raise AsmError(f"define '!{name}' not found", "Edefine_not_found")
        del self.defines[name]

    def d_function(self, rest: str) -> None:
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\((.*?)\)\s*=\s*(.+)$", rest)
        if not m:
            raise AsmError("broken function declaration", "Ebroken_function_declaration")
        params = [p.strip() for p in m.group(2).split(",") if p.strip()]
        name = m.group(1)
        if name.lower() in _BUILTINS or (name in self.functions and self.functions[name][1] != m.group(3)):
            self.deprecated("overwriting a previously defined function", "use another name")
        self.functions[name] = (params, m.group(3))

    def d_table(self, rest: str) -> None:
        self.deprecated("table command", "use 'c' = value")
        args = split_args(rest)
        if not args or not args[0]:
            raise AsmError("table needs a file name", "Einvalid_table_file")
        path = self.resolve_path(_unquote(args[0]), self.line_now().file)
        rtl = len(args) > 1 and args[1].strip().lower() == "rtl"
        table: dict[str, int] = {}
        for raw in self.files.read_bytes(path).decode("utf-8", "replace").splitlines():
            if "=" not in raw:
                continue
            if rtl:
                code, _, ch = raw.partition("=")
            else:
                ch, _, code = raw.partition("=")
            if len(ch) == 1 and code.strip():
                try:
                    table[ch] = int(code.strip(), 16)
                except ValueError:
                    raise AsmError(f"bad table entry '{raw}'", "Ebad_table_entry") from None
        self.table.update(table)

    def d_cleartable(self, rest: str) -> None:
        self.table = {}

    def d_pushtable(self, rest: str) -> None:
        self.table_stack.append(dict(self.table))

    def d_pulltable(self, rest: str) -> None:
        if not self.table_stack:
            raise AsmError("pulltable without pushtable", "Epulltable_without_table")
        self.table = self.table_stack.pop()

    # ---- freespace ------------------------------------------------------------------
    # A block's size is learnt in one pass and used to place it in the next; the
    # ROM is searched (after cleaning what this patch placed before) for a run of
    # the free byte, and a RATS tag is written in front of the block.
    def d_freespace(self, rest: str) -> None:
        self.freespace(rest)

    def d_freecode(self, rest: str) -> None:
        self.freespace("ram" + ("," + rest if rest.strip() else ""))

    def d_freedata(self, rest: str) -> None:
        self.freespace("noram" + ("," + rest if rest.strip() else ""))

    def d_freespacebyte(self, rest: str) -> None:
        self.fs_byte = self.eval(rest) & 0xFF

    def freespace(self, rest: str) -> None:
        if self.mapping == "norom":
            raise AsmError("freespace can't be used with norom", "Eno_freespace_norom")
        self.close_freespace()
        opts = [o.strip() for o in split_args(rest) if o.strip()]
        flags = {o.lower() for o in opts}
        fill = self.fs_byte
        for o in opts:
            if o.lower() not in ("ram", "noram", "align", "cleaned", "static"):
                fill = self.eval(o) & 0xFF
        ram = "noram" not in flags
        idx = self.fs_index
        self.fs_index += 1
        size = self.fs_prev_sizes.get(idx, 1)
        # Like asar, a block is placed once, in the second pass, with the size the first
        # pass measured (plus a byte for every guess at an unknown label); later passes
        # keep the place and only rewrite the tag with the block's real size.
        if self.pass_no == 1:
            # like asar's first pass: no search yet, just a place of its own to measure in
            snes = ((idx + 1) << 24) | 0x8000
            self.snes, self.real, self.base = snes + 8, FAKE_OFFSET + (idx << 20) + 8, None
            self.origin_set = True
            self.cur_fs = {"idx": idx, "start": self.real, "hw": self.real, "line": self.line,
                           "cleaned": "cleaned" in flags, "snes": snes + 8, "extra": 0,
                           "code": ram}
            self.fs_blocks.append(self.cur_fs)
            return
        pos = self.fs_fixed_pos.get(idx)
        if pos is None:
            reserve = self.fs_first_sizes.get(idx, 1)
            pos = self.find_freespace(reserve + 8, ram, fill, "align" in flags)
            if pos is None:
                raise _Fatal("Eno_freespace", f"No freespace found. (Requested size: {reserve})")
            self.rom[pos : pos + 8] = rats_tag(reserve)  # later searches skip this block
            if self.pass_no >= 2:
                self.fs_fixed_pos[idx] = pos
        else:
            self.rom[pos : pos + 8] = rats_tag(size)
        self.fs_pos[idx] = pos
        self.freespace_use += size + 8
        snes = self.to_snes(pos)  # the FastROM mirror, where asar places code
        self.snes, self.real, self.base = snes, pos, None
        self.origin_set = True
        # the tag keeps the reserved size while the pass runs, so later blocks of the pass
        # are placed after the reservation; its real size is written when the pass ends
        self.emit(bytes(self.rom[pos : pos + 8]) if len(self.rom) >= pos + 8 else rats_tag(size))
        self.snes = self.to_snes(pos + 8)  # the tag may end a bank (freespace align)
        snes = self.snes - 8
        self.cur_fs = {"idx": idx, "start": pos + 8, "hw": pos + 8, "line": self.line,
                       "cleaned": "cleaned" in flags, "snes": snes + 8, "extra": 0,
                       "code": ram}
        self.fs_blocks.append(self.cur_fs)

    def find_freespace(self, need: int, ram: bool, fill: int, align: bool) -> int | None:
        """Where asar would put a block of ``need`` bytes (tag included), or None."""
        rom = self.rom
        size = len(rom)
        if not rom or need > 0x10008:
            return None
        if self.mapping in ("hirom", "exhirom"):
            top = min(size, 0x400000)
            if ram:
                for i in range(0x8000, top, 0xFFFF):
                    pos = try_block(rom, i, min(i + 0x7FFF, size), need, 0x7FFF,
                                    0xFFFF if align else 0, fill)
                    if pos is not None:
                        return pos
                return None
            return try_block(rom, 0, size, need, 0xFFFF, 0xFFFF if align else 0, fill)
        if need > 0x8008:
            return None
        minalign = 0x7FFF if align else 0
        expand = self.mapping == "lorom"
        while True:
            size = len(rom)
            if size > 0x200000 and not ram:
                pos = try_block(rom, 0x200000 - 8, min(size, 0x400000), need, 0x7FFF, minalign, fill)
                if pos is not None:
                    return pos
            pos = try_block(rom, EXPANDED_START, min(size, 0x200000), need, 0x7FFF, minalign, fill)
            if pos is not None:
                return pos
            grow = {0x80000: (0x100000, 0x0A), 0x100000: (0x200000, 0x0B)}.get(size)
            if grow is None and not ram and size in (0x200000, 0x300000):
                grow = (0x400000, 0x0C)
            if grow is None or not expand:
                return None
            header = self.expand_rom(*grow)
            self.fs_expansions.append((*grow, header))
            expand = False

    def expand_rom(self, new_size: int, size_code: int, header: int | None = None) -> int:
        """Grow the ROM for freespace and record the new size in the header."""
        if header is None:
            header = 0x7FD7 if self.mapping == "lorom" else 0xFFD7
        if len(self.rom) < new_size:
            self.rom.extend(bytes([self.fs_byte]) * (new_size - len(self.rom)))
            self.rom[header] = size_code
        return header

    def close_freespace(self) -> None:
        self.cur_fs = None

    def d_autoclean(self, rest: str) -> None:
        if self.cur_fs is not None:
            raise AsmError("autoclean can't be used inside freespace", "Eautoclean_in_freespace")
        r = rest.strip()
        word = r.split(None, 1)[0].lower() if r else ""
        if word in ("jsl", "jml", "dl"):
            operand = r.split(None, 1)[1] if " " in r else ""
            target = self.eval(operand) if operand else 0
            self.clean_sites.append((word, self.real, None))
            self.clean_site(word, self.real, None)
            self.fs_refs.append((target, self.line))
            self.exec_statement(r)
        else:
            target = self.eval(r)
            self.clean_sites.append(("addr", None, target))
            self.clean_site("addr", None, target)

    def d_prot(self, rest: str) -> None:
        if self.cur_fs is None or self.real != self.cur_fs["start"]:
            raise AsmError("prot must come right after a freespace command",
                           "Eprot_not_at_freespace_start")
        addrs = [self.eval(a) for a in split_args(rest)]
        for a in addrs:
            self.fs_refs.append((a, self.line))
        body = b"".join((a & 0xFFFFFF).to_bytes(3, "little") for a in addrs)
        self.emit(b"PROT" + bytes([len(body)]) + body + b"STOP\x00")

    def apply_autoclean(self) -> None:
        """Clean the blocks the previous run of this patch placed (found through autoclean sites)."""
        if self.base_rom is None:
            return
        for new_size, code, header in self.fs_expansions:  # growth an earlier pass needed
            self.expand_rom(new_size, code, header)

    def clean_site(self, kind: str, site: int | None, addr: int | None) -> None:
        """Free the block an earlier run of this patch placed, as the autoclean is reached."""
        base = self.base_rom
        if base is None or (kind != "addr" and self.pass_no < 2):
            return
        if kind in ("jsl", "jml"):
            if site is None or site < 0 or site + 4 > len(base) or base[site] not in (0x22, 0x5C):
                return
            addr = int.from_bytes(base[site + 1 : site + 4], "little")
        elif kind == "dl":
            if site is None or site < 0 or site + 3 > len(base):
                return
            addr = int.from_bytes(base[site : site + 3], "little")
        off = self.to_offset(addr) if addr is not None else None
        if off is None or not EXPANDED_START <= off < len(self.rom):
            return
        if any(pos <= off < pos + 8 + self.fs_prev_sizes.get(i, 0) for i, pos in self.fs_pos.items()):
            return  # a block of this run already sits there
        clean_at(self.rom, off, self.fs_byte, to_offset=self.to_offset)

    def check_freespace_leaks(self) -> None:
        for blk in self.fs_blocks:
            lo = blk["snes"]
            hi = lo + (blk["hw"] - blk["start"])
            hit = False
            for target, line in self.fs_refs:
                t = target & 0xFFFFFF
                if lo <= t < hi or (lo & 0x7FFFFF) <= (t & 0x7FFFFF) < (hi & 0x7FFFFF):
                    hit = True
                elif t == hi and hi > lo:
                    self.line = line
                    self.error("Eautoclean_label_at_freespace_end",
                               "autoclean can't point at the very end of a freespace area")
                    hit = True
            if not hit and not blk["cleaned"]:
                self._diag("warning", "Wfreespace_leaked",
                           "This freespace appears to be leaked.", blk["line"])

    # ---- structs ---------------------------------------------------------------------
    def d_struct(self, rest: str) -> None:
        """``struct Name addr`` or ``struct Child extends Parent``: fields are labels, no bytes."""
        if self.struct is not None:
            raise AsmError("structs can't be nested", "Enested_struct")
        parts = rest.split()
        if not parts:
            raise AsmError("struct needs a name", "Ebroken_struct")
        name = parts[0]
        if len(parts) == 3 and parts[1].lower() == "extends":
            parent = parts[2]
            if parent + "::size" not in self.structs:
                raise AsmError(f"struct '{parent}' not found", "Estruct_not_found")
            full = f"{parent}.{name}"
            addr = self.labels.get(parent, 0) + self.structs[parent + "::size"]
        else:
            parent, full = None, name
            addr = self.eval(" ".join(parts[1:])) if len(parts) > 1 else 0
        self.struct = {"name": full, "start": addr, "parent": parent,
                       "saved": (self.snes, self.real, self.base)}
        self.snes, self.base = addr, None
        self.labels[full] = addr
        self.static_names.add(full)
        self.defined_now.add(full)

    def struct_field(self, name: str) -> None:
        st = self.struct
        assert st is not None  # define_label calls this only inside a struct
        fname = f"{st['name']}.{name.lstrip('.')}"
        self.labels[fname] = self.snes
        self.static_names.add(fname)
        self.defined_now.add(fname)

    def d_endstruct(self, rest: str) -> None:
        if self.struct is None:
            raise AsmError("endstruct without struct", "Eendstruct_without_struct")
        st = self.struct
        size = self.snes - st["start"]
        args = rest.split()
        if len(args) == 2 and args[0].lower() == "align":
            align = self.eval(args[1])
            if align > 0:
                size = -(-size // align) * align
        self.structs[st["name"] + "::size"] = size
        self.structs[st["name"] + "::objsize"] = max(size, self.structs.get(st["name"] + "::objsize", 0))
        if st["parent"]:
            key = st["parent"] + "::objsize"
            self.structs[key] = max(self.structs.get(key, 0),
                                    self.structs[st["parent"] + "::size"] + size)
        self.snes, self.real, self.base = st["saved"]
        self.struct = None

    def struct_size(self, args, whole: bool = False) -> int:
        name = self._string_arg(args[0])
        key = name + ("::objsize" if whole else "::size")
        if key in self.structs:
            return self.structs[key]
        raise AsmError(f"struct '{name}' not found", "Estruct_not_found")

    def struct_element(self, base: str, index: int, field: str) -> int:
        """``Base[index].field``: the field of the index-th object of a struct array."""
        key = base + "::objsize"
        if key not in self.structs:
            raise AsmError(f"struct '{base}' not found", "Estruct_not_found")
        value = self.label_value(base + field, False)
        return value + index * self.structs[key]

    # ---- instructions ------------------------------------------------------------------
    def instruction(self, mn: str, suffix: str, operand: str) -> None:
        if self.struct is not None:
            raise AsmError("instructions are not allowed inside a struct", "Einstruction_in_struct")
        if mn == "REP" and not operand.lstrip().startswith("#"):
            # the old "rep N : statement" repeat command
            self.deprecated("rep command", "use a for loop")
            self.rep_count = self.eval(operand)
            return
        if mn in _REPEATABLE and operand.startswith("#"):
            # "nop #3": the instruction repeated
            count = self.eval(operand[1:])
            self._check_size(count)
            self.emit(_encode(self, mn, suffix, "") * max(count, 0))
            return
        self.emit(_encode(self, mn, suffix, operand))

    # ---- checksum --------------------------------------------------------------------
    def fix_checksum_wanted(self) -> bool:
        return self.checksum_fix and self.mapping != "norom"

    def fixed_checksum(self, rom: bytearray) -> bytes:
        from triforce.asm.rom import fix_checksum_at

        return fix_checksum_at(bytes(rom), self.to_offset(0x00FFDC))
