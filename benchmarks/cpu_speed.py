"""Instructions per second of Triforce's 65816 emulator beside py65's 6502 emulator.

A benchmark, not a test: python benchmarks/cpu_speed.py [--quick] [--peer-only] [--json PATH]
Three workloads, hand-assembled below for each CPU ("ADDR: BYTES ; [label:] source";
assemble() checks addresses and branch/JSR targets). Each program reads its iteration
count n from $04/$05 and ends at label "end". Per workload and emulator: an untimed
warm-up of n/10 iterations (Triforce may compile code blocks), then timed runs of n on
the *same* CPU object until --seconds are timed; the clock covers only cpu.run() or
py65's mpu.step() loop. Data are rewritten before each run, and the memory result and
instruction count checked after it, so a broken emulator cannot look fast.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "cpu_speed.json"
SNES_HZ = 3.58e6  # the 65816's fastest clock in a SNES (master clock / 6)
MAX_STEPS = 200_000_000
BRANCHES = {"BPL", "BMI", "BVC", "BVS", "BCC", "BCS", "BNE", "BEQ", "BRA"}
HEAD = "workload|tf instr|tf s|tf instr/s|py65 instr|py65 s|py65 instr/s|ratio|xSNES".split("|")
FORMATS = ["{:,}", "{:.2f}", "{:,.0f}"] * 2 + ["{:.2f}", "{:.3f}"]

COPY_6502 = """
0600: A9 10    ; pass: LDA #$10 reset the self-modified operand pages
0602: 8D 10 06 ; STA $0610      high byte of LDA $1000,X
0605: A9 20    ; LDA #$20
0607: 8D 13 06 ; STA $0613      high byte of STA $2000,X
060A: A0 10    ; LDY #$10       16 pages = 4 KiB
060C: A2 00    ; LDX #$00
060E: BD 00 10 ; copy: LDA $1000,X
0611: 9D 00 20 ; STA $2000,X
0614: E8       ; INX
0615: D0 F7    ; BNE copy
0617: EE 10 06 ; INC $0610      next source page
061A: EE 13 06 ; INC $0613      next destination page
061D: 88       ; DEY
061E: D0 EE    ; BNE copy
0620: E6 02    ; INC $02        passes done
0622: C6 04    ; DEC $04        passes left (at most 255)
0624: D0 DA    ; BNE pass
0626: 00       ; end: BRK
"""
COPY_816 = """
8000: 18       ; CLC
8001: FB       ; XCE            native mode
8002: C2 30    ; REP #$30       16-bit A, X and Y
8004: A4 04    ; LDY $04        passes to do
8006: A2 00 00 ; pass: LDX #$0000
8009: BD 00 10 ; copy: LDA $1000,X
800C: 9D 00 20 ; STA $2000,X
800F: E8       ; INX
8010: E8       ; INX
8011: E0 00 10 ; CPX #$1000     4 KiB
8014: D0 F3    ; BNE copy
8016: E6 02    ; INC $02        passes done
8018: 88       ; DEY
8019: D0 EB    ; BNE pass
801B: DB       ; end: STP
"""
MUL_6502 = """
0600: A5 04    ; next: LDA $04  16-bit counter c at $04
0602: 85 10    ; STA $10        multiplicand = c & $FF
0604: 49 A5    ; EOR #$A5
0606: 85 11    ; STA $11        multiplier = (c & $FF) ^ $A5
0608: 20 27 06 ; JSR mul
060B: 18       ; CLC
060C: A5 11    ; LDA $11        16-bit checksum at $02 += product
060E: 65 02    ; ADC $02
0610: 85 02    ; STA $02
0612: A5 12    ; LDA $12
0614: 65 03    ; ADC $03
0616: 85 03    ; STA $03
0618: A5 04    ; LDA $04        c -= 1
061A: D0 02    ; BNE nodec
061C: C6 05    ; DEC $05
061E: C6 04    ; nodec: DEC $04
0620: D0 DE    ; BNE next
0622: A5 05    ; LDA $05
0624: D0 DA    ; BNE next
0626: 00       ; end: BRK
0627: A9 00    ; mul: LDA #$00  8x8->16: $12:$11 = $10 * $11
0629: A2 08    ; LDX #$08
062B: 46 11    ; LSR $11        first multiplier bit -> C
062D: 90 03    ; loop: BCC skip
062F: 18       ; CLC
0630: 65 10    ; ADC $10
0632: 6A       ; skip: ROR A    product high byte
0633: 66 11    ; ROR $11        product low byte in, next multiplier bit out
0635: CA       ; DEX
0636: D0 F5    ; BNE loop
0638: 85 12    ; STA $12
063A: 60       ; RTS
"""
MUL_816 = """
8000: 18       ; CLC
8001: FB       ; XCE            native mode
8002: C2 30    ; REP #$30       16-bit A, X and Y
8004: A2 FF 01 ; LDX #$01FF
8007: 9A       ; TXS
8008: A4 04    ; LDY $04        counter c
800A: 98       ; next: TYA
800B: 85 10    ; STA $10        multiplicand = c
800D: 49 C3 A5 ; EOR #$A5C3
8010: 85 12    ; STA $12        multiplier = c ^ $A5C3
8012: 20 1E 80 ; JSR mul
8015: 18       ; CLC
8016: 65 02    ; ADC $02        checksum += product
8018: 85 02    ; STA $02
801A: 88       ; DEY
801B: D0 ED    ; BNE next
801D: DB       ; end: STP
801E: A9 00 00 ; mul: LDA #$0000 16x16->16: A = $10 * $12
8021: A2 10 00 ; LDX #$0010
8024: 0A       ; loop: ASL A
8025: 06 12    ; ASL $12        multiplier bit 15 -> C
8027: 90 03    ; BCC skip
8029: 18       ; CLC
802A: 65 10    ; ADC $10
802C: CA       ; skip: DEX
802D: D0 F5    ; BNE loop
802F: 60       ; RTS
"""
BCD_6502 = """
0600: F8       ; SED
0601: 18       ; inc: CLC       4-byte BCD counter at $20 += 1
0602: A5 20    ; LDA $20
0604: 69 01    ; ADC #$01
0606: 85 20    ; STA $20
0608: A5 21    ; LDA $21
060A: 69 00    ; ADC #$00
060C: 85 21    ; STA $21
060E: A5 22    ; LDA $22
0610: 69 00    ; ADC #$00
0612: 85 22    ; STA $22
0614: A5 23    ; LDA $23
0616: 69 00    ; ADC #$00
0618: 85 23    ; STA $23
061A: A5 04    ; LDA $04        16-bit counter c at $04 -= 1
061C: D0 02    ; BNE nodec
061E: C6 05    ; DEC $05
0620: C6 04    ; nodec: DEC $04
0622: D0 DD    ; BNE inc
0624: A5 05    ; LDA $05
0626: D0 D9    ; BNE inc
0628: D8       ; CLD
0629: 00       ; end: BRK
"""
BCD_816 = """
8000: 18       ; CLC
8001: FB       ; XCE            native mode
8002: C2 30    ; REP #$30       16-bit A, X and Y
8004: A4 04    ; LDY $04        counter c
8006: F8       ; SED
8007: 18       ; inc: CLC       4-byte BCD counter at $20 += 1
8008: A5 20    ; LDA $20
800A: 69 01 00 ; ADC #$0001
800D: 85 20    ; STA $20
800F: A5 22    ; LDA $22
8011: 69 00 00 ; ADC #$0000
8014: 85 22    ; STA $22
8016: 88       ; DEY
8017: D0 EE    ; BNE inc
8019: D8       ; CLD
801A: DB       ; end: STP
"""


def assemble(listing: str) -> tuple[int, bytes, int]:
    """(origin, code, end address) of a listing, after checking it."""
    code, labels, refs, origin = bytearray(), {}, [], int(listing.strip()[:4], 16)
    for line in listing.strip().splitlines():
        head, _, source = line.partition(";")
        addr, raw = int(head[:4], 16), bytes.fromhex(head[5:])
        if addr != origin + len(code):
            raise ValueError(f"address out of step: {line!r}")
        words = source.split()
        if words and words[0].endswith(":"):
            labels[words.pop(0)[:-1]] = addr
        if words and (words[0] in BRANCHES or words[0] == "JSR"):
            refs.append((addr, raw, words[0], words[1]))
        code += raw
    for addr, raw, mnemonic, label in refs:
        branch_target = (addr + 2 + int.from_bytes(raw[1:2], "little", signed=True)) & 0xFFFF
        target = raw[1] | raw[2] << 8 if mnemonic == "JSR" else branch_target
        if target != labels[label]:
            raise ValueError(f"{mnemonic} {label} at ${addr:04X} lands on ${target:04X}")
    return origin, bytes(code), labels["end"]


def bcd(value: int) -> bytes:  # 4-byte little-endian packed BCD, wrapping at 10**8
    return int(f"{value % 10**8:08d}", 16).to_bytes(4, "little")


def countdown_extra(c: int) -> int:  # the 6502 countdown's DEC $05, then LDA $05 / BNE
    return (c & 0xFF == 0) + 2 * ((c - 1) & 0xFF == 0)


PATTERN = bytes((i * 37 + (i >> 8) + 11) & 0xFF for i in range(4096))
BCD_START = 99_990_000  # near the top of 8 digits, so the counter wraps past 99999999

# For n iterations on one ISA: {addr: data} written before a run, {addr: data} wanted after, steps.
Spec = tuple[dict[int, bytes], dict[int, bytes], int]


def copy_spec(n: int, isa: str) -> Spec:
    if isa == "6502" and n > 255:
        raise ValueError("the 6502 copy counts passes in one byte")
    steps = 4 + 12292 * n if isa == "65816" else 16457 * n
    inputs = {2: bytes(2), 4: n.to_bytes(2, "little"), 0x1000: PATTERN, 0x2000: bytes(4096)}
    return inputs, {2: n.to_bytes(2, "little"), 0x2000: PATTERN}, steps


def mul_spec(n: int, isa: str) -> Spec:
    cs = range(1, n + 1)
    if isa == "65816":
        total = sum(c * (c ^ 0xA5C3) for c in cs) & 0xFFFF
        steps = 6 + sum(93 + 2 * (c ^ 0xA5C3).bit_count() for c in cs)
    else:
        total = sum((c & 0xFF) * (c & 0xFF ^ 0xA5) for c in cs) & 0xFFFF
        steps = sum(61 + 2 * (c & 0xFF ^ 0xA5).bit_count() + countdown_extra(c) for c in cs)
    return {2: bytes(2), 4: n.to_bytes(2, "little")}, {2: total.to_bytes(2, "little")}, steps


def bcd_spec(n: int, isa: str) -> Spec:
    cs = range(1, n + 1)
    steps = 6 + 9 * n if isa == "65816" else 2 + sum(17 + countdown_extra(c) for c in cs)
    return {4: n.to_bytes(2, "little"), 0x20: bcd(BCD_START)}, {0x20: bcd(BCD_START + n)}, steps


WORKLOADS = [  # name, iterations per timed run (about 0.5 s on py65), listings, spec
    ("copy 4 KiB", 28, COPY_816, COPY_6502, copy_spec),
    ("multiply", 6600, MUL_816, MUL_6502, mul_spec),
    ("BCD counter", 27000, BCD_816, BCD_6502, bcd_spec),
]


class Py65:
    name, isa = "py65", "6502"

    def __init__(self, listing: str) -> None:
        from py65.devices.mpu6502 import MPU
        self.origin, code, self.end = assemble(listing)
        self.mpu = MPU(pc=self.origin)
        self.memory = self.mpu.memory  # a list of 65536 ints
        self.memory[self.origin : self.origin + len(code)] = code

    def run(self) -> tuple[int, int, float]:
        mpu, end, step, steps = self.mpu, self.end, self.mpu.step, 0
        mpu.reset()  # PC = origin, S = $FF, P = $30, cycle count 0
        t0 = time.perf_counter()
        while mpu.pc != end:
            step()
            steps += 1
        return steps, mpu.processorCycles, time.perf_counter() - t0


class Triforce:
    name, isa = "triforce", "65816"

    def __init__(self, listing: str) -> None:
        from triforce.cpu import CPU, FlatMemory
        self.origin, code, self.end = assemble(listing)
        mem = FlatMemory()
        mem.load(self.origin, code)
        self.memory = mem.mem  # the harness writes data (never code) straight into it
        self.cpu = CPU(mem)

    def run(self) -> tuple[int, int, float]:
        cpu = self.cpu  # each program enters native mode itself (CLC/XCE)
        cpu.pbr, cpu.dbr, cpu.d, cpu.pc = 0, 0, 0, self.origin
        t0 = time.perf_counter()
        result = cpu.run(until=self.end, max_steps=MAX_STEPS)
        seconds = time.perf_counter() - t0
        if result.reason != "until":
            raise RuntimeError(f"triforce stopped: {result.reason} at ${cpu.pbr:02X}:{cpu.pc:04X}")
        return result.steps, result.cycles, seconds


@dataclass
class Totals:
    runs: int = 0
    steps: int = 0
    cycles: int = 0
    seconds: float = 0.0

    def add(self, other: Totals) -> None:
        for key, value in vars(other).items():
            setattr(self, key, getattr(self, key) + value)

    def rate(self) -> float:
        return self.steps / self.seconds

    def snes(self) -> float:  # emulated time (cycles at SNES_HZ) over wall time
        return self.cycles / SNES_HZ / self.seconds


def checked_run(runner, spec: Spec) -> Totals:
    """One run with fresh data; raises if the result or instruction count is wrong."""
    inputs, outputs, want_steps = spec
    for addr, data in inputs.items():
        runner.memory[addr : addr + len(data)] = data
    steps, cycles, seconds = runner.run()
    for addr, want in outputs.items():
        got = bytes(runner.memory[addr : addr + len(want)])
        if got != want:
            raise RuntimeError(f"{runner.name}: wrong result at ${addr:04X}: {got[:8].hex()}")
    if steps != want_steps:
        raise RuntimeError(f"{runner.name}: {steps:,} instructions run, expected {want_steps:,}")
    return Totals(1, steps, cycles, seconds)


def measure(runner_cls, listing: str, spec_of, n: int, min_seconds: float) -> Totals:
    """A warm-up run of n/10 iterations, then runs of n on the same CPU until min_seconds."""
    runner = runner_cls(listing)
    checked_run(runner, spec_of(max(1, n // 10), runner.isa))
    spec, totals = spec_of(n, runner.isa), Totals()
    while totals.runs == 0 or totals.seconds < min_seconds:
        totals.add(checked_run(runner, spec))
    return totals


def record(tri: Totals | None, peer: Totals) -> dict:
    """The JSON record of one workload (or of the total)."""
    out = {"py65": vars(peer) | {"instr_per_s": peer.rate()}}
    if tri:
        out["triforce"] = vars(tri) | {"instr_per_s": tri.rate()}
        out |= {"ratio": tri.rate() / peer.rate(), "snes_multiple": tri.snes()}
    return out


def table_row(name: str, tri: Totals | None, peer: Totals) -> list[str]:
    cells = [tri.steps, tri.seconds, tri.rate()] if tri else [None] * 3
    cells += [peer.steps, peer.seconds, peer.rate()]
    cells += [tri.rate() / peer.rate(), tri.snes()] if tri else [None] * 2
    return [name] + ["-" if v is None else f.format(v) for f, v in zip(FORMATS, cells, strict=True)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a tenth of the work, for smoke runs")
    ap.add_argument("--peer-only", action="store_true", help="py65 only; triforce is not imported")
    ap.add_argument("--seconds", type=float, default=1.5, help="least timed seconds per cell (1.5)")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    args = ap.parse_args(argv)
    min_seconds = args.seconds / 10 if args.quick else args.seconds
    try:
        py65_version = metadata.version("py65")
    except metadata.PackageNotFoundError:
        print("py65 is missing: pip install py65==1.2.0", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "src"))
    print(f"triforce 65816 vs py65 {py65_version} 6502 emulator; Python {sys.version.split()[0]}")
    print(f"each cell: warm-up (n/10), then runs of n on one CPU until {min_seconds:g} s, checked")
    print(f"xSNES = emulated / wall time; emulated time = triforce cycles / {SNES_HZ / 1e6} MHz\n")

    runs, peer_all, tri_all = {}, Totals(), None if args.peer_only else Totals()
    for name, n, listing816, listing6502, spec_of in WORKLOADS:
        n = max(1, n // 10) if args.quick else n
        peer = measure(Py65, listing6502, spec_of, n, min_seconds)
        tri = None if tri_all is None else measure(Triforce, listing816, spec_of, n, min_seconds)
        runs[name] = tri, peer, n
        peer_all.add(peer)
        if tri:
            tri_all.add(tri)
    rows = [HEAD] + [table_row(name, tri, peer) for name, (tri, peer, _) in runs.items()]
    rows.append(table_row("overall", tri_all, peer_all))
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEAD))]
    for r in rows:
        print(r[0].ljust(widths[0]), *map(str.rjust, r[1:], widths[1:]), sep="  ")

    overall = record(tri_all, peer_all)
    workloads = {k: record(t, p) | {"iterations_per_run": n} for k, (t, p, n) in runs.items()}
    report = {"python": platform.python_version(), "machine": platform.machine(),
              "py65": py65_version, "quick": args.quick, "peer_only": args.peer_only,
              "min_seconds": min_seconds, "snes_hz": SNES_HZ, "workloads": workloads,
              "overall": overall, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nJSON written to {args.json}")
    peer_text = f"py65 {peer_all.rate():,.0f} instr/s"
    if tri_all:
        print(f"overall: triforce {tri_all.rate():,.0f} instr/s, {peer_text},"
              f" ratio {overall['ratio']:.2f}, {overall['snes_multiple']:.3f}x a real SNES")
    else:
        print(f"overall: {peer_text} (triforce skipped: --peer-only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
