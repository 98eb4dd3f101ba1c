"""The disassembler: ROM or raw bytes -> asar source that re-assembles to the same bytes.

``disassemble`` follows the control flow from an entry address (and any extra entry
points), tracking the M and X width flags, the emulation flag and the carry (for XCE)
along every path, and lays the region out as asar source:

- Code is found by following the flow: fall-through, conditional branches both ways
  (except where the carry is known: ``clc : bcc`` always branches), BRA/BRL, JMP/JML
  and JSR/JSL targets. A path ends at RTS/RTL/RTI/STP/BRK, at an unconditional jump,
  at an indirect jump, at the end of the region, and where an instruction would run
  past the end of the bank. Bytes no path reaches are data (``db``).
- Widths: REP/SEP/XCE change them, PLP restores the widths saved by the matching PHP
  (the stack is modelled byte by byte along the path; an unknown push or pull, TCS or
  TXS loses track), and a call returns with the widths it was made with unless a hint
  says otherwise. Where two paths reach an instruction with different widths, each is
  decoded with its own widths. Where the flow cannot tell (a PLP without its PHP), the
  ``m``/``x`` options (or 8-bit) decide, and the line says ``; assumed m8``.
- Hints: ``m8 m16 x8 x16 emu native`` at an address set the state there (also ``a8``,
  ``a16``, ``i8``, ``i16``); tokens after ``returns`` give the widths a routine returns
  with. They come from the ``hints`` argument, from ``entry_points`` given as
  ``(address, "m16 x8")`` and from comments in a WLA symbol file
  (``00:8123 SetWide ; returns m16``).

Exact re-assembly (checked against asar 1.91):

- The source starts with the mapping directive (``lorom``, ``hirom``, ...) and an
  ``org`` at the start of every bank (asar refuses to cross a bank border).
- Operand widths are written as asar reads them, by the number of hex digits:
  ``lda $12`` direct page, ``lda $0012`` absolute, ``lda $000012`` long,
  ``lda #$12`` 8-bit and ``lda #$0012`` 16-bit immediate. No ``.b/.w/.l`` suffixes
  are needed.
- Hardware registers keep their numeric operand and get their name as a comment:
  ``sta $2100 ; INIDISP``. (A define such as ``!INIDISP = $2100`` would read better
  but silently changes ``sta $002100`` to the absolute opcode; a comment can never
  change the bytes.)
- asar reads a numeric branch operand as a raw offset, so every branch, BRL and PER
  operand is a label. Targets at a line start get a line label (``CODE_008123:`` or,
  for branch targets inside a routine, the sublabel ``.loop_8123`` / ``.skip_8123``);
  targets inside another instruction or outside the region are defined by value at
  the top (``CODE_008124 = $008124``). A branch whose target wraps around the bank
  (asar would call it out of range) is written as ``db``.
- JSR/JMP/JSL/JML name their target when a label sits at exactly that address,
  otherwise keep the number.
- Where paths overlap (a branch into the middle of an instruction), the earlier
  instruction is written and the other entry becomes a label defined by value; an
  instruction that would cross the end of the region or of a bank is written as ``db``.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from triforce.errors import UserError
from triforce.isa import MNEMONICS, OPCODES, Mode, Opcode, operand_text
from triforce.isa.semantics import Flow, Part, Widths, effects, next_widths
from triforce.snes.memmap import normalize_mapping, pc_to_snes, register_name, snes_to_pc

__all__ = [
    "DisassemblyError",
    "Disassembly",
    "Line",
    "SymbolTable",
    "disassemble",
    "load_symbols",
    "parse_hint",
    "parse_symbols",
]


class DisassemblyError(UserError, ValueError):
    """A bad request: an address that is not ROM, a region outside the data, a bad hint."""


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the disassembly: an instruction (``kind="code"``) or ``db`` bytes.

    ``label`` is the label written before the line as it appears in the source
    (``CODE_008000`` or a sublabel such as ``.loop_8003``). ``m``, ``x``, ``e`` are the
    flags an instruction was decoded with (1 = 8-bit / emulation; None when unknown).
    """

    address: int
    bytes: bytes
    text: str
    label: str | None = None
    comment: str | None = None
    kind: str = "code"
    m: int | None = None
    x: int | None = None
    e: int | None = None

    @property
    def end(self) -> int:
        return self.address + len(self.bytes)


@dataclass
class Disassembly:
    """The result of :func:`disassemble`.

    ``labels`` maps every labelled SNES address to its full asar name (a sublabel
    ``.loop_8003`` under ``CODE_008000`` is ``CODE_008000_loop_8003``);
    ``definitions`` are the labels defined by value at the top of the source
    (targets inside an instruction or outside the region).
    """

    lines: list[Line]
    labels: dict[int, str]
    mapping: str
    start: int
    definitions: dict[str, int] = field(default_factory=dict)

    @property
    def end(self) -> int:
        """The SNES address after the last line."""
        return self.lines[-1].end if self.lines else self.start

    @property
    def size(self) -> int:
        return sum(len(ln.bytes) for ln in self.lines)

    def code_lines(self) -> list[Line]:
        return [ln for ln in self.lines if ln.kind == "code"]

    def text(self, *, show_bytes: bool = False) -> str:
        """The whole asar source. ``show_bytes`` adds address and bytes as comments."""
        out = [
            f"; disassembled by triforce: {self.size} bytes from "
            f"${self.start >> 16:02X}:{self.start & 0xFFFF:04X}",
            self.mapping,
        ]
        if self.definitions:
            out.append("")
            for name, value in sorted(self.definitions.items(), key=lambda kv: (kv[1], kv[0])):
                out.append(f"{name} = ${value:06X}")
        prev: Line | None = None
        for ln in self.lines:
            if prev is None or prev.end != ln.address or (prev.address ^ ln.address) >> 16:
                out.append("")
                out.append(f"org ${ln.address:06X}")
            prev = ln
            if ln.label:
                out.append(f"{ln.label}:")
            body = "    " + ln.text
            notes = []
            if ln.comment:
                notes.append(ln.comment)
            if show_bytes:
                notes.append(
                    f"${ln.address >> 16:02X}:{ln.address & 0xFFFF:04X}  " + ln.bytes.hex(" ")
                )
            if notes:
                body = f"{body:<32} ; " + "  ".join(notes)
            out.append(body)
        return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- hints


_HINT_WORDS = {
    "m8": ("m", 1), "m16": ("m", 0), "a8": ("m", 1), "a16": ("m", 0),
    "x8": ("x", 1), "x16": ("x", 0), "i8": ("x", 1), "i16": ("x", 0),
    "emu": ("e", 1), "emulation": ("e", 1), "e1": ("e", 1),
    "native": ("e", 0), "e0": ("e", 0),
}


@dataclass(frozen=True, slots=True)
class _Hint:
    m: int | None = None
    x: int | None = None
    e: int | None = None
    ret_m: int | None = None
    ret_x: int | None = None

    @property
    def sets_state(self) -> bool:
        return self.m is not None or self.x is not None or self.e is not None

    @property
    def sets_return(self) -> bool:
        return self.ret_m is not None or self.ret_x is not None

    def merged(self, other: _Hint) -> _Hint:
        def pick(a: int | None, b: int | None) -> int | None:
            return b if b is not None else a

        return _Hint(
            pick(self.m, other.m), pick(self.x, other.x), pick(self.e, other.e),
            pick(self.ret_m, other.ret_m), pick(self.ret_x, other.ret_x),
        )


def parse_hint(text: str, *, strict: bool = True) -> _Hint:
    """Parse ``"m16 x8"``, ``"emu"``, ``"returns m16"`` (case and commas do not matter).

    With ``strict=False`` unknown words are ignored (for free-text comments).
    """
    values: dict[str, int] = {}
    ret = False
    for word in re.split(r"[\s,]+", text.strip().lower()):
        if not word:
            continue
        if word in ("returns", "return", "ret", "returns:", "ret:"):
            ret = True
            continue
        if word not in _HINT_WORDS:
            if strict:
                raise DisassemblyError(
                    f"unknown width hint {word!r} (use m8 m16 x8 x16 emu native, "
                    "and 'returns' before the widths a routine returns with)"
                )
            continue
        flag, value = _HINT_WORDS[word]
        if ret:
            if flag == "e":
                if strict:
                    raise DisassemblyError("a routine cannot return in another mode ('returns emu')")
                continue
            values["ret_" + flag] = value
        else:
            values[flag] = value
    return _Hint(**values)


# ---------------------------------------------------------------------------- symbols


@dataclass
class SymbolTable:
    """Labels (SNES address -> name) and width hints read from a symbol file."""

    labels: dict[int, str] = field(default_factory=dict)
    hints: dict[int, str] = field(default_factory=dict)


_SYM_ADDR = re.compile(
    r"^\s*(?:([0-9A-Fa-f]{1,4}):([0-9A-Fa-f]{1,4})|([0-9A-Fa-f]{6,8}))\s+([^\s;]+)\s*(?:;(.*))?$"
)


def parse_symbols(text: str) -> SymbolTable:
    """Read a WLA-DX style symbol file: ``BB:AAAA name`` lines of the ``[labels]`` section.

    Lines of other sections (``[definitions]``, ...) are skipped; a file without any
    section header is read as all labels. A ``;`` comment after a label may carry
    width hints (``00:8123 SetWide ; m16 returns m16``). The first name given for an
    address wins.
    """
    table = SymbolTable()
    has_sections = any(ln.strip().startswith("[") for ln in text.splitlines())
    section = None if has_sections else "labels"
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";") or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]").strip().lower()
            continue
        if section != "labels":
            continue
        mt = _SYM_ADDR.match(line)
        if not mt:
            continue
        if mt.group(3):
            addr = int(mt.group(3), 16) & 0xFFFFFF
        else:
            addr = ((int(mt.group(1), 16) & 0xFF) << 16) | int(mt.group(2), 16)
        table.labels.setdefault(addr, mt.group(4))
        if mt.group(5):
            hint = parse_hint(mt.group(5), strict=False)
            if hint.sets_state or hint.sets_return:
                table.hints.setdefault(addr, mt.group(5).strip())
    return table


def load_symbols(path: str | os.PathLike[str]) -> SymbolTable:
    """:func:`parse_symbols` of a file."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise DisassemblyError(f"cannot read symbol file: {exc.strerror or exc}", str(path)) from None
    return parse_symbols(text)


def _symbol_table(symbols: object) -> SymbolTable:
    if symbols is None:
        return SymbolTable()
    if isinstance(symbols, SymbolTable):
        return symbols
    if isinstance(symbols, Mapping):
        return SymbolTable(labels={int(k): str(v) for k, v in symbols.items()})
    if isinstance(symbols, os.PathLike):
        return load_symbols(symbols)
    if isinstance(symbols, str):
        if "\n" in symbols or symbols.lstrip().startswith(("[", ";")):
            return parse_symbols(symbols)
        return load_symbols(symbols)
    raise TypeError("symbols must be a path, the text of a symbol file, or a mapping address -> name")


_RESERVED = {
    "a", "x", "y", "s", "db", "dw", "dl", "dd", "org", "base", "if", "else", "elseif", "endif",
    "while", "endwhile", "for", "endfor", "macro", "endmacro", "print", "warn", "error", "assert",
    "incsrc", "incbin", "table", "cleartable", "fill", "skip", "pad", "padbyte", "align",
    "freespace", "freecode", "freedata", "namespace", "pushpc", "pullpc", "pushbase", "pullbase",
    "arch", "math", "lorom", "hirom", "sa1rom", "exlorom", "exhirom", "fullsa1rom", "sfxrom",
    "norom", "struct", "endstruct", "function", "check", "bank", "optimize", "warnings",
    "global", "autoclean", "prot", "bankcross", "undef", "spcblock", "endspcblock", "include",
    "includefrom", "rep", "ascii", "mvn", "mvp",
} | {mn.lower() for mn in MNEMONICS}


def _sanitize(name: str) -> str:
    """A name asar accepts as a label."""
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not clean or clean[0].isdigit():
        clean = "_" + clean
    if clean.lower() in _RESERVED:
        clean += "_"
    return clean


# ---------------------------------------------------------------------------- region


def _rom_offset(addr: int, mapping: str, what: str) -> int:
    if not 0 <= addr <= 0xFFFFFF:
        raise DisassemblyError(f"{what} ${addr:X} is not a 24-bit SNES address")
    off = snes_to_pc(addr, mapping)
    if off is None:
        raise DisassemblyError(
            f"{what} ${addr >> 16:02X}:{addr & 0xFFFF:04X} is not ROM in {mapping} "
            "(the disassembler reads ROM addresses)"
        )
    return off


class _Region:
    """The bytes being disassembled, indexed 0..n-1, with their SNES addresses.

    Index ``i`` is the byte at file offset ``off0 + i``. The region is cut into
    segments of contiguous SNES addresses that never cross a bank; each segment
    becomes one ``org``.
    """

    def __init__(
        self,
        data: bytes,
        start: int,
        mapping: str,
        base: int | None,
        end: int | None,
        length: int | None,
    ) -> None:
        self.mapping = mapping
        off0 = _rom_offset(start, mapping, "start address")
        if base is None:
            src = 0
            avail = len(data)
            if off0 >= avail:
                raise DisassemblyError(
                    f"start address ${start:06X} is file offset ${off0:X}, past the end of the "
                    f"{len(data)}-byte ROM"
                )
        else:
            src = _rom_offset(base, mapping, "base address")
            avail = src + len(data)
            if not src <= off0 < avail:
                raise DisassemblyError(
                    f"start address ${start:06X} is outside the {len(data)} bytes loaded at ${base:06X}"
                )
        if end is not None and length is not None:
            raise DisassemblyError("give either end or length, not both")
        if length is not None:
            if length <= 0:
                raise DisassemblyError("length must be positive")
            stop = off0 + length
        elif end is not None:
            if end <= start:
                raise DisassemblyError("end must be after start")
            stop = _rom_offset(end - 1, mapping, "end address (last byte)") + 1
            if stop <= off0:
                raise DisassemblyError("end must map after start in the ROM")
        else:
            stop = avail  # for a ROM, cut to the end of start's bank below
        stop = min(stop, avail)
        fastrom = start >= 0x800000
        segs: list[tuple[int, int, int]] = []
        off = off0
        addr = start
        while off < stop:
            seg_off = off
            a = addr
            while True:
                low = a & 0xFFFF
                half_end = (low | 0x7FFF) + 1
                after = off + (half_end - low)
                if after >= stop:
                    off = stop
                    break
                if half_end == 0x10000:
                    off = after
                    break
                nxt = (a & 0xFF0000) | half_end
                if snes_to_pc(nxt, mapping) != after:
                    off = after
                    break
                a = nxt
                off = after
            segs.append((seg_off - off0, off - off0, addr))
            if base is None and end is None and length is None:
                break  # a ROM without end or length: to the end of start's bank
            if off < stop:
                try:
                    addr = pc_to_snes(off, mapping, fastrom=fastrom)
                except ValueError as exc:
                    raise DisassemblyError(str(exc)) from None
        n = segs[-1][1]
        self.n = n
        self.off0 = off0
        self.buf = bytes(data[off0 - src : off0 - src + n])
        self.segments = segs
        addrs: list[int] = [0] * n
        limit: list[int] = [0] * n
        for i0, i1, a0 in segs:
            addrs[i0:i1] = range(a0, a0 + (i1 - i0))
            limit[i0:i1] = [i1] * (i1 - i0)
        self.addrs = addrs
        self.limit = limit
        self._blocks: dict[int, int | None] = {}

    def index(self, addr: int) -> int | None:
        """The index of SNES address ``addr`` (any mirror), or None outside the region."""
        # Every mapping treats a 32 KiB half-bank as one piece (all ROM at contiguous
        # offsets, or none), so one look-up per half-bank is enough.
        addr &= 0xFFFFFF
        block = addr >> 15
        try:
            first = self._blocks[block]
        except KeyError:
            first = self._blocks[block] = snes_to_pc(block << 15, self.mapping)
        if first is None:
            return None
        i = first + (addr & 0x7FFF) - self.off0
        return i if 0 <= i < self.n else None


# ---------------------------------------------------------------------------- analysis

# instruction classes for the flow analysis, from the instruction-semantics table
(_PLAIN, _CARRY, _WIDTHS, _XCE, _CLC, _SEC, _PHP, _PLP, _PUSH, _PULL, _STACK_RESET, _BCOND,
 _BRANCH, _JMP, _JML, _JUMP_IND, _JSR, _JSL, _CALL_IND, _END, _PER) = range(21)

_SPECIAL = {"XCE": _XCE, "CLC": _CLC, "SEC": _SEC, "PHP": _PHP, "PLP": _PLP, "PER": _PER,
            "BRK": _END}  # BRK: data, not code, far more often than a real BRK


def _classify(op: Opcode) -> int:
    fx = effects(op)
    mn, mode = op.mnemonic, op.mode
    if mn in _SPECIAL:
        return _SPECIAL[mn]
    if fx.flags_from_operand:
        return _WIDTHS
    if fx.flow is Flow.BRANCH:
        return _BCOND
    if fx.flow is Flow.JUMP:
        if mode in (Mode.REL8, Mode.REL16):
            return _BRANCH
        return {Mode.ABS: _JMP, Mode.LONG: _JML}.get(mode, _JUMP_IND)
    if fx.flow is Flow.CALL:
        return {Mode.ABS: _JSR, Mode.LONG: _JSL}.get(mode, _CALL_IND)
    if fx.flow in (Flow.RETURN, Flow.STOP):
        return _END
    if fx.flow is Flow.INTERRUPT:
        return _PLAIN  # COP: its handler returns after the signature byte
    if fx.stack is None:
        return _STACK_RESET
    if fx.stack:
        return _PUSH if fx.stack > 0 else _PULL
    if fx.writes & Part.C:
        return _CARRY
    return _PLAIN


def _stack_width(op: Opcode) -> str | None:
    """Which width a push or pull's size follows: "m", "x" or None (a fixed size)."""
    n = effects(op).stack
    if effects(op, m=0).stack != n:
        return "m"
    if effects(op, x=0).stack != n:
        return "x"
    return None


_CLASS = [_classify(op) for op in OPCODES]
_FIXED_LEN = [op.length(1, 1) for op in OPCODES]
_STACK_WIDTH = [_stack_width(op) for op in OPCODES]
_MAX_STACK = 16
_MAX_REVISITS = 8


def _join_entry(a, b):
    if a == b:
        return a
    if isinstance(a, tuple) and isinstance(b, tuple):
        return tuple(p if p == q else None for p, q in zip(a, b, strict=True))
    return None


def _join_stack(a: tuple, b: tuple) -> tuple:
    """The stack both paths agree on, from the top down (unknown entries become None)."""
    k = min(len(a), len(b))
    if k == 0:
        return ()
    a = a[len(a) - k :]
    b = b[len(b) - k :]
    return tuple(p if p == q else _join_entry(p, q) for p, q in zip(a, b, strict=True))


def _push(st: tuple, entry, n: int) -> tuple:
    st = st + (entry,) * n
    return st[-_MAX_STACK:] if len(st) > _MAX_STACK else st


def _pull(st: tuple, n: int) -> tuple:
    return st[:-n] if len(st) > n else ()


class _Analysis:
    """Follows the control flow from the entry points and records what it decodes."""

    def __init__(
        self,
        region: _Region,
        fallback_m: int,
        fallback_x: int,
        state_hints: dict[int, _Hint],
        return_hints: dict[int, _Hint],
    ) -> None:
        self.r = region
        self.fm = fallback_m
        self.fx = fallback_x
        self.state_hints = state_hints
        self.return_hints = return_hints
        # idx -> {length: (assumed, m, x, e)}
        self.lens: dict[int, dict[int, tuple[bool, int | None, int | None, int | None]]] = {}
        # idx -> (class, target address) for branches, jumps, calls and PER
        self.refs: dict[int, tuple[int, int]] = {}
        self.cut: set[int] = set()  # code reached but the instruction does not fit
        self.reached: set[int] = set()  # flow targets inside the region

    def run(self, entries: Iterable[tuple[int, int | None, int | None, int | None]]) -> None:
        r = self.r
        buf, addrs, limit, index = r.buf, r.addrs, r.limit, r.index
        lens, refs, cut, reached = self.lens, self.refs, self.cut, self.reached
        state_hints, return_hints = self.state_hints, self.return_hints
        fm, fx = self.fm, self.fx
        ops, classes, fixed, stack_width = OPCODES, _CLASS, _FIXED_LEN, _STACK_WIDTH
        imm_m, imm_x = Mode.IMM_M, Mode.IMM_X
        seen: dict[tuple, tuple] = {}
        revisits: dict[tuple, int] = {}
        work: list[tuple] = []
        for idx, m, x, e in reversed(list(entries)):  # the first entry is followed first
            reached.add(idx)
            work.append((idx, m, x, e, None, ()))

        while work:
            idx, m, x, e, c, st = work.pop()
            h = state_hints.get(idx)
            if h is not None:
                if h.e is not None:
                    e = h.e
                if h.m is not None:
                    m = h.m
                if h.x is not None:
                    x = h.x
            if e == 1:
                m = x = 1
            key = (idx, m, x, e)
            old = seen.get(key)
            if old is not None:
                oc, ost = old
                nc = oc if oc == c else None
                nst = ost if ost == st else _join_stack(ost, st)
                if nc == oc and nst == ost:
                    continue
                c, st = nc, nst
                k = revisits.get(key, 0) + 1
                revisits[key] = k
                if k > _MAX_REVISITS:
                    c, st = None, ()
            seen[key] = (c, st)

            code = buf[idx]
            op = ops[code]
            mode = op.mode
            assumed = False
            if mode is imm_m:
                w = m
                if w is None:
                    w, assumed = fm, True
                length = 2 if w else 3
            elif mode is imm_x:
                w = x
                if w is None:
                    w, assumed = fx, True
                length = 2 if w else 3
            else:
                length = fixed[code]
            a = addrs[idx]
            if idx + length > limit[idx] or (a & 0xFFFF) + length > 0x10000:
                cut.add(idx)
                continue
            d = lens.get(idx)
            if d is None:
                lens[idx] = {length: (assumed, m, x, e)}
            elif length not in d:
                d[length] = (assumed, m, x, e)
            elif d[length][0] and not assumed:
                d[length] = (False, m, x, e)

            cls = classes[code]
            nxt = idx + length
            if nxt >= limit[idx]:
                nxt = index((a & 0xFF0000) | ((a + length) & 0xFFFF))
            fall = True
            if cls == _PLAIN:
                pass
            elif cls == _CARRY:
                c = None
            elif cls == _WIDTHS:  # REP / SEP
                v = buf[idx + 1]
                after = next_widths(op, Widths(m, x, e), v)
                m, x = after.m, after.x
                if v & Part.C:
                    c = 1 if op.mnemonic == "SEP" else 0
            elif cls == _XCE:
                after = next_widths(op, Widths(m, x, e), carry=c)
                m, x = after.m, after.x
                c, e = e, after.e
            elif cls == _CLC:
                c = 0
            elif cls == _SEC:
                c = 1
            elif cls == _PHP:
                st = _push(st, (m, x, c), 1)
            elif cls == _PLP:
                top = st[-1] if st else None
                st = st[:-1]
                if isinstance(top, tuple):
                    m, x, c = top
                else:
                    m = x = c = None
            elif cls == _PUSH or cls == _PULL:
                dep = stack_width[code]
                if (dep == "m" and m is None) or (dep == "x" and x is None):
                    st = ()  # the size is not known
                else:
                    n = effects(code, 1 if m is None else m, 1 if x is None else x).stack or 0
                    st = _push(st, 0, n) if n > 0 else _pull(st, -n)
            elif cls == _STACK_RESET:
                st = ()
            elif cls == _PER:
                off = int.from_bytes(buf[idx + 1 : idx + 3], "little")
                refs[idx] = (cls, (a & 0xFF0000) | ((a + 3 + off) & 0xFFFF))
                st = _push(st, 0, 2)
            elif cls == _END:
                fall = False
            elif cls in (_BCOND, _BRANCH):
                if length == 2:
                    off = buf[idx + 1]
                    off -= (off & 0x80) << 1
                else:
                    off = int.from_bytes(buf[idx + 1 : idx + 3], "little")
                t = (a & 0xFF0000) | ((a + length + off) & 0xFFFF)
                refs[idx] = (cls, t)
                take = True
                if cls == _BRANCH:
                    fall = False
                elif code == 0x90:  # BCC
                    take, fall = c != 1, c != 0
                elif code == 0xB0:  # BCS
                    take, fall = c != 0, c != 1
                if take:
                    ti = index(t)
                    if ti is not None:
                        reached.add(ti)
                        work.append((ti, m, x, e, c, st))
            elif cls in (_JMP, _JSR, _JML, _JSL):
                if cls in (_JMP, _JSR):  # absolute: the target is in the code's bank
                    t = (a & 0xFF0000) | buf[idx + 1] | (buf[idx + 2] << 8)
                else:
                    t = buf[idx + 1] | (buf[idx + 2] << 8) | (buf[idx + 3] << 16)
                call = cls in (_JSR, _JSL)
                refs[idx] = (cls, t)
                ti = index(t)
                if ti is not None:
                    reached.add(ti)
                    work.append((ti, m, x, e, c, () if call else st))
                if not call:
                    fall = False
                else:
                    rh = return_hints.get(ti) if ti is not None else None
                    if rh is not None:
                        m = rh.ret_m if rh.ret_m is not None else m
                        x = rh.ret_x if rh.ret_x is not None else x
                    c = None
            elif cls == _JUMP_IND:
                fall = False
            elif cls == _CALL_IND:
                c = None
            if fall and nxt is not None:
                work.append((nxt, m, x, e, c, st))


# ---------------------------------------------------------------------------- layout

_REL_RANGE = {2: (-0x80, 0x7F), 3: (-0x8000, 0x7FFF)}
_DATA_ABS_MODES = (Mode.ABS, Mode.ABSX, Mode.ABSY)
_DATA_LONG_MODES = (Mode.LONG, Mode.LONGX)
_DP_MODES = (
    Mode.DP, Mode.DPX, Mode.DPY, Mode.DPI, Mode.DPIX, Mode.DPIY, Mode.DPIL, Mode.DPILY,
)
_DB_PER_LINE = 16


def _flag(value: int | None, what: str) -> int | None:
    """1 (8-bit / set) or 0 (16-bit / clear) from 1, 0, 8, 16, True, False or None."""
    if value is None:
        return None
    if value in (1, 8, True):
        return 1
    if value in (0, 16, False):
        return 0
    raise DisassemblyError(f"{what} must be 1/8 (8-bit), 0/16 (16-bit) or None, not {value!r}")


def _hex_db(data: bytes) -> str:
    return "db " + ",".join(f"${b:02X}" for b in data)


def disassemble(
    data: bytes,
    start: int,
    *,
    mapping: str = "lorom",
    base: int | None = None,
    end: int | None = None,
    length: int | None = None,
    m: int | None = None,
    x: int | None = None,
    e: int | None = None,
    symbols: object = None,
    entry_points: Iterable[int | tuple[int, str]] = (),
    hints: Mapping[int, str] | None = None,
) -> Disassembly:
    """Disassemble from SNES address ``start`` into asar source.

    ``data`` is a whole headerless ROM image when ``base`` is None, else raw bytes
    loaded at SNES address ``base`` (laid out in the ROM as asar would place them).
    The region runs from ``start`` for ``length`` bytes or up to the SNES address
    ``end`` (exclusive); by default to the end of the raw bytes, or for a ROM to the
    end of ``start``'s bank.

    ``m`` and ``x``: the widths at ``start`` and at entry points, and the widths
    assumed wherever the flow cannot tell; 1 or 8 means 8-bit, 0 or 16 means 16-bit,
    None unknown (decoded as 8-bit, marked ``; assumed``). ``e``: 1 = emulation
    mode at the entry, default native. ``symbols``: a WLA symbol file (path or text)
    or a mapping address -> name. ``entry_points``: more code addresses, each an int or
    ``(address, "m16 x8")``. ``hints``: address -> hint text (see :func:`parse_hint`).
    """
    try:
        mapping = normalize_mapping(mapping)
    except ValueError as exc:
        raise DisassemblyError(str(exc)) from None
    m0, x0, e0 = _flag(m, "m"), _flag(x, "x"), _flag(e, "e")
    if e0 is None:
        e0 = 0
    region = _Region(data, start, mapping, base, end, length)
    table = _symbol_table(symbols)

    state_hints: dict[int, _Hint] = {}
    return_hints: dict[int, _Hint] = {}

    def add_hint(addr: int, hint: _Hint) -> None:
        idx = region.index(addr)
        if idx is None:
            return
        if hint.sets_state:
            state_hints[idx] = state_hints.get(idx, _Hint()).merged(hint)
        if hint.sets_return:
            return_hints[idx] = return_hints.get(idx, _Hint()).merged(hint)

    for addr, text in table.hints.items():
        add_hint(addr, parse_hint(text, strict=False))
    for addr, text in (hints or {}).items():
        add_hint(addr, parse_hint(text))

    entries: list[tuple[int, int | None, int | None, int | None]] = [(0, m0, x0, e0)]
    entry_idx = {0}
    for item in entry_points:
        if isinstance(item, tuple):
            addr, text = item
            add_hint(addr, parse_hint(text))
        else:
            addr = item
        idx = region.index(addr)
        if idx is None:
            raise DisassemblyError(f"entry point ${addr:06X} is outside the disassembled region")
        entries.append((idx, m0, x0, e0))
        entry_idx.add(idx)

    analysis = _Analysis(
        region,
        m0 if m0 is not None else 1,
        x0 if x0 is not None else 1,
        state_hints,
        return_hints,
    )
    analysis.run(entries)
    return _Layout(region, analysis, table, entry_idx).build()


class _Layout:
    """Turns the analysis into lines and labels."""

    def __init__(self, region: _Region, analysis: _Analysis, table: SymbolTable, entries: set[int]):
        self.r = region
        self.a = analysis
        self.table = table
        self.entries = entries
        self.sym_exact = {addr: _sanitize(name) for addr, name in table.labels.items()}
        self.sym_idx: dict[int, str] = {}
        for addr, name in sorted(table.labels.items()):
            idx = region.index(addr)
            if idx is not None and (idx not in self.sym_idx or region.addrs[idx] == addr):
                self.sym_idx[idx] = _sanitize(name)

    # -- which length to write where two paths decoded the same byte differently
    def _choose(self, idx: int, d: dict) -> int:
        if len(d) == 1:
            return next(iter(d))
        lens = self.a.lens
        return min(d, key=lambda L: (d[L][0], idx + L not in lens, list(d).index(L)))

    def _branch_ok(self, idx: int, length: int) -> bool:
        ref = self.a.refs.get(idx)
        if ref is None or ref[0] not in (_BCOND, _BRANCH, _PER):
            return True
        lo, hi = _REL_RANGE[length]
        return lo <= ref[1] - (self.r.addrs[idx] + length) <= hi

    def build(self) -> Disassembly:
        r, a = self.r, self.a
        n, addrs, limit, buf = r.n, r.addrs, r.limit, r.buf
        lens, refs = a.lens, a.refs
        want: set[int] = set(self.entries) | set(self.sym_idx) | a.cut
        for _cls, t in refs.values():
            ti = r.index(t)
            if ti is not None:
                want.add(ti)

        # 1. lines: (idx, length, is_code, note)
        items: list[tuple[int, int, bool, str | None]] = []
        i = 0
        while i < n:
            note = None
            d = lens.get(i)
            if d is not None:
                length = self._choose(i, d)
                if self._branch_ok(i, length):
                    items.append((i, length, True, None))
                    i += length
                    continue
                note = (
                    OPCODES[buf[i]].mnemonic.lower()
                    + f" to ${refs[i][1]:06X} wraps around the bank: kept as data"
                )
            elif i in a.cut:
                note = "code runs past the end of the region or bank: kept as data"
            j = i + 1
            stop = min(limit[i], i + _DB_PER_LINE)
            while j < stop and j not in lens and j not in want:
                j += 1
            items.append((i, j - i, False, note))
            i = j
        starts = {it[0]: it for it in items}

        # 2. labels
        global_idx: set[int] = set()
        local_refs: dict[int, list[int]] = {}
        def_addrs: set[int] = set()
        for idx in self.entries:
            if idx in starts:
                global_idx.add(idx)
            else:
                def_addrs.add(addrs[idx])
        for idx in self.sym_idx:
            if idx in starts:
                global_idx.add(idx)
        for idx, _length, is_code, _note in items:
            if not is_code or idx not in refs:
                continue
            cls, t = refs[idx]
            ti = r.index(t)
            at_line = ti is not None and ti in starts and addrs[ti] == t
            if cls in (_BCOND, _BRANCH, _PER):
                if ti is None or not at_line:  # (at_line is False when ti is None)
                    def_addrs.add(t)
                elif cls == _PER:
                    global_idx.add(ti)
                else:
                    local_refs.setdefault(ti, []).append(idx)
            elif ti is not None and ti in starts:
                global_idx.add(ti)
        for addr, _name in self.table.labels.items():
            ti = r.index(addr)
            if ti is not None and ti not in starts:
                def_addrs.add(addr)

        used: set[str] = set()

        def unique(name: str) -> str:
            if name not in used:
                used.add(name)
                return name
            k = 2
            while f"{name}_{k}" in used:
                k += 1
            used.add(f"{name}_{k}")
            return f"{name}_{k}"

        labels: dict[int, str] = {}
        line_label: dict[int, str] = {}  # idx -> label as written
        full_name: dict[int, str] = {}  # idx -> full asar name
        parent_of_local: dict[int, str] = {}
        # symbols first so they keep their names
        for idx in sorted(global_idx):
            if idx in self.sym_idx:
                full_name[idx] = unique(self.sym_idx[idx])
        definitions: dict[str, int] = {}
        for addr in sorted(def_addrs):
            if addr in self.sym_exact:
                name = unique(self.sym_exact[addr])
                definitions[name] = addr
                labels[addr] = name
        for addr in sorted(def_addrs):
            if addr in labels:
                continue
            ti = r.index(addr)
            prefix = "CODE" if ti is None or ti in lens or ti in a.reached else "DATA"
            name = unique(f"{prefix}_{addr:06X}")
            definitions[name] = addr
            labels[addr] = name
        parent: str | None = None
        for idx in sorted(global_idx | set(local_refs)):
            if idx in global_idx or parent is None:
                if idx not in full_name:
                    prefix = "CODE" if idx in lens or idx in a.reached else "DATA"
                    full_name[idx] = unique(f"{prefix}_{addrs[idx]:06X}")
                global_idx.add(idx)
                parent = full_name[idx]
                line_label[idx] = parent
                continue
            backward = any(site >= idx for site in local_refs[idx])
            stem = f"{'loop' if backward else 'skip'}_{addrs[idx] & 0xFFFF:04X}"
            if f"{parent}_{stem}" in used:
                stem = f"{'loop' if backward else 'skip'}_{addrs[idx]:06X}"
            full_name[idx] = unique(f"{parent}_{stem}")
            parent_of_local[idx] = parent
            line_label[idx] = "." + full_name[idx][len(parent) + 1 :]
        for idx, name in full_name.items():
            labels[addrs[idx]] = name
        globals_sorted = sorted(global_idx)

        def scope(idx: int) -> str | None:
            k = bisect.bisect_right(globals_sorted, idx)
            return full_name[globals_sorted[k - 1]] if k else None

        def_by_addr = {addr: name for name, addr in definitions.items()}

        def label_ref(site: int, t: int) -> str | None:
            ti = r.index(t)
            if ti is not None and ti in full_name and addrs[ti] == t:
                if ti in parent_of_local and parent_of_local[ti] == scope(site):
                    return line_label[ti]
                return full_name[ti]
            return def_by_addr.get(t)

        inside: dict[int, list[str]] = {}
        for name, addr in definitions.items():
            ti = r.index(addr)
            if ti is not None and addrs[ti] == addr:
                inside.setdefault(ti, []).append(name)

        # 3. lines
        lines: list[Line] = []
        for idx, length, is_code, note in items:
            raw = buf[idx : idx + length]
            label = line_label.get(idx)
            if not is_code:
                lines.append(
                    Line(addrs[idx], raw, _hex_db(raw), label, note, "data")
                )
                continue
            text, comment = self._instruction(idx, raw, label_ref, labels)
            notes = [comment] if comment else []
            d = lens[idx]
            assumed, lm, lx, le = d[length]
            if assumed:
                op = OPCODES[raw[0]]
                flag = "m" if op.mode is Mode.IMM_M else "x"
                notes.append(f"assumed {flag}{8 if length == 2 else 16}")
            if len(d) > 1:
                notes.append("another path decodes this with other widths")
            for k in range(idx + 1, idx + length):
                for name in inside.get(k, ()):
                    notes.append(f"{name} enters mid-instruction")
            lines.append(
                Line(addrs[idx], raw, text, label, "; ".join(notes) or None, "code", lm, lx, le)
            )
        return Disassembly(lines, dict(sorted(labels.items())), r.mapping, addrs[0], definitions)

    def _instruction(self, idx: int, raw: bytes, label_ref, labels: dict[int, str]):
        r = self.r
        code = raw[0]
        op = OPCODES[code]
        mode = op.mode
        mn = op.mnemonic.lower()
        operand = raw[1:]
        comment = None
        cls = _CLASS[code]
        if mode is Mode.IMP:
            return mn, None
        if mode is Mode.ACC:
            return f"{mn} a", None
        if cls in (_BCOND, _BRANCH, _PER):
            t = self.a.refs[idx][1]
            name = label_ref(idx, t)
            assert name is not None, f"no label for ${t:06X}"
            return f"{mn} {name}", None
        value = int.from_bytes(operand, "little")
        text = f"{mn} {operand_text(code, operand)}"
        pc_bank = r.addrs[idx] & 0xFF0000
        if cls in (_JMP, _JSR, _JML, _JSL):
            t = pc_bank | value if cls in (_JMP, _JSR) else value
            name = label_ref(idx, t)
            if name is not None:
                return f"{mn} {name}", None
            ti = r.index(t)
            comment = self.sym_exact.get(t)
            if comment is None and ti is not None:
                comment = labels.get(r.addrs[ti])
            return text, comment
        if op.kind != "o" or mn in ("pei",):
            if mode in _DATA_ABS_MODES:
                comment = register_name(value) or self._symbol_for(
                    (pc_bank | value, value, 0x7E0000 | value if value < 0x2000 else -1)
                )
            elif mode in _DATA_LONG_MODES:
                if not value & 0x400000:
                    comment = register_name(value & 0xFFFF)
                comment = comment or self.sym_exact.get(value)
            elif mode in _DP_MODES:
                comment = self._symbol_for((0x7E0000 | value, value))
        return text, comment

    def _symbol_for(self, candidates: tuple[int, ...]) -> str | None:
        for addr in candidates:
            if addr >= 0 and addr in self.sym_exact:
                return self.sym_exact[addr]
        return None
