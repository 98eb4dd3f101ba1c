"""Round trip: every test program's bytes, disassembled, re-assemble to the same bytes.

Each case under ``cases/`` and ``corpus/`` that assembles on a blank LoROM is
assembled with Triforce's assembler; every written range is disassembled (as
code from its start, data where the flow does not reach) and the source is
assembled again, with Triforce's assembler and with asar.
"""

from __future__ import annotations

import pytest
from asar_oracle import run_asar
from asm_cases import cases, corpus

from triforce.asm import assemble
from triforce.asm.disasm import disassemble

_OTHER_MAPPERS = ("hirom", "exlorom", "exhirom", "sa1rom", "fullsa1rom", "sfxrom", "norom",
                  "arch", "spcblock")  # other mappings and SPC700 code are not LoROM 65816
PROGRAMS = [
    p for p in cases() + corpus()
    if p.expect_ok and p.rom_kind == "blank"
    and not any(line.strip().lower().split(" ")[0] in _OTHER_MAPPERS
                for line in p.source.splitlines())
]


def _ranges(written: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge written (offset, length) pairs into disjoint ranges within 32 KiB banks."""
    spans = sorted((o, o + n) for o, n in written if n)
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out = []
    for a, b in merged:
        while a < b:
            end = min(b, (a // 0x8000 + 1) * 0x8000)
            out.append((a, end))
            a = end
    return out


@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: p.name)
def test_disassembly_reassembles(prog):
    first = assemble(prog.source, filename=str(prog.path), files=prog.files(),
                     defines={k: v or "" for k, v in prog.defines.items()}, fix_checksum=False)
    assert first.ok, [str(d) for d in first.errors[:3]]
    assert first.mapping == "lorom"
    rom = first.rom
    for lo, hi in _ranges(first.written):
        bank, off = lo // 0x8000, lo % 0x8000
        start = (bank << 16) | 0x8000 | off
        dis = disassemble(rom, start, mapping="lorom", length=hi - lo)
        source = dis.text()
        ours = assemble(source, fix_checksum=False)
        assert ours.ok, f"{prog.name} ${start:06X}: {[str(d) for d in ours.errors[:3]]}"
        assert ours.rom[lo:hi] == rom[lo:hi], f"{prog.name}: ours differs at ${start:06X}"
        theirs = run_asar(source, args=["--no-title-check", "--fix-checksum=off"])
        assert theirs.exit_code == 0, f"{prog.name}: asar: {theirs.errors[:3]}"
        assert theirs.rom[lo:hi] == rom[lo:hi], f"{prog.name}: asar differs at ${start:06X}"
