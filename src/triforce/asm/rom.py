"""ROM image helpers: the internal header's checksum."""

from __future__ import annotations

_HEADER = {"lorom": 0x7FC0, "hirom": 0xFFC0, "exlorom": 0x7FC0, "exhirom": 0x40FFC0,
           "sa1rom": 0x7FC0, "norom": None}


def checksum(rom: bytes) -> int:
    """The SNES header checksum of a ROM image (a part past a power of two is mirrored)."""
    size = len(rom)
    if size == 0:
        return 0
    big = 1 << (size.bit_length() - 1)
    total = sum(rom[:big])
    rest = rom[big:]
    if rest:
        reps = big // len(rest) if len(rest) else 0
        total += sum(rest) * max(reps, 1)
    return total & 0xFFFF


def fix_checksum(rom: bytes, mapping: str) -> bytes:
    """``rom`` with its header checksum and complement set (unchanged when it has no header)."""
    base = _HEADER.get(mapping)
    if base is None or len(rom) < base + 0x20:
        return rom
    out = bytearray(rom)
    out[base + 0x1C : base + 0x20] = b"\xff\xff\x00\x00"
    c = checksum(bytes(out))
    out[base + 0x1C : base + 0x20] = bytes([(c ^ 0xFFFF) & 0xFF, (c ^ 0xFFFF) >> 8, c & 0xFF, c >> 8])
    return bytes(out)


def fix_checksum_at(rom: bytes, at: int | None) -> bytes:
    """Write complement and checksum at file offset ``at`` as asar does.

    ``FF FF 00 00`` is put there first, the ROM summed, then complement and
    checksum written; bytes past the end of the ROM are not written.
    """
    if at is None or at >= len(rom):
        return rom
    out = bytearray(rom)
    for i, b in enumerate(b"\xff\xff\x00\x00"):
        if at + i < len(out):
            out[at + i] = b
    c = checksum(bytes(out))
    for i, b in enumerate(((c ^ 0xFFFF) & 0xFF, (c ^ 0xFFFF) >> 8, c & 0xFF, c >> 8)):
        if at + i < len(out):
            out[at + i] = b
    return bytes(out)
