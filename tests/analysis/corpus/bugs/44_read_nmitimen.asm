; bug: writeonly-read line 11
; NMITIMEN ($4200) is write-only; reading it returns open bus

lorom

org $00FA80
; Turn auto-joypad reading on without touching the other interrupt bits.
EnableAutoJoypad:
    php
    sep #$20
    lda $4200
    ora #$01
    sta $4200
    plp
    rtl
