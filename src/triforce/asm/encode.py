"""Encoding one 65816 instruction: operand syntax to addressing mode, width and bytes.

Widths follow asar: a ``.b/.w/.l`` suffix decides; otherwise a hex literal's
digit count; otherwise a label's bank (the current bank gives absolute, another
bank long); otherwise the value's size.
"""

from __future__ import annotations

import re

from triforce.asm import expr as ex
from triforce.asm.expr import AsmError
from triforce.asm.operands import split_args
from triforce.isa import Mode, modes_of

_SUFFIX_WIDTH = {"b": 1, "w": 2, "l": 3}
_HEX_ONLY = re.compile(r"^\$[0-9A-Fa-f]+$")

_PLAIN = {1: Mode.DP, 2: Mode.ABS, 3: Mode.LONG}
_X = {1: Mode.DPX, 2: Mode.ABSX, 3: Mode.LONGX}
_Y = {1: Mode.DPY, 2: Mode.ABSY}
_JUMPS = {"JMP", "JSR", "JML", "JSL"}


def _matching_paren(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start`` (or -1)."""
    open_ch = text[start]
    close_ch = ")" if open_ch == "(" else "]"
    depth = 0
    quote = None
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth == 0:
                return i if ch == close_ch else -1
    return -1


def classify(operand: str) -> tuple[str, str]:
    """(syntax class, inner expression text).

    Classes: "", "acc", "imm", "plain", "x", "y", "s", "ind", "indx", "indy",
    "sindy", "lind", "lindy", "two".
    """
    op = operand.strip()
    if not op:
        return "", ""
    if op.lower() == "a":
        return "acc", ""
    if op.startswith("#"):
        return "imm", op[1:].strip()
    low = op.lower().replace(" ", "")
    if op[0] in "([":
        end = _matching_paren(op, 0)
        if end != -1:
            inner = op[1:end].strip()
            tail = op[end + 1 :].replace(" ", "").lower()
            inner_low = inner.replace(" ", "").lower()
            if op[0] == "(":
                if tail == "" and inner_low.endswith(",x"):
                    return "indx", inner[: inner.lower().rindex(",")].strip()
                if tail == ",y" and inner_low.endswith(",s"):
                    return "sindy", inner[: inner.lower().rindex(",")].strip()
                if tail == ",y":
                    return "indy", inner
                if tail == ",x":
                    return "yyx", inner
                if tail == "":
                    return "ind", inner
            else:
                if tail == ",y":
                    return "lindy", inner
                if tail == "":
                    return "lind", inner
    for suffix, cls in ((",x", "x"), (",y", "y"), (",s", "s")):
        if low.endswith(suffix):
            return cls, op[: op.lower().rindex(",")].strip()
    return "plain", op


def _value(asm, node) -> int:
    return asm._int(asm.ev(node))


_TOKS: dict[str, list] = {}


def guess_width(asm, text: str, dp_mode: str | None = None, addr_mode: str | None = None) -> int:
    """The byte width asar guesses for an operand with no suffix.

    asar scans the expression's tokens and takes the largest width any of them
    states: a hex literal by its digits, a binary literal by its bits, a
    decimal literal by its value, a char literal 1, a label 2 when it lies in the
    current bank (or the bank set by ``bank``) and 3 otherwise (2 while still
    unknown). Operators are ignored, so the value is truncated, not checked.
    ``X>>16``, ``X/65536`` and ``X/$10000`` alone are one byte.
    """
    toks = _TOKS.get(text)
    if toks is None:
        toks = ex.tokenize(text)
        if len(_TOKS) > 200_000:
            _TOKS.clear()
        _TOKS[text] = toks
    if (
        len(toks) == 3 and toks[0].kind in ("name", "num") and toks[1].kind == "op"
        and toks[2].kind == "num"
        and ((toks[1].text == ">>" and toks[2].value == 16)
             or (toks[1].text == "/" and toks[2].value == 0x10000))
    ):
        return 1
    width = 0
    for t in toks:
        if t.kind == "num":
            if t.text.startswith("$"):
                w = (len(t.text) - 1 + 1) // 2
            elif t.text.startswith("%"):
                w = (len(t.text) - 1 + 7) // 8
            else:
                v = t.value
                w = 1 if v < 0x100 else 2 if v < 0x10000 else 3
        elif t.kind == "char":
            w = 1
        elif t.kind == "name":
            w = _label_width(asm, t.text, dp_mode, addr_mode)
        else:
            continue
        width = max(width, w)
    return max(width, 1)


def _label_width(asm, name: str, dp_mode: str | None = None, addr_mode: str | None = None) -> int:
    """Width a label contributes, by asar's rules.

    Optimize settings first (dp ram/always, address ram/mirrors), then the
    ``bank`` setting, then freespace (a label in a freespace block is 2 bytes only
    from inside the same block, and from inside a block every other label is 3),
    then the plain rule: 2 in the current bank, else 3.
    """
    value = asm.lookup_label(name)
    if value is None:
        return 2
    dp_mode = dp_mode or asm.optimize_dp
    addr_mode = addr_mode or asm.optimize_address
    label_block = asm.freespace_block_of(asm.resolved_name)
    here_block = asm.cur_fs["idx"] if asm.cur_fs is not None else None
    bank, word = (value >> 16) & 0xFF, value & 0xFFFF
    assume = asm.bank_assume  # None: auto; 0x100: noassume; else the bank
    if assume is not None:
        relaxed = assume
    elif here_block is None:
        relaxed = (asm.label_pc() >> 16) & 0xFF
    else:
        relaxed = 0 if asm.cur_fs["code"] else 0x40
    near_dp = 0 <= word - asm.dpbase < 0x100
    if dp_mode == "ram" and bank == 0x7E and near_dp:
        return 1
    if dp_mode == "always" and (bank == 0x7E or not bank & 0x40) and near_dp:
        return 1
    if addr_mode in ("ram", "mirrors") and not relaxed & 0x40 and bank == 0x7E and word < 0x2000:
        return 2
    if addr_mode == "mirrors" and not relaxed & 0x40 and not bank & 0x40 and word < 0x8000:
        return 2
    if assume is not None:
        return 3 if label_block is not None or bank != assume else 2
    if label_block is not None or here_block is not None:
        return 2 if label_block == here_block else 3
    return 2 if bank == (asm.label_pc() >> 16) & 0xFF else 3


def future_width(asm, text: str) -> int:
    """The width asar 2.0's default optimize settings would give (for Woptimization_settings)."""
    dp = asm.optimize_dp if asm.optimize_dp_set else "always"
    addr = asm.optimize_address if asm.optimize_address_set else "mirrors"
    return guess_width(asm, text, dp, addr)


def _bytes(code: int, value: int, width: int) -> bytes:
    return bytes([code]) + (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")


_CLASSIFY: dict[str, tuple[str, str]] = {}


_CONSTANT: dict[tuple[str, str, str], bytes] = {}


def encode(asm, mn: str, suffix: str, operand: str) -> bytes:
    """Bytes of one instruction (operands without labels are encoded once and remembered)."""
    key = (mn, suffix, operand)
    done = _CONSTANT.get(key)
    if done is not None:
        return done
    before = asm.diag_calls
    data = _encode(asm, mn, suffix, operand)
    if asm.diag_calls == before and mn not in _RELATIVE and _constant_operand(operand):
        if len(_CONSTANT) > 200_000:
            _CONSTANT.clear()
        _CONSTANT[key] = data
    return data


_RELATIVE = frozenset({"BRA", "BRL", "BPL", "BMI", "BVC", "BVS", "BCC", "BCS", "BNE", "BEQ", "PER"})
_NO_NAMES: dict[str, bool] = {}


def _constant_operand(operand: str) -> bool:
    """Does the operand hold only literals (no labels, functions or anonymous labels)?"""
    got = _NO_NAMES.get(operand)
    if got is None:
        text = operand.lstrip("#").strip()
        try:
            toks = ex.tokenize(text)
            got = (
                bool(toks)
                and not any(t.kind in ("name", "lbr") for t in toks)
                and not re.fullmatch(r"\??[+-]+", text)  # anonymous labels move
            )
        except AsmError:
            got = False
        _NO_NAMES[operand] = got
    return got


def _encode(asm, mn: str, suffix: str, operand: str) -> bytes:
    modes = modes_of(mn)
    if suffix and suffix not in _SUFFIX_WIDTH:
        raise AsmError(f"invalid opcode length '.{suffix}'", "Einvalid_opcode_length")
    got = _CLASSIFY.get(operand)
    if got is None:
        got = classify(operand)
        if len(_CLASSIFY) > 200_000:
            _CLASSIFY.clear()
        _CLASSIFY[operand] = got
    cls, inner = got
    forced = _SUFFIX_WIDTH.get(suffix) if suffix else None
    if asm.pass_no == 1 and asm.cur_fs is not None and inner and not forced and mn not in ("MVN", "MVP"):
        _count_unknown_guess(asm, inner)

    if cls == "":
        if Mode.IMP in modes:
            return bytes([modes[Mode.IMP].code])
        if Mode.ACC in modes:
            return bytes([modes[Mode.ACC].code])
        if mn in ("BRK", "COP", "WDM"):
            return bytes([modes[Mode.IMM8].code, 0])  # asar writes a zero signature byte
        raise AsmError(f"{mn} needs an operand", "Einvalid_addressing_mode")
    if cls == "acc":
        if Mode.ACC in modes:
            return bytes([modes[Mode.ACC].code])
        cls, inner = "plain", operand.strip()  # a label named A

    # relative branches
    if Mode.REL8 in modes or Mode.REL16 in modes:
        if cls != "plain":
            raise AsmError(f"{mn} takes a branch target", "Einvalid_addressing_mode")
        if re.fullmatch(r"\?[+-]+", inner.strip()):
            node = ("anon", inner.strip())
        else:
            node = asm.parse(inner)
        target = _value(asm, node)
        here = asm.label_pc()
        if not ex.has_label(node):
            # asar writes a plain number as the offset itself; only labels are made relative
            if Mode.REL8 in modes:
                return bytes([modes[Mode.REL8].code, target & 0xFF])
            return _bytes(modes[Mode.REL16].code, target, 2)
        if Mode.REL8 in modes:
            nxt = here + 2
            off = target - (nxt & 0xFFFF if target <= 0xFFFF else nxt)
            if not -128 <= off <= 127:
                if asm.final:
                    raise AsmError(
                        f"relative branch out of bounds (distance is {off})",
                        "Erelative_branch_out_of_bounds",
                    )
                off = 0
            return bytes([modes[Mode.REL8].code, off & 0xFF])
        nxt = here + 3
        off = (target - (nxt & 0xFFFF if target <= 0xFFFF else nxt)) & 0xFFFF
        return _bytes(modes[Mode.REL16].code, off, 2)

    if mn in ("MVN", "MVP"):
        parts = [p[1:] if p.startswith("#") else p for p in split_args(operand)]
        if len(parts) == 1:
            v = asm.eval(parts[0]) & 0xFFFF  # one 16-bit operand, little-endian
            return bytes([modes[Mode.BLK].code, v & 0xFF, v >> 8])
        if len(parts) != 2:
            raise AsmError(f"{mn} takes two banks", "Einvalid_addressing_mode")
        vals = [asm.eval(p) for p in parts]
        dst, src = vals[0] & 0xFF, vals[1] & 0xFF
        if _looks_reversed(asm, dst, src):
            asm.warn("Wmvn_reversed",
                     f"{mn.lower()} writes to bank ${dst:02X}, which is ROM, from RAM bank ${src:02X}: "
                     f"asar takes the destination bank first ({mn.lower()} ${src:02X},${dst:02X}?)")
        return bytes([modes[Mode.BLK].code, dst, src])

    if cls == "yyx":
        asm.warn("W65816_yy_x_does_not_exist",
                 "($yy),x does not exist, assuming $yy,x.")
        cls = "x"
    node = asm.parse(inner)
    value = _value(asm, node)
    asm.check_xkas(inner, node, value)

    if cls == "imm":
        for m in (Mode.IMM_M, Mode.IMM_X, Mode.IMM8):
            if m in modes:
                if m is Mode.IMM8:
                    return _bytes(modes[m].code, value, 1)
                width = forced or guess_width(asm, inner)
                if not forced and not _HEX_ONLY.match(inner):
                    asm.warn("Wimplicitly_sized_immediate", "Implicitly sized immediate.")
                width = min(width, 2)
                asm.check_truncation(value, width)
                return _bytes(modes[m].code, value, width)
        if mn == "PEA":
            return _bytes(modes[Mode.ABS].code, value, 2)
        raise AsmError(f"{mn} has no immediate mode", "Einvalid_addressing_mode")

    if mn in _JUMPS:
        if cls == "plain" and mn in ("JMP", "JSR") and not forced:
            saved = asm.bank_assume
            asm.bank_assume = None  # jumps use the code bank, whatever "bank" says
            try:
                width = min(guess_width(asm, inner), 3)
            finally:
                asm.bank_assume = saved
            if width == 3 and mn == "JSR":
                raise AsmError(f"unknown command: {mn.lower()} needs a 16-bit address here",
                               "Eunknown_command")
            if width == 3:
                forced = 3
        return _jump(mn, cls, modes, value, forced)

    if cls == "plain":
        if mn == "PEA":
            return _bytes(modes[Mode.ABS].code, value, 2)
        width = forced or _width_checked(asm, inner)
        return _pick(mn, modes, _PLAIN, width, value)
    if cls == "x":
        width = forced or _width_checked(asm, inner)
        return _pick(mn, modes, _X, width, value)
    if cls == "y":
        width = forced or _width_checked(asm, inner)
        if width == 1 and Mode.DPY not in modes and Mode.ABSY in modes:
            if not forced:
                asm.warn("W65816_xx_y_assume_16_bit",
                         f"{mn.lower()} $xx,y is not valid with 8-bit parameters, assuming 16-bit.")
            width = 2
        return _pick(mn, modes, _Y, width, value)
    single = {"s": Mode.SR, "ind": Mode.DPI, "indx": Mode.DPIX, "indy": Mode.DPIY,
              "sindy": Mode.SRIY, "lind": Mode.DPIL, "lindy": Mode.DPILY}
    mode = single[cls]
    if mode not in modes:
        raise AsmError(f"{mn} has no {mode.label} addressing mode", "Einvalid_addressing_mode")
    return _bytes(modes[mode].code, value, 1)


def _width_checked(asm, inner: str) -> int:
    width = min(guess_width(asm, inner), 3)
    if asm.final and not (asm.optimize_dp_set and asm.optimize_address_set):
        toks = _TOKS.get(inner) or ex.tokenize(inner)
        if any(t.kind == "name" for t in toks):
            future = min(future_width(asm, inner), 3)
            if future != width:
                asm.warn(
                    "Woptimization_settings",
                    "In Asar 2.0, the default optimization settings will change to `optimize dp "
                    "always` and `optimize address mirrors`, which changes this instruction's "
                    f"argument from {width} to {future} bytes. Either specify the desired settings "
                    "manually or use explicit length suffixes to silence this warning.",
                )
    return width


def _looks_reversed(asm, dst: int, src: int) -> bool:
    """A block move into ROM from WRAM: the banks are almost surely swapped (WDC order)."""
    dst_is_rom = dst not in (0x7E, 0x7F) and asm.to_offset((dst << 16) | 0x8000) is not None
    if not (dst_is_rom and src in (0x7E, 0x7F)):
        return False
    asm.diag_calls += 1  # (never cached as constant, so enabling the warning later works)
    return "Wmvn_reversed" in asm.enabled_warnings


def _count_unknown_guess(asm, inner: str) -> None:
    """asar reserves a byte of freespace for each guess at a label it doesn't know yet
    (once for the instruction and once more when it checks the asar 2.0 widths)."""
    try:
        toks = _TOKS.get(inner) or ex.tokenize(inner)
    except AsmError:
        return
    if any(t.kind == "name" and asm.lookup_label(t.text) is None for t in toks):
        both_set = asm.optimize_dp_set and asm.optimize_address_set
        asm.cur_fs["extra"] += 1 if both_set else 2


def _pick(mn: str, modes, table: dict[int, Mode], width: int, value: int) -> bytes:
    for w in (width, 2, 3) if width == 1 else (width, 3) if width == 2 else (width,):
        mode = table.get(w)
        if mode is not None and mode in modes:
            return _bytes(modes[mode].code, value, w)
    for w in (2, 1):
        mode = table.get(w)
        if w < width and mode is not None and mode in modes:
            return _bytes(modes[mode].code, value, w)
    raise AsmError(f"{mn} has no such addressing mode", "Einvalid_addressing_mode")


# JMP and JSR with a 24-bit operand are JML and JSL
_LONG_JUMP = {mn: modes_of(long)[Mode.LONG].code
              for mn, long in (("JMP", "JML"), ("JML", "JML"), ("JSR", "JSL"), ("JSL", "JSL"))}


def _jump(mn: str, cls: str, modes, value: int, forced: int | None) -> bytes:
    if cls == "plain":
        if forced == 3 and mn == "JSR" or forced == 1:
            raise AsmError(f"unknown command: {mn.lower()} has no such length", "Eunknown_command")
        if mn in ("JML", "JSL") or forced == 3:
            return _bytes(_LONG_JUMP[mn], value, 3)
        return _bytes(modes[Mode.ABS].code, value, 2)
    if cls == "ind" and mn == "JMP":
        return _bytes(modes[Mode.ABSI].code, value, 2)
    if cls == "indx" and mn in ("JMP", "JSR"):
        return _bytes(modes[Mode.ABSIX].code, value, 2)
    if cls == "lind" and mn in ("JMP", "JML"):
        return _bytes(modes_of("JML")[Mode.ABSIL].code, value, 2)
    raise AsmError(f"{mn} has no such addressing mode", "Einvalid_addressing_mode")
