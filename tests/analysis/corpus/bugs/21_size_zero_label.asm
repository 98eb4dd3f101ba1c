; bug: dma-size-zero line 23
; the size is computed as Tiles-Tiles end label minus itself and comes out zero

lorom

org $0CF100
; Upload the title screen's extra tiles.
UploadTitleTiles:
    php
    rep #$20
    sep #$10
    ldx #$80
    stx $2115
    lda #$7800
    sta $2116
    lda #$1801
    sta $4300
    lda.w #TitleTiles
    sta $4302
    ldx.b #TitleTiles>>16
    stx $4304
    lda.w #TitleTiles_end-TitleTiles_end
    sta $4305
    ldx #$01
    stx $420B
    plp
    rtl

TitleTiles:
    fillbyte $00 : fill $100
.end
