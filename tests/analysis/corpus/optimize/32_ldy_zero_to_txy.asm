; optimize: txy
; observe: X,Y,P.Z,P.N,$7E0000-$7E0000
; saves: 0 cycles, 1 bytes
; LDY #$00 right after LDX #$00 becomes TXY

lorom

org $06F600
; Reset both indices before the sprite table walk.
ResetIndices:
    php
    sep #$30
    ldx #$00
    ldy #$00
    lda $0E20,y
    sta $00
    plp
    rtl
