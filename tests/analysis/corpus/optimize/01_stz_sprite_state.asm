; optimize: stz
; observe: $7E0DD0-$7E0DD0,$7E0E20-$7E0E20
; saves: 2 cycles, 2 bytes
; two stores of a zero loaded in A become STZ

lorom

org $0DE800
; Kill the sprite in slot 0: clear its state and its type.
KillSprite0:
    php
    sep #$20
    lda #$00
    sta $0DD0
    sta $0E20
    plp
    rtl
