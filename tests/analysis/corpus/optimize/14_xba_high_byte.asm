; optimize: xba
; observe: A,$7E0002-$7E0003
; saves: 10 cycles, 4 bytes
; eight LSR A to get the high byte become XBA : AND #$00FF

lorom

org $02F200
; Tile row of Link's Y coordinate: the high byte of $20.
GetCoarseY:
    php
    rep #$20
    lda $20
    lsr a
    lsr a
    lsr a
    lsr a
    lsr a
    lsr a
    lsr a
    lsr a
    sta $02
    plp
    rtl
