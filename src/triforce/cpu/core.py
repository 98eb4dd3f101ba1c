"""The 65C816 CPU: registers, stepping, fast runs, interrupts, run controls.

Instructions are generated as Python source from the instruction table (see
``codegen``). Single steps use one handler per (variant, opcode); ``run`` uses
blocks: straight-line runs of instructions at a known address and register
width compiled into one Python function each and cached per (address, E, M, X).
A block checks on entry that the bytes it was compiled from are unchanged, so
self-modifying code stays correct.
"""

from __future__ import annotations

import re
import types
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from triforce.cpu import codegen
from triforce.cpu.bus import ADDR_MASK, FlatMemory, WatchedBus, code_bytes
from triforce.isa import OPCODES, instruction_text
from triforce.isa.semantics import Flow, effects

_RETURN_CODES = frozenset(op.code for op in OPCODES if effects(op).flow is Flow.RETURN)

DEFAULT_MAX_STEPS = 10_000_000
MAX_BLOCK = 32

# pending-event bits checked between blocks
_WAI, _STP, _NMI, _IRQ, _ABORT, _WATCH = 1, 2, 4, 8, 16, 32

VECTORS = {
    # (native, emulation)
    "cop": (0xFFE4, 0xFFF4),
    "brk": (0xFFE6, 0xFFFE),
    "abort": (0xFFE8, 0xFFF8),
    "nmi": (0xFFEA, 0xFFFA),
    "irq": (0xFFEE, 0xFFFE),
    "reset": (0xFFFC, 0xFFFC),
}


class EmulatorError(Exception):
    """A problem with what the emulator was asked to run (a user's mistake)."""


class StepLimitExceeded(EmulatorError):
    def __init__(self, steps: int, trace: list[str]):
        self.steps = steps
        self.trace = trace
        super().__init__(f"step limit of {steps} instructions reached: the code did not stop")


@dataclass
class RunResult:
    reason: str  # until, brk, stp, wai, return, max_steps, breakpoint, watch
    steps: int
    cycles: int
    pc: int  # 24-bit address where execution stopped
    watch_hits: list[tuple[str, int, int]] = field(default_factory=list)


_REG_RE = {r: re.compile(rf"\b{r}\b") for r in codegen.REGS}
_CODE_CACHE: dict[str, types.CodeType] = {}
_HANDLER_CODE: dict[tuple[int, int], types.CodeType] = {}


def _compile(
    name: str, body: list[str], epilogue: list[str], prologue: list[str] | None = None
) -> types.CodeType:
    text = "\n".join(body)
    tail = "\n".join(epilogue)
    used = [r for r in codegen.REGS if _REG_RE[r].search(text)]
    loaded = [r for r in codegen.REGS if r in used or _REG_RE[r].search(tail)]
    if "pc" not in used:
        used.append("pc")
    lines = [f"def {name}(c, lim=1):"]
    lines += [f"    {r} = c.{r}" for r in loaded]
    lines.append("    cyc = 0")
    lines += ["    " + ln for ln in prologue or ()]
    lines += ["    " + ln for ln in body]
    lines += [f"    c.{r} = {r}" for r in used]
    lines += ["    " + ln for ln in epilogue]
    src = "\n".join(lines)
    code = _CODE_CACHE.get(src)
    if code is None:
        ns: dict = {}
        exec(compile(src, f"<65816 {name}>", "exec"), ns)  # generated from the table only
        code = ns[name].__code__
        if len(_CODE_CACHE) > 50_000:
            _CODE_CACHE.clear()
        _CODE_CACHE[src] = code
    return code


def _handler_code(variant: int, opcode: int) -> types.CodeType:
    key = (variant, opcode)
    code = _HANDLER_CODE.get(key)
    if code is None:
        em = codegen.generate(OPCODES[opcode], variant)
        code = _compile(f"op_{opcode:02x}_{variant}", em.lines, ["c.cycles += cyc", "return cyc"])
        _HANDLER_CODE[key] = code
    return code


class _Block:
    __slots__ = ("fn", "n", "addr", "size", "code", "brk", "ret", "buf", "lo", "special")

    def __init__(self, fn, n, addr, size, code, brk, ret, buf, lo):
        self.fn, self.n, self.addr, self.size = fn, n, addr, size
        self.code, self.brk, self.ret, self.buf, self.lo = code, brk, ret, buf, lo
        self.special = brk or ret


_WR_RE = re.compile(r"^(\s*)wr\((.*)\)$")


def _write_address(args: str) -> str:
    """The address argument of a generated ``wr(ADDR, VALUE)`` call."""
    depth = 0
    for i, ch in enumerate(args):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            return args[:i]
    raise AssertionError(args)


def _block_body(
    instrs, addr, size, loop, variant, last_op, pc0, skips, guard="range", track=False, events=False
) -> list[str]:
    """The body of a block function: the instructions inside ``while True``.

    - N/Z updates that a later instruction overwrites unread are dropped.
    - A write into the block's own bytes leaves the block right after that
      instruction, so self-modifying code always runs what memory holds.
    - A block ending in a branch to its own start loops until the branch falls
      through, ``lim`` iterations are done, or an event is pending.
    - A forward branch to an instruction of the same block (``skips``: branch
      index -> target index) becomes ``if taken: ... else: <skipped code>``;
      ``ns`` counts the instructions skipped, for the step count.

    ``guard`` says how a write is matched against the block's own bytes: "range"
    (24-bit addresses, flat memory), "hit" (through the bus's mirrors, by the
    block's ``hit`` function) or "none" (code in ROM). With ``track`` each
    instruction adds its fetches to ``nf`` and ``fcl`` (master clocks). With
    ``events`` the block also leaves after any memory access that raised an
    event (an interrupt from a register hook).
    """
    e = variant == 7
    n = len(instrs)
    lo, hi = addr, addr + size
    body_instrs = instrs[:-1] if loop else instrs
    def needs_guard(em) -> bool:
        writes = guard != "none" and any("wr(" in ln for ln in em.lines)
        touches = events and any("wr(" in ln or "rd(" in ln for ln in em.lines)
        return writes or touches

    guarded = [needs_guard(em) and (loop or k < n - 1) for k, (em, _, _) in enumerate(body_instrs)]
    starts = []  # 24-bit address of each instruction
    a = addr
    for _em, _mn, nxt in instrs:
        starts.append(a)
        a = (addr & 0xFF0000) | nxt
    # backward pass: which instructions' N/Z results are read (or must be exact)
    keep_nz = [True] * len(body_instrs)
    needed = True
    for k in range(len(body_instrs) - 1, -1, -1):
        mn = body_instrs[k][1]
        if guarded[k]:
            needed = True
        if mn in codegen.NZ_KILLERS:
            keep_nz[k] = needed
            needed = False
        elif mn not in codegen.NZ_NEUTRAL:
            needed = True
    if loop and last_op.mnemonic == "BRA":
        pass  # BRA reads no flag; the loop's back edge keeps the state exact anyway
    out: list[str] = []
    pad = ""
    closes: list[int] = []
    for k, (em, mn, next_pc) in enumerate(body_instrs):
        while closes and closes[-1] == k:
            closes.pop()
            pad = pad[:-4]
        if k in skips:
            j = skips[k]
            target = instrs[j - 1][2]  # the join: where the skipped code ends
            cross = 1 if e and (target ^ next_pc) & 0xFF00 else 0
            out.append(f"{pad}cyc += 2")
            out.append(f"{pad}if {codegen.BRANCH_COND[mn]}:")
            out.append(f"{pad}    cyc += {1 + cross}")
            out.append(f"{pad}    ns += {j - k - 1}")
            if j == n:
                out.append(f"{pad}    pc = {target}")
            out.append(f"{pad}else:")
            pad += "    "
            closes.append(j)
            continue
        lines = em.lines
        if track:
            nb = (next_pc - starts[k]) & 0xFFFF
            out.append(f"{pad}nf += {nb}")
            out.append(f"{pad}fcl += {nb} * sp({starts[k]})")
        if em.falls_through and (loop or k < n - 1):
            lines = lines[:-1]  # the next instruction follows; pc is set on exit
        for ln in lines:
            if not keep_nz[k] and ln.endswith(codegen.NZ_TAG):
                continue
            out.append(pad + ln)
            if guarded[k] and guard != "none":
                mt = _WR_RE.match(ln)
                if mt:
                    addr_expr = _write_address(mt.group(2))
                    test = f"{lo} <= {addr_expr} < {hi}" if guard == "range" else f"hit({addr_expr})"
                    out.append(f"{pad}{mt.group(1)}if {test}: smc = 1")
        if guarded[k]:
            out.append(f"{pad}if smc or c.pending:" if events else f"{pad}if smc:")
            out.append(f"{pad}    extra = {k + 1}")
            out.append(f"{pad}    pc = {next_pc}")
            out.append(f"{pad}    break")
    pad = ""
    if loop and track:
        nb = (instrs[-1][2] - starts[-1]) & 0xFFFF
        out.append(f"nf += {nb}")
        out.append(f"fcl += {nb} * sp({starts[-1]})")
    if loop:
        fall = instrs[-1][2]
        cross = 1 if e and (pc0 ^ fall) & 0xFF00 else 0
        if last_op.mnemonic == "BRA":
            out.append(f"cyc += {3 + cross}")
            out.append("it += 1")
        else:
            out.append("cyc += 2")
            out.append("it += 1")
            out.append(f"if not ({codegen.BRANCH_COND[last_op.mnemonic]}):")
            out.append(f"    pc = {fall}")
            out.append("    break")
            out.append(f"cyc += {1 + cross}")
        out.append("if it >= lim or c.pending:")
        out.append(f"    pc = {pc0}")
        out.append("    break")
    else:
        out.append("it = 1")
        out.append("break")
    return ["while True:"] + ["    " + ln for ln in out]


class CPU:
    """A WDC 65C816 on a 24-bit bus (see ``triforce.cpu.bus`` for the protocol)."""

    __slots__ = (
        "a", "x", "y", "s", "d", "dbr", "pbr", "pc", "p", "e",
        "cycles", "steps", "pending", "bus",
        "fetches", "fetch_clocks", "_globals", "_handlers", "_blocks", "_track_clocks",
        "_stops", "_watch_hits", "irq_line", "_recent",
    )

    def __init__(self, bus) -> None:
        self.bus = bus
        self.a = self.x = self.y = 0
        self.s = 0x01FF
        self.d = 0
        self.dbr = self.pbr = 0
        self.pc = 0
        self.p = 0x34
        self.e = 1
        self.cycles = 0
        self.steps = 0
        self.pending = 0
        self.irq_line = False
        self.fetches = 0
        self.fetch_clocks = 0
        self._blocks: dict[int, _Block] = {}
        self._stops: frozenset[int] = frozenset()
        self._recent: deque[str] = deque(maxlen=16)
        self._watch_hits: list[tuple[str, int, int]] = []
        self._bind(bus)

    # ---- bus binding ---------------------------------------------------------
    def _bind(self, bus) -> None:
        self.bus = bus
        self._globals = {"rd": bus.read, "wr": bus.write, "pk": bus.peek, **codegen.HELPERS}
        if hasattr(bus, "speed"):
            self._globals["sp"] = bus.speed
        self._handlers: list[list[Callable | None]] = [[None] * 256 for _ in range(8)]
        self._blocks = {}
        self._track_clocks = hasattr(bus, "speed")

    # flags as properties for convenience
    @property
    def waiting(self) -> bool:
        return bool(self.pending & _WAI)

    @waiting.setter
    def waiting(self, v: bool) -> None:
        self.pending = (self.pending | _WAI) if v else (self.pending & ~_WAI)

    @property
    def stopped(self) -> bool:
        return bool(self.pending & _STP)

    @stopped.setter
    def stopped(self, v: bool) -> None:
        self.pending = (self.pending | _STP) if v else (self.pending & ~_STP)

    @property
    def variant(self) -> int:
        return codegen.variant_of(self.e, self.p)

    @property
    def address(self) -> int:
        """The 24-bit address of the next instruction (PBR:PC)."""
        return (self.pbr << 16) | self.pc

    @property
    def master_clocks(self) -> int | None:
        """Master clocks so far on a bus with timing (SNES), else None.

        Data accesses are timed by the bus, instruction fetches by the region of
        the code, and every other (internal) cycle takes 6 master clocks.
        """
        if not self._track_clocks:
            return None
        bus = self.bus
        inner = getattr(bus, "inner", bus)
        internal = self.cycles - self.fetches - inner.accesses
        return inner.clocks + self.fetch_clocks + 6 * internal

    def set_registers(self, **regs: int) -> None:
        """Set registers by name, keeping the CPU's invariants (E forces 8-bit, S page 1)."""
        for k, v in regs.items():
            if k not in ("a", "x", "y", "s", "d", "dbr", "pbr", "pc", "p", "e"):
                raise EmulatorError(f"unknown register '{k}'")
            setattr(self, k, int(v))
        self.normalize()

    def normalize(self) -> None:
        """Mask registers to their widths and apply the mode invariants."""
        self.a &= 0xFFFF
        self.x &= 0xFFFF
        self.y &= 0xFFFF
        self.s &= 0xFFFF
        self.d &= 0xFFFF
        self.dbr &= 0xFF
        self.pbr &= 0xFF
        self.pc &= 0xFFFF
        self.p &= 0xFF
        self.e = 1 if self.e else 0
        if self.e:
            self.p |= 0x30
            self.s = 0x100 | (self.s & 0xFF)
        if self.p & 0x10:
            self.x &= 0xFF
            self.y &= 0xFF

    # ---- interrupts ------------------------------------------------------------
    def reset(self) -> None:
        """The RESET sequence: emulation mode, 8-bit, I set, D cleared, PC from $FFFC."""
        self.e = 1
        self.p = (self.p | 0x34) & ~0x08 & 0xFF
        self.d = 0
        self.dbr = self.pbr = 0
        self.s = 0x100 | (self.s & 0xFF)
        self.x &= 0xFF
        self.y &= 0xFF
        self.pending = 0
        peek = self.bus.peek
        self.pc = peek(0xFFFC) | (peek(0xFFFD) << 8)

    def nmi(self) -> None:
        """Raise a non-maskable interrupt (taken before the next instruction)."""
        self.pending |= _NMI

    def irq(self, level: bool = True) -> None:
        """Set the IRQ line (level-triggered: stays asserted until cleared)."""
        self.irq_line = level
        if level:
            self.pending |= _IRQ
        else:
            self.pending &= ~_IRQ

    def abort(self) -> None:
        """Signal ABORT (taken at the next instruction boundary)."""
        self.pending |= _ABORT

    def _interrupt(self, kind: str) -> int:
        rd, wr = self.bus.read, self.bus.write
        native, emu = VECTORS[kind]
        cyc = 2
        s = self.s
        if self.e:
            pushes = [self.pc >> 8, self.pc & 0xFF, (self.p & ~0x10) | 0x20]
        else:
            pushes = [self.pbr, self.pc >> 8, self.pc & 0xFF, self.p]
        for v in pushes:
            wr(s, v & 0xFF)
            s = 0x100 | ((s - 1) & 0xFF) if self.e else (s - 1) & 0xFFFF
            cyc += 1
        self.s = s
        self.p = (self.p | 0x04) & 0xF7
        self.pbr = 0
        vec = emu if self.e else native
        self.pc = rd(vec) | (rd(vec + 1) << 8)
        cyc += 2
        self.cycles += cyc
        return cyc

    def _service(self) -> str | None:
        """Handle pending events at an instruction boundary. Returns a stop reason or None."""
        pend = self.pending
        if pend & _STP:
            return "stp"
        if pend & _ABORT:
            self.pending &= ~(_ABORT | _WAI)
            self._interrupt("abort")
            return None
        if pend & _NMI:
            self.pending &= ~(_NMI | _WAI)
            self._interrupt("nmi")
            return None
        if pend & _IRQ:
            if not self.irq_line:
                self.pending &= ~_IRQ
            else:
                if pend & _WAI:
                    self.pending &= ~_WAI  # WAI resumes even when I masks the IRQ
                if not self.p & 0x04:
                    self._interrupt("irq")
                    return None
        if self.pending & _WAI:
            return "wai"
        if self.pending & _WATCH:
            self.pending &= ~_WATCH
            return "watch"
        return None

    # ---- single steps ------------------------------------------------------------
    def _handler(self, variant: int, opcode: int) -> Callable:
        h = self._handlers[variant][opcode]
        if h is None:
            h = types.FunctionType(_handler_code(variant, opcode), self._globals, None, (1,))
            self._handlers[variant][opcode] = h
        return h

    def step(self) -> int:
        """Execute one instruction (or take one pending interrupt). Returns its cycles."""
        if self.pending & ~_IRQ or (self.pending & _IRQ and not self.p & 0x04):
            before = self.cycles
            reason = self._service()
            if reason in ("stp", "wai"):
                return 0
            if self.cycles != before:
                return self.cycles - before
        addr = (self.pbr << 16) | self.pc
        opcode = self.bus.peek(addr)
        h = self._handler(7 if self.e else (self.p >> 4) & 3, opcode)
        if self._track_clocks:
            n = OPCODES[opcode].length((self.p >> 5) & 1 or self.e, (self.p >> 4) & 1 or self.e)
            self.fetches += n
            self.fetch_clocks += n * self.bus.speed(addr)
        cyc = h(self)
        self.steps += 1
        return cyc

    def trace_line(self) -> str:
        """The next instruction and the registers, one line, as SNES debuggers print them."""
        addr = (self.pbr << 16) | self.pc
        pk = self.bus.peek
        opcode = pk(addr)
        op = OPCODES[opcode]
        m = 1 if self.e else (self.p >> 5) & 1
        x = 1 if self.e else (self.p >> 4) & 1
        n = op.length(m, x)
        raw = bytes(pk((self.pbr << 16) | ((self.pc + i) & 0xFFFF)) for i in range(n))
        text = instruction_text(opcode, raw[1:], self.pc)
        flags = "".join(
            ch.upper() if self.p & (0x80 >> i) else ch for i, ch in enumerate("nvmxdizc")
        )
        if self.e:
            flags = flags[:2] + "1" + ("B" if self.p & 0x10 else "b") + flags[4:]
        return (
            f"{self.pbr:02X}:{self.pc:04X}  {raw.hex(' ').upper():<12} {text:<18}"
            f" A:{self.a:04X} X:{self.x:04X} Y:{self.y:04X} S:{self.s:04X} D:{self.d:04X}"
            f" DB:{self.dbr:02X} P:{flags} E:{self.e} CYC:{self.cycles}"
        )

    # ---- blocks ----------------------------------------------------------------
    def _compile_block(self, key: int) -> _Block:
        variant = start_variant = key >> 24
        addr = key & ADDR_MASK
        pbr, pc0 = addr >> 16, addr & 0xFFFF
        pk = self.bus.peek
        instrs: list[tuple[codegen.Emitted, str, int]] = []  # (code, mnemonic, next pc)
        sizes: list[int] = []
        ops: list[tuple] = []
        skips: dict[int, int] = {}  # index of a forward branch -> index of its target
        open_skip: tuple[int, int, int] | None = None  # (branch index, target pc, variant)
        pc = pc0
        first = pk(addr)
        stops = self._stops
        inner = True  # forward branches inside blocks

        def abandon(skip: tuple[int, int, int]) -> None:
            # cut the block at the open forward branch (skip), which then ends it
            nonlocal pc, variant
            i, _, var = skip
            del instrs[i + 1 :], sizes[i + 1 :], ops[i + 1 :]
            pc, variant = instrs[i][2], var

        while True:
            if open_skip and pc == open_skip[1]:
                skips[open_skip[0]] = len(instrs)
                open_skip = None
            a24 = (pbr << 16) | pc
            if len(instrs) >= MAX_BLOCK or (instrs and (a24 in stops or pk(a24) == 0x00)):
                # full, a stop address, or BRK (which starts a block of its own)
                if open_skip:
                    abandon(open_skip)
                break
            opcode = pk(a24)
            op = OPCODES[opcode]
            e, m, x = codegen.flags_of(variant)
            length = op.length(m, x)
            if instrs and pc + length > 0x10000:
                if open_skip:
                    abandon(open_skip)
                break  # never compile across the end of a bank
            operand = bytes(pk((pbr << 16) | ((pc + i) & 0xFFFF)) for i in range(1, length))
            em = codegen.generate(op, variant, pc, operand)
            next_pc = (pc + length) & 0xFFFF
            if open_skip and (
                em.ends_block or em.next_variant is not None or next_pc > open_skip[1]
                or op.mnemonic in ("REP", "SEP")
            ):
                abandon(open_skip)
                break
            instrs.append((em, op.mnemonic, next_pc))
            sizes.append(length)
            ops.append((op, operand))
            pc = next_pc
            if em.next_variant is not None:
                variant = em.next_variant
            if inner and not open_skip and op.mnemonic in codegen.BRANCH_COND and pc:
                off = operand[0] - 256 if operand[0] >= 128 else operand[0]
                if 0 < off <= 48 and pc + off <= 0xFFFF:
                    open_skip = (len(instrs) - 1, pc + off, variant)
                    continue
            if em.ends_block or pc == 0:
                break
            if op.mnemonic in ("REP", "SEP") and em.next_variant is None:
                break
        skips = {i: j for i, j in skips.items() if i < len(instrs)}
        size = sum(sizes)
        last_op = ops[-1]
        n = len(instrs)
        op, operand = last_op
        # a block that ends with a branch back to its own start loops inside one call
        loop = (
            op.mnemonic in codegen.BRANCH_COND or op.mnemonic == "BRA"
        ) and variant == start_variant and addr not in stops and n > 1
        if loop:
            off = operand[0] - 256 if operand[0] >= 128 else operand[0]
            loop = (instrs[-1][2] + off) & 0xFFFF == pc0
        guard, hit = self._write_guard(addr, size)
        track = self._track_clocks
        events = hasattr(self.bus, "on_write") or hasattr(self.bus, "inner")
        body = _block_body(
            instrs, addr, size, loop, variant, op, pc0, skips, guard, track, events
        )
        epilogue = [
            "c.cycles += cyc",
            *(["c.fetches += nf", "c.fetch_clocks += fcl"] if track else []),
            f"c.steps += it * {n} + extra - ns",
            "return (pbr << 16 | pc) | ((7 if c.e else (p >> 4) & 3) << 24)",
        ]
        prologue = ["it = 0", "extra = 0", "smc = 0", "ns = 0", "nf = 0", "fcl = 0"] + ([f"lim //= {n}"] if loop else [])
        code = _compile(f"blk_{addr:06x}_{key >> 24}", body, epilogue, prologue)
        glb = self._globals
        if hit is not None:
            glb = dict(glb, hit=hit)
        fn = types.FunctionType(code, glb)
        code_now = code_bytes(self.bus, addr, size)
        buf, lo = None, 0
        backing = getattr(self.bus, "backing", None)
        if backing is not None:
            found = backing(addr)
            if found is not None and found[0][found[1] : found[1] + size] == code_now:
                buf, lo = found
        blk = _Block(fn, n, addr, size, code_now, first == 0x00,
                     instrs[-1][1] in ("RTS", "RTL", "RTI"), buf, lo)
        if len(self._blocks) > 100_000:
            self._blocks.clear()
        self._blocks[key] = blk
        return blk

    def _write_guard(self, addr: int, size: int):
        """How a block at ``addr`` notices writes into its own bytes: (kind, hit function)."""
        bus = self.bus
        bus = getattr(bus, "inner", bus)
        if isinstance(bus, FlatMemory):
            return "range", None
        region = getattr(bus, "region", None)
        if region is not None and region(addr) == "rom" and region(addr + size - 1) == "rom":
            return "none", None  # writes never change ROM
        backing = getattr(bus, "backing", None)
        found = backing(addr) if backing else None
        if not backing or found is None:
            return "hit", lambda a: True  # unknown memory: leave after every write
        buf, lo = found
        hi = lo + size

        def hit(a: int) -> bool:
            where = backing(a)
            return where is not None and where[0] is buf and lo <= where[1] < hi

        return "hit", hit

    def _valid(self, blk: _Block) -> bool:
        """Are the bytes a block was compiled from still there?"""
        if blk.buf is not None:
            return blk.buf[blk.lo : blk.lo + blk.size] == blk.code
        return code_bytes(self.bus, blk.addr, blk.size) == blk.code

    def _set_stops(self, stops: frozenset[int]) -> None:
        if stops != self._stops:
            # blocks were compiled to end before the old stop addresses
            self._stops = stops
            self._blocks = {}

    # ---- runs ----------------------------------------------------------------------
    def run(
        self,
        until: int | Iterable[int] | None = None,
        max_steps: int | None = DEFAULT_MAX_STEPS,
        *,
        stop_on_brk: bool = True,
        stop_on_return: bool = False,
        breakpoints: Iterable[int] = (),
        watch_reads: Iterable[int] = (),
        watch_writes: Iterable[int] = (),
        trace: Callable[[str], None] | None = None,
        raise_on_limit: bool = False,
    ) -> RunResult:
        """Run until a stop condition.

        Stops: PBR:PC reaches ``until`` or a breakpoint (before executing it), a
        BRK is about to execute (``stop_on_brk``), STP, WAI with no interrupt
        pending, RTS/RTL/RTI that returns from the starting depth
        (``stop_on_return``), a watched address is accessed, or ``max_steps``
        instructions (then ``StepLimitExceeded`` with the last trace lines when
        ``raise_on_limit``). ``trace`` receives one line per instruction.
        """
        if isinstance(until, int):
            until_set = frozenset({until & ADDR_MASK})
        else:
            until_set = frozenset(a & ADDR_MASK for a in (until or ()))
        bps = frozenset(a & ADDR_MASK for a in breakpoints)
        wr_set, ww_set = set(watch_reads), set(watch_writes)
        limit = DEFAULT_MAX_STEPS if max_steps is None else max_steps
        start_steps, start_cycles = self.steps, self.cycles
        start_s = self.s
        self._watch_hits = []
        orig_bus = self.bus
        if wr_set or ww_set:
            def hit(kind: str, addr: int, value: int) -> None:
                self._watch_hits.append((kind, addr, value))
                self.pending |= _WATCH
            self._bind(WatchedBus(orig_bus, wr_set, ww_set, hit))
        try:
            slow = trace is not None or bool(wr_set or ww_set)
            reason = self._run(until_set, bps, limit, stop_on_brk, stop_on_return, start_s, slow, trace)
        finally:
            if self.bus is not orig_bus:
                self._bind(orig_bus)
        result = RunResult(
            reason, self.steps - start_steps, self.cycles - start_cycles,
            (self.pbr << 16) | self.pc, list(self._watch_hits),
        )
        if reason == "max_steps" and raise_on_limit:
            raise StepLimitExceeded(limit, list(self._recent))
        return result

    def _run(self, until_set, bps, limit, stop_on_brk, stop_on_return, start_s, slow, trace) -> str:
        stops = until_set | bps
        recent: deque[str] = deque(maxlen=16)
        self._recent = recent  # read by run() when the limit is hit
        if not slow:
            self._set_stops(stops)
        bus = self.bus
        peek = bus.peek
        tail = 16  # the last instructions before the limit run traced, for the error
        first_steps = self.steps
        end = first_steps + limit  # self.steps when the limit is reached
        fast_end = end - tail
        short = False
        while True:
            if self.pending:
                reason = self._service()
                if reason:
                    return reason
            addr = (self.pbr << 16) | self.pc
            if self.steps != first_steps and addr in stops:
                return "until" if addr in until_set else "breakpoint"
            if self.steps >= end:
                return "max_steps"
            if slow or self.steps >= fast_end or short:
                # one instruction at a time, traced
                short = False
                if stop_on_brk and peek(addr) == 0x00:
                    return "brk"
                line = self.trace_line()
                recent.append(line)
                if trace is not None:
                    trace(line)
                code = peek(addr)
                self.step()
                if stop_on_return and code in _RETURN_CODES and returned(start_s, self.s):
                    return "return"
                continue
            # fast path: compiled blocks until something needs a look
            blocks = self._blocks
            key = addr | ((7 if self.e else (self.p >> 4) & 3) << 24)
            while True:
                blk = blocks.get(key)
                if blk is None or not (
                    blk.buf[blk.lo : blk.lo + blk.size] == blk.code
                    if blk.buf is not None else self._valid(blk)
                ):
                    blk = self._compile_block(key)
                    blocks = self._blocks
                room = fast_end - self.steps
                if blk.n > room:
                    short = True  # too long for what is left before the limit
                    break
                if blk.special:
                    if blk.brk and stop_on_brk:
                        return "brk"
                    blk.fn(self, room)
                    if blk.ret and stop_on_return and returned(start_s, self.s):
                        return "return"
                    break
                key = blk.fn(self, room)
                if self.pending or (key & ADDR_MASK) in stops:
                    break

    # ---- state in the SingleStepTests format ----------------------------------------
    def state(self) -> dict:
        return {
            "pc": self.pc, "s": self.s, "p": self.p, "a": self.a, "x": self.x, "y": self.y,
            "dbr": self.dbr, "d": self.d, "pbr": self.pbr, "e": self.e,
        }


def returned(start_s: int, s_after: int) -> bool:
    """Did a return instruction just leave the routine the run started in?

    True when the stack pointer is now above where it was at the start.
    """
    return 0 < ((s_after - start_s) & 0xFFFF) < 0x8000
