"""The snes-tests (cputest) conformance suite: parser, ca65 encoder and the 59 special cases.

The data lives in ``../shared/conformance/snes-tests`` (or ``$TRIFORCE_CONFORMANCE``) and is
read from there; nothing of it is copied here. This module holds three things:

- ``load_cases``: a strict parser for ``tests-full.txt`` (Test / Input / Expected lines).
- ``encode``: turns one instruction in ca65 syntax into machine code with the project's
  instruction table (``triforce.isa``), sizing operands the way ca65 does.
- ``EXTRA``: for the 59 tests marked "Additional initialization or checks are performed",
  a description of what ``tests-full.inc`` (the ca65 source of the test ROM) does around the
  instruction: where the code runs, which bytes it stores besides those the Input line names,
  which address proves that the right path was taken, and which addresses are wrong paths.

Conventions of the test ROM (``cputest/main.asm`` of the suite, read for reference):
LoROM; the TEST_DATA segment at $00:FFA0 holds ``.word $1212``, ``.word $8000`` and the far
address $7E8000; the vectors point native COP/BRK to $1004/$1000 and emulation COP/BRK to
$100C/$1008, and ``init_mem`` puts STP ($DB) at those four handlers; a test writes a
``JML @ok`` over the handler it expects.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from triforce.isa import Mode, lookup, modes_of

ENV_VAR = "TRIFORCE_CONFORMANCE"
SUITE_DIR = "snes-tests"
SUITE_FILE = "tests-full.txt"
EXPECTED_CASES = 1610
EXPECTED_ADDITIONAL = 59

STP = 0xDB
# Where the harness places the code of an ordinary test (ROM, bank $00).
CODE_ADDR = 0x008000


def conformance_dir() -> Path:
    """The conformance data folder: ``$TRIFORCE_CONFORMANCE`` or ``<repo>/../shared/conformance``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2]
    return repo.parent / "shared" / "conformance"


def suite_path() -> Path:
    return conformance_dir() / SUITE_DIR / SUITE_FILE


# ---------------------------------------------------------------------------------------------
# Parsing tests-full.txt


@dataclass(frozen=True)
class State:
    """One Input or Expected line: named registers and memory bytes (24-bit address, value)."""

    regs: Mapping[str, int]
    mem: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Case:
    number: int
    instruction: str  # ca65 text, comment removed
    comment: str
    input: State
    expected: State
    additional: bool
    undocumented: bool
    line: int

    @property
    def name(self) -> str:
        return f"{self.number:04x}"

    def title(self) -> str:
        return f"Test {self.name}: {self.instruction}"


class SuiteFormatError(ValueError):
    pass


_TEST_RE = re.compile(r"^Test ([0-9a-fA-F]{4}): (.*)$")
_REG_RE = re.compile(r"^([A-Z]+)=\$?([0-9a-fA-F]+)$")
_MEM_RE = re.compile(r"^\(\$([0-9a-fA-F]{1,6})\)=\$?([0-9a-fA-F]{1,2})$")
_REG_NAMES = {"A", "X", "Y", "P", "E", "DBR", "D", "S"}
_ADDITIONAL = "Additional initialization or checks are performed - see assembly"
_UNDOCUMENTED = "Note: This tests undocumented behavior"


def _parse_state(text: str, where: str) -> State:
    regs: dict[str, int] = {}
    mem: list[tuple[int, int]] = []
    for tok in text.split():
        m = _REG_RE.match(tok)
        if m:
            name = m.group(1)
            if name not in _REG_NAMES or name in regs:
                raise SuiteFormatError(f"{where}: bad register {tok!r}")
            regs[name] = int(m.group(2), 16)
            continue
        m = _MEM_RE.match(tok)
        if m:
            mem.append((int(m.group(1), 16), int(m.group(2), 16)))
            continue
        raise SuiteFormatError(f"{where}: cannot read {tok!r}")
    for name in ("A", "X", "Y", "P", "E"):
        if name not in regs:
            raise SuiteFormatError(f"{where}: register {name} missing")
    return State(regs, tuple(mem))


def parse_cases(text: str, source: str = SUITE_FILE) -> list[Case]:
    cases: list[Case] = []
    cur: dict | None = None

    def finish() -> None:
        if cur is None:
            return
        where = f"{source}:{cur['line']}"
        if cur.get("input") is None or cur.get("expected") is None:
            raise SuiteFormatError(f"{where}: test without Input or Expected line")
        cases.append(
            Case(
                number=cur["number"],
                instruction=cur["instruction"],
                comment=cur["comment"],
                input=cur["input"],
                expected=cur["expected"],
                additional=cur["additional"],
                undocumented=cur["undocumented"],
                line=cur["line"],
            )
        )

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = f"{source}:{lineno}"
        if not line or line.startswith("Auto-generated"):
            continue
        m = _TEST_RE.match(line)
        if m:
            finish()
            instr, _, comment = m.group(2).partition(";")
            cur = {
                "number": int(m.group(1), 16),
                "instruction": instr.strip(),
                "comment": comment.strip(),
                "input": None,
                "expected": None,
                "additional": False,
                "undocumented": False,
                "line": lineno,
            }
            continue
        if cur is None:
            raise SuiteFormatError(f"{where}: text before the first test")
        if line.startswith("Input:"):
            cur["input"] = _parse_state(line[len("Input:") :], where)
        elif line.startswith("Expected output:"):
            cur["expected"] = _parse_state(line[len("Expected output:") :], where)
        elif line == _ADDITIONAL:
            cur["additional"] = True
        elif line.startswith(_UNDOCUMENTED):
            cur["undocumented"] = True
        else:
            raise SuiteFormatError(f"{where}: unexpected line {line!r}")
    finish()
    return cases


def load_cases(path: Path | None = None) -> list[Case]:
    path = path or suite_path()
    return parse_cases(path.read_text(encoding="ascii"), str(path))


# ---------------------------------------------------------------------------------------------
# A one-instruction ca65 encoder over the project's instruction table


class EncodeError(ValueError):
    pass


_BRANCH8 = {"BPL", "BMI", "BVC", "BVS", "BCC", "BCS", "BNE", "BEQ", "BRA"}
_BRANCH16 = {"BRL", "PER"}
# ca65 accepts JMP/JSR with a far operand (and JMP [abs]) and emits JML/JSL.
_ALIASES = {"JMP": ("JMP", "JML"), "JSR": ("JSR", "JSL")}
_FORCE = {"z": 1, "a": 2, "f": 3}

# Operand shapes: regex over the lower-cased operand without spaces, then candidate modes by size.
_SHAPES: list[tuple[re.Pattern[str], dict[int, Mode]]] = [
    (re.compile(r"^\((.+),x\)$"), {1: Mode.DPIX, 2: Mode.ABSIX}),
    (re.compile(r"^\((.+),s\),y$"), {1: Mode.SRIY}),
    (re.compile(r"^\((.+)\),y$"), {1: Mode.DPIY}),
    (re.compile(r"^\((.+)\)$"), {1: Mode.DPI, 2: Mode.ABSI}),
    (re.compile(r"^\[(.+)\],y$"), {1: Mode.DPILY}),
    (re.compile(r"^\[(.+)\]$"), {1: Mode.DPIL, 2: Mode.ABSIL}),
    (re.compile(r"^(.+),s$"), {1: Mode.SR}),
    (re.compile(r"^(.+),x$"), {1: Mode.DPX, 2: Mode.ABSX, 3: Mode.LONGX}),
    (re.compile(r"^(.+),y$"), {1: Mode.DPY, 2: Mode.ABSY}),
    (re.compile(r"^(.+)$"), {1: Mode.DP, 2: Mode.ABS, 3: Mode.LONG}),
]


def _number(tok: str, labels: Mapping[str, int] | None = None) -> int:
    tok = tok.strip()
    if labels and tok in labels:
        return labels[tok]
    neg = tok.startswith("-")
    if tok[:1] in "+-":
        tok = tok[1:]
    if tok.startswith("$"):
        v = int(tok[1:], 16)
    elif tok.startswith("%"):
        v = int(tok[1:], 2)
    elif tok.isdigit():
        v = int(tok)
    else:
        raise EncodeError(f"cannot read number {tok!r}")
    return -v if neg else v


def _sized(tok: str, labels: Mapping[str, int] | None) -> tuple[int, int, bool]:
    """(value, size in bytes, size forced by a z:/a:/f: prefix)."""
    tok = tok.strip()
    if len(tok) > 2 and tok[1] == ":" and tok[0] in _FORCE:
        return _number(tok[2:], labels), _FORCE[tok[0]], True
    v = _number(tok, labels)
    if v < 0:
        raise EncodeError(f"negative address {tok!r}")
    size = 1 if v < 0x100 else 2 if v < 0x10000 else 3
    if v > 0xFFFFFF:
        raise EncodeError(f"address out of range {tok!r}")
    return v, size, False


def _op(mnemonic: str, mode: Mode):
    for mn in _ALIASES.get(mnemonic, (mnemonic,)):
        op = lookup(mn, mode)
        if op is not None and op.mode is mode:
            return op
    return None


def _le(value: int, n: int) -> bytes:
    return (value & ((1 << (8 * n)) - 1)).to_bytes(n, "little")


def encode(
    text: str,
    m8: bool = True,
    x8: bool = True,
    pc: int = CODE_ADDR,
    labels: Mapping[str, int] | None = None,
) -> bytes:
    """Machine code for one ca65 instruction.

    ``m8``/``x8``: accumulator / index registers are 8-bit (sizes ``#imm``). ``pc``: the
    24-bit address of the instruction (for branches to a label or an absolute target).
    Branch operands ``+N``/``-N`` are offsets from the next instruction, as the suite writes
    them. MVN/MVP take ``src, dst`` as in ca65 and are emitted as opcode, dst bank, src bank.
    """
    text = text.split(";", 1)[0].strip()
    if not text:
        raise EncodeError("empty instruction")
    mnemonic, _, operand = text.partition(" ")
    mn = mnemonic.upper()
    operand = operand.strip()
    modes = modes_of(mn)
    if not modes:
        raise EncodeError(f"unknown mnemonic {mnemonic!r}")
    low = operand.replace(" ", "").lower()

    if mn in ("MVN", "MVP"):
        parts = [p.strip().lstrip("#") for p in operand.split(",")]
        if len(parts) != 2:
            raise EncodeError(f"{text!r}: block move needs two banks")
        src, dst = (_number(p, labels) for p in parts)
        if not (0 <= src <= 0xFF and 0 <= dst <= 0xFF):
            raise EncodeError(f"{text!r}: bank out of range")
        return bytes((modes[Mode.BLK].code, dst, src))

    if not operand or low == "a":
        for mode in (Mode.ACC, Mode.IMP) if low == "a" else (Mode.IMP, Mode.ACC):
            if mode in modes:
                return bytes((modes[mode].code,))
        if mn == "BRK":  # ca65 emits a lone $00 for BRK without a signature byte
            return bytes((modes[Mode.IMM8].code,))
        raise EncodeError(f"{text!r}: operand missing")

    if mn in _BRANCH8 or mn in _BRANCH16:
        size = 1 if mn in _BRANCH8 else 2
        op = modes[Mode.REL8 if size == 1 else Mode.REL16]
        nxt = (pc + 1 + size) & 0xFFFF
        if operand[0] in "+-":
            off = _number(operand)
        else:
            target = _number(operand, labels)
            if target > 0xFFFF and (target >> 16) != (pc >> 16):
                raise EncodeError(f"{text!r}: target in another bank")
            off = (target & 0xFFFF) - nxt
            if off >= 0x8000 and size == 2:
                off -= 0x10000
            elif off < -0x8000 and size == 2:
                off += 0x10000
        lim = 1 << (8 * size - 1)
        if not -lim <= off < lim:
            raise EncodeError(f"{text!r}: branch out of range ({off})")
        return bytes((op.code,)) + _le(off, size)

    if low.startswith("#") or set(modes) == {Mode.IMM8}:
        imm = [o for o in modes.values() if o.mode in (Mode.IMM_M, Mode.IMM_X, Mode.IMM8)]
        if not imm:
            raise EncodeError(f"{text!r}: no immediate mode")
        op = imm[0]
        v = _number(operand.lstrip("#"), labels)
        n = op.length(int(m8), int(x8)) - 1
        if v < 0:
            v += 1 << (8 * n)
        if not 0 <= v < (1 << (8 * n)):
            raise EncodeError(f"{text!r}: immediate does not fit in {n} byte(s)")
        return bytes((op.code,)) + _le(v, n)

    for pattern, by_size in _SHAPES:
        m = pattern.match(low)
        if not m:
            continue
        value, size, forced = _sized(m.group(1), labels)
        sizes = [size] if forced else [s for s in sorted(by_size) if s >= size]
        for s in sizes:
            mode = by_size.get(s)
            op = _op(mn, mode) if mode is not None else None
            if op is not None:
                return bytes((op.code,)) + _le(value, s)
        raise EncodeError(f"{text!r}: no {'/'.join(m.label for m in by_size.values())} form")
    raise EncodeError(f"{text!r}: cannot read operand")


def flags_8bit(p: int, e: int) -> tuple[bool, bool]:
    """(m8, x8) for a status byte and emulation bit."""
    if e:
        return True, True
    return bool(p & 0x20), bool(p & 0x10)


# ---------------------------------------------------------------------------------------------
# The test ROM's fixed contents


def rom_image() -> list[tuple[int, int]]:
    """Bytes the cputest ROM always holds that some tests rely on (vectors, test data, handlers)."""
    out: list[tuple[int, int]] = []

    def word(addr: int, value: int) -> None:
        out.extend(((addr, value & 0xFF), (addr + 1, value >> 8)))

    # TEST_DATA at $00:FFA0: test_addr, test_target, test_target24.
    word(0x00FFA0, 0x1212)
    word(0x00FFA2, 0x8000)
    word(0x00FFA4, 0x8000)
    out.append((0x00FFA6, 0x7E))
    # Vectors: native COP $FFE4, native BRK $FFE6, emulation COP $FFF4, emulation BRK $FFFE.
    word(0x00FFE4, 0x1004)
    word(0x00FFE6, 0x1000)
    word(0x00FFF4, 0x100C)
    word(0x00FFFE, 0x1008)
    # init_mem: STP in every handler until a test installs its JML @ok.
    out.extend((a, STP) for a in (0x001000, 0x001004, 0x001008, 0x00100C))
    return out


HANDLERS = {
    "native brk": 0x001000,
    "native cop": 0x001004,
    "emu brk": 0x001008,
    "emu cop": 0x00100C,
}


# ---------------------------------------------------------------------------------------------
# The 59 additional tests


@dataclass(frozen=True)
class Extra:
    """What tests-full.inc does around one "additional" test.

    start: where the .inc jumps to run the code under test (its ``jml``), or where the harness
        puts code the .inc assembles inline in ROM (then ``code`` holds it).
    until: the address whose reaching proves the expected path: the .inc's ``JML @ok`` stub,
        the handler it installs, or the end of the inline code. Registers and memory are
        compared there.
    code: bytes placed at ``start`` (inline ROM code); empty when the Input line holds them.
    memory: other bytes the .inc stores that the Input line does not name.
    traps: wrong paths (the .inc's ``JML @not_ok`` stubs, or unused handlers): STP goes there.
    regs: registers the .inc checks with values that differ from the Expected line (the
        trailing code of the TSC tests restores S), or registers it checks that the line omits.
    runs: the instruction that really executes when the text differs from the bytes.
    max_steps: bound on instructions run.
    """

    start: int
    until: int
    note: str
    code: bytes = b""
    memory: tuple[tuple[int, int], ...] = ()
    traps: tuple[int, ...] = ()
    regs: Mapping[str, int] = field(default_factory=dict)
    runs: str | None = None
    labels: Mapping[str, int] = field(default_factory=dict)
    max_steps: int = 16


def _taken_forward(mn: str) -> Extra:
    # Code at $7E:FFC0, "+127" from $7E:FFC2 wraps in-bank to $7E:0041 (JML @ok there);
    # $7E:FFC2 (not taken) and $7F:0041 (bank carried) hold STP.
    return Extra(
        start=0x7EFFC0,
        until=0x7E0041,
        traps=(0x7EFFC2, 0x7F0041),
        note=f"{mn} +127 at $7E:FFC0 must reach $7E:0041 (branch target wraps within the bank)",
    )


def _taken_backward(mn: str) -> Extra:
    # Code at $7F:0040, "-128" from $7F:0042 wraps in-bank to $7F:FFC2 (JML @ok there);
    # $7F:0042 (not taken) and $7E:FFC2 (bank borrowed) hold STP.
    return Extra(
        start=0x7F0040,
        until=0x7FFFC2,
        traps=(0x7F0042, 0x7EFFC2),
        note=f"{mn} -128 at $7F:0040 must reach $7F:FFC2 (branch target wraps within the bank)",
    )


def _not_taken(mn: str, opcode: int) -> Extra:
    # Inline in ROM: "<b> @not_ok / bra @ok / @not_ok: ... / @ok:". The harness puts STP at
    # @not_ok; reaching @ok proves the branch fell through.
    return Extra(
        start=CODE_ADDR,
        until=CODE_ADDR + 5,
        code=bytes((opcode, 0x02, 0x80, 0x01, STP)),
        traps=(CODE_ADDR + 4,),
        labels={"@not_ok": CODE_ADDR + 4},
        note=f"{mn} @not_ok with the condition false must fall through to the next instruction",
    )


def _interrupt(handler: str, others: tuple[str, ...], what: str) -> Extra:
    return Extra(
        start=0x7E8000,
        until=HANDLERS[handler],
        traps=tuple(HANDLERS[o] for o in others),
        note=f"{what} at $7E:8000 must vector to the {handler} handler ${HANDLERS[handler]:04X} "
        "(bank $00) and push the frame checked in the Expected line",
    )


_ALL_HANDLERS = tuple(HANDLERS)


def _others(h: str) -> tuple[str, ...]:
    return tuple(o for o in _ALL_HANDLERS if o != h)


EXTRA: dict[int, Extra] = {
    0x0000: Extra(
        start=0x7EFFFF,
        until=0x7E0000,
        traps=(0x7F0000,),
        note="NOP at $7E:FFFF: PC wraps to $7E:0000 (JML @ok), not $7F:0000 (JML @not_ok)",
    ),
    0x00E6: _taken_forward("bra"),
    0x00E7: _taken_backward("bra"),
    0x00E8: _taken_forward("bcc"),
    0x00E9: _taken_backward("bcc"),
    0x00EA: _not_taken("bcc", 0x90),
    0x00EB: _taken_forward("bcs"),
    0x00EC: _taken_backward("bcs"),
    0x00ED: _not_taken("bcs", 0xB0),
    0x00EE: _taken_forward("bne"),
    0x00EF: _taken_backward("bne"),
    0x00F0: _not_taken("bne", 0xD0),
    0x00F1: _taken_forward("beq"),
    0x00F2: _taken_backward("beq"),
    0x00F3: _not_taken("beq", 0xF0),
    0x00F4: _taken_forward("bpl"),
    0x00F5: _taken_backward("bpl"),
    0x00F6: _not_taken("bpl", 0x10),
    0x00F7: _taken_forward("bmi"),
    0x00F8: _taken_backward("bmi"),
    0x00F9: _not_taken("bmi", 0x30),
    0x00FA: _taken_forward("bvc"),
    0x00FB: _taken_backward("bvc"),
    0x00FC: _not_taken("bvc", 0x50),
    0x00FD: _taken_forward("bvs"),
    0x00FE: _taken_backward("bvs"),
    0x00FF: _not_taken("bvs", 0x70),
    0x0100: _interrupt("native brk", _others("native brk"), "BRK in native mode"),
    0x0101: _interrupt("emu brk", _others("emu brk"), "BRK in emulation mode, S=$0100"),
    0x0102: _interrupt("native cop", _others("native cop"), "COP in native mode"),
    0x0103: _interrupt("emu cop", _others("emu cop"), "COP in emulation mode, S=$0100"),
    0x0104: Extra(
        start=0x7EF000,
        until=0x7E7002,
        traps=(0x7EF003, 0x7F7002),
        note="BRL +$7FFF at $7E:F000 must reach $7E:7002 (wraps within the bank)",
    ),
    0x026A: Extra(
        start=0x7E7000,
        until=0x7E8000,
        traps=(0x7E7003,),
        note="JMP $8000 from $7E:7000 stays in bank $7E",
    ),
    0x026B: Extra(
        start=CODE_ADDR,
        until=0x7E8000,
        code=bytes((0x5C, 0x00, 0x80, 0x7E)),
        note="JML $7E8000 from ROM in emulation mode (inline in the .inc)",
    ),
    0x026C: Extra(
        start=0x7E7000,
        until=0x7E8000,
        traps=(0x7E7003,),
        note="JMP ($FFA2) reads the pointer from bank $00 (ROM test_target = $8000), "
        "not from DBR=$7F; PBR stays $7E",
    ),
    0x026D: Extra(
        start=CODE_ADDR,
        until=0x7E8000,
        code=bytes((0xDC, 0xA4, 0xFF)),
        note="JML [$FFA4] reads the far pointer from bank $00 (ROM test_target24 = "
        "$7E8000), not from DBR=$7F (inline in the .inc)",
    ),
    0x026E: Extra(
        start=0x7E7000,
        until=0x7E8000,
        traps=(0x7E7003,),
        note="JMP ($F000,X) with X=$6000 reads the pointer at $7E:5000 (program bank, "
        "address wraps in the bank)",
    ),
    0x026F: Extra(
        start=0x7E7000,
        until=0x7E8000,
        traps=(0x7E7003,),
        note="JMP ($FFFF,X) with X=$81 reads the pointer at $7E:0080/$7E:0081",
    ),
    0x0270: Extra(
        start=0x7E7000,
        until=0x7E8000,
        traps=(0x7E7003,),
        note="JMP ($FFFF,X) in emulation mode: pointer at $7E:0080/$7E:0081",
    ),
    0x0271: Extra(
        start=0x7E7000,
        until=0x7E8000,
        traps=(0x7E7003,),
        note="JSR $8000 at $7E:7000 pushes $7002 and stays in bank $7E",
    ),
    0x0272: Extra(
        start=0x7E7000,
        until=0x7E8000,
        traps=(0x7E7003,),
        note="JSR $8000 in emulation mode with S=$0100: the push wraps to $01FF",
    ),
    0x0273: Extra(
        start=0x7F7000,
        until=0x7E8000,
        traps=(0x7F7004,),
        runs="jsl $7E8000",
        note="JSL at $7F:7000 pushes $7F,$7003 (the text says $FE8000; the .inc "
        "stores 22 00 80 7E)",
    ),
    0x0274: Extra(
        start=0x7F7000,
        until=0x7E8000,
        traps=(0x7F7004,),
        runs="jsl $7E8000",
        note="JSL in emulation mode with S=$0100: pushes to $0100,$00FF,$00FE (no "
        "page wrap), S ends $01FD (the text says $FE8000; the bytes say $7E8000)",
    ),
    0x0275: Extra(
        start=0x7E7000,
        until=0x7E8000,
        traps=(0x7E7003,),
        note="JSR ($F000,X) with X=$6000: pointer at $7E:5000, pushes $7002",
    ),
    0x0276: Extra(
        start=0x7E7000,
        until=0x7E8000,
        traps=(0x7E7003,),
        note="JSR ($FFFF,X) with X=$81: pointer at $7E:0080, pushes $7002",
    ),
    0x0277: Extra(
        start=0x7E7000,
        until=0x7E8000,
        traps=(0x7E7003,),
        note="JSR ($FFFF,X) in emulation mode, S=$0100: pushes to $0100/$00FF (no page wrap)",
    ),
    0x03C5: Extra(start=0x7E7000, until=0x7E7003, note="PER -$8000 at $7E:7000 pushes $F003"),
    0x03C6: Extra(start=0x7E7000, until=0x7E7003, note="PER +$7FFF at $7E:7000 pushes $F002"),
    0x03C7: Extra(
        start=0x7E7000,
        until=0x7E7003,
        note="PER -$8000 in emulation mode, S=$0100: pushes to $0100/$00FF",
    ),
    0x03EE: Extra(start=0x7E8000, until=0x7E8001, note="PHK at $7E:8000 pushes $7E"),
    0x03EF: Extra(
        start=0x7E8000,
        until=0x7E8001,
        note="PHK in emulation mode, S=$0100: pushes $7E to $0100, S wraps to $01FF",
    ),
    0x0443: Extra(
        start=0x7E8000,
        until=0x7E0000,
        note="RTS pulling $FFFF returns to $7E:0000 (PC+1 wraps within the bank)",
    ),
    0x0444: Extra(
        start=0x7E8000,
        until=0x7E0000,
        note="RTS in emulation mode with S=$01FF pulls from $0100/$0101",
    ),
    0x0445: Extra(
        start=CODE_ADDR,
        until=0x7E0000,
        code=bytes((0x6B,)),
        note="RTL pulling $7E:FFFF returns to $7E:0000 (inline in the .inc)",
    ),
    0x0446: Extra(
        start=CODE_ADDR,
        until=0x7E0000,
        code=bytes((0x6B,)),
        traps=(0x7F1000,),
        note="RTL in emulation mode with S=$01FF pulls from $0200-$0202 (no page "
        "wrap; $0100-$0102 would lead to $7F:1000, JML @not_ok), S ends $0102",
    ),
    0x0447: Extra(
        start=CODE_ADDR,
        until=0x7E0000,
        code=bytes((0x40,)),
        note="RTI in native mode pulls P=$88, PC=$0000, PBR=$7E (inline in the .inc)",
    ),
    0x0448: Extra(
        start=0x7E8000,
        until=0x7E0000,
        runs="rti",
        note="RTI in emulation mode, S=$01FF: pulls P from $0100 and PC from "
        "$0101/$0102, no PBR (the text says rts; the .inc stores $40 = RTI)",
    ),
    # TSC tests: "tsc / bne|bpl @not_ok / iny / @not_ok: ldx #$1ef / txs": Y=1 proves the
    # flag TSC set, and S is restored to $01EF before the results are saved.
    0x0599: Extra(
        start=CODE_ADDR,
        until=CODE_ADDR + 8,
        code=bytes((0x3B, 0xD0, 0x01, 0xC8, 0xA2, 0xEF, 0x01, 0x9A)),
        regs={"S": 0x01EF},
        note="TSC with S=$0000 sets Z (BNE not taken, INY runs)",
    ),
    0x059A: Extra(
        start=CODE_ADDR,
        until=CODE_ADDR + 8,
        code=bytes((0x3B, 0x10, 0x01, 0xC8, 0xA2, 0xEF, 0x01, 0x9A)),
        regs={"S": 0x01EF},
        note="TSC with S=$8000 sets N (BPL not taken, INY runs)",
    ),
}

# Upstream errata: tests whose expected values are wrong for real hardware, with the reason.
# A test listed here is still run; the harness reports it separately instead of failing.
ERRATA: dict[int, str] = {}
