"""MVN / MVP: one byte per execution, 7 cycles per byte, until C wraps to $FFFF.

``MVN src,dst`` is encoded ``54 dst src`` (``MVP``: ``44 dst src``). X is the
source address, Y the destination, both inside their banks; C = count - 1. MVN
increments X and Y, MVP decrements them; DBR ends as the destination bank.
"""

from __future__ import annotations

import pytest

from triforce.cpu import CPU, FlatMemory

STP = 0xDB


def mover(opcode: int, src_bank: int, dst_bank: int, **regs) -> tuple[FlatMemory, CPU]:
    """The move at $00:8000 followed by STP at $00:8003."""
    mem = FlatMemory()
    mem.load(0x008000, bytes([opcode, dst_bank, src_bank, STP]))
    cpu = CPU(mem)
    cpu.set_registers(pc=0x8000, **regs)
    return mem, cpu


def pattern(n: int, seed: int = 7) -> bytes:
    return bytes((i * 37 + seed + (i >> 8)) & 0xFF for i in range(n))


def test_mvn_one_byte():
    mem, cpu = mover(0x54, 0x01, 0x02, e=0, p=0x00, a=0x0000, x=0x1000, y=0x2000, dbr=0x55)
    mem.mem[0x011000] = 0xAB
    res = cpu.run(until=0x008003)
    assert (res.reason, res.steps, res.cycles) == ("until", 1, 7)
    assert mem.mem[0x022000] == 0xAB
    assert mem.mem[0x021FFF] == 0 and mem.mem[0x022001] == 0
    assert (cpu.a, cpu.x, cpu.y, cpu.dbr) == (0xFFFF, 0x1001, 0x2001, 0x02)


def test_mvn_256_bytes():
    mem, cpu = mover(0x54, 0x01, 0x02, e=0, p=0x00, a=0x00FF, x=0x1000, y=0x2000)
    src = pattern(256)
    mem.load(0x011000, src)
    mem.mem[0x0220FF + 1] = 0xEE                   # just past the destination
    res = cpu.run()
    assert res.reason == "stp"
    assert res.steps == 256 + 1
    assert res.cycles == 7 * 256 + 3
    assert bytes(mem.mem[0x022000:0x022100]) == src
    assert mem.mem[0x022100] == 0xEE and mem.mem[0x021FFF] == 0
    assert (cpu.a, cpu.x, cpu.y, cpu.dbr) == (0xFFFF, 0x1100, 0x2100, 0x02)
    assert cpu.pc == 0x8004


def test_mvp_256_bytes():
    # MVP starts at the last byte: X, Y point at the ends of the blocks
    mem, cpu = mover(0x44, 0x03, 0x04, e=0, p=0x00, a=0x00FF, x=0x10FF, y=0x20FF)
    src = pattern(256, seed=3)
    mem.load(0x031000, src)
    res = cpu.run(until=0x008003)
    assert (res.reason, res.steps, res.cycles) == ("until", 256, 7 * 256)
    assert bytes(mem.mem[0x042000:0x042100]) == src
    assert mem.mem[0x041FFF] == 0 and mem.mem[0x042100] == 0
    assert (cpu.a, cpu.x, cpu.y, cpu.dbr) == (0xFFFF, 0x0FFF, 0x1FFF, 0x04)


def test_mvn_long_move_across_banks():
    n = 20_000
    mem, cpu = mover(0x54, 0x7E, 0x7F, e=0, p=0x00, a=n - 1, x=0x2000, y=0x4000)
    src = pattern(n, seed=11)
    mem.load(0x7E2000, src)
    res = cpu.run(until=0x008003)
    assert (res.reason, res.steps, res.cycles) == ("until", n, 7 * n)
    assert bytes(mem.mem[0x7F4000:0x7F4000 + n]) == src
    assert (cpu.a, cpu.x, cpu.y, cpu.dbr) == (0xFFFF, 0x2000 + n, 0x4000 + n, 0x7F)


def test_mvp_long_move_across_banks():
    n = 20_000
    mem, cpu = mover(0x44, 0x7F, 0x7E, e=0, p=0x00, a=n - 1, x=0x2000 + n - 1, y=0x9000 + n - 1)
    src = pattern(n, seed=5)
    mem.load(0x7F2000, src)
    res = cpu.run(until=0x008003)
    assert (res.reason, res.steps, res.cycles) == ("until", n, 7 * n)
    assert bytes(mem.mem[0x7E9000:0x7E9000 + n]) == src
    assert (cpu.a, cpu.x, cpu.y, cpu.dbr) == (0xFFFF, 0x1FFF, 0x8FFF, 0x7E)


def test_mvn_16_bit_index_wraps_inside_the_bank():
    mem, cpu = mover(0x54, 0x01, 0x02, e=0, p=0x00, a=0x001F, x=0xFFF0, y=0x3000)
    mem.load(0x01FFF0, pattern(16, seed=1))
    mem.load(0x010000, pattern(16, seed=2))
    mem.load(0x020000, b"\x99" * 16)               # not a source: X stays in bank $01
    cpu.run()
    assert bytes(mem.mem[0x023000:0x023020]) == pattern(16, seed=1) + pattern(16, seed=2)
    assert (cpu.a, cpu.x, cpu.y) == (0xFFFF, 0x0010, 0x3020)


def test_mvn_8_bit_index_registers_wrap_at_8_bits():
    # X flag set (and 8-bit A: the count still uses all of C)
    mem, cpu = mover(0x54, 0x05, 0x06, e=0, p=0x30, a=0x001F, x=0xF0, y=0x80)
    mem.load(0x0500F0, pattern(16, seed=4))        # $F0-$FF
    mem.load(0x050000, pattern(16, seed=9))        # then $00-$0F
    mem.load(0x050100, b"\x99" * 16)               # not $0100: X wrapped at 8 bits
    res = cpu.run(until=0x008003)
    assert (res.steps, res.cycles) == (32, 7 * 32)
    assert bytes(mem.mem[0x060080:0x0600A0]) == pattern(16, seed=4) + pattern(16, seed=9)
    assert (cpu.a, cpu.x, cpu.y, cpu.dbr) == (0xFFFF, 0x10, 0xA0, 0x06)


def test_mvp_8_bit_index_registers_wrap_at_8_bits():
    mem, cpu = mover(0x44, 0x05, 0x06, e=0, p=0x10, a=0x0007, x=0x03, y=0xF0)
    mem.load(0x0500FC, bytes([0xA4, 0xA5, 0xA6, 0xA7]))  # X = $03..$00 then $FF..$FC
    mem.load(0x050000, bytes([0xA0, 0xA1, 0xA2, 0xA3]))
    cpu.run()
    assert bytes(mem.mem[0x0600E9:0x0600F1]) == bytes([0xA4, 0xA5, 0xA6, 0xA7,
                                                       0xA0, 0xA1, 0xA2, 0xA3])
    assert (cpu.a, cpu.x, cpu.y) == (0xFFFF, 0xFB, 0xE8)


def test_mvn_in_emulation_mode():
    mem, cpu = mover(0x54, 0x00, 0x01, e=1, a=0x0003, x=0xFE, y=0x10)
    mem.load(0x0000FE, bytes([1, 2]))
    mem.load(0x000000, bytes([3, 4]))
    res = cpu.run(until=0x008003)
    assert res.cycles == 4 * 7
    assert bytes(mem.mem[0x010010:0x010014]) == bytes([1, 2, 3, 4])
    assert (cpu.a, cpu.x, cpu.y, cpu.dbr) == (0xFFFF, 0x02, 0x14, 0x01)


def test_mvn_overlap_forward_fills():
    # destination one above the source: MVN copies the first byte along (a fill)
    mem, cpu = mover(0x54, 0x01, 0x01, e=0, p=0x00, a=0x00FE, x=0x1000, y=0x1001)
    mem.load(0x011000, bytes([0x5A]) + pattern(255))
    cpu.run()
    assert bytes(mem.mem[0x011000:0x011100]) == b"\x5a" * 256
    assert mem.mem[0x011100] == 0


def test_mvn_overlap_down_copies_correctly():
    mem, cpu = mover(0x54, 0x01, 0x01, e=0, p=0x00, a=0x000F, x=0x1004, y=0x1000)
    src = pattern(20)
    mem.load(0x011000, src)
    cpu.run()
    assert bytes(mem.mem[0x011000:0x011010]) == src[4:20]
    assert bytes(mem.mem[0x011010:0x011014]) == src[16:20]  # tail untouched


def test_mvp_overlap_up_copies_correctly():
    mem, cpu = mover(0x44, 0x01, 0x01, e=0, p=0x00, a=0x000F, x=0x100F, y=0x1013)
    src = pattern(20)
    mem.load(0x011000, src)
    cpu.run()
    assert bytes(mem.mem[0x011004:0x011014]) == src[0:16]
    assert bytes(mem.mem[0x011000:0x011004]) == src[0:4]    # head untouched


def test_mvp_overlap_backward_fills():
    mem, cpu = mover(0x44, 0x01, 0x01, e=0, p=0x00, a=0x00FE, x=0x10FF, y=0x10FE)
    mem.load(0x011000, pattern(255) + b"\x77")
    cpu.run()
    assert bytes(mem.mem[0x011000:0x011100]) == b"\x77" * 256


def test_block_move_one_byte_per_step():
    mem, cpu = mover(0x54, 0x01, 0x02, e=0, p=0x00, a=0x0002, x=0x0000, y=0x0000)
    mem.load(0x010000, bytes([9, 8, 7]))
    assert cpu.step() == 7
    assert (cpu.pc, cpu.a, cpu.x, cpu.y, cpu.dbr) == (0x8000, 0x0001, 1, 1, 0x02)
    assert mem.mem[0x020000] == 9 and mem.mem[0x020001] == 0
    cpu.step()
    assert cpu.step() == 7
    assert (cpu.pc, cpu.a) == (0x8003, 0xFFFF)
    assert bytes(mem.mem[0x020000:0x020003]) == bytes([9, 8, 7])


def test_interrupt_during_block_move_resumes_it():
    mem, cpu = mover(0x54, 0x01, 0x02, e=0, p=0x00, a=0x0009, x=0x0000, y=0x0000, s=0x1FFF)
    mem.load(0x00FFEA, bytes([0x00, 0x90]))        # NMI vector -> $9000
    mem.mem[0x009000] = 0x40                       # rti
    mem.load(0x010000, pattern(10))
    for _ in range(3):
        cpu.step()
    cpu.nmi()
    assert cpu.step() == 8
    # the return address is the MVN itself, so the move carries on after RTI
    assert (mem.mem[0x1FFF], mem.mem[0x1FFE], mem.mem[0x1FFD]) == (0x00, 0x80, 0x00)
    res = cpu.run(until=0x008003)
    assert res.steps == 1 + 7                      # rti and the last 7 bytes
    assert bytes(mem.mem[0x020000:0x02000A]) == pattern(10)
    assert (cpu.a, cpu.x, cpu.y, cpu.dbr) == (0xFFFF, 10, 10, 0x02)


@pytest.mark.parametrize("use_run", [False, True])
def test_block_move_then_code_sees_dbr(use_run):
    # mvn $01,$7E / lda $0010 (DBR=$7E now) / stp
    mem = FlatMemory()
    mem.load(0x008000, bytes([0x54, 0x7E, 0x01, 0xAD, 0x10, 0x00, STP]))
    mem.load(0x010010, bytes([0x42, 0x24]))
    cpu = CPU(mem)
    cpu.set_registers(pc=0x8000, e=0, p=0x00, a=0x0001, x=0x0010, y=0x0010)
    if use_run:
        cpu.run()
    else:
        while not cpu.stopped:
            cpu.step()
    assert cpu.dbr == 0x7E
    assert cpu.a == 0x2442
    assert cpu.cycles == 7 * 2 + 5 + 3
