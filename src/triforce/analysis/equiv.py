"""Do two routines behave the same? Run both on the emulator from many initial states.

A routine is asar source that ends in RTS or RTL (RTI works too). Each one is
assembled on its own (a source without ``org`` lands at ``$00:8000``, as asar
puts it, with asar's missing-org warning ignored), loaded on an SNES bus, and
called like a subroutine from its first assembled byte: the run ends when a
return leaves the routine (the stack pointer rises above its value at entry),
at BRK, STP or WAI (the way it ended is compared too), or at the step limit
(a :class:`~triforce.errors.UserError` naming the routine and the state).

**What is compared** (:func:`parse_observe`): registers, single flags, memory
ranges, the bytes either routine wrote, the stack. The default is
``A,X,Y,P,S,D,DB,mem``: the registers, every flag, and every memory byte either
routine wrote except scratch bytes on the stack below the entry S.

**Initial states.** Both routines start from the same state: A, X, Y, the flags
N V D I Z C and every memory byte are inputs; D, DB, S and E are fixed (D=$0000,
DB = the bank of routine A's entry, S=$01FC, E=0 unless ``e=1``) and so is the
hardware (multiplier, WRAM port: power-on values). The M and X flags are fixed
by ``m``/``x``, else by what the code says (an immediate operand whose size
depends on M/X before any REP/SEP that sets that flag), else they are inputs
too. ``assume`` fixes more (``"P.D=0,DB=$7E,$7E0010=$05"``). The return address
above the entry S is part of the harness, not an input.

**Inputs read.** The checker tracks, per run, which inputs a routine reads
before it writes them: memory through the bus (WRAM mirrors and the WMDATA port
resolved to one byte), registers and flags through a per-instruction table of
what each 65816 instruction reads and writes at its register widths
(:mod:`triforce.isa.semantics`; the test suite checks it against the emulator).
When the inputs read come to at most ``exhaustive_bits`` bits (16) they are
enumerated: every combination of their values, with everything else fixed.
That is a proof over those inputs, not a sample: a run's path depends only on
what it reads, and a run that reads something outside the enumerated set makes
the checker enlarge the set and start again. An observed byte or flag written
by only one routine (and read by neither) is a difference whatever the written
value, because the other routine passes the input through: the checker flips
that input and reports the concrete states. Otherwise the routines are sampled:
boundary values (0, 1, $7F, $80, $FF, $100, $7FFF, $8000, $FFFF) for each
input, all at once crossed with C and D set and clear, then each alone, then
``samples`` random states (seeded: the same seed gives the same states).

Not compared: cycles, hardware register writes unless ``io`` is observed, the
program bank unless ``PB`` is observed. Note that D (decimal) is an input by
default, so ``clc : adc #$01`` and ``inc a`` differ (with D set ADC adds in
BCD); ``assume="P.D=0"`` states the usual convention.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from triforce.asm import Sandbox, assemble
from triforce.cpu.core import CPU, returned
from triforce.cpu.machine import from_rom
from triforce.cpu.snesbus import SnesBus
from triforce.errors import UserError, parse_number
from triforce.isa import OPCODES, Mode, instruction_text
from triforce.isa.semantics import FLAGS, NZ, Flow, Part, effects

# ---------------------------------------------------------------------------------------
# components: the parts of the processor state an input or output can be
# (flags at their P bit positions, then the register bytes)

C_, Z_, I_, DF_, XF_, MF_, V_, N_ = (int(p) for p in (Part.C, Part.Z, Part.I, Part.D, Part.XF,
                                                      Part.MF, Part.V, Part.N))
AL_, AH_, XL_, XH_, YL_, YH_ = (int(p) for p in (Part.AL, Part.AH, Part.XL, Part.XH, Part.YL,
                                                 Part.YH))
FLAGS_ = int(FLAGS)
NZ_ = int(NZ)

COMPONENT_NAMES = {
    C_: "P.C", Z_: "P.Z", I_: "P.I", DF_: "P.D", XF_: "P.X", MF_: "P.M", V_: "P.V", N_: "P.N",
    AL_: "A.l", AH_: "A.h", XL_: "X.l", XH_: "X.h", YL_: "Y.l", YH_: "Y.h",
}
_COMPONENT_BITS = {bit: 1 if bit <= 0x80 else 8 for bit in COMPONENT_NAMES}
# order in which inputs are listed and enumerated (the first varies slowest)
_COMPONENT_ORDER = (MF_, XF_, DF_, C_, Z_, N_, V_, I_, AL_, AH_, XL_, XH_, YL_, YH_)

DEFAULT_OBSERVE = "A,X,Y,P,S,D,DB,mem"
DEFAULT_SAMPLES = 2_000
DEFAULT_MAX_STEPS = 100_000
DEFAULT_EXHAUSTIVE_BITS = 16
ENTRY_S = 0x01FC
RETURN_OPCODES = frozenset(op.code for op in OPCODES if effects(op).flow is Flow.RETURN)
_BRK = next(op.code for op in OPCODES if op.mnemonic == "BRK")

BOUNDARY16 = (0x0000, 0x0001, 0x007F, 0x0080, 0x00FF, 0x0100, 0x7FFF, 0x8000, 0xFFFF)
BOUNDARY8 = (0x00, 0x01, 0x7F, 0x80, 0xFF, 0x01, 0x7F, 0x80, 0xFF)  # paired with BOUNDARY16

def _effects_table() -> list[tuple[int, int]]:
    """(reads, writes) from the instruction-semantics table, as plain ints for the run
    loop; index ``variant << 8 | opcode`` (variant: 7 emulation, else M<<1 | X)."""
    table = [(0, 0)] * (8 << 8)
    for variant in (0, 1, 2, 3, 7):
        m, x, e = (1, 1, 1) if variant == 7 else ((variant >> 1) & 1, variant & 1, 0)
        for op in OPCODES:
            fx = effects(op, m, x, e)
            table[variant << 8 | op.code] = (int(fx.reads), int(fx.writes))
    return table


_EFFECTS = _effects_table()
# REP and SEP write the P bits of their operand
_OPERAND_FLAGS = [effects(op).flags_from_operand for op in OPCODES]


# ---------------------------------------------------------------------------------------
# what to observe

_REGISTER_ITEMS = {
    # name -> (free components it covers, bits)
    "A": (AL_ | AH_, 16), "X": (XL_ | XH_, 16), "Y": (YL_ | YH_, 16),
    "A.L": (AL_, 8), "A.H": (AH_, 8), "B": (AH_, 8), "X.L": (XL_, 8), "X.H": (XH_, 8),
    "Y.L": (YL_, 8), "Y.H": (YH_, 8),
    "S": (0, 16), "D": (0, 16), "DB": (0, 8), "PB": (0, 8), "P": (FLAGS_, 8), "E": (0, 1),
}
_ALIASES = {"DBR": "DB", "PBR": "PB", "K": "PB", "C": "A", "B": "A.H"}
_FLAG_LETTERS = "CZIDXMVN"
_CANONICAL = {"A.L": "A.l", "A.H": "A.h", "X.L": "X.l", "X.H": "X.h", "Y.L": "Y.l", "Y.H": "Y.h"}
_KEYWORDS = ("MEM", "STACK", "IO")
_MAX_RANGE = 0x20000
_OBSERVE_HELP = (
    "registers A X Y S D DB PB P E, bytes A.l A.h X.l X.h Y.l Y.h, flags P.N P.V P.M P.X "
    "P.D P.I P.Z P.C, memory $7E0010 or $7E0010-$7E001F, mem (every byte written), "
    "stack, io"
)


def _register_name(text: str) -> str | None:
    """The canonical name of a register or flag item, or None."""
    t = text.strip().upper()
    t = _ALIASES.get(t, t)
    if t in _REGISTER_ITEMS:
        return _CANONICAL.get(t, t)
    if len(t) == 3 and t.startswith("P.") and t[2] in _FLAG_LETTERS:
        return t
    return None


def _register_mask(name: str) -> int:
    """Free components covered by a canonical register or flag name."""
    if name.startswith("P.") and len(name) == 3:
        return 1 << _FLAG_LETTERS.index(name[2])
    return _REGISTER_ITEMS[name.upper()][0]


@dataclass(frozen=True)
class Observables:
    """What is compared at exit.

    ``registers``: canonical names (``A``, ``A.l``, ``P``, ``P.C``, ``DB``...);
    ``ranges``: inclusive 24-bit address ranges; ``written``: every memory byte
    either routine wrote, outside the stack below the entry S; ``stack``: S and
    the bytes at or below the entry S that either routine wrote; ``io``: the
    hardware register writes, in order.
    """

    registers: tuple[str, ...] = ()
    ranges: tuple[tuple[int, int], ...] = ()
    written: bool = False
    stack: bool = False
    io: bool = False

    def __str__(self) -> str:
        parts = list(self.registers)
        for lo, hi in self.ranges:
            parts.append(f"${lo:06X}" if lo == hi else f"${lo:06X}-${hi:06X}")
        parts += [k for k, on in (("mem", self.written), ("stack", self.stack),
                                  ("io", self.io)) if on]
        return ",".join(parts)

    @property
    def register_mask(self) -> int:
        mask = 0
        for name in self.registers:
            mask |= _register_mask(name)
        return mask


def parse_observe(spec: str) -> Observables:
    """Parse ``"A,X,P.C,$7E0010-$7E001F,mem"`` (case-insensitive, see :class:`Observables`).

    A part that does not parse raises UserError naming that part.
    """
    if spec is None or not spec.strip():
        raise UserError(f"--observe is empty: give a comma-separated list of {_OBSERVE_HELP}")
    regs: list[str] = []
    ranges: list[tuple[int, int]] = []
    flags = {"MEM": False, "STACK": False, "IO": False}
    for raw in spec.split(","):
        part = raw.strip()
        if not part:
            raise UserError(f"--observe '{spec}': an empty item (two commas, or one at an end)")
        name = _register_name(part)
        if name is not None:
            if name not in regs:
                regs.append(name)
            continue
        if part.upper() in _KEYWORDS:
            flags[part.upper()] = True
            continue
        if part.startswith(("$", "0x", "0X")) or part[0].isdigit():
            ranges.append(_parse_range(part))
            continue
        raise UserError(f"--observe: '{part}' is not something to observe ({_OBSERVE_HELP})")
    return Observables(tuple(regs), tuple(ranges), flags["MEM"], flags["STACK"], flags["IO"])


def _parse_range(part: str) -> tuple[int, int]:
    lo_text, sep, hi_text = part.partition("-")
    try:
        lo = parse_number(lo_text, what="address")
        hi = parse_number(hi_text, what="address") if sep else lo
    except UserError as exc:
        raise UserError(f"--observe: '{part}': {exc}") from None
    if hi < lo:
        raise UserError(f"--observe: '{part}': the range ends before it starts")
    if hi - lo + 1 > _MAX_RANGE:
        raise UserError(f"--observe: '{part}': a range of more than ${_MAX_RANGE:X} bytes")
    return lo, hi


def _coerce_observe(observe: str | Observables | None) -> Observables:
    if observe is None:
        return parse_observe(DEFAULT_OBSERVE)
    if isinstance(observe, Observables):
        return observe
    return parse_observe(observe)


# ---------------------------------------------------------------------------------------
# assumptions: parts of the initial state fixed by the caller

@dataclass
class _Assumptions:
    regs: dict[str, int] = field(default_factory=dict)  # d, dbr, s
    comps: dict[int, int] = field(default_factory=dict)  # component bit -> value
    mem: dict[int, int] = field(default_factory=dict)  # 24-bit address -> byte
    text: str = ""


def _parse_assume(spec: str | None) -> _Assumptions:
    out = _Assumptions(text=spec or "")
    if not spec or not spec.strip():
        return out
    for raw in spec.split(","):
        part = raw.strip()
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or not key or not value.strip():
            raise UserError(f"--assume: '{part}' must look like NAME=VALUE (e.g. P.D=0, D=$0000)")
        name = _register_name(key)
        if name is None and key.startswith(("$", "0x", "0X")):
            addr = _assume_number(part, key, 24)
            out.mem[addr] = _assume_number(part, value, 8)
            continue
        if name is None or name in ("PB", "E"):
            raise UserError(
                f"--assume: '{key}' cannot be assumed (A X Y A.l A.h X.l X.h Y.l Y.h P P.N..P.C "
                f"S D DB or a memory byte like $7E0010)"
            )
        if name in ("S", "D", "DB"):
            out.regs[{"DB": "dbr"}.get(name, name.lower())] = _assume_number(
                part, value, 8 if name == "DB" else 16)
            continue
        mask = _register_mask(name)
        bits = _REGISTER_ITEMS[name.upper()][1] if not name.startswith("P.") else 1
        v = _assume_number(part, value, bits, hex_default=bits > 1)
        for comp in _COMPONENT_ORDER:
            if not mask & comp:
                continue
            if comp <= 0x80:  # a flag: its bit of the value (P) or the value itself (P.C)
                shift = comp.bit_length() - 1 if name == "P" else 0
                out.comps[comp] = (v >> shift) & 1
            else:
                shift = 8 if comp in (AH_, XH_, YH_) and bits == 16 else 0
                out.comps[comp] = (v >> shift) & 0xFF
    return out


def _assume_number(part: str, text: str, bits: int, hex_default: bool = True) -> int:
    try:
        return parse_number(text, bits=bits, what="value", hex_default=hex_default)
    except UserError as exc:
        raise UserError(f"--assume: '{part}': {exc}") from None


# ---------------------------------------------------------------------------------------
# one initial state

@dataclass
class _State:
    a: int
    x: int
    y: int
    p: int
    mem: dict[int, int]  # memory key -> byte (explicit inputs)
    salt: int  # every other memory byte: a hash of (salt, key)

    def byte(self, key: int) -> int:
        v = self.mem.get(key)
        return (hash((self.salt, key)) >> 7) & 0xFF if v is None else v

    def get(self, comp: int) -> int:
        if comp <= 0x80:
            return 1 if self.p & comp else 0
        reg, shift = _COMP_REG[comp]
        return (getattr(self, reg) >> shift) & 0xFF

    def set(self, comp: int, value: int) -> None:
        if comp <= 0x80:
            self.p = (self.p | comp) if value else (self.p & ~comp & 0xFF)
            return
        reg, shift = _COMP_REG[comp]
        old = getattr(self, reg)
        setattr(self, reg, (old & ~(0xFF << shift) & 0xFFFF) | ((value & 0xFF) << shift))

    def copy(self) -> _State:
        return _State(self.a, self.x, self.y, self.p, dict(self.mem), self.salt)


_COMP_REG = {AL_: ("a", 0), AH_: ("a", 8), XL_: ("x", 0), XH_: ("x", 8),
             YL_: ("y", 0), YH_: ("y", 8)}


def _mem_name(key: int) -> str:
    if key < 0x1000000:
        return f"${key:06X}"
    if key < 0x2000000:
        return f"SRAM+${key & 0xFFFFFF:04X}"
    return f"I-RAM+${key & 0xFFFFFF:04X}"


def _flags_text(p: int) -> str:
    return "".join(ch.upper() if p & (0x80 >> i) else ch for i, ch in enumerate("nvmxdizc"))


# ---------------------------------------------------------------------------------------
# a routine on its own bus, run with tracking

_MEM, _ROMK, _PASS = 0, 1, 2


@dataclass
class _Outcome:
    exit: str  # return, brk, stp, wai
    regs: dict[str, int]  # a x y s d dbr pbr p e
    reg_reads: int  # components read before written
    reg_writes: int  # components written
    mem_reads: set[int]
    mem_writes: dict[int, int]  # key -> final value
    io: list[tuple[int, int]]
    steps: int


class _Routine:
    """One assembled routine, its bus and CPU, reused for every run."""

    def __init__(self, label: str, source: str | Path, *, rom: bytes | None, defines,
                 include_paths, filename: str | None, sandbox: Sandbox | None = None) -> None:
        self.label = label
        if isinstance(source, Path):
            if not source.is_file():
                raise UserError("no such file", str(source))
            res = assemble(source, rom=rom, defines=defines, include_paths=include_paths,
                           sandbox=sandbox)
            where = str(source)
        else:
            where = filename or f"<{label}>"
            res = assemble(source, rom=rom, defines=defines, include_paths=include_paths,
                           filename=where, sandbox=sandbox)
        self.where = where
        if not res.ok:
            first = res.errors[0]
            more = f" (and {len(res.errors) - 1} more errors)" if len(res.errors) > 1 else ""
            src = f" [{first.source.strip()}]" if first.source else ""
            loc = first.location or where
            raise UserError(f"({first.id}) {first.message}{src}{more}", loc)
        if not res.listing:
            raise UserError(f"routine {label} assembles to no code", where)
        self.listing = res.listing
        self.entry = res.listing[0].address
        data = res.rom
        padded = data + bytes(-len(data) % 0x8000 or (0 if data else 0x8000))
        mapping = res.mapping if res.mapping != "norom" else "lorom"
        machine = from_rom(padded, mapping, where)
        bus = machine.bus
        assert isinstance(bus, SnesBus)  # from_rom builds an SNES bus
        self.bus = bus
        self._pages: list[tuple | None] = [None] * 0x10000
        self.restore: dict[int, tuple[bytearray, int, int]] = {}
        self.reads: set[int] = set()
        self.written: set[int] = set()
        self.state: _State | None = None
        self.io_touched = False
        self._fixed: dict[int, tuple[bytearray, int, int]] = {}
        self._wmdata_old = 0
        self._io_snapshot = {name: _copy(getattr(bus, name)) for name in _IO_ATTRS}
        bus.on_read(0x2180, self._wmdata_read)
        bus.on_write(0x2180, self._wmdata_write)
        self.cpu = CPU(_TrackingBus(bus, self))

    # -- memory keys --------------------------------------------------------------
    def page(self, p: int) -> tuple:
        ent = self._pages[p]
        if ent is None:
            bus = self.bus
            a = p << 8
            region = bus.region(a)
            found = bus.backing(a)
            if region == "rom" and found is not None:
                ent = (_ROMK, found[0], found[1], 0)
            elif found is not None:
                buf, off = found
                base = 0x7E0000 if buf is bus.wram else 0x1000000 if buf is bus.sram else 0x2000000
                ent = (_MEM, buf, off, base + off)
            else:
                ent = (_PASS, None, 0, 0)
            self._pages[p] = ent
        return ent

    def key(self, addr: int) -> int | None:
        """The memory key of a 24-bit address (WRAM: its $7E/$7F address), None for ROM/IO."""
        kind, _, _, base = self.page((addr >> 8) & 0xFFFF)
        return base + (addr & 0xFF) if kind == _MEM else None

    def locate(self, key: int) -> tuple[bytearray, int]:
        if key < 0x1000000:
            return self.bus.wram, key - 0x7E0000
        if key < 0x2000000:
            return self.bus.sram, key - 0x1000000
        return self.bus.iram, key - 0x2000000

    def materialize(self, key: int, buf: bytearray, idx: int) -> int:
        """First touch of an input byte: put the state's value in memory, remember the old."""
        self.restore[key] = (buf, idx, buf[idx])
        assert self.state is not None  # inputs are read only while run() runs a state
        v = self.state.byte(key)
        buf[idx] = v
        return v

    def fix(self, addr: int, value: int) -> None:
        """A harness byte (the return address): in memory for every run, never an input."""
        key = self.key(addr)
        if key is None:
            return
        buf, idx = self.locate(key)
        buf[idx] = value
        self._fixed[key] = (buf, idx, value)

    def _wmdata_read(self, addr: int) -> int | None:
        key = 0x7E0000 + self.bus.wmadd
        if key not in self.restore:
            self.materialize(key, self.bus.wram, self.bus.wmadd)
            self.reads.add(key)
        return None

    def _wmdata_write(self, addr: int, value: int) -> None:
        idx = (self.bus.wmadd - 1) & 0x1FFFF
        key = 0x7E0000 + idx
        if key not in self.restore:
            self.restore[key] = (self.bus.wram, idx, self._wmdata_old)
        self.written.add(key)

    # -- one run ---------------------------------------------------------------------
    def run(self, st: _State, fixed: dict, max_steps: int) -> _Outcome:
        bus = self.bus
        cpu = self.cpu
        self.state = st
        self.restore = dict(self._fixed)
        self.reads = set()
        self.written = set()
        if self.io_touched:
            for name, value in self._io_snapshot.items():
                setattr(bus, name, _copy(value))
            self.io_touched = False
        bus.log.clear()
        bus.rom_writes.clear()
        cpu.pending = 0
        cpu.irq_line = False
        cpu.a, cpu.x, cpu.y, cpu.p = st.a, st.x, st.y, st.p
        cpu.e = fixed["e"]
        cpu.s, cpu.d, cpu.dbr = fixed["s"], fixed["d"], fixed["dbr"]
        cpu.pbr, cpu.pc = self.entry >> 16, self.entry & 0xFFFF
        cpu.normalize()
        start_s = cpu.s
        exit_kind, reads, writes, steps = _run(cpu, start_s, max_steps)
        if exit_kind == "max_steps":
            where = f"${cpu.pbr:02X}:{cpu.pc:04X}"
            self._undo()
            raise _NoReturn(self, where)
        mem_writes = {}
        fixed_keys = self._fixed
        for key in self.written:
            if key not in fixed_keys:
                buf, idx = self.locate(key)
                mem_writes[key] = buf[idx]
        io = [(a, v) for kind, a, v in bus.log if kind == "w"] if self.io_touched else []
        out = _Outcome(
            exit_kind,
            {"a": cpu.a, "x": cpu.x, "y": cpu.y, "s": cpu.s, "d": cpu.d, "dbr": cpu.dbr,
             "pbr": cpu.pbr, "p": cpu.p, "e": cpu.e},
            reads, writes, self.reads - fixed_keys.keys(), mem_writes, io, steps,
        )
        self._undo()
        return out

    def _undo(self) -> None:
        for buf, idx, old in self.restore.values():
            buf[idx] = old
        for buf, idx, value in self._fixed.values():
            buf[idx] = value

    def last_instruction(self) -> str:
        cpu = self.cpu
        pk = self.bus.peek
        addr = (cpu.pbr << 16) | cpu.pc
        op = OPCODES[pk(addr)]
        m = 1 if cpu.e else (cpu.p >> 5) & 1
        x = 1 if cpu.e else (cpu.p >> 4) & 1
        raw = bytes(pk((cpu.pbr << 16) | ((cpu.pc + i) & 0xFFFF)) for i in range(op.length(m, x)))
        return instruction_text(op.code, raw[1:], cpu.pc)


_IO_ATTRS = ("wmadd", "wrmpya", "wrmpyb", "wrdiv", "wrdivb", "rddiv", "rdmpy", "memsel",
             "dma", "regs", "mdr")


def _copy(v):
    return v.copy() if isinstance(v, (bytearray, dict)) else v


class _NoReturn(Exception):
    def __init__(self, routine: _Routine, where: str) -> None:
        self.routine = routine
        self.where = where


class _TrackingBus:
    """The bus a routine's CPU sees: inputs come from the current state on first read.

    Memory (WRAM, SRAM) is read and written in the bus's own buffers; each byte
    is keyed by where it is stored, so mirrors are one byte. ROM reads are
    constants; registers and open bus go to the SNES bus.
    """

    def __init__(self, inner, routine: _Routine) -> None:
        self.inner = inner
        self.peek = inner.peek
        self.code_bytes = inner.code_bytes
        self.region = inner.region
        pages = routine._pages
        page = routine.page
        inner_read, inner_write = inner.read, inner.write

        def read(addr: int) -> int:
            p = (addr >> 8) & 0xFFFF
            ent = pages[p] or page(p)
            kind = ent[0]
            if kind == _MEM:
                lo = addr & 0xFF
                key = ent[3] + lo
                buf = ent[1]
                idx = ent[2] + lo
                if key in routine.restore:
                    v = buf[idx]
                else:
                    v = routine.materialize(key, buf, idx)
                    routine.reads.add(key)
                inner.mdr = v
                return v
            if kind == _ROMK:
                v = ent[1][ent[2] + (addr & 0xFF)]
                inner.mdr = v
                return v
            routine.io_touched = True
            if addr & 0xFFFF == 0x2180:
                routine._wmdata_old = inner.wram[inner.wmadd]
            return inner_read(addr)

        def write(addr: int, value: int) -> None:
            p = (addr >> 8) & 0xFFFF
            ent = pages[p] or page(p)
            value &= 0xFF
            inner.mdr = value
            if ent[0] == _MEM:
                lo = addr & 0xFF
                key = ent[3] + lo
                buf = ent[1]
                idx = ent[2] + lo
                if key not in routine.restore:
                    routine.restore[key] = (buf, idx, buf[idx])
                buf[idx] = value
                routine.written.add(key)
                return
            if ent[0] == _ROMK:
                return
            routine.io_touched = True
            if addr & 0xFFFF == 0x2180:
                routine._wmdata_old = inner.wram[inner.wmadd]
            inner_write(addr, value)

        self.read = read
        self.write = write


def _run(cpu: CPU, start_s: int, max_steps: int) -> tuple[str, int, int, int]:
    """Step until the routine returns; track the components read before written."""
    peek = cpu.bus.peek
    table = _EFFECTS
    operand_flags = _OPERAND_FLAGS
    returns = RETURN_OPCODES
    step = cpu.step
    reads = writes = 0
    n = 0
    while True:
        pbr, pc = cpu.pbr, cpu.pc
        op = peek((pbr << 16) | pc)
        if op == _BRK:
            return "brk", reads, writes, n
        if n >= max_steps:
            return "max_steps", reads, writes, n
        p = cpu.p
        e = cpu.e
        variant = 7 if e else (p >> 4) & 3
        if operand_flags[op]:
            r, w = 0, peek((pbr << 16) | ((pc + 1) & 0xFFFF)) & (0xCF if e else 0xFF)
        else:
            r, w = table[variant << 8 | op]
        reads |= r & ~writes
        writes |= w
        step()
        n += 1
        if not p & 0x10 and cpu.p & 0x10:
            writes |= XH_ | YH_
        if cpu.e and not e:
            writes |= MF_ | XF_
        if cpu.pending:
            return ("stp" if cpu.stopped else "wai"), reads, writes, n
        if op in returns and returned(start_s, cpu.s):
            return "return", reads, writes, n


# ---------------------------------------------------------------------------------------
# register widths the code expects

_M_IMM = frozenset(op.code for op in OPCODES if op.mode is Mode.IMM_M)
_X_IMM = frozenset(op.code for op in OPCODES if op.mode is Mode.IMM_X)


def width_hints(listing) -> tuple[tuple[int, str] | None, tuple[int, str] | None]:
    """What the code says about M and X at entry: ((8|16, "file:line"), ...) or None each.

    The first immediate operand whose size depends on M (X) before a REP/SEP
    that sets that flag, in assembled order, decides.
    """
    hint: dict[str, tuple[int, str] | None] = {"m": None, "x": None}
    done = {"m": False, "x": False}
    for ln in listing:
        if not ln.data:
            continue
        op = ln.data[0]
        if not re.search(rf"\b{OPCODES[op].mnemonic}\b", ln.source, re.IGNORECASE):
            continue  # data (db/dw), not an instruction
        if _OPERAND_FLAGS[op] and len(ln.data) == 2:
            if ln.data[1] & 0x20:
                done["m"] = True
            if ln.data[1] & 0x10:
                done["x"] = True
        for flag, imm in (("m", _M_IMM), ("x", _X_IMM)):
            if op in imm and not done[flag]:
                hint[flag] = (8 if len(ln.data) == 2 else 16, f"{ln.file}:{ln.line}")
                done[flag] = True
        if done["m"] and done["x"]:
            break
    return hint["m"], hint["x"]


def _decide_width(flag: str, given: int | None, ra: _Routine, rb: _Routine,
                  ha, hb) -> int | None:
    """1 (8-bit), 0 (16-bit) or None (an input: both are tried)."""
    if given is not None:
        if given not in (8, 16):
            raise UserError(f"{flag}= must be 8 or 16, not {given}")
        return 1 if given == 8 else 0
    if ha and hb and ha[0] != hb[0]:
        opt = "--m8 or --m16" if flag == "m" else "--x8 or --x16"
        what = "A" if flag == "m" else "X and Y"
        raise UserError(
            f"routine {ra.label} expects {ha[0]}-bit {what} at entry ({ha[1]}) but routine "
            f"{rb.label} expects {hb[0]}-bit ({hb[1]}); give {opt}"
        )
    h = ha or hb
    return None if h is None else (1 if h[0] == 8 else 0)


# ---------------------------------------------------------------------------------------
# results

@dataclass
class Counterexample:
    """A state from which the routines differ: its inputs, both outputs, the differences."""

    inputs: dict[str, int]  # "A" "X" "Y" "P" "D" "DB" "S" "E" and memory "$7E0010"
    # observable -> value ("exit" is compared too, as text; "io" is the writes, as text)
    outputs_a: dict[str, int | str]
    outputs_b: dict[str, int | str]
    exit_a: str
    exit_b: str
    differences: list[str]

    def inputs_text(self) -> str:
        return _state_text(self.inputs)

    def to_dict(self) -> dict:
        return {
            "inputs": self.inputs,
            "a": {"exit": self.exit_a, "outputs": self.outputs_a},
            "b": {"exit": self.exit_b, "outputs": self.outputs_b},
            "differences": [
                {"name": n, "a": self.exit_a if n == "exit" else self.outputs_a.get(n),
                 "b": self.exit_b if n == "exit" else self.outputs_b.get(n)}
                for n in self.differences
            ],
        }


@dataclass
class EquivResult:
    equivalent: bool
    states: int
    exhaustive: bool
    inputs: list[str]  # the inputs either routine read
    observed: Observables
    fixed: dict[str, int]  # the parts of the state every run shares
    counterexample: Counterexample | None = None
    label_a: str = "A"
    label_b: str = "B"
    seconds: float = 0.0
    steps: int = 0  # instructions executed, both routines

    def summary(self) -> str:
        """One verdict line, then what it covers (or the counterexample)."""
        kind = "exhaustive" if self.exhaustive else "sampled"
        fixed = " ".join(f"{k}={_value_text(k, v)}" for k, v in self.fixed.items())
        if self.equivalent:
            head = f"equivalent on {self.states:,} state{'s' * (self.states != 1)} ({kind})"
            read = " ".join(self.inputs) or "none"
            return (f"{head}\n  inputs read: {read}\n  observed: {self.observed}\n"
                    f"  fixed: {fixed}")
        cex = self.counterexample
        assert cex is not None
        lines = [f"not equivalent: counterexample found after {self.states:,} "
                 f"state{'s' * (self.states != 1)}",
                 f"  from: {cex.inputs_text()}"]
        for label, outs, ex in ((self.label_a, cex.outputs_a, cex.exit_a),
                                (self.label_b, cex.outputs_b, cex.exit_b)):
            shown = [n for n in outs if n in cex.differences or not n.startswith("$")]
            text = " ".join(f"{n}={_value_text(n, outs[n])}" for n in shown)
            lines.append(f"  {label}: {text}" + (f" (ended by {ex.upper()})" if ex != "return" else ""))
        diffs = []
        for n in cex.differences:
            if n == "exit":
                diffs.append(f"exit ({cex.exit_a} vs {cex.exit_b})")
            else:
                a, b = cex.outputs_a.get(n), cex.outputs_b.get(n)
                diffs.append(f"{n} ({_value_text(n, a)} vs {_value_text(n, b)})")
        lines.append("  differs: " + ", ".join(diffs))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "equivalent": self.equivalent,
            "states": self.states,
            "mode": "exhaustive" if self.exhaustive else "sampled",
            "exhaustive": self.exhaustive,
            "inputs": self.inputs,
            "observed": str(self.observed),
            "fixed": self.fixed,
            "routines": {"a": self.label_a, "b": self.label_b},
            "counterexample": self.counterexample.to_dict() if self.counterexample else None,
            "seconds": round(self.seconds, 3),
            "steps": self.steps,
            "summary": self.summary(),
        }


def _value_text(name: str, v) -> str:
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if name.startswith("P.") or name in ("E", "M", "X flag"):
        return str(v)
    if name == "P":
        return f"${v:02X}[{_flags_text(v)}]"
    if name in ("A", "X", "Y", "S", "D"):
        return f"${v:04X}"
    if name == "io":
        return str(v)
    return f"${v:02X}"


def _state_text(inputs: dict[str, int]) -> str:
    return " ".join(f"{k}={_value_text(k, v)}" for k, v in inputs.items())


# ---------------------------------------------------------------------------------------
# the check

class _Checker:
    def __init__(self, ra: _Routine, rb: _Routine, obs: Observables, fixed: dict,
                 free: int, assumed: _Assumptions, assumed_keys: dict[int, int],
                 max_steps: int, m: int | None, x: int | None) -> None:
        self.ra, self.rb = ra, rb
        self.obs = obs
        self.fixed = fixed
        self.free = free
        self.assumed = assumed
        self.assumed_keys = assumed_keys
        self.max_steps = max_steps
        self.m, self.x = m, x
        self.reg_inputs = 0  # free components read so far
        self.mem_inputs: set[int] = set()
        self.obs_mask = obs.register_mask & free
        self.ranges_a = self._range_keys(ra)
        self.ranges_b = self._range_keys(rb)
        s0 = fixed["s"]
        lo = (s0 - 0xFF) & 0xFFFF
        self.stack_keys = {k for k in (ra.key((lo + i) & 0xFFFF) for i in range(0x100))
                           if k is not None}
        self.steps = 0

    def _range_keys(self, r: _Routine) -> list[tuple[str, int | None]]:
        out: list[tuple[str, int | None]] = []
        for lo, hi in self.obs.ranges:
            for addr in range(lo, hi + 1):
                key = r.key(addr)
                if key is None:
                    raise UserError(
                        f"--observe: ${addr:06X} is not RAM in routine {r.label}'s memory map "
                        f"(ROM, a hardware register or open bus; 'io' compares register writes)")
                out.append((_mem_name(key), key))
        return out

    # -- states -------------------------------------------------------------------------
    def normalize(self, st: _State) -> _State:
        for comp, v in self.assumed.comps.items():
            st.set(comp, v)
        if self.fixed["e"]:
            st.p |= 0x30
        else:
            if self.m is not None:
                st.p = (st.p | MF_) if self.m else (st.p & ~MF_ & 0xFF)
            if self.x is not None:
                st.p = (st.p | XF_) if self.x else (st.p & ~XF_ & 0xFF)
        if st.p & XF_ or self.fixed["e"]:
            st.x &= 0xFF
            st.y &= 0xFF
        st.mem.update(self.assumed_keys)
        return st

    def random_state(self, rng: random.Random) -> _State:
        st = _State(rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(16),
                    rng.getrandbits(8), {}, rng.getrandbits(32))
        return self.normalize(st)

    def inputs_of(self, st: _State, mem_keys: Iterable[int]) -> dict[str, int]:
        f = self.fixed
        out = {"A": st.a, "X": st.x, "Y": st.y, "P": st.p, "D": f["d"], "DB": f["dbr"],
               "S": f["s"]}
        if f["e"]:
            out["E"] = 1
        for key in sorted(set(mem_keys)):
            out[_mem_name(key)] = st.byte(key)
        return out

    # -- running ------------------------------------------------------------------------
    def run_both(self, st: _State) -> tuple[_Outcome, _Outcome]:
        outs = []
        for r in (self.ra, self.rb):
            try:
                o = r.run(st, self.fixed, self.max_steps)
            except _NoReturn as exc:
                reads = r.reads - r._fixed.keys()
                text = _state_text(self.inputs_of(st, reads))
                raise UserError(
                    f"routine {r.label} did not return within {self.max_steps:,} instructions "
                    f"from {text} (stopped at {exc.where}: {r.last_instruction()})",
                    r.where if r.where != r.label else None,
                ) from None
            self.steps += o.steps
            outs.append(o)
        oa, ob = outs
        self.reg_inputs |= (oa.reg_reads | ob.reg_reads) & self.free
        for key in oa.mem_reads | ob.mem_reads:
            if key not in self.assumed_keys:
                self.mem_inputs.add(key)
        return oa, ob

    def values(self, st: _State, o: _Outcome, ranges, written_union: Iterable[int],
               stack_union: Iterable[int]) -> dict[str, int | str]:
        regs = o.regs
        out: dict[str, int | str] = {}
        for name in self.obs.registers:
            if name.startswith("P."):
                out[name] = 1 if regs["p"] & (1 << _FLAG_LETTERS.index(name[2])) else 0
            elif "." in name:
                reg = regs[name[0].lower()]
                out[name] = (reg >> 8) & 0xFF if name.endswith("h") else reg & 0xFF
            else:
                out[name] = regs[{"DB": "dbr", "PB": "pbr"}.get(name, name.lower())]
        mw = o.mem_writes
        for name, key in ranges:
            if key is None:
                continue
            out[name] = mw[key] if key in mw else st.byte(key)
        if self.obs.stack and "S" not in out:
            out["S"] = regs["s"]
        for key in sorted(written_union):
            out[_mem_name(key)] = mw[key] if key in mw else st.byte(key)
        for key in sorted(stack_union):
            out[_mem_name(key)] = mw[key] if key in mw else st.byte(key)
        if self.obs.io:
            out["io"] = len(o.io)
        return out

    def compare(self, st: _State) -> Counterexample | None:
        oa, ob = self.run_both(st)
        cex = self._differences(st, oa, ob)
        if cex is not None:
            return cex
        # an observed input read by neither routine and written by only one of them:
        # the other passes it through, so another value of it tells them apart
        unread_regs = self.obs_mask & ~(oa.reg_reads | ob.reg_reads)
        only_one = (oa.reg_writes ^ ob.reg_writes) & unread_regs
        candidates: list[tuple[int, int | None]] = []
        for comp in _COMPONENT_ORDER:
            if only_one & comp:
                candidates.append((comp, None))
        reads = oa.mem_reads | ob.mem_reads
        for k in self._observed_keys(oa, ob):
            if k in reads or k in self.assumed_keys:
                continue
            if (k in oa.mem_writes) != (k in ob.mem_writes):
                candidates.append((0, k))
        for comp, key in candidates:
            st2 = st.copy()
            if key is None:
                o = oa if oa.reg_writes & comp else ob
                written = _component_of(o.regs, comp)
                st2.set(comp, written ^ (1 if comp <= 0x80 else 0xFF))
            else:
                o = oa if key in oa.mem_writes else ob
                st2.mem[key] = o.mem_writes[key] ^ 0xFF
            oa2, ob2 = self.run_both(st2)
            cex = self._differences(st2, oa2, ob2)
            if cex is not None:
                return cex
        return None

    def _observed_keys(self, oa: _Outcome, ob: _Outcome) -> set[int]:
        keys = {k for _, k in self.ranges_a if k is not None}
        keys |= {k for _, k in self.ranges_b if k is not None}
        if self.obs.written:
            keys |= (oa.mem_writes.keys() | ob.mem_writes.keys()) - self.stack_keys
        if self.obs.stack:
            keys |= (oa.mem_writes.keys() | ob.mem_writes.keys()) & self.stack_keys
        return keys

    def _differences(self, st: _State, oa: _Outcome, ob: _Outcome) -> Counterexample | None:
        wa, wb = oa.mem_writes.keys(), ob.mem_writes.keys()
        written = ((wa | wb) - self.stack_keys) if self.obs.written else set()
        stack = ((wa | wb) & self.stack_keys) if self.obs.stack else set()
        va = self.values(st, oa, self.ranges_a, written, stack)
        vb = self.values(st, ob, self.ranges_b, written, stack)
        diffs = [n for n in va if va[n] != vb.get(n)]
        if self.obs.io and oa.io != ob.io and "io" not in diffs:
            diffs.append("io")
        if oa.exit != ob.exit:
            diffs.insert(0, "exit")
        if not diffs:
            return None
        if "io" in va:
            va["io"], vb["io"] = _io_text(oa.io), _io_text(ob.io)
        # the memory inputs that matter: bytes read, and observed bytes left as they were
        keys = oa.mem_reads | ob.mem_reads | (set(st.mem) - self.assumed_keys.keys())
        keys |= {k for k in self._observed_keys(oa, ob)
                 if k not in wa or k not in wb} - self.assumed_keys.keys()
        return Counterexample(self.inputs_of(st, keys), va, vb, oa.exit, ob.exit, diffs)

    # -- input space ----------------------------------------------------------------------
    def input_components(self) -> list[int | tuple[str, int]]:
        comps: list = [c for c in _COMPONENT_ORDER if self.reg_inputs & c]
        comps += [("mem", k) for k in sorted(self.mem_inputs)]
        return comps

    def input_bits(self) -> int:
        bits = sum(_COMPONENT_BITS[c] for c in _COMPONENT_ORDER if self.reg_inputs & c)
        return bits + 8 * len(self.mem_inputs)

    def input_names(self) -> list[str]:
        return [COMPONENT_NAMES[c] if isinstance(c, int) else _mem_name(c[1])
                for c in self.input_components()]


def _component_of(regs: dict[str, int], comp: int) -> int:
    if comp <= 0x80:
        return 1 if regs["p"] & comp else 0
    reg, shift = _COMP_REG[comp]
    return (regs[reg] >> shift) & 0xFF


def _io_text(io: list[tuple[int, int]]) -> str:
    return " ".join(f"${a:06X}=${v:02X}" for a, v in io) or "none"


def check_equivalence(
    a_source: str | Path,
    b_source: str | Path,
    observe: str | Observables | None = None,
    *,
    m: int | None = None,
    x: int | None = None,
    e: int = 0,
    assume: str | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    max_steps: int = DEFAULT_MAX_STEPS,
    exhaustive_bits: int = DEFAULT_EXHAUSTIVE_BITS,
    label_a: str | None = None,
    label_b: str | None = None,
    rom: bytes | None = None,
    defines: dict[str, str] | None = None,
    include_paths: list[str] | tuple = (),
    widths_from: str = "both",
    sandbox: Sandbox | None = None,
) -> EquivResult:
    """Decide whether two routines behave the same on what ``observe`` names.

    ``a_source``/``b_source``: asar source text, or a Path to a file. ``m``/``x``:
    8 or 16 to fix the register widths at entry (default: what the code
    expects, else both are tried; ``widths_from="a"`` reads that only from routine A,
    for checking a rewrite B of a reference A). ``e=1`` runs in emulation mode. ``assume``:
    more of the initial state fixed, e.g. ``"P.D=0,DB=$7E,$7E0010=$05"``.
    ``rom``: a base ROM both routines are assembled onto (for routines that
    call into it). ``sandbox``: where the sources may read files (see ``assemble``).
    See the module docstring for the method; raises UserError
    for source that does not assemble, a routine that does not return within
    ``max_steps`` instructions, or an observe/assume spec that does not parse.
    """
    t0 = time.perf_counter()
    obs = _coerce_observe(observe)
    assumed = _parse_assume(assume)
    if samples < 0:
        raise UserError("samples must be 0 or more")
    if max_steps <= 0:
        raise UserError("max_steps must be a positive number")
    la = label_a or (str(a_source) if isinstance(a_source, Path) else "A")
    lb = label_b or (str(b_source) if isinstance(b_source, Path) else "B")
    if la == lb:
        la, lb = f"A ({la})", f"B ({lb})"
    ra = _Routine(la, a_source, filename=label_a, rom=rom, defines=defines,
                  include_paths=include_paths, sandbox=sandbox)
    rb = _Routine(lb, b_source, filename=label_b, rom=rom, defines=defines,
                  include_paths=include_paths, sandbox=sandbox)

    e = 1 if e else 0
    mflag: int | None
    xflag: int | None
    if e:
        mflag = xflag = 1
    else:
        ha_m, ha_x = width_hints(ra.listing)
        hb_m, hb_x = width_hints(rb.listing) if widths_from == "both" else (None, None)
        mflag = _decide_width("m", m, ra, rb, ha_m, hb_m)
        xflag = _decide_width("x", x, ra, rb, ha_x, hb_x)
    if MF_ in assumed.comps:
        mflag = assumed.comps.pop(MF_)
    if XF_ in assumed.comps:
        xflag = assumed.comps.pop(XF_)
    fixed = {"e": e, "s": assumed.regs.get("s", ENTRY_S), "d": assumed.regs.get("d", 0),
             "dbr": assumed.regs.get("dbr", ra.entry >> 16)}
    if e:
        fixed["s"] = 0x100 | (fixed["s"] & 0xFF)
    # the return address above the entry S belongs to the harness
    s0 = fixed["s"]
    for r in (ra, rb):
        ret = (r.entry - 1) & 0xFFFF  # as if a JSL/JSR at the entry had called it
        bank = r.entry >> 16
        for i, v in enumerate((ret & 0xFF, ret >> 8, bank)):
            r.fix((s0 + 1 + i) & 0xFFFF, v)

    free = FLAGS_ | AL_ | AH_ | XL_ | YL_
    if e or xflag == 1:
        free &= ~(XH_ | YH_)
    else:
        free |= XH_ | YH_
    if e or mflag is not None:
        free &= ~MF_
    if e or xflag is not None:
        free &= ~XF_
    for comp in assumed.comps:
        free &= ~comp
    assumed_keys: dict[int, int] = {}
    for addr, v in assumed.mem.items():
        key = ra.key(addr)
        if key is None:
            raise UserError(f"--assume: ${addr:06X} is not RAM")
        assumed_keys[key] = v

    ck = _Checker(ra, rb, obs, fixed, free, assumed, assumed_keys, max_steps,
                  None if e else mflag, None if e else xflag)
    rng = random.Random(seed)
    count = 0

    fixed_text: dict[str, int] = {"D": fixed["d"], "DB": fixed["dbr"], "S": fixed["s"], "E": e}
    if not e:
        if mflag is not None:
            fixed_text["P.M"] = mflag
        if xflag is not None:
            fixed_text["P.X"] = xflag
    for comp, v in assumed.comps.items():
        fixed_text[COMPONENT_NAMES[comp]] = v
    for key, v in assumed_keys.items():
        fixed_text[_mem_name(key)] = v

    def result(equivalent: bool, states: int, exhaustive: bool,
               cex: Counterexample | None = None) -> EquivResult:
        return EquivResult(equivalent, states, exhaustive, ck.input_names(), obs, fixed_text,
                           cex, la, lb, time.perf_counter() - t0, ck.steps)

    # 1. probes: every input at the same boundary value, C and D crossed; a few random
    probes = list(_uniform_states(ck, rng)) + [ck.random_state(rng) for _ in range(28)]
    for st in probes:
        count += 1
        cex = ck.compare(st)
        if cex is not None:
            return result(False, count, False, cex)

    # 2. exhaustive when the inputs read are few
    while ck.input_bits() <= exhaustive_bits:
        comps = ck.input_components()
        bits = ck.input_bits()
        background = ck.random_state(random.Random(seed ^ 0x5EED))
        known = (ck.reg_inputs, frozenset(ck.mem_inputs))
        n = 0
        grew = False
        for i in range(1 << bits):
            st = _assign(background, comps, i)
            if st is None:
                continue
            ck.normalize(st)
            n += 1
            cex = ck.compare(st)
            if cex is not None:
                return result(False, count + n, False, cex)
            if (ck.reg_inputs, ck.mem_inputs) != known:
                grew = True
                break
        count += n
        if not grew:
            return result(True, n, True)

    # 3. sampled: each input alone at its boundary values, then random states
    for st in _group_states(ck, rng):
        count += 1
        cex = ck.compare(st)
        if cex is not None:
            return result(False, count, False, cex)
    for _ in range(samples):
        count += 1
        cex = ck.compare(ck.random_state(rng))
        if cex is not None:
            return result(False, count, False, cex)
    return result(True, count, False)


def _assign(background: _State, comps: list, i: int) -> _State | None:
    """The ``i``-th combination of the input components' values (None: not a real state)."""
    st = background.copy()
    st.mem = dict(background.mem)
    shift = 0
    high = 0  # the enumerated high bytes of X and Y
    for comp in reversed(comps):
        if isinstance(comp, tuple):
            st.mem[comp[1]] = (i >> shift) & 0xFF
            shift += 8
        elif comp <= 0x80:
            st.set(comp, (i >> shift) & 1)
            shift += 1
        else:
            v = (i >> shift) & 0xFF
            st.set(comp, v)
            if comp in (XH_, YH_):
                high |= v
            shift += 8
    if st.p & XF_:
        if high:
            return None  # 8-bit index registers have a zero high byte: not a state
        st.x &= 0xFF
        st.y &= 0xFF
    return st


def _uniform_states(ck: _Checker, rng: random.Random):
    """Every input at one boundary value, crossed with C and D set and clear."""
    for v16, v8 in zip(BOUNDARY16, BOUNDARY8, strict=True):
        for flags in (0x00, C_, DF_, C_ | DF_):
            st = _State(v16, v16, v16, flags | (rng.getrandbits(8) & (MF_ | XF_)), {}, 0)
            st.salt = rng.getrandbits(32)
            st.mem = {k: v8 for k in ck.mem_inputs}
            yield ck.normalize(st)


def _group_states(ck: _Checker, rng: random.Random, limit: int = 1_000):
    """One input (register or memory byte) at each boundary value, the rest random."""
    n = 0
    groups: list[tuple[str, str | int]] = []  # ("reg", name) or ("mem", key)
    for reg, lo, hi in (("a", AL_, AH_), ("x", XL_, XH_), ("y", YL_, YH_)):
        if ck.reg_inputs & (lo | hi):
            groups.append(("reg", reg))
    groups += [("mem", k) for k in sorted(ck.mem_inputs)]
    for kind, what in groups:
        for v16, v8 in zip(BOUNDARY16, BOUNDARY8, strict=True):
            if n >= limit:
                return
            st = ck.random_state(rng)
            if kind == "reg":
                assert isinstance(what, str)
                setattr(st, what, v16)
            else:
                assert isinstance(what, int)
                st.mem[what] = v8
            n += 1
            yield ck.normalize(st)

