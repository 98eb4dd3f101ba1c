"""The assembler test programs: small cases (``cases/``) and longer programs (``corpus/``).

Every program starts with header comments that state what asar does with it:

    ; expect: ok                      assembles without errors
    ; expect: error Elabel_not_found  fails; the ids are exactly the error ids asar prints
    ; warnings: Wwarn_command         exactly the warning ids asar prints (no line: none)
    ; rom: lorom-1m                   (optional) patch a synthetic ROM instead of a blank one
    ; defines: level=3 debug          (optional) command-line defines (-Dlevel=3 -Ddebug)

The header ends at the first line that is not a ``;`` comment. Files a program includes
(``incsrc``/``incbin``/``table``/``readfile``) live in a folder named like the program and are
referenced through it (``incbin "incbin_range/data.bin"``).

ROMs: ``blank`` (default: no ROM, asar creates one), ``lorom-1m`` and ``hirom-1m``: 1 MiB of
deterministic pseudo-random bytes with a valid internal header and checksum, standing in for a
vanilla game (a real one cannot be shipped); each has one bank of $00 bytes and one of $FF bytes
as free space (see ``synthetic_rom``).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"
CORPUS_DIR = HERE / "corpus"

ROM_KINDS = ("blank", "lorom-1m", "hirom-1m")


@dataclass(frozen=True)
class AsmProgram:
    path: Path
    expect_ok: bool
    error_ids: frozenset[str] = frozenset()
    warning_ids: frozenset[str] = frozenset()
    rom_kind: str = "blank"
    defines: dict[str, str | None] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def files_dir(self) -> Path:
        return self.path.with_suffix("")

    def files(self) -> dict[str, bytes]:
        """Extra files, keyed by their path relative to the program's folder."""
        root = self.path.parent
        folder = self.files_dir
        if not folder.is_dir():
            return {}
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    def rom(self) -> bytes | None:
        return None if self.rom_kind == "blank" else synthetic_rom(self.rom_kind)

    @property
    def mapper(self) -> str:
        """The mapper to show addresses with in reports (a guess from the source text)."""
        text = self.source.lower()
        for name in ("exhirom", "exlorom", "fullsa1rom", "sa1rom", "sfxrom", "norom", "hirom"):
            if f"\n{name}" in text or text.startswith(name):
                return name
        return "hirom" if self.rom_kind.startswith("hirom") else "lorom"


class HeaderError(ValueError):
    pass


def parse_header(path: Path) -> AsmProgram:
    expect: str | None = None
    errors: frozenset[str] = frozenset()
    warnings: frozenset[str] = frozenset()
    rom_kind = "blank"
    defines: dict[str, str | None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped.startswith(";"):
            break
        body = stripped.lstrip(";").strip()
        key, sep, value = body.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "expect":
            words = value.split()
            if words == ["ok"]:
                expect = "ok"
            elif len(words) >= 2 and words[0] == "error":
                expect = "error"
                errors = frozenset(words[1:])
            else:
                raise HeaderError(f"{path.name}: bad expect line {value!r}")
        elif key == "warnings":
            warnings = frozenset(value.split())
        elif key == "rom":
            if value not in ROM_KINDS:
                raise HeaderError(f"{path.name}: unknown rom kind {value!r}")
            rom_kind = value
        elif key == "defines":
            for item in value.split():
                name, eq, val = item.partition("=")
                defines[name] = val if eq else None
    if expect is None:
        raise HeaderError(f"{path.name}: no '; expect:' line in the header")
    return AsmProgram(path, expect == "ok", errors, warnings, rom_kind, defines)


def _programs(folder: Path) -> list[AsmProgram]:
    return [parse_header(p) for p in sorted(folder.glob("*.asm"))]


def cases() -> list[AsmProgram]:
    return _programs(CASES_DIR)


def corpus() -> list[AsmProgram]:
    return _programs(CORPUS_DIR)


# --------------------------------------------------------------------------- synthetic ROMs

SIZE_1M = 0x100000


def _checksum(rom: bytearray) -> int:
    return sum(rom) & 0xFFFF


def _put_header(rom: bytearray, base: int, title: bytes, map_mode: int) -> None:
    """A plausible internal header at ``base`` (PC offset of $00:FFB0) and native/emulation vectors."""
    hdr = base + 0x10  # $FFC0
    rom[hdr : hdr + 21] = title.ljust(21)[:21]
    rom[hdr + 0x15] = map_mode  # $FFD5
    rom[hdr + 0x16] = 0x02  # ROM + RAM + battery
    rom[hdr + 0x17] = 0x0A  # 1 MiB
    rom[hdr + 0x18] = 0x03  # 8 KiB SRAM
    rom[hdr + 0x19] = 0x01  # North America
    rom[hdr + 0x1A] = 0x01  # Nintendo
    rom[hdr + 0x1B] = 0x00  # version
    vectors = base + 0x30  # $FFE0: every slot points somewhere, as in real games
    special = {0x0A: 0x80C9, 0x0E: 0x82D8, 0x1A: 0x80C9, 0x1C: 0x8000, 0x1E: 0x82D8}
    for off in range(0, 0x20, 2):
        target = special.get(off, 0x82D8)
        rom[vectors + off : vectors + off + 2] = target.to_bytes(2, "little")
    # checksum: complement $FFFF + checksum $0000 first, then the real sum
    rom[hdr + 0x1C : hdr + 0x20] = b"\xff\xff\x00\x00"
    total = _checksum(rom)
    rom[hdr + 0x1C : hdr + 0x1E] = (total ^ 0xFFFF).to_bytes(2, "little")
    rom[hdr + 0x1E : hdr + 0x20] = total.to_bytes(2, "little")


@functools.cache
def synthetic_rom(kind: str = "lorom-1m") -> bytes:
    """A deterministic 1 MiB stand-in for a vanilla ROM.

    ``lorom-1m``: LoROM (map mode $20), title ``TRIFORCE VANILLA LO``; PC 0x0E8000-0x0EFFFF
    ($1D:8000-$1D:FFFF) is $00 and PC 0x0F8000-0x0FFFFF ($1F:8000-$1F:FFFF) is $FF: the only
    free space, so bigger patches make asar expand the ROM.
    ``hirom-1m``: HiROM (map mode $21), title ``TRIFORCE VANILLA HI``, header at PC 0xFFB0;
    PC 0x0E0000-0x0EFFFF ($CE:0000-$CE:FFFF) is $00 and 0x0F0000-0x0FFFFF is $FF.
    Everything else is SHAKE-256 output, so reads and hooks see "game code" that never changes.
    """
    if kind not in ("lorom-1m", "hirom-1m"):
        raise ValueError(f"unknown synthetic ROM kind {kind!r}")
    rom = bytearray(hashlib.shake_256(b"triforce vanilla " + kind.encode()).digest(SIZE_1M))
    if kind == "lorom-1m":
        rom[0x0E8000:0x0F0000] = bytes(0x8000)
        rom[0x0F8000:0x100000] = b"\xff" * 0x8000
        _put_header(rom, 0x7FB0, b"TRIFORCE VANILLA LO", 0x20)
    else:
        rom[0x0E0000:0x0F0000] = bytes(0x10000)
        rom[0x0F0000:0x100000] = b"\xff" * 0x10000
        _put_header(rom, 0xFFB0, b"TRIFORCE VANILLA HI", 0x21)
    return bytes(rom)
