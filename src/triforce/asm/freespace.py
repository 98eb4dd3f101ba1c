"""Freespace: finding room in a ROM, RATS tags, and cleaning what a patch placed before.

A RATS tag is ``"STAR"``, then the protected length minus one and its
complement (both 16-bit little endian); the protected bytes follow it. A block
that starts with ``"PROT"`` lists further protected blocks (3-byte pointers)
ended by ``"STOP"``; cleaning the block cleans those too.
"""

from __future__ import annotations

import re

TAG = b"STAR"
EXPANDED_START = 0x80000  # banks $10+ (LoROM): freespace is never placed below


def rats_tag(length: int) -> bytes:
    n = (length - 1) & 0xFFFF
    return TAG + n.to_bytes(2, "little") + (n ^ 0xFFFF).to_bytes(2, "little")


def tag_length(rom: bytes | bytearray, at: int) -> int | None:
    """Protected length of a valid RATS tag at ``at``, else None."""
    if rom[at : at + 4] != TAG or at + 8 > len(rom):
        return None
    n = rom[at + 4] | (rom[at + 5] << 8)
    c = rom[at + 6] | (rom[at + 7] << 8)
    if n ^ c != 0xFFFF:
        return None
    return n + 1


def clean_at(rom: bytearray, target_offset: int, fill: int, seen: set[int] | None = None,
             to_offset=None) -> None:
    """Clean the RATS block holding ``target_offset`` (and what its PROT list names)."""
    seen = set() if seen is None else seen
    lo = max(EXPANDED_START, target_offset - 0x10008)
    pos = rom.rfind(TAG, lo, target_offset + 1)
    while pos != -1:
        n = tag_length(rom, pos)
        if n is not None and pos <= target_offset < pos + 8 + n:
            if pos in seen:
                return
            seen.add(pos)
            body = rom[pos + 8 : pos + 8 + n]
            if body[:4] == b"PROT" and to_offset is not None:
                count = body[4]
                for k in range(0, count - count % 3, 3):
                    addr = int.from_bytes(body[5 + k : 8 + k], "little")
                    off = to_offset(addr)
                    if off is not None:
                        clean_at(rom, off, fill, seen, to_offset)
            rom[pos : pos + 8 + n] = bytes([fill]) * (8 + n)
            return
        pos = rom.rfind(TAG, lo, pos)


def try_block(rom, start: int, end: int, size: int, banksize: int, minalign: int,
              fill: int) -> int | None:
    """First place in [start, end) for ``size`` bytes (tag included) the way asar looks.

    The 8-byte tag may end one bank with the block starting the next; a block
    may not otherwise cross a ``banksize`` boundary; a valid RATS tag is jumped
    over; with ``minalign`` the block starts at an alignment boundary.
    """
    not_free = re.compile(b"[^" + re.escape(bytes([fill])) + b"]")
    end = min(end, len(rom))
    last = -1
    while start + size <= end:
        if (((start + 8) & ~banksize) != ((start + size - 1) & ~banksize & 0xFFFFFF)
                and (start & banksize & 0xFFFFF8) != (banksize & 0xFFFFF8)):
            start = (start & ~banksize & 0xFFFFFF) | (banksize & 0xFFFFF8)
            continue
        if minalign:
            start = (start & ~minalign & 0xFFFFFF) | (minalign & 0xFFFFF8)
        if start <= last:
            start = last + 1  # never look at the same place twice
            if minalign:
                start = ((start | minalign) + 1) | (minalign & 0xFFFFF8)
            continue
        last = start
        if start + size > end:
            break
        n = tag_length(rom, start)
        if n is not None:
            start += n + 8
            continue
        m = not_free.search(rom, start, start + size)
        if m is not None:
            i = m.start() - start
            if (start & minalign) == 0x7FF8 and i < 8:
                i = 8
            start += i if i else 1
            continue
        return start
    return None
