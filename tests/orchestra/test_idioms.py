"""The idiom library: every routine assembles, most run on the emulator, match() picks them."""

from __future__ import annotations

import time

import pytest

from triforce.analysis.execute import machine_from_source
from triforce.asm import assemble
from triforce.errors import UserError
from triforce.orchestra import idioms
from triforce.orchestra.idioms import Idiom, IdiomMatcher, load_idioms, match, tokens

PRELUDE = "lorom\norg $008000\n"
IDIOMS = load_idioms()
BY_ID = {i.id: i for i in IDIOMS}

# flag bits of P
C, Z, D, X8, M8, V, N = 0x01, 0x02, 0x08, 0x10, 0x20, 0x40, 0x80


# -- the library itself ---------------------------------------------------------------------


def test_library_size_and_coverage():
    assert 20 <= len(IDIOMS) <= 30
    assert len(BY_ID) == len(IDIOMS)
    for needed in ("wait_vblank", "wait_nmi_flag", "forced_blank", "dma_vram", "dma_cgram",
                   "dma_oam", "dma_clear_wram", "clear_loop", "mvn_copy", "joypad_read",
                   "hw_multiply", "hw_divide", "add_sub_16", "compare16_unsigned",
                   "compare16_signed", "abs16", "negate", "bit_flags", "jump_table", "pointer24",
                   "preserve_state", "nmi_safe_counter", "hdma_gradient", "jsl_hook",
                   "memset_word", "rng_lcg", "bcd_add"):
        assert needed in BY_ID
    for i in IDIOMS:
        assert i.title and i.description and i.keywords and i.entry, i.id
        assert str(i.assumptions).startswith("entry: "), i.id
        assert i.code.lstrip().startswith(";"), f"{i.id}: the code starts with a comment"
        assert "```" in i.to_markdown() and i.to_dict()["id"] == i.id


@pytest.mark.parametrize("idiom", IDIOMS, ids=lambda i: i.id)
def test_idiom_assembles_cleanly(idiom: Idiom):
    res = assemble(PRELUDE + idiom.code, extra_warnings=True)
    assert res.ok, [str(d) for d in res.errors]
    assert res.warnings == [], [str(d) for d in res.warnings]
    assert res.listing and res.listing[0].address == 0x008000
    assert res.symbols[idiom.entry] == 0x008000  # the entry label is the first byte


def test_idioms_paste_together_into_one_patch():
    """Labels are unique across the library, and shared defines agree."""
    res = assemble(PRELUDE + "\n".join(i.code for i in IDIOMS), extra_warnings=True)
    assert res.ok, [str(d) for d in res.errors]
    assert res.warnings == []


def test_bare_snippet_assembles_without_prelude():
    """As the orchestrator checks them: no lorom/org in front (only a missing-org warning)."""
    for i in IDIOMS:
        res = assemble(i.code)
        assert res.ok, (i.id, [str(d) for d in res.errors])
        assert {d.id for d in res.warnings} <= {"Wmissing_org"}, i.id


# -- emulator helpers -----------------------------------------------------------------------

_DMA_PATTERNS = {0: (0,), 1: (0, 1), 2: (0, 0), 3: (0, 0, 1, 1), 4: (0, 1, 2, 3),
                 5: (0, 1, 0, 1), 6: (0, 0), 7: (0, 0, 1, 1)}


class Ppu:
    """What the SNES bus does not model, for these tests: general-purpose DMA (A-bus to
    B-bus, started by a write to MDMAEN) and the VRAM, CGRAM and OAM data ports.
    Everything goes through the real bus, so $2180 DMAs land in emulated WRAM."""

    def __init__(self, bus) -> None:
        self.bus = bus
        self.vram = bytearray(0x10000)
        self.cgram = bytearray(0x200)
        self.oam = bytearray(0x220)
        self.vaddr = self.vmain = self.cgaddr = self.oamaddr = 0
        self.transfers: list[tuple[int, int, int, int, int]] = []
        hooks = {0x2115: self._vmain, 0x2116: self._vaddr_lo, 0x2117: self._vaddr_hi,
                 0x2118: self._vdata_lo, 0x2119: self._vdata_hi, 0x2121: self._cgadd,
                 0x2122: self._cgdata, 0x2102: self._oamadd_lo, 0x2103: self._oamadd_hi,
                 0x2104: self._oamdata, 0x420B: self._mdmaen}
        for reg, fn in hooks.items():
            bus.on_write(reg, fn)

    def _vmain(self, _a, v):
        self.vmain = v

    def _vaddr_lo(self, _a, v):
        self.vaddr = (self.vaddr & 0xFF00) | v

    def _vaddr_hi(self, _a, v):
        self.vaddr = (self.vaddr & 0x00FF) | (v << 8)

    def _step_vram(self):
        self.vaddr = (self.vaddr + (1, 32, 128, 128)[self.vmain & 3]) & 0xFFFF

    def _vdata_lo(self, _a, v):
        self.vram[(self.vaddr * 2) & 0xFFFF] = v
        if not self.vmain & 0x80:
            self._step_vram()

    def _vdata_hi(self, _a, v):
        self.vram[(self.vaddr * 2 + 1) & 0xFFFF] = v
        if self.vmain & 0x80:
            self._step_vram()

    def _cgadd(self, _a, v):
        self.cgaddr = v * 2

    def _cgdata(self, _a, v):
        self.cgram[self.cgaddr & 0x1FF] = v
        self.cgaddr += 1

    def _oamadd_lo(self, _a, v):
        self.oamaddr = (self.oamaddr & 0x200) | (v * 2)

    def _oamadd_hi(self, _a, v):
        self.oamaddr = (self.oamaddr & 0x1FE) | ((v & 1) << 9)

    def _oamdata(self, _a, v):
        self.oam[self.oamaddr % 0x220] = v
        self.oamaddr = (self.oamaddr + 1) % 0x220

    def _mdmaen(self, _a, v):
        regs = self.bus.dma
        for ch in range(8):
            if not v & (1 << ch):
                continue
            r = regs[ch * 16: ch * 16 + 16]
            mode, bbad, addr, bank = r[0], r[1], r[2] | (r[3] << 8), r[4]
            count = (r[5] | (r[6] << 8)) or 0x10000
            assert not mode & 0x80, "B-bus to A-bus DMA is not modelled here"
            pattern = _DMA_PATTERNS[mode & 7]
            step = 0 if mode & 0x08 else (-1 if mode & 0x10 else 1)
            self.transfers.append((ch, mode, bbad, (bank << 16) | addr, count))
            for n in range(count):
                value = self.bus.read((bank << 16) | addr)
                self.bus.write(0x2100 | ((bbad + pattern[n % len(pattern)]) & 0xFF), value)
                addr = (addr + step) & 0xFFFF


def load(idiom_id: str, extra: str = ""):
    """The idiom assembled at $008000 on an emulated SNES, and its symbols."""
    source = PRELUDE + BY_ID[idiom_id].code + extra
    res = assemble(source)
    assert res.ok, [str(d) for d in res.errors]
    return machine_from_source(source), res.symbols


def call(machine, addr: int, *, p: int = M8 | X8, a: int = 0, x: int = 0, y: int = 0,
         dbr: int = 0, d: int = 0, max_steps: int = 300_000):
    """Run the routine at ``addr`` in native mode until it returns (RTS/RTL)."""
    cpu = machine.cpu
    cpu.set_registers(e=0, p=p | 0x04, a=a, x=x, y=y, dbr=dbr, d=d, s=0x1FF)
    machine.start_at(addr)
    result = cpu.run(max_steps=max_steps, stop_on_return=True)
    assert result.reason == "return", result
    return cpu


def reg_writes(bus) -> list[tuple[int, int]]:
    return [(a & 0xFFFF, v) for kind, a, v in bus.log if kind == "w"]


def word(machine, addr: int) -> int:
    lo, hi = machine.read_bytes(addr, 2)
    return lo | (hi << 8)


# -- behaviour on the emulator --------------------------------------------------------------


def test_wait_vblank_waits_for_a_fresh_vblank():
    m, sym = load("wait_vblank")
    answers = iter([0x80, 0x80, 0x00, 0x00, 0x00, 0x80, 0x80])  # in, in, out, out, out, in
    m.bus.on_read(0x4212, lambda _a: next(answers))
    cpu = call(m, sym["WaitForVBlank"], p=0x00, a=0x1234)  # M=16 on entry: still reads 1 byte
    reads = [a & 0xFFFF for kind, a, _v in m.bus.log if kind == "r"]
    assert reads == [0x4212] * 6  # left the old v-blank, then stopped at the first new line
    assert cpu.a == 0x1234 and cpu.p & (M8 | X8) == 0


def test_wait_nmi_flag_discards_a_stale_flag():
    m, sym = load("wait_nmi_flag")
    answers = iter([0x82, 0x02, 0x02, 0x82])  # stale flag, clear, clear, new v-blank
    m.bus.on_read(0x4210, lambda _a: next(answers))
    call(m, sym["WaitForNMIFlag"], p=M8 | X8)
    assert [a & 0xFFFF for k, a, _v in m.bus.log if k == "r"] == [0x4210] * 4


def test_forced_blank_writes_inidisp_and_keeps_registers():
    m, sym = load("forced_blank")
    cpu = call(m, sym["ScreenOff"], p=0x00, a=0xBEEF)
    assert m.bus.regs[0x2100] == 0x80 and cpu.a == 0xBEEF and cpu.p & M8 == 0
    cpu = call(m, sym["ScreenOn"], p=M8, a=0x42)
    assert m.bus.regs[0x2100] == 0x0F and cpu.a & 0xFF == 0x42 and cpu.p & M8


def test_dma_vram_transfers_the_block_to_the_word_address():
    m, sym = load("dma_vram")
    ppu = Ppu(m.bus)
    data = bytes((i * 7 + 3) & 0xFF for i in range(0x100))
    m.poke(0x7F1000, data)
    m.poke(0x000000, bytes([0x00, 0x10, 0x7F, 0x00, 0x01, 0x00, 0x30]))  # src, size, VRAM $3000
    call(m, sym["DMA_ToVRAM"], p=M8 | X8)
    assert ppu.transfers == [(0, 0x01, 0x18, 0x7F1000, 0x100)]
    assert m.bus.regs[0x2115] == 0x80
    assert ppu.vram[0x6000:0x6100] == data  # word address $3000 = byte $6000
    assert not any(ppu.vram[:0x6000]) and not any(ppu.vram[0x6100:])


def test_dma_cgram_uploads_the_colors_at_the_index():
    m, sym = load("dma_cgram")
    ppu = Ppu(m.bus)
    colors = bytes([0x1F, 0x00, 0xE0, 0x03, 0x00, 0x7C, 0xFF, 0x7F])  # red, green, blue, white
    m.poke(0x7E3000, colors)
    m.poke(0x000000, bytes([0x00, 0x30, 0x7E, len(colors), 0x00, 0x21]))
    call(m, sym["DMA_PaletteToCGRAM"], p=0x00)
    assert ppu.transfers == [(0, 0x00, 0x22, 0x7E3000, 8)]
    assert ppu.cgram[0x42:0x4A] == colors and not any(ppu.cgram[:0x42])


def test_dma_oam_uploads_the_whole_buffer():
    m, sym = load("dma_oam")
    ppu = Ppu(m.bus)
    buf = bytes((i * 13 + 1) & 0xFF for i in range(0x220))
    m.poke(0x7E0800, buf)
    ppu.oamaddr = 0x40  # whatever the address was: the routine resets it
    call(m, sym["DMA_OAMUpload"], p=M8 | X8)
    assert ppu.transfers == [(0, 0x00, 0x04, 0x7E0800, 0x220)]
    assert bytes(ppu.oam) == buf


def test_dma_clear_wram_zeroes_exactly_the_range():
    m, sym = load("dma_clear_wram")
    Ppu(m.bus)
    m.poke(0x7E1F00, b"\xAA" * 0x2200)
    cpu = call(m, sym["DMA_ClearWRAM"], p=X8)
    assert m.read_bytes(0x7E2000, 0x2000) == bytes(0x2000)
    assert m.read_bytes(0x7E1FFF, 1) == b"\xAA" and m.read_bytes(0x7E4000, 1) == b"\xAA"
    assert m.bus.regs[0x4300] == 0x08 and m.bus.regs[0x4301] == 0x80  # fixed source -> WMDATA
    assert cpu.p & (M8 | X8) == X8  # widths restored


def test_clear_loop_zeroes_exactly_the_range_and_restores_db():
    m, sym = load("clear_loop")
    m.poke(0x7E1F00, b"\x5A" * 0x2200)
    cpu = call(m, sym["ClearRangeLoop"], p=M8 | X8, dbr=0x81)
    assert m.read_bytes(0x7E2000, 0x2000) == bytes(0x2000)
    assert m.read_bytes(0x7E1FFF, 1) == b"\x5A" and m.read_bytes(0x7E4000, 1) == b"\x5A"
    assert cpu.dbr == 0x81 and cpu.p & (M8 | X8) == M8 | X8 and cpu.s == 0x1FF + 2


def test_memset_word_fills_only_the_count():
    m, sym = load("memset_word")
    m.poke(0x7E2FFE, b"\x11" * 0x14)
    cpu = call(m, sym["MemsetWord"], p=0x00, a=0x207F, x=0x3000, y=0x10, dbr=0x7E)
    assert m.read_bytes(0x7E3000, 0x10) == bytes([0x7F, 0x20]) * 8
    assert m.read_bytes(0x7E2FFE, 2) == b"\x11\x11" and m.read_bytes(0x7E3010, 2) == b"\x11\x11"
    assert (cpu.a, cpu.x, cpu.y) == (0x207F, 0x3010, 0)


def test_mvn_copy_moves_the_bytes_and_restores_db():
    m, sym = load("mvn_copy")
    data = bytes((i * 31 + 5) & 0xFF for i in range(0x100))
    m.poke(0x7F8000, data)
    m.poke(0x7E2100, b"\xEE")
    cpu = call(m, sym["CopyBlock"], p=M8 | X8, dbr=0x80)
    assert m.read_bytes(0x7E2000, 0x100) == data
    assert m.read_bytes(0x7E2100, 1) == b"\xEE"
    assert cpu.dbr == 0x80 and cpu.p & (M8 | X8) == M8 | X8


def test_joypad_read_waits_for_auto_read_and_finds_new_presses():
    m, sym = load("joypad_read")
    busy = iter([0x01, 0x81, 0x00])
    m.bus.on_read(0x4212, lambda _a: next(busy))
    current = 0x8840  # B + Up + X
    m.bus.on_read(0x4218, lambda _a: current & 0xFF)
    m.bus.on_read(0x4219, lambda _a: current >> 8)
    m.poke(0x7E1F00, (0x8080).to_bytes(2, "little"))  # last frame: B + A
    call(m, sym["ReadJoypad1"], p=M8 | X8)
    assert word(m, 0x7E1F00) == 0x8840
    assert word(m, 0x7E1F02) == 0x0840  # Up and X went down; B was already held
    assert sum(1 for k, a, _v in m.bus.log if k == "r" and a & 0xFFFF == 0x4212) == 3


def _gap(m, addr, start_reg, result_reg, **regs) -> int:
    """Whole CPU cycles between the write that starts the math unit and the result read."""
    cpu = m.cpu
    cpu.set_registers(e=0, s=0x1FF, **regs)
    m.start_at(addr)
    r1 = cpu.run(max_steps=100, watch_writes=[start_reg])
    c1 = cpu.cycles
    r2 = cpu.run(max_steps=100, watch_reads=[result_reg])
    assert (r1.reason, r2.reason) == ("watch", "watch")
    return cpu.cycles - c1 - 2  # the 16-bit LDA reads its low byte one cycle before its end


@pytest.mark.parametrize(("a", "b"), [(200, 250), (0, 77), (255, 255), (13, 1)])
def test_hw_multiply_product(a, b):
    m, sym = load("hw_multiply")
    cpu = call(m, sym["Multiply8x8"], p=M8 | X8, a=0x4400 | a, y=b)
    assert cpu.a == a * b and cpu.p & M8 == 0
    assert (m.bus.regs[0x4202], m.bus.regs[0x4203]) == (a, b)


def test_hw_multiply_waits_eight_cycles():
    m, sym = load("hw_multiply")
    assert _gap(m, sym["Multiply8x8"], 0x004203, 0x004216, p=M8 | X8 | 4, a=3, y=4) >= 8


@pytest.mark.parametrize(("n", "dv", "q", "r"), [(50000, 7, 7142, 6), (1234, 10, 123, 4),
                                                  (255, 255, 1, 0), (1000, 0, 0xFFFF, 1000)])
def test_hw_divide_quotient_and_remainder(n, dv, q, r):
    m, sym = load("hw_divide")
    cpu = call(m, sym["Divide16by8"], p=0x00, a=n, y=dv)
    assert (cpu.a, cpu.y) == (q, r)


def test_hw_divide_waits_sixteen_cycles():
    m, sym = load("hw_divide")
    assert _gap(m, sym["Divide16by8"], 0x004206, 0x004214, p=4, a=100, y=3) >= 16


@pytest.mark.parametrize(("a", "b"), [(0x12FF, 0x0001), (0xFFFF, 0x0002), (0x8000, 0x8000),
                                      (0x1234, 0x4321), (0, 0)])
def test_add_sub_16_with_carry(a, b):
    m, sym = load("add_sub_16")
    m.poke(0, a.to_bytes(2, "little") + b.to_bytes(2, "little"))
    cpu = call(m, sym["Add16"])
    assert word(m, 4) == (a + b) & 0xFFFF and bool(cpu.p & C) == (a + b > 0xFFFF)
    cpu = call(m, sym["Sub16"])
    assert word(m, 4) == (a - b) & 0xFFFF and bool(cpu.p & C) == (a >= b)


def test_add_byte_to_16_carries_into_the_high_byte():
    m, sym = load("add_sub_16")
    m.poke(6, (0x01F0).to_bytes(2, "little"))
    call(m, sym["AddByteTo16"], a=0x20)
    assert word(m, 6) == 0x0210
    call(m, sym["AddByteTo16"], a=0x05)
    assert word(m, 6) == 0x0215


PAIRS = [(0, 0), (1, 0), (0, 1), (0x1234, 0x1234), (0x12FF, 0x1300), (0x1300, 0x12FF),
         (0xFFFF, 0x0001), (0x8000, 0x7FFF), (0x7FFF, 0x8000), (0x00FF, 0x0100), (0x4000, 0xC000)]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_compare16_unsigned_flags_and_clamp(a, b):
    m, sym = load("compare16_unsigned")
    m.poke(0, a.to_bytes(2, "little") + b.to_bytes(2, "little"))
    for routine, p in (("Compare16U", 0), ("Compare16U_8bit", M8 | X8)):
        cpu = call(m, sym[routine], p=p, a=a)
        assert bool(cpu.p & C) == (a >= b), routine
        assert bool(cpu.p & Z) == (a == b), routine
    cpu = call(m, sym["ClampToMax"], p=0, a=a)
    assert cpu.a == min(a, b)


def _signed(v: int) -> int:
    return v - 0x10000 if v & 0x8000 else v


@pytest.mark.parametrize(("a", "b"), [*PAIRS, (0x0000, 0x8000), (0x8000, 0x0000),
                                      (0xFFFF, 0x0000), (0x7FFF, 0xFFFF), (0x8000, 0x8001)])
def test_compare16_signed_sets_n_when_less(a, b):
    m, sym = load("compare16_signed")
    m.poke(2, b.to_bytes(2, "little"))
    cpu = call(m, sym["CompareSigned16"], p=0, a=a)
    assert bool(cpu.p & N) == (_signed(a) < _signed(b))


@pytest.mark.parametrize(("v", "want"), [(0, 0), (5, 5), (0xFFFB, 5), (0x7FFF, 0x7FFF),
                                         (0x8001, 0x7FFF), (0x8000, 0x8000), (0xFFFF, 1)])
def test_abs16(v, want):
    m, sym = load("abs16")
    assert call(m, sym["Abs16"], p=0, a=v).a == want


@pytest.mark.parametrize("v", [0, 1, 0x1234, 0x8000, 0xFFFF])
def test_negate(v):
    m, sym = load("negate")
    assert call(m, sym["Negate16"], p=0, a=v).a == (-v) & 0xFFFF
    assert call(m, sym["Negate8"], p=M8, a=0xAB00 | (v & 0xFF)).a == 0xAB00 | ((-v) & 0xFF)
    m.poke(0, v.to_bytes(2, "little"))
    call(m, sym["NegateMem16"], p=0)
    assert word(m, 0) == (-v) & 0xFFFF


def test_bit_flags_set_test_clear_leave_other_bits():
    m, sym = load("bit_flags")
    m.poke(0x7E1F04, b"\x81")
    assert call(m, sym["TestFlag"], dbr=0x7E).p & Z
    cpu = call(m, sym["TestFlag7"], dbr=0x00)  # $1F04 through the low-WRAM mirror
    assert cpu.p & N and not cpu.p & V
    call(m, sym["SetFlag"], dbr=0x7E)
    assert m.read_bytes(0x7E1F04, 1) == b"\x85"
    assert not call(m, sym["TestFlag"], dbr=0x7E).p & Z
    call(m, sym["ClearFlag"], dbr=0x00)
    assert m.read_bytes(0x7E1F04, 1) == b"\x81"


def test_jump_table_runs_the_right_handler_and_rejects_bad_states():
    m, sym = load("jump_table")
    for state in range(4):
        m.poke(0x7E1F06, b"\xEE")
        call(m, sym["RunState"], a=state)
        assert m.read_bytes(0x7E1F06, 1) == bytes([0x10 + state])
    for bad in (4, 0x80, 0xFF):
        m.poke(0x7E1F06, b"\xEE")
        call(m, sym["RunState"], a=bad)
        assert m.read_bytes(0x7E1F06, 1) == b"\xEE"


@pytest.mark.parametrize(("entry", "offset", "want"), [(0, 0, 0x10), (0, 3, 0x13), (1, 2, 0x22),
                                                       (2, 1, 0x99)])
def test_pointer24_reads_through_the_long_pointer(entry, offset, want):
    m, sym = load("pointer24")
    m.poke(0x7F8000, b"\x98\x99\x9A")
    cpu = call(m, sym["ReadThroughPointer"], p=M8, a=0xFF00 | entry, y=offset, dbr=0x12)
    assert cpu.a & 0xFF == want
    ptr = int.from_bytes(m.read_bytes(0, 3), "little")
    assert ptr == (0x7F8000 if entry == 2 else sym[f"ReadThroughPointer_data{entry}"])


@pytest.mark.parametrize("p", [0x00, M8 | X8 | C | N, M8 | V | Z, X8])
def test_preserve_state_restores_everything(p):
    m, sym = load("preserve_state")
    regs = dict(a=0x1234, x=0x5678, y=0x9ABC)
    cpu = call(m, sym["PreservingRoutine"], p=p, dbr=0x12, d=0x0300, **regs)
    want_x = regs["x"] & (0xFF if p & X8 else 0xFFFF)
    want_y = regs["y"] & (0xFF if p & X8 else 0xFFFF)
    assert (cpu.a, cpu.x, cpu.y) == (0x1234, want_x, want_y)
    assert (cpu.p, cpu.dbr, cpu.d) == (p | 0x04, 0x12, 0x0300)
    assert m.read_bytes(0x000000, 1) == b"\x01"  # the body ran with D = $0000


@pytest.mark.parametrize(("state", "equal"), [(0x09, True), (0x05, False)])
def test_jsl_hook_runs_new_code_then_the_replaced_instructions(state, equal):
    m, sym = load("jsl_hook")
    m.poke(0x7E0DD2, bytes([state]))
    m.poke(0x7E1F08, b"\x04")
    cpu = call(m, sym["MyHook"], p=M8, a=0x1100, x=2, y=0x4444, dbr=0x7E, d=0x0200)
    assert cpu.a == 0x1100 | state  # the replaced LDA loads A (B is kept in 8-bit mode)
    assert bool(cpu.p & Z) == equal and bool(cpu.p & C) == (state >= 9)
    assert (cpu.x, cpu.y, cpu.dbr, cpu.d) == (2, 0x4444, 0x7E, 0x0200)
    assert cpu.p & (M8 | X8) == M8
    assert m.read_bytes(0x7E1F08, 1) == b"\x05"


def test_nmi_counter_wait_for_frame_returns_after_one_nmi():
    m, sym = load("nmi_safe_counter")
    handler = sym["NMI_Handler"]
    m.poke(0x00FFEA, handler.to_bytes(2, "little"))  # native NMI vector
    m.poke(0x7E1F0A, (0x00FF).to_bytes(2, "little"))
    cpu = m.cpu
    cpu.set_registers(e=0, p=M8 | X8 | 0x04, a=0x33, s=0x1FF)
    m.start_at(sym["WaitForFrame"])
    assert cpu.run(max_steps=200).reason == "max_steps"  # spinning: no NMI yet
    cpu.nmi()
    result = cpu.run(max_steps=1000, stop_on_return=True)
    assert result.reason == "return"
    assert word(m, 0x7E1F0A) == 0x0100
    assert cpu.p & (M8 | X8) == M8 | X8 and cpu.a & 0xFF == 0x33
    assert ("r", 0x004210) in [(k, a) for k, a, _v in m.bus.log]


def test_nmi_safe_increment_is_one_16_bit_inc():
    m, sym = load("nmi_safe_counter")
    m.poke(0x7E1F0C, (0x00FF).to_bytes(2, "little"))
    cpu = m.cpu
    cpu.set_registers(e=0, p=M8 | X8 | 0x04, a=0x12, s=0x1FF)
    m.start_at(sym["IncEventCount"])
    hit = cpu.run(max_steps=100, watch_writes=[0x001F0C, 0x001F0D])
    # both bytes are written by the same instruction: an NMI cannot fall in between
    assert hit.reason == "watch" and sorted(a for _k, a, _v in hit.watch_hits) == [0x1F0C, 0x1F0D]
    assert cpu.run(max_steps=100, stop_on_return=True).reason == "return"
    assert word(m, 0x7E1F0C) == 0x0100 and cpu.p & M8 and cpu.a == 0x12


def test_hdma_gradient_registers_and_table():
    m, sym = load("hdma_gradient")
    call(m, sym["SetupGradientHDMA"], p=0x00)
    regs = m.bus.regs
    assert (regs[0x4370], regs[0x4371], regs[0x420C]) == (0x03, 0x21, 0x80)
    table = regs[0x4372] | (regs[0x4373] << 8) | (regs[0x4374] << 16)
    assert table == sym["GradientTable"]
    lines, colors, at = 0, [], table
    while True:
        (count,) = m.read_bytes(at, 1)
        if count == 0:
            break
        assert 1 <= count <= 0x7F  # direct, non-repeat entries: one write per band
        idx1, idx2, lo, hi = m.read_bytes(at + 1, 4)
        assert idx1 == idx2 == 0  # CGADD: the backdrop color
        colors.append(lo | (hi << 8))
        lines += count
        at += 5
    assert lines == 224
    assert all(c < 0x8000 for c in colors) and colors == sorted(colors, reverse=True)


def _lcg(seed: int) -> int:
    return (seed * 5 + 0x3619) & 0xFFFF


def test_rng_lcg_sequence_matches_hand_computation():
    m, sym = load("rng_lcg")
    seed = 0x1234
    m.poke(0x7E1F0E, seed.to_bytes(2, "little"))
    for _ in range(8):
        cpu = call(m, sym["Random"], p=M8 | X8)
        seed = _lcg(seed)
        assert cpu.a & 0xFF == seed >> 8  # M=8: A is the high byte
        assert word(m, 0x7E1F0E) == seed
    cpu = call(m, sym["Random"], p=0)
    seed = _lcg(seed)
    assert cpu.a == ((seed & 0xFF) << 8) | (seed >> 8)  # M=16: bytes swapped
    assert _lcg(0x1234) == 0x911D  # by hand: $1234 * 5 = $5B04, + $3619 = $911D


def test_rng_lcg_has_full_period():
    s, seen = 0, set()
    for _ in range(0x10000):
        seen.add(s)
        s = _lcg(s)
    assert len(seen) == 0x10000 and s == 0


@pytest.mark.parametrize(("score", "add", "want"), [(0x0950, 0x0075, 0x1025), (0x0000, 0x0001, 0x0001),
                                                    (0x1999, 0x0001, 0x2000), (0x9990, 0x0020, 0x9999),
                                                    (0x4567, 0x4433, 0x9000)])
def test_bcd_add_gives_bcd_and_leaves_decimal_mode(score, add, want):
    m, sym = load("bcd_add")
    m.poke(0x7E1F10, score.to_bytes(2, "little"))
    cpu = call(m, sym["AddScoreBCD"], p=0, a=add)
    assert word(m, 0x7E1F10) == want and cpu.a == want
    assert not cpu.p & D


def test_rle_decompress_literals_runs_and_end():
    m, sym = load("rle_decompress")
    stream = bytes([0x03, 1, 2, 3, 0x85, 0xAA, 0x80, 0x55, 0x02, 9, 8, 0x81, 0x00, 0x00])
    want = bytes([1, 2, 3]) + b"\xAA" * 5 + bytes([9, 8, 0])
    m.poke(0x7F0000, stream)
    m.poke(0x7E2000, b"\xEE" * 0x20)
    m.poke(0, bytes([0x00, 0x00, 0x7F, 0x00, 0x20, 0x7E]))
    cpu = call(m, sym["DecompressRLE"], p=M8 | X8)
    assert m.read_bytes(0x7E2000, len(want) + 1) == want + b"\xEE"
    assert cpu.y == len(stream) and cpu.p & (M8 | X8) == M8 | X8


# -- loading errors ---------------------------------------------------------------------------


GOOD = '''
[[idiom]]
id = "one"
title = "One"
description = "d"
keywords = ["first thing"]
assumptions.entry = "M=8"
code = """
One:
    rts
"""
'''


def test_load_from_a_file(tmp_path):
    p = tmp_path / "idioms.toml"
    p.write_text(GOOD)
    (one,) = load_idioms(p)
    assert one.id == "one" and one.entry == "One" and one.code == "One:\n    rts\n"
    assert IdiomMatcher([one]).match("do the first thing")[0][0] is one


@pytest.mark.parametrize(("text", "line", "words"), [
    (GOOD + "[[idiom]]\nid = 'two'\ntitle = 'x'\nbogus = 1\n", 15, "unknown key 'bogus'"),
    (GOOD.replace('id = "one"', 'id = "One Two"'), 3, "id"),
    (GOOD + GOOD, 14, "duplicate idiom id 'one'"),
    (GOOD.replace('keywords = ["first thing"]', "keywords = []"), 6, "at least one keyword"),
    (GOOD.replace('keywords = ["first thing"]', 'keywords = ["the of a"]'), 6, "filler"),
    (GOOD.replace("assumptions.entry", "assumptions.entree"), 7, "unknown assumption"),
    (GOOD.replace('title = "One"\n', ""), 2, "missing 'title'"),
    (GOOD.replace('title = "One"', 'title = "One'), 4, "malformed TOML"),
])
def test_malformed_files_name_file_and_line(tmp_path, text, line, words):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(UserError) as exc:
        load_idioms(p)
    assert exc.value.location == f"{p}:{line}"
    assert words in str(exc.value)


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        load_idioms(tmp_path / "nope.toml")


# -- matching ---------------------------------------------------------------------------------

PHRASINGS = [
    ("write a routine that waits for vblank", "wait_vblank"),
    ("how do I wait until v-blank starts before touching VRAM?", "wait_vblank"),
    ("poll $4210 till the NMI flag comes up, NMIs are off during boot", "wait_nmi_flag"),
    ("turn the screen off so I can load a bunch of gfx", "forced_blank"),
    ("I need to DMA my tiles to VRAM during NMI", "dma_vram"),
    ("set VMADD and VMAIN and kick off the transfer", "dma_vram"),
    ("upload a palette to CGRAM", "dma_cgram"),
    ("copy my shadow OAM to the PPU every frame", "dma_oam"),
    ("clear $7E2000-$7E3FFF as fast as possible with DMA", "dma_clear_wram"),
    ("give me a loop that zeroes a range of WRAM with stz", "clear_loop"),
    ("fill a tilemap buffer with $207F", "memset_word"),
    ("copy a block with MVN", "mvn_copy"),
    ("read the joypad and figure out which buttons were newly pressed", "joypad_read"),
    ("multiply two 8-bit numbers with the hardware multiplier", "hw_multiply"),
    ("what goes in $4202 and $4203 to get a product", "hw_multiply"),
    ("how do I divide a 16 bit number by 10 and get the remainder", "hw_divide"),
    ("add two 16 bit numbers with carry in 8-bit mode", "add_sub_16"),
    ("16-bit compare, branch if less than", "compare16_unsigned"),
    ("signed comparison of two 16-bit velocities", "compare16_signed"),
    ("get the absolute value of Link's x speed", "abs16"),
    ("negate a 16-bit number", "negate"),
    ("check if a bit is set in my flags byte and then set it", "bit_flags"),
    ("jump table for my sprite states", "jump_table"),
    ("table of long pointers, read the data with lda [$00],y", "pointer24"),
    ("save and restore the data bank, direct page and register widths in my routine",
     "preserve_state"),
    ("my hook has to keep A X Y intact and return with RTL", "jsl_hook"),
    ("count frames in the NMI and wait for the next frame in my main loop", "nmi_safe_counter"),
    ("set up HDMA for a sky gradient on the backdrop color", "hdma_gradient"),
    ("random number generator for enemy drops", "rng_lcg"),
    ("add points to the score in decimal mode", "bcd_add"),
    ("decompress RLE graphics into WRAM", "rle_decompress"),
]

UNRELATED = [
    "what is the capital of France",
    "optimize lda #0 sta $10",
    "why does Link's sword do no damage after my patch?",
    "explain what BGMODE $2105 does",
    "tell me a joke about Ganon",
    "which bank has free space in an expanded ALttP ROM?",
    "how do I sort a list in Python",
    "rename the Master Sword in the text dump",
    "what does the Z flag mean after INX",
    "the game crashes when I enter the dungeon",
]


@pytest.mark.parametrize(("question", "want"), PHRASINGS)
def test_match_picks_the_right_idiom(question, want):
    found = match(question)
    assert found, question
    assert found[0][0].id == want, [(i.id, s) for i, s in found]
    assert all(s >= idioms.MIN_SCORE for _i, s in found)
    assert [s for _i, s in found] == sorted((s for _i, s in found), reverse=True)


def test_ambiguous_clear_offers_both_clears():
    found = [i.id for i, _s in match("how do I clear $7E2000-$7E3FFF?")]
    assert set(found[:2]) == {"dma_clear_wram", "clear_loop"}


@pytest.mark.parametrize("question", UNRELATED)
def test_unrelated_questions_match_nothing(question):
    assert match(question) == []


def test_match_limit_and_empty():
    assert len(match("clear ram with dma or a loop, or fill memory", limit=1)) == 1
    assert match("", limit=3) == [] and match("   ") == []
    assert match("upload a palette to CGRAM", limit=0) == []


def test_register_spellings_are_the_same_token():
    assert tokens("VMADD") == tokens("$2116") == tokens("vmaddh") == tokens("$00:2117")
    assert tokens("$802116") == tokens("2116") == ["$2116"]
    assert tokens("DMAP7") == tokens("$4300") == ["$43x0"]
    assert tokens("v-blank") == tokens("v blank") == tokens("vblank")
    assert tokens("16-bit") == tokens("16 bit") == ["16bit"]


def test_get_by_id():
    assert idioms.get("mvn_copy") is BY_ID["mvn_copy"]
    with pytest.raises(UserError, match="unknown idiom"):
        idioms.get("nope")


def test_long_questions_are_read_up_to_a_bound():
    filler = "lorem ipsum " * 2000
    assert match("copy a block with MVN " + filler)[0][0].id == "mvn_copy"
    assert match(filler + " copy a block with MVN") == []  # past MAX_CHARS
    start = time.perf_counter()
    match(filler * 10)
    assert time.perf_counter() - start < 0.05


def test_match_is_fast():
    idioms.default_matcher()  # built once
    questions = [q for q, _ in PHRASINGS] + UNRELATED
    start = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for q in questions:
            match(q)
    per_question = (time.perf_counter() - start) / (rounds * len(questions))
    assert per_question < 1e-3, f"{per_question * 1e6:.0f} us per question"
