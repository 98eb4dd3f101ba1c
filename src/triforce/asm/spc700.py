"""Encoding one SPC700 instruction as asar 1.91 does (``arch spc700``, ``arch spc700-inline``
and inside ``spcblock``: all three use this one encoder).

Opcodes come from ``triforce.isa.spc700`` (the only SPC700 opcode table); this module only
decides, for a line of source, which table entry asar picks and what operand bytes it writes.

asar's SPC700 syntax and rules (checked against the asar 1.91 binary):

* The operand is one word: whitespace after a comma is dropped, any other whitespace
  (``mov a,$12 + x``, ``mov a , $12``) makes the line an unknown command.
* Registers ``A X Y YA SP P C`` (``PSW`` is not accepted: ``push psw`` is an unknown
  command), indirection ``(X)``, ``(Y)``, ``(X+)`` (``(X)+`` is the error ``Euse_xplus``),
  ``(dp+X)``, ``(dp)+Y``, ``(abs+X)`` (JMP), indexing ``dp+X``, ``dp+Y``, ``abs+X``,
  ``abs+Y``. Sony's brackets (``[dp+X]``), ``!abs`` and ``/mem.bit`` are
  ``Einvalid_number``.
* dp or absolute: a ``.b``/``.w`` suffix decides; otherwise asar's width guess (a hex
  literal by its digit count, a decimal by its value, a label 2 bytes in the current bank:
  ``$12`` is dp, ``$0012`` and labels are absolute). Unlike 65816 code, ``X>>16`` is not
  special. Only the forms that exist in both sizes follow it; one-size forms write their
  size whatever the value (``mov a,$1234+y`` is ``F6 34 12``; ``mov x,$1234+y`` is
  ``F9 34`` with the warning ``Wspc700_assuming_8_bit``, which ``.b`` silences).
* Branches (BRA.., DBNZ, CBNE): an operand of guessed width 1 (``bra $12``, ``bra 5``,
  ``bra -2``) is written as the offset itself; anything wider (``bra $0210``, a label) is
  made relative to the next instruction. The distance is checked only when a label is
  involved. BBS/BBC always compute the distance and always check it.
* Bit forms: ``set1 $12.3`` = ``set3 $12`` = ``set $12.3``; ``set1 $12`` is bit 1
  (a trailing 0-7 in the mnemonic is the bit unless the operand has ``.N``). Likewise
  ``clr``, ``bbs``, ``bbc``, and ``mov1/and1/or1/eor1/not1`` for ``mem.bit`` (13-bit
  address) where ``!`` negates (``or1 c,!$1234.5``, OR1 and AND1 only).
"""

from __future__ import annotations

import re

from triforce.asm import expr as ex
from triforce.asm.encode import guess_width
from triforce.asm.expr import AsmError
from triforce.asm.source import outside_quotes
from triforce.isa.spc700 import BY_SYNTAX, MNEMONICS

__all__ = ["encode_spc700", "is_spc700_mnemonic"]

_ANON = re.compile(r"\??[+-]+")
_BIT_OPS = ("SET", "CLR", "BBS", "BBC", "MOV", "OR", "AND", "EOR", "NOT")
_NAMES = frozenset(MNEMONICS) | frozenset(_BIT_OPS) | frozenset(
    f"{op}{n}" for op in _BIT_OPS for n in range(8)
)


def is_spc700_mnemonic(name: str) -> bool:
    """Could ``name`` (suffix removed) start an SPC700 instruction for asar?

    The table's mnemonics and the bit forms asar reads (``set3``, ``bbc7``, ``mov1``, ``set``).
    """
    return name.upper() in _NAMES


def _unknown() -> AsmError:
    return AsmError("Unknown command.", "Eunknown_command")


# ---- operand text --------------------------------------------------------------------
def _normalize(operand: str) -> str:
    """The operand as asar sees the word: outer spaces gone, spaces after commas gone.

    Any other whitespace outside quotes means asar would see more than one word.
    """
    out: list[str] = []
    quote = None
    after_comma = False
    for ch in operand.strip():
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch.isspace():
            if after_comma:
                continue
            raise _unknown()
        after_comma = ch == ","
        if ch in "\"'":
            quote = ch
        out.append(ch)
    return "".join(out)


def _split(text: str) -> list[str]:
    """Split on commas outside quotes and parentheses."""
    parts: list[str] = []
    depth = 0
    quote = None
    start = 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _strip_shape(text: str, shape: str) -> str | None:
    """The expression inside ``text`` when it has ``shape``, else None.

    Shapes: ``=lit`` the exact (case-insensitive) text ``lit``, giving "";
    ``*`` anything; ``#`` an immediate; ``+x`` / ``+y`` a trailing index;
    ``(+x)`` the form ``(e+x)``; ``()+y`` the form ``(e)+y``.
    """
    low = text.lower()
    if shape[0] == "=":
        return "" if low == shape[1:] else None
    head, tail = {
        "*": ("", ""), "#": ("#", ""), "+x": ("", "+x"), "+y": ("", "+y"),
        "(+x)": ("(", "+x)"), "()+y": ("(", ")+y"),
    }[shape]
    if not low.startswith(head) or len(low) - len(head) < len(tail) or not low.endswith(tail):
        return None
    return text[len(head) : len(text) - len(tail)]


def _last_dot(text: str) -> int:
    """Index of the last '.' outside quotes, or -1."""
    return max((i for i, ch in outside_quotes(text) if ch == "."), default=-1)


def _bit_form(name: str, text: str) -> tuple[str, str, int] | None:
    """(operation, address text, bit) of a bit instruction, asar's way, or None.

    ``$12.3`` gives bit 3 (a mnemonic ending in 1 loses it: ``set1`` -> ``SET``); else
    a mnemonic ending in 0-7 gives the bit (``set3 $12``, and ``set1 $12`` is bit 1).
    """
    dot = _last_dot(text)
    if dot != -1 and dot + 2 == len(text) and text[dot + 1] in "0123456789":
        bit = int(text[dot + 1])
        if bit >= 8:
            return None
        return (name[:-1] if name.endswith("1") else name), text[:dot], bit
    if name and name[-1] in "01234567":
        return name[:-1], text, int(name[-1])
    return None


# ---- the instruction being encoded -----------------------------------------------------
class _Insn:
    def __init__(self, asm, name: str, forced: int) -> None:
        self.asm = asm
        self.name = name  # upper case, no suffix
        self.forced = forced  # 0, or 1/2 from a .b/.w suffix
        self.final = getattr(asm, "final", True)

    # values
    def node(self, text: str):
        if text[:1] in ("!", "[", "/"):  # not asar syntax (Sony's !abs, [dp+X], /mem.bit)
            raise AsmError("Invalid number.", "Einvalid_number")
        if _ANON.fullmatch(text):
            return ("anon", text)
        return self.asm.parse(text)

    def value(self, text: str) -> int:
        node = self.node(text)
        if node[0] == "anon":
            return int(self.asm.eval(node))
        return int(self.asm.eval(text))

    def guess(self, text: str) -> int:
        """asar's width guess for an SPC700 operand (its ``getlen`` without the
        bank-byte special case that 65816 operands get)."""
        if _ANON.fullmatch(text):
            return 2
        toks = ex.tokenize(text)
        if (
            len(toks) == 3 and toks[0].kind in ("name", "num") and toks[1].kind == "op"
            and toks[2].kind == "num" and toks[1].text in (">>", "/")
        ):
            # guess_width would call "X>>16" one byte; asar's SPC700 code takes the widest token
            return max(guess_width(self.asm, toks[0].text), guess_width(self.asm, toks[2].text))
        return guess_width(self.asm, text)

    def is_dp(self, text: str) -> bool:
        return self.forced == 1 or (self.forced == 0 and self.guess(text) == 1)

    # output
    def op(self, mnemonic: str, pattern: str, *operands: tuple[int, int]) -> bytes:
        """The table's opcode for (mnemonic, pattern), then each (value, size) little-endian."""
        out = bytearray([BY_SYNTAX[(mnemonic, pattern)]])
        for value, size in operands:
            out += (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
        return bytes(out)

    def byte_warned(self, text: str) -> tuple[int, int]:
        """A one-byte operand of a two-operand form: asar warns when the value has bits
        8-15 that are not a sign extension (unless ``.b`` was given)."""
        v = self.value(text) & 0xFFFFFFFF
        high, negative = v & 0xFF00, v & 0x80000000
        if self.forced != 1 and ((high and not negative) or (high != 0xFF00 and negative)):
            self.asm.warn("Wspc700_assuming_8_bit",
                          "This opcode does not exist with 16-bit parameters, assuming 8-bit.")
        return v, 1

    def offset(self, text: str, size: int) -> tuple[int, int]:
        """A branch operand: an operand asar sizes as one byte is the offset itself,
        anything else a target made relative to the end of this instruction."""
        target = self.value(text)
        if self.guess(text) == 1:
            off = target
        else:
            off = target - (self.asm.label_pc() + size)
        if self.final and not -128 <= off <= 127 and ex.has_label(self.node(text)):
            raise _out_of_bounds(off)
        return off, 1

    def sized(self, mnemonic: str, dp_pattern: str, abs_pattern: str, text: str) -> bytes:
        if self.is_dp(text):
            return self.op(mnemonic, dp_pattern, (self.value(text), 1))
        return self.op(mnemonic, abs_pattern, (self.value(text), 2))


def _out_of_bounds(off: int) -> AsmError:
    return AsmError(f"Relative branch out of bounds. (Distance is {off}).",
                    "Erelative_branch_out_of_bounds")


def _unsigned(value: int) -> int:
    return value & 0xFFFFFFFF


def _mem_bit(ins: _Insn, op: str, text: str, bit: int) -> bytes | None:
    """``or1 c,$1234.5`` and friends (C with a 13-bit address's bit); None if ``op`` has
    no such form."""
    if text.startswith("!"):
        target = {"OR": "OR1", "AND": "AND1"}.get(op)
        pattern, text = "C,!mem.bit", text[1:]
    else:
        target = {"OR": "OR1", "AND": "AND1", "EOR": "EOR1", "MOV": "MOV1", "NOT": "NOT1"}.get(op)
        pattern = "mem.bit" if op == "NOT" else "C,mem.bit"
    if target is None:
        return None
    num = _unsigned(ins.value(text))
    if ins.final and num >= 0x2000:
        raise AsmError(
            f"Address {num:04X} out of range for instruction, valid range is 0000-1FFF",
            "Espc700_addr_out_of_range",
        )
    return ins.op(target, pattern, (bit << 13 | num, 2))


def _dp_bit_address(ins: _Insn, text: str) -> int:
    num = _unsigned(ins.value(text))
    if ins.final and num >= 0x100:
        raise AsmError(f"SNES address {num:06X} out of bounds.", "Esnes_address_out_of_bounds")
    return num


# ---- one operand -----------------------------------------------------------------------
_BRANCHES = {"BPL", "BRA", "BMI", "BVC", "BVS", "BCC", "BCS", "BNE", "BEQ"}


def _one(ins: _Insn, arg: str) -> bytes | None:
    name = ins.name
    reg = arg.upper()
    if reg in ("A", "X", "Y", "P", "YA") and (name, reg) in BY_SYNTAX:
        return ins.op(name, reg)
    if name == "JMP":
        inner = _strip_shape(arg, "(+x)")
        if inner is not None:
            return ins.op("JMP", "(abs+X)", (ins.value(inner), 2))
    inner = _strip_shape(arg, "+x")
    if inner is not None and (name, "dp+X") in BY_SYNTAX:
        return ins.op(name, "dp+X", (ins.value(inner), 1))
    bit = _bit_form(name, arg)
    if bit is not None:
        op, text, n = bit
        done = _mem_bit(ins, op, text, n)
        if done is not None:
            return done
        if op not in ("SET", "CLR"):
            return None
        return ins.op(op + "1", f"dp.{n}", (_dp_bit_address(ins, text), 1))
    if name == "TCALL":
        num = _unsigned(ins.value(arg))
        if num >= 16:
            if ins.final:
                raise AsmError("Invalid tcall.", "Einvalid_tcall")
            num &= 15
        return ins.op("TCALL", str(num))
    has_dp, has_abs = (name, "dp") in BY_SYNTAX, (name, "abs") in BY_SYNTAX
    if has_dp and has_abs:
        return ins.sized(name, "dp", "abs", arg)
    if has_abs:
        return ins.op(name, "abs", (ins.value(arg), 2))
    if has_dp:
        return ins.op(name, "dp", (ins.value(arg), 1))
    if name == "PCALL":
        return ins.op(name, "upage", (ins.value(arg), 1))
    if name in _BRANCHES:
        return ins.op(name, "rel", ins.offset(arg, 2))
    return None


# ---- two operands ----------------------------------------------------------------------
# asar tries these in order; the first whose mnemonic and operand shapes match decides.
# (mnemonics, left shape, right shape, how, table pattern(s)); shapes as in _strip_shape.
# how: "-" no operand bytes; "1" a byte (warned when wider); "2" a word; "v" dp or abs
# (two patterns); "11" two bytes, the right operand's first; "r" a branch; "1r" dp and
# a branch; "x+" the error Euse_xplus.
_ALU = ("OR", "AND", "EOR", "CMP", "ADC", "SBC")
_TWO: list[tuple[tuple[str, ...], str, str, str, tuple[str, ...]]] = [
    (("MOV",), "=(x)+", "=a", "x+", ()),
    (("MOV",), "=(x+)", "=a", "-", ("(X+),A",)),
    (("MOV",), "=(x)", "=a", "-", ("(X),A",)),
    (("MOV",), "=a", "=(x)+", "x+", ()),
    (("MOV",), "=a", "=(x+)", "-", ("A,(X+)",)),
    (("MOV",), "=a", "=(x)", "-", ("A,(X)",)),
    (("MOV",), "=a", "=x", "-", ("A,X",)),
    (("MOV",), "=a", "=y", "-", ("A,Y",)),
    (("MOV",), "=x", "=a", "-", ("X,A",)),
    (("MOV",), "=x", "=sp", "-", ("X,SP",)),
    (("MOV",), "=y", "=a", "-", ("Y,A",)),
    (("MOV",), "=sp", "=x", "-", ("SP,X",)),
    (("MOV",), "(+x)", "=a", "1", ("(dp+X),A",)),
    (("MOV",), "()+y", "=a", "1", ("(dp)+Y,A",)),
    (("MOV",), "+x", "=a", "v", ("dp+X,A", "abs+X,A")),
    (("MOV",), "+y", "=a", "2", ("abs+Y,A",)),
    (("MOV",), "*", "=a", "v", ("dp,A", "abs,A")),
    (("MOV",), "+x", "=y", "1", ("dp+X,Y",)),
    (("MOV",), "+y", "=x", "1", ("dp+Y,X",)),
    (("MOV",), "*", "=x", "v", ("dp,X", "abs,X")),
    (("MOV",), "*", "=y", "v", ("dp,Y", "abs,Y")),
    (("MOV",), "=a", "#", "1", ("A,#imm",)),
    (("MOV",), "=a", "(+x)", "1", ("A,(dp+X)",)),
    (("MOV",), "=a", "()+y", "1", ("A,(dp)+Y",)),
    (("MOV",), "=a", "+x", "v", ("A,dp+X", "A,abs+X")),
    (("MOV",), "=a", "+y", "2", ("A,abs+Y",)),
    (("MOV",), "=a", "*", "v", ("A,dp", "A,abs")),
    (("MOV",), "=x", "#", "1", ("X,#imm",)),
    (("MOV",), "=x", "+y", "1", ("X,dp+Y",)),
    (("MOV",), "=x", "*", "v", ("X,dp", "X,abs")),
    (("MOV",), "=y", "#", "1", ("Y,#imm",)),
    (("MOV",), "=y", "+x", "1", ("Y,dp+X",)),
    (("MOV",), "=y", "*", "v", ("Y,dp", "Y,abs")),
    (("MOV",), "*", "#", "11", ("dp,#imm",)),
    (("MOV",), "*", "*", "11", ("dp,dp",)),
    (("CMP",), "=x", "#", "1", ("X,#imm",)),
    (("CMP",), "=x", "*", "v", ("X,dp", "X,abs")),
    (("CMP",), "=y", "#", "1", ("Y,#imm",)),
    (("CMP",), "=y", "*", "v", ("Y,dp", "Y,abs")),
    (_ALU, "=a", "=(x)", "-", ("A,(X)",)),
    (_ALU, "=(x)", "=(y)", "-", ("(X),(Y)",)),
    (_ALU, "=a", "#", "1", ("A,#imm",)),
    (_ALU, "=a", "(+x)", "1", ("A,(dp+X)",)),
    (_ALU, "=a", "()+y", "1", ("A,(dp)+Y",)),
    (_ALU, "=a", "+x", "v", ("A,dp+X", "A,abs+X")),
    (_ALU, "=a", "+y", "2", ("A,abs+Y",)),
    (_ALU, "=a", "*", "v", ("A,dp", "A,abs")),
    (_ALU, "*", "#", "11", ("dp,#imm",)),
    (_ALU, "*", "*", "11", ("dp,dp",)),
    (("TSET", "TCLR"), "*", "=a", "2", ("abs,A",)),
    (("DIV",), "=ya", "=x", "-", ("YA,X",)),
    (("CMPW", "ADDW", "SUBW", "MOVW"), "=ya", "*", "1", ("YA,dp",)),
    (("MOVW",), "*", "=ya", "1", ("dp,YA",)),
    (("CBNE",), "+x", "*", "1r", ("dp+X,rel",)),
    (("DBNZ",), "=y", "*", "r", ("Y,rel",)),
    (("DBNZ", "CBNE"), "*", "*", "1r", ("dp,rel",)),
]


def _two(ins: _Insn, left: str, right: str) -> bytes | None:
    name = ins.name
    # C with a memory bit: or1 c,$1234.5 / and1 c,!$1234.5 / mov1 c,$1234.5 ...
    if left.lower() == "c":
        bit = _bit_form(name, right)
        if bit is not None:
            done = _mem_bit(ins, bit[0], bit[1], bit[2])
            if done is not None:
                return done
    # a memory bit first: mov1 $1234.5,c / bbs $12.3,target / bbc3 $12,target
    bit = _bit_form(name, left)
    if bit is not None:
        op, text, n = bit
        if op == "MOV" and right.lower() == "c":
            num = _unsigned(ins.value(text))
            if ins.final and num >= 0x2000:
                raise AsmError(f"SNES address {num:06X} out of bounds.",
                               "Esnes_address_out_of_bounds")
            return ins.op("MOV1", "mem.bit,C", (n << 13 | num, 2))
        off = ins.value(right) - (ins.asm.label_pc() + 3)
        if ins.final and not -128 <= off <= 127:
            raise _out_of_bounds(off)
        if op not in ("BBS", "BBC"):
            return None
        return ins.op(op, f"dp.{n},rel", (_dp_bit_address(ins, text), 1), (off, 1))
    for names, lshape, rshape, how, patterns in _TWO:
        if name not in names:
            continue
        a = _strip_shape(left, lshape)
        if a is None:
            continue
        b = _strip_shape(right, rshape)
        if b is None:
            continue
        if how == "x+":
            raise AsmError("Use (x+) instead.", "Euse_xplus")
        if how == "-":
            return ins.op(name, patterns[0])
        expr = a if rshape.startswith("=") else b  # the side that is not a register
        if how == "1":
            return ins.op(name, patterns[0], ins.byte_warned(expr))
        if how == "2":
            return ins.op(name, patterns[0], (ins.value(expr), 2))
        if how == "v":
            return ins.sized(name, patterns[0], patterns[1], expr)
        if how == "11":
            return ins.op(name, patterns[0], (ins.value(b), 1), (ins.value(a), 1))
        if how == "r":
            return ins.op(name, patterns[0], ins.offset(b, 2))
        return ins.op(name, patterns[0], (ins.value(a), 1), ins.offset(b, 3))  # "1r"
    return None


# ---- entry point -----------------------------------------------------------------------
_IMPLIED_TOO = {"XCN": "A"}  # asar also takes "xcn" with no operand


def _forced_width(asm, suffix: str) -> int:
    c = suffix[0].lower()
    if c == "b":
        return 1
    if c == "w":
        return 2
    if c == "d" and hasattr(asm, "deprecated"):
        asm.deprecated(".d opcode suffix", "this doesn't even make sense")
    if c in ("l", "d"):
        raise AsmError("Opcode length is too long.", "Eopcode_length_too_long")
    raise AsmError("Invalid opcode length specification.", "Einvalid_opcode_length")


def encode_spc700(asm, mnemonic: str, suffix: str, operand: str) -> bytes:
    """The bytes of one SPC700 instruction, as asar 1.91 assembles it.

    ``mnemonic`` is the first word without its length suffix (``mov``, ``set3``, ``bbs``;
    any case); ``suffix`` the text after the dot (``"b"``, ``"w"``) or ``""``; ``operand``
    the rest of the statement (``"a,(x+)"``, ``"$12.3,label"``; ``""`` for none).
    ``asm`` provides ``eval``, ``parse``, ``label_pc``, ``warn``, ``final`` and what
    ``guess_width`` needs (``triforce.asm.assembler.Assembler``).

    Raises ``AsmError`` (``Eunknown_command`` for forms asar does not know, or the id asar
    reports).
    """
    name = mnemonic.strip().upper()
    if not suffix and "." in name:
        name, _, suffix = name.partition(".")
    text = _normalize(operand)
    if not text:
        if suffix:
            raise _unknown()
        if (name, "") in BY_SYNTAX:
            return bytes([BY_SYNTAX[(name, "")]])
        if name in _IMPLIED_TOO:
            return bytes([BY_SYNTAX[(name, _IMPLIED_TOO[name])]])
        raise _unknown()
    forced = _forced_width(asm, suffix) if suffix else 0
    ins = _Insn(asm, name, forced)
    args = _split(text)
    if len(args) == 1:
        out = _one(ins, args[0])
    elif len(args) == 2:
        out = _two(ins, args[0], args[1])
    else:
        out = None
    if out is None:
        raise _unknown()
    return out
