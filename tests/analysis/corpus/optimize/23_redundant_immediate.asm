; optimize: redundant-load
; observe: A,$7E0DB0-$7E0DB0,$7E0DB2-$7E0DB2
; saves: 2 cycles, 2 bytes
; A already holds #$80 when it is loaded again

lorom

org $06F200
; Mark sprites 0 and 2 as deactivated off screen.
MarkOffscreen:
    php
    sep #$20
    lda #$80
    sta $0DB0
    lda #$80
    sta $0DB2
    plp
    rtl
