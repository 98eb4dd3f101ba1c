; optimize: loop-countdown
; observe: $7E0F50-$7E0F5F
; saves: 32 cycles, 2 bytes
; an up-counting loop with CPX becomes a down-counting loop with BPL

lorom

org $06F500
; Clear the sprite OAM property table.
ClearSpriteProps:
    php
    sep #$30
    ldx #$00
.loop
    stz $0F50,x
    inx
    cpx #$10
    bne .loop
    plp
    rtl
