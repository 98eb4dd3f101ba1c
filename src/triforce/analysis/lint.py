"""Farore's eyes: a static linter for 65816 code assembled with asar syntax.

The source is assembled; its instructions are decoded from the listing and
joined into a control-flow graph (branches, jumps, calls and returns inside
the file). Every main label (not a sublabel), every call target and every
vector is an entry point. A forward data-flow analysis runs from each entry
over a small abstract state: the M/X/D flags (``"E"`` = as at the entry,
``None`` = unknown), the direct page and data bank registers, constants in
A/X/Y, the stack (depth relative to the entry and what was pushed) and the
constant values written to hardware registers. The rules read that state;
each finding names its rule, where it is, how bad it is and how to fix it.

Calls are assumed to return with the caller's widths, D and DBR (the callee
is checked for that itself); they clobber A/X/Y. A routine called only with
known widths is analysed again with those widths at its entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from triforce.asm import AsmResult, Sandbox, assemble
from triforce.errors import UserError
from triforce.isa import MNEMONICS, OPCODES, Mode, Opcode
from triforce.isa.semantics import A16, X16, Y16, Flow, Part, Widths, effects, next_widths
from triforce.snes.registers import by_address as register_at

# ------------------------------------------------------------------ findings and rules

@dataclass
class Finding:
    rule: str
    severity: str  # "error" / "warning" / "info"
    file: str | None
    line: int | None
    address: int | None
    message: str
    fix: str = ""

    def to_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "file": self.file,
                "line": self.line,
                "address": None if self.address is None else f"${self.address:06X}",
                "message": self.message, "fix": self.fix}

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}: " if self.file else ""
        fix = f" (fix: {self.fix})" if self.fix else ""
        return f"{loc}{self.severity}: [{self.rule}] {self.message}{fix}"


RULES: dict[str, tuple[str, str]] = {
    "imm-width": ("error", "immediate assembled for the wrong M/X width"),
    "width-join": ("warning", "paths with different REP/SEP widths join"),
    "width-return": ("warning", "widths at RTS/RTL differ from the widths at entry"),
    "width-no-php": ("warning", "called routine changes widths without PHP/PLP"),
    "width-access": ("warning", "8-bit access to a 16-bit register or the reverse"),
    "stack-unbalanced": ("error", "pushes and pulls unbalanced on a path to a return"),
    "call-return-mismatch": ("error", "JSL to a routine ending in RTS, or JSR to one ending in RTL"),
    "dma-enable-order": ("warning", "MDMAEN/HDMAEN written before the channel is set up"),
    "dma-size-zero": ("warning", "DMA size $0000 (transfers 64 KiB)"),
    "dma-vram-setup": ("warning", "DMA to VRAM without VMAIN and VMADD set first"),
    "dma-bbus-mode": ("warning", "B-bus address does not fit the DMA transfer mode"),
    "mvn-order": ("warning", "MVN/MVP bank operands likely reversed"),
    "mvn-count": ("warning", "MVN/MVP count likely off by one"),
    "mvn-dbr": ("warning", "DBR left changed by MVN/MVP at the return"),
    "dp-assumption": ("warning", "direct-page access with D unknown"),
    "dbr-assumption": ("warning", "absolute access with the wrong or unknown DBR"),
    "decimal-left-set": ("warning", "SED without CLD before RTS/RTL"),
    "irq-rts": ("error", "interrupt handler ends in RTS/RTL, or RTI routine called with JSR/JSL"),
    "irq-save": ("warning", "interrupt handler changes A/X/Y without saving them"),
    "readonly-write": ("warning", "write to a read-only register"),
    "writeonly-read": ("warning", "read of a write-only register"),
}


# ------------------------------------------------------------------ hardware registers

def register_info(addr: int) -> tuple[str, str, str] | None:
    """(access, size, name) of the register at bank-$00 address ``addr``, from the register
    table, or None."""
    r = register_at(addr & 0xFFFF)
    return None if r is None else (r.access, r.size, r.name)


def _reg_name(addr: int) -> str:
    info = register_info(addr)
    name = info[2] if info else ""
    return f"${addr & 0xFFFF:04X}" + (f" ({name})" if name and not name.startswith("$") else "")


def _is_register(addr: int) -> bool:
    a = addr & 0xFFFF
    return 0x2100 <= a < 0x2200 or 0x4000 <= a < 0x4400


# ------------------------------------------------------------------ decoded program

@dataclass
class Ins:
    address: int
    data: bytes
    file: str
    line: int
    source: str

    @property
    def op(self):
        return OPCODES[self.data[0]]

    @property
    def mn(self) -> str:
        return self.op.mnemonic

    @property
    def mode(self) -> Mode:
        return self.op.mode

    @property
    def operand(self) -> int:
        return int.from_bytes(self.data[1:], "little")

    @property
    def next(self) -> int:
        return (self.address & 0xFF0000) | ((self.address + len(self.data)) & 0xFFFF)

    def branch_target(self) -> int:
        off = self.operand
        bits = 8 * (len(self.data) - 1)
        if off >= 1 << (bits - 1):
            off -= 1 << bits
        return (self.address & 0xFF0000) | ((self.address + len(self.data) + off) & 0xFFFF)

    def jump_target(self) -> int | None:
        if self.mode is Mode.ABS and self.mn in ("JMP", "JSR"):
            return (self.address & 0xFF0000) | self.operand
        if self.mode is Mode.LONG and self.mn in ("JML", "JSL"):
            return self.operand
        return None


def _is_instruction(source: str) -> bool:
    text = source.strip()
    while text:
        word, _, rest = text.partition(" ")
        if word.endswith(":") or word.startswith(".") or word in ("+", "-", "++", "--"):
            text = rest.strip()
            continue
        return word.split(".")[0].upper() in MNEMONICS
    return False


# ------------------------------------------------------------------ abstract state

E = "E"  # "as at the routine's entry"
U = "U"  # unknown, and suspicious (pulled from an unknown stack slot)


@dataclass(frozen=True)
class State:
    m: object = E
    x: object = E
    d: object = E  # decimal flag
    m_guess: object = E  # width the routine seems to expect at entry (opposite of its first REP/SEP)
    x_guess: object = E
    dreg: object = E  # direct page register
    dbr: object = E
    dbr_mvn: int | None = None  # address of the MVN/MVP that set DBR
    d_sed: int | None = None  # address of the SED that set D
    a_lo: int | None = None
    a_hi: int | None = None
    a_src: int | None = None  # address of the LDA #imm that set A
    xv: int | None = None
    yv: int | None = None
    depth: int | None = 0  # bytes pushed since entry (None: lost)
    # A and X/Y pushes in the (unknown) width at entry, pushes minus pulls: (A, X/Y)
    edepth: tuple = (0, 0)
    items: tuple | None = ()  # (kind, size, value) pushed, top last; None: lost
    hw: tuple = ()  # sorted (address, value or None) of hardware registers written
    width_set: int | None = None  # address of the first REP/SEP that changed a width
    diverged: frozenset = frozenset()  # "m"/"x" set by REP/SEP to the other width than at entry
    saved: frozenset = frozenset()  # A/X/Y pushed (interrupt handlers)
    clobbered: frozenset = frozenset()

    def hw_dict(self) -> dict[int, int | None]:
        return dict(self.hw)


def _and_byte(known: int | None, mask: int) -> int | None:
    if known is not None:
        return known & mask
    return 0 if mask == 0 else None


def _join_val(a, b):
    return a if a == b else None


def _join(a: State, b: State) -> State:
    if a == b:
        return a
    depth = a.depth if a.depth == b.depth and a.edepth == b.edepth else None
    items = a.items if a.items == b.items else None
    ha, hb = a.hw_dict(), b.hw_dict()
    hw = tuple(sorted((k, _join_val(v, hb[k])) for k, v in ha.items() if k in hb))
    return State(
        m=_join_val(a.m, b.m), x=_join_val(a.x, b.x), d=_join_val(a.d, b.d),
        m_guess=_join_val(a.m_guess, b.m_guess), x_guess=_join_val(a.x_guess, b.x_guess),
        dreg=_join_val(a.dreg, b.dreg), dbr=_join_val(a.dbr, b.dbr),
        dbr_mvn=a.dbr_mvn or b.dbr_mvn, d_sed=a.d_sed or b.d_sed,
        a_lo=_join_val(a.a_lo, b.a_lo), a_hi=_join_val(a.a_hi, b.a_hi),
        a_src=_join_val(a.a_src, b.a_src), xv=_join_val(a.xv, b.xv), yv=_join_val(a.yv, b.yv),
        depth=depth, edepth=a.edepth if depth is not None else (0, 0),
        items=items if depth is not None else None, hw=hw,
        width_set=a.width_set or b.width_set, diverged=a.diverged | b.diverged,
        saved=a.saved & b.saved,
        clobbered=a.clobbered | b.clobbered,
    )


# ------------------------------------------------------------------ the linter

def _stack_size(op: Opcode) -> int | str:
    """Bytes the instruction pushes or pulls: a count, or "m" / "x" for the width of A / X."""
    n = effects(op).stack or 0
    if (effects(op, m=0).stack or 0) != n:
        return "m"
    if (effects(op, x=0).stack or 0) != n:
        return "x"
    return abs(n)


# from the instruction-semantics table: pushes and pulls that fall through, and which
# opcodes write A, X and Y
_PUSH = {op.mnemonic: _stack_size(op) for op in OPCODES
         if (effects(op).stack or 0) > 0 and effects(op).flow is Flow.NEXT}
_PULL = {op.mnemonic: _stack_size(op) for op in OPCODES
         if (effects(op).stack or 0) < 0 and effects(op).flow is Flow.NEXT}
_WRITES = [effects(op, m=0, x=0).writes for op in OPCODES]  # 16-bit: every byte shows
_ROUND_SIZES = {0x100, 0x200, 0x400, 0x800, 0x1000, 0x2000, 0x4000, 0x8000}
_IRQ_WORDS = frozenset({"NMI", "IRQ", "BRK", "COP", "VBLANK", "INTERRUPT", "ISR"})
# A name whose first part is one of these verbs acts on interrupts ("EnableNmi"), it is not one.
_IRQ_VERBS = frozenset({"ENABLE", "DISABLE", "WAIT", "SET", "SETUP", "CLEAR", "ACK", "ACKNOWLEDGE",
                        "INIT", "START", "STOP", "CHECK", "TRIGGER", "REQUEST", "MASK", "UNMASK",
                        "ALLOW", "BLOCK", "TURN", "READ", "WRITE", "UPDATE"})
_NAME_PART_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def _name_parts(name: str) -> list[str]:
    """``"NMI_HandlerMain2"`` -> ``["NMI", "HANDLER", "MAIN", "2"]`` (split on _ and case)."""
    return [p.upper() for chunk in re.split(r"[_.]+", name) for p in _NAME_PART_RE.findall(chunk)]


def _looks_like_handler_name(name: str) -> bool:
    """Whole-part match of an interrupt word: "NmiHandler", "IRQ", "VBlank" - not "CopyList"."""
    parts = _name_parts(name)
    if not parts or parts[0] in _IRQ_VERBS:
        return False
    words = set(parts) | {a + b for a, b in zip(parts, parts[1:], strict=False)}
    return bool(words & _IRQ_WORDS)


class _Linter:
    def __init__(self, res: AsmResult, m: int | None, x: int | None, filename: str) -> None:
        self.res = res
        self.filename = filename
        self.m0, self.x0 = m, x
        self.ins: dict[int, Ins] = {}
        for ln in res.listing:
            if ln.data and _is_instruction(ln.source):
                self.ins[ln.address] = Ins(ln.address, bytes(ln.data), ln.file, ln.line, ln.source)
        self.findings: dict[tuple[str, int], Finding] = {}
        syms = res.symbols
        self.labels: dict[int, str] = {}
        for name, addr in sorted(syms.items(), key=lambda kv: kv[0]):
            if name.startswith(":") or self._is_sub(name, syms):
                continue
            addr &= 0xFFFFFF
            if addr in self.ins:
                self.labels.setdefault(addr, name)
        self.calls: dict[int, list[Ins]] = {}  # target -> call instructions
        for i in self.ins.values():
            if i.mn in ("JSR", "JSL"):
                t = self._resolve(i.jump_target())
                if t is not None:
                    self.calls.setdefault(t, []).append(i)
        self.vectors = self._vectors()

    @staticmethod
    def _is_sub(name: str, syms: dict) -> bool:
        parts = name.split("_")
        return any("_".join(parts[:k]) in syms for k in range(1, len(parts)))

    def _resolve(self, addr: int | None) -> int | None:
        if addr is None:
            return None
        for a in (addr, addr ^ 0x800000):
            if a in self.ins:
                return a
        return None

    def _vectors(self) -> set[int]:
        rom = self.res.rom
        base = 0xFFE0 if self.res.mapping.lower().startswith("hi") else 0x7FE0
        out = set()
        for off in list(range(0x04, 0x10, 2)) + list(range(0x14, 0x20, 2)):
            if base + off == base + 0x1C:  # reset vector: not an interrupt
                continue
            if len(rom) < base + off + 2:  # the ROM ends before this vector
                continue
            v = int.from_bytes(rom[base + off: base + off + 2], "little")
            t = self._resolve(v)
            if v not in (0, 0xFFFF) and t is not None:
                out.add(t)
        return out

    # -- findings
    def report(self, rule: str, ins: Ins | None, message: str, fix: str = "",
               address: int | None = None) -> None:
        addr = ins.address if ins is not None else address
        key = (rule, addr if addr is not None else -1)
        if key in self.findings:
            return
        target = ins if ins is not None else self.ins.get(addr) if addr is not None else None
        self.findings[key] = Finding(
            rule, RULES[rule][0], target.file if target else self.filename,
            target.line if target else None, addr, message, fix)

    # -- entries
    def is_handler(self, entry: int, returns: set[str]) -> bool:
        if entry in self.vectors or "RTI" in returns:
            return True
        if entry in self.calls:  # a routine called with JSR/JSL is not a handler
            return False
        if self.vectors:  # the file has its vectors: trust them over names
            return False
        return _looks_like_handler_name(self.labels.get(entry, ""))

    def run(self) -> list[Finding]:
        entries = set(self.labels) | set(self.calls) | self.vectors
        entry_widths: dict[int, tuple] = {e: (self.m0, self.x0) for e in entries}
        results: dict[int, tuple[dict[int, State], set[str]]] = {}
        for _round in range(2):
            self.findings = {}
            call_states: dict[int, list[tuple[State, int]]] = {}  # (state, caller's entry)
            results = {}
            for e in sorted(entries):
                results[e] = self.analyse(e, entry_widths[e], call_states, check=False)
            changed = False
            for e, states in call_states.items():
                if e not in entry_widths:
                    continue
                ms = {self.concrete(s.m, entry_widths[c][0]) for s, c in states}
                xs = {self.concrete(s.x, entry_widths[c][1]) for s, c in states}
                m = ms.pop() if len(ms) == 1 else None
                x = xs.pop() if len(xs) == 1 else None
                new = (m if m is not None else self.m0, x if x is not None else self.x0)
                if new != entry_widths[e]:
                    entry_widths[e] = new
                    changed = True
            if not changed:
                break
        self.findings = {}
        self.returns = {e: results[e][1] for e in results}
        for e in sorted(entries):
            self.analyse(e, entry_widths[e], {}, check=True)
        self.check_calls()
        return sorted(self.findings.values(), key=lambda f: (f.file or "", f.line or 0, f.rule))

    @staticmethod
    def concrete(v, entry):
        return entry if v == E else v

    # -- the data-flow analysis of one entry
    def analyse(self, entry: int, widths: tuple, call_states: dict,
                check: bool) -> tuple[dict[int, State], set[str]]:
        self.entry = entry
        self.ew = widths
        states: dict[int, State] = {entry: State()}
        work = [entry]
        returns: set[str] = set()
        order: list[int] = []
        while work:
            addr = work.pop()
            ins = self.ins[addr]
            st = states[addr]
            if addr not in order:
                order.append(addr)
            for succ, out in self.step(ins, st, call_states, None):
                if succ is None:
                    continue
                if succ == "return":
                    returns.add(ins.mn)
                    continue
                if succ not in self.ins:
                    continue
                old = states.get(succ)
                if old is None:
                    states[succ] = out
                    work.append(succ)
                else:
                    new = _join(old, out)
                    if new != old:
                        states[succ] = new
                        work.append(succ)
        if check:
            self.handler = self.is_handler(entry, returns)
            self.irq_reported = False
            self.called = entry in self.calls
            self.routine_writes = self._routine_writes(order, states)
            self.has_php = any(self.ins[a].mn == "PHP" for a in order)
            preds: dict[int, list[State]] = {}
            for a in order:
                for succ, out in self.step(self.ins[a], states[a], {}, None):
                    if isinstance(succ, int):
                        preds.setdefault(succ, []).append(out)
            for addr in sorted(order):
                ins = self.ins[addr]
                self.check_join(ins, preds.get(addr, []))
                self.step(ins, states[addr], {}, self)
        return states, returns

    def _routine_writes(self, order: list[int], states: dict) -> set[int]:
        """Bank-$00 addresses the routine stores to (both bytes of a 16-bit or unknown-width
        store; direct-page stores with a known D)."""
        out = set()
        for a in order:
            i = self.ins[a]
            if i.mn not in ("STA", "STZ", "STX", "STY"):
                continue
            st = states[a]
            if i.mode in (Mode.ABS, Mode.LONG):
                addr = i.operand & 0xFFFF
            elif i.mode is Mode.DP and isinstance(st.dreg, int):
                addr = (st.dreg + i.operand) & 0xFFFF
            else:
                continue
            flag = "m" if i.mn in ("STA", "STZ") else "x"
            out.add(addr)
            if self.width(st.m if flag == "m" else st.x, flag) != 1:
                out.add((addr + 1) & 0xFFFF)
        return out

    def check_join(self, ins: Ins, preds: list[State]) -> None:
        if len(preds) < 2:
            return
        for flag, reg in (("m", "A"), ("x", "X/Y")):
            entry = self.ew[0] if flag == "m" else self.ew[1]
            vals = {entry if getattr(s, flag) == E and entry is not None else getattr(s, flag)
                    for s in preds}
            vals.discard(None)
            if len(vals) > 1:
                self.report("width-join", ins,
                            f"paths that join here have different {reg} widths "
                            f"({', '.join(self._wtext(v, flag) for v in sorted(vals, key=str))})",
                            "set the width explicitly (REP/SEP) on every path before the join")
        depths = {(s.depth, s.edepth) for s in preds if s.depth is not None}
        if len(depths) > 1:
            text = ", ".join(self._depth_text(d, e) for d, e in sorted(depths))
            self.report("stack-unbalanced", ins,
                        f"paths that join here have different stack depths ({text})",
                        "pull what each path pushed before the paths meet")

    @staticmethod
    def _depth_text(depth: int, edepth: tuple) -> str:
        out = [f"{depth:+d} bytes"] if depth or edepth == (0, 0) else []
        for n, reg in zip(edepth, ("A", "X/Y"), strict=True):
            if n:
                out.append(f"{n:+d} {reg} push{'es' if abs(n) > 1 else ''} in the entry width")
        return " ".join(out)

    def _wtext(self, v, flag) -> str:
        if v == E:
            return "as at entry"
        return "8-bit" if v == 1 else "16-bit"

    def entry_width(self, flag: str, guess):
        """The width at the routine's entry: given by the callers, else the guess, else None."""
        entry = self.ew[0] if flag == "m" else self.ew[1]
        if entry is None and guess in (0, 1):
            return guess
        return entry

    def unit(self, size, flag_value, flag: str):
        """Bytes a PHA/PHX-like push moves: 1 or 2, ``"mE"``/``"xE"`` for the unknown width at
        entry (the same on a push and on a pull in that width), None when unknown."""
        n = self.width(flag_value, flag)
        if n is not None:
            return 1 if n == 1 else 2
        return flag + "E" if flag_value == E else None

    def width(self, v, flag: str):
        """Concrete width flag (1 = 8-bit, 0 = 16-bit) or None."""
        if v == E:
            return self.ew[0] if flag == "m" else self.ew[1]
        return v if v in (0, 1) else None

    # -- the transfer function; with ``chk`` set, the rules are checked as well
    def step(self, ins: Ins, st: State, call_states: dict, chk):
        mn, mode = ins.mn, ins.mode
        writes = _WRITES[ins.data[0]]
        s = st
        m = self.width(st.m, "m")
        xw = self.width(st.x, "x")
        upd: dict = {}
        if chk:
            self.rules_before(ins, st, m, xw)

        # widths and flags
        if effects(ins.op).flags_from_operand:  # REP / SEP (the linter assumes native mode)
            bits = ins.data[1]
            val = 1 if mn == "SEP" else 0
            after = next_widths(ins.op, Widths(None, None, 0), bits)
            if after.m is not None:
                if st.m == E and st.m_guess == E:
                    upd["m_guess"] = 1 - val
                upd["m"] = val
                if st.m != val and st.width_set is None:
                    upd["width_set"] = ins.address
                if self.entry_width("m", upd.get("m_guess", st.m_guess)) == 1 - val:
                    upd["diverged"] = st.diverged | {"m"}
            if after.x is not None:
                if st.x == E and st.x_guess == E:
                    upd["x_guess"] = 1 - val
                upd["x"] = val
                if st.x != val and st.width_set is None:
                    upd["width_set"] = ins.address
                if self.entry_width("x", upd.get("x_guess", st.x_guess)) == 1 - val:
                    upd["diverged"] = upd.get("diverged", st.diverged) | {"x"}
                if val == 1:
                    upd["xv"] = None if st.xv is None else st.xv & 0xFF
                    upd["yv"] = None if st.yv is None else st.yv & 0xFF
            if bits & Part.D:
                upd["d"] = val
                upd["d_sed"] = ins.address if val else None
        elif mn == "SED":
            upd["d"], upd["d_sed"] = 1, ins.address
        elif mn == "CLD":
            upd["d"], upd["d_sed"] = 0, None

        # registers A/X/Y
        v: int | None
        if mn == "LDA" and mode is Mode.IMM_M:
            v = ins.operand
            upd["a_lo"] = v & 0xFF
            upd["a_hi"] = (v >> 8) if len(ins.data) == 3 else st.a_hi
            upd["a_src"] = ins.address
        elif mn == "AND" and mode is Mode.IMM_M and m is not None:
            # known zero bits survive an unknown value: AND #$000F leaves the high byte $00
            v = ins.operand
            upd["a_lo"] = _and_byte(st.a_lo, v & 0xFF)
            if m == 0 and len(ins.data) == 3:
                upd["a_hi"] = _and_byte(st.a_hi, v >> 8)
            upd["a_src"] = None
        elif writes & A16:
            upd["a_lo"] = upd["a_hi"] = upd["a_src"] = None
            if mn == "TDC" and isinstance(st.dreg, int):
                upd["a_lo"], upd["a_hi"] = st.dreg & 0xFF, st.dreg >> 8
            if mn in ("TXA", "TYA"):
                v = st.xv if mn == "TXA" else st.yv
                if v is not None and m == 1:
                    upd["a_lo"], upd["a_hi"] = v & 0xFF, st.a_hi
                elif v is not None and m == 0:
                    upd["a_lo"], upd["a_hi"] = v & 0xFF, v >> 8
        if mn == "LDX" and mode is Mode.IMM_X:
            upd["xv"] = ins.operand
        elif writes & X16:
            upd["xv"] = None
        if mn == "LDY" and mode is Mode.IMM_X:
            upd["yv"] = ins.operand
        elif writes & Y16:
            upd["yv"] = None
        if mn in ("TCD",):
            if st.a_lo is not None and st.a_hi is not None:
                upd["dreg"] = st.a_lo | st.a_hi << 8
            else:
                upd["dreg"] = None
        if mn in ("MVN", "MVP"):
            upd["dbr"] = ins.data[1]
            upd["dbr_mvn"] = ins.address

        # interrupt handlers: A/X/Y saved before they change?
        for reg, parts in (("A", A16), ("X", X16), ("Y", Y16)):
            pushed = {"A": "PHA", "X": "PHX", "Y": "PHY"}[reg]
            if mn == pushed and reg not in st.clobbered:
                upd["saved"] = st.saved | {reg}
            elif writes & parts and reg not in st.saved and reg not in st.clobbered:
                upd["clobbered"] = st.clobbered | {reg}
                if chk and chk.handler and not self.irq_reported:
                    # once per handler: at the first instruction changing an unsaved register
                    self.irq_reported = True
                    self.report("irq-save", ins,
                                f"the interrupt handler changes {reg} before saving it",
                                f"push {reg} (PH{reg}) at the handler's entry, in 16-bit width, "
                                f"and pull it before RTI")

        # stack
        depth, items, edepth = st.depth, st.items, st.edepth
        if mn in _PUSH:
            size = _PUSH[mn]
            n = (self.unit(size, st.m if size == "m" else st.x, size)
                 if size in ("m", "x") else size)
            value: object = None  # what the item saves (PLP, PLB, PLD, ... restore it)
            if mn == "PHP":
                value = (st.m, st.x, st.d, st.m_guess, st.x_guess)
            elif mn == "PHB":
                value = st.dbr
            elif mn == "PHK":
                value = ins.address >> 16
            elif mn == "PHD":
                value = st.dreg
            elif mn == "PEA":
                value = ins.operand
            elif mn == "PHA":
                value = (st.a_lo, st.a_hi)
            elif mn in ("PHX", "PHY"):
                value = st.xv if mn == "PHX" else st.yv
            if n is None:
                depth, items = None, None
            else:
                depth, edepth = self._move(depth, edepth, n, +1)
                items = None if items is None or depth is None else items + ((mn, n, value),)
        elif mn in _PULL:
            size = _PULL[mn]
            n = (self.unit(size, st.m if size == "m" else st.x, size)
                 if size in ("m", "x") else size)
            top = None
            if n is None:
                depth, items = None, None
            else:
                if items:
                    top = items[-1]
                    items = items[:-1]
                    if top[1] != n:
                        if isinstance(top[1], str) or isinstance(n, str):
                            depth = None  # one width known, the other not: cannot tell
                        top, items = None, None
                else:
                    items = None
                depth, edepth = self._move(depth, edepth, n, -1)
            self._pull(mn, top, st, upd, ins, chk)
        elif mn in ("TCS", "TXS"):
            depth, items = None, None
        if depth is None:
            items, edepth = None, (0, 0)
        upd["depth"], upd["items"], upd["edepth"] = depth, items, edepth

        # hardware writes
        if mn in ("STA", "STZ", "STX", "STY") and mode in (Mode.ABS, Mode.LONG):
            target: int | None = ins.operand
            if mode is Mode.LONG and not self._io_bank(ins.operand >> 16):
                target = None
            if mode is Mode.ABS and isinstance(st.dbr, int) and not self._io_bank(st.dbr):
                target = None
            if target is not None and _is_register(target):
                wide = (m == 0) if mn in ("STA", "STZ") else (xw == 0)
                unknown = (m is None) if mn in ("STA", "STZ") else (xw is None)
                lo: int | None
                hi: int | None
                if mn == "STZ":
                    lo, hi = 0, 0
                elif mn == "STA":
                    lo, hi = st.a_lo, st.a_hi
                else:
                    v = st.xv if mn == "STX" else st.yv
                    lo, hi = (None, None) if v is None else (v & 0xFF, v >> 8)
                hw = st.hw_dict()
                a = target & 0xFFFF
                hw[a] = lo
                if wide:
                    hw[a + 1] = hi
                elif unknown:
                    hw.pop(a + 1, None)
                upd["hw"] = tuple(sorted(hw.items()))
                if chk:
                    self.rules_hw_write(ins, st, a, lo, hi, wide, hw)

        new = replace(s, **upd) if upd else s

        # successors
        flow = effects(ins.op).flow
        if flow is Flow.RETURN:
            if chk:
                self.rules_return(ins, st)
            return [("return", new)]
        if flow is Flow.STOP:
            return []
        t: int | None
        if flow in (Flow.BRANCH, Flow.JUMP) and ins.mode in (Mode.REL8, Mode.REL16):
            t = ins.branch_target()
            if flow is Flow.JUMP:
                return [(t, new)]
            return [(t, new), (ins.next, new)]
        if flow is Flow.JUMP:
            t = self._resolve(ins.jump_target())
            return [(t, new)] if t is not None else []
        if flow is Flow.CALL:
            t = self._resolve(ins.jump_target())
            if t is not None and call_states is not None:
                call_states.setdefault(t, []).append((new, self.entry))
            after_call = replace(new, a_lo=None, a_hi=None, a_src=None, xv=None, yv=None)
            return [(ins.next, after_call)]
        return [(ins.next, new)]

    @staticmethod
    def _move(depth, edepth, n, sign):
        """Stack depth after pushing (sign +1) or pulling (-1) ``n`` bytes (or an entry-width
        unit ``"mE"``/``"xE"``)."""
        if depth is None:
            return None, (0, 0)
        if n == "mE":
            return depth, (edepth[0] + sign, edepth[1])
        if n == "xE":
            return depth, (edepth[0], edepth[1] + sign)
        return depth + sign * n, edepth

    @staticmethod
    def _io_bank(bank: int) -> bool:
        return bank < 0x40 or 0x80 <= bank < 0xC0

    def _pull(self, mn: str, top, st: State, upd: dict, ins: Ins, chk) -> None:
        value = top[2] if top else None
        kind = top[0] if top else None
        # PHP saves (m, x, d, m_guess, x_guess) and PHA (a_lo, a_hi); other pushes one value
        saved: tuple = value if isinstance(value, tuple) else ()
        if mn == "PLP":
            if kind == "PHP":
                upd["m"], upd["x"], upd["d"], upd["m_guess"], upd["x_guess"] = saved
                upd["d_sed"] = st.d_sed if saved[2] == 1 else None
            else:
                upd["m"] = upd["x"] = upd["d"] = None
        elif mn == "PLB":
            if kind == "PHA" and saved[0] is not None:
                upd["dbr"] = saved[0]
            elif kind in ("PHX", "PHY") and value is not None:
                upd["dbr"] = value & 0xFF
            elif kind in ("PHB", "PHK"):
                upd["dbr"] = value
            else:
                upd["dbr"] = U
            upd["dbr_mvn"] = None if kind in ("PHB",) and value == E else st.dbr_mvn
            if kind == "PHB":
                upd["dbr_mvn"] = None
        elif mn == "PLD":
            if kind in ("PHD", "PEA"):
                upd["dreg"] = value
            elif kind == "PHA" and saved[0] is not None and saved[1] is not None:
                upd["dreg"] = saved[0] | saved[1] << 8
            else:
                upd["dreg"] = U
        elif mn == "PLA":
            if kind == "PHA":
                upd["a_lo"], upd["a_hi"] = saved
            upd["a_src"] = None
        elif mn in ("PLX", "PLY"):
            key = "xv" if mn == "PLX" else "yv"
            upd[key] = value if kind in ("PHX", "PHY") else None

    # ---------------------------------------------------------------- rules

    def rules_before(self, ins: Ins, st: State, m, xw) -> None:
        """imm-width, access rules, dp/dbr assumptions, MVN rules."""
        op, mn, mode = ins.op, ins.mn, ins.mode
        # imm-width
        if mode in (Mode.IMM_M, Mode.IMM_X):
            w = m if mode is Mode.IMM_M else xw
            if w is not None and len(ins.data) != op.length(w, w):
                reg = "A" if mode is Mode.IMM_M else "X/Y"
                cur = "8-bit" if w else "16-bit"
                got = len(ins.data) - 1
                sfx = ".b" if w else ".w"
                self.report(
                    "imm-width", ins,
                    f"'{ins.source.strip()}' is assembled with a {got}-byte immediate but {reg} is "
                    f"{cur} here: the CPU reads {2 - w} operand byte(s)"
                    + (" and executes the next byte as an opcode" if w else
                       " and swallows the next instruction's first byte"),
                    (f"REP #${'20' if mode is Mode.IMM_M else '10'} before it if a 16-bit "
                     f"value is meant, else an 8-bit value or {mn}{sfx}") if w else
                    (f"use {mn}{sfx} (or a 16-bit value), or SEP "
                     f"#${'20' if mode is Mode.IMM_M else '10'} before it if 8-bit is meant"))
        # memory accesses
        if mode in (Mode.ABS, Mode.ABSX, Mode.ABSY, Mode.LONG, Mode.LONGX) and op.kind != "o":
            self.rules_memory(ins, st, m, xw)
        if mode in (Mode.DP, Mode.DPX, Mode.DPY, Mode.DPI, Mode.DPIX, Mode.DPIY, Mode.DPIL,
                    Mode.DPILY) or mn == "PEI":
            if isinstance(st.dreg, int) and st.dreg & 0xFF == 0 and _is_register(st.dreg) \
                    and mode not in (Mode.DPX, Mode.DPY) and mn != "PEI":
                where = (st.dreg + ins.operand) & 0xFFFF
                if register_info(where) is None:
                    self.report("dp-assumption", ins,
                                f"direct-page operand ${ins.operand:02X} with D = "
                                f"${st.dreg:04X} (the register page) reaches ${where:04X}, "
                                "which is not a register: the access looks meant for D = "
                                "$0000 (RAM)",
                                f"use an absolute address (${ins.operand:04X}) or restore D "
                                "(PLD) before the access")
            if st.dreg == U:
                self.report("dp-assumption", ins,
                            "direct-page access while D holds a value pulled from an unknown "
                            "stack slot (PLD without a matching PHD/PEA)",
                            "restore D with a matching PHD/PLD pair, or set it with LDA #$xxxx : "
                            "TCD before direct-page accesses")
        if mn in ("MVN", "MVP"):
            self.rules_mvn(ins, st, m)

    def rules_memory(self, ins: Ins, st: State, m, xw) -> None:
        op, mn, mode = ins.op, ins.mn, ins.mode
        v = ins.operand
        long = mode in (Mode.LONG, Mode.LONGX)
        low = v & 0xFFFF
        writes = op.kind in ("w", "xw", "m")
        reads = op.kind in ("r", "xr", "m")
        w = m if op.kind in ("r", "w", "m") else xw
        # dbr-assumption
        if not long:
            dbr = st.dbr
            if _is_register(low) and low < 0x6000:
                if isinstance(dbr, int) and not self._io_bank(dbr):
                    self.report("dbr-assumption", ins,
                                f"absolute access to register {_reg_name(low)} with DBR = "
                                f"${dbr:02X}: the registers are not mapped in that bank",
                                f"use a long address (${low:04X} -> $00{low:04X}) or set DBR to "
                                f"a bank in $00-$3F/$80-$BF (PHK : PLB)")
                    return
            elif 0x2000 <= low < 0x8000 and not _is_register(low) and not 0x6000 <= low:
                if dbr == U or (isinstance(dbr, int) and dbr not in (0x7E, 0x7F)):
                    d = "unknown (pulled with PLB)" if dbr == U else f"${dbr:02X}"
                    self.report("dbr-assumption", ins,
                                f"absolute access to ${low:04X} (WRAM above $1FFF) with DBR {d}",
                                f"use a long address ($7E{low:04X}) or set DBR to $7E")
            elif low < 0x2000 and isinstance(dbr, int) and not self._io_bank(dbr) \
                    and dbr not in (0x7E, 0x7F):
                self.report("dbr-assumption", ins,
                            f"absolute access to ${low:04X} with DBR = ${dbr:02X}: low WRAM is "
                            "mirrored only in banks $00-$3F/$80-$BF",
                            f"use a long address ($7E{low:04X}) or restore DBR first")
        # the bank the access goes to
        if long and not self._io_bank(v >> 16):
            return
        if not long and isinstance(st.dbr, int) and not self._io_bank(st.dbr):
            return
        if not _is_register(low) or mode not in (Mode.ABS, Mode.LONG):
            if mode in (Mode.ABSX, Mode.ABSY, Mode.LONGX):
                pass
            else:
                return
        info = register_info(low)
        if info is None:
            return
        access, size, name = info
        span = [low] if w != 0 else [low, low + 1]
        for a in span:
            inf = register_info(a)
            if inf is None:
                continue
            if writes and inf[0] == "r":
                self.report("readonly-write", ins,
                            f"{mn} writes {_reg_name(a)}, a read-only register: the write does "
                            "nothing", "remove the write or use the intended write register")
                break
            if reads and inf[0] == "w":
                self.report("writeonly-read", ins,
                            f"{mn} reads {_reg_name(a)}, a write-only register: it returns open "
                            "bus", "keep a copy of the value in RAM and read that instead")
                break
        if mode not in (Mode.ABS, Mode.LONG) or not writes or op.kind == "m":
            return
        # width-access (stores)
        if w == 0 and size in ("write-twice", "word-high"):
            self.report("width-access", ins,
                        f"16-bit {mn} to {_reg_name(low)} ({size}) also writes "
                        f"{_reg_name(low + 1)}",
                        "store with 8-bit width (SEP #$20), twice for a write-twice register"
                        if size == "write-twice" else
                        f"store the 16-bit value at ${low - 1:04X} instead")
        elif w == 0 and size == "byte" and mn != "STZ" and not 0x4300 <= low < 0x4380:
            # A value that fits in 8 bits stored with 16-bit width: its high byte $00 lands
            # on the next register. (DMA channel registers are routinely set in pairs.)
            if mn == "STA":
                hi = st.a_hi
            else:
                v16 = st.xv if mn == "STX" else st.yv
                hi = None if v16 is None else v16 >> 8
            nxt = register_info(low + 1)
            if hi == 0 and nxt is not None and nxt[2] != name:
                self.report("width-access", ins,
                            f"16-bit {mn} of an 8-bit value to {_reg_name(low)}, a byte "
                            f"register: the high byte $00 is also written to "
                            f"{_reg_name(low + 1)}",
                            "store with 8-bit width (SEP #$20 / SEP #$10 before the store)")
        elif w == 1 and size == "word-low" and (low + 1) not in self.routine_writes \
                and low not in (0x2118, 0x2180):
            self.report("width-access", ins,
                        f"8-bit {mn} to {_reg_name(low)}, the low byte of a 16-bit register, "
                        f"and the routine never writes the high byte ${low + 1:04X}",
                        "store with 16-bit width (REP #$20) or write the high byte too")

    def rules_mvn(self, ins: Ins, st: State, m) -> None:
        dst, src = ins.data[1], ins.data[2]
        text = ins.source.strip()
        rom_dst = 0x40 <= dst <= 0x6F or dst >= 0xC0
        y = st.yv
        if not rom_dst and self._io_bank(dst) and y is not None and y >= 0x8000:
            rom_dst = True
        if rom_dst:
            self.report("mvn-order", ins,
                        f"'{text}' writes to bank ${dst:02X} (ROM) and reads bank ${src:02X}: "
                        "asar's order is destination bank first",
                        f"swap the operands: {ins.mn.lower()} ${src:02X},${dst:02X}")
        if st.a_lo is not None and st.a_hi is not None and st.a_src is not None:
            a = st.a_lo | st.a_hi << 8
            src_ins = self.ins.get(st.a_src)
            span = self._label_span(src_ins, a) if src_ins is not None else None
            if a in _ROUND_SIZES:
                self.report("mvn-count", src_ins or ins,
                            f"A = ${a:04X} before {ins.mn}: the block move copies A+1 bytes, so "
                            f"this moves ${a + 1:04X} bytes",
                            f"load the byte count minus one (LDA #${a - 1:04X})")
            elif span is not None:
                self.report("mvn-count", src_ins,
                            f"A = {span} (${a:04X}), the size of the table between the two "
                            f"labels, before {ins.mn}: the block move copies A+1 bytes, one "
                            "byte past the table's end",
                            f"load the size minus one (LDA #{span}-1)")

    _SPAN_RE = re.compile(r"#\s*\(?\s*([A-Za-z_.][\w.]*)\s*-\s*([A-Za-z_.][\w.]*)\s*\)?\s*$")

    def _label_span(self, ins: Ins, value: int) -> str | None:
        """``"End-Start"`` when the immediate of ``ins`` is the distance between two labels
        (the size of the data between them) and assembles to ``value``."""
        text = ins.source.split(";", 1)[0].strip()
        m = self._SPAN_RE.search(text)
        if not m:
            return None
        syms = self.res.symbols
        addrs = []
        for name in m.groups():
            addr = syms.get(name)
            if addr is None and name.startswith("."):  # sublabel of the enclosing label
                parents = [(a, n) for a, n in self.labels.items() if a <= ins.address]
                if parents:
                    addr = syms.get(max(parents)[1] + "_" + name[1:])
            if addr is None:
                return None
            addrs.append(addr)
        if (addrs[0] - addrs[1]) & 0xFFFF != value or addrs[0] <= addrs[1]:
            return None
        return f"{m.group(1)}-{m.group(2)}"

    def rules_hw_write(self, ins: Ins, st: State, a: int, lo, hi, wide: bool, hw: dict) -> None:
        # dma-size-zero
        if 0x4300 <= a < 0x4380 and a & 0xF in (5, 6):
            base = a & ~0xF
            if hw.get(base + 5) == 0 and hw.get(base + 6) == 0 and (a & 0xF == 6 or wide):
                self.report("dma-size-zero", ins,
                            f"DMA channel {(base >> 4) & 7} size is $0000, which transfers "
                            "65536 bytes", "store the byte count (1-$FFFF) to DASx")
        # dma-bbus-mode
        if 0x4300 <= a < 0x4380 and a & 0xF in (0, 1):
            base = a & ~0xF
            mode, bbus = hw.get(base), hw.get(base + 1)
            if mode is not None and bbus is not None:
                self.check_bbus(ins, mode, bbus, hw.get(0x2115))
        # MDMAEN / HDMAEN
        if a in (0x420B, 0x420C):
            en = lo
            if en is None:
                return
            for ch in range(8):
                if not en & (1 << ch):
                    continue
                base = 0x4300 + 16 * ch
                need = [base + o for o in range(7)] if a == 0x420B else [base, base + 1, base + 2,
                                                                         base + 3, base + 4]
                missing = [r for r in need if r not in hw]
                late = [r for r in missing if r in self.routine_writes]
                if late:
                    self.report("dma-enable-order", ins,
                                f"{'MDMAEN' if a == 0x420B else 'HDMAEN'} starts channel {ch} "
                                f"before {', '.join(f'${r:04X}' for r in late)} "
                                "are set (they are written later)",
                                "write the channel's registers first, the enable last")
                bbus = hw.get(base + 1)
                if a == 0x420B and bbus in (0x18, 0x19):
                    lack = [n for n, r in (("VMAIN $2115", (0x2115,)),
                                           ("VMADD $2116/7", (0x2116, 0x2117)))
                            if not any(x in hw for x in r)]
                    if lack:
                        self.report("dma-vram-setup", ins,
                                    f"DMA channel {ch} writes VRAM ($21{bbus:02X}) but "
                                    f"{' and '.join(lack)} {'is' if len(lack) == 1 else 'are'} "
                                    "not set before it in the routine",
                                    "set VMAIN ($2115) and the VRAM address ($2116) before the "
                                    "transfer")

    def check_bbus(self, ins: Ins, mode: int, bbus: int, vmain) -> None:
        tm = mode & 7
        why = None
        if tm in (1, 5) and bbus in (0x04, 0x19, 0x22, 0x80, 0x18 + 0x100):
            why = (f"mode {tm} writes two registers, $21{bbus:02X} and $21{bbus + 1:02X}; "
                   f"$21{bbus:02X} takes both bytes itself")
            fix = "use mode 0 (or mode 2 for a write-twice register)"
            if bbus == 0x19:
                why = "mode 1 to $2119 writes $2119 and $211A (VMAIN)"
                fix = "use B-bus $18 (VMDATAL) with mode 1"
        elif tm in (0, 2) and bbus == 0x18 and vmain is not None and vmain & 0x80:
            why = ("VRAM written only through $2118 while VMAIN increments after the high byte: "
                   "the address never advances")
            fix = "use mode 1 for word transfers, or VMAIN bit 7 clear for low bytes"
        elif tm in (0, 2) and bbus == 0x19 and vmain is not None and not vmain & 0x80:
            why = ("VRAM written only through $2119 while VMAIN increments after the low byte: "
                   "the address never advances")
            fix = "set VMAIN bit 7 for high-byte transfers"
        if why:
            self.report("dma-bbus-mode", ins, why, fix)

    def rules_return(self, ins: Ins, st: State) -> None:
        mn = ins.mn
        # stack
        if st.depth is not None and (st.depth != 0 or st.edepth != (0, 0)):
            left = ""
            if st.items:
                left = " (still pushed: " + ", ".join(kind for kind, _, _ in st.items) + ")"
            more = st.depth > 0 or any(n > 0 for n in st.edepth)
            self.report("stack-unbalanced", ins,
                        f"{mn} with {self._depth_text(st.depth, st.edepth)} on the stack since "
                        f"the routine's entry{left}: it returns to a wrong address",
                        "pull everything pushed on this path before returning"
                        if more else "remove the extra pull")
        if mn == "RTI":
            return
        # decimal
        # reported at the return the path with SED reaches without CLD
        if st.d == 1 and st.d_sed is not None:
            sed = self.ins.get(st.d_sed)
            where = f" (line {sed.line})" if sed is not None else ""
            self.report("decimal-left-set", ins,
                        f"the SED{where} is still in effect at this {mn}: the caller's ADC/SBC "
                        "run in decimal mode", f"add CLD before the {mn} (or PHP/PLP around the "
                        "decimal code)")
        # handler
        if self.handler:
            self.report("irq-rts", ins,
                        f"the interrupt handler '{self.labels.get(self.entry, '')}' returns "
                        f"with {mn}: the P register and the bank stay on the stack",
                        "return from an interrupt with RTI")
            return
        # DBR after MVN
        # reported at the return the changed DBR reaches, naming the block move
        if st.dbr_mvn is not None and st.dbr != E:
            mv = self.ins.get(st.dbr_mvn)
            what = f"the {mv.mn} at line {mv.line}" if mv is not None else "MVN/MVP"
            self.report("mvn-dbr", ins,
                        f"{what} set DBR to its destination bank and it is still changed at "
                        f"this {mn}: the caller's absolute accesses go to the wrong bank",
                        "PHB before the block move and PLB after it")
        # widths
        changed = []
        for flag, reg in (("m", "A"), ("x", "X/Y")):
            v = getattr(st, flag)
            if v == E or v is None:
                continue
            entry = self.ew[0] if flag == "m" else self.ew[1]
            if entry is None:
                guess = getattr(st, flag + "_guess")
                if guess == v:
                    continue
            elif entry == v:
                continue
            changed.append(f"{reg} {'8' if v else '16'}-bit")
        if not changed:
            restored = [reg for flag, reg in (("m", "A"), ("x", "X/Y"))
                        if flag in st.diverged and getattr(st, flag) in (0, 1)]
            if restored and self.called and not self.has_php and st.width_set is not None:
                self.report("width-no-php", self.ins.get(st.width_set) or ins,
                            f"the routine '{self.labels.get(self.entry, '')}' is called and "
                            f"changes the {' and '.join(restored)} width here, then sets it back "
                            f"with a fixed REP/SEP before the {mn} (line {ins.line}) instead of "
                            "PHP/PLP: a caller in the other width gets its width changed",
                            "PHP at the routine's entry and PLP before its return")
            return
        if self.called and not self.has_php and st.width_set is not None:
            self.report("width-no-php", self.ins.get(st.width_set) or ins,
                        f"the routine '{self.labels.get(self.entry, '')}' is called but returns "
                        f"with {', '.join(changed)} (changed here, no PHP/PLP)",
                        "PHP at the routine's entry and PLP before its return")
        else:
            self.report("width-return", ins,
                        f"{mn} with {', '.join(changed)}, not the widths at the routine's entry",
                        "restore the widths before returning (PHP at entry, PLP before the "
                        "return)")

    def check_calls(self) -> None:
        for target, calls in self.calls.items():
            rets = self.returns.get(target, set())
            if not rets:
                continue
            name = self.labels.get(target, f"${target:06X}")
            for c in calls:
                if "RTI" in rets:
                    self.report("irq-rts", c,
                                f"{c.mn} to '{name}', which returns with RTI",
                                "call it through the interrupt vector only, or end it in "
                                f"{'RTS' if c.mn == 'JSR' else 'RTL'}")
                elif c.mn == "JSL" and rets == {"RTS"}:
                    self.report("call-return-mismatch", c,
                                f"JSL to '{name}', which returns with RTS: the bank byte stays "
                                "on the stack", f"call it with JSR, or end '{name}' in RTL")
                elif c.mn == "JSR" and rets == {"RTL"}:
                    self.report("call-return-mismatch", c,
                                f"JSR to '{name}', which returns with RTL: it pulls one byte "
                                "too many", f"call it with JSL, or end '{name}' in RTS")


def lint_source(source: str | Path, filename: str | None = None, m: int | None = None,
                x: int | None = None, include_paths: tuple | list = (),
                sandbox: Sandbox | None = None) -> list[Finding]:
    """Lint asar source (text or a Path). ``m``/``x``: widths at every entry (1 = 8-bit).

    Raises UserError when the source does not assemble.
    """
    res = assemble(source, filename=filename, fix_checksum=False,
                   include_paths=tuple(include_paths), sandbox=sandbox)
    if not res.ok:
        first = res.errors[0]
        where = first.location
        raise UserError(f"({first.id}) {first.message}", where)
    name = str(source) if isinstance(source, Path) else (filename or "<input>.asm")
    return _Linter(res, m, x, name).run()


__all__ = ["Finding", "RULES", "lint_source", "register_info"]
