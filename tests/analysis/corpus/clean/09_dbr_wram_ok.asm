; bug: none
; DBR set to $7E with PHB/PLB before absolute WRAM addressing

lorom

org $0BF200
; Fill the upper tilemap buffer at $7E2800 with blank tiles.
ClearTilemapOk:
    phb
    php
    sep #$20
    lda #$7E
    pha
    plb
    rep #$30
    lda #$007F
    ldx #$07FE
.loop
    sta $2800,x
    dex
    dex
    bpl .loop
    plp
    plb
    rtl
