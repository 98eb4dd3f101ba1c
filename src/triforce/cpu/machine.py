"""A CPU with its memory, made from a ROM image, a raw binary or a bundled example."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from triforce.cpu.bus import SIZE, FlatMemory
from triforce.cpu.core import CPU
from triforce.cpu.examples import EXAMPLES
from triforce.cpu.snesbus import SnesBus
from triforce.errors import UserError
from triforce.snes import header

ROM_SUFFIXES = header.ROM_SUFFIXES


@dataclass
class Machine:
    cpu: CPU
    bus: FlatMemory | SnesBus
    kind: str  # "rom", "binary", "example"
    mapping: str | None = None

    def start_at(self, addr: int) -> None:
        """Put the next instruction at the 24-bit address ``addr``."""
        self.cpu.pbr, self.cpu.pc = (addr >> 16) & 0xFF, addr & 0xFFFF

    def poke(self, addr: int, data: bytes) -> None:
        """Write ``data`` from ``addr`` with no side effect (ROM included on the SNES bus)."""
        poke = getattr(self.bus, "poke", None) or self.bus.write
        for i, b in enumerate(data):
            poke((addr + i) & 0xFFFFFF, b)

    def read_bytes(self, addr: int, n: int) -> bytes:
        peek = self.bus.peek
        return bytes(peek((addr + i) & 0xFFFFFF) for i in range(n))


def from_rom(data: bytes, mapping: str | None = None, where: str = "ROM") -> Machine:
    """An SNES with this cartridge, the CPU reset (PC from the reset vector)."""
    rom = header.strip_copier_header(bytes(data))
    if not rom:
        raise UserError("the ROM image is empty", where)
    if len(rom) > header.MAX_ROM_SIZE:
        raise UserError(f"a ROM of {len(rom)} bytes is larger than any SNES mapping (8 MiB)", where)
    if len(rom) % 0x400:
        raise UserError(f"a ROM of {len(rom)} bytes is not a whole number of KiB", where)
    mapping = mapping or header.detect_mapping(rom)
    try:
        bus = SnesBus(rom, mapping)
    except ValueError as exc:
        raise UserError(str(exc), where) from None
    cpu = CPU(bus)
    cpu.reset()
    return Machine(cpu, bus, "rom", mapping)


def from_binary(data: bytes, org: int = 0x008000, where: str = "binary") -> Machine:
    """Flat 16 MiB memory with ``data`` at ``org``; the CPU in emulation mode at ``org``."""
    if not data:
        raise UserError("the binary is empty", where)
    if org + len(data) > SIZE:
        raise UserError(
            f"{len(data)} bytes at ${org:06X} do not fit in the 16 MiB address space", where
        )
    mem = FlatMemory()
    mem.mem[org : org + len(data)] = data
    cpu = CPU(mem)
    cpu.pbr, cpu.pc = org >> 16, org & 0xFFFF
    return Machine(cpu, mem, "binary")


def from_example(name: str) -> Machine:
    ex = EXAMPLES.get(name)
    if ex is None:
        raise UserError(f"no example '{name}' (examples: {', '.join(sorted(EXAMPLES))})")
    m = from_binary(ex.code, ex.org, f"example {name}")
    m.kind = "example"
    return m


def open_program(path: str | Path, *, mapping: str | None = None, org: int = 0x008000,
                 kind: str = "auto") -> Machine:
    """Load a file: a ROM image (.sfc/.smc/...) or a raw binary, by suffix unless ``kind`` says."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise UserError("no such file", str(p)) from None
    except IsADirectoryError:
        raise UserError("is a directory, not a program", str(p)) from None
    except OSError as exc:
        raise UserError(f"cannot read: {exc.strerror}", str(p)) from None
    if kind == "auto":
        kind = "rom" if p.suffix.lower() in ROM_SUFFIXES or mapping else "binary"
    if kind == "rom":
        return from_rom(data, mapping, str(p))
    return from_binary(data, org, str(p))
