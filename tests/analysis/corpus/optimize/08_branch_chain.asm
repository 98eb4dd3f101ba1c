; optimize: branch-chain
; observe: $7E0E50-$7E0E50
; saves: 3 cycles, 0 bytes
; BEQ to a BRA is retargeted to the BRA's destination

lorom

org $06EA00
; Heal sprite 0 unless it is already dead.
HealSprite:
    php
    sep #$20
    lda $0DD0
    beq .skip
    lda $0E50
    inc a
    sta $0E50
.skip
    bra .exit
    nop
.exit
    plp
    rtl
