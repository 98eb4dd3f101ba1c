; bug: dp-assumption line 19
; D points at $4300 for the DMA registers, but $8A (overworld area) is read as if D were $0000: it reads $438A

lorom

org $00F100
; Set up HDMA channel 2 through a direct page at $4300 for shorter stores.
SetupHdmaChannel2:
    phd
    php
    rep #$20
    lda #$4300
    tcd
    sep #$20
    lda #$42
    sta $20
    lda #$0D
    sta $21
    lda $8A
    cmp #$40
    bcc .light_world
    lda.b #DarkTable>>16
    sta $24
.light_world
    plp
    pld
    rtl

DarkTable:
    db $10 : dw $1000 : db $00
