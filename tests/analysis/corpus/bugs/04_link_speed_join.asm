; bug: width-join line 18
; the falling path reaches .apply with 8-bit A, the walking path with 16-bit A

lorom

org $07F800
; Apply Link's walking speed unless he is falling into a pit.
ApplyWalkSpeed:
    php
    sep #$20
    lda $5B                ; pit state
    bne .apply
    rep #$20
    lda $22
    clc
    adc $0B7E
    sta $22
.apply
    lda $2F
    sta $0B7F
    plp
    rtl
