"""Python source for the 65C816 instructions, generated from the instruction table.

Every instruction is generated for one register-width variant (E, M, X known)
as straight-line Python over local variables:

    a x y s d dbr pbr pc p   the registers (a is the full 16-bit C)
    cyc                      cycles taken so far in this function
    rd wr pk                 the bus's read, write and side-effect-free peek

Two shapes use the same generator:
- a *handler* (one instruction, operands fetched at run time) for single
  stepping and tracing;
- a *block* (a run of straight-line instructions at a known address, operands
  folded in as constants) for fast runs.

Timing comes from ``Opcode.cycles`` in the instruction table; the generated code
only adds what depends on run-time values (D low byte, page crossings, branches).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triforce.isa import DIRECT_MODES, OPCODES, Mode, Opcode
from triforce.isa.semantics import (
    BRANCH_FLAG,
    NZ,
    Flow,
    Widths,
    effects,
    ends_block,
    mnemonics_where,
    next_widths,
)

REGS = ("a", "x", "y", "s", "d", "dbr", "pbr", "pc", "p")
NZ_TAG = "  # nz"  # marks a line that only sets N and Z

# How instructions use N and Z, for dropping N/Z updates nobody reads in a block (from
# the instruction-semantics table). Overwrite both N and Z from their result:
NZ_KILLERS = mnemonics_where(lambda f: f.writes & NZ == NZ)
# Neither read nor change N and Z, and stay on the straight line (where the flow may go
# elsewhere, N and Z must be exact):
NZ_NEUTRAL = mnemonics_where(lambda f: not (f.reads | f.writes) & NZ
                             and not f.flags_from_operand and f.flow is Flow.NEXT)

# The Python test of each conditional branch's flag.
BRANCH_COND = {mn: f"{'' if value else 'not '}p & 0x{int(flag):02X}"
               for mn, (flag, value) in BRANCH_FLAG.items()}


def variant_of(e: int, p: int) -> int:
    """Variant index: 7 in emulation mode, else M<<1 | X (0..3)."""
    return 7 if e else (p >> 4) & 3


def flags_of(variant: int) -> tuple[int, int, int]:
    """(e, m, x) of a variant index."""
    if variant == 7:
        return 1, 1, 1
    return 0, (variant >> 1) & 1, variant & 1


@dataclass
class Emitted:
    lines: list[str] = field(default_factory=list)
    ends_block: bool = False
    falls_through: bool = False  # the last line is "pc = <next>"
    next_variant: int | None = None  # for REP/SEP with a constant operand


class _Gen:
    """Emits one instruction. ``const`` operands when compiling a block."""

    def __init__(self, op: Opcode, e: int, m: int, x: int, ipc: int | None, operand: bytes | None):
        self.op, self.e, self.m, self.x = op, e, m, x
        self.out: list[str] = []
        self.length = op.length(m, x)
        self.const = ipc is not None
        self.operand: bytes  # the operand bytes; only read when const
        if ipc is not None:
            assert operand is not None
            ob = operand
            self.o8 = str(ob[0]) if len(ob) >= 1 else "0"
            self.o16 = str(ob[0] | (ob[1] << 8)) if len(ob) >= 2 else self.o8
            self.o24 = str(ob[0] | (ob[1] << 8) | (ob[2] << 16)) if len(ob) >= 3 else self.o16
            self.npc = str((ipc + self.length) & 0xFFFF)
            self.ipc = str(ipc)
            self.operand = ob
        else:
            self.o8, self.o16, self.o24 = "o8", "o16", "o24"
            self.npc = "npc"
            self.ipc = "pc"
            self.operand = b""
            n = self.length - 1
            self.emit("pb = pbr << 16")
            if n >= 1:
                self.emit("o8 = pk(pb | ((pc + 1) & 0xFFFF))")
            if n >= 2:
                self.emit("o16 = o8 | pk(pb | ((pc + 2) & 0xFFFF)) << 8")
            if n >= 3:
                self.emit("o24 = o16 | pk(pb | ((pc + 3) & 0xFFFF)) << 16")
            self.emit(f"npc = (pc + {self.length}) & 0xFFFF")

    def emit(self, line: str) -> None:
        self.out.append(line)

    # ---- cycles -------------------------------------------------------------
    def base_cycles(self) -> None:
        c = self.op.cycles(self.m, self.x, self.e)
        self.emit(f"cyc += {c}")
        if self.op.mode in DIRECT_MODES:
            self.emit("if d & 0xFF: cyc += 1")

    # ---- stack --------------------------------------------------------------
    def push(self, expr: str) -> None:
        """Push one byte the classic way (wraps in page 1 in emulation mode)."""
        self.emit(f"wr(s, {expr})")
        self.emit("s = 0x100 | ((s - 1) & 0xFF)" if self.e else "s = (s - 1) & 0xFFFF")

    def pull(self, var: str) -> None:
        self.emit("s = 0x100 | ((s + 1) & 0xFF)" if self.e else "s = (s + 1) & 0xFFFF")
        self.emit(f"{var} = rd(s)")

    def push_n(self, expr: str) -> None:
        """Push one byte without page wrapping (the 65816's new instructions)."""
        self.emit(f"wr(s, {expr})")
        self.emit("s = (s - 1) & 0xFFFF")

    def pull_n(self, var: str) -> None:
        self.emit("s = (s + 1) & 0xFFFF")
        self.emit(f"{var} = rd(s)")

    def fix_s(self) -> None:
        if self.e:
            self.emit("s = 0x100 | (s & 0xFF)")

    # ---- addressing ---------------------------------------------------------
    def direct(self, off: str, target: str = "ad") -> None:
        """``target`` = the bank-0 address of direct-page offset ``off``."""
        if self.e:
            self.emit(
                f"{target} = ((d & 0xFF00) | (({off}) & 0xFF)) if not d & 0xFF "
                f"else (d + {off}) & 0xFFFF"
            )
        else:
            self.emit(f"{target} = (d + {off}) & 0xFFFF")

    def direct_n(self, off: str, target: str) -> None:
        self.emit(f"{target} = (d + {off}) & 0xFFFF")

    def effective(self) -> str:
        """Emit code computing the data address ``ad``; return how its next byte wraps.

        Returns "bank0" (16-bit wrap in bank 0) or "linear" (24-bit).
        """
        mode, o8, o16, o24 = self.op.mode, self.o8, self.o16, self.o24
        read_kind = self.op.kind in ("r", "xr")
        if mode is Mode.DP:
            self.direct(o8)
            return "bank0"
        if mode is Mode.DPX:
            self.direct(f"{o8} + x")
            return "bank0"
        if mode is Mode.DPY:
            self.direct(f"{o8} + y")
            return "bank0"
        if mode is Mode.DPI:
            self.direct(o8, "t")
            self.direct(f"{o8} + 1", "t2")
            self.emit("ad = (dbr << 16) | rd(t) | (rd(t2) << 8)")
            return "linear"
        if mode is Mode.DPIX:
            if self.e:
                self.emit("if d & 0xFF:")
                self.emit(f"    t = (d + {o8} + x) & 0xFFFF")
                self.emit("    t2 = (t & 0xFF00) | ((t + 1) & 0xFF)")
                self.emit("else:")
                self.emit(f"    t = (d & 0xFF00) | (({o8} + x) & 0xFF)")
                self.emit(f"    t2 = (d & 0xFF00) | (({o8} + x + 1) & 0xFF)")
            else:
                self.emit(f"t = (d + {o8} + x) & 0xFFFF")
                self.emit(f"t2 = (d + {o8} + x + 1) & 0xFFFF")
            self.emit("ad = (dbr << 16) | rd(t) | (rd(t2) << 8)")
            return "linear"
        if mode is Mode.DPIY:
            self.direct(o8, "t")
            self.direct(f"{o8} + 1", "t2")
            self.emit("t = rd(t) | (rd(t2) << 8)")
            self.emit("ad = ((dbr << 16) + t + y) & 0xFFFFFF")
            if read_kind and self.x:
                self.emit("if (t ^ (t + y)) & 0xFF00: cyc += 1")
            return "linear"
        if mode in (Mode.DPIL, Mode.DPILY):
            self.direct_n(o8, "t")
            self.emit(
                f"ad = rd(t) | (rd((d + {o8} + 1) & 0xFFFF) << 8) | (rd((d + {o8} + 2) & 0xFFFF) << 16)"
            )
            if mode is Mode.DPILY:
                self.emit("ad = (ad + y) & 0xFFFFFF")
            return "linear"
        if mode is Mode.ABS:
            self.emit(f"ad = (dbr << 16) | {o16}")
            return "linear"
        if mode in (Mode.ABSX, Mode.ABSY):
            r = "x" if mode is Mode.ABSX else "y"
            self.emit(f"ad = ((dbr << 16) + {o16} + {r}) & 0xFFFFFF")
            if read_kind and self.x:
                self.emit(f"if ({o16} ^ ({o16} + {r})) & 0xFF00: cyc += 1")
            return "linear"
        if mode is Mode.LONG:
            self.emit(f"ad = {o24}")
            return "linear"
        if mode is Mode.LONGX:
            self.emit(f"ad = ({o24} + x) & 0xFFFFFF")
            return "linear"
        if mode is Mode.SR:
            self.emit(f"ad = (s + {o8}) & 0xFFFF")
            return "bank0"
        if mode is Mode.SRIY:
            self.emit(f"t = rd((s + {o8}) & 0xFFFF) | (rd((s + {o8} + 1) & 0xFFFF) << 8)")
            self.emit("ad = ((dbr << 16) + t + y) & 0xFFFFFF")
            return "linear"
        raise AssertionError(f"no data address for {mode}")

    def next_addr(self, wrap: str) -> str:
        return "(ad + 1) & 0xFFFF" if wrap == "bank0" else "(ad + 1) & 0xFFFFFF"

    def load(self, var: str, wide: bool, wrap: str) -> None:
        if wide:
            self.emit(f"{var} = rd(ad) | (rd({self.next_addr(wrap)}) << 8)")
        else:
            self.emit(f"{var} = rd(ad)")

    def store(self, expr: str, wide: bool, wrap: str) -> None:
        if wide:
            if not expr.isidentifier() and not expr.isdigit():
                self.emit(f"t = {expr}")
                expr = "t"
            self.emit(f"wr(ad, {expr} & 0xFF)")
            self.emit(f"wr({self.next_addr(wrap)}, {expr} >> 8)")
        else:
            self.emit(f"wr(ad, {expr})")

    def operand_value(self, wide: bool) -> str | None:
        """For immediate modes the operand itself; else None."""
        if self.op.mode in (Mode.IMM_M, Mode.IMM_X, Mode.IMM8):
            return self.o16 if wide else self.o8
        return None

    # ---- flags --------------------------------------------------------------
    def nz(self, v: str, wide: bool) -> None:
        if wide:
            self.emit(f"p = (p & 0x7D) | (({v}) >> 8 & 0x80) | (0 if {v} else 2){NZ_TAG}")
        else:
            self.emit(f"p = (p & 0x7D) | ({v} & 0x80) | (0 if {v} else 2){NZ_TAG}")

    # ---- the instruction ----------------------------------------------------
    def generate(self) -> Emitted:
        op = self.op
        mn = op.mnemonic
        res = Emitted()
        if mn not in ("MVN", "MVP"):
            self.base_cycles()
        handler = getattr(self, "op_" + mn, None) or self.generic
        if not handler():  # control-flow handlers set pc themselves and return True
            self.emit(f"pc = {self.npc}")
            res.falls_through = True
        res.ends_block = ends_block(op, int(self.o8) if self.const else None)
        if effects(op).flags_from_operand:  # REP / SEP
            after = next_widths(op, Widths(self.m, self.x, self.e),
                                int(self.o8) if self.const else None)
            if self.e:
                res.next_variant = 7
            elif after.m is not None and after.x is not None:
                res.next_variant = (after.m << 1) | after.x
            else:
                res.next_variant = None
        res.lines = self.out
        return res

    def generic(self):
        mn = self.op.mnemonic
        kind = self.op.kind
        if self.op.mode is Mode.ACC:
            return self.acc_op(mn, not self.m)
        if kind in ("r", "w", "m"):
            wide = not self.m
            return self.m_op(mn, wide)
        if kind in ("xr", "xw"):
            wide = not self.x
            return self.x_op(mn, wide)
        raise AssertionError(f"no generator for {mn}")

    # M-width operations (memory or immediate operand)
    def m_op(self, mn: str, wide: bool):
        mode = self.op.mode
        if mode is Mode.ACC:
            return self.acc_op(mn, wide)
        imm = self.operand_value(wide)
        wrap = "linear"
        if imm is None:
            wrap = self.effective()
        mask = "0xFFFF" if wide else "0xFF"
        if self.op.kind == "r":
            if imm is None:
                self.load("v", wide, wrap)
                v = "v"
            else:
                v = imm
            if mn == "LDA":
                if wide:
                    self.emit(f"a = {v}")
                    self.nz("a", True)
                else:
                    self.emit(f"a = (a & 0xFF00) | {v}")
                    if self.const and imm is not None:
                        self.nz_const(int(v), False)
                    else:
                        self.nz(v, False)
            elif mn in ("ORA", "AND", "EOR"):
                pyop = {"ORA": "|", "AND": "&", "EOR": "^"}[mn]
                if wide:
                    self.emit(f"a = a {pyop} {v}")
                    self.nz("a", True)
                else:
                    self.emit(f"r = (a & 0xFF) {pyop} {v}")
                    self.emit("a = (a & 0xFF00) | r")
                    self.nz("r", False)
            elif mn == "CMP":
                self.compare("a", v, wide)
            elif mn == "BIT":
                self.emit(f"r = a & {v}" if wide else f"r = a & 0xFF & {v}")
                if imm is not None:
                    self.emit("p = (p & 0xFD) | (0 if r else 2)")
                else:
                    hi = f"({v} >> 8)" if wide else v
                    self.emit(f"p = (p & 0x3D) | ({hi} & 0xC0) | (0 if r else 2)")
            elif mn == "ADC":
                self.emit(f"a, p = adc{16 if wide else 8}(a, {v}, p)")
            elif mn == "SBC":
                self.emit(f"a, p = sbc{16 if wide else 8}(a, {v}, p)")
            else:
                raise AssertionError(mn)
            return None
        if self.op.kind == "w":
            val = "0" if mn == "STZ" else ("a" if wide else "a & 0xFF")
            self.store(val, wide, wrap)
            return None
        # read-modify-write on memory
        self.load("v", wide, wrap)
        self.rmw_body(mn, "v", wide, mask)
        if self.e:
            self.emit("wr(ad, v)")  # emulation mode writes the unmodified value first
        if wide:
            self.emit("wr(" + self.next_addr(wrap) + ", r >> 8)")
            self.emit("wr(ad, r & 0xFF)")
        else:
            self.emit("wr(ad, r)")
        return None

    def nz_const(self, v: int, wide: bool) -> None:
        n = ((v >> 8) if wide else v) & 0x80
        z = 0 if v else 2
        self.emit(f"p = (p & 0x7D) | {n | z}{NZ_TAG}")

    def compare(self, reg: str, v: str, wide: bool) -> None:
        if wide:
            self.emit(f"r = {reg} - {v}")
            self.emit("p = (p & 0x7C) | (1 if r >= 0 else 0) | ((r >> 8) & 0x80) | (0 if r & 0xFFFF else 2)")
        else:
            self.emit(f"r = ({reg} & 0xFF) - {v}")
            self.emit("p = (p & 0x7C) | (1 if r >= 0 else 0) | (r & 0x80) | (0 if r & 0xFF else 2)")

    def rmw_body(self, mn: str, v: str, wide: bool, mask: str) -> None:
        """Compute ``r`` from ``v`` and set flags, for the shift/inc/bit-set family."""
        top = "0x8000" if wide else "0x80"
        if mn == "ASL":
            self.emit(f"r = ({v} << 1) & {mask}")
            self.emit(f"p = (p & 0xFE) | (1 if {v} & {top} else 0)")
        elif mn == "LSR":
            self.emit(f"r = {v} >> 1")
            self.emit(f"p = (p & 0xFE) | ({v} & 1)")
        elif mn == "ROL":
            self.emit(f"r = (({v} << 1) | (p & 1)) & {mask}")
            self.emit(f"p = (p & 0xFE) | (1 if {v} & {top} else 0)")
        elif mn == "ROR":
            self.emit(f"r = ({v} >> 1) | ({top} if p & 1 else 0)")
            self.emit(f"p = (p & 0xFE) | ({v} & 1)")
        elif mn == "INC":
            self.emit(f"r = ({v} + 1) & {mask}")
        elif mn == "DEC":
            self.emit(f"r = ({v} - 1) & {mask}")
        elif mn == "TSB":
            acc = "a" if wide else "(a & 0xFF)"
            self.emit(f"p = (p & 0xFD) | (0 if {acc} & {v} else 2)")
            self.emit(f"r = {v} | {acc}")
            return
        elif mn == "TRB":
            acc = "a" if wide else "(a & 0xFF)"
            self.emit(f"p = (p & 0xFD) | (0 if {acc} & {v} else 2)")
            self.emit(f"r = {v} & ~{acc} & {mask}")
            return
        else:
            raise AssertionError(mn)
        self.nz("r", wide)

    def acc_op(self, mn: str, wide: bool):
        if wide:
            self.rmw_body(mn, "a", True, "0xFFFF")
            self.emit("a = r")
        else:
            self.emit("v = a & 0xFF")
            self.rmw_body(mn, "v", False, "0xFF")
            self.emit("a = (a & 0xFF00) | r")
        return None

    # X-width operations
    def x_op(self, mn: str, wide: bool):
        reg = "x" if mn in ("LDX", "STX", "CPX") else "y"
        imm = self.operand_value(wide)
        wrap = "linear"
        if imm is None:
            wrap = self.effective()
        if mn in ("LDX", "LDY"):
            if imm is None:
                self.load(reg, wide, wrap)
                self.nz(reg, wide)
            else:
                self.emit(f"{reg} = {imm}")
                if self.const:
                    self.nz_const(int(imm), wide)
                else:
                    self.nz(reg, wide)
        elif mn in ("STX", "STY"):
            self.store(reg, wide, wrap)
        else:  # CPX CPY
            if imm is None:
                self.load("v", wide, wrap)
                self.compare(reg, "v", wide)
            else:
                self.compare(reg, imm, wide)
        return None

    # ---- implied register operations ----------------------------------------
    def _incdec(self, reg: str, delta: str):
        mask = "0xFF" if self.x else "0xFFFF"
        self.emit(f"{reg} = ({reg} {delta} 1) & {mask}")
        self.nz(reg, not self.x)

    def op_INX(self):
        self._incdec("x", "+")

    def op_INY(self):
        self._incdec("y", "+")

    def op_DEX(self):
        self._incdec("x", "-")

    def op_DEY(self):
        self._incdec("y", "-")

    def _flag(self, bit: int, on: bool):
        if on:
            self.emit(f"p |= {bit}")
        else:
            self.emit(f"p &= {0xFF ^ bit}")

    def op_CLC(self):
        self._flag(0x01, False)

    def op_SEC(self):
        self._flag(0x01, True)

    def op_CLI(self):
        self._flag(0x04, False)

    def op_SEI(self):
        self._flag(0x04, True)

    def op_CLD(self):
        self._flag(0x08, False)

    def op_SED(self):
        self._flag(0x08, True)

    def op_CLV(self):
        self._flag(0x40, False)

    def op_NOP(self):
        pass

    def op_WDM(self):
        pass

    def _to_index(self, reg: str, src: str):
        if self.x:
            self.emit(f"{reg} = {src} & 0xFF")
            self.nz(reg, False)
        else:
            self.emit(f"{reg} = {src}")
            self.nz(reg, True)

    def _to_acc(self, src: str):
        if self.m:
            self.emit(f"a = (a & 0xFF00) | ({src} & 0xFF)")
            self.emit("r = a & 0xFF")
            self.nz("r", False)
        else:
            self.emit(f"a = {src}")
            self.nz("a", True)

    def op_TAX(self):
        self._to_index("x", "a")

    def op_TAY(self):
        self._to_index("y", "a")

    def op_TXY(self):
        self._to_index("y", "x")

    def op_TYX(self):
        self._to_index("x", "y")

    def op_TSX(self):
        self._to_index("x", "s")

    def op_TXA(self):
        self._to_acc("x")

    def op_TYA(self):
        self._to_acc("y")

    def op_TXS(self):
        self.emit("s = 0x100 | (x & 0xFF)" if self.e else "s = x")

    def op_TCS(self):
        self.emit("s = 0x100 | (a & 0xFF)" if self.e else "s = a")

    def op_TSC(self):
        self.emit("a = s")
        self.nz("a", True)

    def op_TCD(self):
        self.emit("d = a")
        self.nz("d", True)

    def op_TDC(self):
        self.emit("a = d")
        self.nz("a", True)

    def op_XBA(self):
        self.emit("a = ((a >> 8) | (a << 8)) & 0xFFFF")
        self.emit("r = a & 0xFF")
        self.nz("r", False)

    # ---- width and mode changes ----------------------------------------------
    def _width_fixups(self):
        """After P changed at run time: force the E-mode bits, clear index high bytes."""
        if self.e:
            self.emit("p |= 0x30")
        self.emit("if p & 0x10:")
        self.emit("    x &= 0xFF")
        self.emit("    y &= 0xFF")

    def op_REP(self):
        self.emit(f"p &= ~{self.o8} & 0xFF")
        if self.e:
            self.emit("p |= 0x30")

    def op_SEP(self):
        self.emit(f"p |= {self.o8}")
        if self.const:
            if int(self.o8) & 0x10 and not self.x:
                self.emit("x &= 0xFF")
                self.emit("y &= 0xFF")
        else:
            self._width_fixups()

    def op_XCE(self):
        # swap carry and emulation
        self.emit("t = p & 1")
        self.emit(f"p = (p & 0xFE) | {self.e}")
        self.emit("if t:")
        self.emit("    c.e = 1")
        self.emit("    p |= 0x30")
        self.emit("    x &= 0xFF")
        self.emit("    y &= 0xFF")
        self.emit("    s = 0x100 | (s & 0xFF)")
        self.emit("else:")
        self.emit("    c.e = 0")

    # ---- stack instructions --------------------------------------------------
    def op_PHA(self):
        if self.m:
            self.push("a & 0xFF")
        else:
            self.push("a >> 8")
            self.push("a & 0xFF")

    def _push_index(self, reg: str):
        if self.x:
            self.push(reg)
        else:
            self.push(f"{reg} >> 8")
            self.push(f"{reg} & 0xFF")

    def op_PHX(self):
        self._push_index("x")

    def op_PHY(self):
        self._push_index("y")

    def op_PLA(self):
        if self.m:
            self.pull("r")
            self.emit("a = (a & 0xFF00) | r")
            self.nz("r", False)
        else:
            self.pull("r")
            self.pull("t")
            self.emit("a = r | (t << 8)")
            self.nz("a", True)

    def _pull_index(self, reg: str):
        if self.x:
            self.pull(reg)
            self.nz(reg, False)
        else:
            self.pull("r")
            self.pull("t")
            self.emit(f"{reg} = r | (t << 8)")
            self.nz(reg, True)

    def op_PLX(self):
        self._pull_index("x")

    def op_PLY(self):
        self._pull_index("y")

    def op_PHP(self):
        self.push("p")

    def op_PLP(self):
        self.pull("p")
        self._width_fixups()

    def op_PHB(self):
        self.push("dbr")

    def op_PHK(self):
        self.push("pbr")

    def op_PLB(self):
        self.pull_n("dbr")
        self.nz("dbr", False)
        self.fix_s()

    def op_PHD(self):
        self.push_n("d >> 8")
        self.push_n("d & 0xFF")
        self.fix_s()

    def op_PLD(self):
        self.pull_n("r")
        self.pull_n("t")
        self.emit("d = r | (t << 8)")
        self.nz("d", True)
        self.fix_s()

    def op_PEA(self):
        self.emit(f"t = {self.o16}")
        self.push_n("t >> 8")
        self.push_n("t & 0xFF")
        self.fix_s()

    def op_PEI(self):
        self.direct_n(self.o8, "t")
        self.emit(f"t = rd(t) | (rd((d + {self.o8} + 1) & 0xFFFF) << 8)")
        self.push_n("t >> 8")
        self.push_n("t & 0xFF")
        self.fix_s()

    def op_PER(self):
        off = self.o16
        self.emit(f"t = ({self.npc} + {off}) & 0xFFFF")
        self.push_n("t >> 8")
        self.push_n("t & 0xFF")
        self.fix_s()

    # ---- control flow --------------------------------------------------------
    def _branch_to(self, target: str):
        """Taken-branch bookkeeping: set pc, add E-mode page-cross cycle."""
        if self.e:
            self.emit(f"t = {target}")
            self.emit(f"if (t ^ {self.npc}) & 0xFF00: cyc += 1")
            self.emit("pc = t")
        else:
            self.emit(f"pc = {target}")

    def _rel8_target(self) -> str:
        if self.const:
            off = self.operand[0]
            off = off - 256 if off >= 128 else off
            return str((int(self.npc) + off) & 0xFFFF)
        return "(npc + (o8 - 256 if o8 >= 128 else o8)) & 0xFFFF"

    def _cond_branch(self):
        cond = BRANCH_COND[self.op.mnemonic]
        self.emit(f"if {cond}:")
        self.emit("    cyc += 1")
        target = self._rel8_target()
        if self.e:
            self.emit(f"    t = {target}")
            self.emit(f"    if (t ^ {self.npc}) & 0xFF00: cyc += 1")
            self.emit("    pc = t")
        else:
            self.emit(f"    pc = {target}")
        self.emit("else:")
        self.emit(f"    pc = {self.npc}")
        return True

    op_BPL = op_BMI = op_BVC = op_BVS = _cond_branch
    op_BCC = op_BCS = op_BNE = op_BEQ = _cond_branch

    def op_BRA(self):
        self._branch_to(self._rel8_target())
        return True

    def op_BRL(self):
        self.emit(f"pc = ({self.npc} + {self.o16}) & 0xFFFF")
        return True

    def op_JMP(self):
        mode = self.op.mode
        if mode is Mode.ABS:
            self.emit(f"pc = {self.o16}")
        elif mode is Mode.ABSI:
            self.emit(f"pc = rd({self.o16}) | (rd(({self.o16} + 1) & 0xFFFF) << 8)")
        else:  # (abs,X) in the program bank
            self.emit(f"t = ({self.o16} + x) & 0xFFFF")
            self.emit("pc = rd((pbr << 16) | t) | (rd((pbr << 16) | ((t + 1) & 0xFFFF)) << 8)")
        return True

    def op_JML(self):
        if self.op.mode is Mode.LONG:
            self.emit(f"pbr = {self.o24} >> 16")
            self.emit(f"pc = {self.o24} & 0xFFFF")
        else:  # [abs]
            o = self.o16
            self.emit(f"pc = rd({o}) | (rd(({o} + 1) & 0xFFFF) << 8)")
            self.emit(f"pbr = rd(({o} + 2) & 0xFFFF)")
        return True

    def op_JSR(self):
        ret = f"({self.ipc} + 2) & 0xFFFF"
        self.emit(f"t = {ret}")
        if self.op.mode is Mode.ABS:
            self.push("t >> 8")
            self.push("t & 0xFF")
            self.emit(f"pc = {self.o16}")
        else:  # (abs,X): pushes first, then reads the pointer from the program bank
            self.push_n("t >> 8")
            self.push_n("t & 0xFF")
            self.emit(f"t = ({self.o16} + x) & 0xFFFF")
            self.emit("pc = rd((pbr << 16) | t) | (rd((pbr << 16) | ((t + 1) & 0xFFFF)) << 8)")
            self.fix_s()
        return True

    def op_JSL(self):
        self.push_n("pbr")
        self.emit(f"t = ({self.ipc} + 3) & 0xFFFF")
        self.push_n("t >> 8")
        self.push_n("t & 0xFF")
        self.emit(f"pbr = {self.o24} >> 16")
        self.emit(f"pc = {self.o24} & 0xFFFF")
        self.fix_s()
        return True

    def op_RTS(self):
        self.pull("r")
        self.pull("t")
        self.emit("pc = ((r | (t << 8)) + 1) & 0xFFFF")
        return True

    def op_RTL(self):
        self.pull_n("r")
        self.pull_n("t")
        self.pull_n("pbr")
        self.emit("pc = ((r | (t << 8)) + 1) & 0xFFFF")
        self.fix_s()
        return True

    def op_RTI(self):
        self.pull("p")
        self._width_fixups()
        self.pull("r")
        self.pull("t")
        self.emit("pc = r | (t << 8)")
        if not self.e:
            self.pull("pbr")
        return True

    def _software_interrupt(self, native_vec: int, emu_vec: int):
        if self.e:
            self.push(f"{self.npc} >> 8")
            self.push(f"{self.npc} & 0xFF")
            self.push("p | 0x30")
            vec = emu_vec
        else:
            self.push("pbr")
            self.push(f"{self.npc} >> 8")
            self.push(f"{self.npc} & 0xFF")
            self.push("p")
            vec = native_vec
        self.emit("p = (p | 0x04) & 0xF7")
        self.emit("pbr = 0")
        self.emit(f"pc = rd({vec}) | (rd({vec + 1}) << 8)")
        return True

    def op_BRK(self):
        return self._software_interrupt(0xFFE6, 0xFFFE)

    def op_COP(self):
        return self._software_interrupt(0xFFE4, 0xFFF4)

    def op_WAI(self):
        self.emit("c.waiting = True")

    def op_STP(self):
        self.emit("c.stopped = True")

    def _block_move(self, step: str):
        # One byte per execution; the instruction repeats until C wraps to $FFFF.
        dst, src = (self.operand[0], self.operand[1]) if self.const else ("o8", "(o16 >> 8)")
        mask = "0xFF" if self.x else "0xFFFF"
        self.emit(f"cyc += {self.op.cycles(self.m, self.x, self.e)}")
        self.emit(f"dbr = {dst}")
        self.emit(f"wr(({dst} << 16) | y, rd(({src} << 16) | x))")
        self.emit(f"x = (x {step} 1) & {mask}")
        self.emit(f"y = (y {step} 1) & {mask}")
        self.emit("a = (a - 1) & 0xFFFF")
        self.emit(f"pc = {self.ipc} if a != 0xFFFF else {self.npc}")
        return True

    def op_MVN(self):
        return self._block_move("+")

    def op_MVP(self):
        return self._block_move("-")


def generate(op: Opcode, variant: int, ipc: int | None = None, operand: bytes | None = None) -> Emitted:
    """The Python lines executing ``op`` in ``variant`` (see module docstring)."""
    e, m, x = flags_of(variant)
    return _Gen(op, e, m, x, ipc, operand).generate()


# ---------------------------------------------------------------------------
# ADC / SBC, binary and decimal, as the 65C816 computes them (invalid BCD
# digits included). Return (new 16-bit accumulator, new P).

def adc8(a: int, v: int, p: int) -> tuple[int, int]:
    al = a & 0xFF
    c = p & 1
    if not p & 0x08:
        r = al + v + c
        vf = ~(al ^ v) & (al ^ r) & 0x80
    else:
        r = (al & 0x0F) + (v & 0x0F) + c
        if r > 0x09:
            r += 0x06
        c = 1 if r > 0x0F else 0
        r = (al & 0xF0) + (v & 0xF0) + (c << 4) + (r & 0x0F)
        vf = ~(al ^ v) & (al ^ r) & 0x80
        if r > 0x9F:
            r += 0x60
    p = (p & 0x3C) | (1 if r > 0xFF else 0) | (0x40 if vf else 0)
    r &= 0xFF
    return (a & 0xFF00) | r, p | (r & 0x80) | (0 if r else 2)


def adc16(a: int, v: int, p: int) -> tuple[int, int]:
    c = p & 1
    if not p & 0x08:
        r = a + v + c
    else:
        r = (a & 0x000F) + (v & 0x000F) + c
        if r > 0x0009:
            r += 0x0006
        c = 1 if r > 0x000F else 0
        r = (a & 0x00F0) + (v & 0x00F0) + (c << 4) + (r & 0x000F)
        if r > 0x009F:
            r += 0x0060
        c = 1 if r > 0x00FF else 0
        r = (a & 0x0F00) + (v & 0x0F00) + (c << 8) + (r & 0x00FF)
        if r > 0x09FF:
            r += 0x0600
        c = 1 if r > 0x0FFF else 0
        r = (a & 0xF000) + (v & 0xF000) + (c << 12) + (r & 0x0FFF)
    vf = ~(a ^ v) & (a ^ r) & 0x8000
    if p & 0x08 and r > 0x9FFF:
        r += 0x6000
    p = (p & 0x3C) | (1 if r > 0xFFFF else 0) | (0x40 if vf else 0)
    r &= 0xFFFF
    return r, p | ((r >> 8) & 0x80) | (0 if r else 2)


def sbc8(a: int, v: int, p: int) -> tuple[int, int]:
    al = a & 0xFF
    v ^= 0xFF
    c = p & 1
    if not p & 0x08:
        r = al + v + c
        vf = ~(al ^ v) & (al ^ r) & 0x80
    else:
        r = (al & 0x0F) + (v & 0x0F) + c
        if r <= 0x0F:
            r -= 0x06
        c = 1 if r > 0x0F else 0
        r = (al & 0xF0) + (v & 0xF0) + (c << 4) + (r & 0x0F)
        vf = ~(al ^ v) & (al ^ r) & 0x80
        if r <= 0xFF:
            r -= 0x60
    p = (p & 0x3C) | (1 if r > 0xFF else 0) | (0x40 if vf else 0)
    r &= 0xFF
    return (a & 0xFF00) | r, p | (r & 0x80) | (0 if r else 2)


def sbc16(a: int, v: int, p: int) -> tuple[int, int]:
    v ^= 0xFFFF
    c = p & 1
    if not p & 0x08:
        r = a + v + c
    else:
        r = (a & 0x000F) + (v & 0x000F) + c
        if r <= 0x000F:
            r -= 0x0006
        c = 1 if r > 0x000F else 0
        r = (a & 0x00F0) + (v & 0x00F0) + (c << 4) + (r & 0x000F)
        if r <= 0x00FF:
            r -= 0x0060
        c = 1 if r > 0x00FF else 0
        r = (a & 0x0F00) + (v & 0x0F00) + (c << 8) + (r & 0x00FF)
        if r <= 0x0FFF:
            r -= 0x0600
        c = 1 if r > 0x0FFF else 0
        r = (a & 0xF000) + (v & 0xF000) + (c << 12) + (r & 0x0FFF)
    vf = ~(a ^ v) & (a ^ r) & 0x8000
    if p & 0x08 and r <= 0xFFFF:
        r -= 0x6000
    p = (p & 0x3C) | (1 if r > 0xFFFF else 0) | (0x40 if vf else 0)
    r &= 0xFFFF
    return r, p | ((r >> 8) & 0x80) | (0 if r else 2)


HELPERS = {"adc8": adc8, "adc16": adc16, "sbc8": sbc8, "sbc16": sbc16}

__all__ = ["OPCODES", "generate", "variant_of", "flags_of", "HELPERS", "REGS"]
