"""The 65C816 instruction table (see ``table``)."""

from triforce.isa.format import instruction_text, operand_text
from triforce.isa.table import (
    BRANCHES,
    DIRECT_MODES,
    MNEMONICS,
    OPCODES,
    Mode,
    Opcode,
    lookup,
    modes_of,
)

__all__ = [
    "instruction_text",
    "operand_text",
    "BRANCHES", "DIRECT_MODES", "MNEMONICS", "OPCODES", "Mode", "Opcode", "lookup", "modes_of"]
