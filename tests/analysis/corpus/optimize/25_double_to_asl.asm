; optimize: adc-self
; observe: A,$7E0002-$7E0003
; saves: 4 cycles, 2 bytes
; CLC : ADC $10 with A = $10 becomes ASL A

lorom

org $02F400
; Table offset = 2 * the entrance index.
EntranceOffset:
    php
    rep #$20
    lda $10
    clc
    adc $10
    sta $02
    plp
    rtl
