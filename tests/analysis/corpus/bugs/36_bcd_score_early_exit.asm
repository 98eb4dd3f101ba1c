; bug: decimal-left-set line 26
; the overflow exit returns with the decimal flag still set

lorom

org $0DFB00
; Add the bonus in $00 to the BCD score at $7EF3F0 (called with 8-bit A).
AddBcdScore:
    sed
    clc
    lda $7EF3F0
    adc $00
    sta $7EF3F0
    bcc .no_carry
    lda $7EF3F1
    adc #$00
    sta $7EF3F1
    bcs .overflow
.no_carry
    cld
    rts
.overflow
    lda #$99
    sta $7EF3F0
    sta $7EF3F1
    rts

ScoreHook:
    php
    sep #$20
    jsr AddBcdScore
    plp
    rtl
