"""Address mapping as the assembler sees it, for every mapper asar knows.

LoROM, HiROM, ExLoROM and ExHiROM come from ``triforce.snes.memmap``; the
SuperFX (GSU-1) and SA-1 layouts, which depend on assembler settings (the SA-1
bank registers), are here.
"""

from __future__ import annotations

from triforce.snes import memmap

SA1_DEFAULT = (0, 1, 2, 3)


class Mapper:
    def __init__(self, name: str, sa1_banks: tuple[int, int, int, int] = SA1_DEFAULT) -> None:
        self.name = name
        a, b, c, d = (x << 20 for x in sa1_banks)
        # slots by address bits 21-23 (LoROM half) and by bits 20-21 ($C0-$FF)
        self.sa1_lo = {0: a, 1: b, 4: c, 5: d}
        self.sa1_hi = (a, b, c, d)

    def to_offset(self, addr: int) -> int | None:
        """File offset of a 24-bit SNES address, or None where no ROM is mapped."""
        if not 0 <= addr <= 0xFFFFFF:
            return None
        m = self.name
        if m == "norom":
            return addr
        if m == "sfxrom":
            if (addr & 0x600000) == 0x600000 or (addr & 0x408000) == 0 or addr & 0x800000:
                return None
            if addr & 0x400000:
                return addr & 0x3FFFFF
            return ((addr & 0x7F0000) >> 1) | (addr & 0x7FFF)
        if m == "sa1rom":
            if (addr & 0x408000) == 0x008000:
                return self.sa1_lo[(addr & 0xE00000) >> 21] | ((addr & 0x1F0000) >> 1) | (addr & 0x7FFF)
            if (addr & 0xC00000) == 0xC00000:
                slot = ((addr & 0x100000) >> 20) | ((addr & 0x200000) >> 20)
                return self.sa1_hi[slot] | (addr & 0x0FFFFF)
            return None
        if m == "fullsa1rom":
            if (addr & 0xC00000) == 0xC00000:
                return (addr & 0x3FFFFF) | 0x400000
            if (addr & 0xC00000) in (0x000000, 0x800000):
                if not addr & 0x8000:
                    return None
                return ((addr & 0x800000) >> 2) | ((addr & 0x3F0000) >> 1) | (addr & 0x7FFF)
            return None
        if m == "exlorom":
            if (addr & 0xF00000) == 0x700000 or (addr & 0x408000) == 0:
                return None
            off = ((addr & 0x7F0000) >> 1) | (addr & 0x7FFF)
            return off if addr & 0x800000 else off + 0x400000
        return memmap.snes_to_pc(addr, m)

    def to_snes(self, offset: int) -> int | None:
        """The address asar gives a file offset (its FastROM mirror where there is one)."""
        m = self.name
        if m == "norom":
            return offset
        if m == "sfxrom":
            if offset >= 0x200000:
                return None
            return ((offset << 1) & 0x7F0000) | 0x8000 | (offset & 0x7FFF)
        if m == "sa1rom":
            for slot, bank_bits in ((0, 0x000000), (1, 0x200000), (4, 0x800000), (5, 0xA00000)):
                base = self.sa1_lo[slot]
                if base <= offset < base + 0x100000:
                    rel = offset - base
                    return bank_bits | ((rel << 1) & 0x1F0000) | 0x8000 | (rel & 0x7FFF)
            return None
        if m == "fullsa1rom":
            if offset < 0x400000:
                hi = 0x800000 if offset & 0x200000 else 0
                return hi | ((offset << 1) & 0x3F0000) | 0x8000 | (offset & 0x7FFF)
            return 0xC00000 | (offset & 0x3FFFFF)
        try:
            return memmap.pc_to_snes(offset, m, fastrom=True)
        except ValueError:
            return None
