; bug: readonly-write line 11
; HVBJOY ($4212) is read-only; STZ to it does nothing

lorom

org $00FC80
; Wait for the auto-joypad read to finish.
WaitJoypad:
    php
    sep #$20
    stz $4212
.wait
    lda $4212
    and #$01
    bne .wait
    plp
    rtl
