; optimize: bit
; observe: $7E0E50-$7E0E50
; saves: 2 cycles, 2 bytes
; LDA : AND #$40 : BNE becomes BIT : BVS (A is not observed)

lorom

org $06EE00
; Hurt sprite 0 unless its invincibility bit (6) is set.
HurtSprite0:
    php
    sep #$20
    lda $0E60
    and #$40
    bne .done
    dec $0E50
.done
    plp
    rtl
