; bug: width-access line 22
; 16-bit store to MDMAEN also writes $420C and switches HDMA off

lorom

org $00F400
; Send the palette buffer to CGRAM.
UploadPalettes:
    php
    sep #$30
    stz $2121
    rep #$20
    lda #$2200
    sta $4300
    lda #$C300
    sta $4302
    ldx #$7E
    stx $4304
    lda #$0200
    sta $4305
    lda #$0001
    sta $420B
    plp
    rtl
