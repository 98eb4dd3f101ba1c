; optimize: direct-load
; observe: X,$7E0DD0-$7E0DDF
; saves: 2 cycles, 1 bytes
; LDA #n : TAX becomes LDX #n when A is not observed

lorom

org $06F400
; Clear the state of all sixteen sprite slots.
ClearSpriteStates:
    php
    sep #$30
    lda #$0F
    tax
.loop
    stz $0DD0,x
    dex
    bpl .loop
    plp
    rtl
