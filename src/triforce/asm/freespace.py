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


def protected_regions(rom: bytes | bytearray) -> list[tuple[int, int]]:
    """(start, end) of every RATS-protected block (tag included) in the expanded area."""
    out = []
    pos = rom.find(TAG, EXPANDED_START)
    while pos != -1:
        n = tag_length(rom, pos)
        if n is not None:
            out.append((pos, pos + 8 + n))
            pos = rom.find(TAG, pos + 8 + n)
        else:
            pos = rom.find(TAG, pos + 1)
    return out


def find_block(rom: bytes | bytearray, need: int, fill: int, ranges: list[tuple[int, int]],
               bank_size: int, taken: list[tuple[int, int]], align: bool = False) -> int | None:
    """First offset where ``need`` bytes of ``fill`` lie inside one bank and inside ``ranges``.

    ``taken`` are regions already in use (protected blocks, blocks placed by this
    patch). With ``align`` the block after the 8-byte tag starts a bank.
    """
    busy = sorted(taken)
    run = re.compile(re.escape(bytes([fill])) + b"{%d,}" % need)
    for lo, hi in ranges:
        hi = min(hi, len(rom))
        bank = lo - lo % bank_size
        while bank < hi:
            start, end = max(bank, lo), min(bank + bank_size, hi)
            if align:
                cand = bank + bank_size - 8  # the tag ends the previous bank
                if bank > lo and cand + need <= len(rom) and _free(rom, cand, need, fill) and not _overlaps(busy, cand, cand + need):
                    return cand
            else:
                for m in run.finditer(rom, start, end):
                    a, b = m.start(), m.end()
                    while a + need <= b:
                        clash = _first_overlap(busy, a, a + need)
                        if clash is None:
                            return a
                        a = clash
            bank += bank_size
    return None


def _free(rom, at: int, n: int, fill: int) -> bool:
    return rom[at : at + n] == bytes([fill]) * n


def _overlaps(busy, a: int, b: int) -> bool:
    return _first_overlap(busy, a, b) is not None


def _first_overlap(busy, a: int, b: int) -> int | None:
    """End of the first busy region overlapping [a, b), else None."""
    for lo, hi in busy:
        if lo < b and a < hi:
            return hi
    return None


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
