"""Assemble source and put it on an emulated SNES, ready to run."""

from __future__ import annotations

from pathlib import Path

from triforce.asm import Sandbox, assemble
from triforce.cpu.machine import Machine, from_rom
from triforce.errors import UserError


def machine_from_source(
    source: str | Path,
    *,
    rom: bytes | None = None,
    defines: dict[str, str] | None = None,
    include_paths: list[str] | tuple = (),
    filename: str | None = None,
    sandbox: Sandbox | None = None,
) -> Machine:
    """Assemble ``source`` (onto ``rom`` or a new ROM) and load it on an SNES bus.

    The CPU starts in emulation mode at the first address the source wrote
    (move it with ``machine.cpu.pc``/``pbr``). Assembly errors raise UserError
    with asar's diagnostic line.
    """
    res = assemble(source, rom=rom, defines=defines, include_paths=include_paths, filename=filename,
                   sandbox=sandbox)
    if not res.ok:
        first = res.errors[0]
        more = f" (and {len(res.errors) - 1} more errors)" if len(res.errors) > 1 else ""
        where = first.location
        raise UserError(f"({first.id}) {first.message}{more}", where)
    if not res.listing:
        raise UserError("the source assembles to no code", filename or str(source))
    data = res.rom
    padded = data + bytes(-len(data) % 0x8000 or (0 if data else 0x8000))
    where = filename or (str(source) if isinstance(source, Path) else "<source>")
    mapping = res.mapping if res.mapping != "norom" else "lorom"
    machine = from_rom(padded, mapping, where)
    machine.start_at(res.listing[0].address)
    return machine
