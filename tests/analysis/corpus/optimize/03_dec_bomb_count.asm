; optimize: dec-a
; observe: A,$7EF343-$7EF343
; saves: 2 cycles, 2 bytes
; SEC : SBC #1 becomes DEC A

lorom

org $07E800
; Use one bomb.
UseBomb:
    php
    sep #$20
    lda $7EF343
    sec
    sbc #$01
    sta $7EF343
    plp
    rtl
