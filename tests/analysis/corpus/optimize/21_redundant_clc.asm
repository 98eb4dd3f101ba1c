; optimize: redundant-clc
; observe: A,$7E0E70-$7E0E70
; saves: 2 cycles, 1 bytes
; the carry is already clear on the fall-through of BCS

lorom

org $06F100
; Add A to the sprite's Z position unless the previous add carried.
AddHeight:
    php
    sep #$20
    lda $0E70
    cmp #$F0
    bcs .done
    clc
    adc #$04
    sta $0E70
.done
    plp
    rtl
