"""SPC700 instructions (``triforce.asm.spc700`` and ``triforce.isa.spc700``) against asar 1.91.

Every program here is assembled twice: by the real asar binary (the oracle, see
``asar_oracle.py``) and by ``encode_spc700`` driven line by line with an ``Assembler`` as the
``asm`` object (two passes, so forward labels resolve). The bytes, the warnings and the error
ids must agree. asar's set-up for plain SPC700 code is ``norom`` + ``org 0`` + ``base $0200``
(ROM offset 0, SPC700 address $0200); the LoROM default (``org $008000``) and the two other
ways to write SPC700 code, ``arch spc700-inline`` and ``spcblock``, are checked too.
"""

from __future__ import annotations

import re

import pytest
from asar_oracle import run_asar_cached

from triforce.asm.assembler import Assembler
from triforce.asm.expr import AsmError
from triforce.asm.spc700 import encode_spc700, is_spc700_mnemonic
from triforce.isa.spc700 import BY_SYNTAX, OPCODES, lookup, opcode

NOROM = "norom\narch spc700\norg 0\nbase $0200\n"
ARGS = ["--no-title-check"]

# --------------------------------------------------------------------------- our side

_LABEL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):$")
_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$")
_ANON = re.compile(r"^[+-]+$")


class Ours:
    """What ``encode_spc700`` makes of a program of instructions, labels (``name:``, ``+``,
    ``-``) and assignments (``name = value``), from SPC700 address ``start``."""

    def __init__(self, lines: list[str], start: int = 0x0200, **settings) -> None:
        self.lines = [ln.strip() for ln in lines if ln.strip()]
        self.start = start
        self.settings = settings  # Assembler attributes set at each pass's start
        self.asm = Assembler()
        self.error: AsmError | None = None
        self.chunks: list[tuple[str, bytes]] = []
        self.warnings: list[tuple[int, str]] = []  # (index in lines, warning id)
        try:
            self._pass(False)
            self.asm.prev_labels = dict(self.asm.labels)
            self.asm.anon_prev = {k: list(v) for k, v in self.asm.anon_cur.items()}
            self._pass(True)
        except AsmError as exc:
            self.error = exc
        self.data = b"".join(c for _, c in self.chunks)

    def _pass(self, final: bool) -> None:
        a = self.asm
        a.reset_pass(final)
        a.origin_set = True
        for key, value in self.settings.items():
            setattr(a, key, value)
        self.chunks = []
        self.warnings = []
        pc = self.start
        for index, line in enumerate(self.lines):
            a.snes = pc
            before = len(a.diags)
            if m := _LABEL.match(line):
                a.define_label(m.group(1))
            elif m := _ASSIGN.match(line):
                a.define_label(m.group(1), a.eval(m.group(2)))
            elif _ANON.match(line):
                a.define_anon(line)
            else:
                word, _, operand = line.partition(" ")
                mnemonic, _, suffix = word.partition(".")
                data = encode_spc700(a, mnemonic, suffix, operand)
                self.chunks.append((line, data))
                pc += len(data)
            self.warnings += [(index, d.id) for d in a.diags[before:] if d.severity == "warning"]


def asar(source: str):
    return run_asar_cached(source, args=ARGS)


def assert_same(lines: list[str], head: str = NOROM, start: int = 0x0200, **settings) -> Ours:
    """Both assemblers agree on the bytes (reported per instruction) and the warnings
    (by line). ``lines`` must be single statements without blank lines."""
    ours = Ours(lines, start, **settings)
    theirs = asar(head + "\n".join(lines) + "\n")
    assert theirs.ok, theirs.stderr
    assert ours.error is None, f"{ours.error.id}: {ours.error}"
    pos = 0
    for line, data in ours.chunks:
        got = theirs.rom[pos : pos + len(data)]
        assert data == got, f"{line!r}: ours {data.hex(' ')}, asar {got.hex(' ')}"
        pos += len(data)
    assert ours.data == theirs.rom
    first = head.count("\n") + 1  # asar's line number of lines[0]
    assert ours.warnings == [(d.line - first, d.id) for d in theirs.warnings]
    return ours


# --------------------------------------------------------------------------- the table


def test_table_has_every_opcode_once():
    assert [o.code for o in OPCODES] == list(range(256))
    assert len(BY_SYNTAX) == 256
    for o in OPCODES:
        assert o.length == 1 + o.operand_bytes(), o
        assert opcode(o.mnemonic.lower(), o.pattern) == o.code
        assert lookup(o.mnemonic, o.pattern) is o
        assert o.cycles >= 2
        assert (o.taken is not None) == (o.mnemonic in {"BPL", "BMI", "BVC", "BVS", "BCC", "BCS",
                                                         "BNE", "BEQ", "BBS", "BBC", "CBNE",
                                                         "DBNZ"})
    assert OPCODES[0x8F].syntax == "MOV dp,#imm" and OPCODES[0x8F].byte_order == (1, 0)
    assert OPCODES[0xFA].fields == ("dp", "dp") and OPCODES[0xFA].byte_order == (1, 0)
    assert OPCODES[0x03].fields == ("dp", "rel") and OPCODES[0x03].byte_order == (0, 1)
    assert OPCODES[0xE3].bit == 7 and OPCODES[0xE2].bit == 7 and OPCODES[0x00].bit is None
    assert OPCODES[0x9E].cycles == 12 and OPCODES[0xCF].cycles == 9
    assert (OPCODES[0xDE].cycles, OPCODES[0xDE].taken) == (6, 8)


_FIELD = re.compile(r"!?mem\.bit|#imm|\bupage\b|\babs\b|\bdp\b|\brel\b")
_DP_VALUES = (0x12, 0x34)


def _sample(o) -> tuple[str, bytes]:
    """A source line for the opcode (its pattern with values filled in) and the bytes the
    table says it encodes to, when the line is preceded by the label it branches to."""
    dps = iter(_DP_VALUES)
    values: list[bytes] = []

    def fill(m: re.Match) -> str:
        f = m.group()
        if f == "dp":
            v = next(dps)
            values.append(bytes([v]))
            return f"${v:02X}"
        if f == "abs":
            values.append(b"\x34\x12")
            return "$1234"
        if f == "#imm":
            values.append(b"\x56")
            return "#$56"
        if f == "upage":
            values.append(b"\x80")
            return "$80"
        if f == "rel":
            values.append(bytes([(-o.length) & 0xFF]))
            return f"back_{o.code:02X}"
        values.append((5 << 13 | 0x0ABC).to_bytes(2, "little"))  # mem.bit / !mem.bit
        return f.replace("mem.bit", "$0ABC.5")

    text = _FIELD.sub(fill, o.pattern)
    data = bytes([o.code]) + b"".join(values[i] for i in o.byte_order)
    return f"{o.mnemonic} {text}".strip(), data


def test_every_table_syntax_assembles_to_its_opcode():
    """Each opcode's pattern, filled in, is asar source for exactly that opcode: asar and
    encode_spc700 write the bytes the table (length, operand order) predicts."""
    lines, expected = [], []
    for o in OPCODES:
        line, data = _sample(o)
        lines += [f"back_{o.code:02X}:", line]
        expected.append(data)
    ours = assert_same(lines)
    assert [d for _, d in ours.chunks] == expected
    assert sorted(d[0] for _, d in ours.chunks) == list(range(256))


# --------------------------------------------------------------------------- asar's syntax

GROUPS: dict[str, list[str]] = {
    "registers_and_indirect": [
        "mov a,x", "MOV A,Y", "mov x,a", "mov y,a", "mov x,sp", "mov sp,x",
        "mov (x+),a", "MOV A,(X+)", "mov (x),a", "mov a,(x)", "adc (x),(y)", "cmp a,(x)",
        "mov ($12+x),a", "mov ($12)+y,a", "mov a,($12+X)", "mov a,($12)+Y",
        "sbc a,($FE+x)", "eor a,($FE)+y", "jmp ($1234+x)", "jmp ($12+x)", "jmp ($1234)",
        "push a", "push x", "push y", "push p", "pop P", "pop a", "pop x", "pop y",
        "mul ya", "div ya,x", "daa a", "das a", "xcn a", "xcn", "inc a", "dec y", "asl a",
    ],
    "direct_page_or_absolute": [
        "mov a,$12", "mov a,$0012", "mov a,$1234", "mov a,18", "mov a,300", "mov a,%1010",
        "mov a,%000000001", "mov a,'a'", "mov a,$12+x", "mov a,$0012+x", "mov a,$12+y",
        "mov $12,a", "mov $0012,a", "mov $12+x,a", "mov $1234+x,a", "mov $12+y,a",
        "mov $12,x", "mov $1234,x", "mov $12,y", "mov $1234,y", "mov x,$12", "mov x,$1234",
        "mov y,$12", "mov y,$1234", "mov $12+y,x", "mov $12+x,y", "mov x,$12+y", "mov y,$12+x",
        "cmp x,$12", "cmp x,$1234", "cmp y,$12", "cmp y,$1234", "cmp x,#$12", "cmp y,#$12",
        "or a,$12", "or a,$1234", "and a,$12+x", "and a,$1234+x", "eor a,$1234+y",
        "asl $12", "asl $1234", "rol $12+x", "lsr $0012", "ror $12", "inc $12", "dec $1234",
        "inc $12+x", "dec $FF+x",
    ],
    "length_suffixes": [
        "mov.b a,$1234", "mov.w a,$12", "mov.B a,$1234+x", "mov.W a,$12+x", "mov.w $12,a",
        "mov.b $1234,a", "cmp.w x,$12", "cmp.b y,$1234", "asl.w $12", "asl.b $1234",
        "inc.w $12+x", "mov.b a,$1234+y", "mov.w a,($12+x)", "jmp.b $12", "call.b $1234",
        "tclr.b $12,a", "mov.b a,#$1234", "mov.byte a,$1234", "mov.wide a,$12",
    ],
    "labels_are_absolute": [
        "zp = $12", "far = $1234", "mov a,zp", "mov.b a,zp", "mov zp,a", "mov a,zp+x",
        "asl zp", "mov a,far>>8", "mov a,$12>>16", "mov a,zp>>16", "mov a,zp/$10000",
        "here:", "mov a,here&$FF", "mov a,#zp", "mov a,#here>>8",
    ],
    "immediates_and_two_addresses": [
        "mov a,#$12", "mov x,#$12", "mov y,#$12", "mov a,#-1", "mov a,#-256", "mov a,#255",
        "mov $12,#$34", "mov $1234,#$5678", "mov $12,$34", "mov $1234,$5678", "adc $12,#$34",
        "sbc $12,$34", "cmp $12,#1", "or $FF,$00", "and $12,#$FF", "eor $12,$34",
        "mov a, #$12", "mov a,\t#$12", "mov $12, $34",
    ],
    "words": [
        "movw ya,$12", "movw $12,ya", "addw ya,$12", "subw ya,$12", "cmpw ya,$12",
        "incw $12", "decw $12", "incw $1234", "call $1234", "call $12", "jmp $1234",
        "jmp $12", "pcall $80", "pcall $FF80", "tset $1234,a", "tclr $12,a", "TSET $0012,A",
    ],
    "implied": [
        "nop", "brk", "ret", "reti", "clrp", "setp", "clrc", "setc", "ei", "di", "clrv",
        "notc", "sleep", "stop", "NOP",
    ],
    "tcall": [f"tcall {n}" for n in range(16)] + ["tcall $F", "tcall 3+4"],
    "bits": [
        "set1 $12.3", "set $12.3", "set3 $12", "set1 $12", "set0 $12", "clr1 $12.7",
        "clr7 $12", "clr $FF.0", "SET1 $12.0",
        "mov1 c,$1234.5", "mov c,$1234.5", "mov1 c,$1234", "mov5 c,$1234", "mov1 $1234.5,c",
        "mov $1FFF.7,c", "mov3 $1234,c", "mov1 $1234.5", "mov1 c,$0000.0",
        "and1 c,$1234.5", "and1 c,!$1234.5", "and c,!$1234.5", "and3 c,!$1234",
        "or1 c,$1234.5", "or1 c,!$1234.5", "or c,$1234.5", "eor1 c,$1234.5", "eor c,$1234.5",
        "not1 $1234.5", "not1 c,$1234.5", "not3 c,$12", "not3 $12", "not $1234.5",
        "or1 $1234.5", "and1 $1234.5", "eor1 $1234.5",
    ],
    "branches_to_labels": [
        "top:", "bra top", "beq top", "bne bottom", "bpl top", "bmi bottom", "bvc top",
        "bvs bottom", "bcc top", "bcs bottom", "dbnz y,top", "dbnz $12,bottom",
        "cbne $12,top", "cbne $12+x,bottom", "bbs0 $12,top", "bbs $12.7,bottom",
        "bbc1 $12,top", "bbc $12.6,bottom", "bbs1 $12.3,top", "bra top+2", "bra bottom-1",
        "bottom:", "nop",
    ],
    "branches_to_numbers": [
        # width 1 (a small literal) is the offset itself; anything wider is a target
        "bra $12", "bra 5", "bra -2", "bra $FE", "bra 0", "beq $7F", "bne $80",
        "bra $0200", "bra $0208", "bra $0180", "bra $00FE", "bra 300",
        "dbnz y,5", "dbnz y,$0200", "dbnz $12,5", "dbnz $12,$0210",
        "cbne $12,$FD", "cbne $12+x,$0200", "bbs3 $12,$0200", "bbc3 $12,$0230",
    ],
    "anonymous_labels": [
        "--", "-", "bra -", "bne +", "dbnz y,-", "cbne $12,+", "+", "nop", "bra --",
    ],
    "assuming_8_bit_warnings": [
        "mov a,#$1234", "mov a,#$FF00", "mov a,#-255", "mov a,#$10012", "mov x,#256",
        "mov x,$1234+y", "mov y,$1234+x", "mov ($1234+x),a", "mov a,($1234)+y",
        "cmp x,#$1FF", "adc a,#$100", "movw ya,$1234", "movw $1234,ya", "mov.b a,#$1234",
        "mov.w a,#$1234", "mov $1234+y,x", "mov.b x,$1234+y",
        # these one-byte forms truncate without a warning
        "inc $1234+x", "pcall $1234", "incw $1234", "mov $1234,#$5678", "cbne $1234,$0203",
    ],
}


@pytest.mark.parametrize("name", list(GROUPS))
def test_against_asar(name):
    assert_same(GROUPS[name])


def test_branch_numbers_are_offsets_or_targets():
    """The rule asar applies (checked here on its own, not only by comparison)."""
    ours = Ours(["bra $12", "bra 5", "bra $0200", "bra $0206", "bra 300"])
    assert [d for _, d in ours.chunks] == [
        b"\x2f\x12", b"\x2f\x05", bytes([0x2F, (0x200 - 0x206) & 0xFF]),
        bytes([0x2F, (0x206 - 0x208) & 0xFF]), bytes([0x2F, (300 - 0x20A) & 0xFF])]


def test_lorom_default_origin():
    """``org $008000`` with the LoROM default: addresses (and branches) count from $8000."""
    lines = ["start:", "mov a,#$12", "bra start", "bra $8000", "bra $12", "call start",
             "dbnz y,start", "bbs2 $12,start", "mov a,start", "mov.b a,start"]
    ours = assert_same(lines, "org $008000\narch spc700\n", 0x8000)
    assert ours.chunks[1][1] == bytes([0x2F, 0xFC])  # bra start, from $8002


def test_optimize_dp_makes_labels_direct_page():
    """The width guess is asar's, settings included: with ``optimize dp always`` a label in
    page 0 is one byte, for an address and for a branch (then the offset itself)."""
    ours = assert_same(["zp = $12", "mov a,zp", "mov a,zp+x", "bra zp", "here:", "mov a,here"],
                       NOROM + "optimize dp always\n", optimize_dp="always", optimize_dp_set=True)
    assert [d for _, d in ours.chunks][:3] == [b"\xe4\x12", b"\xf4\x12", b"\x2f\x12"]


def test_inline_arch_uses_the_same_encoder():
    lines = ["start:", "mov a,#$12", "mov $f4,a", "bra start", "jmp start", "bbc7 $12,start",
             "mov a,$12", "mov a,start", "set5 $f1"]
    ours = Ours(lines)
    theirs = asar("org $008000\narch spc700-inline\norg $0200\n" + "\n".join(lines) + "\n")
    assert theirs.ok, theirs.stderr
    n = len(ours.data)
    assert theirs.rom[:4] == bytes([n & 0xFF, n >> 8, 0x00, 0x02])  # size, address
    assert theirs.rom[4 : 4 + n] == ours.data


def test_spcblock_uses_the_same_encoder():
    lines = ["entry:", "mov a,#$01", "mov $f4,a", "cbne $f4,entry", "movw ya,$f4", "tcall 3"]
    ours = Ours(lines)
    theirs = asar("org $008000\nspcblock $0200\n" + "\n".join(lines) + "\nendspcblock\n")
    assert theirs.ok, theirs.stderr
    n = len(ours.data)
    assert theirs.rom[:4] == bytes([n & 0xFF, n >> 8, 0x00, 0x02])
    assert theirs.rom[4 : 4 + n] == ours.data


# --------------------------------------------------------------------------- errors

ERRORS: list[tuple[list[str], str]] = [
    (["mov a,(x)+"], "Euse_xplus"),
    (["mov (x)+,a"], "Euse_xplus"),
    (["push psw"], "Eunknown_command"),
    (["pop psw"], "Eunknown_command"),
    (["mov a,[$12+x]"], "Einvalid_number"),
    (["mov a,[$12]+y"], "Einvalid_number"),
    (["mov a,!$1234"], "Einvalid_number"),
    (["mov a,$12 + x"], "Eunknown_command"),
    (["mov a , $12"], "Eunknown_command"),
    (["mov a,#($12 + 1)"], "Eunknown_command"),
    (["tset1 $1234,a"], "Eunknown_command"),
    (["nop #3"], "Eunknown_command"),
    (["nop.b"], "Eunknown_command"),
    (["mul"], "Eunknown_command"),
    (["asl"], "Eunknown_command"),
    (["mov a,b,c"], "Eunknown_command"),
    (["set8 $12"], "Eunknown_command"),
    (["set1 $12.8"], "Eunknown_command"),
    (["set3 $12.5"], "Eunknown_command"),
    (["eor1 c,!$1234.5"], "Einvalid_number"),
    (["or1 c,/$1234.5"], "Einvalid_number"),
    (["bbs $12,$0200"], "Eunknown_command"),
    (["lda #$12"], "Eunknown_command"),
    (["tcall 16"], "Einvalid_tcall"),
    (["tcall -1"], "Einvalid_tcall"),
    (["set1 $1234.3"], "Esnes_address_out_of_bounds"),
    (["set1 -1.2"], "Esnes_address_out_of_bounds"),
    (["bbc2 $100,$0200"], "Esnes_address_out_of_bounds"),
    (["not1 $2000.1"], "Espc700_addr_out_of_range"),
    (["or1 c,!$2000.1"], "Espc700_addr_out_of_range"),
    (["mov1 $2000.1,c"], "Esnes_address_out_of_bounds"),
    (["mov.l a,$12"], "Eopcode_length_too_long"),
    (["mov.d a,$12"], "Eopcode_length_too_long"),
    (["mov.x a,$12"], "Einvalid_opcode_length"),
    (["bra far", "fill 200", "far:"], "Erelative_branch_out_of_bounds"),
    (["back:", "fill 200", "beq back"], "Erelative_branch_out_of_bounds"),
    (["dbnz $12,far", "fill 200", "far:"], "Erelative_branch_out_of_bounds"),
    (["dbnz y,far", "fill 200", "far:"], "Erelative_branch_out_of_bounds"),
    (["mov a,nowhere"], "Elabel_not_found"),
]


def _with_fill(lines: list[str]) -> list[str]:
    """``fill N`` stands for N nops in our program (asar gets the real command)."""
    out = []
    for ln in lines:
        out += ["nop"] * int(ln.split()[1]) if ln.startswith("fill ") else [ln]
    return out


@pytest.mark.parametrize("lines,error", ERRORS, ids=[" / ".join(c[0]) for c in ERRORS])
def test_errors_match_asar(lines, error):
    theirs = asar(NOROM + "\n".join(lines) + "\n")
    assert not theirs.ok
    assert error in theirs.error_ids(), theirs.stderr
    ours = Ours(_with_fill(lines))
    assert ours.error is not None, ours.data.hex(" ")
    assert ours.error.id == error


def test_branch_without_label_is_not_range_checked():
    """asar checks a plain branch's distance only when a label is involved."""
    assert_same(["bra $0400", "beq $0000", "dbnz y,$0400", "cbne $12,$0400"])


def test_bbs_distance_is_always_checked():
    """BBS/BBC compute the distance even from a small number, and check it (asar fails
    without printing a message; we report Erelative_branch_out_of_bounds)."""
    for line in ("bbs0 $12,5", "bbc7 $12,$0400"):
        theirs = asar(NOROM + line + "\n")
        assert not theirs.ok and theirs.rom == b""
        ours = Ours([line])
        assert ours.error is not None and ours.error.id == "Erelative_branch_out_of_bounds"


def test_mnemonic_spellings():
    for name in ("mov", "MOV1", "set3", "bbc7", "tcall", "pcall", "tset", "set", "not", "xcn"):
        assert is_spc700_mnemonic(name)
    for name in ("set8", "lda", "tset1", "bbs8", "movb"):
        assert not is_spc700_mnemonic(name)


def test_mnemonic_with_suffix_in_one_word():
    a = Assembler()
    a.reset_pass(True)
    a.snes = 0x0200
    assert encode_spc700(a, "mov.w", "", "a,$12") == b"\xe5\x12\x00"
    assert encode_spc700(a, "MOV", "b", "a,$1234") == b"\xe4\x34"
