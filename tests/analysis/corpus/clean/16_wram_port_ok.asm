; bug: none
; DMA from ROM into WRAM through the WMDATA port ($2180) in mode 0

lorom

org $0CF300
; Copy the decompression dictionary into $7F0000 through the WRAM port.
LoadDictionary:
    php
    rep #$20
    sep #$10
    stz $2181
    ldx #$01
    stx $2183
    lda #$8000
    sta $4300
    lda.w #Dictionary
    sta $4302
    ldx.b #Dictionary>>16
    stx $4304
    lda #$0100
    sta $4305
    ldx #$01
    stx $420B
    plp
    rtl

Dictionary:
    fillbyte $20 : fill $100
