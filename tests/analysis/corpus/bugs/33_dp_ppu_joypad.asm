; bug: dp-assumption line 19
; D is $2100 for fast PPU writes, then the joypad byte $F0 is read through it ($21F0, open bus)

lorom

org $00F200
; Write the layer settings via direct page $2100; hide BG3 while Select is held.
SetMainScreen:
    phd
    php
    rep #$20
    lda #$2100
    tcd
    sep #$20
    lda #$17
    sta $2C                ; TM
    lda #$00
    sta $2D                ; TS
    lda $F0
    and #$20
    beq .keep
    lda #$13
    sta $2C
.keep
    plp
    pld
    rtl
