; optimize: trb
; observe: $7E0C9F-$7E0C9F
; saves: 2 cycles, 3 bytes
; LDA : AND #~n : STA becomes LDA #n : TRB

lorom

org $00EC00
; Turn off HDMA channel 3 in the HDMA-enable mirror.
DisableHdma3:
    php
    sep #$20
    lda $0C9F
    and #$F7
    sta $0C9F
    plp
    rtl
