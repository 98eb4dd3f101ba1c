; bug: width-access line 17
; writing INIDISP with 16-bit A also writes OBSEL ($2101)

lorom

org $00F300
; Set the screen brightness from the fade table entry for this frame.
FadeInStep:
    php
    rep #$30
    lda $1A                ; frame counter
    lsr a
    and #$000F
    tax
    lda.l FadeTable,x
    and #$000F
    sta $2100
    plp
    rtl

FadeTable:
    db $00, $01, $02, $03, $04, $05, $06, $07
    db $08, $09, $0A, $0B, $0C, $0D, $0E, $0F
