"""The orchestrator end to end, on the real embedded model (short replies keep it quick)
and the real tools; backends that are down or hang are real sockets."""

from __future__ import annotations

import json
import re
import socket
import threading
import time

import pytest

from triforce.cli.main import main
from triforce.errors import UserError
from triforce.orchestra import Orchestrator
from triforce.orchestra.events import ToolRan
from triforce.orchestra.plan import Plan, PlanStep

OPT_Q = "optimize this: lda #$00 : sta $10 : rts"


@pytest.fixture(scope="module")
def orch():
    return Orchestrator(max_tokens=24, timeout=60, record_stats=False)


def _checks(answer):
    return {c.name: c for c in answer.checks}


def test_optimization_tool_answer_leads(orch):
    ans = orch.ask(OPT_Q)
    assert [s.step.expert for s in ans.sections] == ["din"]
    sec = ans.sections[0]
    assert sec.status == "ok"
    # nothing is equivalent with A and flags observed; with only memory observed, stz is proven
    assert "stz $10" in sec.tool_text
    checks = _checks(ans)
    assert checks["equivalent (memory and I/O only)"].ok is True
    assert checks["cycles (memory and I/O only)"].detail == "11 -> 9"
    assert checks["bytes (memory and I/O only)"].detail == "5 -> 3"
    assert sec.chats and sec.chats[0].backend == "embedded"
    text = ans.render()
    assert text.index("stz $10") < text.index("explanation (model)")
    assert "## Verification" in text


def test_strict_optimization_and_savings(orch):
    code = "sep #$20\nrep #$10\nsep #$20\nlda $10\nrts"
    ans = orch.ask("make this faster", code=code, expert="din")
    sec = ans.sections[0]
    checks = _checks(ans)
    assert checks["equivalent"].ok is True
    before, after = (int(v) for v in checks["cycles"].detail.split(" -> "))
    assert after < before
    assert sec.code and sec.code != code


def test_debugging_lint_leads(orch):
    code = ("UploadTiles:\n rep #$20\n lda #$1234\n sta $2116\n lda #$1801\n sta $4300\n"
            " sep #$20\n lda #$01\n sta $420B\n rts\n")
    ans = orch.ask("why does my tile upload show garbage?", code=code, expert="farore")
    sec = ans.sections[0]
    assert "dma-vram-setup" in sec.tool_text and "VMAIN" in sec.tool_text
    assert _checks(ans)["lint"].detail == "1 finding(s)"
    # any code the model shows has assembled; failing blocks were removed
    for c in ans.checks:
        if c.name.startswith("assembles") and c.ok is False:
            assert "[a code block was removed here" in sec.model_text


def test_analysis_register_facts_lead(orch):
    ans = orch.ask("what does writing $80 to $2100 do?", expert="veran")
    sec = ans.sections[0]
    assert sec.tool_text.startswith("From the register table:")
    assert "$2100 INIDISP" in sec.tool_text and "force_blank" in sec.tool_text
    assert _checks(ans)["registers"].detail.startswith("1 register fact")


def test_plan_chain_passes_results_and_skips_after_failure(orch):
    plan = Plan([PlanStep("s1", "din", "optimization", "q"),
                 PlanStep("s2", "veran", "analysis", "q", ["s1"])])
    # din fails on code that does not assemble, so veran must not run
    orch_plan = orch.make_plan
    try:
        orch.make_plan = lambda q, expert=None: (plan, None)
        ans = orch.ask("optimize this and explain what changed", code="lda #$00\nfoo bar\n")
    finally:
        orch.make_plan = orch_plan
    din, veran = ans.sections
    assert din.status == "failed" and "does not assemble" in din.tool_text
    assert veran.status == "skipped" and "s1" in veran.notes[0]
    assert not ans.ok and "[skip]" in ans.render()


def test_bad_questions(orch):
    for q, msg in [("", "empty"), ("x" * 1_000_000, "limit"), ("\x00\x01garbage", "binary")]:
        with pytest.raises(UserError, match=msg):
            orch.ask(q)
    with pytest.raises(UserError, match="binary"):
        orch.ask("explain", code="lda\x00")
    with pytest.raises(UserError, match="unknown expert"):
        orch.ask("hi", expert="ghost")


def test_backend_down_tools_still_answer(no_backend):
    o = Orchestrator(backends=["ollama"], max_tokens=8, timeout=5, record_stats=False)
    ans = o.ask(OPT_Q)
    sec = ans.sections[0]
    assert sec.status == "partial" and "stz $10" in sec.tool_text
    assert any("cannot reach" in n for n in sec.notes)


def test_backend_that_hangs_times_out_and_falls_back(monkeypatch):
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(4)
    held = []
    stop = threading.Event()

    def accept():
        lst.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(lst.accept()[0])     # accept, never answer
            except OSError:
                pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{lst.getsockname()[1]}")
        o = Orchestrator(backends=["ollama", "embedded"], max_tokens=8, timeout=2,
                         record_stats=False)
        t0 = time.monotonic()
        ans = o.ask("what does $4200 do?", expert="veran")
        took = time.monotonic() - t0
        sec = ans.sections[0]
        assert sec.status == "ok" and sec.chats[0].backend == "embedded"
        assert took < 30
    finally:
        stop.set()
        t.join()
        lst.close()
        for c in held:
            c.close()


def test_cli_ask_json_and_errors(capsys, tmp_path):
    rc = main(["ask", OPT_Q, "--json", "--max-tokens", "16"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["ok"] and out["plan"]["steps"][0]["expert"] == "din"
    assert any(v["name"] == "equivalent (memory and I/O only)" and v["ok"]
               for v in out["verification"])
    assert out["model"]["calls"] >= 1 and out["model"]["time_to_first_token"] is not None
    assert main(["ask", ""]) == 1
    assert "the question is empty" in capsys.readouterr().err
    garbage = tmp_path / "g.asm"
    garbage.write_bytes(b"\xff\xfe\x00\x81" * 100)
    assert main(["ask", "explain", "--file", str(garbage)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "g.asm" in err[0] and "not UTF-8" in err[0]


def test_expert_adapter_from_the_config_dir_is_used(monkeypatch, tmp_path, capsys):
    """An adapter file named in the registry (relative to the config dir) serves its expert
    on the shared base model; the others keep the base model with their prompt."""
    from triforce.llm.adapters import random_lora
    from triforce.llm.probe import embedded_gguf

    monkeypatch.setenv("TRIFORCE_CONFIG_DIR", str(tmp_path))
    random_lora(embedded_gguf(), tmp_path / "veran.gguf", seed=3)
    o = Orchestrator(max_tokens=8, timeout=60, record_stats=False)
    with_adapter = o.ask("what does $4200 do?", expert="veran").sections[0].chats[0]
    without = o.ask("what does $4200 do?", expert="zelda").sections[0].chats[0]
    assert with_adapter.model == "veran" and without.model.startswith("SmolLM2")
    assert main(["experts"]) == 0
    out = capsys.readouterr().out
    assert f"+ {tmp_path / 'veran.gguf'}" in out and "no adapter at" in out


def test_model_planner_is_held_to_the_schema(orch):
    """The planner's reply is decoded under the plan's JSON schema (experts limited to the
    registry's ids) and then checked like any untrusted input."""
    from triforce.orchestra.plan import plan_schema

    schema = plan_schema({"din": "optimization", "veran": "analysis"})
    assert schema["properties"]["steps"]["items"]["properties"]["expert"] == {
        "enum": ["din", "veran"]}
    plan = orch.plan_with_model("optimize this routine, then explain what changed")
    assert plan.source == "planner" and 1 <= len(plan.steps) <= 6
    known = set(orch.registry.names())
    assert all(s.expert in known for s in plan.steps)
    assert [s.id for s in plan.order()]                  # a DAG: it orders


def test_project_files_named_in_the_question_are_read_inside_the_project(tmp_path):
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "src" / "hook.asm").write_text("Hook:\n  lda #$00\n  sta $10\n  rts\n")
    (tmp_path / "outside.asm").write_text("lda #$00\nsta $10\nrts\n")
    o = Orchestrator(project_root=root, max_tokens=8, timeout=60, record_stats=False)
    events = []
    ans = o.ask("optimize src/hook.asm please", expert="din",
                on_event=events.append)
    assert "stz $10" in ans.sections[0].tool_text
    reads = [e.result for e in events if isinstance(e, ToolRan) and e.result.tool == "read_file"]
    assert reads and reads[0].ok and reads[0].data["path"] == "src/hook.asm"
    events.clear()
    ans = o.ask("optimize ../outside.asm please", expert="din",
                on_event=events.append)
    reads = [e.result for e in events if isinstance(e, ToolRan) and e.result.tool == "read_file"]
    assert reads and not reads[0].ok and "outside the project" in reads[0].summary
    assert "no code to optimize" in " ".join(ans.sections[0].notes)


def test_comments_in_a_file_do_not_route_the_question():
    o = Orchestrator(max_tokens=4, timeout=60, record_stats=False)
    code = "; optimize: make this faster later\nKill:\n  lda #$00\n  sta $0DD0\n  rtl\n"
    ans = o.ask("explain what this routine does", code=code)
    assert [s.step.expert for s in ans.sections] == ["veran"]


def test_a_files_includes_are_found_beside_it(tmp_path, capsys):
    (tmp_path / "helper.asm").write_text("Helper:\n  rts\n")
    main_asm = tmp_path / "main.asm"
    main_asm.write_text("lorom\norg $008000\nMain:\n  jsr Helper\n  lda #$00\n  sta $10\n"
                        "  rts\nincsrc helper.asm\n")
    rc = main(["ask", "optimize this", "--file", str(main_asm), "--expert", "din",
               "--max-tokens", "4", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0, out
    sec = out["sections"][0]
    assert "stz $10" in sec["tool_text"] and "incsrc helper.asm" in sec["tool_text"]
    assert any(c["name"] == "assembles" and c["ok"] for c in sec["checks"])


def test_with_settings_copies_and_usage_counts(orch):
    o = orch.with_settings(max_tokens=3, seed=7, temperature=0.0, top_p=0.5)
    assert (o.max_tokens, o.seed) == (3, 7) and orch.max_tokens == 24
    assert o.registry.get("din").sampling.temperature == 0.0
    assert o.registry.get("din").sampling.top_p == 0.5
    assert orch.registry.get("din").sampling.temperature != 0.0     # the original stays
    ans = o.ask("what does $4200 do?", expert="veran")
    usage = ans.usage()
    assert usage["calls"] == 1 and 1 <= usage["completion_tokens"] <= 3
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 3


def test_cli_verbose_prints_time_to_first_token_and_rate(capsys):
    assert main(["ask", "what does $4200 do?", "--expert", "veran", "--verbose",
                 "--max-tokens", "6"]) == 0
    err = capsys.readouterr().err
    line = next(ln for ln in err.splitlines() if ln.startswith("triforce: model: embedded"))
    assert re.search(r"time to first token \d+\.\d\d s", line)
    assert re.search(r"\d+ tokens at \d+\.\d tokens/s", line)
    assert "triforce: plan (forced): veran" in err
