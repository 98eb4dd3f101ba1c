"""The assistant reads no file outside the user's sandbox: not through the code in a
question, a file's includes, a project file's includes, or a request to the server. The
backend is a closed port (the tools answer alone), so nothing here waits on a model."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from triforce.orchestra import Orchestrator

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from serve_helpers import ServeProcess, post_json  # noqa: E402

SECRET = "SecretWordInAFile"


@pytest.fixture
def orch_factory(no_backend):

    def make(root=None):
        return Orchestrator(backends=["ollama"], max_tokens=4, timeout=5, record_stats=False,
                            project_root=root)
    return make


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.asm"
    path.write_text(f"{SECRET} = 1\ndb $EE\n")
    return path


def _everything(answer) -> str:
    return answer.render() + json.dumps(answer.to_dict())


@pytest.mark.parametrize("expert", ["din", "farore", "veran", "nayru"])
def test_code_in_a_question_reads_no_file(orch_factory, secret, expert):
    o = orch_factory()
    for line in (f'incsrc "{secret}"', f'db readfile1("{secret}", 0)', 'incsrc "/etc/passwd"',
                 'error hex(readfile4("/etc/passwd", 0))'):
        ans = o.ask("look at this", code=f"org $008000\n{line}\nlda #$00\nsta $10\nrts\n",
                    expert=expert)
        text = _everything(ans)
        assert SECRET not in text and "root:" not in text
        assert "EEEEEE" not in text and "746F6F72" not in text   # no bytes of either file


def test_a_files_includes_stay_in_its_folder(orch_factory, secret, tmp_path):
    folder = tmp_path / "hack"
    folder.mkdir()
    (folder / "helper.asm").write_text("Helper:\n  rts\n")
    (folder / "escape.asm").symlink_to(secret)
    o = orch_factory()
    for inc, ok in (("helper.asm", True), ("../secret.asm", False), ("escape.asm", False),
                    (str(secret), False)):
        main = folder / "main.asm"
        main.write_text(f'org $008000\nincsrc "{inc}"\n'
                        "Main:\n  jsr Helper\n  lda #$00\n  sta $10\n  rts\n")
        ans = o.ask("optimize this", code=main.read_text(), code_path=main, expert="din")
        text = _everything(ans)
        assert SECRET not in text
        if ok:
            assert "stz $10" in ans.sections[0].tool_text
        else:
            assert "not read" in text


def test_a_project_files_includes_stay_in_the_project(orch_factory, secret, tmp_path):
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "src" / "defs.asm").write_text("Value = $10\n")
    (root / "src" / "hook.asm").write_text('incsrc "defs.asm"\norg $008000\nHook:\n'
                                           '  lda #$00\n  sta Value\n  rts\n')
    (root / "src" / "bad.asm").write_text('incsrc "../../secret.asm"\norg $008000\n'
                                          'Hook:\n  lda #$00\n  sta $10\n  rts\n')
    o = orch_factory(root)
    ans = o.ask("optimize src/hook.asm please", expert="din")
    assert "stz" in ans.sections[0].tool_text
    ans = o.ask("optimize src/bad.asm please", expert="din")
    text = _everything(ans)
    assert SECRET not in text and "outside" in text


def test_the_server_reads_no_file_for_a_client(secret):
    srv = ServeProcess("--timeout", "30").start()
    try:
        for line in (f'incsrc "{secret}"', f'error hex(readfile4("{secret}", 0))'):
            body = {"model": "din", "max_tokens": 4, "messages": [
                {"role": "user", "content": f"optimize this:\n```\norg $008000\n{line}\n"
                                            "lda #$00\nsta $10\nrts\n```"}]}
            status, reply = post_json(srv.port, "/v1/chat/completions", body)
            assert status == 200, reply
            text = json.dumps(reply)
            assert SECRET not in text and "EEEE" not in text
            assert "not read" in text
    finally:
        srv.close()
