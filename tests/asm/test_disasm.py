"""The disassembler: width tracking, code flow, labels, data, and round trips through asar.

Every round trip re-assembles the disassembly with the real asar 1.91 (the oracle in
``asar_oracle.py``; a missing binary fails the test) and compares the bytes.
"""

from __future__ import annotations

import random

import pytest
from asar_oracle import run_asar

from triforce.asm.disasm import (
    Disassembly,
    DisassemblyError,
    disassemble,
    parse_hint,
    parse_symbols,
)
from triforce.isa import OPCODES, Mode
from triforce.snes.memmap import snes_to_pc

ASAR_ARGS = ("--no-title-check", "--fix-checksum=off")


def dis(hex_bytes: str, base: int = 0x008000, **kw) -> Disassembly:
    return disassemble(bytes.fromhex(hex_bytes), base, base=base, **kw)


def texts(d: Disassembly) -> list[str]:
    return [ln.text for ln in d.lines]


def line_at(d: Disassembly, address: int):
    for ln in d.lines:
        if ln.address == address:
            return ln
    raise AssertionError(f"no line at ${address:06X}:\n{d.text()}")


def assert_roundtrip(d: Disassembly, data: bytes, base: int, mapping: str = "lorom", rom=None):
    """asar assembles the disassembly to exactly ``data`` at ``base``, without warnings."""
    source = d.text()
    res = run_asar(source, rom=rom, args=ASAR_ARGS)
    assert res.ok, f"asar failed: {res.stderr}\n{source}"
    assert not res.warnings, f"asar warned: {res.warnings}\n{source}"
    off = snes_to_pc(base, mapping)
    got = res.rom[off : off + len(data)]
    if got != data:
        first = next((i for i, (a, b) in enumerate(zip(got, data, strict=False)) if a != b), min(len(got), len(data)))
        raise AssertionError(
            f"bytes differ from offset {first:#x} (got {got[first:first + 4].hex()} "
            f"want {data[first:first + 4].hex()})\n{source}"
        )


def roundtrip(hex_bytes: str, base: int = 0x008000, mapping: str = "lorom", **kw) -> Disassembly:
    data = bytes.fromhex(hex_bytes)
    d = disassemble(data, base, base=base, mapping=mapping, **kw)
    assert_roundtrip(d, data, base, mapping)
    return d


# ------------------------------------------------------------------------- widths


def test_rep_sep_change_immediate_widths():
    d = roundtrip("c2 30 a9 34 12 a2 78 56 e2 20 a9 12 e2 10 a0 05 60")
    assert texts(d) == [
        "rep #$30", "lda #$1234", "ldx #$5678", "sep #$20", "lda #$12", "sep #$10",
        "ldy #$05", "rts",
    ]
    assert (line_at(d, 0x008005).m, line_at(d, 0x008005).x) == (0, 0)
    assert (line_at(d, 0x00800E).m, line_at(d, 0x00800E).x) == (1, 1)


def test_sixteen_bit_immediate_below_0x100_keeps_four_digits():
    d = roundtrip("a9 12 00 a2 05 00 60", m=16, x=16)
    assert texts(d) == ["lda #$0012", "ldx #$0005", "rts"]
    assert [len(ln.bytes) for ln in d.lines] == [3, 3, 1]


def test_width_options_accept_flag_or_bits():
    assert texts(dis("a9 34 12 60", m=0))[0] == "lda #$1234"
    assert texts(dis("a9 34 12 60", m=16))[0] == "lda #$1234"
    assert texts(dis("a9 34 12 60", m=1))[0] == "lda #$34"
    assert texts(dis("a9 34 12 60", m=8))[0] == "lda #$34"
    with pytest.raises(DisassemblyError):
        dis("ea", m=4)


def test_xce_switches_modes():
    # starts in emulation mode: REP cannot clear M/X there
    d = roundtrip("c2 30 a9 12 18 fb c2 30 a9 34 12 38 fb a9 12 60", e=1)
    assert texts(d) == [
        "rep #$30", "lda #$12", "clc", "xce", "rep #$30", "lda #$1234", "sec", "xce",
        "lda #$12", "rts",
    ]
    assert line_at(d, 0x008002).e == 1
    assert line_at(d, 0x008008).e == 0


def test_xce_to_native_keeps_8_bit_until_rep():
    d = roundtrip("18 fb a9 12 c2 20 a9 34 12 60", e=1)
    assert texts(d) == ["clc", "xce", "lda #$12", "rep #$20", "lda #$1234", "rts"]


def test_plp_restores_widths_saved_by_php():
    d = roundtrip("08 c2 30 a9 34 12 28 a9 12 60", m=8, x=8)
    assert texts(d) == ["php", "rep #$30", "lda #$1234", "plp", "lda #$12", "rts"]
    assert line_at(d, 0x008007).comment is None


def test_plp_matches_through_nested_php_and_other_pushes():
    # php / sep #$30 / php / rep #$30 / pha(16) / pla / plp / lda #8bit / plp / lda #16bit
    d = roundtrip("08 e2 30 08 c2 30 48 68 28 a9 12 28 a9 34 12 60", m=16, x=16)
    assert texts(d) == [
        "php", "sep #$30", "php", "rep #$30", "pha", "pla", "plp", "lda #$12", "plp",
        "lda #$1234", "rts",
    ]


def test_plp_without_php_falls_back_to_the_width_option():
    d = roundtrip("28 a9 34 12 60", m=16)
    ln = line_at(d, 0x008001)
    assert ln.text == "lda #$1234"
    assert ln.m is None and "assumed m16" in ln.comment
    d = dis("28 a9 34 12 60")
    ln = line_at(d, 0x008001)
    assert ln.text == "lda #$34" and "assumed m8" in ln.comment


def test_callee_is_assumed_to_preserve_widths():
    # rep #$20 / jsr $8009 / lda #$1234 / rts / $8009: sep #$20 / rts
    code = "c2 20 20 09 80 a9 34 12 60 e2 20 60"
    d = roundtrip(code)
    assert line_at(d, 0x008005).text == "lda #$1234"
    assert line_at(d, 0x008009).text == "sep #$20"


def test_return_hint_changes_widths_after_the_call():
    code = "c2 20 20 09 80 a9 34 12 60 e2 20 60"
    d = roundtrip(code, hints={0x008009: "returns m8"})
    assert line_at(d, 0x008005).text == "lda #$34"


def test_symbol_file_gives_names_and_hints():
    sym = """; WLA symbol file
[labels]
00:8000 Main
00:800D SetNarrow ; sets 8-bit A, returns m8
7e:0010 Counter
[definitions]
00000010 SOME_CONSTANT
"""
    # rep #$20 / jsr SetNarrow / lda #$34 / lda $7E0010 / rts / db $EA / SetNarrow: sep #$20 / rts
    code = "c2 20 20 0d 80 a9 34 af 10 00 7e 60 ea e2 20 60"
    d = roundtrip(code, symbols=sym)
    assert line_at(d, 0x008000).label == "Main"
    assert line_at(d, 0x008002).text == "jsr SetNarrow"
    assert line_at(d, 0x008005).text == "lda #$34"
    assert line_at(d, 0x008007).text == "lda $7E0010"
    assert line_at(d, 0x008007).comment == "Counter"
    assert line_at(d, 0x00800C).text == "db $EA"
    assert line_at(d, 0x00800D).label == "SetNarrow"
    assert d.labels[0x00800D] == "SetNarrow"


def test_symbol_width_hint_sets_state_at_entry():
    sym = "[labels]\n00:8000 Wide ; m16 x16\n"
    d = roundtrip("a9 34 12 a2 78 56 60", symbols=sym)
    assert texts(d) == ["lda #$1234", "ldx #$5678", "rts"]


def test_entry_point_with_hint():
    # rts, then a routine at $8001 that runs with 16-bit A
    d = roundtrip("60 a9 34 12 60", entry_points=[(0x008001, "m16")])
    assert texts(d) == ["rts", "lda #$1234", "rts"]
    assert line_at(d, 0x008001).label == "CODE_008001"


def test_parse_symbols_and_hints():
    table = parse_symbols("[labels]\n00:8000 Reset\n80:8123 Nmi ; m16 x8\n[other]\n00:9000 Nope\n")
    assert table.labels == {0x008000: "Reset", 0x808123: "Nmi"}
    assert table.hints == {0x808123: "m16 x8"}
    h = parse_hint("m16, X8 returns m8")
    assert (h.m, h.x, h.ret_m, h.ret_x) == (0, 1, 1, None)
    with pytest.raises(DisassemblyError):
        parse_hint("m32")


# ------------------------------------------------------------------------- flow, labels, data


def test_conditional_branch_is_followed_both_ways():
    d = roundtrip("d0 03 a9 01 60 a9 02 60")
    assert texts(d) == ["bne .skip_8005", "lda #$01", "rts", "lda #$02", "rts"]
    assert all(ln.kind == "code" for ln in d.lines)
    assert line_at(d, 0x008005).label == ".skip_8005"
    assert d.labels[0x008005] == "CODE_008000_skip_8005"


def test_backward_branch_gets_a_loop_label():
    d = roundtrip("a2 05 ca d0 fd 60")
    assert texts(d) == ["ldx #$05", "dex", "bne .loop_8002", "rts"]
    assert line_at(d, 0x008002).label == ".loop_8002"


def test_known_carry_decides_bcc():
    # clc / bcc +2 always branches: the two bytes after it are data
    d = roundtrip("18 90 02 ff ff a9 00 60")
    assert texts(d) == ["clc", "bcc .skip_8005", "db $FF,$FF", "lda #$00", "rts"]
    assert line_at(d, 0x008003).kind == "data"


def test_jumps_and_calls_are_followed_and_labelled():
    # jsr $800F / jsl $008011 / jml $008013 / ...  $800F: rts  $8011: rtl  $8013: jmp $8016
    # $8016: bra $8016
    code = "20 0f 80 22 11 80 00 5c 13 80 00 ff ff ff ff 60 ff 6b ff 4c 16 80 80 fe"
    d = roundtrip(code)
    assert texts(d)[:3] == ["jsr CODE_00800F", "jsl CODE_008011", "jml CODE_008013"]
    assert line_at(d, 0x00800B).text == "db $FF,$FF,$FF,$FF"
    assert line_at(d, 0x00800F).label == "CODE_00800F"
    assert line_at(d, 0x008013).text == "jmp CODE_008016"
    assert line_at(d, 0x008016).text == "bra CODE_008016"


def test_paths_end_at_returns_stops_and_indirect_jumps():
    for end in ("60", "6b", "40", "db", "6c 00 90", "7c 00 90", "dc 00 90", "80 01"):
        data = end + " ea ea"
        d = roundtrip(data)
        n = len(bytes.fromhex(end))
        assert d.lines[0].kind == "code" and len(d.lines[0].bytes) == n
        assert line_at(d, 0x008000 + n).kind == "data", d.text()


def test_unreached_bytes_are_kept_as_db():
    d = roundtrip("60 12 34 56")
    assert texts(d) == ["rts", "db $12,$34,$56"]
    assert d.lines[1].kind == "data"


def test_hardware_registers_are_named_in_comments():
    # sta $2100 / sta $00420B / lda $4218 / sta $4300,x / rts
    d = roundtrip("8d 00 21 8f 0b 42 00 ad 18 42 9d 00 43 60")
    assert texts(d) == ["sta $2100", "sta $00420B", "lda $4218", "sta $4300,x", "rts"]
    assert [ln.comment for ln in d.lines] == ["INIDISP", "MDMAEN", "JOY1L", "DMAP0", None]
    assert "sta $2100" in d.text() and "; INIDISP" in d.text()


def test_operand_widths_follow_digit_count():
    # lda $12 / lda $0012 / lda $000012 / jmp ($1234) / mvn $01,$02 / rts
    d = roundtrip("a5 12 ad 12 00 af 12 00 00 54 01 02 60")
    assert texts(d) == ["lda $12", "lda $0012", "lda $000012", "mvn $01,$02", "rts"]


def test_branch_into_the_middle_of_an_instruction():
    # bne $8003 (the middle of bit $01A9) / bit $01A9 / rts
    d = roundtrip("d0 01 2c a9 01 60")
    assert texts(d) == ["bne CODE_008003", "bit $01A9", "rts"]
    assert d.definitions == {"CODE_008003": 0x008003}
    assert "CODE_008003 = $008003" in d.text()
    assert "CODE_008003 enters mid-instruction" in line_at(d, 0x008002).comment


def test_instruction_running_past_the_region_is_data():
    d = roundtrip("ea ad 00")
    assert texts(d) == ["nop", "db $AD,$00"]
    assert "past the end" in d.lines[1].comment


def test_branch_wrapping_around_the_bank_is_data():
    # at $C0:0000 a BRA back by 128 lands at $C0:FF82: asar calls that out of range
    d = roundtrip("80 80 60", base=0xC00000, mapping="hirom")
    assert d.lines[0].kind == "data" and "wraps" in d.lines[0].comment
    assert d.text().splitlines()[1] == "hirom"


def test_branch_out_of_the_region_uses_a_defined_label():
    d = roundtrip("ea 80 80", base=0x008100)
    assert texts(d) == ["nop", "bra CODE_008083"]
    assert d.definitions == {"CODE_008083": 0x008083}


def test_region_crossing_a_bank_gets_a_new_org():
    data = "ea" * 8 + "a9 12" + "ea" * 6
    d = roundtrip(data, base=0x00FFF8, length=16)
    text = d.text()
    assert "org $00FFF8" in text and "org $018000" in text
    assert line_at(d, 0x018000).kind == "data"  # the path ends at the bank's end


def test_length_and_end_select_the_region():
    data = bytes.fromhex("ea ea ea ea 60")
    assert disassemble(data, 0x008000, base=0x008000, length=2).size == 2
    assert disassemble(data, 0x008000, base=0x008000, end=0x008003).size == 3
    with pytest.raises(DisassemblyError):
        disassemble(data, 0x008000, base=0x008000, length=2, end=0x008003)


def test_bad_requests_are_user_errors():
    data = bytes(16)
    with pytest.raises(DisassemblyError):
        disassemble(data, 0x7E0000, base=0x7E0000)  # WRAM is not ROM
    with pytest.raises(DisassemblyError):
        disassemble(data, 0x009000, base=0x008000)  # outside the raw bytes
    with pytest.raises(DisassemblyError):
        disassemble(data, 0x008000, base=0x008000, entry_points=[0x00A000])
    with pytest.raises(DisassemblyError):
        disassemble(data, 0x008000, base=0x008000, hints={0x008000: "wide"})


# ------------------------------------------------------------------------- whole ROMs


def test_rom_is_read_through_the_mapping():
    rom = bytearray(0x20000)
    # $00:8000: rep #$20 / jsl $018000 / lda #$1234 / rts    $01:8000: sep #$20 / rtl
    rom[0:9] = bytes.fromhex("c2 20 22 00 80 01 a9 34 12")
    rom[9] = 0x60
    rom[0x8000:0x8003] = bytes.fromhex("e2 20 6b")
    rom = bytes(rom)
    d = disassemble(rom, 0x808000)  # the FastROM mirror; to the end of the bank
    assert d.start == 0x808000 and d.end == 0x810000
    assert texts(d)[:4] == ["rep #$20", "jsl $018000", "lda #$1234", "rts"]
    blank = bytes(len(rom))
    assert_roundtrip(d, rom[:0x8000], 0x808000, rom=blank)

    d2 = disassemble(rom, 0x008000, length=0x10000)
    assert texts(d2)[1] == "jsl CODE_018000"
    assert line_at(d2, 0x018000).label == "CODE_018000"
    assert "org $018000" in d2.text()
    assert_roundtrip(d2, rom[:0x10000], 0x008000, rom=blank)


def test_hirom_rom():
    rom = bytearray(random.Random(5).randbytes(0x10000))
    rom[0:6] = bytes.fromhex("c2 30 a9 34 12 60")
    d = disassemble(bytes(rom), 0xC00000, mapping="hirom", length=0x1000)
    assert texts(d)[:3] == ["rep #$30", "lda #$1234", "rts"]
    assert_roundtrip(d, bytes(rom[:0x1000]), 0xC00000, "hirom", rom=bytes(len(rom)))


# ------------------------------------------------------------------------- round trips


def _operand(op) -> bytes:
    if op.mode is Mode.REL8:
        return b"\x00"
    if op.mode is Mode.REL16:
        return b"\x00\x00"
    if op.mnemonic in ("JMP", "JSR") and op.mode is Mode.ABS:
        return b"\x00\x00"  # $00:0000 is WRAM: not followed
    if op.mnemonic in ("JML", "JSL") and op.mode is Mode.LONG:
        return b"\x00\x00\x7e"
    if op.mnemonic in ("REP", "SEP"):
        return b"\x00"
    return b"\x12\x34\x56"


@pytest.mark.parametrize("m, x", [(1, 1), (0, 0), (1, 0), (0, 1)])
def test_every_opcode_round_trips(m, x):
    blob = bytearray()
    starts = []
    for op in OPCODES:
        starts.append(0x008000 + len(blob))
        n = op.length(m, x)
        blob += bytes([op.code]) + _operand(op)[: n - 1]
        blob.append(0xDB)  # stp: keep the flow of one instruction out of the next
    data = bytes(blob)
    d = disassemble(data, 0x008000, base=0x008000, m=m, x=x, entry_points=starts[1:])
    for op, addr in zip(OPCODES, starts, strict=True):
        ln = line_at(d, addr)
        assert ln.kind == "code", (hex(op.code), ln)
        assert len(ln.bytes) == op.length(m, x), (hex(op.code), ln)
        assert ln.text.split()[0] == op.mnemonic.lower()
    assert_roundtrip(d, data, 0x008000)


@pytest.mark.parametrize("seed", range(8))
def test_random_bytes_round_trip(seed):
    rnd = random.Random(seed)
    size = 4096
    data = rnd.randbytes(size)
    mapping = ("lorom", "hirom")[seed % 2]
    base = (0x808000, 0xC00000, 0x00F800, 0xC0F800)[seed % 4]
    m = (None, 0, 1)[seed % 3]
    x = (None, 1, 0)[(seed // 3) % 3]
    step = rnd.choice((3, 7, 13))
    entries = [
        base + i for i in range(step, size, step) if snes_to_pc(base + i, mapping) is not None
        and (base & 0xFFFF) + i <= 0xFFFF
    ]
    d = disassemble(data, base, base=base, mapping=mapping, m=m, x=x, entry_points=entries)
    assert sum(ln.kind == "code" for ln in d.lines) > 500
    assert d.size == size
    assert_roundtrip(d, data, base, mapping)


def test_64k_round_trip():
    data = random.Random(64).randbytes(0x10000)
    entries = [0xC00000 + i for i in range(1, 0x10000, 3)]
    d = disassemble(data, 0xC00000, base=0xC00000, mapping="hirom", entry_points=entries)
    text = d.text()
    assert text.count("\n") > 20000
    assert_roundtrip(d, data, 0xC00000, "hirom")
