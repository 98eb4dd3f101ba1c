; optimize: word-op
; observe: $7E0010-$7E0011
; saves: 3 cycles, 3 bytes
; two 8-bit immediate stores become one 16-bit store

lorom

org $02EE00
; Enter the text box module: main module $0E, sub-module $02.
OpenTextBox:
    php
    sep #$20
    lda #$0E
    sta $10
    lda #$02
    sta $11
    plp
    rtl
