"""Static timing: cycles and bytes of a routine under stated M/X/E/D assumptions.

Cycle counts come from the instruction table (``Opcode.cycles``); a range is
given where the count depends on run-time values (page crossings, branches
taken). Master clocks split each instruction's cycles into instruction
fetches, data accesses and internal cycles: fetches run at the speed of the
code's region, data accesses at the speed of the operand's region where the
operand names it (direct page, stack and WRAM: 8; I/O: 6, the joypad ports 12;
ROM: 8, or 6 for FastROM in banks $80+ with MEMSEL set), internal cycles at 6.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from triforce.asm import Sandbox, assemble
from triforce.errors import UserError
from triforce.isa import BRANCHES, OPCODES, Mode, Opcode, instruction_text
from triforce.isa.semantics import Access, Flow, effects
from triforce.snes.memmap import access_cycles


@dataclass
class TimedInstruction:
    address: int
    data: bytes
    text: str
    m: int
    x: int
    cycles_min: int
    cycles_max: int
    master_min: int
    master_max: int
    line: int | None = None
    note: str = ""

    @property
    def varies(self) -> bool:
        return self.cycles_min != self.cycles_max


@dataclass
class Loop:
    start: int  # address of the loop's first instruction
    branch: int  # address of the backward branch
    cycles_min: int  # one iteration that branches back (taken)
    cycles_max: int
    bytes: int


@dataclass
class Timing:
    instructions: list[TimedInstruction]
    loops: list[Loop] = field(default_factory=list)
    mapping: str = "lorom"

    @property
    def bytes(self) -> int:
        return sum(len(i.data) for i in self.instructions)

    @property
    def cycles_min(self) -> int:
        return sum(i.cycles_min for i in self.instructions)

    @property
    def cycles_max(self) -> int:
        return sum(i.cycles_max for i in self.instructions)

    @property
    def master_min(self) -> int:
        return sum(i.master_min for i in self.instructions)

    @property
    def master_max(self) -> int:
        return sum(i.master_max for i in self.instructions)

    def total(self, iterations: int | None = None) -> tuple[int, int]:
        """Fewest and most cycles of the whole code, every loop running ``iterations`` times.

        With None each loop counts once (straight through).
        """
        lo, hi = self.cycles_min, self.cycles_max
        if iterations is not None:
            if iterations < 1:
                raise UserError("a loop runs at least once")
            for loop in self.loops:
                a, b = self.with_iterations(loop, iterations)
                lo, hi = lo + a - self.cycles_min, hi + b - self.cycles_max
        return lo, hi

    def with_iterations(self, loop: Loop, count: int) -> tuple[int, int]:
        """Cycles of the whole routine when ``loop`` runs ``count`` times (once straight through).

        The straight-line total already holds one pass with the branch not taken;
        each further pass adds the loop body with the branch taken.
        """
        extra = max(count - 1, 0)
        return self.cycles_min + extra * loop.cycles_min, self.cycles_max + extra * loop.cycles_max


def data_accesses(op: Opcode, m: int, x: int, e: int) -> int:
    """Bus accesses an instruction makes besides fetching its own bytes: stack bytes,
    pointer bytes, data bytes (read and written for read-modify-write and block moves),
    the interrupt vector."""
    fx = effects(op, m, x, e)
    n = abs(fx.stack or 0) + fx.pointer_bytes + fx.memory_bytes
    if fx.memory in (Access.MODIFY, Access.MOVE):
        n += fx.memory_bytes  # read, then written
        if e and fx.memory is Access.MODIFY:
            n += 1  # emulation mode writes the unmodified value back first
    if fx.flow is Flow.INTERRUPT:
        n += 2  # the vector
    return n


def _operand_address(op, operand: bytes, pc: int, dbr: int) -> int | None:
    """The address an instruction's data access goes to, where the operand names it."""
    mode = op.mode
    v = int.from_bytes(operand, "little")
    if mode in (Mode.DP, Mode.DPX, Mode.DPY, Mode.SR, Mode.DPI, Mode.DPIX, Mode.DPIY,
                Mode.DPIL, Mode.DPILY, Mode.SRIY):
        return 0x0000  # direct page and stack: WRAM (D and S in bank 0)
    if mode in (Mode.ABS, Mode.ABSX, Mode.ABSY):
        return (dbr << 16) | v
    if mode in (Mode.LONG, Mode.LONGX):
        return v
    if mode is Mode.IMP and effects(op).stack:
        return 0x0000  # the stack
    return None


def time_bytes(data: bytes, start: int, *, m: int = 1, x: int = 1, e: int = 0,
               dl_nonzero: bool = False, mapping: str = "lorom", fastrom: bool = False,
               dbr: int | None = None, lines: dict[int, int] | None = None) -> Timing:
    """Time machine code ``data`` at SNES address ``start`` (straight through, in order).

    REP/SEP with a constant operand change the widths assumed for what follows.
    """
    out: list[TimedInstruction] = []
    pos = 0
    pc = start
    dbr = (start >> 16) if dbr is None else dbr
    while pos < len(data):
        op = OPCODES[data[pos]]
        length = op.length(m, x)
        chunk = data[pos : pos + length]
        if len(chunk) < length:
            break
        operand = chunk[1:]
        if e:
            m = x = 1
        lo = op.cycles(m, x, e, dl_nonzero)
        hi = op.cycles(m, x, e, dl_nonzero, True, True, True)
        note = ""
        if op.mnemonic in BRANCHES:
            note = "taken +1" + (" (+1 crossing a page)" if e else "") if lo != hi else ""
        elif lo != hi:
            note = "+1 when the index crosses a page"
        if op.mnemonic in ("MVN", "MVP"):
            note = "per byte moved"
        fetch = access_cycles(pc, fastrom)
        target = _operand_address(op, operand, pc, dbr)
        data_speed = access_cycles(target, fastrom) if target is not None else 8
        acc = data_accesses(op, m, x, e)
        internal_lo = lo - length - acc
        internal_hi = hi - length - acc
        master_lo = length * fetch + acc * data_speed + 6 * max(internal_lo, 0)
        master_hi = length * fetch + acc * data_speed + 6 * max(internal_hi, 0)
        out.append(TimedInstruction(
            pc, bytes(chunk), instruction_text(chunk[0], operand, pc & 0xFFFF), m, x,
            lo, hi, master_lo, master_hi, (lines or {}).get(pc), note,
        ))
        if op.mnemonic == "REP" and not e:
            m = 0 if operand[0] & 0x20 else m
            x = 0 if operand[0] & 0x10 else x
        elif op.mnemonic == "SEP":
            m = 1 if operand[0] & 0x20 else m
            x = 1 if operand[0] & 0x10 else x
        pos += length
        pc = (pc & 0xFF0000) | ((pc + length) & 0xFFFF)
    return Timing(out, _loops(out), mapping)


def _loops(instrs: list[TimedInstruction]) -> list[Loop]:
    """Backward branches to an instruction of the routine: one loop each."""
    by_addr = {ins.address: k for k, ins in enumerate(instrs)}
    loops = []
    for k, ins in enumerate(instrs):
        op = OPCODES[ins.data[0]]
        if op.mode is not Mode.REL8 and op.mode is not Mode.REL16:
            continue
        off = int.from_bytes(ins.data[1:], "little")
        bits = 8 * (len(ins.data) - 1)
        if off >= 1 << (bits - 1):
            off -= 1 << bits
        target = (ins.address & 0xFF0000) | ((ins.address + len(ins.data) + off) & 0xFFFF)
        j = by_addr.get(target)
        if j is None or j > k:
            continue
        body = instrs[j : k + 1]
        taken = op.cycles(ins.m, ins.x, 0, False, False, True, False) - ins.cycles_min
        loops.append(Loop(
            target, ins.address,
            sum(i.cycles_min for i in body) + taken,
            sum(i.cycles_max for i in body),
            sum(len(i.data) for i in body),
        ))
    return loops


def time_source(source: str | Path, *, label: str | None = None, m: int = 1, x: int = 1,
                e: int = 0, dl_nonzero: bool = False, fastrom: bool = False,
                filename: str | None = None, include_paths: tuple | list = (),
                sandbox: Sandbox | None = None) -> Timing:
    """Assemble ``source`` and time its code: the routine at ``label``, else all of it.

    A routine runs from its label to the next main label (or the end of that
    contiguous code). Data lines (db, dw, ...) are left out.
    """
    res = assemble(source, filename=filename, fix_checksum=False,
                   include_paths=tuple(include_paths), sandbox=sandbox)
    if not res.ok:
        first = res.errors[0]
        where = first.location
        raise UserError(f"({first.id}) {first.message}", where)
    rows = [ln for ln in res.listing if _is_instruction(ln.source)]
    if label is not None:
        if label not in res.symbols:
            raise UserError(f"no label '{label}' in the source")
        start = res.symbols[label] & 0xFFFFFF
        ends = sorted(v & 0xFFFFFF for k, v in res.symbols.items()
                      if not k.startswith((label + "_", ":")) and (v & 0xFFFFFF) > start)
        stop = ends[0] if ends else None
        rows = [ln for ln in rows if ln.address >= start and (stop is None or ln.address < stop)]
        if not rows:
            raise UserError(f"label '{label}' has no code after it")
    if not rows:
        raise UserError("the source has no instructions to time")
    # contiguous runs of instructions, each timed from its start
    timing = Timing([], [], res.mapping)
    run: list = []
    for ln in rows + [None]:
        if run and (ln is None or ln.address != run[-1].address + len(run[-1].data)):
            data = b"".join(r.data for r in run)
            lines = {r.address: r.line for r in run}
            part = time_bytes(data, run[0].address, m=m, x=x, e=e, dl_nonzero=dl_nonzero,
                              mapping=res.mapping, fastrom=fastrom, lines=lines)
            if part.instructions:
                m, x = part.instructions[-1].m, part.instructions[-1].x
            timing.instructions += part.instructions
            timing.loops += part.loops
            run = []
        if ln is not None:
            run.append(ln)
    return timing


def _is_instruction(source: str) -> bool:
    from triforce.isa import MNEMONICS

    word = source.split(None, 1)[0] if source.strip() else ""
    while word.endswith(":") or word.startswith(".") or word in ("+", "-", "++", "--"):
        parts = source.split(None, 1)
        if len(parts) < 2:
            return False
        source = parts[1]
        word = source.split(None, 1)[0]
    return word.split(".")[0].upper() in MNEMONICS

