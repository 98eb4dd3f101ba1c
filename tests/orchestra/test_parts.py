"""The orchestrator's parts that need no model: code finding, snippet checks,
grounding, plans and tools."""

from __future__ import annotations

import pytest

from triforce.errors import UserError
from triforce.orchestra import check_question
from triforce.orchestra.code import (
    answer_blocks,
    check_assembles,
    drop_blocks,
    find_code,
    line_is_code,
)
from triforce.orchestra.grounding import register_facts, registers_in
from triforce.orchestra.plan import PLAN_SCHEMA, Plan, PlanStep, from_json, validate
from triforce.orchestra.tools import ToolBox

EXPERTS = {"din": "optimization", "veran": "analysis", "nayru": "generation"}


# -- finding code ----------------------------------------------------------------------------

@pytest.mark.parametrize("question, prose, code", [
    ("optimize this: lda #$00 : sta $10 : rts", "optimize this", "lda #$00\nsta $10\nrts"),
    ("make it faster: LDA $10 / CLC / ADC #$01", "make it faster", "LDA $10\nCLC\nADC #$01"),
    ("why does this crash?\n  rep #$20\n  lda $10\n  sta $2116\n  rts\nthanks",
     "why does this crash?\nthanks", "  rep #$20\n  lda $10\n  sta $2116\n  rts"),
    ("explain ```asar\nlda #1\nsta $4200\n``` please", "explain   please", "lda #1\nsta $4200"),
    ("what does INIDISP do?", "what does INIDISP do?", ""),
    ("and then a bit of that, ora the other", "and then a bit of that, ora the other", ""),
])
def test_find_code(question, prose, code):
    assert find_code(question) == (prose, code)


def test_line_is_code():
    assert line_is_code("Loop: lda.w $1234,x : bne Loop ; comment")
    assert line_is_code("!speed = $10")
    assert not line_is_code("and the bit of it")
    assert not line_is_code("")


def test_answer_blocks_and_drop():
    text = "Here:\n```asar\nlda #$00\nsta $10\n```\nand prose\n```python\nprint(1)\n```\n"
    assert answer_blocks(text) == ["lda #$00\nsta $10"]
    dropped = drop_blocks(text, lambda body: False)
    assert "lda #$00" not in dropped and "[a code block was removed here" in dropped
    assert "print(1)" in dropped                     # not assembly: left alone


def test_check_assembles_stands_in_for_outside_labels():
    ok = check_assembles("jsl DoThing\nlda Tiles,x\nrts")
    assert ok.ok and ok.stubs == ["DoThing", "Tiles"] and ok.bytes == 8
    bad = check_assembles("lda #$00\nsta $10\nxyz")
    assert not bad.ok and bad.error.startswith("line 3:") and "xyz" in bad.error
    local = check_assembles("bra .missing")          # a sublabel is never stood in for
    assert not local.ok


def test_check_question():
    assert check_question("  hi  ") == "hi"
    for bad, msg in [("", "empty"), ("   \n", "empty"), ("x" * 1_000_000, "limit"),
                     ("a\x00b", "binary")]:
        with pytest.raises(UserError, match=msg):
            check_question(bad)


# -- grounding -------------------------------------------------------------------------------

def test_registers_in_addresses_names_and_mirrors():
    regs = registers_in("sta $2116 then VMAIN, $80:4200 and 0x420B; not $7E2116 or $12")
    assert [r.name for r in regs] == ["VMADDL", "VMAIN", "NMITIMEN", "MDMAEN"]


def test_register_facts_come_from_the_table():
    facts = register_facts("what does $2100 do?", "sta INIDISP")
    assert len(facts) == 1
    assert facts[0].startswith("$2100 INIDISP") and "force_blank" in facts[0]


# -- plans -----------------------------------------------------------------------------------

def test_plan_order_and_checks():
    p = Plan([PlanStep("b", "veran", "analysis", "t", ["a"]),
              PlanStep("a", "din", "optimization", "t")])
    assert [s.id for s in validate(p, EXPERTS).order()] == ["a", "b"]
    cyc = Plan([PlanStep("a", "din", "optimization", "t", ["b"]),
                PlanStep("b", "veran", "analysis", "t", ["a"])])
    with pytest.raises(UserError, match="cycle"):
        validate(cyc, EXPERTS)
    with pytest.raises(UserError, match="unknown expert"):
        validate(Plan([PlanStep("a", "ghost", "x", "t")]), EXPERTS)
    with pytest.raises(UserError, match="unknown step"):
        validate(Plan([PlanStep("a", "din", "x", "t", ["zz"])]), EXPERTS)


def test_plan_from_planner_json():
    plan = from_json('{"steps": [{"id": "s1", "expert": "Din", "task": "opt", "inputs": []},'
                     '{"id": "s2", "expert": "veran", "task": "explain", "inputs": ["s1"]}]}',
                     EXPERTS)
    assert [(s.expert, s.intent, s.inputs) for s in plan.steps] == [
        ("din", "optimization", []), ("veran", "analysis", ["s1"])]
    for bad in ("not json", '{"nosteps": 1}', '{"steps": [1]}'):
        with pytest.raises(UserError):
            from_json(bad, EXPERTS)
    assert PLAN_SCHEMA["required"] == ["steps"]


# -- tools -----------------------------------------------------------------------------------

def test_tools_run_the_real_components(tmp_path):
    (tmp_path / "main.asm").write_text("lda #$00\nsta $10\nrts\n")
    tb = ToolBox(tmp_path)
    asm = tb.call("assemble", code="lda #$00\nsta $10\nrts")
    assert asm.ok and asm.data["bytes"] == 5
    cyc = tb.call("cycles", code="lda #$00\nsta $10\nrts", m8=True, x8=True)
    assert cyc.ok and cyc.data["bytes"] == 5 and cyc.data["cycles_min"] == 11
    eq = tb.call("equivalence", a="lda #$00\nsta $10\nrts", b="stz $10\nrts", observe="mem")
    assert eq.ok and eq.data["equivalent"]
    neq = tb.call("equivalence", a="lda #$00\nsta $10\nrts", b="stz $10\nrts")
    assert not neq.ok                                  # A and the flags differ
    opt = tb.call("optimize", code="lda #$00\nsta $10\nrts", observe="mem")
    assert opt.ok and "stz $10" in opt.data["source"]
    lint = tb.call("lint", code="Upload:\nrep #$20\nlda #$1234\nsta $2116\nlda #$1801\nsta $4300\n"
                               "sep #$20\nlda #$01\nsta $420B\nrts")
    assert lint.ok and any("dma-vram-setup" in t or "VMAIN" in t for t in lint.data["text"])
    dis = tb.call("disassemble", data="A9 00 85 10 60")
    assert "lda #$00" in dis.data["text"].lower() and "rts" in dis.data["text"].lower()
    reg = tb.call("register_lookup", query="$4200")
    assert reg.ok and reg.summary == "NMITIMEN"
    assert tb.call("read_file", path="main.asm").data["text"].startswith("lda")


def test_read_file_stays_inside_the_project(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("no")
    (root / "link").symlink_to(tmp_path / "secret.txt")
    tb = ToolBox(root)
    for path in ("../secret.txt", "/etc/passwd", "link"):
        res = tb.call("read_file", path=path)
        assert not res.ok and "outside the project" in res.summary
    assert not ToolBox(None).call("read_file", path="x").ok
    assert not tb.call("nope").ok
    assert not tb.call("assemble", cod="x").ok         # bad arguments: a result, not a raise


def test_memory_facts_place_addresses_that_mean_one_thing():
    from triforce.orchestra.grounding import memory_facts

    facts = memory_facts("what is at $7EF36C, $0DD0, $8000, $00:8000 and $80:2100?")
    assert facts == ["$7EF36C: WRAM $7E:F36C",
                     "$0DD0: WRAM $7E:0DD0 (LowRAM mirror at $00:0DD0)",
                     "$00:8000: ROM file offset $000000 (LoROM)"]   # $8000: depends on DB


def test_code_gate_streams_prose_and_holds_back_failing_code():
    from triforce.orchestra.code import CodeGate

    reply = ("Here it is:\n```asar\nlda #$00\nsta $10\n```\nand a bad one:\n```asar\n"
             "lda #$00\nfoo bar\n```\nend ```inline``` text\n```asar\nnop\n")
    outs = set()
    for size in (1, 2, 5, 11, len(reply)):
        gate = CodeGate()
        seen_before_close = ""
        out = ""
        for i in range(0, len(reply), size):
            piece = gate.feed(reply[i:i + size])
            out += piece
            if "sta $10\n```" not in reply[:i + size]:
                seen_before_close += piece
        out += gate.flush()
        assert "lda #$00" not in seen_before_close        # held until the fence closed
        outs.add(out)
    assert len(outs) == 1                                  # the same whatever the chunking
    out = outs.pop()
    assert out.startswith("Here it is:\n```asar\nlda #$00\nsta $10\n```\nand a bad one:\n")
    assert "foo bar" not in out and "[a code block was removed here" in out
    assert "end ```inline``` text\n" in out and out.endswith("```asar\nnop\n")
