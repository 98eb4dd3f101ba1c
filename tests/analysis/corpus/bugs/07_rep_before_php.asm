; bug: width-return line 17
; rep #$30 runs before php, so plp restores 16-bit widths and the 8-bit caller gets them back

lorom

org $1BF400
; Called from the 8-bit overworld module to look up a map16 tile.
GetMap16Tile:
    rep #$30
    php
    lda $00
    asl a
    tax
    lda.l $7E2000,x
    sta $02
    plp
    rtl

OverworldHook:
    php
    sep #$30
    jsl GetMap16Tile
    lda $02
    sta $0E
    plp
    rtl
