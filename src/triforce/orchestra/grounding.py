"""Facts for the expert's context: the register table's entry for every hardware
register named or addressed in the question or its code.

Addresses count in any bank that mirrors the registers ($00-$3F, $80-$BF):
``$2116``, ``$00:2116``, ``$802116``, ``0x4200``; names count as whole words
(``VMADDL``, ``NMITIMEN``) and through aliases.
"""

from __future__ import annotations

import re
from functools import lru_cache

from triforce.snes import registers
from triforce.snes.registers import Register

_ADDR = re.compile(r"(?<![\w$])(?:\$|0x)([0-9A-Fa-f]{2}:?)?([0-9A-Fa-f]{4})(?![0-9A-Fa-f])")
_WORD = re.compile(r"\b[A-Z][A-Z0-9]{3,8}[LH]?\b")
MAX_FACTS = 12


@lru_cache(maxsize=1)
def _names() -> dict[str, Register]:
    out: dict[str, Register] = {}
    for reg in registers.all_registers():
        for n in (reg.name, *reg.aliases):
            out.setdefault(n.upper(), reg)
    return out


def registers_in(text: str) -> list[Register]:
    """Registers the text names or addresses, in order of first mention, no repeats."""
    found: list[tuple[int, Register]] = []
    for m in _ADDR.finditer(text):
        bank = int(m.group(1).rstrip(":"), 16) if m.group(1) else 0
        if bank & 0x7F > 0x3F:
            continue
        reg = registers.by_address(int(m.group(2), 16))
        if reg is not None:
            found.append((m.start(), reg))
    names = _names()
    for m in _WORD.finditer(text):
        reg = names.get(m.group(0))
        if reg is not None:
            found.append((m.start(), reg))
    out: list[Register] = []
    for _, reg in sorted(found, key=lambda p: p[0]):
        if reg not in out:
            out.append(reg)
    return out


def fact(reg: Register, *, bits: bool = True) -> str:
    """One register as one line of verified text."""
    alias = f" (also {', '.join(reg.aliases)})" if reg.aliases else ""
    text = (f"{reg.address_text} {reg.name}{alias}: {reg.description} "
            f"Access: {reg.access_text}; {reg.size_text()}.")
    if bits and reg.bits:
        text += " Bits: " + "; ".join(f"{b.bits} {b.name} = {b.meaning}" for b in reg.bits) + "."
    if reg.timing:
        text += f" Timing: {reg.timing}"
    return text


def register_facts(*texts: str, limit: int = MAX_FACTS) -> list[str]:
    """Facts for every register in ``texts`` (question, code), at most ``limit``."""
    seen: list[Register] = []
    for t in texts:
        for reg in registers_in(t or ""):
            if reg not in seen:
                seen.append(reg)
    return [fact(r) for r in seen[:limit]]


def memory_facts(*texts: str, mapping: str = "lorom", limit: int = 6) -> list[str]:
    """Where the non-register addresses of ``texts`` point, from the memory map.

    Only addresses that mean one thing whatever the data bank: long (24-bit) ones, and
    16-bit ones below $2000 (low RAM, the same in every bank that mirrors it). ROM
    addresses are read with ``mapping`` (default LoROM, as A Link to the Past is).
    """
    from triforce.snes import memmap

    out: list[str] = []
    seen: set[int] = set()
    for t in texts:
        for m in _ADDR.finditer(t or ""):
            bank = int(m.group(1).rstrip(":"), 16) if m.group(1) else None
            low = int(m.group(2), 16)
            if bank is None and low >= 0x2000:
                continue
            addr = ((bank or 0) << 16) | low
            if (bank is None or bank & 0x7F <= 0x3F) and registers.by_address(low):
                continue                                  # a register: register_facts
            if addr in seen:
                continue
            seen.add(addr)
            try:
                where = memmap.describe(addr, mapping)
            except Exception:  # noqa: BLE001 - an address the map cannot place adds no fact
                continue
            text = m.group(0)
            out.append(f"{text}: {where}")
            if len(out) >= limit:
                return out
    return out
