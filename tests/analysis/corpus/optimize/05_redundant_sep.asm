; optimize: redundant-sep
; observe: $7E0E80-$7E0E80,$7E0E90-$7E0E90
; saves: 3 cycles, 2 bytes
; SEP #$30 issued twice with nothing in between that changes the widths

lorom

org $06E800
; Reset the animation timers of sprite slot 0.
ResetSpriteTimers:
    php
    sep #$30
    lda #$08
    sta $0E80
    sep #$30
    lda #$10
    sta $0E90
    plp
    rtl
