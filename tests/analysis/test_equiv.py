"""The equivalence checker: real routines on the real emulator, no mocks.

The register read/write table the checker tracks inputs with is the instruction-semantics
table, checked against the emulator in tests/isa/test_semantics.py.
"""

from __future__ import annotations

import argparse
import json

import pytest

from triforce.analysis.equiv import (
    DEFAULT_OBSERVE,
    Observables,
    check_equivalence,
    parse_observe,
)
from triforce.cli import equiv as equiv_cli
from triforce.errors import UserError

# ------------------------------------------------------------------ equivalent pairs

STZ = "stz $10\nrts\n"
LDA_STA = "lda #$00\nsta $10\nrts\n"
ADC1 = "clc\nadc #$01\nrts\n"
INC = "inc a\nrts\n"


def test_store_zero_two_ways():
    r = check_equivalence(LDA_STA, STZ, "$7E0010")
    assert r.equivalent and r.exhaustive
    assert r.states == 1 and r.inputs == []  # nothing either routine reads changes $10
    assert r.summary().startswith("equivalent on 1 state (exhaustive)")


def test_store_zero_differs_in_a_and_flags_by_default():
    r = check_equivalence(LDA_STA, STZ)
    assert not r.equivalent
    assert r.counterexample.differences[0] in ("A", "P")


def test_add_one_versus_increment():
    # with D clear: the same A, N and Z on all 256 values of A.l
    r = check_equivalence(ADC1, INC, "A,P.N,P.Z", assume="P.D=0")
    assert r.equivalent and r.exhaustive and r.states == 256
    assert r.inputs == ["A.l"]
    # ADC sets the carry, INC leaves it
    r = check_equivalence(ADC1, INC, "A,P.N,P.Z,P.C", assume="P.D=0")
    assert not r.equivalent
    cex = r.counterexample
    assert cex.differences == ["P.C"]
    assert cex.outputs_a["A"] == cex.outputs_b["A"]
    # decimal mode: ADC adds in BCD, INC does not
    r = check_equivalence(ADC1, INC, "A,P.N,P.Z")
    assert not r.equivalent
    cex = r.counterexample
    assert cex.inputs["P"] & 0x08  # D set
    assert "A" in cex.differences
    a_l = cex.inputs["A"] & 0xFF
    assert cex.outputs_b["A"] & 0xFF == (a_l + 1) & 0xFF
    assert cex.outputs_a["A"] & 0xFF != (a_l + 1) & 0xFF


TIMES10_SHIFTS = "asl a\nsta $00\nasl a\nasl a\nclc\nadc $00\nrts\n"
TIMES10_HARDWARE = "sta $4202\nlda #$0A\nsta $4203\nnop\nnop\nnop\nnop\nlda $4216\nrts\n"
TIMES10_LOOP = "sta $00\nlda #$00\nldx #$0A\n-\nclc\nadc $00\ndex\nbne -\nrts\n"


def test_multiply_by_ten_three_ways():
    r = check_equivalence(TIMES10_SHIFTS, TIMES10_HARDWARE, "A,P.N,P.Z", assume="P.D=0")
    assert r.equivalent and r.exhaustive and r.states == 256
    r = check_equivalence(TIMES10_HARDWARE, TIMES10_LOOP, "A", assume="P.D=0", x=8)
    assert r.equivalent and r.exhaustive and r.states == 256
    # the shift version keeps a temporary in $00; by default every byte written counts
    r = check_equivalence(TIMES10_SHIFTS, TIMES10_HARDWARE, assume="P.D=0")
    assert not r.equivalent
    assert "$7E0000" in r.counterexample.differences


SUM_A = "lda $10\nclc\nadc $11\nsta $12\nrts\n"
SUM_X = "ldx $11\ntxa\nclc\nadc $10\nsta $12\nrts\n"


def test_sum_with_other_registers_sampled():
    # $10, $11 and the decimal flag: 17 input bits, more than the exhaustive limit
    r = check_equivalence(SUM_A, SUM_X, "$7E0012", m=8, x=8, samples=300)
    assert r.equivalent and not r.exhaustive
    assert set(r.inputs) == {"P.D", "$7E0010", "$7E0011"}
    assert r.states >= 300
    assert "(sampled)" in r.summary().splitlines()[0]
    # with D fixed there are 16 bits; a lower limit keeps this test quick
    r = check_equivalence(SUM_A, SUM_X, "$7E0012", m=8, x=8, assume="P.D=0", samples=50,
                          exhaustive_bits=15)
    assert r.equivalent and not r.exhaustive
    # X is left different: observing it tells them apart
    r = check_equivalence(SUM_A, SUM_X, "$7E0012,X", m=8, x=8)
    assert not r.equivalent and r.counterexample.differences == ["X"]


ASL8 = "asl a\nasl a\nrts\n"
ASL16 = "rep #$20\nasl a\nasl a\nsep #$20\nrts\n"


def test_shift_in_8_and_16_bits():
    r = check_equivalence(ASL8, ASL16, "A.l", m=8, exhaustive_bits=8, samples=200)
    assert r.equivalent and not r.exhaustive
    # the carry out of the 16-bit shift comes from A.h
    r = check_equivalence(ASL8, ASL16, "A.l,P.C", m=8, exhaustive_bits=8, samples=200)
    assert not r.equivalent
    cex = r.counterexample
    assert cex.differences == ["P.C"]
    a = cex.inputs["A"]
    assert cex.outputs_a["P.C"] == (a >> 6) & 1
    assert cex.outputs_b["P.C"] == (a >> 14) & 1
    # the whole of A: the high byte changes in the 16-bit version
    r = check_equivalence(ASL8, ASL16, "A", m=8, exhaustive_bits=8, samples=200)
    assert not r.equivalent and r.counterexample.differences == ["A"]


def test_width_unknown_means_both_widths_are_tried():
    r = check_equivalence(ASL8, "asl a\nasl a\nrts\n", samples=100)
    assert r.equivalent
    assert "P.M" in r.inputs  # no immediate says which width: both were run
    r = check_equivalence("lda.w #$0001\nrts\n", "lda #$0001\nrts\n")
    assert r.equivalent and r.exhaustive
    assert r.fixed["P.M"] == 0  # both say 16-bit A
    with pytest.raises(UserError, match=r"expects 8-bit A .*<A>:1.* 16-bit .*--m8 or --m16"):
        check_equivalence("lda #$01\nrts\n", "lda.w #$0001\nrts\n")
    # forced to 16 bits, the 8-bit immediate swallows the RTS: it runs on into BRK
    r = check_equivalence("lda #$01\nrts\n", "lda.w #$0001\nrts\n", m=16)
    assert not r.equivalent and r.counterexample.differences[0] == "exit"


def test_subroutine_and_saved_flags():
    inline = "php\nsep #$20\nlda #$05\nsta $10\nplp\nrts\n"
    called = "php\nsep #$20\njsr sub\nplp\nrts\nsub:\nlda #$05\nsta $10\nrts\n"
    r = check_equivalence(inline, called, "$7E0010,P,S")
    # PHP reads every flag: 8 inputs, all 256 combinations
    assert r.equivalent and r.exhaustive and r.states == 256


def test_block_move_versus_loop():
    mvn = "rep #$30\nlda #$0003\nldx #$0100\nldy #$0200\nmvn $7E,$7E\nsep #$30\nrts\n"
    loop = "sep #$30\nldx #$03\n-\nlda $0100,x\nsta $0200,x\ndex\nbpl -\nrts\n"
    r = check_equivalence(mvn, loop, "$7E0200-$7E0203", assume="DB=$7E", samples=200)
    assert r.equivalent
    assert r.inputs == ["$7E0100", "$7E0101", "$7E0102", "$7E0103"]


def test_wram_port_and_mirrors_are_one_memory():
    port = "lda #$12\nsta $2181\nstz $2182\nstz $2183\nlda $2180\nrts\n"
    direct = "lda $7E0012\nrts\n"
    r = check_equivalence(port, direct, "A.l,P.N,P.Z", m=8)
    assert r.equivalent and r.exhaustive and r.inputs == ["$7E0012"]
    r = check_equivalence("lda $10\nrts\n", "lda $000010\nrts\n", "A,P", e=1)
    assert r.equivalent and r.exhaustive and r.states == 256


def test_stack_scratch_is_not_observed_by_default():
    push_pull = "pha\npla\nrts\n"
    or_zero = "ora #$00\nrts\n"
    r = check_equivalence(push_pull, or_zero)
    assert r.equivalent and r.exhaustive and r.states == 256
    r = check_equivalence(push_pull, or_zero, "stack")
    assert not r.equivalent
    assert r.counterexample.differences == ["$7E01FC"]


def test_return_kind_and_exit_are_compared():
    r = check_equivalence("rts\n", "rtl\n")
    assert not r.equivalent and r.counterexample.differences == ["S"]
    r = check_equivalence("brk #$00\nrts\n", "rts\n", "A")
    assert not r.equivalent and r.counterexample.differences == ["exit"]
    assert r.counterexample.exit_a == "brk"


# ------------------------------------------------------------------ counterexamples

COPY8 = "ldx #$07\n-\nlda $20,x\nsta $30,x\ndex\nbpl -\nrts\n"
COPY8_FROM_ONE = "ldx #$08\n-\nlda $1F,x\nsta $2F,x\ndex\nbne -\nrts\n"
COPY8_OFF_BY_ONE = "ldx #$07\n-\nlda $20,x\nsta $30,x\ndex\nbne -\nrts\n"


def test_off_by_one_loop_bound():
    r = check_equivalence(COPY8, COPY8_FROM_ONE, "$7E0030-$7E0037", m=8, x=8, samples=200)
    assert r.equivalent and not r.exhaustive
    r = check_equivalence(COPY8, COPY8_OFF_BY_ONE, "$7E0030-$7E0037", m=8, x=8)
    assert not r.equivalent
    cex = r.counterexample
    assert cex.differences == ["$7E0030"]
    # A copied $20 there; B left what was there before
    assert cex.outputs_a["$7E0030"] == cex.inputs["$7E0020"]
    assert cex.outputs_b["$7E0030"] == cex.inputs["$7E0030"]
    text = r.summary()
    assert text.startswith("not equivalent")
    assert "$7E0030 ($" in text and "from: A=$" in text
    # by default the end value of X differs too
    r = check_equivalence(COPY8, COPY8_FROM_ONE, m=8, x=8)
    assert not r.equivalent and "X" in r.counterexample.differences


def test_a_byte_only_one_routine_writes():
    # A leaves $10 as it was, B clears it: they differ unless $10 is known to be 0
    r = check_equivalence("rts\n", "stz $10\nrts\n", "$7E0010")
    assert not r.equivalent
    cex = r.counterexample
    assert cex.outputs_b["$7E0010"] == 0
    assert cex.outputs_a["$7E0010"] == cex.inputs["$7E0010"] != 0
    r = check_equivalence("rts\n", "stz $10\nrts\n", "$7E0010", assume="$7E0010=0")
    assert r.equivalent and r.exhaustive and r.fixed["$7E0010"] == 0


# ------------------------------------------------------------------ exhaustive or sampled

GUARDED = "lda $10\ncmp #$5A\nbne +\nbvs +\ninc a\n+\nrts\n"
GUARDED_2 = "lda $10\ncmp #$5A\nbne done\nbvc bump\nbra done\nbump:\ninc a\ndone:\nrts\n"


def test_exhaustive_grows_with_inputs_found_on_rare_paths():
    # P.V is read only when $10 = $5A: 9 input bits in all
    r = check_equivalence(GUARDED, GUARDED_2, "A", m=8)
    assert r.equivalent and r.exhaustive
    assert set(r.inputs) == {"P.V", "$7E0010"} and r.states == 512


def test_exhaustive_limit_switches_to_sampling():
    r = check_equivalence(ADC1, INC, "A,P.N,P.Z", assume="P.D=0", exhaustive_bits=7,
                          samples=100, seed=3)
    assert r.equivalent and not r.exhaustive
    assert r.states >= 100
    again = check_equivalence(ADC1, INC, "A,P.N,P.Z", assume="P.D=0", exhaustive_bits=7,
                              samples=100, seed=3)
    assert again.states == r.states  # seeded: the same run


def test_default_observables():
    assert parse_observe(DEFAULT_OBSERVE) == Observables(
        ("A", "X", "Y", "P", "S", "D", "DB"), (), written=True)
    r = check_equivalence(INC, INC)
    assert r.equivalent
    assert str(r.observed) == "A,X,Y,P,S,D,DB,mem"


# ------------------------------------------------------------------ bad input


def test_observe_spec_parses():
    o = parse_observe("a, x.l ,P.c,$7E0010-$7E001F,$0012,DBR,mem,stack")
    assert o.registers == ("A", "X.l", "P.C", "DB")
    assert o.ranges == ((0x7E0010, 0x7E001F), (0x12, 0x12))
    assert o.written and o.stack and not o.io


@pytest.mark.parametrize("spec, needle", [
    ("A,Q,X", "'Q'"),
    ("A,P.Q", "'P.Q'"),
    ("$7E0020-$7E0010", "'$7E0020-$7E0010': the range ends before it starts"),
    ("A,$7G0010", "'$7G0010'"),
    ("A,,X", "empty item"),
    ("", "empty"),
    ("$000000-$FFFFFF", "more than"),
])
def test_observe_spec_errors_name_the_part(spec, needle):
    with pytest.raises(UserError) as info:
        parse_observe(spec)
    assert needle in str(info.value)
    with pytest.raises(UserError):
        check_equivalence(INC, INC, spec)


def test_observing_rom_is_refused():
    with pytest.raises(UserError, match=r"\$008000 is not RAM"):
        check_equivalence(INC, INC, "A,$008000")


@pytest.mark.parametrize("spec, needle", [
    ("P.D", "'P.D' must look like NAME=VALUE"),
    ("PB=$80", "'PB' cannot be assumed"),
    ("P.D=2", "'P.D=2'"),
    ("DB=$123", "'DB=$123'"),
])
def test_assume_errors_name_the_part(spec, needle):
    with pytest.raises(UserError) as info:
        check_equivalence(INC, INC, "A", assume=spec)
    assert needle in str(info.value)


def test_assembler_errors_name_file_and_line(tmp_path):
    with pytest.raises(UserError) as info:
        check_equivalence(INC, "lda #$00\nfoo $12\nrts\n", label_b="b.asm")
    msg = str(info.value)
    assert msg.startswith("b.asm:2: (Eunknown_command)") and "[foo $12]" in msg
    bad = tmp_path / "bad.asm"
    bad.write_text("nop\nnop\nlda ($12\nrts\n")
    with pytest.raises(UserError) as info:
        check_equivalence(INC, bad)
    assert str(info.value).startswith(f"{bad}:3: ")
    with pytest.raises(UserError, match="assembles to no code"):
        check_equivalence(INC, "; nothing\n")


def test_routine_that_never_returns_stops_at_the_limit():
    with pytest.raises(UserError) as info:
        check_equivalence(INC, "-\ninc a\nbra -\n", "A", max_steps=1_000)
    msg = str(info.value)
    assert "routine B did not return within 1,000 instructions from A=$" in msg
    assert "BRA $8000" in msg or "INC A" in msg


# ------------------------------------------------------------------ the command line


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    """``triforce equiv ...`` in-process: through main() once it has the command."""
    from triforce.cli import main as main_mod

    parser = main_mod.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "equiv" in sub.choices:
        code = main_mod.main(["equiv", *argv])
    else:
        parser = argparse.ArgumentParser(prog="triforce")
        equiv_cli.register(parser.add_subparsers(dest="command"))
        args = parser.parse_args(["equiv", *argv])
        code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path):
    paths = {}
    for name, text in (("adc.asm", ADC1), ("inc.asm", INC), ("copy.asm", COPY8),
                       ("off.asm", COPY8_OFF_BY_ONE), ("bad.asm", "inc a\nfoo\nrts\n")):
        p = tmp_path / name
        p.write_text(text)
        paths[name] = str(p)
    return paths


def test_cli_equivalent(capsys, files):
    code, out, err = _cli(capsys, files["adc.asm"], files["inc.asm"],
                          "--observe", "A,P.N,P.Z", "--assume", "P.D=0", "--m8")
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "equivalent on 256 states (exhaustive)"


def test_cli_json(capsys, files):
    code, out, _ = _cli(capsys, files["adc.asm"], files["inc.asm"], "--observe", "A,P.C",
                        "--assume", "P.D=0", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["equivalent"] is False and data["mode"] == "sampled"
    diff = data["counterexample"]["differences"]
    assert diff == [{"name": "P.C", "a": diff[0]["a"], "b": 1 - diff[0]["a"]}]
    assert data["routines"] == {"a": files["adc.asm"], "b": files["inc.asm"]}
    code, out, _ = _cli(capsys, files["copy.asm"], files["copy.asm"], "--observe",
                        "$7E0030-$7E0037", "--x8", "--m8", "--samples", "50", "--json")
    data = json.loads(out)
    assert code == 0 and data["equivalent"] and data["states"] >= 50


def test_cli_counterexample_text(capsys, files):
    code, out, err = _cli(capsys, files["copy.asm"], files["off.asm"], "--observe",
                          "$7E0030-$7E0037", "--m8", "--x8")
    assert code == 1 and err == ""
    assert out.startswith("not equivalent")
    assert "differs: $7E0030" in out


def test_cli_trouble_is_exit_2(capsys, files):
    code, out, err = _cli(capsys, files["inc.asm"], files["bad.asm"])
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triforce: error: ")
    assert f"{files['bad.asm']}:2:" in lines[0]
    code, _, err = _cli(capsys, files["inc.asm"], files["inc.asm"], "--observe", "A,Z9")
    assert code == 2 and "'Z9'" in err
    code, _, err = _cli(capsys, files["inc.asm"], files["inc.asm"] + ".missing")
    assert code == 2 and "no such file" in err


def test_cli_routines_calling_into_a_rom(capsys, tmp_path):
    from triforce.asm import assemble

    game = assemble("org $009000\nlda #$42\nrtl\n").rom
    (tmp_path / "game.sfc").write_bytes(game + bytes(0x8000 - len(game)))
    (tmp_path / "call.asm").write_text("org $008000\njsl $009000\nrts\n")
    (tmp_path / "inline.asm").write_text("org $008000\nlda #$42\nrts\n")
    code, out, _ = _cli(capsys, str(tmp_path / "call.asm"), str(tmp_path / "inline.asm"),
                        "--rom", str(tmp_path / "game.sfc"), "--observe", "A,P")
    assert code == 0 and out.startswith("equivalent on 1 state (exhaustive)")
