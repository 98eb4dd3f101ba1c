"""Text of one instruction in asar syntax, from the instruction table."""

from __future__ import annotations

from triforce.isa.table import OPCODES, Mode

_HEX_WIDTH = {1: 2, 2: 4, 3: 6}


def operand_text(code: int, operand: bytes, pc: int | None = None) -> str:
    """The operand of opcode ``code`` with operand bytes ``operand``, asar style.

    ``pc`` is the 16-bit address of the instruction; with it, branch operands are
    shown as their target address, otherwise as the signed offset.
    """
    op = OPCODES[code]
    mode = op.mode
    if mode is Mode.IMP:
        return ""
    if mode is Mode.ACC:
        return "A"
    n = len(operand)
    value = int.from_bytes(operand, "little") if n else 0
    if mode is Mode.BLK:
        # asar writes the banks in machine order: destination first, then source
        # (checked against asar 1.91: "mvn $01,$02" assembles to 54 01 02)
        return f"${operand[0]:02X},${operand[1]:02X}"
    if mode in (Mode.REL8, Mode.REL16):
        bits = 8 if mode is Mode.REL8 else 16
        off = value - (1 << bits) if value >= 1 << (bits - 1) else value
        if pc is None:
            return f"{off:+d}"
        target = (pc + op.length() + off) & 0xFFFF
        return f"${target:04X}"
    text = f"${value:0{_HEX_WIDTH.get(n, 2)}X}"
    return mode.syntax.format(text)


def instruction_text(code: int, operand: bytes, pc: int | None = None) -> str:
    """``LDA #$12``, ``JSL $808000``, ... for one instruction.

    Hex operands keep their full width (``$0012`` is absolute), as asar reads them.
    """
    op = OPCODES[code]
    text = operand_text(code, operand, pc)
    return f"{op.mnemonic} {text}".rstrip()
