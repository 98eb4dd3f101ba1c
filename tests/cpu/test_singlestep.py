"""The emulator against the SingleStepTests 65816 sample (../shared/conformance).

Every case runs one instruction from the initial state; registers, flags, memory
and the exact cycle count (the length of ``cycles``) must match the final state.
"""

from __future__ import annotations

import gzip
import json

from triforce.cpu import CPU, FlatMemory

REGS = ("a", "x", "y", "s", "d", "dbr", "pbr", "pc", "p", "e")


def run_case(mem: FlatMemory, case: dict) -> list[str]:
    ini, fin = case["initial"], case["final"]
    for addr, value in ini["ram"]:
        mem.mem[addr] = value
    cpu = CPU(mem)
    for r in REGS:
        setattr(cpu, r, ini[r])
    if cpu.e:
        # the suite's emulation-mode cases carry stack high bytes other than $01
        cpu.s = 0x100 | (cpu.s & 0xFF)
    cycles = cpu.step()
    got = cpu.state()
    diffs = [f"{r}: want {fin[r]:#x} got {got[r]:#x}" for r in REGS if got[r] != fin[r]]
    diffs += [
        f"ram[{addr:#08x}]: want {value:#04x} got {mem.mem[addr]:#04x}"
        for addr, value in fin["ram"]
        if mem.mem[addr] != value
    ]
    if cycles != len(case["cycles"]):
        diffs.append(f"cycles: want {len(case['cycles'])} got {cycles}")
    for addr, _ in ini["ram"] + fin["ram"]:
        mem.mem[addr] = 0
    return diffs


def test_singlestep_all_cases(conformance):
    files = sorted((conformance / "singlestep-65816").glob("*.jsonl.gz"))
    assert len(files) == 84, f"expected 84 opcode files, found {len(files)}"
    mem = FlatMemory()
    total = 0
    failures: list[str] = []
    for path in files:
        with gzip.open(path, "rt") as fh:
            for line in fh:
                case = json.loads(line)
                total += 1
                diffs = run_case(mem, case)
                if diffs:
                    failures.append(f"{case['name']}: {'; '.join(diffs)}")
    print(f"SingleStepTests: {total - len(failures)}/{total} passed")
    assert total == 21000
    assert not failures, f"{len(failures)} of {total} failed:\n" + "\n".join(failures[:30])
