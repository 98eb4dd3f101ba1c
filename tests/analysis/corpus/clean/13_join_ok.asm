; bug: none
; two paths that meet with the same widths (each sets SEP before the join)

lorom

org $07F900
; Apply Link's walking speed unless he is falling into a pit.
ApplyWalkSpeedOk:
    php
    sep #$20
    lda $5B
    bne .apply
    rep #$20
    lda $22
    clc
    adc $0B7E
    sta $22
    sep #$20
.apply
    lda $2F
    sta $0B7F
    plp
    rtl
