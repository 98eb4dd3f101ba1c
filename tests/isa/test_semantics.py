"""The instruction-semantics table against the emulator: every opcode in every width
variant, run from random states on a bus of noise.

Registers and flags: a part outside ``writes`` keeps its value, and changing a part
outside ``reads`` changes nothing but that part. Memory: only the operand's bytes are
written, as many as the table says. Stack: S moves by the bytes pushed or pulled. Flow:
where PC goes. Widths: ``next_widths`` gives the M, X and E the emulator ends with.
"""

from __future__ import annotations

import itertools
import random

import pytest

from triforce.cpu import CPU
from triforce.isa import OPCODES, Mode
from triforce.isa.semantics import (
    BRANCH_FLAG,
    EMULATION,
    VARIANTS,
    Access,
    Flow,
    Part,
    Result,
    Widths,
    effects,
    ends_block,
    mnemonics_where,
    next_widths,
)


class NoiseMemory:
    """A 24-bit bus where every byte holds pseudo-random data until it is written."""

    def __init__(self) -> None:
        self.salt = 0
        self.writes: dict[int, int] = {}

    def read(self, addr: int) -> int:
        v = self.writes.get(addr)
        return (hash((self.salt, addr)) >> 5) & 0xFF if v is None else v

    def write(self, addr: int, value: int) -> None:
        self.writes[addr] = value & 0xFF

    peek = read


_REGS = {Part.AL: ("a", 0), Part.AH: ("a", 8), Part.XL: ("x", 0), Part.XH: ("x", 8),
         Part.YL: ("y", 0), Part.YH: ("y", 8)}
_PARTS = sorted(Part, key=int)


def _get(regs: dict, part: Part) -> int:
    if part <= 0x80:
        return 1 if regs["p"] & part else 0
    name, shift = _REGS[part]
    return (regs[name] >> shift) & 0xFF


def _step(cpu: CPU, mem: NoiseMemory, opcode: int, regs: dict, salt: int) -> dict:
    mem.salt = salt
    mem.writes.clear()
    addr = (regs["pbr"] << 16) | regs["pc"]
    mem.writes[addr] = opcode
    cpu.pending = 0
    cpu.set_registers(**regs)
    cpu.step()
    out = {k: getattr(cpu, k) for k in ("a", "x", "y", "s", "d", "dbr", "pbr", "pc", "p", "e")}
    out["mem"] = dict(mem.writes)
    out["pending"] = cpu.pending
    out["halted"] = cpu.stopped or cpu.waiting
    return out


def _widths(v: int) -> tuple[int, int, int]:
    return (1, 1, 1) if v == EMULATION else (v >> 1, v & 1, 0)


def _state(rng: random.Random, m: int, x: int, e: int) -> dict:
    p = rng.getrandbits(8)
    p = (p | 0x30) if e else (p & ~0x30) | (m << 5) | (x << 4)
    regs = {"a": rng.getrandbits(16), "x": rng.getrandbits(16), "y": rng.getrandbits(16),
            "s": rng.getrandbits(16), "d": rng.getrandbits(16), "dbr": rng.getrandbits(8),
            "pbr": rng.getrandbits(8), "pc": rng.getrandbits(16), "p": p, "e": e}
    if x or e:
        regs["x"] &= 0xFF
        regs["y"] &= 0xFF
    if e:
        regs["s"] = 0x100 | (regs["s"] & 0xFF)
    return regs


def _bench(variant: int, seed: int) -> tuple[random.Random, NoiseMemory, CPU, int, int, int]:
    """A seeded generator, a noise bus, a CPU on it and the variant's widths."""
    mem = NoiseMemory()
    return (random.Random(seed + variant), mem, CPU(mem), *_widths(variant))


@pytest.mark.parametrize("variant", VARIANTS)
def test_registers_and_flags_match_the_emulator(variant):
    rng, mem, cpu, m, x, e = _bench(variant, 7)
    for op in OPCODES:
        fx = effects(op, m, x, e)
        for _ in range(3):
            regs = _state(rng, m, x, e)
            salt = rng.getrandbits(32)
            base = _step(cpu, mem, op.code, regs, salt)
            w = int(fx.writes)
            if fx.flags_from_operand:
                operand = mem.read((regs["pbr"] << 16) | ((regs["pc"] + 1) & 0xFFFF))
                w |= operand & (0xCF if e else 0xFF)
            if not regs["p"] & 0x10 and base["p"] & 0x10:
                w |= Part.XH | Part.YH
            if base["e"] and not e:
                w |= Part.MF | Part.XF
            where = f"{op.mnemonic} {op.mode.name} variant {variant}"
            if fx.nz_from in (Result.A, Result.X, Result.Y):
                reg = fx.nz_from.name.lower()
                bits = 8 if (m if fx.nz_from is Result.A else x) else 16
                value = base[reg] & ((1 << bits) - 1)
                assert bool(base["p"] & 0x80) == bool(value >> (bits - 1)), f"{where}: N"
                assert bool(base["p"] & 0x02) == (value == 0), f"{where}: Z"
            assert (fx.nz_from is None) == (not fx.writes & (Part.N | Part.Z)), where
            for part in _PARTS:
                if not w & part:
                    assert _get(base, part) == _get(regs, part), (
                        f"{where}: {part.name} changed but is not in writes")
            for part in _PARTS:
                if fx.reads & part:
                    continue
                if part in (Part.XF, Part.MF) and e:
                    continue  # forced in emulation mode
                if part is Part.XF and not x:
                    continue  # X 0->1 would also clear X.h and Y.h
                if part in (Part.XH, Part.YH) and (x or e):
                    continue  # 8-bit index registers have no high byte
                flipped = dict(regs)
                if part <= 0x80:
                    flipped["p"] ^= part
                else:
                    name, shift = _REGS[part]
                    flipped[name] ^= rng.randrange(1, 256) << shift
                other = _step(cpu, mem, op.code, flipped, salt)
                for key in base:
                    a, b = base[key], other[key]
                    if not w & part:  # passed through: differs in that part only
                        if part <= 0x80 and key == "p":
                            a, b = a & ~part, b & ~part
                        elif part > 0x80 and key == _REGS[part][0]:
                            mask = ~(0xFF << _REGS[part][1])
                            a, b = a & mask, b & mask
                    assert a == b, f"{where}: {part.name} changes {key} but is not in reads"


def _signed(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


@pytest.mark.parametrize("variant", VARIANTS)
def test_memory_stack_and_flow_match_the_emulator(variant):
    rng, mem, cpu, m, x, e = _bench(variant, 100)
    for op in OPCODES:
        fx = effects(op, m, x, e)
        where = f"{op.mnemonic} {op.mode.name} variant {variant}"
        length = op.length(m, x)
        left_the_line = False
        for _ in range(24):
            regs = _state(rng, m, x, e)
            salt = rng.getrandbits(32)
            code_at = (regs["pbr"] << 16) | regs["pc"]
            after = _step(cpu, mem, op.code, regs, salt)
            s0, s1 = regs["s"], after["s"]
            # stack: S moves by the bytes pushed or pulled
            if fx.stack is not None:
                moved = _signed(s0 - s1, 8) if e else _signed(s0 - s1, 16)
                assert moved == fx.stack, f"{where}: S moved {moved}, table says {fx.stack}"
            pushed = max(fx.stack or 0, 0)
            stack = {(s0 - i) & 0xFFFF for i in range(pushed)}
            stack |= {0x100 | ((s0 - i) & 0xFF) for i in range(pushed)} if e else set()
            data = {a for a in after["mem"] if a != code_at and a not in stack}
            if fx.memory in (Access.WRITE, Access.MODIFY):
                assert len(data) == fx.memory_bytes, f"{where}: wrote {len(data)} bytes"
            elif fx.memory is Access.MOVE:
                assert len(data) == 1, where
            else:
                assert not data, f"{where}: wrote memory the table does not say it writes"
            # flow
            fall = (regs["pc"] + length) & 0xFFFF
            at_next = after["pc"] == fall and after["pbr"] == regs["pbr"]
            if fx.flow is Flow.NEXT:
                assert at_next and not after["halted"], f"{where}: did not fall through"
            elif fx.flow is Flow.REPEAT:
                assert at_next or after["pc"] == regs["pc"], where
            elif fx.flow is Flow.BRANCH:
                offset = _signed(mem.read((regs["pbr"] << 16) | ((regs["pc"] + 1) & 0xFFFF)), 8)
                flag, value = BRANCH_FLAG[op.mnemonic]
                taken = bool(regs["p"] & flag) == bool(value)
                assert after["pc"] == ((fall + offset) & 0xFFFF if taken else fall), where
            elif fx.flow in (Flow.STOP, Flow.WAIT):
                assert after["halted"], f"{where}: did not stop"
            else:
                left_the_line |= not at_next
                if fx.flow is Flow.INTERRUPT:
                    assert after["pbr"] == 0, f"{where}: no interrupt vector"
            if fx.flow is Flow.CALL:
                ret = (regs["pc"] + length - 1) & 0xFFFF
                assert after["mem"].get(s0) == (regs["pbr"] if op.mnemonic == "JSL" else ret >> 8)
        if fx.flow in (Flow.JUMP, Flow.CALL, Flow.RETURN, Flow.INTERRUPT):
            assert left_the_line, f"{where}: never left the straight line"
        assert fx.ends_block == (fx.flow is not Flow.NEXT or op.mnemonic in ("XCE", "PLP", "CLI"))


@pytest.mark.parametrize("variant", VARIANTS)
def test_next_widths_match_the_emulator(variant):
    rng, mem, cpu, m, x, e = _bench(variant, 200)
    for op in OPCODES:
        for _ in range(8):
            regs = _state(rng, m, x, e)
            salt = rng.getrandbits(32)
            mem.salt = salt
            operand = None
            if op.mnemonic in ("REP", "SEP"):
                operand = mem.read((regs["pbr"] << 16) | ((regs["pc"] + 1) & 0xFFFF))
            elif op.mnemonic in ("PLP", "RTI"):
                operand = mem.read((regs["s"] + 1) & 0xFFFF if not e else
                                   0x100 | ((regs["s"] + 1) & 0xFF))
            after = _step(cpu, mem, op.code, regs, salt)
            got = Widths((after["p"] >> 5) & 1, (after["p"] >> 4) & 1, after["e"])
            want = next_widths(op, Widths(m, x, e), operand, carry=regs["p"] & 1)
            assert got == want, f"{op.mnemonic} {op.mode.name} variant {variant}: {got} {want}"


@pytest.mark.parametrize("mnemonic", ["REP", "SEP", "XCE", "PLP"])
def test_next_widths_with_unknowns_never_claim_too_much(mnemonic):
    """With some of M, X, E, the carry or the operand unknown, every width next_widths
    still names is the one each completion of the unknowns gives."""
    op = next(o for o in OPCODES if o.mnemonic == mnemonic)
    choices = (0, 1, None)
    for m, x, e, c in itertools.product(choices, repeat=4):
        for operand in (None, 0x00, 0x10, 0x20, 0x30, 0xFF):
            claim = next_widths(op, Widths(m, x, e), operand, c)
            for cm, cx, ce, cc in itertools.product(*[(v,) if v is not None else (0, 1)
                                                      for v in (m, x, e, c)]):
                if ce == 1 and not (cm and cx):
                    continue  # no such state: emulation mode forces 8-bit
                for co in ((operand,) if operand is not None else range(0, 256, 0x10)):
                    real = next_widths(op, Widths(cm, cx, ce), co, cc)
                    for name in ("m", "x", "e"):
                        said = getattr(claim, name)
                        assert said is None or said == getattr(real, name), (
                            mnemonic, m, x, e, c, operand, name)


def test_derived_sets():
    nz = mnemonics_where(lambda f: f.writes & (Part.N | Part.Z) == Part.N | Part.Z)
    assert {"LDA", "PLA", "TAX", "INX", "CMP", "XBA"} <= nz
    assert "BIT" not in nz and "STA" not in nz  # BIT #imm writes only Z
    assert ends_block(next(o for o in OPCODES if o.mnemonic == "REP"), 0x30) is False
    assert ends_block(next(o for o in OPCODES if o.mnemonic == "REP"), 0x04) is True
    assert ends_block(next(o for o in OPCODES if o.mnemonic == "REP")) is True
    assert effects(next(o for o in OPCODES if o.mnemonic == "PHA"), m=0).stack == 2
    assert effects(next(o for o in OPCODES if o.mode is Mode.ABSIX and o.mnemonic == "JSR")
                   ).flow is Flow.CALL
