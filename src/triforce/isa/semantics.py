"""What each 65C816 instruction does: registers and flags read and written, memory,
stack bytes and control flow, per opcode and register-width variant.

This is the one place that says so. The disassembler, the emulator's code generator,
the timing analysis, the linter, the equivalence checker and the optimizer read it;
``tests/isa/test_semantics.py`` checks every opcode in every width variant against the
emulator.

A width variant is native mode with M and X each 8- or 16-bit, or emulation mode.
Widths here are flags as the P register holds them: ``m``/``x`` = 1 is 8-bit, 0 is 16-bit.

``reads`` may over-state (a part listed may not matter in every case), ``writes`` never
does: a part not listed keeps its value. Two effects depend on more than the width:
REP and SEP write the P bits of their operand (``flags_from_operand``), and an
instruction that sets the X flag from clear also clears X.h and Y.h; XCE into
emulation mode sets M and X (:func:`next_widths` gives the widths after any
instruction). The fixed parts of the state (S, D, DB, PB, E) are not parts here:
the stack is ``stack``, the rest is in the instruction's description.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, IntFlag

from triforce.isa.table import BRANCHES, OPCODES, Mode, Opcode


class Part(IntFlag):
    """The parts of the processor state an instruction reads or writes: the flags at their
    P bit positions, then the bytes of A, X and Y."""

    C = 0x01
    Z = 0x02
    I = 0x04  # noqa: E741 - the flag's name
    D = 0x08
    XF = 0x10  # the X (index width) flag
    MF = 0x20  # the M (accumulator width) flag
    V = 0x40
    N = 0x80
    AL = 0x100
    AH = 0x200
    XL = 0x400
    XH = 0x800
    YL = 0x1000
    YH = 0x2000


FLAGS = Part(0xFF)
NZ = Part.N | Part.Z
A16 = Part.AL | Part.AH
X16 = Part.XL | Part.XH
Y16 = Part.YL | Part.YH


class Flow(Enum):
    """Where execution goes after the instruction."""

    NEXT = "falls through"
    BRANCH = "conditional branch"   # BPL BMI BVC BVS BCC BCS BNE BEQ
    JUMP = "jump"                   # BRA BRL JMP JML
    CALL = "call"                   # JSR JSL
    RETURN = "return"               # RTS RTL RTI
    INTERRUPT = "software interrupt"  # BRK COP
    STOP = "stop"                   # STP
    WAIT = "wait for an interrupt"  # WAI (then falls through, or to the handler)
    REPEAT = "repeats until done"   # MVN MVP (one byte per execution)


class Access(Enum):
    """What the instruction does to the memory its operand addresses (data, not pointers)."""

    NONE = "none"
    READ = "read"
    WRITE = "write"
    MODIFY = "read-modify-write"
    MOVE = "block move"  # MVN MVP: one byte read from bank X, written to bank Y


class Result(Enum):
    """What an instruction sets N and Z from."""

    A = "A at the width of M"
    X = "X at the width of X"
    Y = "Y at the width of X"
    MEMORY = "the memory byte or word it wrote"
    OTHER = "something else: a comparison, a bit test, the flags pulled, another width"


@dataclass(frozen=True, slots=True)
class Effects:
    """What one opcode does in one width variant."""

    reads: Part
    writes: Part
    flags_from_operand: bool  # REP / SEP: also write the P bits set in the operand
    memory: Access
    memory_bytes: int  # bytes of the operand's memory read or written (0: none)
    stack: int | None  # bytes pushed (> 0) or pulled (< 0); None: S is set (TCS, TXS; XCE into
    #                   emulation mode sets its high byte to 1)
    flow: Flow
    ends_block: bool   # what follows cannot be known statically (flow, widths, interrupts)
    nz_from: Result | None  # what N and Z are set from (None: not written)
    pointer_bytes: int  # bytes of the pointer an indirect mode reads (PEI: the word it pushes)


# -- the rules -----------------------------------------------------------------------------

_X_INDEXED = frozenset({Mode.DPX, Mode.ABSX, Mode.LONGX, Mode.DPIX, Mode.ABSIX})
_Y_INDEXED = frozenset({Mode.DPY, Mode.ABSY, Mode.DPIY, Mode.DPILY, Mode.SRIY})
_FLAG_OPS = {"CLC": Part.C, "SEC": Part.C, "CLD": Part.D, "SED": Part.D, "CLI": Part.I,
             "SEI": Part.I, "CLV": Part.V}
#: The flag each conditional branch tests, and the value that takes it.
BRANCH_FLAG: dict[str, tuple[Part, int]] = {
    "BCC": (Part.C, 0), "BCS": (Part.C, 1), "BNE": (Part.Z, 0), "BEQ": (Part.Z, 1),
    "BPL": (Part.N, 0), "BMI": (Part.N, 1), "BVC": (Part.V, 0), "BVS": (Part.V, 1),
}
_FIXED_STACK = {"PHP": 1, "PHB": 1, "PHK": 1, "PHD": 2, "PEA": 2, "PEI": 2, "PER": 2,
                "PLP": -1, "PLB": -1, "PLD": -2, "JSR": 2, "JSL": 3, "RTS": -2, "RTL": -3}
_STACK_M = {"PHA": 1, "PLA": -1}
_STACK_X = {"PHX": 1, "PHY": 1, "PLX": -1, "PLY": -1}
_FLOW = {"BRA": Flow.JUMP, "BRL": Flow.JUMP, "JMP": Flow.JUMP, "JML": Flow.JUMP,
         "JSR": Flow.CALL, "JSL": Flow.CALL, "RTS": Flow.RETURN, "RTL": Flow.RETURN,
         "RTI": Flow.RETURN, "BRK": Flow.INTERRUPT, "COP": Flow.INTERRUPT, "STP": Flow.STOP,
         "WAI": Flow.WAIT, "MVN": Flow.REPEAT, "MVP": Flow.REPEAT}
# Fall through, but what follows depends on state not known statically: XCE and PLP set
# the widths and E at run time, CLI lets a pending IRQ in.
_ENDS_BLOCK = frozenset({"XCE", "PLP", "CLI"})
_IMMEDIATE = (Mode.IMM_M, Mode.IMM_X, Mode.IMM8)
#: Bytes of the pointer each indirect addressing mode reads.
POINTER_BYTES = {Mode.DPI: 2, Mode.DPIX: 2, Mode.DPIY: 2, Mode.SRIY: 2, Mode.DPIL: 3,
                 Mode.DPILY: 3, Mode.ABSI: 2, Mode.ABSIX: 2, Mode.ABSIL: 3}


def _registers(op: Opcode, m: int, x: int) -> tuple[Part, Part]:
    mn, mode = op.mnemonic, op.mode
    acc = Part.AL if m else A16
    ix = Part.XL if x else X16
    iy = Part.YL if x else Y16
    r = w = Part(0)
    if mode in _X_INDEXED:
        r |= ix | Part.XF
    elif mode in _Y_INDEXED:
        r |= iy | Part.XF
    if mode is Mode.IMM_M:
        r |= Part.MF
    elif mode is Mode.IMM_X:
        r |= Part.XF
    if mn == "LDA":
        r |= Part.MF
        w |= acc | NZ
    elif mn == "STA":
        r |= Part.MF | acc
    elif mn == "STZ":
        r |= Part.MF
    elif mn in ("ORA", "AND", "EOR"):
        r |= Part.MF | acc
        w |= acc | NZ
    elif mn in ("ADC", "SBC"):
        r |= Part.MF | acc | Part.C | Part.D
        w |= acc | NZ | Part.V | Part.C
    elif mn == "CMP":
        r |= Part.MF | acc
        w |= NZ | Part.C
    elif mn == "BIT":
        r |= Part.MF | acc
        w |= Part.Z if mode is Mode.IMM_M else NZ | Part.V
    elif mn in ("ASL", "LSR", "ROL", "ROR"):
        r |= Part.MF | (Part.C if mn in ("ROL", "ROR") else 0)
        w |= NZ | Part.C
        if mode is Mode.ACC:
            r |= acc
            w |= acc
    elif mn in ("INC", "DEC"):
        r |= Part.MF
        w |= NZ
        if mode is Mode.ACC:
            r |= acc
            w |= acc
    elif mn in ("TSB", "TRB"):
        r |= Part.MF | acc
        w |= Part.Z
    elif mn in ("LDX", "PLX", "TSX"):
        r |= Part.XF
        w |= ix | NZ
    elif mn in ("LDY", "PLY"):
        r |= Part.XF
        w |= iy | NZ
    elif mn in ("STX", "PHX"):
        r |= Part.XF | ix
    elif mn in ("STY", "PHY"):
        r |= Part.XF | iy
    elif mn == "CPX":
        r |= Part.XF | ix
        w |= NZ | Part.C
    elif mn == "CPY":
        r |= Part.XF | iy
        w |= NZ | Part.C
    elif mn in ("INX", "DEX"):
        r |= Part.XF | ix
        w |= ix | NZ
    elif mn in ("INY", "DEY"):
        r |= Part.XF | iy
        w |= iy | NZ
    elif mn in ("TAX", "TAY"):
        r |= Part.XF | (Part.AL if x else A16)
        w |= (ix if mn == "TAX" else iy) | NZ
    elif mn in ("TXA", "TYA"):
        lo, hi = (Part.XL, Part.XH) if mn == "TXA" else (Part.YL, Part.YH)
        r |= Part.MF | (lo if m else lo | hi)
        w |= acc | NZ
    elif mn == "TXY":
        r |= Part.XF | ix
        w |= iy | NZ
    elif mn == "TYX":
        r |= Part.XF | iy
        w |= ix | NZ
    elif mn == "TXS":
        r |= Part.XF | X16
    elif mn in ("TCS", "TCD"):
        r |= A16
        w |= NZ if mn == "TCD" else 0
    elif mn in ("TSC", "TDC"):
        w |= A16 | NZ
    elif mn == "XBA":
        r |= A16
        w |= A16 | NZ
    elif mn == "PHA":
        r |= Part.MF | acc
    elif mn == "PLA":
        r |= Part.MF
        w |= acc | NZ
    elif mn == "PHP":
        r |= FLAGS
    elif mn in ("PLP", "RTI"):
        w |= FLAGS
    elif mn in ("PLB", "PLD"):
        w |= NZ
    elif mn in _FLAG_OPS:
        w |= _FLAG_OPS[mn]
    elif mn == "XCE":
        r |= Part.C
        w |= Part.C  # entering emulation mode also sets M and X (next_widths)
    elif mn in BRANCH_FLAG:
        r |= BRANCH_FLAG[mn][0]
    elif mn in ("BRK", "COP"):
        r |= FLAGS
        w |= Part.I | Part.D
    elif mn in ("MVN", "MVP"):
        r |= A16 | ix | iy | Part.XF
        w |= A16 | ix | iy
    return r, w


def _memory(op: Opcode, m: int, x: int) -> tuple[Access, int]:
    if op.mode in _IMMEDIATE or op.mode is Mode.ACC:
        return Access.NONE, 0
    mw = 1 if m else 2
    xw = 1 if x else 2
    kind = op.kind
    if kind == "r":
        return Access.READ, mw
    if kind == "w":
        return Access.WRITE, mw
    if kind == "m":
        return Access.MODIFY, mw
    if kind == "xr":
        return Access.READ, xw
    if kind == "xw":
        return Access.WRITE, xw
    if op.mnemonic in ("MVN", "MVP"):
        return Access.MOVE, 1
    return Access.NONE, 0


def _stack(op: Opcode, m: int, x: int, e: int) -> int | None:
    mn = op.mnemonic
    if mn in ("TCS", "TXS") or (mn == "XCE" and not e):
        return None
    if mn in _STACK_M:
        return _STACK_M[mn] * (1 if m else 2)
    if mn in _STACK_X:
        return _STACK_X[mn] * (1 if x else 2)
    if mn in ("BRK", "COP"):
        return 3 if e else 4
    if mn == "RTI":
        return -3 if e else -4
    return _FIXED_STACK.get(mn, 0)


_NZ_FROM = {**dict.fromkeys(("LDA", "PLA", "TXA", "TYA", "AND", "ORA", "EOR", "ADC", "SBC"),
                           Result.A),
            **dict.fromkeys(("LDX", "PLX", "TAX", "TYX", "INX", "DEX", "TSX"), Result.X),
            **dict.fromkeys(("LDY", "PLY", "TAY", "TXY", "INY", "DEY"), Result.Y)}
_SHIFTS = frozenset({"ASL", "LSR", "ROL", "ROR", "INC", "DEC"})


def _nz_from(op: Opcode, writes: Part) -> Result | None:
    if not writes & NZ:
        return None
    if op.mnemonic in _SHIFTS:
        return Result.A if op.mode is Mode.ACC else Result.MEMORY
    return _NZ_FROM.get(op.mnemonic, Result.OTHER)


def _build(op: Opcode, m: int, x: int, e: int) -> Effects:
    reads, writes = _registers(op, m, x)
    memory, nbytes = _memory(op, m, x)
    mn = op.mnemonic
    flow = Flow.BRANCH if mn in BRANCHES and mn != "BRA" else _FLOW.get(mn, Flow.NEXT)
    return Effects(reads, writes, mn in ("REP", "SEP"), memory, nbytes, _stack(op, m, x, e),
                   flow, flow is not Flow.NEXT or mn in _ENDS_BLOCK, _nz_from(op, writes), POINTER_BYTES.get(op.mode, 0))


#: Width variants: 0..3 native (M << 1 | X), 4 emulation.
EMULATION = 4
VARIANTS = (0, 1, 2, 3, EMULATION)


def variant(m: int, x: int, e: int = 0) -> int:
    """The width variant of flags M and X (1 = 8-bit) and E."""
    return EMULATION if e else (1 if m else 0) << 1 | (1 if x else 0)


_TABLE: tuple[Effects, ...] = tuple(
    _build(op, *((1, 1, 1) if v == EMULATION else (v >> 1, v & 1, 0)))
    for v in VARIANTS for op in OPCODES
)


def effects(op: Opcode | int, m: int = 1, x: int = 1, e: int = 0) -> Effects:
    """What opcode ``op`` (an :class:`Opcode` or its byte) does at widths ``m``/``x``
    (1 = 8-bit) in native mode, or in emulation mode when ``e``."""
    code = op if isinstance(op, int) else op.code
    return _TABLE[variant(m, x, e) << 8 | code]


def mnemonics_where(test: Callable[[Effects], bool]) -> frozenset[str]:
    """The mnemonics for which ``test(effects)`` holds in every opcode and width variant."""
    result: dict[str, bool] = {}
    for v in VARIANTS:
        for op in OPCODES:
            ok = test(_TABLE[v << 8 | op.code])
            result[op.mnemonic] = result.get(op.mnemonic, True) and ok
    return frozenset(mn for mn, ok in result.items() if ok)


def ends_block(op: Opcode | int, operand: int | None = None) -> bool:
    """True when what follows the instruction cannot be known from the code alone: its
    flow, XCE and PLP (widths at run time), CLI and a REP that may clear I (a pending IRQ
    comes in). ``operand``: REP's operand byte when known."""
    o = OPCODES[op] if isinstance(op, int) else op
    if o.mnemonic == "REP":
        return operand is None or bool(operand & Part.I)
    return _TABLE[o.code].ends_block


# -- widths --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Widths:
    """M and X (1 = 8-bit, 0 = 16-bit) and E; None where not known."""

    m: int | None
    x: int | None
    e: int | None = 0


#: The instructions that change M, X or E (next_widths says how).
WIDTH_SETTERS = frozenset({"REP", "SEP", "XCE", "PLP", "RTI"})


def next_widths(op: Opcode | int, before: Widths, operand: int | None = None,
                carry: int | None = None) -> Widths:
    """The widths after the instruction. ``operand``: REP/SEP's operand byte, or for PLP
    and RTI the P byte they pull, when known. ``carry``: the C flag before an XCE."""
    o = OPCODES[op] if isinstance(op, int) else op
    mn = o.mnemonic
    m, x, e = before.m, before.x, before.e
    if e == 1:
        m = x = 1
    if mn == "REP":
        if e == 1:
            return Widths(1, 1, 1)
        if operand is None:
            return Widths(None, None, e)
        if operand & Part.MF:
            m = 0 if e == 0 else (0 if m == 0 else None)
        if operand & Part.XF:
            x = 0 if e == 0 else (0 if x == 0 else None)
        return Widths(m, x, e)
    if mn == "SEP":
        if operand is None:
            return Widths(1 if m == 1 else None, 1 if x == 1 else None, e)
        return Widths(1 if operand & Part.MF else m, 1 if operand & Part.XF else x, e)
    if mn == "XCE":
        if carry == 1:
            return Widths(1, 1, 1)
        if carry == 0:
            return Widths(m, x, 0)
        return Widths(1 if m == 1 else None, 1 if x == 1 else None, None)
    if mn in ("PLP", "RTI"):
        if e == 1:
            return Widths(1, 1, 1)
        if operand is None:
            return Widths(None, None, e)
        clear = 0 if e == 0 else None  # a clear bit counts only in native mode
        return Widths(1 if operand & Part.MF else clear, 1 if operand & Part.XF else clear, e)
    return Widths(m, x, e)
