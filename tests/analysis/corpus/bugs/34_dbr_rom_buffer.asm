; bug: dbr-assumption line 17
; DBR is the code bank ($0B) but $2800 is meant as WRAM $7E2800

lorom

org $0BF000
; Fill the upper tilemap buffer at $7E2800 with blank tiles.
ClearTilemapBuffer:
    phb
    phk
    plb
    php
    rep #$30
    lda BlankTile
    ldx #$07FE
.loop
    sta $2800,x
    dex
    dex
    bpl .loop
    plp
    plb
    rtl

BlankTile:
    dw $007F
