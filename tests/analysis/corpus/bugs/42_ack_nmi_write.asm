; bug: readonly-write line 12
; RDNMI ($4210) is read-only: the write does not acknowledge the NMI

lorom

org $00F880
; Acknowledge the pending NMI before enabling it again.
EnableNmi:
    php
    sep #$20
    lda #$00
    sta $4210
    lda #$81
    sta $4200
    sta $0120
    plp
    rtl
