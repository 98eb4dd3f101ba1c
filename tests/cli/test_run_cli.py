"""``triforce run``: in-process through ``main()`` and once as a real subprocess.

The bundled mul16 example computes $0123 * $0031 = $37B3 by shift-and-add:
9 setup instructions, 16 loop passes of 5 instructions plus 4 for each of the
3 set bits of $0031, and STP = 102 instructions. Cycles (native, 16-bit, D=0):
setup 2+2+3+3+4+3+4+4+3 = 28; a pass is LSR dp 7, BCC 3 taken / 2 + LDA 4 CLC 2
ADC 4 STA 4, ASL dp 7, DEX 2, BNE 3: 22 or 35; 13*22 + 3*35 - 1 (last BNE not
taken) = 390; STP 3: 421 in all.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from triforce.cli.main import main

MUL16_STEPS = 102
MUL16_CYCLES = 421
STP = 0xDB


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["run", *args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_user_error(code: int, out: str, err: str, *needles: str) -> str:
    assert code == 1
    assert "Traceback" not in err and "Traceback" not in out
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("triforce: error: ")
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


# ------------------------------------------------------------------ the example


def test_example_mul16(capsys):
    code, out, err = run_cli(capsys, "--example", "mul16")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"stopped: stp after {MUL16_STEPS} instructions, {MUL16_CYCLES} cycles"
    assert "PC 00:8024" in lines[1]                # after the STP at $8023
    assert "A 37B3" in lines[1]
    assert "X 0000" in lines[1]
    assert "E 0" in lines[1]


def test_example_mul16_json(capsys):
    code, out, err = run_cli(capsys, "--example", "mul16", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["reason"] == "stp"
    assert data["steps"] == MUL16_STEPS
    assert data["cycles"] == MUL16_CYCLES
    assert data["master_clocks"] is None           # flat memory: no SNES timing
    st = data["state"]
    assert (st["a"], st["x"], st["pc"], st["pbr"], st["e"]) == (0x37B3, 0, 0x8024, 0, 0)
    assert st["p"] & 0x30 == 0                     # 16-bit A and index
    assert data["watch_hits"] == []


def test_example_mul16_trace(capsys):
    code, out, err = run_cli(capsys, "--example", "mul16", "--trace")
    assert code == 0
    trace = [ln for ln in out.splitlines() if " A:" in ln]
    assert len(trace) == MUL16_STEPS
    assert trace[0].startswith("00:8000") and "CLC" in trace[0]
    assert trace[1].startswith("00:8001") and "XCE" in trace[1]
    assert "REP #$30" in trace[2]
    assert "LDA #$0123" in trace[3]
    assert trace[-1].startswith("00:8023") and "STP" in trace[-1]
    assert "BNE $8013" in out
    assert out.splitlines()[-2].startswith("stopped: stp")


def test_example_trace_with_json_goes_to_stderr(capsys):
    code, out, err = run_cli(capsys, "--example", "mul16", "--trace", "--json")
    assert code == 0
    assert json.loads(out)["steps"] == MUL16_STEPS
    assert len([ln for ln in err.splitlines() if " A:" in ln]) == MUL16_STEPS


def test_subprocess_example():
    proc = subprocess.run(
        [sys.executable, "-m", "triforce.cli.main", "run", "--example", "mul16"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "A 37B3" in proc.stdout
    assert proc.stdout.startswith(f"stopped: stp after {MUL16_STEPS} instructions")


def test_subprocess_user_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "triforce.cli.main", "run", str(tmp_path / "missing.bin")],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triforce: error: ")
    assert "missing.bin" in lines[0] and "no such file" in lines[0]


# ------------------------------------------------------------------ states


def state(**over):
    s = {"pc": 0x8000, "s": 0x01FF, "p": 0x30, "a": 0x1234, "x": 0, "y": 0, "dbr": 0,
         "d": 0, "pbr": 0, "e": 0, "ram": []}
    s.update(over)
    return s


def test_state_file_steps_json(tmp_path, capsys):
    # native, 8-bit A: lda #$42 / sta $10; $0020 is given but never touched
    st = state(ram=[[0x8000, 0xA9], [0x8001, 0x42], [0x8002, 0x85], [0x8003, 0x10],
                    [0x0020, 0x99]])
    path = tmp_path / "one.json"
    path.write_text(json.dumps(st))
    code, out, err = run_cli(capsys, "--state", str(path), "--steps", "2", "--json")
    assert code == 0, err
    results = json.loads(out)
    assert isinstance(results, list) and len(results) == 1
    r = results[0]
    assert (r["pc"], r["a"], r["p"], r["s"], r["e"], r["pbr"]) == (0x8004, 0x1242, 0x30, 0x01FF, 0, 0)
    assert r["cycles"] == 2 + 3
    assert r["ram"] == [[0x0010, 0x42], [0x0020, 0x99], [0x8000, 0xA9], [0x8001, 0x42],
                        [0x8002, 0x85], [0x8003, 0x10]]


def test_state_file_with_several_states(tmp_path, capsys):
    states = [
        # rep #$20 / lda #$BEEF / sta $7E0000  (native)
        state(p=0x30, ram=[[0x8000, 0xC2], [0x8001, 0x20], [0x8002, 0xA9], [0x8003, 0xEF],
                           [0x8004, 0xBE], [0x8005, 0x8F], [0x8006, 0x00], [0x8007, 0x00],
                           [0x8008, 0x7E]]),
        # emulation, as a test case's "initial": inx / inx / inx
        {"initial": state(e=1, p=0x34, s=0x01F0, x=0x10,
                          ram=[[0x9000, 0xE8], [0x9001, 0xE8], [0x9002, 0xE8]], pc=0x9000)},
    ]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(states))
    code, out, err = run_cli(capsys, "--state", str(path), "--steps", "3", "--json")
    assert code == 0, err
    r0, r1 = json.loads(out)
    assert (r0["a"], r0["pc"], r0["p"]) == (0xBEEF, 0x8009, 0x90)  # N from $BE
    assert r0["cycles"] == 3 + 3 + 6
    assert [0x7E0000, 0xEF] in r0["ram"] and [0x7E0001, 0xBE] in r0["ram"]
    assert (r1["x"], r1["pc"], r1["e"], r1["cycles"]) == (0x13, 0x9003, 1, 6)
    assert r1["ram"] == [[0x9000, 0xE8], [0x9001, 0xE8], [0x9002, 0xE8]]


def test_state_file_text_output(tmp_path, capsys):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(state(ram=[[0x8000, 0xE8]])))   # inx
    code, out, err = run_cli(capsys, "--state", str(path))
    assert code == 0
    assert out.startswith("state 0: PC 00:8001")
    assert "X 0001" in out and "cycles 2" in out


# ------------------------------------------------------------------ binaries and ROMs


def test_raw_binary_with_org_start_set_until_dump(tmp_path, capsys):
    code = bytes([
        STP, STP,               # 01:8000  never run: --start skips it
        0x8D, 0x00, 0x20,       # 01:8002  sta $2000  (DBR=0: $00:2000)
        0xE8,                   # 01:8005  inx
        0x8E, 0x01, 0x20,       # 01:8006  stx $2001
        STP,                    # 01:8009  stp
    ])
    path = tmp_path / "code.bin"
    path.write_bytes(code)
    rc, out, err = run_cli(capsys, str(path), "--org", "$018000", "--start", "$01:8002",
                           "--set", "A=$1234", "--set", "x=41", "--until", "$01:8009",
                           "--dump", "$002000:2")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("stopped: until after 3 instructions, 10 cycles")
    assert "PC 01:8009" in lines[1] and "A 1234" in lines[1] and "X 0042" in lines[1]
    assert "002000: 34 42" in lines


def test_raw_binary_native_json_dump(tmp_path, capsys):
    # (native via --native) rep #$30 / lda #$ABCD / sta $0010 / stp
    path = tmp_path / "n.bin"
    path.write_bytes(bytes([0xC2, 0x30, 0xA9, 0xCD, 0xAB, 0x8D, 0x10, 0x00, STP]))
    rc, out, err = run_cli(capsys, str(path), "--native", "--dump", "$10:2", "--json",
                           "--watch", "$000011")
    assert rc == 0, err
    data = json.loads(out)
    assert data["reason"] == "watch"
    assert data["watch_hits"] == [{"access": "w", "address": "$000011", "value": 0xAB}]
    assert data["memory"] == {"$000010": "cdab"}
    assert data["state"]["e"] == 0 and data["state"]["a"] == 0xABCD


def lorom_image() -> bytes:
    rom = bytearray(0x8000)                         # 32 KiB: $00:8000-$00:FFFF
    rom[0:7] = bytes([
        0xA9, 0x5A,                                 # 8000  lda #$5A
        0x8F, 0x00, 0x01, 0x7E,                     # 8002  sta $7E0100
        STP,                                        # 8006  stp
    ])
    rom[0x7FFC:0x7FFE] = bytes([0x00, 0x80])        # reset vector $FFFC -> $8000
    return bytes(rom)


def test_lorom_sfc_runs_from_reset_vector(tmp_path, capsys):
    path = tmp_path / "game.sfc"
    path.write_bytes(lorom_image())
    rc, out, err = run_cli(capsys, str(path), "--dump", "$7E0100:1")
    assert rc == 0, err
    lines = out.splitlines()
    # lda #: 2 fetch (16) / sta long: 4 fetch + WRAM write (40) / stp: 8 + 2 internal (20)
    assert lines[0] == "stopped: stp after 3 instructions, 10 cycles, 76 master clocks"
    assert "PC 00:8007" in lines[1] and "E 1" in lines[1]
    assert "7E0100: 5A" in lines


def test_lorom_with_copier_header(tmp_path, capsys):
    path = tmp_path / "game.smc"
    path.write_bytes(bytes(0x200) + lorom_image())
    rc, out, err = run_cli(capsys, str(path), "--json")
    assert rc == 0, err
    data = json.loads(out)
    assert (data["steps"], data["master_clocks"], data["state"]["a"] & 0xFF) == (3, 76, 0x5A)


# ------------------------------------------------------------------ user errors


def test_missing_file(tmp_path, capsys):
    rc, out, err = run_cli(capsys, str(tmp_path / "nope.bin"))
    assert_user_error(rc, out, err, "nope.bin", "no such file")


def test_directory(tmp_path, capsys):
    rc, out, err = run_cli(capsys, str(tmp_path))
    assert_user_error(rc, out, err, "directory")


@pytest.mark.parametrize("name", ["empty.bin", "empty.sfc"])
def test_empty_file(tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes(b"")
    rc, out, err = run_cli(capsys, str(path))
    assert_user_error(rc, out, err, name, "empty")


@pytest.mark.parametrize("size,needle", [
    (9 * 1024 * 1024, "larger than any SNES mapping"),
    (1000, "KiB"),
])
def test_rom_of_impossible_size(tmp_path, capsys, size, needle):
    path = tmp_path / "bad.sfc"
    path.write_bytes(bytes(size))
    rc, out, err = run_cli(capsys, str(path))
    assert_user_error(rc, out, err, "bad.sfc", needle)


def test_org_too_large(tmp_path, capsys):
    path = tmp_path / "c.bin"
    path.write_bytes(bytes(16))
    rc, out, err = run_cli(capsys, str(path), "--org", "$FFFFF8")
    assert_user_error(rc, out, err, "c.bin", "16 bytes", "$FFFFF8")


def test_malformed_json_state(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "pc": 1,\n  oops\n}\n')   # the error is on line 3
    rc, out, err = run_cli(capsys, "--state", str(path))
    assert_user_error(rc, out, err, f"{path}:3", "JSON")


def test_state_missing_register(tmp_path, capsys):
    st = state()
    del st["a"]
    path = tmp_path / "s.json"
    path.write_text(json.dumps([state(), st]))
    rc, out, err = run_cli(capsys, "--state", str(path))
    assert_user_error(rc, out, err, "state 1", "missing register 'a'")


@pytest.mark.parametrize("reg,value", [("a", 0x10000), ("p", 256), ("e", 2), ("pc", -1)])
def test_state_out_of_range(tmp_path, capsys, reg, value):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(state(**{reg: value})))
    rc, out, err = run_cli(capsys, "--state", str(path))
    assert_user_error(rc, out, err, f"register '{reg}'")


def test_state_bad_ram_value(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(state(ram=[[0x10, 300]])))
    rc, out, err = run_cli(capsys, "--state", str(path))
    assert_user_error(rc, out, err, "ram[0]")


def binary(tmp_path):
    path = tmp_path / "stp.bin"
    path.write_bytes(bytes([STP]))
    return str(path)


def test_set_unknown_register(tmp_path, capsys):
    rc, out, err = run_cli(capsys, binary(tmp_path), "--set", "Q=1")
    assert_user_error(rc, out, err, "unknown register 'Q'")


def test_set_value_out_of_range(tmp_path, capsys):
    rc, out, err = run_cli(capsys, binary(tmp_path), "--set", "DBR=$100")
    assert_user_error(rc, out, err, "DBR", "out of range")


@pytest.mark.parametrize("option", ["--org", "--until", "--start", "--break"])
def test_non_numeric_address(tmp_path, capsys, option):
    rc, out, err = run_cli(capsys, binary(tmp_path), option, "zzz")
    assert_user_error(rc, out, err, "'zzz' is not a number")


def test_dump_without_length(tmp_path, capsys):
    rc, out, err = run_cli(capsys, binary(tmp_path), "--dump", "$7E0010")
    assert_user_error(rc, out, err, "--dump", "ADDR:LEN")


def test_no_program(capsys):
    rc, out, err = run_cli(capsys)
    assert_user_error(rc, out, err, "--example")


def test_unknown_example(capsys):
    rc, out, err = run_cli(capsys, "--example", "nope")
    assert_user_error(rc, out, err, "nope", "mul16")


def test_program_that_never_stops(tmp_path, capsys):
    path = tmp_path / "loop.bin"
    path.write_bytes(bytes([0xE8, 0x80, 0xFD]))    # loop: inx / bra loop
    rc, out, err = run_cli(capsys, str(path), "--max-steps", "50")
    assert rc == 1
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    errors = [ln for ln in lines if ln.startswith("triforce: error:")]
    assert len(errors) == 1 and lines[0] == errors[0]
    assert "step limit of 50 instructions" in lines[0]
    assert "00:8000" in lines[0]                   # 50 steps: 25 loops, back at the INX
    trace = lines[1:]
    assert 2 <= len(trace) <= 50
    assert any("BRA $8000" in ln for ln in trace)
    assert any("INX" in ln for ln in trace)
    assert trace[-1].strip().startswith("00:8001")  # the 50th instruction was the BRA


@pytest.mark.parametrize("text, needle", [
    ("[" * 100_000 + "]" * 100_000, "nested deeper"),
    ('{"pc": 1' + "0" * 5000 + "}", "longer than"),
    ('{"pc": NaN}', "NaN"),
    ('{"pc": 1e999}', "out of range"),
])
def test_hostile_json_state(tmp_path, capsys, text, needle):
    path = tmp_path / "s.json"
    path.write_text(text)
    rc, out, err = run_cli(capsys, "--state", str(path))
    assert_user_error(rc, out, err, "s.json", needle)
