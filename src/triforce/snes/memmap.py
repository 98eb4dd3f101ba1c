"""The SNES memory map: cartridge mappings, address conversion, regions and timing.

Pure functions, no state. Addresses are 24-bit SNES addresses (``$BB:AAAA`` is
``0xBBAAAA``); file offsets are offsets into a headerless ROM image.

Mappings follow the conventions of the asar assembler:

``lorom``
    32 KiB of ROM per bank at ``$8000-$FFFF`` of banks ``$00-$7D`` and
    ``$80-$FF`` (file offset = ``(bank & $7F) * $8000 + (addr & $7FFF)``).
    Banks ``$40-$6F`` and ``$C0-$EF`` mirror the same 32 KiB in their low half
    (``$40:0000`` is the byte at ``$40:8000``). The low halves of ``$70-$7D`` and
    ``$F0-$FF`` are SRAM. 4 MiB at most.
``hirom``
    64 KiB per bank: banks ``$C0-$FF`` (canonical) and ``$40-$7D`` map the file
    linearly (offset = ``addr & $3FFFFF``); the upper halves of ``$00-$3F`` and
    ``$80-$BF`` mirror the same bytes. SRAM at ``$6000-$7FFF`` of ``$20-$3F`` and
    ``$A0-$BF``. 4 MiB at most.
``exlorom``
    LoROM layout over 8 MiB: banks ``$80-$FF`` hold the first 4 MiB, banks
    ``$00-$6F`` the second (offset + ``$400000``). Banks ``$70-$7F`` hold no ROM
    (SRAM in the low half of ``$70-$7D``, WRAM in ``$7E-$7F``).
``exhirom``
    HiROM layout over 8 MiB: banks ``$C0-$FF`` (and the upper halves of
    ``$80-$BF``) hold the first 4 MiB, banks ``$40-$7D`` (and the upper halves of
    ``$00-$3F``) the second. The last 128 KiB of an 8 MiB image are reachable only
    through the upper halves of ``$3E-$3F``. SRAM as in HiROM.
``sa1rom``
    SA-1 with its power-on bank registers (no remapping): the four 1 MiB chunks
    sit LoROM-style in ``$00-$1F``, ``$20-$3F``, ``$80-$9F``, ``$A0-$BF`` and
    HiROM-style in ``$C0-$CF``, ``$D0-$DF``, ``$E0-$EF``, ``$F0-$FF``. BW-RAM at
    ``$40-$4F`` and ``$6000-$7FFF`` of the system banks, I-RAM at ``$3000-$37FF``,
    SA-1 registers at ``$2200-$23FF``.

Every mapping shares the system area of banks ``$00-$3F`` and ``$80-$BF``:
``$0000-$1FFF`` mirrors the first 8 KiB of WRAM (``$7E:0000-$7E:1FFF``),
``$2100-$21FF`` are the B-bus registers (PPU, APU ports, WRAM port) and
``$4000-$44FF`` the CPU's registers (joypad serial ports, CPU control, DMA);
banks ``$7E-$7F`` are the 128 KiB of WRAM.
"""

from __future__ import annotations

MAPPINGS = ("lorom", "hirom", "exlorom", "exhirom", "sa1rom")
REGIONS = ("wram", "rom", "sram", "io", "open")

WRAM_SIZE = 0x20000
SA1_IRAM_SIZE = 0x800

_MAX_ROM = {
    "lorom": 0x400000,
    "hirom": 0x400000,
    "exlorom": 0x780000,
    "exhirom": 0x800000,
    "sa1rom": 0x400000,
}

_NICE = {
    "lorom": "LoROM",
    "hirom": "HiROM",
    "exlorom": "ExLoROM",
    "exhirom": "ExHiROM",
    "sa1rom": "SA-1",
}


def normalize_mapping(mapping: str) -> str:
    """``mapping`` in lower case; ``ValueError`` for an unknown mapping."""
    m = str(mapping).strip().lower()
    if m not in MAPPINGS:
        raise ValueError(f"unknown SNES mapping {mapping!r} (one of {', '.join(MAPPINGS)})")
    return m


def _check_addr(addr: int) -> None:
    if not 0 <= addr <= 0xFFFFFF:
        raise ValueError(f"not a 24-bit SNES address: {addr:#x}")


def mirror_offset(offset: int, size: int) -> int:
    """Fold a file offset into a ROM of ``size`` bytes the way cartridge boards do.

    A ROM smaller than the space it is mapped into repeats: the highest address
    line that the chip lacks is ignored. For sizes that are not a power of two
    (e.g. 3 MiB = 2 MiB + 1 MiB) the smaller chunk repeats to fill its half.
    """
    if size <= 0:
        raise ValueError("ROM size must be positive")
    if offset < size:
        return offset
    base = 0
    mask = 1 << max(offset.bit_length() - 1, 0)
    while offset >= size:
        while mask and not offset & mask:
            mask >>= 1
        offset -= mask
        if size > mask:
            size -= mask
            base += mask
        mask >>= 1
    return base + offset


def snes_to_pc(addr: int, mapping: str, rom_size: int | None = None) -> int | None:
    """File offset of the ROM byte at SNES address ``addr``; None if ``addr`` is not ROM.

    Without ``rom_size`` the offset is the one asar computes (it may lie past the
    end of a small ROM). With ``rom_size`` the offset is folded into the ROM as
    the hardware mirrors it (see :func:`mirror_offset`).
    """
    _check_addr(addr)
    m = normalize_mapping(mapping)
    bank = addr >> 16
    low = addr & 0xFFFF
    system_low = not bank & 0x40 and low < 0x8000  # $00-$3F/$80-$BF:0000-7FFF
    off: int | None
    if m == "lorom":
        if bank in (0x7E, 0x7F) or system_low or ((bank & 0x70) == 0x70 and low < 0x8000):
            return None
        off = ((bank & 0x7F) << 15) | (low & 0x7FFF)
    elif m == "hirom":
        if bank in (0x7E, 0x7F) or system_low:
            return None
        off = addr & 0x3FFFFF
    elif m == "exlorom":
        if 0x70 <= bank <= 0x7F or system_low:
            return None
        off = ((bank & 0x7F) << 15) | (low & 0x7FFF)
        if bank < 0x80:
            off += 0x400000
    elif m == "exhirom":
        if bank in (0x7E, 0x7F) or system_low:
            return None
        off = addr & 0x3FFFFF
        if bank < 0x80:
            off |= 0x400000
    else:  # sa1rom, power-on bank registers
        if not bank & 0x40 and low >= 0x8000:
            chunk = ((bank >> 5) & 1) | ((bank >> 6) & 2)
            off = (chunk << 20) | ((bank & 0x1F) << 15) | (low & 0x7FFF)
        elif bank >= 0xC0:
            off = (((bank >> 4) & 3) << 20) | (addr & 0xFFFFF)
        else:
            return None
    if rom_size is not None:
        if rom_size <= 0:
            return None
        off = mirror_offset(off, rom_size)
    return off


def pc_to_snes(offset: int, mapping: str, fastrom: bool = False) -> int:
    """The canonical SNES address of file offset ``offset``.

    - LoROM: ``$00-$6F:8000-FFFF``; offsets from ``$380000`` on go to
      ``$F0-$FF`` (``$70-$7D`` are SRAM banks and ``$7E-$7F`` WRAM).
      ``fastrom=True`` gives the ``$80-$FF`` mirror for every offset (what
      current asar versions print).
    - HiROM: ``$C0-$FF`` (already FastROM-capable; ``fastrom`` changes nothing).
    - ExLoROM: the first 4 MiB in ``$80-$FF``, the rest in ``$00-$6F``; neither
      half has a second mirror, so ``fastrom`` changes nothing.
    - ExHiROM: the first 4 MiB in ``$C0-$FF``, the second in ``$40-$7D`` and,
      for its last 128 KiB, the upper halves of ``$3E-$3F`` (``fastrom`` changes
      nothing).
    - SA-1: ``$00-$1F``, ``$20-$3F``, ``$80-$9F``, ``$A0-$BF`` at ``$8000-$FFFF``.

    ``ValueError`` if the mapping cannot address ``offset``.
    """
    m = normalize_mapping(mapping)
    if not 0 <= offset < _MAX_ROM[m]:
        raise ValueError(f"file offset {offset:#x} is outside what {_NICE[m]} can map")
    lo15 = offset & 0x7FFF
    if m == "lorom":
        bank = offset >> 15
        if fastrom or bank >= 0x70:
            bank |= 0x80
        return (bank << 16) | 0x8000 | lo15
    if m == "hirom":
        return offset | 0xC00000
    if m == "exlorom":
        if offset < 0x400000:
            return ((0x80 | (offset >> 15)) << 16) | 0x8000 | lo15
        return (((offset - 0x400000) >> 15) << 16) | 0x8000 | lo15
    if m == "exhirom":
        if offset < 0x400000:
            return offset | 0xC00000
        if offset < 0x7E0000:
            return offset
        if offset & 0x8000:
            return offset & 0x3FFFFF
        raise ValueError(
            f"file offset {offset:#x} is not addressable in ExHiROM "
            "(banks $7E-$7F are WRAM; only their upper halves are mirrored in $3E-$3F)"
        )
    # sa1rom
    chunk = offset >> 20
    bank = (0x00, 0x20, 0x80, 0xA0)[chunk] | ((offset >> 15) & 0x1F)
    return (bank << 16) | 0x8000 | lo15


def wram_offset(addr: int) -> int | None:
    """Offset into the 128 KiB of WRAM for ``addr`` (either mirror), else None."""
    _check_addr(addr)
    bank = addr >> 16
    if bank in (0x7E, 0x7F):
        return addr - 0x7E0000
    low = addr & 0xFFFF
    if not bank & 0x40 and low < 0x2000:
        return low
    return None


def sram_offset(addr: int, mapping: str) -> int | None:
    """Linear offset into cartridge SRAM (SA-1: BW-RAM) for ``addr``, else None.

    The offset is not folded into the SRAM chip's size; a bus does that
    (``offset % sram_size``). SA-1 I-RAM is not BW-RAM and gives None here.
    """
    _check_addr(addr)
    m = normalize_mapping(mapping)
    bank = addr >> 16
    low = addr & 0xFFFF
    if m == "lorom":
        if (bank & 0x70) == 0x70 and low < 0x8000 and bank not in (0x7E, 0x7F):
            return ((bank & 0x0F) << 15) | low
        return None
    if m == "exlorom":
        if 0x70 <= bank <= 0x7D and low < 0x8000:
            return ((bank & 0x0F) << 15) | low
        return None
    if m in ("hirom", "exhirom"):
        if not bank & 0x40 and bank & 0x20 and 0x6000 <= low < 0x8000:
            return ((bank & 0x1F) << 13) | (low - 0x6000)
        return None
    # sa1rom: BW-RAM linear at $40-$4F, and block 0 at $6000-$7FFF of the system banks
    if 0x40 <= bank <= 0x4F:
        return ((bank & 0x0F) << 16) | low
    if not bank & 0x40 and 0x6000 <= low < 0x8000:
        return low - 0x6000
    return None


def _is_sa1_iram(addr: int, mapping: str) -> bool:
    return mapping == "sa1rom" and not (addr >> 16) & 0x40 and 0x3000 <= (addr & 0xFFFF) < 0x3800


def _is_io(addr: int, mapping: str) -> bool:
    if (addr >> 16) & 0x40:
        return False
    low = addr & 0xFFFF
    if 0x2100 <= low < 0x2200 or 0x4000 <= low < 0x4500:
        return True
    return mapping == "sa1rom" and 0x2200 <= low < 0x2400


def region(addr: int, mapping: str) -> str:
    """What lives at ``addr``: ``"wram"``, ``"rom"``, ``"sram"``, ``"io"`` or ``"open"``.

    ``"sram"`` is cartridge RAM (battery SRAM; for SA-1 also BW-RAM and I-RAM).
    ``"io"`` is ``$2100-$21FF`` and ``$4000-$44FF`` of banks ``$00-$3F``/``$80-$BF``
    (for SA-1 also its registers at ``$2200-$23FF``). ``"open"`` is unmapped: a
    read returns open bus. ``"rom"`` holds exactly where :func:`snes_to_pc`
    gives an offset.
    """
    _check_addr(addr)
    m = normalize_mapping(mapping)
    if wram_offset(addr) is not None:
        return "wram"
    if _is_io(addr, m):
        return "io"
    if sram_offset(addr, m) is not None or _is_sa1_iram(addr, m):
        return "sram"
    if snes_to_pc(addr, m) is not None:
        return "rom"
    return "open"


def access_cycles(addr: int, fastrom: bool = False) -> int:
    """Master clocks one CPU access to ``addr`` takes (the SNES memory timing table).

    6 ("fast"): ``$2000-$3FFF`` and ``$4200-$5FFF`` of the system banks, and
    ``$80-$BF:8000-FFFF`` / ``$C0-$FF`` when FastROM is on (MEMSEL ``$420D``
    bit 0). 12 ("XSlow"): ``$4000-$41FF`` (joypad serial ports). 8 ("slow"):
    everything else (WRAM, its mirror, ``$6000-$7FFF``, banks ``$40-$7F``, ROM
    with FastROM off).
    """
    bank = (addr >> 16) & 0xFF
    low = addr & 0xFFFF
    if bank & 0x40:
        if bank >= 0xC0 and fastrom:
            return 6
        return 8
    if low >= 0x8000:
        return 6 if fastrom and bank >= 0x80 else 8
    if low < 0x2000:
        return 8
    if low < 0x4000:
        return 6
    if low < 0x4200:
        return 12
    if low < 0x6000:
        return 6
    return 8


def register_name(addr: int) -> str | None:
    """Canonical name of the hardware register at ``addr`` (mirrors included), or None.

    The names come from the register table (``triforce.snes.registers``), the one
    place they are written down.
    """
    from triforce.snes.registers import by_address

    reg = by_address(addr)
    return reg.name if reg is not None else None


def _io_text(low: int, mapping: str) -> str:
    name = register_name(low)
    if 0x2100 <= low < 0x2140:
        kind = "PPU register"
    elif 0x2140 <= low < 0x2180:
        text = f"APU port ${low:04X} {name}"
        return text if low < 0x2144 else f"{text} (mirror of ${0x2140 | (low & 3):04X})"
    elif 0x2180 <= low < 0x2184:
        kind = "WRAM port register"
    elif 0x2200 <= low < 0x2400:
        return f"SA-1 register ${low:04X}"
    elif low in (0x4016, 0x4017):
        kind = "joypad serial port"
    elif 0x4200 <= low < 0x4220:
        kind = "CPU register"
    elif 0x4300 <= low < 0x4380 and name:
        kind = f"DMA channel {(low >> 4) & 7} register"
    else:
        return f"unused I/O address ${low:04X} (open bus)"
    return f"{kind} ${low:04X}" + (f" {name}" if name else "")


def describe(addr: int, mapping: str) -> str:
    """A short human description of what lives at ``addr``."""
    _check_addr(addr)
    m = normalize_mapping(mapping)
    bank = addr >> 16
    low = addr & 0xFFFF
    kind = region(addr, m)
    if kind == "wram":
        w = wram_offset(addr)
        assert w is not None
        where = f"WRAM ${0x7E + (w >> 16):02X}:{w & 0xFFFF:04X}"
        if bank < 0x7E:
            return f"{where} (LowRAM mirror at ${bank:02X}:{low:04X})"
        if w < 0x2000:
            return f"{where} (LowRAM, mirrored at $00-$3F/$80-$BF:{low:04X})"
        return where
    if kind == "io":
        return _io_text(low, m)
    if kind == "sram":
        if _is_sa1_iram(addr, m):
            return f"SA-1 I-RAM offset ${low - 0x3000:03X}"
        s = sram_offset(addr, m)
        label = "BW-RAM" if m == "sa1rom" else "SRAM"
        return f"{label} offset ${s:05X} (mirrored to the chip's size)"
    if kind == "rom":
        off = snes_to_pc(addr, m)
        assert off is not None
        canon = pc_to_snes(off, m, fastrom=bank >= 0x80)
        text = f"ROM file offset ${off:06X} ({_NICE[m]})"
        if canon != addr:
            text += f", mirror of ${canon >> 16:02X}:{canon & 0xFFFF:04X}"
        return text
    return f"open bus (nothing mapped at ${bank:02X}:{low:04X} in {_NICE[m]})"
