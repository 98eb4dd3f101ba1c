"""The assembler's sandbox: no file outside the root is opened, through any directive or
function, whatever path or link leads there; inside the root everything works as before."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from triforce.asm import NO_FILES, Sandbox, assemble

SECRET = "TopSecretLine"

# every way asar source reads a file, with {f} for the file's name
READERS = [
    'incsrc "{f}"',
    'incbin "{f}"',
    'incbin "{f}":0..2',
    'incbin "{f}" -> $018000',
    'db readfile1("{f}", 0)',
    'dw readfile2("{f}", 0)',
    'dl readfile3("{f}", 0)',
    'dd readfile4("{f}", 0)',
    'error hex(readfile4("{f}", 0))',
    'db canreadfile1("{f}", 0)',
    'db canreadfile4("{f}", 0)',
    'db canreadfile("{f}", 0, 2)',
    'db filesize("{f}")',
    'db getfilestatus("{f}")',
    'table "{f}"',
    'if filesize("{f}") > 0\nendif',
]

_opened: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def world(tmp_path):
    """A project folder, a secret file beside it, and links from inside to outside."""
    root = tmp_path / "project"
    (root / "lib").mkdir(parents=True)
    secret = tmp_path / "secret.asm"
    secret.write_text(f"; {SECRET}\ndb $EE\n{SECRET} = 1\n")
    (root / "lib" / "ok.asm").write_text("db $12\n")
    (root / "data.bin").write_bytes(b"\x01\x02\x03\x04")
    (root / "link.asm").symlink_to(secret)
    (root / "dirlink").symlink_to(tmp_path)
    return root, secret


def _outside_paths(root: Path, secret: Path) -> list[str]:
    return [str(secret), "../secret.asm", "lib/../../secret.asm", str(root / "link.asm"),
            "link.asm", "dirlink/secret.asm", str(root / "dirlink" / "secret.asm"),
            "/etc/passwd"]


def _assemble_in(root: Path, code: str, sandbox: Sandbox, main: Path | None = None):
    cwd = os.getcwd()
    os.chdir(root)
    try:
        _opened.clear()
        if main is not None:
            main.write_text(code)
            return assemble(main, sandbox=sandbox), list(_opened)
        return assemble(code, filename=str(root / "main.asm"), sandbox=sandbox), list(_opened)
    finally:
        os.chdir(cwd)


def _touched_outside(opened: list[str], root: Path) -> list[str]:
    real = root.resolve()
    return [p for p in opened if not Path(os.path.realpath(p)).is_relative_to(real)
            and not p.startswith(sys.prefix) and "__pycache__" not in p and not p.endswith(".py")]


@pytest.mark.parametrize("reader", READERS)
def test_nothing_outside_the_root_is_opened(world, reader):
    root, secret = world
    for sandbox in (Sandbox(root), NO_FILES):
        for path in _outside_paths(root, secret):
            res, opened = _assemble_in(root, "org $008000\n" + reader.format(f=path) + "\n",
                                       sandbox)
            assert not res.ok, (reader, path)
            errors = res.errors
            assert errors[0].id == "Efile_refused", (reader, path, errors[0])
            assert path in errors[0].message
            text = " ".join(f"{d.message} {d.source}" for d in res.diagnostics)
            assert SECRET not in text and "root:" not in text
            assert not _touched_outside(opened, root), (reader, path, opened)


@pytest.mark.parametrize("reader", READERS)
def test_inside_the_root_files_are_read(world, reader):
    root, _ = world
    name = "lib/ok.asm" if reader.startswith(("incsrc", "table")) else "data.bin"
    if reader.startswith("table"):
        (root / "lib" / "ok.asm").write_text("A=41\n")
    res, opened = _assemble_in(root, "org $008000\n" + reader.format(f=name) + "\n",
                               Sandbox(root))
    if reader.startswith("error"):
        assert [d.id for d in res.errors] == ["Eerror_command"] or "04030201" in str(res.errors)
    else:
        assert res.ok, res.errors
    assert not _touched_outside(opened, root)


def test_without_a_sandbox_files_are_read_as_asar_reads_them(world):
    root, secret = world
    res, _ = _assemble_in(root, 'org $008000\nincsrc "../secret.asm"\n', None)
    assert res.ok and SECRET in res.symbols


def test_the_main_file_and_its_includes_need_the_root(world, tmp_path):
    root, secret = world
    res, opened = _assemble_in(root, "org $008000\nincsrc lib/ok.asm\n", Sandbox(root),
                               main=root / "main.asm")
    assert res.ok, res.errors
    res, _ = _assemble_in(root, "", Sandbox(root / "lib"), main=root / "main.asm")
    assert not res.ok and res.errors[0].id == "Efile_refused"
    assert not _touched_outside(opened, root)


def test_an_include_path_inside_the_root_is_searched(world):
    root, _ = world
    res = assemble('org $008000\nincsrc "ok.asm"\n', include_paths=[str(root / "lib")],
                   sandbox=Sandbox(root))
    assert res.ok, res.errors
    res = assemble('org $008000\nincsrc "secret.asm"\n', include_paths=[str(root.parent)],
                   sandbox=Sandbox(root))
    assert res.errors[0].id == "Efile_refused" and "'secret.asm'" in res.errors[0].message


def test_in_memory_files_need_no_disk(world):
    res = assemble('org $008000\nincsrc "x.asm"\nincbin "y.bin"\n',
                   files={"x.asm": "db 1\n", "y.bin": b"\x02"}, sandbox=NO_FILES)
    assert res.ok and res.rom[:2] == b"\x01\x02"


def test_no_file_reading_code_passes_a_no_files_check(world):
    """Code that assembles with no files touches none, whatever sandbox it runs in later."""
    root, _ = world
    for probe in ('db canreadfile1("lib/ok.asm", 0)', 'db getfilestatus("nothing.asm")'):
        res, _ = _assemble_in(root, "org $008000\n" + probe + "\n", NO_FILES)
        assert not res.ok and res.errors[0].id == "Efile_refused"


def test_devices_and_fifos_are_not_read(tmp_path):
    fifo = tmp_path / "pipe.bin"
    os.mkfifo(fifo)
    res = assemble(f'org $008000\nincbin "{fifo}"\n')      # would block for ever if opened
    assert not res.ok
    res = assemble('org $008000\nincbin "/dev/zero"\n')     # would never end if read
    assert not res.ok and "regular file" in res.errors[0].message
