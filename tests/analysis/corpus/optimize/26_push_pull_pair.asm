; optimize: push-pull
; observe: A,$7E0E00-$7E0E00
; saves: 7 cycles, 2 bytes
; PHA : PLA with nothing in between is removed

lorom

org $06F300
; Store the timer value.
StoreTimer:
    php
    sep #$20
    lda $1A
    pha
    pla
    sta $0E00
    plp
    rtl
