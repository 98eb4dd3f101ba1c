; bug: none
; OAM DMA of 544 bytes on channel 7 with the OAM address reset

lorom

org $00E200
; Send the OAM buffer at $7E0800 to the PPU.
UploadOamOk:
    php
    rep #$20
    sep #$10
    stz $2102
    lda #$0400
    sta $4370
    lda #$0800
    sta $4372
    ldx #$7E
    stx $4374
    lda #$0220
    sta $4375
    ldx #$80
    stx $420B
    plp
    rtl
