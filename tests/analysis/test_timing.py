"""Static cycle counts against the emulator's measured cycles."""

from __future__ import annotations

from pathlib import Path

import pytest

from triforce.analysis.execute import machine_from_source
from triforce.analysis.timing import data_accesses, time_source
from triforce.cli.main import main
from triforce.isa import OPCODES

# (source, iterations of its loop or None) - each routine ends in RTL and runs from reset state
PROGRAMS = [
    ("""org $008000
    clc : xce
    rep #$30
    lda #$1234
    sta $7E0010
    sep #$20
    lda $10
    inc a
    sta $7E0012
    rtl
""", None),
    ("""org $008000
    clc : xce
    rep #$30
    ldx #$0010
-   lda $1000,x
    sta $2000,x
    dex
    dex
    bpl -
    sep #$30
    rtl
""", 9),
    ("""org $008000
    clc : xce
    sep #$30
    ldy #$05
    lda #$00
-   clc
    adc #$03
    dey
    bne -
    rep #$20
    xba
    pha
    pla
    rtl
""", 5),
    ("""org $008000
    clc : xce
    rep #$20
    lda #$0003
    ldx #$00
    ldy #$40
    phb
    mvn $7E,$7E
    plb
    rtl
""", None),
]


def measured(source: str) -> int:
    machine = machine_from_source(source)
    cpu = machine.cpu
    cpu.s = 0x01FF
    result = cpu.run(max_steps=100_000, stop_on_return=True)
    assert result.reason == "return", result
    return result.cycles


@pytest.mark.parametrize(("source", "iterations"), PROGRAMS)
def test_static_cycles_equal_the_emulator(source, iterations):
    t = time_source(source)
    got = measured(source)
    if iterations is None and not t.loops:
        # the block move runs once per byte: its static count is per byte
        moves = [i for i in t.instructions if i.text.startswith(("MVN", "MVP"))]
        if moves:
            per_byte = moves[0].cycles_min
            assert got == t.cycles_min + per_byte * 3  # A=3 moves 4 bytes: 3 more passes
            return
        assert t.cycles_min == t.cycles_max == got
    else:
        (loop,) = t.loops
        lo, hi = t.with_iterations(loop, iterations)
        assert lo <= got <= hi
        assert got == lo  # no page crossings in these loops


def test_master_clocks_equal_the_emulator_on_straight_code():
    source = PROGRAMS[0][0]
    t = time_source(source)
    machine = machine_from_source(source)
    cpu = machine.cpu
    cpu.s = 0x01FF
    cpu.run(max_steps=1000, stop_on_return=True)
    assert t.master_min == t.master_max == cpu.master_clocks


def test_widths_follow_rep_and_sep():
    t = time_source("org $008000\n rep #$20\n lda #$1234\n sep #$20\n lda #$12\n")
    assert [(i.m, i.cycles_min, len(i.data)) for i in t.instructions] == [
        (1, 3, 2), (0, 3, 3), (0, 3, 2), (1, 2, 2)]


def test_ranges_for_branches_and_page_crossing():
    t = time_source("org $008000\n lda $1000,x\n beq +\n nop\n+ rts\n")
    lda, beq = t.instructions[0], t.instructions[1]
    assert (lda.cycles_min, lda.cycles_max) == (4, 5)  # +1 crossing a page (8-bit X)
    assert (beq.cycles_min, beq.cycles_max) == (2, 3)


def test_label_selects_a_routine():
    src = "org $008000\nFirst:\n nop\n rts\nSecond:\n inx\n.sub\n iny\n rtl\n"
    t = time_source(src, label="Second")
    assert [i.text for i in t.instructions] == ["INX", "INY", "RTL"]


def test_data_accesses_match_cycle_counts():
    # every instruction's cycles cover its fetches and data accesses
    for op in OPCODES:
        for m, x, e in ((1, 1, 0), (0, 0, 0), (1, 1, 1)):
            n = op.length(m, x) + data_accesses(op, m, x, e)
            assert n <= op.cycles(m, x, e, True, True, True, True), op


def test_cli_cycles(tmp_path, capsys):
    src = tmp_path / "r.asm"
    src.write_text(PROGRAMS[1][0])
    assert main(["cycles", str(src), "--iterations", "9"]) == 0
    out = capsys.readouterr().out
    assert f"{measured(PROGRAMS[1][0])}" in out.splitlines()[-1]
    assert main(["cycles", str(src), "--label", "Nope"]) == 1
    assert "no label 'Nope'" in capsys.readouterr().err


CORPUS = sorted(
    p for folder in ("optimize", "clean")
    for p in (Path(__file__).parent / "corpus" / folder).glob("*.asm")
)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_executed_instruction_within_its_static_count(path):
    """Run each corpus routine and hold every instruction's measured cycles to the static count.

    The static count of an instruction is checked where the emulator ran it with the
    register widths the static analysis assumed (it follows REP/SEP, not PLP or calls).
    """
    source = path.read_text()
    timing = time_source(source, filename=str(path))
    static = {i.address: i for i in timing.instructions}
    machine = machine_from_source(path)
    cpu = machine.cpu
    cpu.e, cpu.p, cpu.s = 0, 0x30, 0x01FF  # native, 8-bit, as the static analysis assumes
    first = timing.instructions[0].address  # (the source may start with data, e.g. vectors)
    cpu.pbr, cpu.pc = first >> 16, first & 0xFFFF
    checked = 0
    for _ in range(20_000):
        addr = cpu.address
        before_m, before_x = (cpu.p >> 5) & 1, (cpu.p >> 4) & 1
        op = OPCODES[machine.bus.peek(addr)]
        s_before = cpu.s
        cycles = cpu.step()
        row = static.get(addr)
        if row is not None and (row.m, row.x) == (before_m, before_x) and op.mnemonic not in (
            "MVN", "MVP"
        ):
            assert row.cycles_min <= cycles <= row.cycles_max, (
                f"{path.name} {row.text} at ${addr:06X}: emulator {cycles}, "
                f"static {row.cycles_min}-{row.cycles_max}"
            )
            checked += 1
        if op.mnemonic in ("RTS", "RTL", "RTI") and cpu.s > s_before and cpu.s > 0x01FF:
            break
    assert checked >= 3
