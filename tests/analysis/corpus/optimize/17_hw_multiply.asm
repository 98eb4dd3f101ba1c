; optimize: hw-multiply
; observe: $7E0002-$7E0003
; saves: 279 cycles, 18 bytes
; an 8x8 shift-and-add multiply becomes WRMPYA/WRMPYB and RDMPY

lorom

org $0DEC00
; $02 = $00 * $01 (unsigned bytes).
Multiply8:
    php
    sep #$30
    stz $02
    stz $03
    stz $05
    lda $00
    sta $04
    lda $01
    ldx #$08
.loop
    lsr a
    bcc .skip
    pha
    rep #$20
    lda $04
    clc
    adc $02
    sta $02
    sep #$20
    pla
.skip
    asl $04
    rol $05
    dex
    bne .loop
    plp
    rtl
