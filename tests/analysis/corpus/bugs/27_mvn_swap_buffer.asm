; bug: mvn-order line 15
; the decompressed graphics go from bank $7F to ROM bank $1C instead of from $1C to $7F

lorom

org $1CF000
; Install the precomputed tile buffer (bank $1C) into the work buffer at $7F8000.
InstallTileBuffer:
    phb
    php
    rep #$30
    ldx.w #TileBuffer
    ldy #$8000
    lda #$03FF
    mvn $1C,$7F
    plp
    plb
    rtl

TileBuffer:
    fillbyte $00 : fill $400
