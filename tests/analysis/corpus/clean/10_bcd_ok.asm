; bug: none
; SED and CLD on every path, PHP/PLP around the width change

lorom

org $0DFC00
; Add the bonus in $00 to the BCD score at $7EF3F0.
AddBcdScoreOk:
    php
    sep #$20
    sed
    clc
    lda $7EF3F0
    adc $00
    sta $7EF3F0
    lda $7EF3F1
    adc #$00
    sta $7EF3F1
    cld
    plp
    rtl
