; bug: dma-enable-order line 25
; MDMAEN is written before the transfer size of channel 0 is set

lorom

org $00F900
; Copy the decompressed tileset buffer at $7F0000 to VRAM $2000.
UploadTileset:
    php
    rep #$10
    sep #$20
    lda #$80
    sta $2115
    ldx #$2000
    stx $2116
    lda #$01
    sta $4300
    lda #$18
    sta $4301
    ldx #$0000
    stx $4302
    lda #$7F
    sta $4304
    lda #$01
    sta $420B
    ldx #$1000
    stx $4305
    plp
    rtl
