; optimize: redundant-rep
; observe: $7E0022-$7E0025
; saves: 3 cycles, 2 bytes
; the second REP #$20 repeats a width that is already set

lorom

org $07EA00
; Move Link by his subpixel velocity on both axes.
MoveLink:
    php
    rep #$20
    lda $22
    clc
    adc $27
    sta $22
    rep #$20
    lda $20
    clc
    adc $28
    sta $24
    plp
    rtl
