; bug: width-join line 18
; the early-exit branch skips rep #$20, so .draw is reached with two different accumulator widths

lorom

org $0DFA00
; Convert the arrow count to two HUD tiles.
DrawArrowDigits:
    php
    sep #$30
    lda $7EF377
    cmp #$0A
    bcc .draw
    rep #$20
    lda $7EF377
    and #$00FF
    sta $00
.draw
    ldx $00
    lda.l DigitTiles,x
    sta $7EC79A
    plp
    rtl

DigitTiles:
    dw $2490, $2491, $2492, $2493, $2494
    dw $2495, $2496, $2497, $2498, $2499
