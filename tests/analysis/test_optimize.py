"""The peephole optimizer: what each rule proposes, and what the equivalence checker lets through.

The first half tests the rewriting itself (no checker involved). The second half
runs ``optimize_source`` for real: each rewrite is proven or refuted by
``triforce.analysis.equiv.check_equivalence``; without that checker these tests
fail (they never skip).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time

import pytest

from triforce.analysis.optimize import RULES, candidates, optimize_source


def routine(*body: str, header: str = "Main:") -> str:
    out = [header]
    for ln in body:
        out.append(ln if ln.endswith(":") or ln.startswith((".", ";")) else "    " + ln)
    return "\n".join(out) + "\n"


def proposals(src: str, rule: str, **kw) -> list[str]:
    return [new for r, _line, new in candidates(src, rules=[rule], **kw)]


def code_of(src: str) -> list[str]:
    return [ln.strip() for ln in src.splitlines() if ln.strip() and not ln.strip().endswith(":")]


# ---------------------------------------------------------------------------
# the rewriting (no checker)


def test_at_least_25_rules_with_descriptions():
    assert len(RULES) >= 25
    for r in RULES.values():
        assert r.id and r.description


REWRITE_CASES = [
    # rule, source lines, (m, x), expected instructions after (None: must not match)
    ("stz-zero", ["lda #$00", "sta $10", "sta $0200,x", "rts"], (1, 1),
     ["Main:", "stz $10", "stz $0200,x", "rts"]),
    ("stz-zero", ["lda #$00", "sta ($10),y", "rts"], (1, 1), None),
    ("inc-a", ["clc", "adc #$01", "rts"], (1, 1), ["inc a", "rts"]),
    ("inc-a", ["clc", "adc #$FFFF", "rts"], (0, 1), ["dec a", "rts"]),
    ("inc-a", ["clc", "adc #$03", "rts"], (1, 1), None),
    ("dec-a", ["sec", "sbc #$01", "rts"], (1, 1), ["dec a", "rts"]),
    ("dec-a", ["sec", "sbc $10", "rts"], (1, 1), None),
    ("merge-rep-sep", ["rep #$20", "rep #$10", "rts"], (1, 1), ["rep #$30", "rts"]),
    ("merge-rep-sep", ["rep #$20", "sep #$10", "rts"], (1, 1), None),
    ("rep-sep-overlap", ["rep #$20", "sep #$20", "rts"], (1, 1), ["sep #$20", "rts"]),
    ("rep-sep-overlap", ["rep #$30", "sep #$20", "rts"], (1, 1), None),
    ("redundant-width", ["sep #$20", "lda #$01", "rts"], (1, 1), ["lda #$01", "rts"]),
    ("redundant-width", ["sep #$20", "lda #$01", "rts"], (0, 1), None),
    ("redundant-load", ["lda $10", "sta $12", "lda $10", "rts"], (1, 1),
     ["lda $10", "sta $12", "rts"]),
    ("redundant-load", ["lda $4212", "sta $12", "lda $4212", "rts"], (1, 1), None),
    ("store-then-load", ["sta $10", "lda $10", "rts"], (1, 1), ["sta $10", "rts"]),
    ("store-then-load", ["sta $2118", "lda $2118", "rts"], (1, 1), None),
    ("dead-store", ["sta $10", "stz $10", "rts"], (1, 1), ["stz $10", "rts"]),
    ("dead-store", ["sta $2118", "sta $2118", "rts"], (1, 1), None),
    ("dead-load", ["lda $10", "lda $12", "rts"], (1, 1), ["lda $12", "rts"]),
    ("dead-load", ["ldy $10", "ldy $12,y", "rts"], (1, 1), None),
    ("tail-call", ["jsr Sub", "rts", "Sub:", "rts"], (1, 1), ["jmp Sub", "rts"]),
    ("tail-call", ["jsl Sub", "rtl", "Sub:", "rtl"], (1, 1), ["jml Sub", "rtl"]),
    ("tail-call", ["jsr Sub", "nop", "rts", "Sub:", "rts"], (1, 1), None),
    ("branch-chain", ["beq .a", "nop", ".a:", "bra .b", "nop", ".b:", "rts"], (1, 1),
     ["beq .b", "nop", "bra .b", "nop", "rts"]),
    ("branch-chain", ["beq .a", "nop", ".a:", "rts"], (1, 1), None),
    ("jump-to-return", ["bra .end", "nop", ".end:", "rts"], (1, 1), ["rts", "nop", "rts"]),
    ("jump-to-return", ["bra .end", "nop", ".end:", "nop", "rts"], (1, 1), None),
    ("branch-to-next", ["bra .n", ".n:", "rts"], (1, 1), ["rts"]),
    ("branch-to-next", ["bra .n", "nop", ".n:", "rts"], (1, 1), None),
    ("invert-branch-over", ["beq .skip", "bra .out", ".skip:", "nop", ".out:", "rts"], (1, 1),
     ["bne .out", "nop", "rts"]),
    ("invert-branch-over", ["beq .skip", "bra .out", "nop", ".skip:", ".out:", "rts"], (1, 1),
     None),
    ("jmp-to-bra", ["jmp .x", "nop", ".x:", "rts"], (1, 1), ["bra .x", "nop", "rts"]),
    ("jmp-to-bra", ["jmp ($0010)", "rts"], (1, 1), None),
    ("transfer-roundtrip", ["tax", "txa", "rts"], (1, 1), ["tax", "rts"]),
    ("transfer-roundtrip", ["tax", "tya", "rts"], (1, 1), None),
    ("transfer-pair", ["txa", "tay", "rts"], (1, 1), ["txy", "rts"]),
    ("transfer-pair", ["tya", "tax", "rts"], (1, 1), ["tyx", "rts"]),
    ("transfer-pair", ["txa", "tax", "rts"], (1, 1), None),
    ("push-pull", ["pha", "pla", "rts"], (1, 1), ["rts"]),
    ("push-pull", ["pha", "plx", "rts"], (1, 1), None),
    ("pair-16bit", ["lda $0100", "sta $0200", "lda $0101", "sta $0201", "rts"], (1, 1),
     ["rep #$20", "lda $0100", "sta $0200", "sep #$20", "rts"]),
    ("pair-16bit", ["lda $0100", "sta $0200", "lda $0102", "sta $0201", "rts"], (1, 1), None),
    ("pair-16bit", ["lda $0100", "sta $0200", "lda $0101", "sta $0201", "rts"], (0, 1), None),
    ("compare-zero", ["lda $10", "cmp #$00", "rts"], (1, 1), ["lda $10", "rts"]),
    ("compare-zero", ["ldx $10", "cmp #$00", "rts"], (1, 1), None),
    ("identity-op", ["ora #$00", "eor #$00", "rts"], (1, 1), ["eor #$00", "rts"]),
    ("identity-op", ["and #$FF", "rts"], (1, 1), ["rts"]),
    ("identity-op", ["and #$FF", "rts"], (0, 1), None),
    ("inc-dec-cancel", ["inx", "dex", "rts"], (1, 1), ["rts"]),
    ("inc-dec-cancel", ["inc $10", "dec $12", "rts"], (1, 1), None),
    ("bit-test", ["lda $10", "and #$80", "beq .p", ".p:", "rts"], (1, 1),
     ["bit $10", "bpl .p", "rts"]),
    ("bit-test", ["lda $10", "and #$4000", "bne .p", ".p:", "rts"], (0, 1),
     ["bit $10", "bvs .p", "rts"]),
    ("bit-test", ["lda $10", "and #$80", "beq .p", ".p:", "rts"], (0, 1), None),
    ("xba-shift", ["asl a"] * 8 + ["rts"], (0, 1), ["xba", "and #$FF00", "rts"]),
    ("xba-shift", ["lsr a"] * 9 + ["rts"], (0, 1), ["xba", "and #$00FF", "lsr a", "rts"]),
    ("xba-shift", ["asl a"] * 8 + ["rts"], (1, 1), None),
    ("rmw-memory", ["lda $10", "inc a", "inc a", "sta $10", "rts"], (1, 1),
     ["inc $10", "inc $10", "rts"]),
    ("rmw-memory", ["lda $10", "inc a", "sta $11", "rts"], (1, 1), None),
    ("index-step", ["txa", "inc a", "tax", "rts"], (1, 1), ["inx", "rts"]),
    ("index-step", ["tya", "dec a", "tay", "rts"], (1, 1), ["dey", "rts"]),
    ("index-step", ["txa", "inc a", "tay", "rts"], (1, 1), None),
    ("flag-redundant", ["clc", "sec", "rts"], (1, 1), ["sec", "rts"]),
    ("flag-redundant", ["clc", "sei", "rts"], (1, 1), None),
    ("load-zero-transfer", ["lda #$00", "tax", "rts"], (1, 1), ["ldx #$00", "rts"]),
    ("load-zero-transfer", ["lda #$00", "tax", "rts"], (0, 1), None),
    ("copy-loop-mvn", ["ldx #$0000", "-", "lda $1000,x", "sta $1100,x", "inx", "cpx #$0010",
                       "bne -", "rts"], (1, 0),
     ["phb", "rep #$30", "ldx #$1000", "ldy #$1100", "lda #$000F", "mvn $00,$00", "plb",
      "sep #$20", "rts"]),
    ("copy-loop-mvn", ["ldx #$0000", "-", "lda $1000,x", "sta $1100,y", "inx", "cpx #$0010",
                       "bne -", "rts"], (1, 0), None),
    ("mul-pow2", ["sta $4202", "lda #$08", "sta $4203"] + ["nop"] * 4 + ["lda $4216", "rts"],
     (1, 1), ["asl a", "asl a", "asl a", "rts"]),
    ("mul-pow2", ["sta $4202", "lda #$04", "sta $4203"] + ["nop"] * 4
     + ["rep #$20", "lda $4216", "rts"], (1, 1), ["rep #$20", "and #$00FF", "asl a", "asl a",
                                                  "rts"]),
    ("mul-pow2", ["sta $4202", "lda #$05", "sta $4203"] + ["nop"] * 4 + ["lda $4216", "rts"],
     (1, 1), None),  # not a power of two
    ("mul-pow2", ["sta $4202", "lda #$08", "sta $4203"] + ["nop"] * 4 + ["lda $4217", "rts"],
     (1, 1), None),  # the high byte in 8-bit A: not the low byte of the shifts
    ("mul-pow2", ["sta $4202", "lda #$08", "sta $4203", "inx", "lda $4216", "rts"], (1, 1),
     None),  # other work between the write and the read
    ("div-pow2", ["sta $4204", "sep #$20", "lda #$04", "sta $4206"] + ["nop"] * 8
     + ["rep #$20", "lda $4214", "rts"], (0, 1), ["lsr a", "lsr a", "rts"]),
    ("div-pow2", ["sta $4204", "stz $4205", "lda #$08", "sta $4206"] + ["nop"] * 8
     + ["lda $4216", "rts"], (1, 1), ["and #$07", "rts"]),
    ("div-pow2", ["sta $4204", "sep #$20", "lda #$10", "sta $4206"] + ["nop"] * 8
     + ["rep #$20", "lda $4216", "rts"], (0, 1), ["and #$000F", "rts"]),
    ("div-pow2", ["sta $4204", "stz $4205", "lda #$03", "sta $4206"] + ["nop"] * 8
     + ["lda $4214", "rts"], (1, 1), None),  # not a power of two
    ("div-pow2", ["sta $4204", "stz $4205", "lda #$04", "sta $4206"] + ["nop"] * 8
     + ["lda $4215", "rts"], (1, 1), None),  # the quotient's high byte
    ("div-pow2", ["sta $4204", "sep #$20", "lda #$04", "sta $4206"] + ["nop"] * 8
     + ["lda $4214", "rts"], (0, 1), None),  # 8-bit read of a 16-bit quotient: B differs
]


@pytest.mark.parametrize("rule,body,mx,expected", REWRITE_CASES,
                         ids=[f"{c[0]}-{'applies' if c[3] else 'not'}-{k}"
                              for k, c in enumerate(REWRITE_CASES)])
def test_rewrite(rule, body, mx, expected):
    src = routine(*body)
    got = proposals(src, rule, m=mx[0], x=mx[1])
    if expected is None:
        assert got == []
        return
    assert got, f"{rule} proposed nothing for {body}"
    want = [e for e in expected if e != "Main:"]
    assert code_of(got[0]) == want


def test_every_rule_has_a_rewrite_case():
    covered = {c[0] for c in REWRITE_CASES if c[3] is not None}
    assert covered == set(RULES)


def test_labels_comments_and_case_are_kept():
    src = "Main: LDA #$00 ; clear\n    ; a note\n    STA $10\n    RTS\n"
    (_rule, line, new), = candidates(src, rules=["stz-zero"])
    assert line == 1
    assert new.splitlines() == ["Main: STZ $10", "    ; a note", "    RTS"]


def test_width_hint_comment():
    src = "; m16\nMain:\n    and #$FFFF\n    rts\n"
    assert proposals(src, "identity-op")
    src8 = "; m8\nMain:\n    and #$FFFF\n    rts\n"
    assert not proposals(src8, "identity-op")


# ---------------------------------------------------------------------------
# verified rewrites (the real equivalence checker)


@pytest.fixture(autouse=False)
def checker():
    if importlib.util.find_spec("triforce.analysis.equiv") is None:
        pytest.fail("triforce.analysis.equiv (the equivalence checker) is missing: "
                    "the optimizer cannot prove any rewrite without it")
    from triforce.analysis.equiv import check_equivalence
    return check_equivalence


VERIFY_CASES = [
    # rule, body, (m, x), observe, accepted?
    ("stz-zero", ["lda #$00", "sta $10", "sta $12", "lda $14", "rts"], (1, 1), None, True),
    ("stz-zero", ["lda #$00", "sta $10", "rts"], (1, 1), None, False),  # A observed and differs
    ("inc-a", ["cld", "clc", "adc #$01", "sta $10", "lda $12", "clc", "clv", "rts"], (1, 1),
     None, True),
    ("inc-a", ["cld", "clc", "adc #$01", "rts"], (1, 1), None, False),  # P.C / P.V differ
    ("dec-a", ["cld", "sec", "sbc #$01", "sta $10", "lda $12", "sec", "clv", "rts"], (1, 1),
     None, True),
    ("dec-a", ["cld", "sec", "sbc #$01", "rts"], (1, 1), None, False),
    ("merge-rep-sep", ["rep #$20", "rep #$10", "sep #$30", "rts"], (1, 1), None, True),
    ("rep-sep-overlap", ["rep #$20", "sep #$20", "rts"], (1, 1), None, True),
    ("redundant-width", ["sep #$20", "lda #$01", "rts"], (1, 1), None, True),
    ("redundant-load", ["lda $10", "sta $12", "lda $10", "rts"], (1, 1), None, True),
    ("store-then-load", ["lda $12", "sta $10", "lda $10", "rts"], (1, 1), None, True),
    ("store-then-load", ["inx", "sta $10", "lda $10", "rts"], (1, 1), None, False),  # N/Z
    ("dead-store", ["stz $10", "sta $10", "rts"], (1, 1), None, True),
    ("dead-load", ["lda $10", "lda $12", "rts"], (1, 1), None, True),
    ("branch-chain", ["lda $10", "beq .a", "stz $12", ".a:", "bra .b", "stz $14", ".b:", "rts"],
     (1, 1), None, True),
    ("jump-to-return", ["lda $10", "bne .end", "stz $12", "bra .end", "stz $14", ".end:", "rts"],
     (1, 1), None, True),
    ("branch-to-next", ["stz $10", "bra .n", ".n:", "rts"], (1, 1), None, True),
    ("invert-branch-over", ["lda $10", "beq .skip", "bra .out", ".skip:", "stz $12", ".out:",
                            "rts"], (1, 1), None, True),
    ("jmp-to-bra", ["lda $10", "beq .x", "jmp .x", ".x:", "stz $12", "rts"], (1, 1), None, True),
    ("jmp-to-bra", ["jmp .x"] + ["nop"] * 200 + [".x:", "rts"], (1, 1), None, False),  # range
    ("transfer-roundtrip", ["tax", "txa", "rts"], (1, 1), None, True),
    ("transfer-roundtrip", ["tax", "txa", "rts"], (0, 1), None, False),  # B lost through X
    ("transfer-pair", ["txa", "tay", "lda #$00", "rts"], (1, 1), None, True),
    ("transfer-pair", ["txa", "tay", "rts"], (1, 1), None, False),  # A differs
    ("push-pull", ["php", "plp", "rts"], (1, 1), None, True),
    ("push-pull", ["pha", "pla", "rts"], (1, 1), None, False),  # PLA sets N/Z
    ("pair-16bit", ["lda $0100", "sta $0200", "lda $0101", "sta $0201", "rts"], (1, 1),
     None, False),  # A (and B) differ
    ("compare-zero", ["lda $10", "cmp #$00", "beq .z", "stz $12", ".z:", "clc", "rts"], (1, 1),
     None, True),
    ("compare-zero", ["lda $10", "cmp #$00", "rts"], (1, 1), None, False),  # C differs
    ("identity-op", ["lda $10", "ora #$00", "rts"], (1, 1), None, True),
    ("identity-op", ["inx", "ora #$00", "rts"], (1, 1), None, False),  # N/Z from X, not A
    ("inc-dec-cancel", ["inx", "dex", "ldy $10", "rts"], (1, 1), None, True),
    ("inc-dec-cancel", ["inx", "dex", "rts"], (1, 1), None, False),  # N/Z
    ("bit-test", ["lda $10", "and #$80", "beq .p", "stz $12", ".p:", "lda #$00", "clv", "rts"],
     (1, 1), None, True),
    ("bit-test", ["lda $10", "and #$80", "beq .p", "stz $12", ".p:", "rts"], (1, 1), None,
     False),  # A differs
    ("xba-shift", ["asl a"] * 8 + ["clc", "rts"], (0, 1), None, True),
    ("xba-shift", ["asl a"] * 8 + ["rts"], (0, 1), None, False),  # C differs
    ("rmw-memory", ["lda $10", "inc a", "sta $10", "lda #$00", "rts"], (1, 1), None, True),
    ("rmw-memory", ["lda $10", "inc a", "sta $10", "rts"], (1, 1), None, False),
    ("index-step", ["txa", "inc a", "tax", "lda #$00", "rts"], (1, 1), None, True),
    ("index-step", ["txa", "inc a", "tax", "rts"], (1, 1), None, False),
    ("flag-redundant", ["clc", "sec", "rts"], (1, 1), None, True),
    ("load-zero-transfer", ["lda #$00", "tax", "lda $10", "rts"], (1, 1), None, True),
    ("load-zero-transfer", ["lda #$00", "tax", "rts"], (1, 1), None, False),
    ("copy-loop-mvn", ["ldx #$0000", "-", "lda $1000,x", "sta $1100,x", "inx", "cpx #$0010",
                       "bne -", "rts"], (1, 0), None, False),  # A X Y differ
    ("mul-pow2", ["sta $4202", "lda #$08", "sta $4203"] + ["nop"] * 4
     + ["lda $4216", "clc", "rts"], (1, 1), None, True),  # 30 -> 14 cycles, 17 -> 5 bytes
    ("mul-pow2", ["sta $4202", "lda #$08", "sta $4203"] + ["nop"] * 4
     + ["rep #$20", "lda $4216", "clc", "rts"], (1, 1), None, True),  # 34 -> 20, 19 -> 10
    ("mul-pow2", ["sta $4202", "lda #$08", "sta $4203"] + ["nop"] * 4
     + ["lda $4216", "rts"], (1, 1), None, False),  # ASL sets C
    ("mul-pow2", ["sta $4202", "lda #$08", "sta $4203"] + ["nop"] * 4
     + ["lda $4216", "clc", "rts"], (1, 1), "A,X,Y,P,mem,io", False),  # $4202/$4203 observed
    ("div-pow2", ["sta $4204", "sep #$20", "lda #$04", "sta $4206"] + ["nop"] * 8
     + ["rep #$20", "lda $4214", "clc", "rts"], (0, 1), None, True),  # 46 -> 12, 25 -> 4
    ("div-pow2", ["sta $4204", "sep #$20", "lda #$10", "sta $4206"] + ["nop"] * 8
     + ["rep #$20", "lda $4216", "rts"], (0, 1), None, True),  # 44 -> 9, 24 -> 4
    ("div-pow2", ["sta $4204", "stz $4205", "lda #$08", "sta $4206"] + ["nop"] * 8
     + ["lda $4216", "rts"], (1, 1), None, True),  # 40 -> 8, 23 -> 3
    ("div-pow2", ["sta $4204", "stz $4205", "lda #$04", "sta $4206"] + ["nop"] * 8
     + ["lda $4214", "rts"], (1, 1), None, False),  # LSR sets C
]


@pytest.mark.parametrize("rule,body,mx,observe,ok", VERIFY_CASES,
                         ids=[f"{c[0]}-{'accepted' if c[4] else 'refused'}-{k}"
                              for k, c in enumerate(VERIFY_CASES)])
def test_verified(checker, rule, body, mx, observe, ok):
    src = routine(*body)
    res = optimize_source(src, observe, m=mx[0], x=mx[1], rules=[rule])
    if ok:
        assert res.rewrites, f"{rule} not accepted: {[r.proof for r in res.rejected]}"
        r = res.rewrites[0]
        assert r.rule == rule and r.verified
        assert r.bytes_saved >= 0 and res.bytes_after <= res.bytes_before
        if not RULES[rule].dynamic:  # dynamic rules save on a taken branch, not statically
            assert r.cycles_saved >= 0 and (r.cycles_saved or r.bytes_saved)
            assert res.cycles_after <= res.cycles_before
        assert res.diff.startswith("--- before.asm")
        # the result is itself equivalent to the original
        assert checker(src, res.source, observe, m=8 if mx[0] else 16,
                       x=8 if mx[1] else 16).equivalent
    else:
        assert not res.rewrites, f"{rule} wrongly accepted: {res.diff}"
        assert res.source == src and res.diff == ""


def test_clc_adc_rejected_when_carry_observed(checker):
    src = routine("cld", "clc", "adc #$01", "sta $10", "lda $12", "clc", "clv", "rts")
    res = optimize_source(src, "A,X,Y,P.C", rules=["inc-a"])
    assert res.rewrites  # C is cleared again at the end: proven
    src2 = routine("cld", "clc", "adc #$01", "sta $10", "rts")
    res2 = optimize_source(src2, "P.C", rules=["inc-a"])
    assert not res2.rewrites and res2.rejected and not res2.rejected[0].verified


def test_thirty_line_routine(checker):
    body = ["php", "sep #$20", "sep #$20", "lda #$00", "sta $10", "sta $11", "lda $20",
            "sta $22", "lda $20", "sta $24", "sta $24", "rep #$20", "rep #$10", "lda $30",
            "cmp #$0000", "beq .z", "bra .out", ".z:", "lda $32", "inc a", "sta $32",
            "clc", "sec", "tax", "txa", "lda #$0000", ".out:", "plp", "jsr Sub", "rts",
            "Sub:", "lda $40", "rts"]
    src = routine(*body)
    t0 = time.perf_counter()
    res = optimize_source(src, m=1, x=1)
    elapsed = time.perf_counter() - t0
    assert res.rewrites
    assert res.cycles_after < res.cycles_before and res.bytes_after < res.bytes_before
    assert sum(r.bytes_saved for r in res.rewrites) == res.bytes_before - res.bytes_after
    assert sum(r.cycles_saved for r in res.rewrites) == res.cycles_before - res.cycles_after
    print(f"30-line routine: {len(res.rewrites)} rewrites, {elapsed:.2f}s, cycles "
          f"{res.cycles_before}->{res.cycles_after}, bytes {res.bytes_before}->{res.bytes_after}")


def test_cli(checker, tmp_path, capsys):
    from triforce.cli import optimize as optimize_cmd

    f = tmp_path / "r.asm"
    f.write_text(routine("lda #$00", "sta $10", "lda $12", "rts"))
    parser = argparse.ArgumentParser()
    optimize_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["optimize", str(f), "--m8", "--x8", "--json"])
    assert args.func(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert "stz $10" in data["source"]
    assert data["rewrites"][0]["rule"] == "stz-zero"
    assert data["bytes"]["after"] < data["bytes"]["before"]
    args = parser.parse_args(["optimize", str(f)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "+++ after.asm" in out and "stz-zero" in out and "total:" in out
