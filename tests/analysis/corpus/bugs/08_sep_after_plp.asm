; bug: width-return line 17
; a sep #$20 after plp leaves the accumulator 8-bit for a 16-bit caller

lorom

org $0EF800
; Add the pending heart pieces to the HUD counter (called with 16-bit A and X).
AddHeartPieces:
    php
    sep #$20
    lda $7EF36B
    inc a
    and #$03
    sta $7EF36B
    plp
    sep #$20
    rts

HeartPieceCollect:
    php
    rep #$30
    jsr AddHeartPieces
    lda $7EF36C
    sta $00
    plp
    rtl
