"""The WDC 65C816 instruction table: every opcode once.

This is the single source of truth for opcodes. The emulator, the assembler, the
disassembler and the timing analysis all read it; nothing else in the project
spells out an opcode table.

Cycle counts follow the WDC datasheet. ``base`` is the count for 8-bit data and
index registers, D low byte zero, no page crossing, branch not taken and (for
BRK, COP and RTI) emulation mode. ``cycles()`` applies every adjustment rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Mode(Enum):
    """Addressing modes. ``value`` is (name, operand bytes or None, asar syntax)."""

    IMP = ("implied", 0, "")
    ACC = ("accumulator", 0, "A")
    IMM_M = ("immediate (M)", None, "#{}")
    IMM_X = ("immediate (X)", None, "#{}")
    IMM8 = ("immediate (8-bit)", 1, "#{}")
    DP = ("direct", 1, "{}")
    DPX = ("direct,X", 1, "{},x")
    DPY = ("direct,Y", 1, "{},y")
    DPI = ("(direct)", 1, "({})")
    DPIX = ("(direct,X)", 1, "({},x)")
    DPIY = ("(direct),Y", 1, "({}),y")
    DPIL = ("[direct]", 1, "[{}]")
    DPILY = ("[direct],Y", 1, "[{}],y")
    ABS = ("absolute", 2, "{}")
    ABSX = ("absolute,X", 2, "{},x")
    ABSY = ("absolute,Y", 2, "{},y")
    LONG = ("long", 3, "{}")
    LONGX = ("long,X", 3, "{},x")
    ABSI = ("(absolute)", 2, "({})")
    ABSIX = ("(absolute,X)", 2, "({},x)")
    ABSIL = ("[absolute]", 2, "[{}]")
    SR = ("stack,S", 1, "{},s")
    SRIY = ("(stack,S),Y", 1, "({},s),y")
    REL8 = ("relative", 1, "{}")
    REL16 = ("relative long", 2, "{}")
    BLK = ("block move", 2, "{},{}")

    @property
    def label(self) -> str:
        return str(self.value[0])

    @property
    def operand_bytes(self) -> int | None:
        n: int | None = self.value[1]
        return n

    @property
    def syntax(self) -> str:
        return str(self.value[2])


DIRECT_MODES = frozenset(
    {Mode.DP, Mode.DPX, Mode.DPY, Mode.DPI, Mode.DPIX, Mode.DPIY, Mode.DPIL, Mode.DPILY}
)

# Kinds of operation, for the cycle rules and for the analysis tools.
#   r: reads memory at the width of M     w: writes memory at the width of M
#   m: read-modify-write at the width of M
#   xr / xw: read / write memory at the width of X
#   o: other (implied, stack, control flow)
_M_READ = {"ORA", "AND", "EOR", "ADC", "BIT", "LDA", "CMP", "SBC"}
_M_WRITE = {"STA", "STZ"}
_M_RMW = {"ASL", "ROL", "LSR", "ROR", "INC", "DEC", "TSB", "TRB"}
_X_READ = {"LDX", "LDY", "CPX", "CPY"}
_X_WRITE = {"STX", "STY"}
BRANCHES = frozenset({"BPL", "BMI", "BVC", "BVS", "BCC", "BCS", "BNE", "BEQ", "BRA"})

_M, _X = Mode.IMM_M, Mode.IMM_X
# One row per high nibble: (mnemonic, mode, base cycles) for low nibbles 0..F.
_ROWS: list[list[tuple[str, Mode, int]]] = [
    [("BRK", Mode.IMM8, 7), ("ORA", Mode.DPIX, 6), ("COP", Mode.IMM8, 7), ("ORA", Mode.SR, 4),
     ("TSB", Mode.DP, 5), ("ORA", Mode.DP, 3), ("ASL", Mode.DP, 5), ("ORA", Mode.DPIL, 6),
     ("PHP", Mode.IMP, 3), ("ORA", _M, 2), ("ASL", Mode.ACC, 2), ("PHD", Mode.IMP, 4),
     ("TSB", Mode.ABS, 6), ("ORA", Mode.ABS, 4), ("ASL", Mode.ABS, 6), ("ORA", Mode.LONG, 5)],
    [("BPL", Mode.REL8, 2), ("ORA", Mode.DPIY, 5), ("ORA", Mode.DPI, 5), ("ORA", Mode.SRIY, 7),
     ("TRB", Mode.DP, 5), ("ORA", Mode.DPX, 4), ("ASL", Mode.DPX, 6), ("ORA", Mode.DPILY, 6),
     ("CLC", Mode.IMP, 2), ("ORA", Mode.ABSY, 4), ("INC", Mode.ACC, 2), ("TCS", Mode.IMP, 2),
     ("TRB", Mode.ABS, 6), ("ORA", Mode.ABSX, 4), ("ASL", Mode.ABSX, 7), ("ORA", Mode.LONGX, 5)],
    [("JSR", Mode.ABS, 6), ("AND", Mode.DPIX, 6), ("JSL", Mode.LONG, 8), ("AND", Mode.SR, 4),
     ("BIT", Mode.DP, 3), ("AND", Mode.DP, 3), ("ROL", Mode.DP, 5), ("AND", Mode.DPIL, 6),
     ("PLP", Mode.IMP, 4), ("AND", _M, 2), ("ROL", Mode.ACC, 2), ("PLD", Mode.IMP, 5),
     ("BIT", Mode.ABS, 4), ("AND", Mode.ABS, 4), ("ROL", Mode.ABS, 6), ("AND", Mode.LONG, 5)],
    [("BMI", Mode.REL8, 2), ("AND", Mode.DPIY, 5), ("AND", Mode.DPI, 5), ("AND", Mode.SRIY, 7),
     ("BIT", Mode.DPX, 4), ("AND", Mode.DPX, 4), ("ROL", Mode.DPX, 6), ("AND", Mode.DPILY, 6),
     ("SEC", Mode.IMP, 2), ("AND", Mode.ABSY, 4), ("DEC", Mode.ACC, 2), ("TSC", Mode.IMP, 2),
     ("BIT", Mode.ABSX, 4), ("AND", Mode.ABSX, 4), ("ROL", Mode.ABSX, 7), ("AND", Mode.LONGX, 5)],
    [("RTI", Mode.IMP, 6), ("EOR", Mode.DPIX, 6), ("WDM", Mode.IMM8, 2), ("EOR", Mode.SR, 4),
     ("MVP", Mode.BLK, 7), ("EOR", Mode.DP, 3), ("LSR", Mode.DP, 5), ("EOR", Mode.DPIL, 6),
     ("PHA", Mode.IMP, 3), ("EOR", _M, 2), ("LSR", Mode.ACC, 2), ("PHK", Mode.IMP, 3),
     ("JMP", Mode.ABS, 3), ("EOR", Mode.ABS, 4), ("LSR", Mode.ABS, 6), ("EOR", Mode.LONG, 5)],
    [("BVC", Mode.REL8, 2), ("EOR", Mode.DPIY, 5), ("EOR", Mode.DPI, 5), ("EOR", Mode.SRIY, 7),
     ("MVN", Mode.BLK, 7), ("EOR", Mode.DPX, 4), ("LSR", Mode.DPX, 6), ("EOR", Mode.DPILY, 6),
     ("CLI", Mode.IMP, 2), ("EOR", Mode.ABSY, 4), ("PHY", Mode.IMP, 3), ("TCD", Mode.IMP, 2),
     ("JML", Mode.LONG, 4), ("EOR", Mode.ABSX, 4), ("LSR", Mode.ABSX, 7), ("EOR", Mode.LONGX, 5)],
    [("RTS", Mode.IMP, 6), ("ADC", Mode.DPIX, 6), ("PER", Mode.REL16, 6), ("ADC", Mode.SR, 4),
     ("STZ", Mode.DP, 3), ("ADC", Mode.DP, 3), ("ROR", Mode.DP, 5), ("ADC", Mode.DPIL, 6),
     ("PLA", Mode.IMP, 4), ("ADC", _M, 2), ("ROR", Mode.ACC, 2), ("RTL", Mode.IMP, 6),
     ("JMP", Mode.ABSI, 5), ("ADC", Mode.ABS, 4), ("ROR", Mode.ABS, 6), ("ADC", Mode.LONG, 5)],
    [("BVS", Mode.REL8, 2), ("ADC", Mode.DPIY, 5), ("ADC", Mode.DPI, 5), ("ADC", Mode.SRIY, 7),
     ("STZ", Mode.DPX, 4), ("ADC", Mode.DPX, 4), ("ROR", Mode.DPX, 6), ("ADC", Mode.DPILY, 6),
     ("SEI", Mode.IMP, 2), ("ADC", Mode.ABSY, 4), ("PLY", Mode.IMP, 4), ("TDC", Mode.IMP, 2),
     ("JMP", Mode.ABSIX, 6), ("ADC", Mode.ABSX, 4), ("ROR", Mode.ABSX, 7), ("ADC", Mode.LONGX, 5)],
    [("BRA", Mode.REL8, 3), ("STA", Mode.DPIX, 6), ("BRL", Mode.REL16, 4), ("STA", Mode.SR, 4),
     ("STY", Mode.DP, 3), ("STA", Mode.DP, 3), ("STX", Mode.DP, 3), ("STA", Mode.DPIL, 6),
     ("DEY", Mode.IMP, 2), ("BIT", _M, 2), ("TXA", Mode.IMP, 2), ("PHB", Mode.IMP, 3),
     ("STY", Mode.ABS, 4), ("STA", Mode.ABS, 4), ("STX", Mode.ABS, 4), ("STA", Mode.LONG, 5)],
    [("BCC", Mode.REL8, 2), ("STA", Mode.DPIY, 6), ("STA", Mode.DPI, 5), ("STA", Mode.SRIY, 7),
     ("STY", Mode.DPX, 4), ("STA", Mode.DPX, 4), ("STX", Mode.DPY, 4), ("STA", Mode.DPILY, 6),
     ("TYA", Mode.IMP, 2), ("STA", Mode.ABSY, 5), ("TXS", Mode.IMP, 2), ("TXY", Mode.IMP, 2),
     ("STZ", Mode.ABS, 4), ("STA", Mode.ABSX, 5), ("STZ", Mode.ABSX, 5), ("STA", Mode.LONGX, 5)],
    [("LDY", _X, 2), ("LDA", Mode.DPIX, 6), ("LDX", _X, 2), ("LDA", Mode.SR, 4),
     ("LDY", Mode.DP, 3), ("LDA", Mode.DP, 3), ("LDX", Mode.DP, 3), ("LDA", Mode.DPIL, 6),
     ("TAY", Mode.IMP, 2), ("LDA", _M, 2), ("TAX", Mode.IMP, 2), ("PLB", Mode.IMP, 4),
     ("LDY", Mode.ABS, 4), ("LDA", Mode.ABS, 4), ("LDX", Mode.ABS, 4), ("LDA", Mode.LONG, 5)],
    [("BCS", Mode.REL8, 2), ("LDA", Mode.DPIY, 5), ("LDA", Mode.DPI, 5), ("LDA", Mode.SRIY, 7),
     ("LDY", Mode.DPX, 4), ("LDA", Mode.DPX, 4), ("LDX", Mode.DPY, 4), ("LDA", Mode.DPILY, 6),
     ("CLV", Mode.IMP, 2), ("LDA", Mode.ABSY, 4), ("TSX", Mode.IMP, 2), ("TYX", Mode.IMP, 2),
     ("LDY", Mode.ABSX, 4), ("LDA", Mode.ABSX, 4), ("LDX", Mode.ABSY, 4), ("LDA", Mode.LONGX, 5)],
    [("CPY", _X, 2), ("CMP", Mode.DPIX, 6), ("REP", Mode.IMM8, 3), ("CMP", Mode.SR, 4),
     ("CPY", Mode.DP, 3), ("CMP", Mode.DP, 3), ("DEC", Mode.DP, 5), ("CMP", Mode.DPIL, 6),
     ("INY", Mode.IMP, 2), ("CMP", _M, 2), ("DEX", Mode.IMP, 2), ("WAI", Mode.IMP, 3),
     ("CPY", Mode.ABS, 4), ("CMP", Mode.ABS, 4), ("DEC", Mode.ABS, 6), ("CMP", Mode.LONG, 5)],
    [("BNE", Mode.REL8, 2), ("CMP", Mode.DPIY, 5), ("CMP", Mode.DPI, 5), ("CMP", Mode.SRIY, 7),
     ("PEI", Mode.DPI, 6), ("CMP", Mode.DPX, 4), ("DEC", Mode.DPX, 6), ("CMP", Mode.DPILY, 6),
     ("CLD", Mode.IMP, 2), ("CMP", Mode.ABSY, 4), ("PHX", Mode.IMP, 3), ("STP", Mode.IMP, 3),
     ("JML", Mode.ABSIL, 6), ("CMP", Mode.ABSX, 4), ("DEC", Mode.ABSX, 7), ("CMP", Mode.LONGX, 5)],
    [("CPX", _X, 2), ("SBC", Mode.DPIX, 6), ("SEP", Mode.IMM8, 3), ("SBC", Mode.SR, 4),
     ("CPX", Mode.DP, 3), ("SBC", Mode.DP, 3), ("INC", Mode.DP, 5), ("SBC", Mode.DPIL, 6),
     ("INX", Mode.IMP, 2), ("SBC", _M, 2), ("NOP", Mode.IMP, 2), ("XBA", Mode.IMP, 3),
     ("CPX", Mode.ABS, 4), ("SBC", Mode.ABS, 4), ("INC", Mode.ABS, 6), ("SBC", Mode.LONG, 5)],
    [("BEQ", Mode.REL8, 2), ("SBC", Mode.DPIY, 5), ("SBC", Mode.DPI, 5), ("SBC", Mode.SRIY, 7),
     ("PEA", Mode.ABS, 5), ("SBC", Mode.DPX, 4), ("INC", Mode.DPX, 6), ("SBC", Mode.DPILY, 6),
     ("SED", Mode.IMP, 2), ("SBC", Mode.ABSY, 4), ("PLX", Mode.IMP, 4), ("XCE", Mode.IMP, 2),
     ("JSR", Mode.ABSIX, 8), ("SBC", Mode.ABSX, 4), ("INC", Mode.ABSX, 7), ("SBC", Mode.LONGX, 5)],
]

# Stack and register instructions whose cycle count grows with M or X.
_PUSH_PULL_M = {"PHA", "PLA"}
_PUSH_PULL_X = {"PHX", "PHY", "PLX", "PLY"}


@dataclass(frozen=True, slots=True)
class Opcode:
    code: int
    mnemonic: str
    mode: Mode
    base_cycles: int
    kind: str  # r w m xr xw o (see above)

    def length(self, m: int = 1, x: int = 1) -> int:
        """Instruction length in bytes for the given M and X flags (1 = 8-bit)."""
        n = self.mode.operand_bytes
        if n is None:
            flag = m if self.mode is Mode.IMM_M else x
            n = 1 if flag else 2
        return 1 + n

    @property
    def width_flag(self) -> str | None:
        """Which flag sets this instruction's data width: "m", "x" or None."""
        if self.kind in ("r", "w", "m") or self.mnemonic in _PUSH_PULL_M:
            return "m"
        if self.kind in ("xr", "xw") or self.mnemonic in _PUSH_PULL_X:
            return "x"
        return None

    def cycles(
        self,
        m: int = 1,
        x: int = 1,
        e: int = 0,
        dl_nonzero: bool = False,
        page_crossed: bool = False,
        branch_taken: bool = False,
        branch_page_crossed: bool = False,
    ) -> int:
        """CPU cycles under the given conditions (every datasheet rule).

        ``page_crossed``: for indexed reads (abs,X abs,Y (dp),Y) the indexed
        address is on another page than the base. ``branch_page_crossed``: a
        taken branch lands on another page than the next instruction (counts
        only in emulation mode). For MVN/MVP this is the count per byte moved.
        """
        c = self.base_cycles
        mode = self.mode
        if e:
            m = x = 1
        elif self.mnemonic in ("BRK", "COP", "RTI"):
            c += 1
        wf = self.width_flag
        if wf == "m" and not m and mode is not Mode.ACC:
            c += 2 if self.kind == "m" else 1
        elif wf == "x" and not x:
            c += 1
        if dl_nonzero and (mode in DIRECT_MODES):
            c += 1
        if self.kind in ("r", "xr") and mode in (Mode.ABSX, Mode.ABSY, Mode.DPIY):
            if page_crossed or not x:
                c += 1
        if self.mnemonic in BRANCHES and self.mnemonic != "BRA":
            if branch_taken:
                c += 1
                if e and branch_page_crossed:
                    c += 1
        elif self.mnemonic == "BRA" and e and branch_page_crossed:
            c += 1
        return c

    def cycle_range(self, m: int = 1, x: int = 1, e: int = 0, dl_nonzero: bool = False) -> tuple[int, int]:
        """Fewest and most cycles over the conditions not known statically."""
        lo = self.cycles(m, x, e, dl_nonzero)
        hi = self.cycles(m, x, e, dl_nonzero, True, True, True)
        return lo, hi


def _kind(mnemonic: str, mode: Mode) -> str:
    if mode in (Mode.IMP, Mode.ACC) and mnemonic in _M_RMW:
        return "o"
    if mnemonic in _M_READ:
        return "r"
    if mnemonic in _M_WRITE:
        return "w"
    if mnemonic in _M_RMW:
        return "m"
    if mnemonic in _X_READ:
        return "xr"
    if mnemonic in _X_WRITE:
        return "xw"
    return "o"


def _build() -> tuple[Opcode, ...]:
    ops = []
    for hi, row in enumerate(_ROWS):
        assert len(row) == 16, hi
        for lo, (mn, mode, base) in enumerate(row):
            ops.append(Opcode(hi * 16 + lo, mn, mode, base, _kind(mn, mode)))
    return tuple(ops)


OPCODES: tuple[Opcode, ...] = _build()
"""All 256 opcodes, indexed by opcode byte."""

_BY_NAME: dict[tuple[str, Mode], Opcode] = {(o.mnemonic, o.mode): o for o in OPCODES}
MNEMONICS: frozenset[str] = frozenset(o.mnemonic for o in OPCODES)


def lookup(mnemonic: str, mode: Mode) -> Opcode | None:
    """The opcode for a mnemonic and addressing mode, or None.

    Immediate modes may be given as IMM_M, IMM_X or IMM8 interchangeably.
    """
    mn = mnemonic.upper()
    op = _BY_NAME.get((mn, mode))
    if op is None and mode in (Mode.IMM_M, Mode.IMM_X, Mode.IMM8):
        for alt in (Mode.IMM_M, Mode.IMM_X, Mode.IMM8):
            op = _BY_NAME.get((mn, alt))
            if op is not None:
                break
    return op


_MODES_OF: dict[str, dict[Mode, Opcode]] = {}
for _op in OPCODES:
    _MODES_OF.setdefault(_op.mnemonic, {})[_op.mode] = _op


def modes_of(mnemonic: str) -> dict[Mode, Opcode]:
    """Every addressing mode a mnemonic has, with its opcode (do not modify the result)."""
    return _MODES_OF.get(mnemonic.upper(), {})
