"""Din's hands: peephole and small-window rewrites, each one proven before it is kept.

The optimizer works on source lines. A routine is parsed into lines; labels,
comments and directives are left untouched, and each instruction line is read
as a mnemonic and an operand, with the register widths (M, X) known at that
point tracked through ``REP``/``SEP`` with constant operands (starting from the
caller's ``m``/``x``, else a ``; m16`` / ``; x8`` hint in a comment before the
first instruction, else 8-bit).

Each rule looks at a small window of consecutive instructions (no label inside
the window unless the rule handles it) and proposes replacement lines. A
proposal is kept only when

1. the new routine assembles and is no worse in bytes, minimum and maximum
   cycles (static timing of the whole routine), and better in one of them, and
2. the equivalence checker (``triforce.analysis.equiv.check_equivalence``)
   proves the routine before and after equivalent under the declared
   observables (its default: A X Y P S D DB and every memory byte written).

After each accepted rewrite the optimizer starts again from the new source,
until no rule applies (or a pass limit is reached). Candidates the checker
refuted are remembered and not tried again.

Rules that change which registers or flags hold what (``stz`` for ``lda #0 :
sta``, ``inc a`` for ``clc : adc #1``...) are proposed all the same: whether
they hold is the checker's decision under the observables the user declared.
The hardware multiplier/divider ($4202/$4203 -> $4216, $4204-$4206 -> $4214)
exists only on an SNES bus; a rewrite to it is only sound when the code runs
on the S-CPU (not the SA-1, whose arithmetic unit sits elsewhere).
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from triforce.asm.source import Sandbox, comment_start
from triforce.errors import UserError, read_user_text
from triforce.isa import MNEMONICS, OPCODES, Mode, Opcode, modes_of
from triforce.isa.semantics import (
    WIDTH_SETTERS,
    Part,
    Result,
    Widths,
    effects,
    mnemonics_where,
    next_widths,
)

# ---------------------------------------------------------------------------
# parsing


@dataclass
class Line:
    """One source line. ``mnem`` is set for instruction lines (upper case, no size suffix)."""

    index: int  # 0-based line number
    text: str
    labels: list[str] = field(default_factory=list)
    prefix: str = ""  # text before the mnemonic (indent and labels)
    mnem: str | None = None
    suffix: str = ""  # ".b" / ".w" / ".l" as written
    operand: str = ""
    comment: str = ""
    kind: str = "blank"  # blank | label | insn | other
    m: int | None = None  # widths before this instruction
    x: int | None = None
    lower: bool = True

    @property
    def op(self) -> str:
        """The operand, normalised: no spaces, lower case."""
        return self.operand.replace(" ", "").lower()

    @property
    def imm(self) -> int | None:
        return _imm_value(self.operand)

    def is_(self, *mnems: str) -> bool:
        return self.mnem in mnems

    @property
    def mn(self) -> str:
        """``mnem`` of an instruction line (every line in ``Ctx.insns`` is one)."""
        assert self.mnem is not None, f"line {self.index + 1} is not an instruction"
        return self.mnem


_LABEL = re.compile(r"^(?:[A-Za-z_][\w]*:|\.[\w.]+:?|[A-Za-z_][\w]*\.[\w.]+:|[+-]+:?)(?=\s|$)")


def _split_comment(text: str) -> tuple[str, str]:
    at = comment_start(text)
    return (text, "") if at < 0 else (text[:at], text[at:])


def parse_lines(source: str) -> list[Line]:
    out: list[Line] = []
    for i, text in enumerate(source.split("\n")):
        ln = Line(i, text)
        code, ln.comment = _split_comment(text)
        rest = code
        pos = len(rest) - len(rest.lstrip())
        while True:
            stripped = rest[pos:]
            mt = _LABEL.match(stripped)
            if not mt:
                break
            word = mt.group(0)
            name = word.rstrip(":")
            head = name.lstrip(".").split(".")[0].upper()
            if not word.endswith(":") and head in MNEMONICS:
                break
            ln.labels.append(name)
            pos += len(word)
            pos += len(rest[pos:]) - len(rest[pos:].lstrip())
        body = rest[pos:].strip()
        ln.prefix = rest[:pos]
        if not body:
            ln.kind = "label" if ln.labels else "blank"
        else:
            word, _, operand = body.partition(" ")
            base, dot, size = word.partition(".")
            if base.upper() in MNEMONICS and " : " not in body and not body.endswith(":"):
                ln.kind = "insn"
                ln.mnem = base.upper()
                ln.suffix = dot + size
                ln.operand = operand.strip()
                ln.lower = base == base.lower()
            else:
                ln.kind = "other"
        out.append(ln)
    return out


def _imm_value(operand: str) -> int | None:
    t = operand.replace(" ", "")
    if not t.startswith("#"):
        return None
    return _number(t[1:])


def _number(t: str) -> int | None:
    try:
        if t.startswith("$"):
            return int(t[1:], 16)
        if t.startswith("%"):
            return int(t[1:], 2)
        if t.isdigit():
            return int(t, 10)
    except ValueError:
        return None
    return None


def _width_hint(lines: list[Line]) -> tuple[int | None, int | None]:
    m = x = None
    for ln in lines:
        if ln.kind == "insn":
            break
        for word in re.findall(r"\b([mx])(8|16)\b", ln.comment.lower()):
            if word[0] == "m":
                m = 1 if word[1] == "8" else 0
            else:
                x = 1 if word[1] == "8" else 0
    return m, x


_WIDTH_WORDS = re.compile(r"\b(" + "|".join(sorted(WIDTH_SETTERS)).lower() + r")\b")


def track_widths(lines: list[Line], m: int | None, x: int | None) -> None:
    """Annotate each instruction with M/X before it (straight-line, flow-insensitive)."""
    for ln in lines:
        if ln.kind == "other":
            if _WIDTH_WORDS.search(ln.text.lower()):
                m = x = None
            continue
        if ln.kind != "insn":
            continue
        ln.m, ln.x = m, x
        op = _opcode(ln.mnem)
        if op is not None and effects(op).flags_from_operand:  # REP / SEP
            after = next_widths(op, Widths(m, x, 0), ln.imm)
            m, x = after.m, after.x
        elif ln.mnem in WIDTH_SETTERS:  # set at run time
            m = x = None


def _opcode(mnem: str | None) -> Opcode | None:
    """The implied or 8-bit immediate opcode of a mnemonic, for its effects."""
    if mnem is None:
        return None
    modes = modes_of(mnem)
    return modes.get(Mode.IMP) or modes.get(Mode.IMM8)


# ---------------------------------------------------------------------------
# rules


@dataclass
class Candidate:
    start: int  # index into the instruction list
    end: int  # exclusive
    replacement: list[str]  # instruction texts (mnemonic + operand), lower case


@dataclass
class Ctx:
    lines: list[Line]
    insns: list[Line]  # instruction lines, in order
    labels: dict[str, int | None]  # label -> index into insns of the instruction it labels

    def window(self, i: int, n: int) -> list[Line] | None:
        """``n`` consecutive instructions from ``i`` with no label, directive between them."""
        if i + n > len(self.insns):
            return None
        w = self.insns[i:i + n]
        for a, b in zip(w, w[1:], strict=False):
            if b.labels:
                return None
            for k in range(a.index + 1, b.index):
                if self.lines[k].kind != "blank":
                    return None
        return w

    def next_insn(self, i: int) -> Line | None:
        """The instruction after insns[i] if nothing but blank/label lines sits between."""
        if i + 1 >= len(self.insns):
            return None
        a, b = self.insns[i], self.insns[i + 1]
        if any(self.lines[k].kind == "other" for k in range(a.index + 1, b.index)):
            return None
        return b

    def labels_before(self, i: int) -> list[str]:
        """Labels on insns[i] and on label-only lines just above it."""
        names = list(self.insns[i].labels)
        k = self.insns[i].index - 1
        while k >= 0 and self.lines[k].kind in ("label", "blank"):
            names += self.lines[k].labels
            k -= 1
        return names


@dataclass
class Rule:
    id: str
    description: str
    find: Callable[[Ctx, int], Iterator[Candidate]]
    # saves cycles on a path the static count does not see (a branch taken):
    # accepted when the bytes are no worse
    dynamic: bool = False


RULES: dict[str, Rule] = {}


def rule(rule_id: str, description: str):
    def deco(fn):
        RULES[rule_id] = Rule(rule_id, description, fn)
        return fn
    return deco


_HW = re.compile(r"^\$(?:[0-3][0-9a-f]|[89ab][0-9a-f])?:?(?:21|4[0-3])[0-9a-f]{2}(?:,[xy])?$")


def _volatile(op: str) -> bool:
    """An operand naming an I/O register (reads or writes with side effects)."""
    return bool(_HW.match(op))


def _simple_mem(op: str) -> bool:
    """dp, abs, dp,x or abs,x (the modes of STZ, BIT, INC/DEC/shift memory)."""
    if not op or op[0] in "#([" or op in ("a",):
        return False
    base = op[:-2] if op.endswith(",x") else op
    if "," in base:
        return False
    if base.startswith("$"):
        return len(base) <= 5 and _number(base) is not None
    return True


def _acc(ln: Line) -> bool:
    return ln.op in ("", "a")


def _t(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _plain(ln: Line) -> str:
    return _t(ln.mn.lower() + ln.suffix.lower(), ln.operand)


def _label_target(op: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_.][\w.]*", op)) and op.split(".")[0].upper() not in ("A",)


@rule("stz-zero", "lda #0 followed by stores of A: store zero with STZ instead")
def _stz(ctx: Ctx, i: int):
    ld = ctx.insns[i]
    if not (ld.is_("LDA") and ld.imm == 0 and not ld.suffix):
        return
    n = 1
    while (w := ctx.window(i, n + 1)) and w[-1].is_("STA") and _simple_mem(w[-1].op) \
            and not w[-1].suffix:
        n += 1
    if n > 1:
        yield Candidate(i, i + n, [f"stz {s.operand}" for s in ctx.insns[i + 1:i + n]])


@rule("inc-a", "clc : adc #1 -> inc a (and adc #-1 -> dec a); the carry is not set the same")
def _inc_a(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if not w or not w[0].is_("CLC") or not w[1].is_("ADC") or w[0].m is None:
        return
    full = 0xFF if w[0].m else 0xFFFF
    if w[1].imm == 1:
        yield Candidate(i, i + 2, ["inc a"])
    elif w[1].imm == 2:
        yield Candidate(i, i + 2, ["inc a", "inc a"])
    elif w[1].imm == full:
        yield Candidate(i, i + 2, ["dec a"])


@rule("dec-a", "sec : sbc #1 -> dec a (and sbc #-1 -> inc a); the carry is not set the same")
def _dec_a(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if not w or not w[0].is_("SEC") or not w[1].is_("SBC") or w[0].m is None:
        return
    full = 0xFF if w[0].m else 0xFFFF
    if w[1].imm == 1:
        yield Candidate(i, i + 2, ["dec a"])
    elif w[1].imm == 2:
        yield Candidate(i, i + 2, ["dec a", "dec a"])
    elif w[1].imm == full:
        yield Candidate(i, i + 2, ["inc a"])


@rule("merge-rep-sep", "two REPs (or two SEPs) in a row -> one with both masks")
def _merge(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if w and w[0].mnem == w[1].mnem and w[0].mnem in ("REP", "SEP") \
            and w[0].imm is not None and w[1].imm is not None:
        yield Candidate(i, i + 2, [f"{w[0].mnem.lower()} #${w[0].imm | w[1].imm:02X}"])


@rule("rep-sep-overlap", "rep #a : sep #b with a within b (or the reverse): only the second counts")
def _overlap(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if w and {w[0].mnem, w[1].mnem} == {"REP", "SEP"} and w[0].imm is not None \
            and w[1].imm is not None and (w[0].imm & ~w[1].imm) == 0:
        yield Candidate(i, i + 2, [_plain(w[1])])


@rule("redundant-width", "REP/SEP of M/X bits already in that state (widths tracked) -> drop")
def _redundant_width(ctx: Ctx, i: int):
    ln = ctx.insns[i]
    op = _opcode(ln.mnem)
    if op is None or not effects(op).flags_from_operand or not ln.imm \
            or ln.imm & ~(Part.MF | Part.XF):
        return
    before = Widths(ln.m, ln.x, 0)
    if next_widths(op, before, ln.imm) == before:
        yield Candidate(i, i + 1, [])


_LOAD_STORE = {"LDA": ("STA",), "LDX": ("STX",), "LDY": ("STY",)}


@rule("redundant-load", "lda X : sta Y : lda X -> the second load is dropped (A still holds X)")
def _redundant_load(ctx: Ctx, i: int):
    w = ctx.window(i, 3)
    if not w or w[0].mnem not in _LOAD_STORE or w[2].mnem != w[0].mnem:
        return
    if w[1].mnem not in _LOAD_STORE[w[0].mnem] or w[0].op != w[2].op or w[0].suffix != w[2].suffix:
        return
    if _volatile(w[0].op) or w[1].op == w[0].op:
        return
    yield Candidate(i, i + 3, [_plain(w[0]), _plain(w[1])])


@rule("store-then-load", "sta X : lda X -> the load is dropped (A already holds it; N/Z may differ)")
def _store_load(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    pairs = {"STA": "LDA", "STX": "LDX", "STY": "LDY"}
    if w and w[0].mnem in pairs and w[1].mnem == pairs[w[0].mnem] and w[0].op == w[1].op \
            and w[0].suffix == w[1].suffix and not _volatile(w[0].op):
        yield Candidate(i, i + 2, [_plain(w[0])])


_STORES = ("STA", "STX", "STY", "STZ")


@rule("dead-store", "two stores to the same place in a row: the first is dead")
def _dead_store(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if w and w[0].mnem in _STORES and w[1].mnem in _STORES and w[0].op == w[1].op \
            and w[0].suffix == w[1].suffix and not _volatile(w[0].op) \
            and not (w[0].mnem == "STA" and w[0].op.endswith(",x") and w[1].mnem == "STX") \
            and not (w[0].op.endswith(",y") and w[1].mnem == "STY"):
        yield Candidate(i, i + 2, [_plain(w[1])])


@rule("dead-load", "two loads of the same register in a row: the first is dead")
def _dead_load(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if not w or w[0].mnem not in _LOAD_STORE or w[1].mnem != w[0].mnem or _volatile(w[0].op):
        return
    uses = {"LDA": "", "LDX": ",x", "LDY": ",y"}[w[0].mnem]
    if uses and uses in w[1].op:
        return
    if w[0].mnem == "LDX" and "(" in w[1].op:
        return
    yield Candidate(i, i + 2, [_plain(w[1])])


@rule("tail-call", "jsr Sub : rts -> jmp Sub; jsl Sub : rtl -> jml Sub")
def _tail(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if not w:
        return
    if w[0].is_("JSR") and w[1].is_("RTS"):
        yield Candidate(i, i + 2, [_t("jmp", w[0].operand)])
    elif w[0].is_("JSL") and w[1].is_("RTL"):
        yield Candidate(i, i + 2, [_t("jml", w[0].operand)])


_BRANCHES = ("BCC", "BCS", "BEQ", "BNE", "BMI", "BPL", "BVC", "BVS", "BRA")
_INVERT = {"BCC": "BCS", "BCS": "BCC", "BEQ": "BNE", "BNE": "BEQ", "BMI": "BPL", "BPL": "BMI",
           "BVC": "BVS", "BVS": "BVC"}


def _target(ctx: Ctx, op: str) -> int | None:
    return ctx.labels.get(op) if _label_target(op) else None


@rule("branch-chain", "a branch or jump to a BRA/JMP goes straight to that one's target")
def _chain(ctx: Ctx, i: int):
    ln = ctx.insns[i]
    if ln.mnem not in _BRANCHES + ("JMP", "BRL") or ln.suffix:
        return
    t = _target(ctx, ln.op)
    if t is None or t == i:
        return
    tg = ctx.insns[t]
    if tg.mnem in ("BRA", "JMP", "BRL") and not tg.suffix and _label_target(tg.op) \
            and tg.op != ln.op:
        yield Candidate(i, i + 1, [_t(ln.mnem.lower(), tg.operand)])


@rule("jump-to-return", "bra/jmp to an RTS/RTL -> return right there")
def _jump_ret(ctx: Ctx, i: int):
    ln = ctx.insns[i]
    if ln.mnem not in ("BRA", "JMP", "BRL") or ln.suffix:
        return
    t = _target(ctx, ln.op)
    if t is not None and ctx.insns[t].mnem in ("RTS", "RTL"):
        yield Candidate(i, i + 1, [ctx.insns[t].mn.lower()])


@rule("branch-to-next", "bra/jmp to the very next instruction -> nothing")
def _to_next(ctx: Ctx, i: int):
    ln = ctx.insns[i]
    if ln.mnem not in ("BRA", "JMP", "BRL", "JML"):
        return
    nxt = ctx.next_insn(i)
    if nxt is not None and ln.operand and ln.operand in ctx.labels_before(i + 1):
        yield Candidate(i, i + 1, [])


@rule("invert-branch-over", "bcc L : bra M : L: -> bcs M")
def _invert(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if not w or w[0].mnem not in _INVERT or w[1].mnem not in ("BRA", "JMP", "BRL") or w[1].suffix:
        return
    if ctx.next_insn(i + 1) is None or not _label_target(w[1].op) and w[1].op not in ("+", "-"):
        return
    if w[0].operand and w[0].operand in ctx.labels_before(i + 2):
        yield Candidate(i, i + 2, [_t(_INVERT[w[0].mnem].lower(), w[1].operand)])


@rule("jmp-to-bra", "jmp Label within reach -> bra Label (one byte less)")
def _jmp_bra(ctx: Ctx, i: int):
    ln = ctx.insns[i]
    if ln.is_("JMP") and not ln.suffix and _label_target(ln.op) and ln.op in ctx.labels:
        yield Candidate(i, i + 1, [_t("bra", ln.operand)])


_ROUNDTRIP = {("TAX", "TXA"), ("TAY", "TYA"), ("TXA", "TAX"), ("TYA", "TAY"), ("TXY", "TYX"),
              ("TYX", "TXY"), ("TCD", "TDC"), ("TDC", "TCD"), ("TCS", "TSC"), ("TSC", "TCS"),
              ("TSX", "TXS"), ("TXS", "TSX")}


@rule("transfer-roundtrip", "tax : txa (and the like) -> tax: the second transfer changes nothing")
def _roundtrip(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if w and (w[0].mnem, w[1].mnem) in _ROUNDTRIP:
        yield Candidate(i, i + 2, [w[0].mn.lower()])


@rule("transfer-pair", "txa : tay -> txy, tya : tax -> tyx (A is left as it was)")
def _transfer_pair(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    pairs = {("TXA", "TAY"): "txy", ("TYA", "TAX"): "tyx"}
    if w and (w[0].mnem, w[1].mnem) in pairs:
        yield Candidate(i, i + 2, [pairs[(w[0].mn, w[1].mn)]])


_PUSH_PULL = {("PHA", "PLA"), ("PHX", "PLX"), ("PHY", "PLY"), ("PHP", "PLP"), ("PHB", "PLB"),
              ("PHD", "PLD")}


@rule("push-pull", "pha : pla (and the like) -> nothing")
def _push_pull(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if w and (w[0].mnem, w[1].mnem) in _PUSH_PULL:
        yield Candidate(i, i + 2, [])


@rule("pair-16bit", "8-bit byte-by-byte copies of consecutive bytes -> 16-bit copies under REP #$20")
def _pair16(ctx: Ctx, i: int):
    if ctx.insns[i].m != 1:
        return
    pairs: list[tuple[Line, Line]] = []
    k = i
    while (w := ctx.window(k, 2)) and (k == i or ctx.window(i, k - i + 2)) \
            and w[0].is_("LDA") and w[1].is_("STA") and not w[0].suffix and not w[1].suffix:
        pairs.append((w[0], w[1]))
        k += 2
    best = None
    for n in range(2, len(pairs) + 1, 2):
        ok = True
        for j in range(0, n, 2):
            (la, sa), (lb, sb) = pairs[j], pairs[j + 1]
            if not (_next_byte(la.op, lb.op) and _next_byte(sa.op, sb.op)):
                ok = False
                break
            if _volatile(la.op) or _volatile(sa.op) or la.op[:1] == "#":
                ok = False
                break
        if not ok:
            break
        best = n
    if best:
        body = ["rep #$20"]
        for j in range(0, best, 2):
            body += [_plain(pairs[j][0]), _plain(pairs[j][1])]
        yield Candidate(i, i + 2 * best, body + ["sep #$20"])


def _next_byte(a: str, b: str) -> bool:
    def split(op: str) -> tuple[str, str]:
        for suf in (",x", ",y"):
            if op.endswith(suf):
                return op[:-2], suf
        return op, ""
    (ba, sa), (bb, sb) = split(a), split(b)
    if sa != sb or "(" in ba or "[" in ba:
        return False
    na, nb = _number(ba), _number(bb)
    if na is not None and nb is not None:
        return nb == na + 1 and len(ba) == len(bb)
    return bb in (ba + "+1", f"{ba}+$1", f"{ba}+$01")


# Instructions that set N and Z from A (X, Y) at its width, in every addressing mode; and
# those that do so in accumulator mode only (asl a, inc a, ...).
_NZ_A = mnemonics_where(lambda f: f.nz_from is Result.A)
_NZ_X = mnemonics_where(lambda f: f.nz_from is Result.X)
_NZ_Y = mnemonics_where(lambda f: f.nz_from is Result.Y)
_NZ_A_ACC = frozenset(op.mnemonic for op in OPCODES
                      if op.mode is Mode.ACC and effects(op).nz_from is Result.A)


@rule("compare-zero", "cmp #0 right after an instruction that set N/Z from A -> drop (C differs)")
def _cmp0(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if not w or w[1].imm != 0:
        return
    a, c = w
    ok = (c.is_("CMP") and (a.mnem in _NZ_A or (a.mnem in _NZ_A_ACC and _acc(a)))) \
        or (c.is_("CPX") and a.mnem in _NZ_X) or (c.is_("CPY") and a.mnem in _NZ_Y)
    if ok:
        yield Candidate(i, i + 2, [_plain(a)])


@rule("identity-op", "ora #0, eor #0, and #$FF (8-bit) / #$FFFF (16-bit) -> drop")
def _identity(ctx: Ctx, i: int):
    ln = ctx.insns[i]
    v = ln.imm
    if v is None:
        return
    if ln.mnem in ("ORA", "EOR") and v == 0:
        yield Candidate(i, i + 1, [])
    elif ln.is_("AND") and ln.m is not None and v == (0xFF if ln.m else 0xFFFF):
        yield Candidate(i, i + 1, [])


@rule("inc-dec-cancel", "inc a : dec a, inx : dex, iny : dey (either order) -> nothing")
def _incdec(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if not w:
        return
    pair = {w[0].mnem, w[1].mnem}
    if pair in ({"INX", "DEX"}, {"INY", "DEY"}):
        yield Candidate(i, i + 2, [])
    elif pair == {"INC", "DEC"} and w[0].op == w[1].op and (_acc(w[0]) or not _volatile(w[0].op)):
        yield Candidate(i, i + 2, [])


@rule("bit-test", "lda X : and #$80/#$40 : beq/bne -> bit X : bpl/bmi/bvc/bvs (A is kept)")
def _bit(ctx: Ctx, i: int):
    w = ctx.window(i, 3)
    if not w or not w[0].is_("LDA") or not w[1].is_("AND") or w[2].mnem not in ("BEQ", "BNE"):
        return
    if not _simple_mem(w[0].op) or w[0].m is None or w[0].suffix:
        return
    top = 0x80 if w[0].m else 0x8000
    v = w[1].imm
    if v == top:
        br = "bpl" if w[2].mnem == "BEQ" else "bmi"
    elif v == top >> 1:
        br = "bvc" if w[2].mnem == "BEQ" else "bvs"
    else:
        return
    yield Candidate(i, i + 3, [_t("bit", w[0].operand), _t(br, w[2].operand)])


@rule("xba-shift", "eight or more asl a / lsr a in 16-bit A -> xba : and #$FF00/#$00FF (+ the rest)")
def _xba(ctx: Ctx, i: int):
    ln = ctx.insns[i]
    if ln.m != 0 or ln.mnem not in ("ASL", "LSR") or not _acc(ln):
        return
    n = 1
    while (w := ctx.window(i, n + 1)) and w[-1].mnem == ln.mnem and _acc(w[-1]):
        n += 1
    if n >= 8:
        mask = "#$FF00" if ln.mnem == "ASL" else "#$00FF"
        yield Candidate(i, i + n, ["xba", f"and {mask}"] + [f"{ln.mnem.lower()} a"] * (n - 8))


@rule("rmw-memory", "lda X : inc/dec/asl/lsr/rol/ror a : sta X -> the same operation on X")
def _rmw(ctx: Ctx, i: int):
    ld = ctx.insns[i]
    if not ld.is_("LDA") or not _simple_mem(ld.op) or _volatile(ld.op) or ld.suffix:
        return
    n = 1
    while (w := ctx.window(i, n + 1)) and w[-1].mnem in ("INC", "DEC", "ASL", "LSR", "ROL", "ROR") \
            and _acc(w[-1]) and n <= 3:
        n += 1
    w = ctx.window(i, n + 1)
    if n > 1 and w and w[-1].is_("STA") and w[-1].op == ld.op and not w[-1].suffix:
        yield Candidate(i, i + n + 1, [_t(s.mn.lower(), ld.operand) for s in w[1:-1]])


@rule("index-step", "txa : inc a : tax (or dec, or y) -> inx / dex (A is left as it was)")
def _index_step(ctx: Ctx, i: int):
    first = ctx.insns[i]
    if first.mnem not in ("TXA", "TYA"):
        return
    reg = first.mnem[1]
    n = 1
    while (w := ctx.window(i, n + 1)) and w[-1].mnem in ("INC", "DEC") and _acc(w[-1]):
        n += 1
    w = ctx.window(i, n + 1)
    if n > 1 and w and w[-1].mnem == f"TA{reg}":
        yield Candidate(i, i + n + 1,
                        [("in" if s.mnem == "INC" else "de") + reg.lower() for s in w[1:-1]])


@rule("flag-redundant", "clc : sec (or sec : sec, cli : sei ...) -> only the last one")
def _flags(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    groups = ({"CLC", "SEC"}, {"CLD", "SED"}, {"CLI", "SEI"}, {"CLV"})
    if w and any(w[0].mnem in g and w[1].mnem in g for g in groups):
        yield Candidate(i, i + 2, [w[1].mn.lower()])


@rule("load-zero-transfer", "lda #0 : tax/tay -> ldx/ldy #0 (or stz with A kept)")
def _load_zero(ctx: Ctx, i: int):
    w = ctx.window(i, 2)
    if w and w[0].is_("LDA") and w[0].imm is not None and w[1].mnem in ("TAX", "TAY") \
            and w[0].m is not None and w[0].m == w[0].x:
        reg = w[1].mnem[2].lower()
        yield Candidate(i, i + 2, [f"ld{reg} {w[0].operand}"])


@rule("copy-loop-mvn", "a byte-copy loop (lda src,x : sta dst,x : inx : cpx #n : bne) -> MVN")
def _mvn(ctx: Ctx, i: int):
    # ldx #0 / -: lda src,x / sta dst,x / inx / cpx #n / bne -  (8-bit A, any X)
    w = ctx.window(i, 1)
    if not w or not w[0].is_("LDX") or w[0].imm != 0 or i + 5 >= len(ctx.insns):
        return
    body = ctx.window(i + 1, 5)
    if not body or ctx.next_insn(i) is None:
        return
    ld, st, inx, cpx, bne = body
    if not (ld.is_("LDA") and st.is_("STA") and inx.is_("INX") and cpx.is_("CPX")
            and bne.is_("BNE") and ld.op.endswith(",x") and st.op.endswith(",x")):
        return
    n = cpx.imm
    if not n or bne.operand not in ctx.labels_before(i + 1):
        return
    src, dst = ld.operand[:-2].strip(), st.operand[:-2].strip()
    sn, dn = _number(src.lower()), _number(dst.lower())
    if sn is None or dn is None or len(src) > 5 or len(dst) > 5 or ld.m != 1 or ld.x is None:
        return
    # MVN: A = count-1, X = source, Y = destination; DB becomes the destination bank.
    yield Candidate(i, i + 6, ["phb", "rep #$30", f"ldx #${sn:04X}", f"ldy #${dn:04X}",
                               f"lda #${n - 1:04X}", "mvn $00,$00", "plb",
                               "sep #$30" if ld.x else "sep #$20"])


def _is_reg(op: str, addr: int) -> bool:
    """``op`` names the I/O register ``addr`` (absolute, or long in bank $00)."""
    return op in (f"${addr:04x}", f"${addr:06x}")


def _nop_run(ctx: Ctx, i: int) -> int:
    """How many NOPs (padding for the hardware's delay) start at insns[i], all in one window."""
    n = 0
    while (w := ctx.window(i, n + 1)) and w[-1].is_("NOP"):
        n += 1
    return n


def _log2(v: int | None) -> int | None:
    return v.bit_length() - 1 if v and v > 1 and v & (v - 1) == 0 else None


def _width_op(ln: Line, mnem: str) -> bool:
    """``rep``/``sep`` of exactly the M bit."""
    return ln.is_(mnem) and ln.imm == 0x20 and not ln.suffix


@rule("mul-pow2", "the hardware multiplier ($4202 * $4203 -> $4216) by a power of two -> asl a")
def _mul_pow2(ctx: Ctx, i: int):
    # sta $4202 : lda #2^n : sta $4203 : nop... : [rep #$20 :] lda $4216   (8-bit A)
    w = ctx.window(i, 3)
    if not w or w[0].m != 1 or any(ln.suffix for ln in w):
        return
    if not (w[0].is_("STA") and _is_reg(w[0].op, 0x4202) and w[1].is_("LDA")
            and w[2].is_("STA") and _is_reg(w[2].op, 0x4203)):
        return
    imm = w[1].imm
    n = _log2(imm)
    if n is None or imm is None or imm > 0xFF:  # (n is None when imm is)
        return
    k = i + 3 + _nop_run(ctx, i + 3)
    tail = ctx.window(i, k - i + 2) or ctx.window(i, k - i + 1)
    if not tail or len(tail) < k - i + 1:
        return
    rest = tail[k - i:]
    if rest[0].is_("LDA") and not rest[0].suffix and _is_reg(rest[0].op, 0x4216) \
            and rest[0].m == 1:
        # 8-bit result: the low byte of A * 2^n, B untouched either way
        yield Candidate(i, k + 1, ["asl a"] * n)
    elif len(rest) == 2 and _width_op(rest[0], "REP") and rest[1].is_("LDA") \
            and not rest[1].suffix and _is_reg(rest[1].op, 0x4216):
        # 16-bit result: the whole product of the low byte of A
        yield Candidate(i, k + 2, ["rep #$20", "and #$00FF"] + ["asl a"] * n)


@rule("div-pow2", "the hardware divider ($4204 / $4206 -> $4214, $4216) by a power of two "
      "-> lsr a (quotient) or and #2^n-1 (remainder)")
def _div_pow2(ctx: Ctx, i: int):
    # 16-bit A: sta $4204 : sep #$20 : lda #2^n : sta $4206 : nop... : rep #$20 : lda $4214
    # 8-bit A:  sta $4204 : stz $4205 : lda #2^n : sta $4206 : nop... : lda $4214
    w = ctx.window(i, 4)
    if not w or w[0].m is None or any(ln.suffix for ln in w):
        return
    wide = w[0].m == 0
    if not (w[0].is_("STA") and _is_reg(w[0].op, 0x4204)):
        return
    if wide and not _width_op(w[1], "SEP"):
        return
    if not wide and not (w[1].is_("STZ") and _is_reg(w[1].op, 0x4205)):
        return
    if not (w[2].is_("LDA") and w[3].is_("STA") and _is_reg(w[3].op, 0x4206) and w[3].m == 1):
        return
    imm = w[2].imm
    n = _log2(imm)
    if n is None or imm is None or imm > 0xFF:  # (n is None when imm is)
        return
    k = i + 4 + _nop_run(ctx, i + 4)
    size = k - i + (2 if wide else 1)
    tail = ctx.window(i, size)
    if not tail:
        return
    if wide and not _width_op(tail[k - i], "REP"):
        return
    ld = tail[-1]
    if not ld.is_("LDA") or ld.suffix or ld.m != (0 if wide else 1):
        return
    if _is_reg(ld.op, 0x4214):
        yield Candidate(i, i + size, ["lsr a"] * n)
    elif _is_reg(ld.op, 0x4216):
        mask = f"#${imm - 1:04X}" if wide else f"#${imm - 1:02X}"
        yield Candidate(i, i + size, [f"and {mask}"])


# ---------------------------------------------------------------------------
# driver


@dataclass
class Rewrite:
    rule: str
    line: int  # 1-based line of the window's first instruction in the source it rewrote
    before: list[str]
    after: list[str]
    cycles_saved: int
    bytes_saved: int
    verified: bool
    proof: str


@dataclass
class OptimizeResult:
    original: str
    source: str
    diff: str
    rewrites: list[Rewrite]
    cycles_before: int
    cycles_after: int
    bytes_before: int
    bytes_after: int
    cycles_max_before: int = 0
    cycles_max_after: int = 0
    rejected: list[Rewrite] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        def rw(r: Rewrite) -> dict:
            return {"rule": r.rule, "line": r.line, "before": r.before, "after": r.after,
                    "cycles_saved": r.cycles_saved, "bytes_saved": r.bytes_saved,
                    "verified": r.verified, "proof": r.proof}
        return {
            "source": self.source, "diff": self.diff,
            "rewrites": [rw(r) for r in self.rewrites],
            "rejected": [rw(r) for r in self.rejected],
            "cycles": {"before": self.cycles_before, "after": self.cycles_after,
                       "max_before": self.cycles_max_before, "max_after": self.cycles_max_after},
            "bytes": {"before": self.bytes_before, "after": self.bytes_after},
            "seconds": round(self.seconds, 3),
        }


def _indent(text: str) -> str:
    """The whitespace a line starts with."""
    m = re.match(r"\s*", text)
    assert m is not None  # (\s* matches the empty string too)
    return m.group(0)


def _apply(ctx: Ctx, cand: Candidate) -> str:
    lines = ctx.lines
    first = ctx.insns[cand.start]
    last = ctx.insns[cand.end - 1]
    indent = _indent(first.text) if not first.labels else None
    if indent is None:
        for ln in ctx.insns[cand.start + 1:cand.end] + ctx.insns[cand.end:cand.end + 1] + \
                ctx.insns[max(0, cand.start - 1):cand.start]:
            if not ln.labels:
                indent = _indent(ln.text)
                break
        else:
            indent = "    "
    repl = [r for r in cand.replacement if r]
    if not first.lower:
        repl = [r.split(" ", 1)[0].upper() + (" " + r.split(" ", 1)[1] if " " in r else "")
                for r in repl]
    new: list[str] = []
    if repl:
        new.append(first.prefix + repl[0] if first.labels else indent + repl[0])
        new += [indent + r for r in repl[1:]]
    elif first.labels:
        new.append(first.prefix.rstrip())
    keep = [ln.text for ln in lines[first.index + 1:last.index] if ln.kind == "blank" and ln.text.strip()]
    out = [ln.text for ln in lines[:first.index]] + new + keep + \
        [ln.text for ln in lines[last.index + 1:]]
    return "\n".join(out)


def _context(source: str, m: int | None, x: int | None) -> Ctx:
    lines = parse_lines(source)
    hm, hx = _width_hint(lines)
    track_widths(lines, m if m is not None else (hm if hm is not None else 1),
                 x if x is not None else (hx if hx is not None else 1))
    insns = [ln for ln in lines if ln.kind == "insn"]
    labels: dict[str, int | None] = {}
    pending: list[str] = []
    pos = {ln.index: k for k, ln in enumerate(insns)}
    for ln in lines:
        pending += [n for n in ln.labels if n.strip("+-")]
        if ln.kind == "other":
            pending = []
        if ln.kind == "insn":
            for name in pending:
                labels[name] = None if name in labels else pos[ln.index]
            pending = []
    return Ctx(lines, insns, labels)


def candidates(source: str, *, m: int | None = None, x: int | None = None,
               rules: list[str] | None = None) -> list[tuple[str, int, str]]:
    """Every rewrite the rules propose on ``source`` (unverified): (rule, line, new source)."""
    ctx = _context(source, m, x)
    out = []
    for k in range(len(ctx.insns)):
        for r in RULES.values():
            if rules and r.id not in rules:
                continue
            for cand in r.find(ctx, k):
                out.append((r.id, ctx.insns[cand.start].index + 1, _apply(ctx, cand)))
    return out


def entry_widths(source: str, m: int | None, x: int | None) -> tuple[int, int]:
    hm, hx = _width_hint(parse_lines(source))
    return (m if m is not None else (hm if hm is not None else 1),
            x if x is not None else (hx if hx is not None else 1))


def _cost(source: str, m: int, x: int, include_paths=(),
          sandbox: Sandbox | None = None) -> tuple[int, int, int] | None:
    from triforce.analysis.timing import time_source
    try:
        t = time_source(source, m=m, x=x, include_paths=include_paths, sandbox=sandbox)
    except UserError:
        return None
    return t.cycles_min, t.cycles_max, t.bytes


def _checker():
    try:
        from triforce.analysis.equiv import check_equivalence
    except ImportError as exc:  # the checker is a separate component
        raise UserError(f"the equivalence checker is not available ({exc}); "
                        "no rewrite can be accepted without it") from None
    return check_equivalence


def optimize_source(source: str | Path, observe: str | None = None, *, m: int | None = None,
                    x: int | None = None, rules: list[str] | None = None,
                    max_rewrites: int = 200, samples: int | None = None,
                    include_paths: tuple | list = (),
                    sandbox: Sandbox | None = None) -> OptimizeResult:
    """Rewrite ``source`` with the peephole rules, keeping only proven, profitable rewrites.

    ``include_paths``: where ``incsrc``/``incbin`` look (e.g. the source file's folder);
    ``sandbox``: where the source may read files (see ``assemble``)."""
    t0 = time.perf_counter()
    name = None
    if isinstance(source, Path):
        name = str(source)
        source = read_user_text(source, "source file")
    selected = [RULES[r] for r in rules] if rules else list(RULES.values())
    unknown = [r for r in (rules or []) if r not in RULES]
    if unknown:
        raise UserError(f"unknown rule(s): {', '.join(unknown)}")
    m0, x0 = entry_widths(source, m, x)
    start_cost = _cost(source, m0, x0, include_paths, sandbox)
    if start_cost is None:
        from triforce.analysis.timing import time_source
        time_source(source, m=m0, x=x0, filename=name,
                    include_paths=include_paths, sandbox=sandbox)  # raises its message
        raise UserError("the source does not assemble")
    check = _checker()
    # The proof must hold for every entry width the caller has not fixed: a width is only
    # passed to the checker when it was given (argument or "; m16"-style hint); otherwise
    # the checker tries what the code expects, or both.
    hm, hx = _width_hint(parse_lines(source))
    given_m = m if m is not None else hm
    given_x = x if x is not None else hx
    kwargs = {"m": None if given_m is None else (8 if given_m else 16),
              "x": None if given_x is None else (8 if given_x else 16),
              "widths_from": "a",  # the rewrite may not decide the widths it is proved for
              "include_paths": tuple(include_paths), "sandbox": sandbox}
    if samples is not None:
        kwargs["samples"] = samples
    current, cost = source, start_cost
    accepted: list[Rewrite] = []
    rejected: list[Rewrite] = []
    refuted: set[str] = set()
    while len(accepted) < max_rewrites:
        ctx = _context(current, m, x)
        done = False
        for k in range(len(ctx.insns)):
            for r in selected:
                for cand in r.find(ctx, k):
                    new = _apply(ctx, cand)
                    if new == current or new in refuted:
                        continue
                    new_cost = _cost(new, m0, x0, include_paths, sandbox)
                    if new_cost is None or not (
                            _better(cost, new_cost)
                            or (r.dynamic and new_cost[2] <= cost[2])):
                        refuted.add(new)
                        continue
                    res = check(current, new, observe, **kwargs)
                    before = [ctx.insns[j].text.strip() for j in range(cand.start, cand.end)]
                    after = [s for s in cand.replacement if s]
                    record = Rewrite(r.id, ctx.insns[cand.start].index + 1, before, after,
                                     cost[0] - new_cost[0], cost[2] - new_cost[2],
                                     bool(res.equivalent), res.summary())
                    if not res.equivalent:
                        refuted.add(new)
                        rejected.append(record)
                        continue
                    accepted.append(record)
                    current, cost = new, new_cost
                    done = True
                    break
                if done:
                    break
            if done:
                break
        if not done:
            break
    diff = "".join(difflib.unified_diff(source.splitlines(keepends=True) if source.endswith("\n")
                                        else (source + "\n").splitlines(keepends=True),
                                        current.splitlines(keepends=True) if current.endswith("\n")
                                        else (current + "\n").splitlines(keepends=True),
                                        "before.asm", "after.asm"))
    return OptimizeResult(source, current, diff, accepted, start_cost[0], cost[0], start_cost[2],
                          cost[2], start_cost[1], cost[1], rejected, time.perf_counter() - t0)


def _better(old: tuple[int, int, int], new: tuple[int, int, int]) -> bool:
    return all(n <= o for n, o in zip(new, old, strict=True)) and new != old


RULES["branch-chain"].dynamic = True
RULES["jump-to-return"].dynamic = True
