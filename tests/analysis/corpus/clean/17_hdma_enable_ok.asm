; bug: none
; HDMA enable written from its RAM mirror after the channel set-up

lorom

org $00E700
; Start the gradient HDMA on channel 3 (mode 0 to COLDATA).
StartGradient:
    php
    sep #$20
    lda #$00
    sta $4330
    lda #$32
    sta $4331
    rep #$20
    lda.w #Gradient
    sta $4332
    sep #$20
    lda.b #Gradient>>16
    sta $4334
    lda $0C9F
    ora #$08
    sta $0C9F
    sta $420C
    plp
    rtl

Gradient:
    db $20, $E0
    db $20, $E4
    db $00
