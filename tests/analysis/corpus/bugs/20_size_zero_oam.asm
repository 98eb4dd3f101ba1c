; bug: dma-size-zero line 19
; the size is left at $0000, which makes the DMA move 65536 bytes

lorom

org $00FB00
; Copy the OAM buffer at $7E0800 to the PPU during NMI.
UploadOam:
    php
    rep #$20
    sep #$10
    stz $2102
    lda #$0400
    sta $4300
    lda #$0800
    sta $4302
    ldx #$7E
    stx $4304
    stz $4305
    ldx #$01
    stx $420B
    plp
    rtl
