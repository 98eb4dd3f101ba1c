; bug: readonly-write line 11
; JOY1L ($4218) is read-only; the intended target was the RAM copy

lorom

org $00F980
; Drop all input for one frame after a text box closes.
ClearInput:
    php
    rep #$20
    stz $4218
    stz $F0
    stz $F4
    plp
    rtl
