"""Small bundled programs for trying the emulator (hand-assembled, source beside the bytes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    name: str
    description: str
    org: int
    code: bytes
    source: str
    result: tuple[int, int]  # (address, length) of the bytes the program computes


_MUL16_SOURCE = """\
; 16 x 16 -> 16-bit multiply by shift and add: $7E0010 = $7E0012 * $7E0014
        org $008000
        clc
        xce             ; native mode
        rep #$30        ; 16-bit A, X, Y
        lda #$0123
        sta $12
        lda #$0031
        sta $14
        stz $10
        ldx #$0010      ; 16 bits to go
loop:   lsr $14         ; next multiplier bit into carry
        bcc skip
        lda $10
        clc
        adc $12
        sta $10
skip:   asl $12
        dex
        bne loop
        stp
"""

_MUL16 = bytes.fromhex(
    "18"        # clc
    "fb"        # xce
    "c230"      # rep #$30
    "a92301"    # lda #$0123
    "8512"      # sta $12
    "a93100"    # lda #$0031
    "8514"      # sta $14
    "6410"      # stz $10
    "a21000"    # ldx #$0010
    "4614"      # loop: lsr $14
    "9007"      # bcc skip (+7)
    "a510"      # lda $10
    "18"        # clc
    "6512"      # adc $12
    "8510"      # sta $10
    "0612"      # skip: asl $12
    "ca"        # dex
    "d0f0"      # bne loop (-16)
    "db"        # stp
)

EXAMPLES: dict[str, Example] = {
    "mul16": Example(
        "mul16",
        "16-bit shift-and-add multiply: $0123 * $0031 = $37B3 at $7E0010",
        0x008000,
        _MUL16,
        _MUL16_SOURCE,
        (0x000010, 2),
    ),
}
