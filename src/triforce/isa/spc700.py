"""The SPC700 (SNES sound CPU) instruction table: every opcode once, in asar's syntax.

This is the single source of truth for SPC700 opcodes: the assembler (``arch spc700``,
``arch spc700-inline``, ``spcblock``) and any disassembler read it; nothing else spells
out an SPC700 opcode table.

Operand patterns
----------------
Each opcode has a mnemonic and an operand pattern written the way asar 1.91 reads the
instruction, with these placeholders for the values:

==============  ======  ==========================================================
placeholder     bytes   meaning
==============  ======  ==========================================================
``dp``          1       a direct-page address (page 0 or 1, chosen by the P flag)
``abs``         2       a 16-bit absolute address
``#imm``        1       an immediate byte
``rel``         1       a branch target (stored as a signed offset from the next
                        instruction)
``upage``       1       the low byte of an address in $FF00-$FFFF (PCALL)
``dp.N``        1       bit N (a literal 0-7, encoded in the opcode) of a dp byte
``mem.bit``     2       a 13-bit address and a bit number packed as
                        ``bit << 13 | address`` (MOV1, AND1, OR1, EOR1, NOT1)
``!mem.bit``    2       the same, with the bit inverted (asar's spelling of the
                        ``/mem.bit`` of Sony's manual)
==============  ======  ==========================================================

Everything else is literal text of the syntax (case-insensitive in source): the
registers ``A X Y YA SP P C``, the indirections ``(X)``, ``(Y)``, ``(X+)`` (asar's
spelling of Sony's ``(X)+``), ``(dp+X)`` and ``(dp)+Y`` (Sony's ``[dp+X]`` and
``[dp]+Y``), ``(abs+X)`` (Sony's ``[abs+X]``), and indexing as ``dp+X``, ``abs+Y``.
TCALL's pattern is its vector number (``"0"`` .. ``"15"``). Mnemonics are asar's:
``TSET``/``TCLR`` (Sony: TSET1/TCLR1), ``PUSH P``/``POP P`` (Sony: PSW), ``SET1``
and ``CLR1`` with the bit in the pattern, ``BBS``/``BBC`` likewise.

Operand bytes follow the opcode in the order of the placeholders in the text, except
for the two-address forms ``dp,#imm`` and ``dp,dp``, which store the source (the
immediate, or the second dp) first: ``MOV $12,#$34`` is ``8F 34 12``. ``byte_order``
gives this for every opcode.

Cycles are the SPC700 documentation's counts (informational); for conditional
branches ``cycles`` is the count when the branch is not taken and ``taken`` when it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One row per high nibble: (mnemonic, pattern, length in bytes, cycles) for low nibbles
# 0..F; cycles is (not taken, taken) for conditional branches.
_Row = list[tuple[str, str, int, int | tuple[int, int]]]

_ROWS: list[_Row] = [
    [  # 0x
        ("NOP", "", 1, 2), ("TCALL", "0", 1, 8), ("SET1", "dp.0", 2, 4),
        ("BBS", "dp.0,rel", 3, (5, 7)), ("OR", "A,dp", 2, 3), ("OR", "A,abs", 3, 4),
        ("OR", "A,(X)", 1, 3), ("OR", "A,(dp+X)", 2, 6), ("OR", "A,#imm", 2, 2),
        ("OR", "dp,dp", 3, 6), ("OR1", "C,mem.bit", 3, 5), ("ASL", "dp", 2, 4),
        ("ASL", "abs", 3, 5), ("PUSH", "P", 1, 4), ("TSET", "abs,A", 3, 6),
        ("BRK", "", 1, 8),
    ],
    [  # 1x
        ("BPL", "rel", 2, (2, 4)), ("TCALL", "1", 1, 8), ("CLR1", "dp.0", 2, 4),
        ("BBC", "dp.0,rel", 3, (5, 7)), ("OR", "A,dp+X", 2, 4), ("OR", "A,abs+X", 3, 5),
        ("OR", "A,abs+Y", 3, 5), ("OR", "A,(dp)+Y", 2, 6), ("OR", "dp,#imm", 3, 5),
        ("OR", "(X),(Y)", 1, 5), ("DECW", "dp", 2, 6), ("ASL", "dp+X", 2, 5),
        ("ASL", "A", 1, 2), ("DEC", "X", 1, 2), ("CMP", "X,abs", 3, 4),
        ("JMP", "(abs+X)", 3, 6),
    ],
    [  # 2x
        ("CLRP", "", 1, 2), ("TCALL", "2", 1, 8), ("SET1", "dp.1", 2, 4),
        ("BBS", "dp.1,rel", 3, (5, 7)), ("AND", "A,dp", 2, 3), ("AND", "A,abs", 3, 4),
        ("AND", "A,(X)", 1, 3), ("AND", "A,(dp+X)", 2, 6), ("AND", "A,#imm", 2, 2),
        ("AND", "dp,dp", 3, 6), ("OR1", "C,!mem.bit", 3, 5), ("ROL", "dp", 2, 4),
        ("ROL", "abs", 3, 5), ("PUSH", "A", 1, 4), ("CBNE", "dp,rel", 3, (5, 7)),
        ("BRA", "rel", 2, 4),
    ],
    [  # 3x
        ("BMI", "rel", 2, (2, 4)), ("TCALL", "3", 1, 8), ("CLR1", "dp.1", 2, 4),
        ("BBC", "dp.1,rel", 3, (5, 7)), ("AND", "A,dp+X", 2, 4), ("AND", "A,abs+X", 3, 5),
        ("AND", "A,abs+Y", 3, 5), ("AND", "A,(dp)+Y", 2, 6), ("AND", "dp,#imm", 3, 5),
        ("AND", "(X),(Y)", 1, 5), ("INCW", "dp", 2, 6), ("ROL", "dp+X", 2, 5),
        ("ROL", "A", 1, 2), ("INC", "X", 1, 2), ("CMP", "X,dp", 2, 3),
        ("CALL", "abs", 3, 8),
    ],
    [  # 4x
        ("SETP", "", 1, 2), ("TCALL", "4", 1, 8), ("SET1", "dp.2", 2, 4),
        ("BBS", "dp.2,rel", 3, (5, 7)), ("EOR", "A,dp", 2, 3), ("EOR", "A,abs", 3, 4),
        ("EOR", "A,(X)", 1, 3), ("EOR", "A,(dp+X)", 2, 6), ("EOR", "A,#imm", 2, 2),
        ("EOR", "dp,dp", 3, 6), ("AND1", "C,mem.bit", 3, 4), ("LSR", "dp", 2, 4),
        ("LSR", "abs", 3, 5), ("PUSH", "X", 1, 4), ("TCLR", "abs,A", 3, 6),
        ("PCALL", "upage", 2, 6),
    ],
    [  # 5x
        ("BVC", "rel", 2, (2, 4)), ("TCALL", "5", 1, 8), ("CLR1", "dp.2", 2, 4),
        ("BBC", "dp.2,rel", 3, (5, 7)), ("EOR", "A,dp+X", 2, 4), ("EOR", "A,abs+X", 3, 5),
        ("EOR", "A,abs+Y", 3, 5), ("EOR", "A,(dp)+Y", 2, 6), ("EOR", "dp,#imm", 3, 5),
        ("EOR", "(X),(Y)", 1, 5), ("CMPW", "YA,dp", 2, 4), ("LSR", "dp+X", 2, 5),
        ("LSR", "A", 1, 2), ("MOV", "X,A", 1, 2), ("CMP", "Y,abs", 3, 4),
        ("JMP", "abs", 3, 3),
    ],
    [  # 6x
        ("CLRC", "", 1, 2), ("TCALL", "6", 1, 8), ("SET1", "dp.3", 2, 4),
        ("BBS", "dp.3,rel", 3, (5, 7)), ("CMP", "A,dp", 2, 3), ("CMP", "A,abs", 3, 4),
        ("CMP", "A,(X)", 1, 3), ("CMP", "A,(dp+X)", 2, 6), ("CMP", "A,#imm", 2, 2),
        ("CMP", "dp,dp", 3, 6), ("AND1", "C,!mem.bit", 3, 4), ("ROR", "dp", 2, 4),
        ("ROR", "abs", 3, 5), ("PUSH", "Y", 1, 4), ("DBNZ", "dp,rel", 3, (5, 7)),
        ("RET", "", 1, 5),
    ],
    [  # 7x
        ("BVS", "rel", 2, (2, 4)), ("TCALL", "7", 1, 8), ("CLR1", "dp.3", 2, 4),
        ("BBC", "dp.3,rel", 3, (5, 7)), ("CMP", "A,dp+X", 2, 4), ("CMP", "A,abs+X", 3, 5),
        ("CMP", "A,abs+Y", 3, 5), ("CMP", "A,(dp)+Y", 2, 6), ("CMP", "dp,#imm", 3, 5),
        ("CMP", "(X),(Y)", 1, 5), ("ADDW", "YA,dp", 2, 5), ("ROR", "dp+X", 2, 5),
        ("ROR", "A", 1, 2), ("MOV", "A,X", 1, 2), ("CMP", "Y,dp", 2, 3),
        ("RETI", "", 1, 6),
    ],
    [  # 8x
        ("SETC", "", 1, 2), ("TCALL", "8", 1, 8), ("SET1", "dp.4", 2, 4),
        ("BBS", "dp.4,rel", 3, (5, 7)), ("ADC", "A,dp", 2, 3), ("ADC", "A,abs", 3, 4),
        ("ADC", "A,(X)", 1, 3), ("ADC", "A,(dp+X)", 2, 6), ("ADC", "A,#imm", 2, 2),
        ("ADC", "dp,dp", 3, 6), ("EOR1", "C,mem.bit", 3, 5), ("DEC", "dp", 2, 4),
        ("DEC", "abs", 3, 5), ("MOV", "Y,#imm", 2, 2), ("POP", "P", 1, 4),
        ("MOV", "dp,#imm", 3, 5),
    ],
    [  # 9x
        ("BCC", "rel", 2, (2, 4)), ("TCALL", "9", 1, 8), ("CLR1", "dp.4", 2, 4),
        ("BBC", "dp.4,rel", 3, (5, 7)), ("ADC", "A,dp+X", 2, 4), ("ADC", "A,abs+X", 3, 5),
        ("ADC", "A,abs+Y", 3, 5), ("ADC", "A,(dp)+Y", 2, 6), ("ADC", "dp,#imm", 3, 5),
        ("ADC", "(X),(Y)", 1, 5), ("SUBW", "YA,dp", 2, 5), ("DEC", "dp+X", 2, 5),
        ("DEC", "A", 1, 2), ("MOV", "X,SP", 1, 2), ("DIV", "YA,X", 1, 12),
        ("XCN", "A", 1, 5),
    ],
    [  # Ax
        ("EI", "", 1, 3), ("TCALL", "10", 1, 8), ("SET1", "dp.5", 2, 4),
        ("BBS", "dp.5,rel", 3, (5, 7)), ("SBC", "A,dp", 2, 3), ("SBC", "A,abs", 3, 4),
        ("SBC", "A,(X)", 1, 3), ("SBC", "A,(dp+X)", 2, 6), ("SBC", "A,#imm", 2, 2),
        ("SBC", "dp,dp", 3, 6), ("MOV1", "C,mem.bit", 3, 4), ("INC", "dp", 2, 4),
        ("INC", "abs", 3, 5), ("CMP", "Y,#imm", 2, 2), ("POP", "A", 1, 4),
        ("MOV", "(X+),A", 1, 4),
    ],
    [  # Bx
        ("BCS", "rel", 2, (2, 4)), ("TCALL", "11", 1, 8), ("CLR1", "dp.5", 2, 4),
        ("BBC", "dp.5,rel", 3, (5, 7)), ("SBC", "A,dp+X", 2, 4), ("SBC", "A,abs+X", 3, 5),
        ("SBC", "A,abs+Y", 3, 5), ("SBC", "A,(dp)+Y", 2, 6), ("SBC", "dp,#imm", 3, 5),
        ("SBC", "(X),(Y)", 1, 5), ("MOVW", "YA,dp", 2, 5), ("INC", "dp+X", 2, 5),
        ("INC", "A", 1, 2), ("MOV", "SP,X", 1, 2), ("DAS", "A", 1, 3),
        ("MOV", "A,(X+)", 1, 4),
    ],
    [  # Cx
        ("DI", "", 1, 3), ("TCALL", "12", 1, 8), ("SET1", "dp.6", 2, 4),
        ("BBS", "dp.6,rel", 3, (5, 7)), ("MOV", "dp,A", 2, 4), ("MOV", "abs,A", 3, 5),
        ("MOV", "(X),A", 1, 4), ("MOV", "(dp+X),A", 2, 7), ("CMP", "X,#imm", 2, 2),
        ("MOV", "abs,X", 3, 5), ("MOV1", "mem.bit,C", 3, 6), ("MOV", "dp,Y", 2, 4),
        ("MOV", "abs,Y", 3, 5), ("MOV", "X,#imm", 2, 2), ("POP", "X", 1, 4),
        ("MUL", "YA", 1, 9),
    ],
    [  # Dx
        ("BNE", "rel", 2, (2, 4)), ("TCALL", "13", 1, 8), ("CLR1", "dp.6", 2, 4),
        ("BBC", "dp.6,rel", 3, (5, 7)), ("MOV", "dp+X,A", 2, 5), ("MOV", "abs+X,A", 3, 6),
        ("MOV", "abs+Y,A", 3, 6), ("MOV", "(dp)+Y,A", 2, 7), ("MOV", "dp,X", 2, 4),
        ("MOV", "dp+Y,X", 2, 5), ("MOVW", "dp,YA", 2, 5), ("MOV", "dp+X,Y", 2, 5),
        ("DEC", "Y", 1, 2), ("MOV", "A,Y", 1, 2), ("CBNE", "dp+X,rel", 3, (6, 8)),
        ("DAA", "A", 1, 3),
    ],
    [  # Ex
        ("CLRV", "", 1, 2), ("TCALL", "14", 1, 8), ("SET1", "dp.7", 2, 4),
        ("BBS", "dp.7,rel", 3, (5, 7)), ("MOV", "A,dp", 2, 3), ("MOV", "A,abs", 3, 4),
        ("MOV", "A,(X)", 1, 3), ("MOV", "A,(dp+X)", 2, 6), ("MOV", "A,#imm", 2, 2),
        ("MOV", "X,abs", 3, 4), ("NOT1", "mem.bit", 3, 5), ("MOV", "Y,dp", 2, 3),
        ("MOV", "Y,abs", 3, 4), ("NOTC", "", 1, 3), ("POP", "Y", 1, 4),
        ("SLEEP", "", 1, 3),
    ],
    [  # Fx
        ("BEQ", "rel", 2, (2, 4)), ("TCALL", "15", 1, 8), ("CLR1", "dp.7", 2, 4),
        ("BBC", "dp.7,rel", 3, (5, 7)), ("MOV", "A,dp+X", 2, 4), ("MOV", "A,abs+X", 3, 5),
        ("MOV", "A,abs+Y", 3, 5), ("MOV", "A,(dp)+Y", 2, 6), ("MOV", "X,dp", 2, 3),
        ("MOV", "X,dp+Y", 2, 4), ("MOV", "dp,dp", 3, 5), ("MOV", "Y,dp+X", 2, 4),
        ("INC", "Y", 1, 2), ("MOV", "Y,A", 1, 2), ("DBNZ", "Y,rel", 2, (4, 6)),
        ("STOP", "", 1, 3),
    ],
]

# Placeholders in a pattern, with their operand byte counts. "dp.N" counts as "dp".
_PLACEHOLDER = re.compile(r"!?mem\.bit|#imm|\bupage\b|\babs\b|\bdp\b|\brel\b")
_SIZES = {"mem.bit": 2, "!mem.bit": 2, "#imm": 1, "upage": 1, "abs": 2, "dp": 1, "rel": 1}
# Patterns whose operand bytes are stored source first (the reverse of the text).
_SOURCE_FIRST = frozenset({"dp,#imm", "dp,dp"})


@dataclass(frozen=True, slots=True)
class SpcOpcode:
    code: int
    mnemonic: str  # asar's spelling, upper case
    pattern: str  # operand pattern (see the module docstring); "" for none
    length: int  # bytes, opcode included
    cycles: int  # CPU cycles (a conditional branch: when not taken)
    taken: int | None = None  # a conditional branch: cycles when taken

    @property
    def fields(self) -> tuple[str, ...]:
        """The pattern's placeholders in text order (``dp.N`` shows as ``dp``)."""
        return tuple(m.group() for m in _PLACEHOLDER.finditer(self.pattern))

    @property
    def byte_order(self) -> tuple[int, ...]:
        """Indexes into ``fields`` in the order their bytes follow the opcode."""
        n = len(self.fields)
        return tuple(reversed(range(n))) if self.pattern in _SOURCE_FIRST else tuple(range(n))

    @property
    def bit(self) -> int | None:
        """The bit number a ``dp.N`` pattern carries in the opcode (SET1, CLR1, BBS, BBC)."""
        m = re.search(r"dp\.([0-7])", self.pattern)
        return int(m.group(1)) if m else None

    @property
    def syntax(self) -> str:
        """``MOV A,(dp+X)``: mnemonic and pattern, as in source."""
        return f"{self.mnemonic} {self.pattern}".rstrip()

    def operand_bytes(self) -> int:
        """Operand bytes the pattern states (``length - 1`` for every opcode)."""
        return sum(_SIZES[f] for f in self.fields)


def _build() -> tuple[SpcOpcode, ...]:
    ops = []
    for hi, row in enumerate(_ROWS):
        assert len(row) == 16, hi
        for lo, (mnemonic, pattern, length, cycles) in enumerate(row):
            base, taken = cycles if isinstance(cycles, tuple) else (cycles, None)
            ops.append(SpcOpcode(hi * 16 + lo, mnemonic, pattern, length, base, taken))
    return tuple(ops)


OPCODES: tuple[SpcOpcode, ...] = _build()
"""All 256 SPC700 opcodes, indexed by opcode byte."""

BY_SYNTAX: dict[tuple[str, str], int] = {(o.mnemonic, o.pattern): o.code for o in OPCODES}
"""(mnemonic, pattern) -> opcode byte, e.g. ``("MOV", "A,(dp+X)") -> 0xE7``."""

MNEMONICS: frozenset[str] = frozenset(o.mnemonic for o in OPCODES)

BRANCHES: frozenset[str] = frozenset(
    {"BPL", "BMI", "BVC", "BVS", "BCC", "BCS", "BNE", "BEQ", "BRA"}
)
"""The plain relative branches (two bytes: opcode, offset)."""


def opcode(mnemonic: str, pattern: str) -> int:
    """The opcode byte of a mnemonic and pattern; KeyError when the pair does not exist.

    The mnemonic is case-insensitive; the pattern must be written as in the table.
    """
    return BY_SYNTAX[(mnemonic.upper(), pattern)]


def lookup(mnemonic: str, pattern: str) -> SpcOpcode | None:
    """The opcode entry for a mnemonic and pattern, or None."""
    code = BY_SYNTAX.get((mnemonic.upper(), pattern))
    return None if code is None else OPCODES[code]
