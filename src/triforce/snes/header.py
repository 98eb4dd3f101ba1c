"""The cartridge header: finding the mapping of a ROM image."""

from __future__ import annotations

# (mapping, file offset of the internal header)
_CANDIDATES = (("lorom", 0x7FC0), ("hirom", 0xFFC0), ("exhirom", 0x40FFC0))
# ROM images are whole kilobytes; copiers add a 512-byte header in front
COPIER_HEADER = 0x200
MAX_ROM_SIZE = 0x800000
ROM_SUFFIXES = (".sfc", ".smc", ".swc", ".fig")


def strip_copier_header(data: bytes) -> bytes:
    """Drop a 512-byte copier header when the size says there is one."""
    if len(data) % 0x400 == COPIER_HEADER:
        return data[COPIER_HEADER:]
    return data


def _score(data: bytes, mapping: str, base: int) -> int:
    if len(data) < base + 0x40:
        return -100
    h = data[base : base + 0x40]
    score = 0
    checksum = h[0x1E] | (h[0x1F] << 8)
    complement = h[0x1C] | (h[0x1D] << 8)
    if checksum ^ complement == 0xFFFF:
        score += 8
    mode = h[0x15] & 0x0F
    if mapping == "lorom" and mode in (0x0, 0x2, 0x3):
        score += 4
    if mapping == "hirom" and mode in (0x1, 0x5, 0xA):
        score += 4
    if mapping == "exhirom" and mode == 0x5:
        score += 4
    if all(0x20 <= b < 0x7F for b in h[0x00:0x15]):
        score += 2
    reset = h[0x3C] | (h[0x3D] << 8)
    if reset >= 0x8000:
        score += 2
    return score


def detect_mapping(data: bytes) -> str:
    """The most likely mapping of a headerless ROM image (LoROM when unsure)."""
    best, best_score = "lorom", -1
    for mapping, base in _CANDIDATES:
        s = _score(data, mapping, base)
        if s > best_score:
            best, best_score = mapping, s
    return best
