"""Master-clock timing of code on the SNES bus.

Each CPU cycle is either a byte fetched from the code (the region's speed), a
data access (the accessed address's speed) or an internal cycle (6 clocks).
Speeds: ROM at $00-$3F:8000 8 (SlowROM), at $80-$BF:8000 6 once MEMSEL $420D
bit 0 is set; WRAM 8; $21xx and $42xx 6; $4000-$41FF (joypad serial) 12.
Every expected total below is summed by hand from those breakdowns.
"""

from __future__ import annotations

import pytest

from triforce.cpu import CPU
from triforce.cpu.snesbus import SnesBus

STP = 0xDB
# STP: 1 fetch + 2 internal
STP_SLOW = 8 + 12
STP_FAST = 6 + 12


def snes(code: bytes, at: int = 0x008000, **regs) -> tuple[SnesBus, CPU]:
    """A 32 KiB LoROM (file offset 0 is $00:8000) with ``code`` poked at ``at``."""
    bus = SnesBus(bytes(0x8000), "lorom")
    bus.load(at, code)
    cpu = CPU(bus)
    cpu.set_registers(pbr=at >> 16, pc=at & 0xFFFF, **regs)
    return bus, cpu


def execute(cpu: CPU, use_run: bool) -> None:
    if use_run:
        assert cpu.run().reason == "stp"
    else:
        for _ in range(10_000):
            if cpu.stopped:
                break
            cpu.step()
        assert cpu.stopped


both = pytest.mark.parametrize("use_run", [False, True], ids=["step", "run"])


def test_flat_memory_has_no_master_clocks():
    from triforce.cpu import FlatMemory

    cpu = CPU(FlatMemory())
    assert cpu.master_clocks is None


@both
def test_slowrom_code(use_run):
    bus, cpu = snes(bytes([
        0xA9, 0x12,             # lda #$12   2 fetch                      = 16
        0x85, 0x10,             # sta $10    2 fetch + write WRAM         = 16 + 8
        0xE8,                   # inx        1 fetch + 1 internal         = 8 + 6
        STP,                    # stp                                     = 20
    ]))
    assert cpu.master_clocks == 0
    execute(cpu, use_run)
    assert cpu.cycles == 2 + 3 + 2 + 3
    assert cpu.master_clocks == 16 + 24 + 14 + STP_SLOW
    assert bus.wram[0x10] == 0x12


@both
def test_fastrom_code_after_memsel(use_run):
    bus, cpu = snes(bytes([
        0xA9, 0x01,             # 8000 lda #$01                           = 16
        0x8D, 0x0D, 0x42,       # 8002 sta $420D  3 fetch + write 6       = 24 + 6
        0x5C, 0x09, 0x80, 0x80, # 8005 jml $808009  4 fetch (bank $00)    = 32
        0xA9, 0x12,             # 8009 lda #$12   (now at $80:8009)       = 12
        0x85, 0x10,             # 800B sta $10    2*6 + WRAM 8            = 20
        0xE8,                   # 800D inx        6 + 6                   = 12
        STP,                    # 800E stp                                = 18
    ]))
    execute(cpu, use_run)
    assert bus.fastrom
    assert cpu.pbr == 0x80
    assert cpu.cycles == 2 + 4 + 4 + 2 + 3 + 2 + 3
    assert cpu.master_clocks == 16 + 30 + 32 + 12 + 20 + 12 + STP_FAST


@both
def test_bank_80_is_slow_without_memsel(use_run):
    bus, cpu = snes(bytes([0xA9, 0x12, 0xE8, STP]), at=0x808000)  # lda #$12 / inx / stp
    execute(cpu, use_run)
    assert cpu.master_clocks == 16 + 14 + STP_SLOW


@both
def test_memsel_write_speeds_up_the_very_next_fetch(use_run):
    # running at $80:8000 with MEMSEL=0: slow until the write lands
    bus, cpu = snes(bytes([
        0xA9, 0x01,             # 8000 lda #$01                           = 16
        0x8D, 0x0D, 0x42,       # 8002 sta $420D  24 + 6                  = 30
        0xE8,                   # 8005 inx        6 + 6 (FastROM now)     = 12
        STP,                    # 8006 stp                                = 18
    ]), at=0x808000)
    execute(cpu, use_run)
    assert cpu.master_clocks == 16 + 30 + 12 + STP_FAST


@both
def test_wram_and_io_accesses_16_bit(use_run):
    bus, cpu = snes(bytes([
        0x18,                   # clc          1 fetch + 1 internal         = 8 + 6
        0xFB,                   # xce                                       = 8 + 6
        0xC2, 0x30,             # rep #$30     2 fetch + 1 internal         = 16 + 6
        0xAD, 0x00, 0x21,       # lda $2100    3 fetch + 2 reads at 6       = 24 + 12
        0x8D, 0x34, 0x12,       # sta $1234    3 fetch + 2 WRAM writes      = 24 + 16
        0xAD, 0x16, 0x40,       # lda $4016    3 fetch + 2 reads at 12      = 24 + 24
        STP,                    # stp                                       = 20
    ]))
    execute(cpu, use_run)
    assert cpu.cycles == 2 + 2 + 3 + 5 + 5 + 5 + 3
    assert cpu.master_clocks == 14 + 14 + 22 + 36 + 40 + 48 + STP_SLOW


@both
def test_long_access_to_wram_bank_and_dp_penalty(use_run):
    bus, cpu = snes(bytes([
        0xAF, 0x00, 0x00, 0x7E, # lda $7E0000  4 fetch + WRAM read          = 32 + 8
        0xA5, 0x10,             # lda $10 (D=$0001): 2 fetch + read + 1 int = 16 + 8 + 6
        0xA3, 0x01,             # lda $01,s    2 fetch + read + 1 internal  = 16 + 8 + 6
        STP,                    #                                           = 20
    ]), d=0x0001)
    execute(cpu, use_run)
    assert cpu.cycles == 5 + 4 + 4 + 3
    assert cpu.master_clocks == 40 + 30 + 30 + STP_SLOW


@pytest.mark.parametrize("e,clocks", [
    # emulation: read, write of the old value, write   (no internal cycle)
    (1, 16 + 8 + 8 + 8),
    # native: read, internal, write
    (0, 16 + 8 + 6 + 8),
])
@both
def test_read_modify_write(e, clocks, use_run):
    bus, cpu = snes(bytes([0xE6, 0x10, STP]), e=e, p=0x30)  # inc $10 / stp
    execute(cpu, use_run)
    assert cpu.cycles == 5 + 3
    assert cpu.master_clocks == clocks + STP_SLOW
    assert bus.wram[0x10] == 1


@both
def test_jsr_rts(use_run):
    bus, cpu = snes(bytes([
        0x20, 0x06, 0x80,       # 8000 jsr $8006  3 fetch + 1 int + 2 pushes = 24 + 6 + 16
        STP,                    # 8003 stp                                   = 20
        0xEA, 0xEA,             # 8004 (not run)
        0x60,                   # 8006 rts        1 fetch + 2 pulls + 3 int  = 8 + 16 + 18
    ]), s=0x01FF)
    execute(cpu, use_run)
    assert cpu.cycles == 6 + 6 + 3
    assert cpu.master_clocks == 46 + 42 + STP_SLOW


@both
def test_branch_loop(use_run):
    bus, cpu = snes(bytes([
        0xA2, 0x03,             # 8000 ldx #$03                         = 16
        0xCA,                   # 8002 loop: dex                        = 14 (x3)
        0xD0, 0xFD,             # 8003 bne loop  taken: 16 + 6 (x2), not taken: 16
        STP,                    # 8005
    ]))
    execute(cpu, use_run)
    assert cpu.cycles == 2 + 3 * 2 + 2 * 3 + 2 + 3
    assert cpu.master_clocks == 16 + 3 * 14 + 2 * 22 + 16 + STP_SLOW


@both
def test_block_move_in_wram(use_run):
    # mvn $7E,$7E with 4 bytes: per byte 3 fetch + read + write + 2 internal
    bus, cpu = snes(bytes([0x54, 0x7E, 0x7E, STP]), e=0, p=0x30, a=3, x=0x10, y=0x20)
    bus.wram[0x10:0x14] = bytes([1, 2, 3, 4])
    execute(cpu, use_run)
    assert bytes(bus.wram[0x20:0x24]) == bytes([1, 2, 3, 4])
    assert cpu.cycles == 4 * 7 + 3
    assert cpu.master_clocks == 4 * (24 + 8 + 8 + 12) + STP_SLOW


def test_reset_from_a_built_rom():
    # a whole LoROM image: code at file offset 0 ($00:8000), reset vector at $7FFC
    rom = bytearray(0x8000)
    rom[0:3] = bytes([0xE8, 0xE8, STP])            # inx / inx / stp
    rom[0x7FFC:0x7FFE] = bytes([0x00, 0x80])
    bus = SnesBus(bytes(rom), "lorom")
    cpu = CPU(bus)
    cpu.reset()
    assert cpu.pc == 0x8000
    res = cpu.run()
    assert (res.reason, res.cycles, cpu.x) == ("stp", 7, 2)
    assert cpu.master_clocks == 14 + 14 + STP_SLOW


@both
def test_self_modifying_code_in_wram(use_run):
    # code in WRAM at $7E:2000 (DBR=$7E), emulation mode
    bus, cpu = snes(bytes([
        0xEE, 0x04, 0x20,       # 2000 inc $2004   3 fetch + read + old write + write = 24 + 24
        0xA9, 0x10,             # 2003 lda #$10 -> runs as lda #$11                = 16
        0xE8,                   # 2005 inx                                         = 14
        STP,                    # 2006 stp                                         = 20
    ]), at=0x7E2000, dbr=0x7E)
    execute(cpu, use_run)
    assert cpu.a & 0xFF == 0x11
    assert cpu.cycles == 6 + 2 + 2 + 3
    assert cpu.master_clocks == 48 + 16 + 14 + STP_SLOW
