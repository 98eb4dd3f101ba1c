"""``CPU.run``'s stop conditions, traces and limits, and run() against step().

``run`` executes compiled blocks; ``step`` executes one instruction at a time
with operands read at run time. Random well-formed programs must give the same
registers, memory and cycle totals either way.
"""

from __future__ import annotations

import random

import pytest

from triforce.cpu import CPU, FlatMemory, StepLimitExceeded

STP = 0xDB


def load(code: bytes, at: int = 0x008000, **regs) -> tuple[FlatMemory, CPU]:
    mem = FlatMemory()
    mem.load(at, code)
    cpu = CPU(mem)
    cpu.set_registers(pbr=at >> 16, pc=at & 0xFFFF, **regs)
    return mem, cpu


# inx / inx / inx / inx / inx / stp
FIVE_INX = bytes([0xE8] * 5 + [STP])
# loop: inx / bra loop
INX_LOOP = bytes([0xE8, 0x80, 0xFD])


# ------------------------------------------------------------------ until / breakpoints


def test_until_stops_before_the_address():
    mem, cpu = load(FIVE_INX)
    res = cpu.run(until=0x008003)
    assert (res.reason, res.steps, res.cycles, res.pc) == ("until", 3, 6, 0x008003)
    assert cpu.x == 3
    res = cpu.run()
    assert (res.reason, res.steps) == ("stp", 3)
    assert cpu.x == 5


def test_until_accepts_several_addresses_and_bank():
    mem, cpu = load(FIVE_INX, at=0x128000)
    res = cpu.run(until=[0x008002, 0x128004, 0x128002])
    assert (res.reason, res.pc, cpu.x) == ("until", 0x128002, 2)


def test_until_the_start_address_means_coming_back_to_it():
    mem, cpu = load(INX_LOOP)
    res = cpu.run(until=0x008000)
    assert (res.reason, res.steps, cpu.x, cpu.pc) == ("until", 2, 1, 0x8000)
    res = cpu.run(until=0x008000)
    assert (res.steps, cpu.x) == (2, 2)


def test_breakpoint():
    mem, cpu = load(INX_LOOP)
    res = cpu.run(breakpoints=[0x008001])
    assert (res.reason, res.steps, res.pc, cpu.x) == ("breakpoint", 1, 0x008001, 1)
    res = cpu.run(breakpoints=[0x008001])           # goes on from the breakpoint
    assert (res.reason, res.steps, res.pc, cpu.x) == ("breakpoint", 2, 0x008001, 2)


def test_until_and_breakpoint_together():
    mem, cpu = load(FIVE_INX)
    res = cpu.run(until=0x008004, breakpoints=[0x008002])
    assert (res.reason, res.pc) == ("breakpoint", 0x008002)
    res = cpu.run(until=0x008004, breakpoints=[0x008002])
    assert (res.reason, res.pc) == ("until", 0x008004)


def test_stops_in_the_middle_of_straight_line_code_after_a_plain_run():
    # a plain run first compiles the whole straight line; a later stop inside it must work
    mem, cpu = load(FIVE_INX)
    cpu.run()
    cpu.set_registers(pc=0x8000, x=0)
    cpu.stopped = False
    res = cpu.run(until=0x008002)
    assert (res.reason, cpu.x) == ("until", 2)


# ------------------------------------------------------------------ watchpoints


def test_watch_writes_stops_after_the_store():
    # lda #$42 / sta $10 / inx / stp
    mem, cpu = load(bytes([0xA9, 0x42, 0x85, 0x10, 0xE8, STP]))
    res = cpu.run(watch_writes=[0x000010])
    assert res.reason == "watch"
    assert res.watch_hits == [("w", 0x000010, 0x42)]
    assert (res.pc, res.steps, cpu.x) == (0x008004, 2, 0)
    assert mem.mem[0x10] == 0x42
    res = cpu.run(watch_writes=[0x000010])
    assert (res.reason, res.watch_hits, cpu.x) == ("stp", [], 1)


def test_watch_writes_16_bit_store_reports_both_bytes():
    # rep #$20 / lda #$BEEF / sta $7E0010 / stp   (native)
    mem, cpu = load(bytes([0xC2, 0x20, 0xA9, 0xEF, 0xBE, 0x8F, 0x10, 0x00, 0x7E, STP]),
                    e=0, p=0x30)
    res = cpu.run(watch_writes=[0x7E0010, 0x7E0011])
    assert res.reason == "watch"
    assert res.watch_hits == [("w", 0x7E0010, 0xEF), ("w", 0x7E0011, 0xBE)]
    assert res.pc == 0x008009


def test_watch_reads():
    # ldx #$01 / lda $1F,x / inx / stp
    mem, cpu = load(bytes([0xA2, 0x01, 0xB5, 0x1F, 0xE8, STP]))
    mem.mem[0x20] = 0x99
    res = cpu.run(watch_reads=[0x000020])
    assert res.reason == "watch"
    assert res.watch_hits == [("r", 0x000020, 0x99)]
    assert (res.pc, cpu.a & 0xFF, cpu.x) == (0x008004, 0x99, 1)


def test_watch_ignores_other_addresses_and_writes_for_reads():
    # sta $20 / lda $21 / stp
    mem, cpu = load(bytes([0x85, 0x20, 0xA5, 0x21, STP]))
    res = cpu.run(watch_reads=[0x000020], watch_writes=[0x000021])
    assert (res.reason, res.watch_hits) == ("stp", [])


# ------------------------------------------------------------------ trace


def test_trace_one_line_per_instruction():
    # lda #$12 / ldx #$34 / stp
    mem, cpu = load(bytes([0xA9, 0x12, 0xA2, 0x34, STP]))
    lines: list[str] = []
    res = cpu.run(trace=lines.append)
    assert res.reason == "stp"
    assert len(lines) == 3
    assert lines[0].startswith("00:8000")
    assert "A9 12" in lines[0] and "LDA #$12" in lines[0]
    assert "A:0000" in lines[0] and "X:0000" in lines[0]
    assert lines[1].startswith("00:8002")
    assert "A2 34" in lines[1] and "LDX #$34" in lines[1] and "A:0012" in lines[1]
    assert lines[2].startswith("00:8004")
    assert lines[2].split()[1] == "DB" and "STP" in lines[2] and "X:0034" in lines[2]
    for ln in lines:
        assert "S:01FF" in ln and "E:1" in ln


def test_trace_shows_16_bit_operands_and_branch_targets():
    # (native, 16-bit) lda #$1234 / bne +0 (to $8005) / stp
    mem, cpu = load(bytes([0xA9, 0x34, 0x12, 0xD0, 0x00, STP]), e=0, p=0x00)
    lines: list[str] = []
    cpu.run(trace=lines.append)
    assert "A9 34 12" in lines[0] and "LDA #$1234" in lines[0]
    assert "BNE $8005" in lines[1] and "A:1234" in lines[1]


# ------------------------------------------------------------------ step limits


def test_max_steps_exact():
    mem, cpu = load(bytes([0x80, 0xFE]))           # bra *
    res = cpu.run(max_steps=100)
    assert (res.reason, res.steps, res.cycles) == ("max_steps", 100, 300)


@pytest.mark.parametrize("limit", [1, 2, 3, 17, 18, 1000])
def test_max_steps_in_a_loop(limit):
    # (native, 16-bit index) loop: inx / iny / bra loop
    mem, cpu = load(bytes([0xE8, 0xC8, 0x80, 0xFC]), e=0, p=0x00)
    res = cpu.run(max_steps=limit)
    assert (res.reason, res.steps) == ("max_steps", limit)
    full, rest = divmod(limit, 3)
    assert cpu.x == full + (1 if rest >= 1 else 0)
    assert cpu.y == full + (1 if rest >= 2 else 0)
    assert res.cycles == full * 7 + rest * 2
    assert cpu.pc == 0x8000 + rest


def test_max_steps_raise():
    mem, cpu = load(bytes([0xE8, 0xC8, 0x80, 0xFC]), e=0, p=0x00)
    with pytest.raises(StepLimitExceeded) as info:
        cpu.run(max_steps=1000, raise_on_limit=True)
    exc = info.value
    assert exc.steps == 1000
    assert "step limit" in str(exc)
    assert 1 <= len(exc.trace) <= 1000
    assert exc.trace[-1].startswith("00:8000") and "INX" in exc.trace[-1]   # the 1000th
    assert exc.trace[-2].startswith("00:8002") and "BRA $8000" in exc.trace[-2]
    assert cpu.steps == 1000 and cpu.x == 334


def test_max_steps_not_raised_when_code_stops():
    mem, cpu = load(FIVE_INX)
    res = cpu.run(max_steps=6, raise_on_limit=True)
    assert (res.reason, res.steps) == ("stp", 6)


# ------------------------------------------------------------------ returns and BRK


def subroutine_program() -> tuple[FlatMemory, CPU]:
    code = {
        0x8000: bytes([0x20, 0x10, 0x80, STP]),    # jsr $8010 / stp
        0x8010: bytes([0x20, 0x20, 0x80,           # jsr $8020
                       0xE8,                       # inx
                       0x60]),                     # rts
        0x8020: bytes([0xC8, 0x60]),               # iny / rts
    }
    mem = FlatMemory()
    for addr, b in code.items():
        mem.load(addr, b)
    cpu = CPU(mem)
    # as if the JSR at $8000 had just run: return address $8002 on the stack
    mem.load(0x01FE, bytes([0x02, 0x80]))
    cpu.set_registers(pc=0x8010, s=0x01FD)
    return mem, cpu


@pytest.mark.parametrize("traced", [False, True])
def test_stop_on_return_ignores_nested_returns(traced):
    mem, cpu = subroutine_program()
    lines: list[str] = []
    res = cpu.run(stop_on_return=True, trace=lines.append if traced else None)
    assert (res.reason, res.steps, res.pc) == ("return", 5, 0x008003)
    assert (cpu.x, cpu.y, cpu.s) == (1, 1, 0x01FF)


def test_without_stop_on_return_runs_on():
    mem, cpu = subroutine_program()
    res = cpu.run()
    assert (res.reason, res.steps, res.pc) == ("stp", 6, 0x008004)


def test_stop_on_return_rtl():
    mem = FlatMemory()
    mem.load(0x019000, bytes([0xE8, 0x6B]))        # inx / rtl
    mem.load(0x0001FD, bytes([0x03, 0x80, 0x00]))  # return to $00:8004 (JSL at $8000)
    mem.mem[0x008004] = STP
    cpu = CPU(mem)
    cpu.set_registers(e=0, p=0x30, pbr=0x01, pc=0x9000, s=0x01FC)
    res = cpu.run(stop_on_return=True)
    assert (res.reason, res.steps, res.pc, cpu.s) == ("return", 2, 0x008004, 0x01FF)


def test_stop_on_brk():
    mem, cpu = load(bytes([0xE8, 0x00, 0x00]))     # inx / brk #$00
    mem.load(0xFFFE, bytes([0x00, 0x90]))          # IRQ/BRK vector -> $9000
    mem.load(0x9000, bytes([0xC8, STP]))           # iny / stp
    res = cpu.run()
    assert (res.reason, res.steps, res.pc, cpu.x) == ("brk", 1, 0x008001, 1)
    res = cpu.run()                                # still at the BRK
    assert (res.reason, res.steps) == ("brk", 0)
    res = cpu.run(stop_on_brk=False)
    assert (res.reason, res.steps, res.pc) == ("stp", 3, 0x009002)
    assert (cpu.x, cpu.y) == (1, 1)
    assert (mem.mem[0x01FF], mem.mem[0x01FE]) == (0x80, 0x03)   # BRK's return address


# ------------------------------------------------------------------ self-modifying code


@pytest.mark.parametrize("use_run", [False, True], ids=["step", "run"])
def test_loop_rewrites_an_immediate(use_run):
    code = bytes([
        0xA2, 0x04,             # 8000  ldx #$04
        0xA9, 0x10,             # 8002  loop: lda #$10   (immediate at $8003)
        0x95, 0x20,             # 8004  sta $20,x
        0xEE, 0x03, 0x80,       # 8006  inc $8003
        0xCA,                   # 8009  dex
        0x10, 0xF6,             # 800A  bpl loop  ($800C - 10 = $8002)
        STP,                    # 800C  stp
    ])
    mem, cpu = load(code)
    if use_run:
        assert cpu.run().reason == "stp"
    else:
        while not cpu.stopped:
            cpu.step()
    assert bytes(mem.mem[0x20:0x25]) == bytes([0x14, 0x13, 0x12, 0x11, 0x10])
    assert mem.mem[0x8003] == 0x15
    assert cpu.a & 0xFF == 0x14
    assert cpu.x == 0xFF


@pytest.mark.parametrize("use_run", [False, True], ids=["step", "run"])
def test_store_into_the_next_instruction(use_run):
    code = bytes([
        0xEE, 0x04, 0x80,       # 8000  inc $8004     (the operand of the next instruction)
        0xA9, 0x10,             # 8003  lda #$10  -> executes as lda #$11
        STP,                    # 8005  stp
    ])
    mem, cpu = load(code)
    if use_run:
        assert cpu.run().reason == "stp"
    else:
        while not cpu.stopped:
            cpu.step()
    assert mem.mem[0x8004] == 0x11
    assert cpu.a & 0xFF == 0x11


@pytest.mark.parametrize("use_run", [False, True], ids=["step", "run"])
def test_store_turns_a_later_nop_into_inx(use_run):
    code = bytes([
        0xA9, 0xE8,             # 8000  lda #$E8      (opcode of INX)
        0x8D, 0x06, 0x80,       # 8002  sta $8006
        0xEA,                   # 8005  nop
        0xEA,                   # 8006  nop -> inx
        STP,                    # 8007
    ])
    mem, cpu = load(code)
    if use_run:
        cpu.run()
    else:
        while not cpu.stopped:
            cpu.step()
    assert cpu.x == 1
    assert cpu.cycles == 2 + 4 + 2 + 2 + 3


# ------------------------------------------------------------------ run() == step()


class ProgramGenerator:
    """Random well-formed programs: every path ends at the final STP.

    The generator tracks E, M and X so immediates have the right length. Stores go
    only to $0000-$03FF (D and DBR stay 0); pushes are followed by pulls of the
    same size; REP/SEP never sit inside a loop or a skipped region.
    """

    def __init__(self, rng: random.Random, e: int, m: int, x: int):
        self.rng = rng
        self.e, self.m, self.x = e, m, x

    def imm(self, wide: bool) -> bytes:
        return bytes(self.rng.randrange(256) for _ in range(2 if wide else 1))

    def imm_m(self) -> bytes:
        return self.imm(not self.m)

    def imm_x(self) -> bytes:
        return self.imm(not self.x)

    def dp(self) -> int:
        return self.rng.randrange(256)

    def win(self) -> bytes:
        """An absolute address in $0200-$02FF."""
        return bytes([self.rng.randrange(256), 0x02])

    def simple(self, keep_x: bool) -> bytes:
        """One width-neutral instruction (or push/pull pair); X untouched if keep_x."""
        r = self.rng
        choices = [
            lambda: bytes([0xA9]) + self.imm_m(),                           # lda #
            lambda: bytes([0xA0]) + self.imm_x(),                           # ldy #
            lambda: bytes([r.choice([0x69, 0xE9, 0x29, 0x09, 0x49, 0xC9, 0x89])]) + self.imm_m(),
            lambda: bytes([r.choice([0xE0, 0xC0])]) + self.imm_x(),        # cpx # / cpy #
            lambda: bytes([r.choice([0xA5, 0x65, 0xE5, 0x25, 0x05, 0x45, 0xC5, 0x24]), self.dp()]),
            lambda: bytes([r.choice([0xAD, 0x6D, 0xED, 0xCD, 0x2C])]) + self.win(),
            lambda: bytes([r.choice([0xB5, 0x75, 0xB2, 0xB1, 0xA7, 0xB7, 0xA1]), self.dp()]),
            lambda: bytes([r.choice([0xBD, 0xB9, 0x79, 0xDD])]) + self.imm(True),  # abs,X/Y reads
            lambda: bytes([0xAF]) + self.imm(True) + bytes([r.randrange(4)]),     # lda long
            lambda: bytes([0xA3, r.randrange(1, 4)]),                       # lda sr
            lambda: bytes([r.choice([0x85, 0x64, 0x84]), self.dp()]),      # sta/stz/sty dp
            lambda: bytes([r.choice([0x8D, 0x9C, 0x8C])]) + self.win(),   # sta/stz/sty abs
            lambda: bytes([0x8F]) + self.win() + b"\x00",                  # sta long
            lambda: bytes([r.choice([0x0A, 0x4A, 0x2A, 0x6A, 0x1A, 0x3A])]),  # shifts, inc/dec A
            lambda: bytes([r.choice([0x06, 0x46, 0x26, 0x66, 0xE6, 0xC6, 0x04, 0x14]), self.dp()]),
            lambda: bytes([r.choice([0x0E, 0x4E, 0x2E, 0x6E, 0xEE, 0xCE, 0x0C, 0x1C])]) + self.win(),
            lambda: bytes([r.choice([0xA8, 0x98, 0x8A, 0x3B, 0x7B, 0xEB, 0x9B])]),  # tay tya txa tsc tdc xba txy
            lambda: bytes([r.choice([0xC8, 0x88])]),                        # iny / dey
            lambda: bytes([r.choice([0x18, 0x38, 0xB8, 0xF8, 0xD8, 0x58, 0x78, 0xEA])]),
            lambda: bytes([0x42, r.randrange(256)]),                        # wdm
            lambda: bytes([0x48, 0x68]),                                    # pha / pla
            lambda: bytes([0x5A, 0x7A]),                                    # phy / ply
            lambda: bytes([0xDA, 0x7A]),                                    # phx / ply
            lambda: bytes([0x08, 0x28]),                                    # php / plp
            lambda: bytes([0x8B, 0xAB]),                                    # phb / plb
            lambda: bytes([0x0B, 0x2B]),                                    # phd / pld
            lambda: bytes([0x4B, 0xAB]),                                    # phk / plb (PBR=0)
        ]
        if not self.m:
            choices.append(lambda: bytes([0xF4]) + self.imm(True) + bytes([0x68]))  # pea / pla
            choices.append(lambda: bytes([0xD4, self.dp(), 0x68]))                  # pei / pla
        if not self.x:
            choices.append(lambda: bytes([0x62]) + self.imm(True) + bytes([0x7A]))  # per / ply
        if self.x:
            # indexed stores stay below $0400 with an 8-bit X (emulation: dp,X wraps in page 0)
            choices.append(lambda: bytes([r.choice([0x95, 0x74, 0xF6, 0x16]), self.dp()]))
            choices.append(lambda: bytes([r.choice([0x9D, 0x1E, 0xFE])]) + self.win())
        if not keep_x:
            choices.append(lambda: bytes([0xA2]) + self.imm_x())                        # ldx #
            choices.append(lambda: bytes([r.choice([0xAA, 0xBB, 0xBA, 0xE8, 0xCA])]))  # tax tyx tsx inx dex
            choices.append(lambda: bytes([0xA6, self.dp()]))                           # ldx dp
            choices.append(lambda: bytes([0x5A, 0xFA]))                                # phy / plx
        return r.choice(choices)()

    def skippable(self, keep_x: bool) -> bytes:
        return b"".join(self.simple(keep_x) for _ in range(self.rng.randint(1, 3)))

    def forward_branch(self, keep_x: bool) -> bytes:
        body = self.skippable(keep_x)
        op = self.rng.choice([0x10, 0x30, 0x50, 0x70, 0x90, 0xB0, 0xD0, 0xF0, 0x80])
        return bytes([op, len(body)]) + body

    def width_change(self) -> bytes:
        r = self.rng
        op = r.choice([0xC2, 0xE2])
        bits = r.randrange(256) & ~0x04 if r.random() < 0.5 else r.choice([0x10, 0x20, 0x30, 0x01])
        if not self.e:
            if op == 0xC2:
                self.m = 0 if bits & 0x20 else self.m
                self.x = 0 if bits & 0x10 else self.x
            else:
                self.m = 1 if bits & 0x20 else self.m
                self.x = 1 if bits & 0x10 else self.x
        return bytes([op, bits])

    def loop(self) -> bytes:
        head = bytes([0xA2]) + (bytes([self.rng.randint(1, 4)]) if self.x
                                else bytes([self.rng.randint(1, 4), 0]))  # ldx #n
        body = b""
        for _ in range(self.rng.randint(1, 5)):
            body += (self.forward_branch(True) if self.rng.random() < 0.2
                     else self.simple(True))
        body += bytes([0xCA])                                              # dex
        back = -(len(body) + 2)
        assert back >= -128
        return head + body + bytes([0xD0, back & 0xFF])                    # bne body

    def program(self, n: int) -> bytes:
        out = b""
        for _ in range(n):
            k = self.rng.random()
            if k < 0.12:
                out += self.width_change()
            elif k < 0.24:
                out += self.forward_branch(False)
            elif k < 0.32:
                out += self.loop()
            else:
                out += self.simple(False)
        return out + bytes([STP])


def random_case(seed: int):
    rng = random.Random(seed)
    e = rng.random() < 0.3
    p = rng.randrange(256)
    if e:
        p |= 0x30
    m, x = (1, 1) if e else ((p >> 5) & 1, (p >> 4) & 1)
    gen = ProgramGenerator(rng, int(e), m, x)
    code = gen.program(rng.randint(10, 40))
    org = 0x8000 + rng.randrange(0x100)            # branches may cross a page
    regs = {"e": int(e), "p": p, "a": rng.randrange(0x10000), "x": rng.randrange(0x10000),
            "y": rng.randrange(0x10000), "s": 0x01FF, "d": 0, "dbr": 0}
    ram = bytes(rng.randrange(256) for _ in range(0x400))
    return code, org, regs, ram


_MEMORIES: list[FlatMemory] = []


def fresh(code: bytes, org: int, regs: dict, ram: bytes, slot: int = 0) -> tuple[FlatMemory, CPU]:
    """A CPU on a reused 16 MiB memory holding only ``ram`` and ``code`` (no leftovers)."""
    while len(_MEMORIES) <= slot:
        _MEMORIES.append(FlatMemory())
    mem = _MEMORIES[slot]
    mem.mem[0x8000:0x8400] = bytes(0x400)        # where earlier programs were
    mem.load(0, ram)
    mem.load(org, code)
    cpu = CPU(mem)
    cpu.set_registers(pc=org, **regs)
    return mem, cpu


def snapshot(mem: FlatMemory, cpu: CPU, code_at: int, code_len: int):
    return (cpu.state(), cpu.cycles, cpu.steps, bytes(mem.mem[0:0x400]),
            bytes(mem.mem[code_at:code_at + code_len]))


@pytest.mark.parametrize("chunk", range(4))
def test_run_matches_step_on_random_programs(chunk):
    for seed in range(chunk * 50, chunk * 50 + 50):
        code, org, regs, ram = random_case(seed)
        mem_s, cpu_s = fresh(code, org, regs, ram)
        n = 0
        while not cpu_s.stopped:
            cpu_s.step()
            n += 1
            assert n < 20_000, f"seed {seed}: program does not stop"
        assert cpu_s.pc == ((org + len(code)) & 0xFFFF), f"seed {seed}: did not end at STP"
        want = snapshot(mem_s, cpu_s, org, len(code))

        mem_r, cpu_r = fresh(code, org, regs, ram, 1)
        res = cpu_r.run()
        assert res.reason == "stp"
        assert res.steps == n and res.cycles == cpu_s.cycles
        assert snapshot(mem_r, cpu_r, org, len(code)) == want, f"seed {seed}: {code.hex()}"

        # stopping part-way (the limit falls inside compiled blocks) and going on
        k = random.Random(seed).randint(1, n)
        mem_k, cpu_k = fresh(code, org, regs, ram, 2)
        res = cpu_k.run(max_steps=k)
        assert res.steps == k
        assert res.reason == ("stp" if k == n else "max_steps")
        mem_k2, cpu_k2 = fresh(code, org, regs, ram, 3)
        for _ in range(k):
            cpu_k2.step()
        assert snapshot(mem_k, cpu_k, org, len(code)) == snapshot(mem_k2, cpu_k2, org, len(code))
        cpu_k.run()
        assert snapshot(mem_k, cpu_k, org, len(code)) == want, f"seed {seed} (resumed)"


@pytest.mark.parametrize("use_run", [False, True], ids=["step", "run"])
def test_store_through_a_wram_mirror_into_the_next_instruction(use_run):
    # code in low WRAM seen at $00:0300; the store goes through the $7E:0300 mirror
    from triforce.cpu.snesbus import SnesBus

    bus = SnesBus(bytes(0x8000), "lorom")
    bus.load(0x000300, bytes([
        0xA9, 0x42,             # 0300  lda #$42
        0x8F, 0x07, 0x03, 0x7E, # 0302  sta $7E0307  (= $00:0307, the operand below)
        0xA9, 0x00,             # 0306  lda #$00 -> runs as lda #$42
        STP,                    # 0308  stp
    ]))
    cpu = CPU(bus)
    cpu.set_registers(pc=0x0300)
    if use_run:
        assert cpu.run().reason == "stp"
    else:
        while not cpu.stopped:
            cpu.step()
    assert bus.peek(0x000307) == 0x42
    assert cpu.a & 0xFF == 0x42
    assert cpu.p & 0x02 == 0                        # Z clear: the value loaded was $42
