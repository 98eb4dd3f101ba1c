; optimize: txy
; observe: Y,P.Z,P.N,$7E000C-$7E000F
; saves: 4 cycles, 3 bytes
; STX $00 : LDY $00 becomes TXY ($00 is scratch, not observed)

lorom

org $06F000
; Y = X for the second sprite table loop.
CopyIndexToY:
    stx $00
    ldy $00
    lda $0E20,y
    sta $0E
    lda $0E30,y
    sta $0F
    lda $0D00,y
    sta $0C
    rtl
