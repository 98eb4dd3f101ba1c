; bug: dma-vram-setup line 23
; the VRAM address is set but VMAIN ($2115) is not, so the increment mode is whatever was left

lorom

org $00FD00
; Stream the next 512 bytes of the animated water tiles.
StreamWaterTiles:
    php
    rep #$20
    sep #$10
    lda #$3C00
    sta $2116
    lda #$1801
    sta $4300
    lda $0A00              ; pointer to the next frame in bank $7E
    sta $4302
    ldx #$7E
    stx $4304
    lda #$0200
    sta $4305
    ldx #$01
    stx $420B
    plp
    rtl
