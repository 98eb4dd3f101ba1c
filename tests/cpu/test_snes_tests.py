"""Triforce's 65C816 emulator against the snes-tests cputest suite (1,610 tests).

The suite's text file is read from ``../shared/conformance/snes-tests`` (or
``$TRIFORCE_CONFORMANCE``); a missing folder fails the tests. Each instruction is encoded with
the project's instruction table, placed in a LoROM-like memory, run, and every register and
memory value of the Expected line is compared. The 59 tests whose checks live in the ROM's
assembly are run as ``snes_tests_cases.EXTRA`` describes. One test reports all failures at
once (the first 30 in detail) so the list stays readable.
"""

from __future__ import annotations

import functools
from collections import Counter

import pytest
from snes_tests_cases import (
    CODE_ADDR,
    ENV_VAR,
    ERRATA,
    EXPECTED_ADDITIONAL,
    EXPECTED_CASES,
    EXTRA,
    STP,
    Case,
    Extra,
    encode,
    flags_8bit,
    load_cases,
    rom_image,
    suite_path,
)

from triforce.isa import OPCODES

SHOW_FAILURES = 30
DEFAULT_S = 0x01EF
MAX_BLOCK_MOVE_STEPS = 0x20000


class SnesTestBus:
    """16 MiB of memory with the SNES WRAM mirror, for these tests only.

    Banks $00-$3F and $80-$BF map $0000-$1FFF to $7E:0000-$1FFF; every other address is
    plain, writable memory (ROM areas included, so the harness can place code there).
    """

    def __init__(self) -> None:
        self.mem = bytearray(0x1000000)
        self.dirty: set[int] = set()

    @staticmethod
    def phys(addr: int) -> int:
        addr &= 0xFFFFFF
        if not addr & 0xE000 and (addr >> 16) & 0x7F < 0x40:
            return 0x7E0000 | (addr & 0x1FFF)
        return addr

    def read(self, addr: int) -> int:
        return self.mem[self.phys(addr)]

    def peek(self, addr: int) -> int:
        return self.mem[self.phys(addr)]

    def write(self, addr: int, value: int) -> None:
        p = self.phys(addr)
        self.mem[p] = value & 0xFF
        self.dirty.add(p)

    def load(self, addr: int, data: bytes) -> None:
        for i, b in enumerate(data):
            self.write((addr & 0xFF0000) | ((addr + i) & 0xFFFF), b)

    def reset(self) -> None:
        mem = self.mem
        for p in self.dirty:
            mem[p] = 0
        self.dirty.clear()


# ---------------------------------------------------------------------------------------------
# Helpers


@functools.lru_cache(maxsize=1)
def _load() -> tuple[Case, ...]:
    return tuple(load_cases())


def suite_cases() -> tuple[Case, ...]:
    path = suite_path()
    if not path.is_file():
        pytest.fail(
            f"snes-tests conformance data not found at {path}. Put the shared conformance folder "
            f"next to the repository or point ${ENV_VAR} at it; these tests never skip.",
            pytrace=False,
        )
    return _load()


def _cpu_class():
    from triforce.cpu import CPU

    return CPU


def _inputs(case: Case) -> dict[str, int]:
    """The register values the ROM holds before the instruction (high bytes as hardware has them).

    The .inc loads A/X/Y with 16-bit index registers, then sets E and P: with X=1 (or E=1)
    the high bytes of X and Y become zero; E=1 forces M/X to 1 and S into page 1.
    """
    r = case.input.regs
    e = r["E"] & 1
    p = r["P"] & 0xFF
    if e:
        p |= 0x30
    x, y = r["X"] & 0xFFFF, r["Y"] & 0xFFFF
    if p & 0x10:
        x &= 0xFF
        y &= 0xFF
    s = r.get("S", DEFAULT_S) & 0xFFFF
    if e:
        s = 0x0100 | (s & 0xFF)
    return {
        "A": r["A"] & 0xFFFF,
        "X": x,
        "Y": y,
        "P": p,
        "E": e,
        "S": s,
        "D": r.get("D", 0) & 0xFFFF,
        "DBR": r.get("DBR", 0) & 0xFF,
    }


def _make_cpu(bus: SnesTestBus, regs: dict[str, int], start: int):
    cpu = _cpu_class()(bus)
    cpu.e = regs["E"]
    cpu.p = regs["P"]
    cpu.a = regs["A"]
    cpu.x = regs["X"]
    cpu.y = regs["Y"]
    cpu.s = regs["S"]
    cpu.d = regs["D"]
    cpu.dbr = regs["DBR"]
    cpu.pbr = start >> 16
    cpu.pc = start & 0xFFFF
    return cpu


_WIDTH = {"A": 4, "X": 4, "Y": 4, "S": 4, "D": 4, "P": 2, "E": 1, "DBR": 2}


def _got(cpu) -> dict[str, int]:
    return {
        "A": cpu.a & 0xFFFF,
        "X": cpu.x & 0xFFFF,
        "Y": cpu.y & 0xFFFF,
        "P": cpu.p & 0xFF,
        "E": cpu.e & 1,
        "S": cpu.s & 0xFFFF,
        "D": cpu.d & 0xFFFF,
        "DBR": cpu.dbr & 0xFF,
    }


def _compare(
    case: Case, cpu, bus: SnesTestBus, before: dict[str, int], extra: dict | None = None
) -> list[str]:
    """Differences between the machine and the Expected line (unnamed registers keep their input)."""
    want = dict(before)
    want.update(case.expected.regs)
    if extra:
        want.update(extra)
    got = _got(cpu)
    out = []
    for name in ("A", "X", "Y", "P", "E", "S", "D", "DBR"):
        w = _WIDTH[name]
        if got[name] != want[name]:
            out.append(f"{name} expected ${want[name]:0{w}x} got ${got[name]:0{w}x}")
    for addr, value in case.expected.mem:
        v = bus.peek(addr)
        if v != value:
            out.append(f"(${addr:06x}) expected ${value:02x} got ${v:02x}")
    return out


def _setup_memory(bus: SnesTestBus, case: Case) -> None:
    bus.reset()
    for addr, value in rom_image():
        bus.write(addr, value)
    for addr, value in case.input.mem:
        bus.write(addr, value)


def _pos(cpu) -> int:
    return ((cpu.pbr & 0xFF) << 16) | (cpu.pc & 0xFFFF)


def run_ordinary(case: Case, bus: SnesTestBus) -> tuple[bytes, list[str]]:
    """One instruction at $00:8000; returns (its bytes, problems)."""
    regs = _inputs(case)
    m8, x8 = flags_8bit(regs["P"], regs["E"])
    code = encode(case.instruction, m8, x8, pc=CODE_ADDR)
    _setup_memory(bus, case)
    bus.load(CODE_ADDR, code)
    cpu = _make_cpu(bus, regs, CODE_ADDR)
    end = CODE_ADDR + len(code)
    problems: list[str] = []
    if OPCODES[code[0]].mnemonic in ("MVN", "MVP"):
        # The move repeats the instruction until A wraps to $FFFF: run to the next one.
        res = cpu.run(until=end, max_steps=MAX_BLOCK_MOVE_STEPS, stop_on_brk=False)
        if _pos(cpu) != end:
            problems.append(f"block move did not finish: {res.reason} after {res.steps} steps")
    else:
        cpu.step()
    if _pos(cpu) != end:
        problems.append(f"PC expected ${end:06x} got ${_pos(cpu):06x}")
    problems += _compare(case, cpu, bus, regs)
    return code, problems


def run_additional(case: Case, spec: Extra, bus: SnesTestBus) -> tuple[bytes, list[str]]:
    """Run an "additional" test as tests-full.inc does; returns (bytes at start, problems)."""
    regs = _inputs(case)
    _setup_memory(bus, case)
    for addr, value in spec.memory:
        bus.write(addr, value)
    if spec.code:
        bus.load(spec.start, spec.code)
    for addr in spec.traps:
        bus.write(addr, STP)
    code = bytes(bus.peek((spec.start & 0xFF0000) | ((spec.start + i) & 0xFFFF)) for i in range(4))
    cpu = _make_cpu(bus, regs, spec.start)
    # BRK/COP tests execute BRK on purpose: the run must not stop before it.
    res = cpu.run(until=spec.until, max_steps=spec.max_steps, stop_on_brk=False)
    problems: list[str] = []
    if _pos(cpu) != spec.until:
        where = _pos(cpu)
        hint = " (a wrong-path trap)" if any(where in (t, t + 1) for t in spec.traps) else ""
        problems.append(
            f"expected to reach ${spec.until:06x}, stopped at ${where:06x}{hint} "
            f"({res.reason}, {res.steps} steps)"
        )
    problems += _compare(case, cpu, bus, regs, dict(spec.regs))
    return code, problems


def _run(case: Case, bus: SnesTestBus) -> tuple[bytes, list[str]]:
    try:
        if case.additional:
            return run_additional(case, EXTRA[case.number], bus)
        return run_ordinary(case, bus)
    except Exception as exc:  # one broken case must not hide the others
        return b"", [f"raised {type(exc).__name__}: {exc}"]


def _report(cases: list[Case], label: str) -> tuple[int, list[str], list[str]]:
    bus = SnesTestBus()
    passed = 0
    failures: list[str] = []
    notes: list[str] = []
    for case in cases:
        code, problems = _run(case, bus)
        erratum = ERRATA.get(case.number)
        if erratum is not None:
            if problems:
                notes.append(f"{case.title()}: known erratum ({erratum}): {'; '.join(problems)}")
            else:
                failures.append(f"{case.title()}: listed as an erratum ({erratum}) but passes")
            continue
        if problems:
            tags = " [undocumented]" if case.undocumented else ""
            tags += " [additional]" if case.additional else ""
            failures.append(
                f"{case.title()} [{code.hex(' ')}]{tags}\n      " + "\n      ".join(problems)
            )
        else:
            passed += 1
    print(
        f"\nsnes-tests {label}: {passed}/{len(cases)} passed, {len(failures)} failed, "
        f"{len(notes)} known errata"
    )
    for n in notes:
        print("  " + n)
    return passed, failures, notes


def _summary(label: str, total: int, passed: int, failures: list[str]) -> str:
    shown = failures[:SHOW_FAILURES]
    more = len(failures) - len(shown)
    lines = [f"snes-tests {label}: {passed}/{total} passed, {len(failures)} failed"]
    lines += ["  " + f for f in shown]
    if more:
        lines.append(f"  ... and {more} more")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Tests


def test_suite_parses_and_encodes():
    """Every case parses and every instruction encodes; the 59 special cases are all described."""
    cases = suite_cases()
    assert len(cases) == EXPECTED_CASES
    numbers = [c.number for c in cases]
    assert numbers == list(range(EXPECTED_CASES))
    additional = {c.number for c in cases if c.additional}
    assert len(additional) == EXPECTED_ADDITIONAL
    assert additional == set(EXTRA), sorted(additional ^ set(EXTRA))

    modes: Counter[str] = Counter()
    for case in cases:
        regs = _inputs(case)
        m8, x8 = flags_8bit(regs["P"], regs["E"])
        if not case.additional:
            code = encode(case.instruction, m8, x8)
            op = OPCODES[code[0]]
            assert len(code) == op.length(int(m8), int(x8)), case.title()
            modes[op.mode.label] += 1
            # The harness's code must not overlap the test's own memory.
            for addr, _ in case.input.mem + case.expected.mem:
                assert not CODE_ADDR <= addr < CODE_ADDR + len(code), case.title()
            continue
        spec = EXTRA[case.number]
        text = spec.runs or case.instruction
        code = encode(text, m8, x8, pc=spec.start, labels=spec.labels)
        if spec.code:
            placed = spec.code[: len(code)]
        else:
            mem = dict(case.input.mem)
            addrs = [
                (spec.start & 0xFF0000) | ((spec.start + i) & 0xFFFF) for i in range(len(code))
            ]
            assert all(a in mem for a in addrs), f"{case.title()}: code not in the Input line"
            placed = bytes(mem[a] for a in addrs)
        assert placed == code, (
            f"{case.title()}: {text!r} encodes to {code.hex()} not {placed.hex()}"
        )
        if spec.runs is None:
            assert encode(case.instruction, m8, x8, pc=spec.start, labels=spec.labels) == code
        mem = dict(case.input.mem)
        for t in spec.traps:
            assert mem.get(t, STP) == STP, f"{case.title()}: trap ${t:06x} clashes with Input"
    print("\naddressing modes of the ordinary tests:", dict(modes.most_common()))


def test_snes_tests_all():
    """All 1,610 tests: ordinary ones run one instruction, additional ones run per EXTRA."""
    cases = list(suite_cases())
    passed, failures, _ = _report(cases, "all")
    assert not failures, _summary("all", len(cases), passed, failures)


def test_snes_tests_additional():
    """The 59 tests whose set-up and checks live in tests-full.inc."""
    cases = [c for c in suite_cases() if c.additional]
    assert len(cases) == EXPECTED_ADDITIONAL
    passed, failures, _ = _report(cases, "additional")
    assert not failures, _summary("additional", len(cases), passed, failures)


def test_bus_mirror():
    """The harness bus mirrors WRAM the way the suite assumes."""
    bus = SnesTestBus()
    bus.write(0x000033, 0x12)
    assert bus.peek(0x7E0033) == 0x12
    assert bus.peek(0x800033) == 0x12
    bus.write(0x3F1FFF, 0x34)
    assert bus.peek(0x7E1FFF) == 0x34
    bus.write(0x401000, 0x56)  # $40:1000 is not a mirror
    assert bus.peek(0x7E1000) == 0
    bus.write(0x002000, 0x78)  # $00:2000 is not a mirror
    assert bus.peek(0x7E2000) == 0
    bus.reset()
    assert bus.peek(0x7E0033) == 0 and bus.peek(0x401000) == 0 and bus.peek(0x002000) == 0
