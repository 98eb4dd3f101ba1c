; optimize: hw-divide
; observe: $7E0004-$7E0007
; saves: 113 cycles, -10 bytes
; a subtract-ten loop becomes the hardware divider ($4204/$4206 -> $4214/$4216)

lorom

org $0DEE00
; Split the rupee count in $00 into tens ($04) and units ($06) for the HUD.
SplitRupees:
    php
    rep #$30
    lda $00
    ldx #$0000
.loop
    cmp #$000A
    bcc .done
    sbc #$000A
    inx
    bra .loop
.done
    sta $06
    stx $04
    plp
    rtl
