; bug: none
; reads of read-only registers, writes to write-only ones, NMITIMEN kept in a RAM mirror

lorom

org $00E600
; Enable NMI and auto-joypad once the joypad read has finished.
EnableInterruptsOk:
    php
    sep #$20
.wait
    lda $4212
    and #$01
    bne .wait
    lda $4210
    lda $0120
    ora #$81
    sta $0120
    sta $4200
    rep #$20
    lda $4218
    sta $F0
    plp
    rtl
