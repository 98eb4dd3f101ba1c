; optimize: tax
; observe: X,P.Z,P.N
; saves: 4 cycles, 3 bytes
; STA $00 : LDX $00 becomes TAX

lorom

org $06F080
; Use the item id in A as an index into the item graphics table.
ItemIndex:
    sta $00
    ldx $00
    lda.l ItemGfx,x
    sta $0E
    rtl

ItemGfx:
    db $10, $11, $12, $13, $14, $15, $16, $17
