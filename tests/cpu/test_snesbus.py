import pytest

from triforce.cpu.bus import code_bytes
from triforce.cpu.snesbus import LOG_CAP, SnesBus


def make_rom(size: int) -> bytes:
    """Every 32 KiB chunk starts with its index, the rest is a position pattern."""
    rom = bytearray((i * 7 + (i >> 8)) & 0xFF for i in range(size))
    for chunk in range(size // 0x8000):
        rom[chunk * 0x8000] = chunk
    return bytes(rom)


ROM_1M = make_rom(0x100000)


@pytest.fixture
def lorom():
    return SnesBus(ROM_1M, "lorom")


@pytest.fixture
def hirom():
    return SnesBus(ROM_1M, "hirom")


# ---------------------------------------------------------------- memory


def test_lorom_rom_reads_and_mirrors(lorom):
    assert lorom.read(0x008000) == ROM_1M[0]
    assert lorom.read(0x018000) == 1
    assert lorom.read(0x00FFFF) == ROM_1M[0x7FFF]
    assert lorom.read(0x808000) == lorom.read(0x008000)
    assert lorom.read(0x9F8123) == ROM_1M[0xF8123]
    assert lorom.read(0x408000) == lorom.read(0x400000)
    # 1 MiB ROM: bank $20 mirrors bank $00
    assert lorom.read(0x208000) == ROM_1M[0]
    assert lorom.read(0x218000) == 1


def test_hirom_rom_reads(hirom):
    assert hirom.read(0xC01234) == ROM_1M[0x1234]
    assert hirom.read(0x401234) == ROM_1M[0x1234]
    assert hirom.read(0x00ABCD) == ROM_1M[0xABCD]
    assert hirom.read(0x8FFFFF) == ROM_1M[0xFFFFF]
    assert hirom.read(0xD01234) == ROM_1M[0x1234]  # 1 MiB mirrored


def test_exhirom_second_half():
    rom = bytearray(0x800000)
    rom[0x000010] = 0x11
    rom[0x400010] = 0x44
    rom[0x7E8000] = 0x7E
    bus = SnesBus(bytes(rom), "exhirom")
    assert bus.read(0xC00010) == 0x11
    assert bus.read(0x400010) == 0x44
    assert bus.read(0x3E8000) == 0x7E
    assert bus.region(0x7E8000) == "wram"


def test_exlorom_halves():
    rom = bytearray(0x600000)
    rom[0x000000] = 0xA0
    rom[0x400000] = 0xB0
    bus = SnesBus(bytes(rom), "exlorom")
    assert bus.read(0x808000) == 0xA0
    assert bus.read(0x008000) == 0xB0


def test_wram_mirrors(lorom):
    lorom.write(0x000123, 0x5A)
    assert lorom.read(0x7E0123) == 0x5A
    assert lorom.read(0x800123) == 0x5A
    assert lorom.read(0x3F0123) == 0x5A
    lorom.write(0x7E1FFF, 0x77)
    assert lorom.read(0xBF1FFF) == 0x77
    lorom.write(0x7E2000, 0x66)  # beyond the 8 KiB mirror
    lorom.write(0x7E0000, 0x01)
    assert lorom.read(0x002000) == 0x01  # open bus, not WRAM
    assert lorom.region(0x002000) == "open"
    lorom.write(0x7FFFFF, 0x99)
    assert lorom.wram[0x1FFFF] == 0x99


def test_rom_write_ignored(lorom):
    before = lorom.read(0x008000)
    lorom.write(0x008000, before ^ 0xFF)
    assert lorom.read(0x008000) == before
    assert lorom.peek(0x808000) == before
    assert list(lorom.rom_writes) == [(0x008000, before ^ 0xFF)]


def test_lorom_sram_mirrored():
    bus = SnesBus(ROM_1M, "lorom", sram_size=0x2000)
    bus.write(0x700000, 0x12)
    assert bus.read(0x700000) == 0x12
    assert bus.read(0x702000) == 0x12  # 8 KiB mirrored through the bank
    assert bus.read(0x710000) == 0x12
    assert bus.read(0xF00000) == 0x12
    assert bus.sram[0] == 0x12
    assert bus.region(0x708000) == "rom"


def test_hirom_sram(hirom):
    hirom.write(0x206000, 0x34)
    assert hirom.read(0xA06000) == 0x34
    assert hirom.read(0x306000) == 0x34  # 8 KiB default: mirrored in every bank
    assert hirom.sram[0] == 0x34
    assert hirom.region(0x006000) == "open"


def test_no_sram_is_open_bus():
    bus = SnesBus(ROM_1M, "lorom", sram_size=0)
    bus.write(0x700000, 0x12)
    assert bus.region(0x700000) == "open"
    bus.read(0x7E0000)  # puts 0 on the bus
    assert bus.read(0x700000) == 0


def test_sram_size_validation():
    with pytest.raises(ValueError):
        SnesBus(ROM_1M, "lorom", sram_size=100)
    with pytest.raises(ValueError):
        SnesBus(ROM_1M, "snesrom")


def test_open_bus(lorom):
    lorom.write(0x7E0000, 0xAB)
    assert lorom.read(0x002000) == 0xAB
    assert lorom.read(0x7E0000) == 0xAB
    lorom.write(0x7E0001, 0x3C)
    assert lorom.read(0x005000) == 0x3C
    assert lorom.peek(0x005000) == 0x3C
    assert lorom.read(0x0021FF) == 0x3C  # unmodelled register: open bus
    lorom.write(0x002000, 0x99)  # dropped, but it was on the bus
    assert lorom.read(0x002001) == 0x99


def test_peek_and_code_bytes_have_no_side_effects(lorom):
    lorom.write(0x7E0010, 1)
    lorom.write(0x7E0011, 2)
    lorom.write(0x7E0012, 3)
    clocks, accesses = lorom.clocks, lorom.accesses
    assert lorom.peek(0x7E0011) == 2
    assert lorom.code_bytes(0x7E0010, 3) == b"\x01\x02\x03"
    assert code_bytes(lorom, 0x000010, 3) == b"\x01\x02\x03"
    assert lorom.code_bytes(0x0080FE, 4) == ROM_1M[0xFE:0x102]
    assert lorom.code_bytes(0x00FFFE, 2) == ROM_1M[0x7FFE:0x8000]
    assert (lorom.clocks, lorom.accesses) == (clocks, accesses)


def test_code_bytes_wraps_24_bits():
    bus = SnesBus(ROM_1M, "hirom")
    assert bus.code_bytes(0xFFFFFF, 2) == bytes([ROM_1M[0xFFFFF], bus.peek(0x000000)])


def test_poke_and_load_patch_rom(lorom):
    lorom.load(0x008000, b"\xa9\x42")
    assert lorom.read(0x808000) == 0xA9
    assert lorom.read(0x808001) == 0x42
    assert lorom.rom[0:2] == b"\xa9\x42"


def test_small_rom_padded_and_mirrored():
    bus = SnesBus(b"\xea\x60", "lorom")
    assert bus.read(0x008000) == 0xEA
    assert bus.read(0x008001) == 0x60
    assert bus.read(0x008100) == 0xEA  # 256-byte image repeats
    assert bus.read(0x808001) == 0x60


# ---------------------------------------------------------------- counters and timing


def test_counters(lorom):
    lorom.read(0x7E0000)  # 8
    lorom.write(0x002100, 0x80)  # 6
    lorom.read(0x004016)  # 12
    lorom.read(0x808000)  # 8 (FastROM off)
    assert lorom.accesses == 4
    assert lorom.clocks == 8 + 6 + 12 + 8
    lorom.peek(0x7E0000)
    lorom.code_bytes(0x008000, 4)
    assert lorom.accesses == 4
    lorom.reset_counters()
    assert (lorom.clocks, lorom.accesses) == (0, 0)


def test_speed_table(lorom):
    assert lorom.speed(0x000000) == 8
    assert lorom.speed(0x7E0000) == 8
    assert lorom.speed(0x7F8000) == 8
    assert lorom.speed(0x002100) == 6
    assert lorom.speed(0x003000) == 6
    assert lorom.speed(0x004000) == 12
    assert lorom.speed(0x0041FF) == 12
    assert lorom.speed(0x004200) == 6
    assert lorom.speed(0x004300) == 6
    assert lorom.speed(0x006000) == 8
    assert lorom.speed(0x008000) == 8
    assert lorom.speed(0x808000) == 8
    assert lorom.speed(0xC08000) == 8
    assert lorom.speed(0x408000) == 8


def test_fastrom_switching(lorom):
    assert not lorom.fastrom
    lorom.write(0x00420D, 0x01)
    assert lorom.fastrom
    assert lorom.speed(0x808000) == 6
    assert lorom.speed(0xFFFFFF) == 6
    assert lorom.speed(0x008000) == 8
    assert lorom.speed(0x408000) == 8
    assert lorom.speed(0x800000) == 8  # WRAM mirror stays slow
    lorom.reset_counters()
    lorom.read(0x808000)
    lorom.read(0x008000)
    assert lorom.clocks == 6 + 8
    lorom.write(0x80420D, 0x00)
    assert not lorom.fastrom
    assert lorom.speed(0x808000) == 8


# ---------------------------------------------------------------- registers


def test_register_log(lorom):
    lorom.write(0x002100, 0x8F)
    lorom.write(0x80420B, 0x01)
    v = lorom.read(0x004212)
    lorom.write(0x7E0000, 0x11)  # WRAM is not logged
    lorom.read(0x008000)  # nor is ROM
    assert list(lorom.log) == [("w", 0x002100, 0x8F), ("w", 0x80420B, 0x01), ("r", 0x004212, v)]
    assert lorom.regs[0x2100] == 0x8F
    assert lorom.regs[0x420B] == 0x01


def test_register_log_is_capped(lorom):
    for i in range(LOG_CAP + 5):
        lorom.write(0x002122, i & 0xFF)
    assert len(lorom.log) == LOG_CAP
    assert lorom.log[0] == ("w", 0x002122, 5)
    assert lorom.log[-1] == ("w", 0x002122, (LOG_CAP + 4) & 0xFF)


def test_read_hook(lorom):
    calls = []

    def hvbjoy(addr):
        calls.append(addr)
        return 0x80

    lorom.on_read(0x4212, hvbjoy)
    assert lorom.read(0x004212) == 0x80
    assert lorom.read(0x804212) == 0x80
    assert calls == [0x004212, 0x804212]
    assert lorom.log[-1] == ("r", 0x804212, 0x80)
    lorom.write(0x7E0000, 0x11)
    assert lorom.peek(0x004212) == 0x11  # peek never calls hooks: open bus
    assert calls == [0x004212, 0x804212]


def test_read_hook_none_falls_through(lorom):
    lorom.on_read(0x4216, lambda addr: None)
    lorom.write(0x004202, 12)
    lorom.write(0x004203, 11)
    assert lorom.read(0x004216) == 132


def test_write_hook(lorom):
    seen = []
    lorom.on_write(0x2118, lambda addr, value: seen.append((addr, value)))
    lorom.write(0x002118, 0x42)
    lorom.write(0x802118, 0x43)
    lorom.write(0x002119, 0x44)
    assert seen == [(0x002118, 0x42), (0x802118, 0x43)]
    lorom.clear_hooks()
    lorom.write(0x002118, 0x45)
    assert len(seen) == 2


def test_hook_on_non_register_rejected(lorom):
    with pytest.raises(ValueError):
        lorom.on_read(0x8000, lambda addr: 0)
    with pytest.raises(ValueError):
        lorom.on_write(0x0123, lambda addr, value: None)


def test_multiplier(lorom):
    lorom.write(0x004202, 0xFF)
    lorom.write(0x004203, 0xFF)
    assert lorom.read(0x004216) == 0x01
    assert lorom.read(0x004217) == 0xFE  # $FF * $FF = $FE01
    assert lorom.read(0x004214) == 0xFF  # RDDIV holds WRMPYB after a multiply
    assert lorom.read(0x004215) == 0x00
    lorom.write(0x004203, 0x02)  # WRMPYA is kept
    assert lorom.read(0x004216) | lorom.read(0x004217) << 8 == 0x01FE
    lorom.write(0x004202, 0x00)
    lorom.write(0x004203, 0x37)
    assert lorom.read(0x004216) == 0 and lorom.read(0x004217) == 0


def test_divider(lorom):
    lorom.write(0x004204, 0x39)
    lorom.write(0x004205, 0x30)  # $3039 = 12345
    lorom.write(0x004206, 100)
    assert lorom.read(0x004214) | lorom.read(0x004215) << 8 == 123
    assert lorom.read(0x004216) | lorom.read(0x004217) << 8 == 45
    lorom.write(0x004206, 1)
    assert lorom.read(0x004214) | lorom.read(0x004215) << 8 == 12345
    assert lorom.read(0x004216) | lorom.read(0x004217) << 8 == 0


def test_divide_by_zero(lorom):
    lorom.write(0x004204, 0x34)
    lorom.write(0x004205, 0x12)
    lorom.write(0x004206, 0)
    assert lorom.read(0x004214) == 0xFF
    assert lorom.read(0x004215) == 0xFF
    assert lorom.read(0x004216) == 0x34
    assert lorom.read(0x004217) == 0x12


def test_wmdata_port(lorom):
    lorom.write(0x002181, 0xFE)
    lorom.write(0x002182, 0xFF)
    lorom.write(0x002183, 0x00)  # $7E:FFFE
    for v in (1, 2, 3, 4):
        lorom.write(0x002180, v)
    assert lorom.read(0x7EFFFE) == 1
    assert lorom.read(0x7EFFFF) == 2
    assert lorom.read(0x7F0000) == 3  # crosses into bank $7F
    assert lorom.read(0x7F0001) == 4
    lorom.write(0x002181, 0xFF)
    lorom.write(0x002182, 0xFF)
    lorom.write(0x002183, 0x01)  # $7F:FFFF, then wraps to $7E:0000
    lorom.write(0x7E0000, 0x66)
    lorom.write(0x7FFFFF, 0x55)
    assert lorom.peek(0x002180) == 0x55  # peek does not advance
    assert lorom.read(0x002180) == 0x55
    assert lorom.read(0x002180) == 0x66
    assert lorom.wmadd == 0x00001
    assert ("r", 0x002180, 0x66) in lorom.log


def test_wmadd_high_bit_only(lorom):
    lorom.write(0x002183, 0xFF)
    assert lorom.wmadd == 0x10000
    lorom.write(0x002181, 0x34)
    lorom.write(0x002182, 0x12)
    lorom.write(0x002180, 0xAA)
    assert lorom.read(0x7F1234) == 0xAA


def test_dma_registers_read_back(lorom):
    assert lorom.read(0x004305) == 0xFF  # power-on value
    lorom.write(0x004375, 0x20)
    lorom.write(0x00437B, 0x5C)
    assert lorom.read(0x004375) == 0x20
    assert lorom.read(0x00437F) == 0x5C  # $43xF mirrors $43xB
    lorom.write(0x7E0000, 0x01)
    assert lorom.read(0x00437C) == 0x01  # $43xC-$43xE: open bus


def test_sa1_memory():
    bus = SnesBus(make_rom(0x400000), "sa1rom", sram_size=0x10000)
    assert bus.read(0x208000) == 0x20  # chunk index of 32 KiB block $20 (1 MiB)
    assert bus.read(0x808000) == 0x40
    assert bus.read(0xF00000) == 0x60
    bus.write(0x003000, 0x12)
    assert bus.iram[0] == 0x12
    assert bus.read(0x803000) == 0x12
    bus.write(0x400010, 0x34)
    assert bus.read(0x006010) == 0x34  # BW-RAM block 0 window
    bus.write(0x002200, 0x20)
    assert bus.log[-1] == ("w", 0x002200, 0x20)
