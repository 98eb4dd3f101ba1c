; optimize: tsb
; observe: $7E0C9F-$7E0C9F
; saves: 2 cycles, 3 bytes
; LDA : ORA #n : STA becomes LDA #n : TSB

lorom

org $00EA00
; Turn on HDMA channel 3 in the HDMA-enable mirror.
EnableHdma3:
    php
    sep #$20
    lda $0C9F
    ora #$08
    sta $0C9F
    plp
    rtl
