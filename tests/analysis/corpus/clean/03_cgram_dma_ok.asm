; bug: none
; CGRAM DMA in mode 0 to the write-twice CGDATA register, 8-bit stores to byte registers

lorom

org $00E100
; Copy the full palette buffer at $7EC500 to CGRAM.
UploadPaletteOk:
    php
    sep #$20
    rep #$10
    stz $2121
    lda #$00
    sta $4310
    lda #$22
    sta $4311
    ldx #$C500
    stx $4312
    lda #$7E
    sta $4314
    ldx #$0200
    stx $4315
    lda #$02
    sta $420B
    plp
    rtl
