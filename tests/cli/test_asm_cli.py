"""``triforce asm`` and ``triforce disasm`` as a user runs them, bad input included."""

from __future__ import annotations

import subprocess
import sys

import pytest

from triforce.cli.main import main


def run(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_assembles_creates_rom_symbols_and_listing(tmp_path, capsys):
    src = tmp_path / "patch.asm"
    src.write_text("lorom\norg $008000\nMain:\n    lda #$12\n    sta $7E0010\n    rts\n")
    code, out, err = run([
        "asm", str(src), str(tmp_path / "game.sfc"), "--symbols", "wla",
        "--listing", str(tmp_path / "patch.lst"),
    ], capsys)
    assert code == 0, err
    assert (tmp_path / "game.sfc").read_bytes()[:6] == bytes.fromhex("a9128f10007e")
    sym = (tmp_path / "game.sym").read_text()
    assert "[labels]" in sym and "00:8000 Main" in sym
    lst = (tmp_path / "patch.lst").read_text()
    assert "00:8000" in lst and "A9 12" in lst


def test_patches_an_existing_rom_and_defines(tmp_path, capsys):
    rom = tmp_path / "game.sfc"
    rom.write_bytes(bytes(range(256)) * 256)  # 64 KiB
    src = tmp_path / "patch.asm"
    src.write_text("org $008010\n    db !value\n")
    code, _, err = run(["asm", str(src), str(rom), "-D", "value=$AB", "--fix-checksum", "off"], capsys)
    assert code == 0, err
    data = rom.read_bytes()
    assert data[0x10] == 0xAB and data[0x11] == 0x11 and len(data) == 65536


def test_error_leaves_rom_untouched(tmp_path, capsys):
    rom = tmp_path / "game.sfc"
    rom.write_bytes(b"\x55" * 0x8000)
    src = tmp_path / "bad.asm"
    src.write_text("org $008000\n    db $01\n    lda Missing\n")
    code, out, err = run(["asm", str(src), str(rom)], capsys)
    assert code == 1
    assert "bad.asm:3: error: (Elabel_not_found)" in err
    assert "Traceback" not in err
    assert rom.read_bytes() == b"\x55" * 0x8000


@pytest.mark.parametrize(
    ("files", "expect"),
    [
        ({"a.asm": 'incsrc "b.asm"\n', "b.asm": 'incsrc "a.asm"\n'}, "Einclude_loop"),
        ({"a.asm": "macro m()\n%m()\nendmacro\norg $8000\n%m()\n"}, "Erecursion_limit"),
        ({"a.asm": "while 1\nendwhile\n"}, "Einfinite_loop"),
        ({"a.asm": "db " + "1," * 600_000 + "1\n"}, "Eline_too_long"),
        ({"a.asm": b"\xff\xfe\x00garbage\x00\x01"}, "Ebinary_file"),
    ],
)
def test_bad_input_gives_a_clear_error(tmp_path, capsys, files, expect):
    for name, text in files.items():
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    code, out, err = run(["asm", str(tmp_path / "a.asm"), str(tmp_path / "out.sfc")], capsys)
    assert code == 1
    assert f"({expect})" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.sfc").exists() or (tmp_path / "out.sfc").stat().st_size == 0


def test_missing_source_file(tmp_path, capsys):
    code, _, err = run(["asm", str(tmp_path / "nothere.asm")], capsys)
    assert code == 1
    assert err.strip().endswith("nothere.asm: no such file")


def test_disasm_round_trips_through_asm(tmp_path, capsys):
    src = tmp_path / "p.asm"
    src.write_text("lorom\norg $008000\n    rep #$30\n    lda #$1234\n-   dex\n    bne -\n    rtl\n")
    assert run(["asm", str(src), str(tmp_path / "p.sfc")], capsys)[0] == 0
    code, out, err = run(["disasm", str(tmp_path / "p.sfc"), "--start", "$008000", "--length", "11"],
                         capsys)
    assert code == 0, err
    (tmp_path / "q.asm").write_text(out)
    assert run(["asm", str(tmp_path / "q.asm"), str(tmp_path / "q.sfc")], capsys)[0] == 0
    assert (tmp_path / "q.sfc").read_bytes()[:11] == (tmp_path / "p.sfc").read_bytes()[:11]


def test_disasm_bad_address(tmp_path, capsys):
    (tmp_path / "x.bin").write_bytes(b"\xea" * 4)
    code, _, err = run(["disasm", str(tmp_path / "x.bin"), "--start", "$zz"], capsys)
    assert code == 1 and "not a number" in err


def test_console_script_runs_asm_from_a_subprocess(tmp_path):
    src = tmp_path / "p.asm"
    src.write_text("org $008000\n    nop\n")
    proc = subprocess.run([sys.executable, "-m", "triforce.cli.main", "asm", str(src)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "p.sfc").read_bytes() == b"\xea"
