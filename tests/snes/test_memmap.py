import pytest

from triforce.snes.memmap import (
    MAPPINGS,
    access_cycles,
    describe,
    mirror_offset,
    pc_to_snes,
    region,
    register_name,
    snes_to_pc,
    sram_offset,
    wram_offset,
)

# ---------------------------------------------------------------- LoROM


@pytest.mark.parametrize(
    "addr, offset",
    [
        (0x008000, 0x000000),
        (0x00FFFF, 0x007FFF),
        (0x018000, 0x008000),
        (0x3FFFFF, 0x1FFFFF),
        (0x408000, 0x200000),
        (0x400000, 0x200000),  # low half of $40-$6F mirrors the high half
        (0x6F7FFF, 0x37FFFF),
        (0x708000, 0x380000),  # high half of SRAM banks is ROM
        (0x7DFFFF, 0x3EFFFF),
        (0x808000, 0x000000),  # FastROM mirror
        (0xC00000, 0x200000),
        (0xFE8000, 0x3F0000),
        (0xFFFFFF, 0x3FFFFF),
    ],
)
def test_lorom_snes_to_pc(addr, offset):
    assert snes_to_pc(addr, "lorom") == offset


@pytest.mark.parametrize(
    "addr",
    [
        0x000000,
        0x007FFF,
        0x002100,
        0x3F7FFF,
        0x7E0000,
        0x7E8000,
        0x7FFFFF,
        0x700000,
        0x7D7FFF,
        0xF00000,
        0xFF7FFF,
        0x800000,
    ],
)
def test_lorom_not_rom(addr):
    assert snes_to_pc(addr, "lorom") is None


def test_lorom_pc_to_snes():
    assert pc_to_snes(0x000000, "lorom") == 0x008000
    assert pc_to_snes(0x000000, "lorom", fastrom=True) == 0x808000
    assert pc_to_snes(0x007FFF, "lorom") == 0x00FFFF
    assert pc_to_snes(0x008000, "lorom") == 0x018000
    assert pc_to_snes(0x123456, "lorom") == 0x24B456
    assert pc_to_snes(0x37FFFF, "lorom") == 0x6FFFFF
    assert pc_to_snes(0x380000, "lorom") == 0xF08000  # $70-$7D are SRAM banks
    assert pc_to_snes(0x3FFFFF, "lorom") == 0xFFFFFF
    with pytest.raises(ValueError):
        pc_to_snes(0x400000, "lorom")
    with pytest.raises(ValueError):
        pc_to_snes(-1, "lorom")


# ---------------------------------------------------------------- HiROM


def test_hirom_conversions():
    assert snes_to_pc(0xC00000, "hirom") == 0x000000
    assert snes_to_pc(0xFFFFFF, "hirom") == 0x3FFFFF
    assert snes_to_pc(0x400000, "hirom") == 0x000000
    assert snes_to_pc(0x7DFFFF, "hirom") == 0x3DFFFF
    assert snes_to_pc(0x008000, "hirom") == 0x008000
    assert snes_to_pc(0x808000, "hirom") == 0x008000
    assert snes_to_pc(0x3FFFFF, "hirom") == 0x3FFFFF
    assert snes_to_pc(0x000000, "hirom") is None
    assert snes_to_pc(0x206000, "hirom") is None
    assert snes_to_pc(0x7E0000, "hirom") is None
    assert snes_to_pc(0x7F8000, "hirom") is None
    assert pc_to_snes(0x000000, "hirom") == 0xC00000
    assert pc_to_snes(0x123456, "hirom") == 0xD23456
    assert pc_to_snes(0x3FFFFF, "hirom", fastrom=True) == 0xFFFFFF
    with pytest.raises(ValueError):
        pc_to_snes(0x400000, "hirom")


# ---------------------------------------------------------------- ExLoROM


def test_exlorom_conversions():
    assert snes_to_pc(0x808000, "exlorom") == 0x000000
    assert snes_to_pc(0xFFFFFF, "exlorom") == 0x3FFFFF
    assert snes_to_pc(0x008000, "exlorom") == 0x400000
    assert snes_to_pc(0x6FFFFF, "exlorom") == 0x77FFFF
    assert snes_to_pc(0x400000, "exlorom") == 0x600000
    assert snes_to_pc(0x708000, "exlorom") is None
    assert snes_to_pc(0x7D8000, "exlorom") is None
    assert snes_to_pc(0x7E0000, "exlorom") is None
    assert snes_to_pc(0x000000, "exlorom") is None
    assert pc_to_snes(0x000000, "exlorom") == 0x808000
    assert pc_to_snes(0x3FFFFF, "exlorom") == 0xFFFFFF
    assert pc_to_snes(0x400000, "exlorom") == 0x008000
    assert pc_to_snes(0x77FFFF, "exlorom") == 0x6FFFFF
    with pytest.raises(ValueError):
        pc_to_snes(0x780000, "exlorom")


# ---------------------------------------------------------------- ExHiROM


def test_exhirom_conversions():
    assert snes_to_pc(0xC00000, "exhirom") == 0x000000
    assert snes_to_pc(0xFFFFFF, "exhirom") == 0x3FFFFF
    assert snes_to_pc(0x808000, "exhirom") == 0x008000
    assert snes_to_pc(0x400000, "exhirom") == 0x400000
    assert snes_to_pc(0x7DFFFF, "exhirom") == 0x7DFFFF
    assert snes_to_pc(0x008000, "exhirom") == 0x408000
    assert snes_to_pc(0x3E8000, "exhirom") == 0x7E8000
    assert snes_to_pc(0x3FFFFF, "exhirom") == 0x7FFFFF
    assert snes_to_pc(0x7E0000, "exhirom") is None
    assert snes_to_pc(0x000000, "exhirom") is None
    assert pc_to_snes(0x000000, "exhirom") == 0xC00000
    assert pc_to_snes(0x400000, "exhirom") == 0x400000
    assert pc_to_snes(0x7DFFFF, "exhirom") == 0x7DFFFF
    assert pc_to_snes(0x7E8000, "exhirom") == 0x3E8000
    assert pc_to_snes(0x7FFFFF, "exhirom") == 0x3FFFFF
    with pytest.raises(ValueError):
        pc_to_snes(0x7E0000, "exhirom")  # would be WRAM
    with pytest.raises(ValueError):
        pc_to_snes(0x800000, "exhirom")


# ---------------------------------------------------------------- SA-1


def test_sa1rom_conversions():
    assert snes_to_pc(0x008000, "sa1rom") == 0x000000
    assert snes_to_pc(0x208000, "sa1rom") == 0x100000
    assert snes_to_pc(0x808000, "sa1rom") == 0x200000
    assert snes_to_pc(0xA08000, "sa1rom") == 0x300000
    assert snes_to_pc(0xC01234, "sa1rom") == 0x001234
    assert snes_to_pc(0xD00000, "sa1rom") == 0x100000
    assert snes_to_pc(0xFFFFFF, "sa1rom") == 0x3FFFFF
    assert snes_to_pc(0x400000, "sa1rom") is None
    assert pc_to_snes(0x000000, "sa1rom") == 0x008000
    assert pc_to_snes(0x100000, "sa1rom") == 0x208000
    assert pc_to_snes(0x2F8000, "sa1rom") == 0x9F8000
    assert pc_to_snes(0x3FFFFF, "sa1rom") == 0xBFFFFF


# ---------------------------------------------------------------- all mappings


@pytest.mark.parametrize("mapping", MAPPINGS)
@pytest.mark.parametrize("fastrom", [False, True])
def test_round_trip(mapping, fastrom):
    limit = {
        "lorom": 0x400000,
        "hirom": 0x400000,
        "exlorom": 0x780000,
        "exhirom": 0x800000,
        "sa1rom": 0x400000,
    }[mapping]
    checked = 0
    for off in range(0, limit, 0x3FFF):
        try:
            addr = pc_to_snes(off, mapping, fastrom=fastrom)
        except ValueError:
            assert mapping == "exhirom" and 0x7E0000 <= off < 0x800000 and not off & 0x8000
            continue
        assert snes_to_pc(addr, mapping) == off
        assert region(addr, mapping) == "rom"
        checked += 1
    assert checked > 200


def test_unknown_mapping_and_bad_address():
    with pytest.raises(ValueError):
        snes_to_pc(0x008000, "superfx")
    with pytest.raises(ValueError):
        snes_to_pc(0x1000000, "lorom")
    assert snes_to_pc(0x008000, "LoROM") == 0


def test_rom_size_mirroring():
    # 512 KiB LoROM: bank $10 is beyond the end and mirrors bank $00
    assert snes_to_pc(0x108000, "lorom") == 0x080000
    assert snes_to_pc(0x108000, "lorom", rom_size=0x80000) == 0x000000
    assert snes_to_pc(0x8F8123, "lorom", rom_size=0x80000) == 0x078123
    # 3 MiB HiROM: the last MiB repeats in the top quarter
    assert snes_to_pc(0xF01234, "hirom", rom_size=0x300000) == 0x201234
    assert snes_to_pc(0xE01234, "hirom", rom_size=0x300000) == 0x201234
    assert snes_to_pc(0xD01234, "hirom", rom_size=0x300000) == 0x101234
    assert mirror_offset(0x600000, 0x600000) == 0x400000
    assert mirror_offset(0x5FFFFF, 0x600000) == 0x5FFFFF
    assert mirror_offset(0x7FFFFF, 0x600000) == 0x5FFFFF


# ---------------------------------------------------------------- regions


def test_wram_and_mirrors():
    assert wram_offset(0x000123) == 0x0123
    assert wram_offset(0x7E0123) == 0x0123
    assert wram_offset(0x801FFF) == 0x1FFF
    assert wram_offset(0x7F0000) == 0x10000
    assert wram_offset(0x002000) is None
    assert wram_offset(0x400123) is None
    for mapping in MAPPINGS:
        assert region(0x000123, mapping) == "wram"
        assert region(0xBF1FFF, mapping) == "wram"
        assert region(0x7FFFFF, mapping) == "wram"


def test_io_and_open():
    for mapping in MAPPINGS:
        assert region(0x002100, mapping) == "io"
        assert region(0x8021FF, mapping) == "io"
        assert region(0x004016, mapping) == "io"
        assert region(0x00420D, mapping) == "io"
        assert region(0x3F4300, mapping) == "io"
        assert region(0x0044FF, mapping) == "io"
        assert region(0x002000, mapping) == "open"
        assert region(0x004500, mapping) == "open"
        assert region(0x402100, mapping) != "io"
    assert region(0x002200, "lorom") == "open"
    assert region(0x002200, "sa1rom") == "io"
    assert region(0x006000, "lorom") == "open"
    assert region(0x006000, "hirom") == "open"  # banks $00-$1F have no SRAM


def test_sram_regions():
    assert region(0x700000, "lorom") == "sram"
    assert region(0x7D7FFF, "lorom") == "sram"
    assert region(0xF00000, "lorom") == "sram"
    assert sram_offset(0x700000, "lorom") == 0
    assert sram_offset(0x710010, "lorom") == 0x8010
    assert sram_offset(0x708000, "lorom") is None
    assert region(0x206000, "hirom") == "sram"
    assert region(0xBF7FFF, "hirom") == "sram"
    assert sram_offset(0x206000, "hirom") == 0
    assert sram_offset(0x216001, "hirom") == 0x2001
    assert sram_offset(0x306000, "exhirom") == 0x20000
    assert region(0x700000, "hirom") == "rom"
    assert region(0x700000, "exlorom") == "sram"
    assert region(0x708000, "exlorom") == "open"
    assert region(0x400000, "sa1rom") == "sram"
    assert region(0x003000, "sa1rom") == "sram"  # I-RAM
    assert sram_offset(0x416000, "sa1rom") == 0x16000
    assert sram_offset(0x006123, "sa1rom") == 0x0123


def test_region_rom_agrees_with_snes_to_pc():
    for mapping in MAPPINGS:
        for bank in range(0x100):
            for low in (0x0000, 0x2100, 0x6000, 0x7FFF, 0x8000, 0xFFFF):
                addr = (bank << 16) | low
                is_rom = snes_to_pc(addr, mapping) is not None
                assert (region(addr, mapping) == "rom") == is_rom, (mapping, hex(addr))


# ---------------------------------------------------------------- timing


def test_access_cycles():
    assert access_cycles(0x000000) == 8
    assert access_cycles(0x7E1234) == 8
    assert access_cycles(0x002100) == 6
    assert access_cycles(0x004016) == 12
    assert access_cycles(0x0041FF) == 12
    assert access_cycles(0x004200) == 6
    assert access_cycles(0x005FFF) == 6
    assert access_cycles(0x006000) == 8
    assert access_cycles(0x008000) == 8
    assert access_cycles(0x008000, fastrom=True) == 8
    assert access_cycles(0x808000) == 8
    assert access_cycles(0x808000, fastrom=True) == 6
    assert access_cycles(0x400000, fastrom=True) == 8
    assert access_cycles(0xC00000) == 8
    assert access_cycles(0xC00000, fastrom=True) == 6
    assert access_cycles(0x800000, fastrom=True) == 8


# ---------------------------------------------------------------- describe


def test_describe():
    assert describe(0x7E0123, "lorom").startswith("WRAM $7E:0123")
    assert "mirror" in describe(0x000123, "lorom")
    assert describe(0x000123, "lorom").startswith("WRAM $7E:0123")
    assert describe(0x002100, "lorom") == "PPU register $2100 INIDISP"
    assert describe(0x80420D, "lorom") == "CPU register $420D MEMSEL"
    assert describe(0x004325, "lorom") == "DMA channel 2 register $4325 DAS2L"
    assert describe(0x002145, "lorom") == "APU port $2145 APUIO1 (mirror of $2141)"
    assert describe(0x008000, "lorom") == "ROM file offset $000000 (LoROM)"
    assert describe(0x408000, "hirom") == "ROM file offset $008000 (HiROM), mirror of $C0:8000"
    assert describe(0x700010, "lorom").startswith("SRAM offset $00010")
    assert describe(0x002000, "lorom").startswith("open bus")
    assert register_name(0x2180) == "WMDATA"
    assert register_name(0x4216) == "RDMPYL"
    assert register_name(0x802145) == "APUIO1"
    assert register_name(0x7E2100) is None
