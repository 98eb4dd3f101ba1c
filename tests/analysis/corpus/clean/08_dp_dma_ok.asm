; bug: none
; D moved to $4300 with PHD/PLD and only DMA registers addressed through it

lorom

org $00E500
; Set up HDMA channel 2 for the wavy water effect.
SetupWaveHdma:
    phd
    php
    rep #$20
    lda #$4300
    tcd
    lda #$0F02
    sta $20
    lda.w #WaveTable
    sta $22
    sep #$20
    lda.b #WaveTable>>16
    sta $24
    lda #$04
    tsb $0C9F
    plp
    pld
    rtl

WaveTable:
    db $10 : dw $0000
    db $10 : dw $0002
    db $00
