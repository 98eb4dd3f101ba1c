"""The SNES register table: completeness, names, look-ups, known facts and ``triforce reg``."""

from __future__ import annotations

import argparse
import json
import re

import pytest

from triforce.cli import reg as reg_cli
from triforce.errors import UserError
from triforce.snes import registers
from triforce.snes.registers import by_address, lookup

RANGES = [
    (0x2100, 0x213F),
    (0x2140, 0x2143),
    (0x2180, 0x2183),
    (0x4016, 0x4017),
    (0x4200, 0x421F),
    (0x4300, 0x437F),
]
# addresses inside the ranges that are documented as no register (open bus)
GAPS = {0x420E, 0x420F} | {0x4300 + 0x10 * ch + off for ch in range(8) for off in (0xC, 0xD, 0xE)}
APU_MIRRORS = set(range(0x2144, 0x2180))
NAME_RE = re.compile(r"^[A-Z][A-Z0-9]*$")


def in_ranges(addr: int) -> bool:
    return any(lo <= addr <= hi for lo, hi in RANGES)


def names_of(query) -> list[str]:
    return [r.name for r in lookup(query)]


# ------------------------------------------------------------------ completeness


def test_every_address_in_the_ranges_is_a_register_or_a_documented_gap():
    for lo, hi in RANGES:
        for addr in range(lo, hi + 1):
            reg = by_address(addr)
            if addr in GAPS:
                assert reg is None, f"${addr:04X} should be open bus"
                assert addr in registers.unused_addresses()
                continue
            assert reg is not None, f"no register at ${addr:04X}"
            assert reg.address == addr
            assert NAME_RE.match(reg.name), reg.name


def test_documented_gaps_are_exactly_the_open_bus_addresses():
    assert set(registers.unused_addresses()) == GAPS
    for note in registers.unused_addresses().values():
        assert "open bus" in note


def test_no_address_outside_the_ranges_claims_to_be_a_register():
    for addr in range(0x10000):
        reg = by_address(addr)
        if in_ranges(addr) and addr not in GAPS:
            assert reg is not None
        elif addr in APU_MIRRORS:           # documented: $2144-$217F repeat the APU ports
            assert reg is not None and reg.address == 0x2140 + (addr & 3)
        else:
            assert reg is None, f"${addr:04X} claims to be {reg.name}"


def test_counts():
    regs = registers.all_registers()
    in_range = sum(hi - lo + 1 for lo, hi in RANGES)
    assert len(regs) == in_range - len(GAPS) == 208
    assert registers.load() is regs                  # cached
    assert [r.address for r in regs] == sorted(r.address for r in regs)
    assert sum(1 for r in regs if r.group == "dma") == 8 * 13
    assert sum(len(r.aliases) for r in regs) > 150


def test_names_and_aliases_are_unique():
    owner: dict[str, int] = {}
    for r in registers.all_registers():
        for n in (r.name, *r.aliases):
            key = n.upper()
            assert key not in owner or owner[key] == r.address, f"{n} used twice"
            owner[key] = r.address
    # a value name covers only the bytes of that value and is nobody's own name
    for r in registers.all_registers():
        for n in r.combined:
            assert n.upper() not in owner
            assert [x.address for x in lookup(n)] == list(r.parts())


def test_every_register_is_fully_described():
    for r in registers.all_registers():
        assert r.access in ("r", "w", "rw")
        assert r.size in registers.SIZES
        assert r.group in registers.GROUPS
        assert r.description.strip() and r.timing.strip()
        assert "{x}" not in r.description + r.timing + r.name
        sides = ("r", "w") if any(b.side for b in r.bits) else ("",)
        for side in sides:
            covered = []
            for b in r.bits:
                if b.side in ("", side):
                    covered += range(b.low, b.high + 1)
            assert sorted(covered) == list(range(r.width)), f"{r.name} bits {side}"
        for b in r.bits:
            assert b.name and b.meaning


def test_multi_byte_values_are_consistent():
    for r in registers.all_registers():
        parts = r.parts()
        assert r.address in parts
        for a in parts:
            other = by_address(a)
            assert other.combined == r.combined and other.access == r.access
        if r.size == "byte":
            assert parts == (r.address,)


def test_dma_channels_are_expanded_from_one_template():
    for ch in range(8):
        base = 0x4300 + 0x10 * ch
        expected = [f"DMAP{ch}", f"BBAD{ch}", f"A1T{ch}L", f"A1T{ch}H", f"A1B{ch}", f"DAS{ch}L",
                    f"DAS{ch}H", f"DASB{ch}", f"A2A{ch}L", f"A2A{ch}H", f"NTRL{ch}", f"UNUSED{ch}"]
        assert [by_address(base + i).name for i in range(12)] == expected
        mirror = by_address(base + 0xF)
        assert mirror.name == f"UNUSED{ch}MIRROR" and f"${base + 0xB:04X}" in mirror.description
        for i in (*range(12), 0xF):
            assert by_address(base + i).channel == ch
            assert by_address(base + i).access == "rw"


# ------------------------------------------------------------------ look-ups


@pytest.mark.parametrize("query", ["$2100", "2100", "0x2100", "0X2100", "$00:2100", "00:2100",
                                   "$002100", "002100", "$80:2100", "$3F:2100", "$BF:2100",
                                   " $2100 ", 0x2100, 0x802100, 0x3F2100])
def test_lookup_address_forms(query):
    assert names_of(query) == ["INIDISP"]


@pytest.mark.parametrize("query, name", [
    ("INIDISP", "INIDISP"), ("inidisp", "INIDISP"), ("ObSeL", "OBSEL"),
    ("OBJSEL", "OBSEL"), ("vmainc", "VMAIN"), ("RDOAM", "OAMDATAREAD"),
    ("RDVRAML", "VMDATALREAD"), ("RDCGRAM", "CGDATAREAD"), ("JOYA", "JOYSER0"),
    ("JOYB", "JOYSER1"), ("JOYWR", "JOYSER0"), ("M7HOFS", "BG1HOFS"), ("CGSWSEL", "CGWSEL"),
    ("APUI00", "APUIO0"), ("NTLR3", "NTRL3"), ("DMA5MODE", "DMAP5"), ("A1B0", "A1B0"),
    ("DAS2B", "DASB2"), ("A1TL7", "A1T7L"), ("WMADDB", "WMADDH"), ("MAINDES", "TM"),
])
def test_lookup_names_and_aliases(query, name):
    assert names_of(query) == [name]


@pytest.mark.parametrize("query, expected", [
    ("$2116", ["VMADDL"]), ("$2117", ["VMADDH"]),          # either half of a pair
    ("$4219", ["JOY1H"]), ("$92:4214", ["RDDIVL"]),
    ("$2144", ["APUIO0"]), ("$2145", ["APUIO1"]), ("$217F", ["APUIO3"]),  # APU port mirrors
    ("$81:2142", ["APUIO2"]),
])
def test_lookup_halves_and_mirrors(query, expected):
    assert names_of(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("VMADD", ["VMADDL", "VMADDH"]),
    ("vmdata", ["VMDATAL", "VMDATAH"]),
    ("WMADD", ["WMADDL", "WMADDM", "WMADDH"]),
    ("MPY", ["MPYL", "MPYM", "MPYH"]),
    ("RDMPY", ["RDMPYL", "RDMPYH"]),
    ("OAMADD", ["OAMADDL", "OAMADDH"]),
    ("HTIME", ["HTIMEL", "HTIMEH"]),
    ("JOY2", ["JOY2L", "JOY2H"]),
    ("A1T3", ["A1T3L", "A1T3H"]),
    ("DMA6SIZE", ["DAS6L", "DAS6H"]),
])
def test_lookup_multi_byte_values(query, expected):
    assert names_of(query) == expected


def test_lookup_dma_register_of_every_channel():
    assert names_of("DMAPx") == [f"DMAP{ch}" for ch in range(8)]
    assert names_of("dmaxmode") == [f"DMAP{ch}" for ch in range(8)]
    assert names_of("$43x1") == [f"BBAD{ch}" for ch in range(8)]
    assert names_of("43xA") == [f"NTRL{ch}" for ch in range(8)]
    assert names_of("43xF") == [f"UNUSED{ch}MIRROR" for ch in range(8)]
    assert len(lookup("A1Tx")) == 16


@pytest.mark.parametrize("query, needle", [
    ("ZZZ", "unknown register 'ZZZ'"),
    ("INIDSP", "did you mean INIDISP"),
    ("", "empty"),
    ("$7E:2100", "banks $00-$3F and $80-$BF"),
    ("$40:4200", "banks $00-$3F and $80-$BF"),
    (0x7E2100, "banks $00-$3F and $80-$BF"),
    ("$420E", "open bus"),
    ("$430D", "open bus"),
    ("43xC", "open bus"),
    ("$1234", "no register at '$1234'"),
    ("$2184", "no register"),
    ("$4380", "no register"),
    ("$4015", "no register"),
    ("$1000000", "out of range"),
    (-1, "out of range"),
    ("0x", "unknown register"),
])
def test_bad_input_raises_one_line_user_error(query, needle):
    with pytest.raises(UserError) as info:
        lookup(query)
    msg = str(info.value)
    assert needle in msg
    assert "\n" not in msg


# ------------------------------------------------------------------ facts


def reg(name: str) -> registers.Register:
    (r,) = lookup(name)
    return r


def field(r: registers.Register, bits: str) -> registers.BitField:
    (f,) = [b for b in r.bits if b.bits == bits and b.side in ("", "w" if r.writable else "r")]
    return f


def test_inidisp():
    r = by_address(0x2100)
    assert r.name == "INIDISP" and r.access == "w" and r.size == "byte" and r.group == "ppu"
    assert field(r, "7").name == "force_blank"
    assert "forced blank" in field(r, "7").meaning
    assert field(r, "3-0").name == "brightness"


def test_cpu_status_and_dma_enable():
    rdnmi = by_address(0x4210)
    assert rdnmi.name == "RDNMI" and rdnmi.access == "r" and not rdnmi.writable
    assert field(rdnmi, "7").name == "nmi_flag"
    mdmaen = by_address(0x420B)
    assert mdmaen.name == "MDMAEN" and mdmaen.access == "w"
    assert by_address(0x420C).name == "HDMAEN"
    assert by_address(0x4211).name == "TIMEUP" and by_address(0x4212).name == "HVBJOY"


def test_vram_ports():
    lo, hi = by_address(0x2118), by_address(0x2119)
    assert (lo.name, lo.size, lo.access) == ("VMDATAL", "word-low", "w")
    assert (hi.name, hi.size, hi.access) == ("VMDATAH", "word-high", "w")
    assert "v-blank or forced blank" in lo.timing
    assert by_address(0x2139).name == "VMDATALREAD" and by_address(0x2139).access == "r"
    assert by_address(0x213A).name == "VMDATAHREAD"


def test_dma_addresses():
    assert by_address(0x4300).name == "DMAP0"
    assert by_address(0x4372).name == "A1T7L"
    assert by_address(0x4373).name == "A1T7H"
    assert by_address(0x4373).size == "word-high"
    assert by_address(0x437A).name == "NTRL7"
    assert by_address(0x4301).name == "BBAD0"


def test_write_twice_and_single_write_registers():
    for name in ("BG1HOFS", "BG1VOFS", "BG4VOFS", "M7A", "M7B", "M7C", "M7D", "M7X", "M7Y",
                 "CGDATA"):
        assert reg(name).size == "write-twice", name
        assert reg(name).width == 16
    for name in ("COLDATA", "OAMDATA", "INIDISP", "WH0"):
        assert reg(name).size == "byte", name
    for name in ("OPHCT", "OPVCT", "CGDATAREAD"):
        assert reg(name).size == "read-twice", name
    assert field(reg("CGDATA"), "4-0").name == "red"
    assert field(reg("CGDATA"), "14-10").name == "blue"


def test_math_timing():
    assert "8 CPU cycles" in reg("WRMPYB").timing
    assert "16 CPU cycles" in reg("WRDIVB").timing
    assert "$FFFF" in reg("WRDIVB").description              # division by zero
    assert "immediately" in reg("MPYL").timing               # the PPU multiplier has no wait
    assert reg("WRMPYA").access == "w" and reg("RDMPYL").access == "r"


def test_ports_and_misc():
    for i in range(4):
        r = by_address(0x2140 + i)
        assert r.name == f"APUIO{i}" and r.access == "rw" and r.group == "apu"
    assert reg("WMDATA").access == "rw"
    assert [by_address(a).size for a in (0x2181, 0x2182, 0x2183)] == \
        ["long-low", "long-mid", "long-high"]
    assert reg("JOYSER0").access == "rw" and reg("JOYSER1").access == "r"
    assert {b.side for b in reg("JOYSER0").bits} == {"r", "w"}
    assert field(reg("NMITIMEN"), "7").name == "nmi_enable"
    assert field(reg("NMITIMEN"), "0").name == "auto_joypad"
    assert field(reg("MEMSEL"), "0").name == "fastrom"
    assert field(reg("JOY1H"), "7").name == "b" and field(reg("JOY1L"), "7").name == "a"
    assert "v-blank" in reg("HDMAEN").timing and "top of each frame" in reg("HDMAEN").timing
    assert field(reg("OBSEL"), "7-5").name == "size"
    assert field(reg("BGMODE"), "2-0").name == "mode"


def test_size_text_names_the_other_half():
    assert "$2117 VMADDH" in by_address(0x2116).size_text()
    assert "$2181 WMADDL" in by_address(0x2182).size_text()
    assert "written twice" in reg("BG1HOFS").size_text()


# ------------------------------------------------------------------ the loader's checks


def minimal(**over) -> dict:
    entry = {"address": 0x2100, "name": "INIDISP", "access": "w", "size": "byte",
             "group": "ppu", "description": "d", "timing": "t",
             "bits": [{"bits": "7-0", "name": "all", "meaning": "m"}]}
    entry.update(over)
    return {"register": [entry]}


def test_loader_accepts_a_minimal_table():
    table = registers._build(minimal())
    assert table.by_address[0x2100].name == "INIDISP"


@pytest.mark.parametrize("over, needle", [
    ({"bits": [{"bits": "7-1", "name": "a", "meaning": "m"}]}, "do not cover"),
    ({"bits": [{"bits": "7-0", "name": "a", "meaning": "m"},
               {"bits": "0", "name": "b", "meaning": "m"}]}, "overlap"),
    ({"bits": [{"bits": "8-0", "name": "a", "meaning": "m"}]}, "outside"),
    ({"access": "x"}, "access"),
    ({"size": "dword"}, "size"),
    ({"group": "gpu"}, "group"),
    ({"timing": ""}, "timing"),
])
def test_loader_rejects_bad_entries(over, needle):
    with pytest.raises(ValueError, match=needle):
        registers._build(minimal(**over))


def test_loader_rejects_a_name_used_twice():
    data = minimal()
    data["register"].append(dict(data["register"][0], address=0x2101))
    with pytest.raises(ValueError, match="used by"):
        registers._build(data)


# ------------------------------------------------------------------ triforce reg


def run_reg(capsys, *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="triforce")
    sub = parser.add_subparsers(dest="command")
    reg_cli.register(sub)
    args = parser.parse_args(["reg", *argv])
    code = args.func(args)
    out, err = capsys.readouterr()
    assert err == ""
    return code, out


def test_cli_text(capsys):
    code, out = run_reg(capsys, "$2100", "objsel")
    assert code == 0
    assert out.startswith("$2100  INIDISP  (ppu)")
    assert "$2101  OBSEL  (ppu)" in out
    assert "write-only" in out and "force_blank" in out and "timing:" in out
    assert "aliases:  OBJSEL" in out


def test_cli_json(capsys):
    code, out = run_reg(capsys, "$4210", "VMADD", "$2116", "--json")
    assert code == 0
    data = json.loads(out)
    assert [d["name"] for d in data] == ["RDNMI", "VMADDL", "VMADDH"]   # duplicates dropped
    rdnmi = data[0]
    assert rdnmi["address"] == "$4210" and rdnmi["access"] == "r" and rdnmi["size"] == "byte"
    assert rdnmi["bits"][0] == {"bits": "7", "name": "nmi_flag",
                                "meaning": rdnmi["bits"][0]["meaning"]}
    for key in ("aliases", "description", "timing", "group"):
        assert key in rdnmi
    assert data[1]["size"] == "word-low" and data[1]["combined"][0] == "VMADD"


def test_cli_json_every_register(capsys):
    code, out = run_reg(capsys, *[f"${r.address:04X}" for r in registers.all_registers()],
                        "--json")
    data = json.loads(out)
    assert len(data) == len(registers.all_registers())
    assert all(d["address"].startswith("$") and len(d["address"]) == 5 for d in data)


def test_cli_bad_input_is_a_user_error(capsys):
    parser = argparse.ArgumentParser(prog="triforce")
    reg_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["reg", "$2100", "NOPE"])
    with pytest.raises(UserError, match="unknown register 'NOPE'"):
        args.func(args)
