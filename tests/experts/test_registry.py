"""The expert registry, prompt building, the backend probes and ``triforce experts``."""

from __future__ import annotations

import argparse
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from triforce.asm import assemble
from triforce.errors import UserError
from triforce.experts import INTENTS, TOOLS, build_messages, load_registry
from triforce.llm import probe
from triforce.routing import default_router


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No user config and no real servers: every test sees an empty config dir and dead ports."""
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    monkeypatch.setenv("TRIFORCE_CONFIG_DIR", str(cfg))
    port = _free_port()
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{port}")
    monkeypatch.setenv("TRIFORCE_OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    return cfg


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_defaults_load_and_validate():
    reg = load_registry()
    assert reg.names() == ["din", "nayru", "farore", "veran", "zelda", "ganon", "link", "impa",
                           "tingle", "base"]
    for e in reg:
        assert e.system_prompt and "asar" in e.system_prompt
        assert 1 <= len(e.few_shot) <= 2
        assert set(e.tools) <= set(TOOLS)
        assert 0 <= e.sampling.temperature <= 2 and 0 < e.sampling.top_p <= 1
        assert set(e.backends) == {"embedded", "ollama", "openai"}
    assert reg.get("farore").sampling.temperature == 0.4
    assert (reg.get("nayru").sampling.temperature, reg.get("nayru").sampling.top_p) == (0.5, 0.85)
    assert reg.get("veran").sampling.temperature == 0.4
    assert reg.get("base").backends["embedded"] is None
    assert reg.get("din").backends == {"embedded": "din.gguf", "ollama": "triforce-din:7b",
                                       "openai": "din"}
    assert reg.tiers["fast"]["embedded"] == "SmolLM2-135M-Instruct"
    assert reg.tiers["balanced"]["ollama"] == "qwen2.5-coder:7b"
    assert reg.tiers["quality"]["ollama"] == "qwen2.5-coder:32b"
    with pytest.raises(UserError, match="unknown expert"):
        reg.get("navi")


def test_every_router_intent_has_its_expert():
    reg = load_registry()
    router = default_router()
    assert set(router.experts) == set(INTENTS)
    for intent, expert in router.experts.items():
        assert reg.by_intent(intent).id == expert
        assert reg.get(expert).intent == intent


def test_few_shot_code_assembles():
    for e in load_registry():
        for shot in e.few_shot:
            for block in re.findall(r"```asar\n(.*?)```", shot.assistant, re.S):
                src = block if "lorom" in block else "lorom\norg $008000\n" + block
                result = assemble(src, rom=bytes(0x80000))
                assert result.ok, (e.id, [str(d) for d in result.diagnostics])


def test_override_merges_and_adds(isolated):
    (isolated / "experts.toml").write_text(
        '[experts.din.sampling]\ntemperature = 0.1\n\n'
        '[experts.din]\ntools = ["optimize"]\n\n'
        '[experts.navi]\nintent = "general"\ndescription = "Hey, listen"\n'
        'system_prompt = "You are Navi."\n[experts.navi.backends]\nollama = "navi:1b"\n'
        '[tiers.quality]\nopenai = "my-32b"\n')
    reg = load_registry()
    din = reg.get("din")
    assert din.sampling.temperature == 0.1 and din.sampling.top_p == 0.9  # merged key by key
    assert din.tools == ("optimize",)
    assert len(din.few_shot) == 2
    navi = reg.get("navi")
    assert navi.name == "Navi" and navi.backends == {"ollama": "navi:1b", "embedded": None}
    assert reg.by_intent("general").id == "base"  # packaged experts come first
    assert reg.tiers["quality"] == {"ollama": "qwen2.5-coder:32b", "openai": "my-32b"}
    assert len(reg.sources) == 2


def test_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.delenv("TRIFORCE_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "triforce").mkdir()
    (tmp_path / "triforce" / "experts.toml").write_text('[experts.veran]\nname = "V"\n')
    assert load_registry().get("veran").name == "V"


@pytest.mark.parametrize("text, line, match", [
    ('[experts.din]\nname = "Din"\ntools = ["optimize",\n', 3, "malformed TOML"),
    ('[experts.din]\nname = "Din"\nname = "x"\n', 3, "malformed TOML"),
    ('# c\n[experts.din]\ntools = ["teleport"]\n', 3, "unknown tool 'teleport'"),
    ('[experts.din.sampling]\ntemperature = 7\n', 2, "sampling.temperature"),
    ('[experts.din.sampling]\nnum_ctx = "big"\n', 2, "sampling.num_ctx"),
    ('[experts.farore]\nintent = "debuging"\n', 2, "unknown intent 'debuging'"),
    ('[experts.din]\ntemprature = 0.2\n', 2, "unknown field 'temprature'"),
    ('\n[experts.navi]\nintent = "general"\n', 2, "missing field 'description'"),
])
def test_malformed_override_is_one_line_with_location(isolated, text, line, match):
    path = isolated / "experts.toml"
    path.write_text(text)
    with pytest.raises(UserError, match=match) as info:
        load_registry()
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(f"{path}:{line}: ")


def test_override_removing_an_intent_fails(isolated):
    (isolated / "experts.toml").write_text('[experts.tingle]\nintent = "general"\n')
    with pytest.raises(UserError, match="no expert for intent.*mapping"):
        load_registry()


def test_explicit_missing_path():
    with pytest.raises(UserError, match="no such file"):
        load_registry("/nonexistent/experts.toml")


def test_messages_order_and_facts():
    din = load_registry().get("din")
    msgs = build_messages(din, "Optimize: lda #$00 : sta $20",
                          facts=["$2100 INIDISP: screen display"],
                          history=[("user", "hi"), {"role": "assistant", "content": "hello"}])
    roles = [m["role"] for m in msgs]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user", "assistant",
                     "user"]
    assert msgs[0]["content"].startswith(din.system_prompt)
    assert "- $2100 INIDISP: screen display" in msgs[0]["content"]
    assert msgs[1]["content"] == din.few_shot[0].user
    assert msgs[2]["content"] == din.few_shot[0].assistant
    assert msgs[3]["content"] == din.few_shot[1].user
    assert msgs[5:7] == [{"role": "user", "content": "hi"},
                         {"role": "assistant", "content": "hello"}]
    assert msgs[-1] == {"role": "user", "content": "Optimize: lda #$00 : sta $20"}
    assert "Facts" not in build_messages(din, "q")[0]["content"]


def test_truncation_keeps_question_whole():
    din = load_registry().get("din")
    question = "Optimize this:\n" + "    lda #$00\n    sta $10\n" * 400  # ~10k characters
    history = [("user", "x" * 500), ("assistant", "y" * 500)] * 3
    msgs = build_messages(din, question, facts=["fact one", "fact two"], history=history,
                          max_chars=len(question) + len(din.system_prompt) + 50)
    assert msgs[-1]["content"] == question
    assert msgs[0]["content"].startswith(din.system_prompt)
    assert "fact one" in msgs[0]["content"] and "fact two" not in msgs[0]["content"]
    assert len(msgs) == 2  # history and few-shot dropped first
    # default budget from num_ctx: 4096 tokens * 4 chars * 3/4; everything fits a short question
    assert len(build_messages(din, "q", history=history)) == 2 + 4 + 6
    # a huge question survives even with no budget at all
    assert build_messages(din, question, max_chars=1)[-1]["content"] == question


def test_probes_not_running_quickly():
    t0 = time.perf_counter()
    res = probe.probe_all()
    assert time.perf_counter() - t0 < 2.0
    assert res["ollama"].status == "not running" and not res["ollama"].ok
    assert res["openai"].status == "not running" and not res["openai"].ok
    emb = res["embedded"]
    assert emb.status == "ready" or emb.status.startswith("not installed (pip install ")


def test_ollama_host_forms(monkeypatch):
    for value, url in [("0.0.0.0", "http://127.0.0.1:11434"),
                       ("127.0.0.1:9999", "http://127.0.0.1:9999"),
                       ("http://localhost:1234/", "http://localhost:1234")]:
        monkeypatch.setenv("OLLAMA_HOST", value)
        assert probe.ollama_url() == url


def test_ollama_up_with_models(monkeypatch):
    class Tags(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = json.dumps({"models": [{"name": "triforce-din:7b"},
                                          {"name": "qwen2.5-coder:7b"}]}).encode()
            self.send_response(200 if self.path == "/api/tags" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    server = HTTPServer(("127.0.0.1", 0), Tags)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{server.server_port}")
        p = probe.probe_ollama()
        assert p.ok and p.status == "up (2 models)"
        from triforce.cli.experts import collect
        info = collect()
        by_id = {e["id"]: e for e in info["experts"]}
        assert by_id["din"]["backends"]["ollama"]["reachable"] is True
        assert by_id["nayru"]["backends"]["ollama"]["reachable"] is False
        assert "not available" in by_id["nayru"]["backends"]["ollama"]["status"]
    finally:
        server.shutdown()
        server.server_close()


def _run_cli(argv, capsys):
    from triforce.cli import experts as experts_cmd

    parser = argparse.ArgumentParser(prog="triforce")
    sub = parser.add_subparsers(dest="command")
    experts_cmd.register(sub)
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    return capsys.readouterr().out


def test_cli_json(capsys):
    data = json.loads(_run_cli(["experts", "--json"], capsys))
    ids = [e["id"] for e in data["experts"]]
    assert ids[0] == "din" and "base" in ids and len(ids) == 10
    din = data["experts"][0]
    assert din["intent"] == "optimization" and "optimize" in din["tools"]
    assert din["description"]
    assert set(din["backends"]) == {"embedded", "ollama", "openai"}
    assert din["backends"]["ollama"] == {
        "model": "triforce-din:7b", "served_as": "triforce-din:7b", "status": "not running",
        "reachable": False, "where": probe.ollama_url()}
    assert din["backends"]["openai"]["model"] == "din"
    assert data["backends"]["openai"]["status"] == "not running"


def test_cli_text(capsys):
    out = _run_cli(["experts"], capsys)
    assert "din" in out and "optimization" in out and "not running" in out
