; optimize: dead-store
; observe: $7E000E-$7E000E
; saves: 5 cycles, 4 bytes
; the first store to $0E is overwritten before anything reads it

lorom

org $02EA00
; Remember the overworld screen under Link.
RememberScreen:
    php
    sep #$20
    lda #$00
    sta $0E
    lda $8A
    sta $0E
    plp
    rtl
