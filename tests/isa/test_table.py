"""The 65C816 instruction table against the WDC W65C816S datasheet.

Expected values below are written out from the datasheet's opcode matrix and its
cycle notes (M=0 / X=0 widths, DL != 0, indexing across a page, taken branches,
native-mode BRK/COP/RTI), not read back from the table.
"""

from __future__ import annotations

import pytest

from triforce.isa import (
    BRANCHES,
    MNEMONICS,
    OPCODES,
    Mode,
    instruction_text,
    lookup,
    modes_of,
    operand_text,
)

# The 92 mnemonics of the 65C816 (WDC datasheet, instruction set summary).
ALL_MNEMONICS = set(
    """
    ADC AND ASL BCC BCS BEQ BIT BMI BNE BPL BRA BRK BRL BVC BVS CLC CLD CLI CLV CMP
    COP CPX CPY DEC DEX DEY EOR INC INX INY JML JMP JSL JSR LDA LDX LDY LSR MVN MVP
    NOP ORA PEA PEI PER PHA PHB PHD PHK PHP PHX PHY PLA PLB PLD PLP PLX PLY REP ROL
    ROR RTI RTL RTS SBC SEC SED SEI SEP STA STP STX STY STZ TAX TAY TCD TCS TDC TRB
    TSB TSC TSX TXA TXS TXY TYA TYX WAI WDM XBA XCE
    """.split()
)

# (opcode, mnemonic, mode) spot checks across the whole matrix.
SPOT = [
    (0x00, "BRK", Mode.IMM8), (0x02, "COP", Mode.IMM8), (0x42, "WDM", Mode.IMM8),
    (0xC2, "REP", Mode.IMM8), (0xE2, "SEP", Mode.IMM8),
    (0xA9, "LDA", Mode.IMM_M), (0x89, "BIT", Mode.IMM_M), (0xE9, "SBC", Mode.IMM_M),
    (0xA2, "LDX", Mode.IMM_X), (0xA0, "LDY", Mode.IMM_X), (0xE0, "CPX", Mode.IMM_X),
    (0xC0, "CPY", Mode.IMM_X),
    (0xA5, "LDA", Mode.DP), (0xB5, "LDA", Mode.DPX), (0xB2, "LDA", Mode.DPI),
    (0xA1, "LDA", Mode.DPIX), (0xB1, "LDA", Mode.DPIY), (0xA7, "LDA", Mode.DPIL),
    (0xB7, "LDA", Mode.DPILY), (0xAD, "LDA", Mode.ABS), (0xBD, "LDA", Mode.ABSX),
    (0xB9, "LDA", Mode.ABSY), (0xAF, "LDA", Mode.LONG), (0xBF, "LDA", Mode.LONGX),
    (0xA3, "LDA", Mode.SR), (0xB3, "LDA", Mode.SRIY),
    (0xB6, "LDX", Mode.DPY), (0xBE, "LDX", Mode.ABSY), (0x96, "STX", Mode.DPY),
    (0xBC, "LDY", Mode.ABSX),
    (0x64, "STZ", Mode.DP), (0x74, "STZ", Mode.DPX), (0x9C, "STZ", Mode.ABS),
    (0x9E, "STZ", Mode.ABSX), (0x04, "TSB", Mode.DP), (0x0C, "TSB", Mode.ABS),
    (0x14, "TRB", Mode.DP), (0x1C, "TRB", Mode.ABS),
    (0x0A, "ASL", Mode.ACC), (0x1A, "INC", Mode.ACC), (0x3A, "DEC", Mode.ACC),
    (0x4C, "JMP", Mode.ABS), (0x6C, "JMP", Mode.ABSI), (0x7C, "JMP", Mode.ABSIX),
    (0x5C, "JML", Mode.LONG), (0xDC, "JML", Mode.ABSIL), (0x20, "JSR", Mode.ABS),
    (0xFC, "JSR", Mode.ABSIX), (0x22, "JSL", Mode.LONG),
    (0x60, "RTS", Mode.IMP), (0x6B, "RTL", Mode.IMP), (0x40, "RTI", Mode.IMP),
    (0x80, "BRA", Mode.REL8), (0x82, "BRL", Mode.REL16), (0xD0, "BNE", Mode.REL8),
    (0x10, "BPL", Mode.REL8), (0x62, "PER", Mode.REL16), (0xF4, "PEA", Mode.ABS),
    (0xD4, "PEI", Mode.DPI), (0x54, "MVN", Mode.BLK), (0x44, "MVP", Mode.BLK),
    (0xCB, "WAI", Mode.IMP), (0xDB, "STP", Mode.IMP), (0xEB, "XBA", Mode.IMP),
    (0xFB, "XCE", Mode.IMP), (0xEA, "NOP", Mode.IMP), (0x5B, "TCD", Mode.IMP),
    (0x1B, "TCS", Mode.IMP), (0x7B, "TDC", Mode.IMP), (0x3B, "TSC", Mode.IMP),
    (0x9B, "TXY", Mode.IMP), (0xBB, "TYX", Mode.IMP), (0x8B, "PHB", Mode.IMP),
    (0xAB, "PLB", Mode.IMP), (0x0B, "PHD", Mode.IMP), (0x2B, "PLD", Mode.IMP),
    (0x4B, "PHK", Mode.IMP), (0xDA, "PHX", Mode.IMP), (0xFA, "PLX", Mode.IMP),
    (0x5A, "PHY", Mode.IMP), (0x7A, "PLY", Mode.IMP),
]

# operand bytes of every addressing mode with a fixed size
FIXED_OPERAND = {
    Mode.IMP: 0, Mode.ACC: 0, Mode.IMM8: 1,
    Mode.DP: 1, Mode.DPX: 1, Mode.DPY: 1, Mode.DPI: 1, Mode.DPIX: 1, Mode.DPIY: 1,
    Mode.DPIL: 1, Mode.DPILY: 1, Mode.SR: 1, Mode.SRIY: 1, Mode.REL8: 1,
    Mode.ABS: 2, Mode.ABSX: 2, Mode.ABSY: 2, Mode.ABSI: 2, Mode.ABSIX: 2, Mode.ABSIL: 2,
    Mode.REL16: 2, Mode.BLK: 2,
    Mode.LONG: 3, Mode.LONGX: 3,
}

DIRECT = {Mode.DP, Mode.DPX, Mode.DPY, Mode.DPI, Mode.DPIX, Mode.DPIY, Mode.DPIL, Mode.DPILY}
M_READS = {"ORA", "AND", "EOR", "ADC", "BIT", "LDA", "CMP", "SBC"}
M_STORES = {"STA", "STZ"}
M_RMW = {"ASL", "LSR", "ROL", "ROR", "INC", "DEC", "TSB", "TRB"}
X_READS = {"LDX", "LDY", "CPX", "CPY"}
X_STORES = {"STX", "STY"}


def op(code: int):
    return OPCODES[code]


# ------------------------------------------------------------------ the matrix


def test_all_256_opcodes_present_in_order():
    assert len(OPCODES) == 256
    assert [o.code for o in OPCODES] == list(range(256))


def test_mnemonic_mode_pairs_unique():
    pairs = [(o.mnemonic, o.mode) for o in OPCODES]
    assert len(set(pairs)) == 256


def test_mnemonics_are_the_92_of_the_65c816():
    assert len(ALL_MNEMONICS) == 92
    assert set(MNEMONICS) == ALL_MNEMONICS


@pytest.mark.parametrize("code,mnemonic,mode", SPOT)
def test_spot_opcodes(code, mnemonic, mode):
    assert (op(code).mnemonic, op(code).mode) == (mnemonic, mode)


def test_immediate_opcodes_by_width_rule():
    assert {o.code for o in OPCODES if o.mode is Mode.IMM_M} == {
        0x09, 0x29, 0x49, 0x69, 0x89, 0xA9, 0xC9, 0xE9}
    assert {o.code for o in OPCODES if o.mode is Mode.IMM_X} == {0xA0, 0xA2, 0xC0, 0xE0}
    assert {o.code for o in OPCODES if o.mode is Mode.IMM8} == {0x00, 0x02, 0x42, 0xC2, 0xE2}


def test_branches_set():
    assert set(BRANCHES) == {"BPL", "BMI", "BVC", "BVS", "BCC", "BCS", "BNE", "BEQ", "BRA"}
    assert {o.code for o in OPCODES if o.mnemonic in BRANCHES} == {
        0x10, 0x30, 0x50, 0x70, 0x90, 0xB0, 0xD0, 0xF0, 0x80}


# ------------------------------------------------------------------ lengths


@pytest.mark.parametrize("m", [0, 1])
@pytest.mark.parametrize("x", [0, 1])
def test_every_length_follows_its_mode(m, x):
    for o in OPCODES:
        if o.mode is Mode.IMM_M:
            want = 2 if m else 3
        elif o.mode is Mode.IMM_X:
            want = 2 if x else 3
        else:
            want = 1 + FIXED_OPERAND[o.mode]
        assert o.length(m, x) == want, f"{o.code:02X} {o.mnemonic}"


@pytest.mark.parametrize(
    "code,m,x,length",
    [
        (0xA9, 1, 1, 2), (0xA9, 0, 1, 3), (0xA9, 1, 0, 2), (0xA9, 0, 0, 3),  # LDA #
        (0xA2, 1, 1, 2), (0xA2, 1, 0, 3), (0xA2, 0, 1, 2), (0xA2, 0, 0, 3),  # LDX #
        (0xC0, 1, 0, 3), (0x89, 0, 1, 3),                                    # CPY #, BIT #
        (0xC2, 0, 0, 2), (0xE2, 0, 0, 2), (0xC2, 1, 1, 2),                   # REP SEP
        (0x00, 0, 0, 2), (0x02, 0, 0, 2), (0x42, 0, 0, 2),                   # BRK COP WDM
        (0x54, 0, 0, 3), (0x44, 1, 1, 3),                                    # MVN MVP
        (0x22, 0, 0, 4), (0x5C, 1, 1, 4), (0xAF, 0, 0, 4),                   # JSL JML LDA long
        (0xF4, 0, 0, 3), (0x62, 0, 0, 3), (0x82, 0, 0, 3), (0xD4, 0, 0, 2),  # PEA PER BRL PEI
        (0x20, 1, 1, 3), (0xFC, 1, 1, 3), (0xDC, 1, 1, 3),                   # JSR, JSR (a,x), JML [a]
        (0xD0, 0, 0, 2), (0xEA, 0, 0, 1), (0x0A, 0, 0, 1), (0x60, 0, 0, 1),  # BNE NOP ASL A RTS
    ],
)
def test_lengths(code, m, x, length):
    assert op(code).length(m, x) == length


# ------------------------------------------------------------------ cycles


@pytest.mark.parametrize(
    "code,m,x,cycles",
    [
        (0xA9, 1, 1, 2), (0xA9, 0, 1, 3),        # LDA #
        (0xA5, 1, 1, 3), (0xA5, 0, 1, 4),        # LDA dp
        (0xAD, 1, 1, 4), (0xAD, 0, 1, 5),        # LDA abs
        (0xAF, 1, 1, 5), (0xAF, 0, 1, 6),        # LDA long
        (0xBF, 1, 1, 5), (0xBF, 1, 0, 5),        # LDA long,X: no index penalty
        (0xB5, 1, 0, 4),                         # LDA dp,X: no index penalty
        (0xB2, 1, 1, 5), (0xA1, 1, 1, 6), (0xA7, 1, 1, 6), (0xB7, 1, 0, 6),
        (0xA3, 1, 1, 4), (0xB3, 1, 1, 7), (0xB3, 0, 0, 8),
        (0x85, 1, 1, 3), (0x85, 0, 1, 4),        # STA dp
        (0x8D, 0, 1, 5), (0x64, 0, 1, 4),        # STA abs, STZ dp (16-bit)
        (0x06, 1, 1, 5), (0x06, 0, 1, 7),        # ASL dp
        (0xEE, 1, 1, 6), (0xEE, 0, 1, 8),        # INC abs
        (0x1E, 1, 1, 7), (0x1E, 0, 0, 9),        # ASL abs,X
        (0x04, 0, 1, 7), (0x1C, 0, 1, 8),        # TSB dp, TRB abs
        (0x0A, 0, 0, 2), (0x1A, 0, 0, 2),        # ASL A, INC A: always 2
        (0xA2, 1, 1, 2), (0xA2, 1, 0, 3),        # LDX #
        (0xAE, 1, 0, 5), (0x8E, 1, 0, 5),        # LDX abs, STX abs (16-bit)
        (0xE4, 0, 0, 4), (0xE4, 0, 1, 3),        # CPX dp
        (0x48, 1, 1, 3), (0x48, 0, 1, 4),        # PHA
        (0x68, 1, 1, 4), (0x68, 0, 1, 5),        # PLA
        (0xDA, 1, 1, 3), (0xDA, 1, 0, 4),        # PHX
        (0x7A, 1, 1, 4), (0x7A, 1, 0, 5),        # PLY
        (0x08, 0, 0, 3), (0x28, 0, 0, 4),        # PHP PLP
        (0x0B, 1, 1, 4), (0x2B, 1, 1, 5),        # PHD PLD
        (0x8B, 1, 1, 3), (0xAB, 1, 1, 4), (0x4B, 1, 1, 3),  # PHB PLB PHK
        (0xF4, 0, 0, 5), (0x62, 0, 0, 6), (0xD4, 0, 0, 6),  # PEA PER PEI
        (0x20, 1, 1, 6), (0xFC, 1, 1, 8), (0x22, 1, 1, 8),  # JSR JSR(a,x) JSL
        (0x60, 1, 1, 6), (0x6B, 1, 1, 6),        # RTS RTL
        (0x4C, 1, 1, 3), (0x5C, 1, 1, 4), (0x6C, 1, 1, 5), (0x7C, 1, 1, 6), (0xDC, 1, 1, 6),
        (0x82, 0, 0, 4),                         # BRL
        (0xEB, 1, 1, 3), (0xFB, 1, 1, 2), (0xCB, 1, 1, 3), (0xDB, 1, 1, 3),  # XBA XCE WAI STP
        (0xEA, 0, 0, 2), (0x42, 0, 0, 2), (0xC2, 0, 0, 3), (0xE2, 1, 1, 3),  # NOP WDM REP SEP
        (0xAA, 0, 0, 2), (0xE8, 0, 0, 2), (0x1B, 0, 0, 2),  # TAX INX TCS
    ],
)
def test_cycles_native(code, m, x, cycles):
    assert op(code).cycles(m, x, e=0) == cycles


def test_emulation_forces_8_bit_timing():
    assert op(0xA9).cycles(0, 0, e=1) == 2          # LDA #
    assert op(0x06).cycles(0, 0, e=1) == 5          # ASL dp
    assert op(0xBD).cycles(0, 0, e=1) == 4          # LDA abs,X, no page crossed
    assert op(0xDA).cycles(0, 0, e=1) == 3          # PHX


def test_m16_adds_one_to_reads_and_stores_two_to_rmw():
    for o in OPCODES:
        delta = o.cycles(0, 1) - o.cycles(1, 1)
        if o.mode is Mode.ACC:
            want = 0
        elif o.mnemonic in M_READS or o.mnemonic in M_STORES or o.mnemonic in ("PHA", "PLA"):
            want = 1
        elif o.mnemonic in M_RMW:
            want = 2
        else:
            want = 0
        assert delta == want, f"{o.code:02X} {o.mnemonic} {o.mode.label}"


def test_x16_adds_one_to_index_register_accesses():
    for o in OPCODES:
        delta = o.cycles(1, 0) - o.cycles(1, 1)
        if o.mnemonic in X_READS or o.mnemonic in X_STORES:
            # LDX abs,Y and LDY abs,X also pay the 16-bit indexing cycle
            want = 2 if o.mode in (Mode.ABSX, Mode.ABSY) else 1
        elif o.mnemonic in ("PHX", "PHY", "PLX", "PLY"):
            want = 1
        elif o.mnemonic in M_READS and o.mode in (Mode.ABSX, Mode.ABSY, Mode.DPIY):
            want = 1  # 16-bit index: the indexing cycle is always taken
        else:
            want = 0
        assert delta == want, f"{o.code:02X} {o.mnemonic} {o.mode.label}"


def test_dl_nonzero_adds_one_to_every_direct_mode():
    for o in OPCODES:
        delta = o.cycles(1, 1, dl_nonzero=True) - o.cycles(1, 1)
        want = 1 if o.mode in DIRECT else 0
        assert delta == want, f"{o.code:02X} {o.mnemonic} {o.mode.label}"


def test_direct_page_opcodes_of_the_matrix():
    # every opcode with a direct page operand, listed by hand from the datasheet matrix
    expected = {
        # ORA AND EOR ADC STA LDA CMP SBC: dp  dp,x  (dp)  (dp,x)  (dp),y  [dp]  [dp],y
        0x05, 0x15, 0x12, 0x01, 0x11, 0x07, 0x17,
        0x25, 0x35, 0x32, 0x21, 0x31, 0x27, 0x37,
        0x45, 0x55, 0x52, 0x41, 0x51, 0x47, 0x57,
        0x65, 0x75, 0x72, 0x61, 0x71, 0x67, 0x77,
        0x85, 0x95, 0x92, 0x81, 0x91, 0x87, 0x97,
        0xA5, 0xB5, 0xB2, 0xA1, 0xB1, 0xA7, 0xB7,
        0xC5, 0xD5, 0xD2, 0xC1, 0xD1, 0xC7, 0xD7,
        0xE5, 0xF5, 0xF2, 0xE1, 0xF1, 0xE7, 0xF7,
        # ASL ROL LSR ROR DEC INC: dp  dp,x
        0x06, 0x16, 0x26, 0x36, 0x46, 0x56, 0x66, 0x76, 0xC6, 0xD6, 0xE6, 0xF6,
        # TSB TRB  BIT dp, dp,x  STZ dp, dp,x  STX dp, dp,y  STY dp, dp,x
        0x04, 0x14, 0x24, 0x34, 0x64, 0x74, 0x86, 0x96, 0x84, 0x94,
        # LDX dp, dp,y  LDY dp, dp,x  CPX dp  CPY dp  PEI
        0xA6, 0xB6, 0xA4, 0xB4, 0xE4, 0xC4, 0xD4,
    }
    assert len(expected) == 85
    assert {o.code for o in OPCODES if o.mode in DIRECT} == expected


def test_pei_pays_for_dl():
    assert op(0xD4).cycles(1, 1) == 6
    assert op(0xD4).cycles(1, 1, dl_nonzero=True) == 7
    assert op(0xD4).cycles(0, 0, dl_nonzero=True) == 7  # width does not matter


def test_sr_and_absolute_modes_ignore_dl():
    for code in (0x03, 0x13, 0x0D, 0x0F, 0xF4, 0x62, 0xA9, 0x6C):
        assert op(code).cycles(1, 1, dl_nonzero=True) == op(code).cycles(1, 1)


@pytest.mark.parametrize("code", [0xBD, 0xB9, 0xB1, 0x3C, 0xDD, 0x79, 0xF1, 0xBC, 0xBE])
def test_indexed_read_page_cross_or_x16(code):
    # ...D abs,X  ...9 abs,Y  ...1 (dp),Y reads, BIT abs,X, LDY abs,X, LDX abs,Y
    o = op(code)
    base = o.cycles(1, 1)
    assert base == (5 if o.mode is Mode.DPIY else 4)
    assert o.cycles(1, 1, page_crossed=True) == base + 1
    x16 = 1 if o.mnemonic in ("LDX", "LDY") else 0  # the register's own width
    assert o.cycles(1, 0) == base + 1 + x16
    assert o.cycles(1, 0, page_crossed=True) == base + 1 + x16  # counted once
    assert o.cycles(1, 1, e=1, page_crossed=True) == base + 1
    assert o.cycles(0, 0, e=1) == base


@pytest.mark.parametrize(
    "code,base",
    [
        (0x9D, 5), (0x99, 5), (0x91, 6), (0x9E, 5),  # STA abs,X abs,Y (dp),Y; STZ abs,X
        (0x1E, 7), (0x3E, 7), (0x5E, 7), (0x7E, 7), (0xDE, 7), (0xFE, 7),  # RMW abs,X
    ],
)
def test_indexed_stores_and_rmw_have_a_fixed_count(code, base):
    o = op(code)
    assert o.cycles(1, 1) == base
    assert o.cycles(1, 1, page_crossed=True) == base
    assert o.cycles(1, 0) == base
    assert o.cycles(1, 0, page_crossed=True) == base


def test_long_indexed_and_stack_relative_have_no_index_penalty():
    for code in (0xBF, 0xB7, 0xB3, 0xB5):  # long,X  [dp],Y  (sr),Y  dp,X
        o = op(code)
        assert o.cycles(1, 0, page_crossed=True) == o.cycles(1, 1)


@pytest.mark.parametrize("code", [0x10, 0x30, 0x50, 0x70, 0x90, 0xB0, 0xD0, 0xF0])
def test_conditional_branches(code):
    o = op(code)
    for e in (0, 1):
        assert o.cycles(e=e) == 2
        assert o.cycles(e=e, branch_page_crossed=True) == 2  # not taken: no penalty
    assert o.cycles(e=0, branch_taken=True) == 3
    assert o.cycles(e=0, branch_taken=True, branch_page_crossed=True) == 3
    assert o.cycles(e=1, branch_taken=True) == 3
    assert o.cycles(e=1, branch_taken=True, branch_page_crossed=True) == 4
    assert o.cycle_range(e=1) == (2, 4)
    assert o.cycle_range(e=0) == (2, 3)


def test_bra_and_brl():
    bra, brl = op(0x80), op(0x82)
    assert bra.cycles(e=0) == 3
    assert bra.cycles(e=0, branch_page_crossed=True) == 3
    assert bra.cycles(e=1, branch_page_crossed=True) == 4
    assert bra.cycle_range(e=1) == (3, 4)
    assert brl.cycle_range(e=1) == (4, 4)
    assert brl.cycle_range(e=0) == (4, 4)


@pytest.mark.parametrize("code,emulation,native", [(0x00, 7, 8), (0x02, 7, 8), (0x40, 6, 7)])
def test_brk_cop_rti_native_plus_one(code, emulation, native):
    assert op(code).cycles(e=1) == emulation
    assert op(code).cycles(e=0) == native
    assert op(code).cycles(0, 0, e=0) == native


@pytest.mark.parametrize("code", [0x54, 0x44])
def test_block_move_seven_per_byte(code):
    for m in (0, 1):
        for x in (0, 1):
            for e in (0, 1):
                assert op(code).cycles(m, x, e) == 7


def test_cycle_range_of_indexed_read():
    assert op(0xBD).cycle_range(1, 1) == (4, 5)
    assert op(0xBD).cycle_range(0, 0) == (6, 6)  # 16-bit A, 16-bit index
    assert op(0xA5).cycle_range(1, 1, dl_nonzero=True) == (4, 4)


def test_width_flag():
    assert op(0xA9).width_flag == "m"
    assert op(0x48).width_flag == "m"   # PHA
    assert op(0x0E).width_flag == "m"   # ASL abs
    assert op(0xA2).width_flag == "x"
    assert op(0x8C).width_flag == "x"   # STY abs
    assert op(0xFA).width_flag == "x"   # PLX
    assert op(0xEA).width_flag is None
    assert op(0xF4).width_flag is None  # PEA is always 16-bit
    assert op(0x54).width_flag is None


# ------------------------------------------------------------------ lookup


def test_lookup():
    assert lookup("LDA", Mode.IMM_M).code == 0xA9
    assert lookup("lda", Mode.IMM8).code == 0xA9    # immediate modes are interchangeable
    assert lookup("LDX", Mode.IMM_M).code == 0xA2
    assert lookup("rep", Mode.IMM_M).code == 0xC2
    assert lookup("LDA", Mode.LONGX).code == 0xBF
    assert lookup("JML", Mode.ABSIL).code == 0xDC
    assert lookup("JMP", Mode.LONG) is None          # that is JML
    assert lookup("STA", Mode.IMM_M) is None
    assert lookup("XYZ", Mode.IMP) is None
    assert lookup("MVP", Mode.BLK).code == 0x44


def test_modes_of():
    lda = modes_of("lda")
    assert {m: o.code for m, o in lda.items()} == {
        Mode.IMM_M: 0xA9, Mode.DP: 0xA5, Mode.DPX: 0xB5, Mode.DPI: 0xB2, Mode.DPIX: 0xA1,
        Mode.DPIY: 0xB1, Mode.DPIL: 0xA7, Mode.DPILY: 0xB7, Mode.ABS: 0xAD, Mode.ABSX: 0xBD,
        Mode.ABSY: 0xB9, Mode.LONG: 0xAF, Mode.LONGX: 0xBF, Mode.SR: 0xA3, Mode.SRIY: 0xB3,
    }
    assert {m: o.code for m, o in modes_of("JMP").items()} == {
        Mode.ABS: 0x4C, Mode.ABSI: 0x6C, Mode.ABSIX: 0x7C}
    assert {m: o.code for m, o in modes_of("JML").items()} == {Mode.LONG: 0x5C, Mode.ABSIL: 0xDC}
    assert {m: o.code for m, o in modes_of("STZ").items()} == {
        Mode.DP: 0x64, Mode.DPX: 0x74, Mode.ABS: 0x9C, Mode.ABSX: 0x9E}
    assert {m: o.code for m, o in modes_of("BIT").items()} == {
        Mode.IMM_M: 0x89, Mode.DP: 0x24, Mode.DPX: 0x34, Mode.ABS: 0x2C, Mode.ABSX: 0x3C}
    assert len(modes_of("STA")) == 14  # every ALU mode but immediate
    assert modes_of("NOPE") == {}


# ------------------------------------------------------------------ text


@pytest.mark.parametrize(
    "code,operand,pc,text",
    [
        (0xA9, b"\x34\x12", None, "LDA #$1234"),        # lda #$1234 (16-bit A)
        (0xA9, b"\x34", None, "LDA #$34"),              # lda #$34
        (0xA2, b"\x00\x01", None, "LDX #$0100"),
        (0xC2, b"\x30", None, "REP #$30"),
        (0x22, b"\x00\x80\x80", None, "JSL $808000"),
        (0xAF, b"\x10\x00\x7e", None, "LDA $7E0010"),
        (0xBF, b"\x00\x20\x7f", None, "LDA $7F2000,x"),
        (0x8D, b"\x12\x00", None, "STA $0012"),          # absolute keeps 4 digits
        (0x85, b"\x12", None, "STA $12"),
        (0xB1, b"\x10", None, "LDA ($10),y"),
        (0xA1, b"\x10", None, "LDA ($10,x)"),
        (0xB7, b"\x10", None, "LDA [$10],y"),
        (0xA3, b"\x03", None, "LDA $03,s"),
        (0xB3, b"\x03", None, "LDA ($03,s),y"),
        (0x7C, b"\x00\x90", None, "JMP ($9000,x)"),
        (0xDC, b"\x00\x02", None, "JML [$0200]"),
        (0x0A, b"", None, "ASL A"),
        (0xEA, b"", None, "NOP"),
        # block moves: the machine order is destination bank, source bank, and asar
        # writes the banks in that same order ("MVN $dst,$src", asar issue #283),
        # the reverse of WDC's "MVN src,dst"
        (0x54, b"\x7e\x01", None, "MVN $7E,$01"),     # dst $7E, src $01
        (0x44, b"\x02\x03", None, "MVP $02,$03"),     # dst $02, src $03
        # branches: target = pc + length + offset
        (0xD0, b"\xfe", 0x8000, "BNE $8000"),
        (0xD0, b"\x10", 0x8000, "BNE $8012"),
        (0x80, b"\x80", 0x8010, "BRA $7F92"),
        (0xF0, b"\x7f", 0xFFF0, "BEQ $0071"),          # wraps in the bank
        (0x82, b"\x00\x80", 0x8000, "BRL $0003"),
        (0x82, b"\xfd\xff", 0x1234, "BRL $1234"),
        (0x62, b"\x10\x00", 0x8000, "PER $8013"),
        (0xD0, b"\xfe", None, "BNE -2"),
        (0x82, b"\x10\x00", None, "BRL +16"),
    ],
)
def test_instruction_text(code, operand, pc, text):
    assert instruction_text(code, operand, pc) == text


def test_operand_text():
    assert operand_text(0xA5, b"\x12") == "$12"
    assert operand_text(0x54, b"\x7e\x01") == "$7E,$01"
    assert operand_text(0xEA, b"") == ""
