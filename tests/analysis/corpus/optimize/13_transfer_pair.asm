; optimize: transfer-pair
; observe: A,X,P.Z,P.N,$7E0E20-$7E0E20
; saves: 2 cycles, 1 bytes
; TAX : TXA leaves A as it was; the TXA is dropped

lorom

org $06EC00
; Use the sprite type in A as an index and also store it.
StoreSpriteType:
    php
    sep #$30
    tax
    txa
    sta $0E20
    lda.l TypeFlags,x
    sta $0E40
    plp
    rtl

TypeFlags:
    db $00, $01, $02, $03, $04, $05, $06, $07
