; optimize: inc-a
; observe: A,$7EF36F-$7EF36F
; saves: 2 cycles, 2 bytes
; CLC : ADC #1 becomes INC A (carry and overflow are not observed)

lorom

org $05E800
; Give Link one more small key.
AddSmallKey:
    php
    sep #$20
    lda $7EF36F
    clc
    adc #$01
    sta $7EF36F
    plp
    rtl
