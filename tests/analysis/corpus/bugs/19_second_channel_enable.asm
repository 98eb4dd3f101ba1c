; bug: dma-enable-order line 29
; channel 1 is enabled before its source and size registers are written

lorom

org $00FA00
; Two transfers per frame: sprite tiles on channel 0, BG tiles on channel 1.
UploadTwoBuffers:
    php
    rep #$10
    sep #$20
    lda #$80
    sta $2115
    ldx #$6000
    stx $2116
    ldx #$1801
    stx $4300
    ldx #$A000
    stx $4302
    lda #$7E
    sta $4304
    ldx #$0400
    stx $4305
    lda #$01
    sta $420B
    ldx #$1801
    stx $4310
    lda #$02
    sta $420B
    ldx #$B000
    stx $4312
    lda #$7E
    sta $4314
    ldx #$0400
    stx $4315
    plp
    rtl
